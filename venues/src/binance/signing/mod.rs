//! Binance request signatures and the credentials they use.
//!
//! Two payload rules, one per transport (rest-api.md, web-socket-api.md):
//! - **REST**: the query string (or form body) exactly as sent, each key and value
//!   percent-encoded before signing (required since 2026-01-15, else `-1022`):
//!   [`rest_payload`].
//! - **WebSocket API**: every param but `signature`, sorted by name, `k=v` joined by `&`, UTF-8,
//!   **not** encoded: [`ws_api_payload`].
//!
//! Two key types, chosen by what the operator configured ([`SigningKey`]): an HMAC secret signs
//! with HMAC-SHA256, written as hex; an Ed25519 private key (a PKCS#8 PEM file, its path in an
//! environment variable) signs with Ed25519, written as base64. Binance calls HMAC keys
//! deprecated; only Ed25519 keys can `session.logon`.
//!
//! Invariant: secrets never show. [`Credentials`] and [`SigningKey`] have redacted `Debug`,
//! errors name environment variables and files, never their contents.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use ed25519_dalek::Signer as _;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::Sha256;

/// What REST leaves unencoded: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A private key that signs Binance requests. `Debug` is redacted; the key cannot be read
/// back out.
pub struct SigningKey(KeyKind);

enum KeyKind {
    /// An HMAC-SHA256 secret (the API secret as Binance shows it).
    Hmac(Vec<u8>),
    /// An Ed25519 private key.
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// Why a key could not be read. Names where it came from, never what it holds.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The environment variable is not set.
    #[error("the environment variable {var} is not set (it holds the Binance {what})")]
    Missing {
        /// The variable's name.
        var: String,
        /// What it should hold.
        what: &'static str,
    },
    /// The environment variable is empty or not UTF-8.
    #[error("the environment variable {var} is empty or not valid UTF-8")]
    Unreadable {
        /// The variable's name.
        var: String,
    },
    /// The PEM file could not be read.
    #[error("the Ed25519 private key file {path} (from {var}) cannot be read: {source}")]
    File {
        /// The variable that named the file.
        var: String,
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a PKCS#8 PEM Ed25519 private key.
    #[error("the file {path} (from {var}) is not a PKCS#8 PEM Ed25519 private key")]
    NotEd25519Pem {
        /// The variable that named the file.
        var: String,
        /// The file.
        path: String,
    },
}

impl SigningKey {
    /// An HMAC key from the API secret's text.
    pub fn hmac(secret: &str) -> Self {
        SigningKey(KeyKind::Hmac(secret.trim().as_bytes().to_vec()))
    }

    /// An Ed25519 key from the text of a PKCS#8 PEM file (`-----BEGIN PRIVATE KEY-----`), or
    /// `None` when the text is not one (the caller names the file).
    pub fn ed25519_pem(pem: &str) -> Option<Self> {
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem.trim())
            .ok()
            .map(|key| SigningKey(KeyKind::Ed25519(Box::new(key))))
    }

    /// Signs `payload`: lower-case hex of HMAC-SHA256, or base64 of Ed25519.
    pub fn sign(&self, payload: &str) -> String {
        match &self.0 {
            KeyKind::Hmac(secret) => {
                // HMAC takes keys of any length: this cannot fail.
                match <Hmac<Sha256> as Mac>::new_from_slice(secret) {
                    Ok(mut mac) => {
                        mac.update(payload.as_bytes());
                        hex::encode(mac.finalize().into_bytes())
                    }
                    Err(_) => String::new(),
                }
            }
            KeyKind::Ed25519(key) => STANDARD.encode(key.sign(payload.as_bytes()).to_bytes()),
        }
    }

    /// Whether this key can `session.logon` (only Ed25519 keys can; others subscribe to user
    /// data with `userDataStream.subscribe.signature`).
    pub fn can_log_on(&self) -> bool {
        matches!(self.0, KeyKind::Ed25519(_))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            KeyKind::Hmac(_) => f.write_str("SigningKey::Hmac(<redacted>)"),
            KeyKind::Ed25519(_) => f.write_str("SigningKey::Ed25519(<redacted>)"),
        }
    }
}

/// An API key and the private key that signs for it. `Debug` is redacted.
pub struct Credentials {
    api_key: String,
    key: SigningKey,
}

impl Credentials {
    /// An API key and its signing key.
    pub fn new(api_key: &str, key: SigningKey) -> Self {
        Self {
            api_key: api_key.trim().to_owned(),
            key,
        }
    }

    /// Reads credentials from the environment: the API key from `api_key_env`; an Ed25519 PEM
    /// file whose path is in `private_key_path_env` when that variable is set, else the HMAC
    /// secret from `secret_env`.
    ///
    /// # Errors
    /// [`KeyError`] naming the variable (or file) that is missing or unusable.
    pub fn from_env(api_key_env: &str, secret_env: &str, private_key_path_env: &str) -> Result<Self, KeyError> {
        let api_key = read_var(api_key_env, "API key")?;
        let key = match std::env::var(private_key_path_env) {
            Ok(path) if !path.trim().is_empty() => {
                let path = path.trim();
                let pem = std::fs::read_to_string(path).map_err(|source| KeyError::File {
                    var: private_key_path_env.to_owned(),
                    path: path.to_owned(),
                    source,
                })?;
                SigningKey::ed25519_pem(&pem).ok_or_else(|| KeyError::NotEd25519Pem {
                    var: private_key_path_env.to_owned(),
                    path: path.to_owned(),
                })?
            }
            _ => SigningKey::hmac(&read_var(secret_env, "API secret (HMAC keys)")?),
        };
        Ok(Self::new(&api_key, key))
    }

    /// The API key (`X-MBX-APIKEY`, the WebSocket API's `apiKey`). Not a secret to Binance,
    /// but kept out of logs all the same.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The signing key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The signed REST query: `payload` (from [`rest_payload`]) with `&signature=…` appended,
    /// the signature itself percent-encoded (base64 has `+`, `/` and `=`).
    pub fn sign_rest(&self, payload: &str) -> String {
        let signature = utf8_percent_encode(&self.key.sign(payload), UNRESERVED).to_string();
        if payload.is_empty() {
            format!("signature={signature}")
        } else {
            format!("{payload}&signature={signature}")
        }
    }

    /// The `signature` param of a WebSocket API request with `params` (every other param,
    /// `apiKey` and `timestamp` included).
    pub fn sign_ws_api(&self, params: &[(&str, &str)]) -> String {
        self.key.sign(&ws_api_payload(params))
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

fn read_var(var: &str, what: &'static str) -> Result<String, KeyError> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        Ok(_) | Err(std::env::VarError::NotUnicode(_)) => Err(KeyError::Unreadable { var: var.to_owned() }),
        Err(std::env::VarError::NotPresent) => Err(KeyError::Missing {
            var: var.to_owned(),
            what,
        }),
    }
}

/// A REST query string (or form body) in the order given, each key and value percent-encoded:
/// what is sent and what is signed.
pub fn rest_payload(params: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(key, UNRESERVED));
        out.push('=');
        out.extend(utf8_percent_encode(value, UNRESERVED));
    }
    out
}

/// What a WebSocket API request signs: every param but `signature`, sorted by name, `k=v`
/// joined by `&`, not encoded.
pub fn ws_api_payload(params: &[(&str, &str)]) -> String {
    let mut sorted: Vec<&(&str, &str)> = params.iter().filter(|(key, _)| *key != "signature").collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for (i, (key, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

#[cfg(test)]
mod tests;

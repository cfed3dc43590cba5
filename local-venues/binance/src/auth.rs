//! API keys and signatures, checked as Binance checks them (web-socket-api.md "SIGNED
//! requests", rest-api.md "SIGNED endpoint security"):
//! - **WebSocket API**: every param but `signature`, sorted by name, `k=v` joined by `&`, not
//!   percent-encoded.
//! - **REST**: the query string exactly as sent, up to `&signature=`.
//!
//! HMAC keys sign with HMAC-SHA256 (hex, either case); Ed25519 keys with Ed25519 (base64).
//! The timestamp must be less than 1 s ahead of the server's clock and no older than
//! `recvWindow` (default 5,000 ms, at most 60,000), else `-1021`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use ed25519_dalek::Verifier as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::orders::Refusal;

/// The `recvWindow` a request without one gets, and the most one may ask for.
pub const DEFAULT_RECV_WINDOW_MS: i64 = 5_000;
const MAX_RECV_WINDOW_MS: i64 = 60_000;
/// How far ahead of the server's clock a timestamp may be.
const AHEAD_MS: i64 = 1_000;

/// What signs for an API key.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySpec {
    /// An HMAC-SHA256 secret.
    Hmac {
        /// The secret as Binance shows it.
        secret: String,
    },
    /// An Ed25519 key pair, from its 32-byte seed (the exchange knows the private half only
    /// so that [`crate::Control::ed25519_key`] can hand it to a test).
    Ed25519 {
        /// The private key's seed.
        seed: [u8; 32],
    },
}

impl std::fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySpec::Hmac { .. } => f.write_str("KeySpec::Hmac(<redacted>)"),
            KeySpec::Ed25519 { .. } => f.write_str("KeySpec::Ed25519(<redacted>)"),
        }
    }
}

/// An API key the exchange accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The key's public name (`apiKey`, `X-MBX-APIKEY`).
    pub api_key: String,
    /// What signs for it.
    pub key: KeySpec,
}

impl ApiKey {
    /// Whether this is an Ed25519 key (only those may `session.logon`).
    pub fn is_ed25519(&self) -> bool {
        matches!(self.key, KeySpec::Ed25519 { .. })
    }

    /// The private key as a PKCS#8 PEM file's text, for Ed25519 keys.
    pub fn private_key_pem(&self) -> Option<String> {
        match &self.key {
            KeySpec::Ed25519 { seed } => ed25519_dalek::SigningKey::from_bytes(seed)
                .to_pkcs8_pem(Default::default())
                .ok()
                .map(|pem| pem.to_string()),
            KeySpec::Hmac { .. } => None,
        }
    }

    /// Whether `signature` signs `payload` with this key.
    pub(crate) fn verifies(&self, payload: &str, signature: &str) -> bool {
        match &self.key {
            KeySpec::Hmac { secret } => {
                let Ok(expected) = hex::decode(signature.trim()) else {
                    return false;
                };
                let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
                    return false;
                };
                mac.update(payload.as_bytes());
                mac.verify_slice(&expected).is_ok()
            }
            KeySpec::Ed25519 { seed } => {
                let Ok(bytes) = STANDARD.decode(signature.trim()) else {
                    return false;
                };
                let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else {
                    return false;
                };
                ed25519_dalek::SigningKey::from_bytes(seed)
                    .verifying_key()
                    .verify(payload.as_bytes(), &signature)
                    .is_ok()
            }
        }
    }
}

/// What a WebSocket API request's params sign: all but `signature`, sorted, not encoded.
pub(crate) fn ws_api_payload(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "signature").collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Checks `timestamp` (and `recvWindow`) against the server's clock `now_ms`.
pub(crate) fn check_timestamp(timestamp: Option<&str>, recv_window: Option<&str>, now_ms: i64) -> Result<(), Refusal> {
    let timestamp: i64 = match timestamp.map(str::parse) {
        Some(Ok(t)) => t,
        Some(Err(_)) => {
            return Err(Refusal::new(
                400,
                -1100,
                "Illegal characters found in parameter 'timestamp'.",
            ))
        }
        None => {
            return Err(Refusal::new(
                400,
                -1102,
                "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
            ))
        }
    };
    // Binance takes microsecond timestamps too.
    let timestamp = if timestamp > 10_000_000_000_000 {
        timestamp / 1_000
    } else {
        timestamp
    };
    let window: i64 = match recv_window.map(str::parse::<i64>) {
        None => DEFAULT_RECV_WINDOW_MS,
        Some(Ok(w)) if (0..=MAX_RECV_WINDOW_MS).contains(&w) => w,
        Some(_) => return Err(Refusal::new(400, -1131, "recvWindow must be less than 60000")),
    };
    if timestamp < now_ms + AHEAD_MS && now_ms - timestamp <= window {
        Ok(())
    } else {
        Err(Refusal::new(
            400,
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
        ))
    }
}

/// The refusal of a signature that does not verify.
pub(crate) fn bad_signature() -> Refusal {
    Refusal::new(400, -1022, "Signature for this request is not valid.")
}

/// The key named `api_key` among `keys`, or Binance's refusal of a key it does not know.
pub(crate) fn find_key<'a>(keys: &'a [ApiKey], api_key: &str) -> Result<&'a ApiKey, Refusal> {
    keys.iter()
        .find(|k| k.api_key == api_key)
        .ok_or_else(|| Refusal::new(401, -2015, "Invalid API-key, IP, or permissions for action."))
}

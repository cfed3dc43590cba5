//! Kraken's REST signature, nonces, and WebSocket tokens.
//!
//! `API-Sign = base64(HMAC-SHA512(base64decode(secret), uri_path ‖ SHA256(nonce ‖ postdata)))`.
//! Checks run in Kraken's order: key, signature, nonce (strictly increasing per key, shared by
//! every private endpoint). Tokens are random, wait [`crate::config::DEFAULT_TOKEN_TTL_S`]
//! seconds of exchange time for their first use, and never expire once a private subscription
//! used them (Kraken's documented rule).

use std::collections::HashMap;
use std::io::Read;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// The base64 `API-Sign` of a request.
pub fn sign(secret_b64: &str, uri_path: &str, nonce: &str, post_data: &str) -> Option<String> {
    let secret = decode_secret(secret_b64)?;
    let mut inner = Sha256::new();
    inner.update(nonce.as_bytes());
    inner.update(post_data.as_bytes());
    let mut mac = Hmac::<Sha512>::new_from_slice(&secret).ok()?;
    mac.update(uri_path.as_bytes());
    mac.update(&inner.finalize());
    Some(B64.encode(mac.finalize().into_bytes()))
}

/// The secret's bytes, `None` when it is not base64.
pub(crate) fn decode_secret(secret_b64: &str) -> Option<Vec<u8>> {
    B64.decode(secret_b64.trim()).ok()
}

/// Fresh random bytes from the OS; a hash of time and a counter where `/dev/urandom` is missing
/// (this is a local test exchange: its secrets guard nothing of value).
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut out))
        .is_ok()
    {
        return out;
    }
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut filled = 0;
    while filled < n {
        let mut h = Sha512::new();
        h.update(crate::clock::wall_us().to_le_bytes());
        h.update(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed).to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        for b in h.finalize() {
            if filled < n {
                out[filled] = b;
                filled += 1;
            }
        }
    }
    out
}

/// A newly generated secret, base64 of 64 random bytes (Kraken's format).
pub(crate) fn generate_secret() -> String {
    B64.encode(random_bytes(64))
}

/// Why a private REST call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthError {
    Key,
    Signature,
    Nonce,
}

impl AuthError {
    pub(crate) fn code(self) -> &'static str {
        match self {
            AuthError::Key => "EAPI:Invalid key",
            AuthError::Signature => "EAPI:Invalid signature",
            AuthError::Nonce => "EAPI:Invalid nonce",
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    created_ms: i64,
    used: bool,
}

/// Keys, nonces and tokens.
#[derive(Debug)]
pub(crate) struct Auth {
    api_key: String,
    api_secret: String,
    last_nonce: HashMap<String, u64>,
    tokens: HashMap<String, Token>,
    issued: u64,
    ttl_ms: i64,
}

impl Auth {
    pub(crate) fn new(api_key: String, api_secret: String, ttl_s: u64) -> Self {
        Auth {
            api_key,
            api_secret,
            last_nonce: HashMap::new(),
            tokens: HashMap::new(),
            issued: 0,
            ttl_ms: (ttl_s as i64).saturating_mul(1000),
        }
    }

    /// Checks a private REST request; on success the nonce is spent.
    pub(crate) fn verify(
        &mut self,
        key: Option<&str>,
        signature: Option<&str>,
        uri_path: &str,
        post_data: &str,
        nonce: Option<&str>,
    ) -> Result<(), AuthError> {
        if key != Some(self.api_key.as_str()) {
            return Err(AuthError::Key);
        }
        let nonce_text = nonce.ok_or(AuthError::Nonce)?;
        let expected = sign(&self.api_secret, uri_path, nonce_text, post_data).ok_or(AuthError::Signature)?;
        if signature.map(str::trim) != Some(expected.as_str()) {
            return Err(AuthError::Signature);
        }
        let nonce: u64 = nonce_text.parse().map_err(|_| AuthError::Nonce)?;
        let last = self.last_nonce.entry(self.api_key.clone()).or_insert(0);
        if nonce <= *last {
            return Err(AuthError::Nonce);
        }
        *last = nonce;
        Ok(())
    }

    /// Mints a token valid for its first use until `now + ttl`.
    pub(crate) fn mint_token(&mut self, now_ms: i64) -> String {
        let token = B64.encode(random_bytes(30)).replace(['+', '/', '='], "");
        self.tokens.insert(
            token.clone(),
            Token {
                created_ms: now_ms,
                used: false,
            },
        );
        self.issued += 1;
        token
    }

    pub(crate) fn ttl_s(&self) -> i64 {
        self.ttl_ms / 1000
    }

    pub(crate) fn tokens_issued(&self) -> u64 {
        self.issued
    }

    /// Whether `token` may be used now; `mark_used` records a successful private subscription.
    pub(crate) fn check_token(&mut self, token: Option<&str>, now_ms: i64, mark_used: bool) -> bool {
        let Some(t) = token.and_then(|t| self.tokens.get_mut(t)) else {
            return false;
        };
        let ok = t.used || now_ms - t.created_ms <= self.ttl_ms;
        if ok && mark_used {
            t.used = true;
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";
    const BODY: &str = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";

    #[test]
    fn the_documented_signature_vector() {
        let sig = sign(SECRET, "/0/private/AddOrder", "1616492376594", BODY).unwrap();
        assert_eq!(
            sig,
            "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
        );
    }

    #[test]
    fn key_then_signature_then_nonce() {
        let mut auth = Auth::new("k".into(), SECRET.into(), 900);
        let sig = sign(SECRET, "/0/private/AddOrder", "1616492376594", BODY).unwrap();
        let path = "/0/private/AddOrder";
        let nonce = Some("1616492376594");
        assert_eq!(
            auth.verify(Some("x"), Some(&sig), path, BODY, nonce),
            Err(AuthError::Key)
        );
        assert_eq!(
            auth.verify(Some("k"), Some("bad"), path, BODY, nonce),
            Err(AuthError::Signature)
        );
        assert_eq!(auth.verify(Some("k"), Some(&sig), path, BODY, nonce), Ok(()));
        assert_eq!(
            auth.verify(Some("k"), Some(&sig), path, BODY, nonce),
            Err(AuthError::Nonce)
        );
    }

    #[test]
    fn tokens_expire_unless_used() {
        let mut auth = Auth::new("k".into(), SECRET.into(), 900);
        let a = auth.mint_token(0);
        let b = auth.mint_token(0);
        assert!(auth.check_token(Some(&a), 1_000, true));
        assert!(
            auth.check_token(Some(&a), 10_000_000, false),
            "a used token stays valid"
        );
        assert!(!auth.check_token(Some(&b), 901_000, false), "an unused token expires");
        assert!(!auth.check_token(Some("nope"), 0, false));
        assert_eq!(auth.tokens_issued(), 2);
    }
}

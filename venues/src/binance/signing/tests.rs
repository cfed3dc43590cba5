//! Signatures against Binance's documented vectors and RFC 8032, and secrets that do not show.

use super::*;

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/binance/signing_vectors.json"
    )))
    .unwrap()
}

/// RFC 8032 §7.1 "TEST 2" as a PKCS#8 PEM file: its 32-byte seed under the Ed25519 OID.
const RFC8032_TEST2_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7
-----END PRIVATE KEY-----
";

/// The WebSocket API vector's params, in the order the docs list them (not sorted).
const WS_PARAMS: &[(&str, &str)] = &[
    ("symbol", "BTCUSDT"),
    ("side", "SELL"),
    ("type", "LIMIT"),
    ("timeInForce", "GTC"),
    ("quantity", "0.01000000"),
    ("price", "52000.00"),
    ("recvWindow", "100"),
    ("timestamp", "1645423376532"),
    (
        "apiKey",
        "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    ),
    ("signature", "left out of what is signed"),
];

#[test]
fn rest_hmac_matches_the_documented_vector() {
    let v = vectors();
    let key = SigningKey::hmac(v["secret_key"].as_str().unwrap());
    let params = [
        ("symbol", "LTCBTC"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "1"),
        ("price", "0.1"),
        ("recvWindow", "5000"),
        ("timestamp", "1499827319559"),
    ];
    let payload = rest_payload(&params);
    assert_eq!(payload, v["rest_hmac_sha256"]["payload"].as_str().unwrap());
    let expected = v["rest_hmac_sha256"]["signature_hex"].as_str().unwrap();
    assert_eq!(key.sign(&payload), expected);
    let credentials = Credentials::new("key", key);
    assert_eq!(
        credentials.sign_rest(&payload),
        format!("{payload}&signature={expected}")
    );
}

#[test]
fn ws_api_hmac_matches_the_documented_vector() {
    let v = vectors();
    let payload = ws_api_payload(WS_PARAMS);
    assert_eq!(payload, v["ws_api_hmac_sha256"]["payload"].as_str().unwrap());
    let credentials = Credentials::new("key", SigningKey::hmac(v["secret_key"].as_str().unwrap()));
    assert_eq!(
        credentials.sign_ws_api(WS_PARAMS),
        v["ws_api_hmac_sha256"]["signature_hex"].as_str().unwrap()
    );
}

#[test]
fn rest_payloads_are_percent_encoded_and_ws_api_payloads_are_not() {
    let params = [("newClientOrderId", "a b/c+d=é"), ("symbol", "BTCUSDT")];
    assert_eq!(
        rest_payload(&params),
        "newClientOrderId=a%20b%2Fc%2Bd%3D%C3%A9&symbol=BTCUSDT"
    );
    assert_eq!(ws_api_payload(&params), "newClientOrderId=a b/c+d=é&symbol=BTCUSDT");
}

#[test]
fn ed25519_signs_as_rfc_8032_from_a_pem_file() {
    let key = SigningKey::ed25519_pem(RFC8032_TEST2_PEM).unwrap();
    assert!(key.can_log_on());
    // RFC 8032 §7.1 TEST 2: the one-byte message 0x72 ("r").
    let signature = STANDARD.decode(key.sign("r")).unwrap();
    assert_eq!(
        hex::encode(signature),
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
         085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
    );
    // The WebSocket API vector's payload signed with that key, as an independent
    // implementation (Python `cryptography` 48) computes it.
    assert_eq!(
        Credentials::new("key", key).sign_ws_api(WS_PARAMS),
        "mI7TnDYAYDtBCtjjoweeD8mrshlXEYfUXpdkt7DJ/gvEMy97Hr2mKxydFFMj9ojXD/6CcOmWYY+wvHlNpqStBg=="
    );
}

#[test]
fn an_ed25519_rest_signature_is_percent_encoded() {
    let credentials = Credentials::new("key", SigningKey::ed25519_pem(RFC8032_TEST2_PEM).unwrap());
    let signed = credentials.sign_rest("symbol=BTCUSDT");
    let signature = signed.strip_prefix("symbol=BTCUSDT&signature=").unwrap();
    assert!(!signature.contains(['+', '/', '=']), "{signature}");
    assert!(signature.ends_with("%3D%3D"), "{signature}");
}

#[test]
fn secrets_do_not_show_and_bad_keys_are_named() {
    let hmac = Credentials::new("public-key", SigningKey::hmac("very-secret"));
    assert_eq!(format!("{hmac:?}"), "Credentials(<redacted>)");
    assert_eq!(format!("{:?}", hmac.key()), "SigningKey::Hmac(<redacted>)");
    assert!(!hmac.key().can_log_on());
    let ed = SigningKey::ed25519_pem(RFC8032_TEST2_PEM).unwrap();
    assert_eq!(format!("{ed:?}"), "SigningKey::Ed25519(<redacted>)");
    assert!(SigningKey::ed25519_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").is_none());
    assert!(SigningKey::ed25519_pem("not a pem").is_none());
}

#[test]
fn credentials_come_from_the_environment() {
    // Variable names unique to this test: the process's environment is shared by all tests.
    let (key_var, secret_var, pem_var) = (
        "BINANCE_SIGNING_TEST_KEY",
        "BINANCE_SIGNING_TEST_SECRET",
        "BINANCE_SIGNING_TEST_PEM",
    );
    let missing = Credentials::from_env(key_var, secret_var, pem_var).unwrap_err();
    assert!(
        matches!(&missing, KeyError::Missing { var, .. } if var == key_var),
        "{missing}"
    );

    let dir = std::env::temp_dir().join(format!("binance-signing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("key.pem");
    std::fs::write(&pem, RFC8032_TEST2_PEM).unwrap();
    // No other test reads or writes these variables.
    std::env::set_var(key_var, "public-key");
    std::env::set_var(secret_var, "very-secret");
    let hmac = Credentials::from_env(key_var, secret_var, pem_var).unwrap();
    assert!(!hmac.key().can_log_on());
    std::env::set_var(pem_var, &pem);
    let ed = Credentials::from_env(key_var, secret_var, pem_var).unwrap();
    assert!(ed.key().can_log_on());
    assert_eq!(ed.api_key(), "public-key");
    std::env::set_var(pem_var, dir.join("absent.pem"));
    let absent = Credentials::from_env(key_var, secret_var, pem_var).unwrap_err();
    assert!(matches!(absent, KeyError::File { .. }));
    assert!(!absent.to_string().contains("very-secret"));
    std::fs::remove_dir_all(&dir).unwrap();
}

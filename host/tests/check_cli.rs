//! `strategy-host check`: a good component prints its manifest and SHA-256; anything else gets
//! one line naming the file and what was expected, and a non-zero exit.

use sha2::Digest;

use crate::support::{self, bad_components, run_bin, stderr, stdout};

#[test]
fn check_prints_the_manifest_and_the_sha256() {
    let path = support::wasm("sma_cross");
    let output = run_bin(&["check", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let hash = hex::encode(sha2::Sha256::digest(std::fs::read(&path).unwrap()));
    assert!(text.contains(&format!("sha256:      {hash}")), "{text}");
    assert!(text.contains("name:        sma-cross"), "{text}");
    for param in ["fast", "slow", "size"] {
        assert!(
            text.contains(&format!("  - {param} (")),
            "param {param} missing:\n{text}"
        );
    }
    assert!(text.contains("candles"), "subscriptions missing:\n{text}");
}

#[test]
fn check_refuses_bad_files_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, expected) in bad_components() {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let output = run_bin(&["check", path.to_str().unwrap()]);
        let err = stderr(&output);
        assert!(!output.status.success(), "{name} was accepted");
        assert_eq!(output.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(path.to_str().unwrap()),
            "{name}: the error does not name the file: {err}"
        );
        assert!(err.contains(expected), "{name}: expected {expected:?} in: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: more than one line: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn check_of_a_missing_file_names_it() {
    let output = run_bin(&["check", "/nonexistent/strategy.wasm"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("/nonexistent/strategy.wasm: cannot read"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_component_refusing_its_params_is_reported_once_with_the_reason_and_the_file() {
    let wasm = support::wasm("sma_cross");
    let output = run_bin(&["check", wasm.to_str().unwrap(), "--params", r#"{"fast": 20}"#]);
    assert!(!output.status.success());
    let err = stderr(&output);
    let reason = "param `fast`: must be less than `slow` (20), got 20";
    assert_eq!(err.matches(reason).count(), 1, "{err}");
    assert_eq!(err.matches(wasm.to_str().unwrap()).count(), 1, "{err}");
    assert!(err.contains("init failed"), "{err}");
}

#[test]
fn params_that_do_not_fit_the_manifest_are_refused_by_the_host_before_init() {
    let wasm = support::wasm("sma_cross");
    for (params, reason) in [
        (
            r#"{"fats": 10}"#,
            "params check failed: param `fats`: unknown; this strategy takes `fast`, `slow`, `size`",
        ),
        (
            r#"{"fast": "ten"}"#,
            r#"params check failed: param `fast`: expected an integer, got "ten""#,
        ),
        ("[10]", "params check failed: params: expected a JSON object, got [10]"),
    ] {
        let output = run_bin(&["check", wasm.to_str().unwrap(), "--params", params]);
        assert!(!output.status.success(), "{params} accepted");
        let err = stderr(&output);
        assert!(err.contains(reason), "{params}: expected {reason:?} in: {err}");
        assert!(!err.contains("init failed"), "{params}: init was called: {err}");
    }
}

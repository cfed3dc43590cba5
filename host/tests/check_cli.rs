//! `strategy-host check`: a good component prints its manifest and SHA-256; anything else gets
//! one line naming the file and what was expected, and a non-zero exit.

use sha2::Digest;

use crate::support::{self, run_bin, stderr, stdout};

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

/// Each bad file: its bytes, and what the one-line error must say.
fn bad_components() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let real = std::fs::read(support::wasm("sma_cross")).unwrap();
    let wrong_version =
        wat::parse_str(r#"(component (import "strategy-host:strategy/host@0.2.0" (instance)))"#).unwrap();
    let other_world = wat::parse_str("(component)").unwrap();
    let core_module = wat::parse_str("(module)").unwrap();
    vec![
        (
            "garbage.wasm",
            b"definitely not wasm".to_vec(),
            "not a WebAssembly file",
        ),
        ("empty.wasm", Vec::new(), "not a WebAssembly file"),
        (
            "truncated.wasm",
            real[..real.len() / 2].to_vec(),
            "not a valid wasm component",
        ),
        ("core.wasm", core_module, "is a core wasm module, not a component"),
        (
            "wrong-version.wasm",
            wrong_version,
            "built for strategy-host:strategy@0.2.0, but this host serves strategy-host:strategy@0.1.0",
        ),
        ("other-world.wasm", other_world, "does not export `describe`"),
    ]
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

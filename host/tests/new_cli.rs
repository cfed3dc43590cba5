//! `strategy-host new`: the scaffold builds to a component with one command, and the host
//! accepts that component.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{run_bin, stderr, stdout};

/// Runs cargo with `args` in `dir` with no network: the scaffold must build from what it
/// carries and from cargo's cache. Its target folder persists beside the host's (when there is
/// one), so a warm run only rebuilds the new crate and its copy of the SDK.
fn offline_cargo(dir: &Path, args: &[&str]) -> (Output, PathBuf) {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|t| PathBuf::from(t).join("scaffold"))
        .unwrap_or_else(|| dir.join("target"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    (output, target)
}

/// The repository's root: a scaffold must build with nothing of it.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

#[test]
fn a_scaffolded_strategy_builds_to_a_component_the_host_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path().join("my-momentum");
    assert!(
        !crate_dir.starts_with(repo_root()),
        "the scaffold goes outside the repository"
    );
    let output = run_bin(&["new", "my-momentum", "--dir", crate_dir.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(crate_dir.join("src/lib.rs").is_file() && crate_dir.join(".gitignore").is_file());
    // It refers to nothing outside its folder: the SDK and the WIT are copied in.
    let repo = repo_root().display().to_string();
    for file in [
        "Cargo.toml",
        "vendor/strategy-sdk/Cargo.toml",
        "vendor/strategy-sdk/src/guest/bindings.rs",
    ] {
        let text = std::fs::read_to_string(crate_dir.join(file)).unwrap();
        assert!(!text.contains(&repo), "{file} names {repo}:\n{text}");
    }
    assert!(crate_dir.join("vendor/wit/strategy.wit").is_file());

    // The one build command the scaffold promises, with no network.
    let (build, target) = offline_cargo(&crate_dir, &["build", "--release", "--target", "wasm32-wasip2"]);
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));

    // Its tests run natively: the SDK's harness plays bars to the strategy and fills its orders.
    let (test, _) = offline_cargo(&crate_dir, &["test"]);
    assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stderr));
    let report = String::from_utf8_lossy(&test.stdout);
    assert!(
        report.contains("a_rise_then_a_fall_is_one_round_trip ... ok"),
        "{report}"
    );

    let wasm = target.join("wasm32-wasip2/release/my_momentum.wasm");
    let check = run_bin(&["check", wasm.to_str().unwrap()]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("name:        my-momentum"),
        "{}",
        stdout(&check)
    );

    // Its default subscription fits any timeframe: on the shipped daily bars it trades, and
    // nothing is warned about.
    let daily = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/Bitcoin.csv");
    let backtest = run_bin(&[
        "backtest",
        "--strategy",
        wasm.to_str().unwrap(),
        "--data",
        daily.to_str().unwrap(),
        "--json",
    ]);
    assert!(backtest.status.success(), "{}", stderr(&backtest));
    assert!(!stderr(&backtest).contains("matches nothing"), "{}", stderr(&backtest));
    let report: serde_json::Value = serde_json::from_str(stdout(&backtest).trim()).unwrap();
    assert!(report["fills"].as_u64().is_some_and(|n| n > 0), "{report}");
}

#[test]
fn new_refuses_a_bad_name_and_an_existing_folder() {
    let output = run_bin(&["new", "Bad Name"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("kebab-case"), "{}", stderr(&output));

    let dir = tempfile::tempdir().unwrap();
    let output = run_bin(&["new", "taken", "--dir", dir.path().to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("already exists"), "{}", stderr(&output));
}

//! `strategy-host new`: the scaffold of each language, written outside the repository, builds
//! to a component with the command it prints, and the host accepts that component.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

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

/// The pinned Python and JavaScript build tools under the target folder, installed by
/// `scripts/build-guests.sh --tools` when they are missing, as `./test.sh` installs them; once
/// per test binary, as the two guest tests would otherwise install into one folder at once.
fn guest_tools() -> &'static Path {
    static TOOLS: OnceLock<PathBuf> = OnceLock::new();
    TOOLS.get_or_init(install_guest_tools)
}

fn install_guest_tools() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let install = Command::new(repo_root().join("scripts/build-guests.sh"))
        .arg("--tools")
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));
    target.join("guest-tools")
}

/// `new --lang LANG` writes a project outside the repository whose printed build command, run
/// as printed with the tool linked where its printed setup would install it, makes a
/// component the host accepts.
fn a_guest_scaffold_builds(lang: &str, tool_link: &str, tool: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join(format!("my-{lang}-cross"));
    let output = run_bin(&[
        "new",
        &format!("my-{lang}-cross"),
        "--lang",
        lang,
        "--dir",
        project.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.contains("once:      cd "), "{printed}");
    let build = printed
        .lines()
        .find_map(|line| line.strip_prefix("build it:  "))
        .unwrap_or_else(|| panic!("no build command in {printed}"));
    assert!(project.join("wit/strategy.wit").is_file());

    std::os::unix::fs::symlink(tool, project.join(tool_link)).unwrap();
    let built = Command::new("sh").args(["-c", build]).output().unwrap();
    assert!(
        built.status.success(),
        "{build}: {}",
        String::from_utf8_lossy(&built.stderr)
    );

    let wasm = project.join(format!("my_{lang}_cross.wasm"));
    let check = run_bin(&["check", wasm.to_str().unwrap()]);
    assert!(check.status.success(), "{}", stderr(&check));
    let name = format!("name:        my-{lang}-cross");
    assert!(stdout(&check).contains(&name), "{}", stdout(&check));
}

#[test]
fn a_python_scaffold_builds_with_its_printed_command_to_a_component_the_host_accepts() {
    a_guest_scaffold_builds("python", ".venv", &guest_tools().join("python"));
}

#[test]
fn a_js_scaffold_builds_with_its_printed_command_to_a_component_the_host_accepts() {
    a_guest_scaffold_builds("js", "node_modules", &guest_tools().join("js/node_modules"));
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

//! deploy/prometheus against the real thing: promtool checks the shipped config and rules and
//! runs their unit tests, and a real Prometheus scrapes a real `strategy-host run` every second,
//! evaluates the shipped rules, and pages when a hostile strategy dropped into the folder is
//! quarantined.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::deploy::{deploy_dir, require, run_ok, yaml, Prometheus};
use crate::support::{self, wait_until, write_file, RunningHost};

const PATIENCE: Duration = Duration::from_secs(90);

#[test]
fn promtool_accepts_the_config_and_the_rules_and_their_unit_tests_pass() {
    let promtool = require("promtool", "prometheus");
    let dir = deploy_dir().join("prometheus");
    run_ok(
        Command::new(&promtool)
            .args(["check", "config"])
            .arg(dir.join("prometheus.yml")),
    );
    run_ok(
        Command::new(&promtool)
            .args(["check", "rules"])
            .arg(dir.join("alerts.yml"))
            .arg(dir.join("rules.yml")),
    );
    let tested = run_ok(
        Command::new(&promtool)
            .args(["test", "rules", "alerts_test.yml"])
            .current_dir(dir.join("tests")),
    );
    assert!(tested.contains("SUCCESS"), "{tested}");

    // Every alert has what an operator needs, and its unit tests see it fire and stay quiet.
    let alerts = yaml(&dir.join("alerts.yml"));
    let tests = yaml(&dir.join("tests/alerts_test.yml"));
    let cases: Vec<&serde_json::Value> = tests["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["alert_rule_test"].as_array().into_iter().flatten())
        .collect();
    let mut names = Vec::new();
    for rule in alerts["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
    {
        let name = rule["alert"].as_str().expect("alerts.yml holds only alerts");
        names.push(name);
        assert!(rule["for"].is_string(), "{name} has no `for:`");
        let severity = rule["labels"]["severity"].as_str();
        assert!(
            matches!(severity, Some("critical" | "warning")),
            "{name}: severity {severity:?}, expected critical or warning"
        );
        for key in ["summary", "description", "action"] {
            assert!(rule["annotations"][key].is_string(), "{name} has no `{key}` annotation");
        }
        let of_alert = || cases.iter().filter(|c| c["alertname"] == name);
        assert!(
            of_alert().any(|c| c["exp_alerts"].as_array().is_some_and(|a| !a.is_empty())),
            "alerts_test.yml never sees {name} fire"
        );
        assert!(
            of_alert().any(|c| c["exp_alerts"].as_array().is_some_and(|a| a.is_empty())),
            "alerts_test.yml never sees {name} stay quiet"
        );
    }
    // What the issue asks to be alerted on, by name, so that none silently goes missing.
    for wanted in [
        "StrategyHostDown",
        "StrategyQuarantined",
        "StrategyReloadFailing",
        "StrategyTrapsRising",
        "BrokerDisconnected",
        "MarketDataStale",
        "RiskRejectionsSpiking",
        "StrategyEventsShed",
        "StrategyCallLatencyHigh",
    ] {
        assert!(names.contains(&wanted), "no alert {wanted} in alerts.yml");
    }
}

/// The shipped prometheus.yml with what a test must change: a 1 s scrape and evaluation, and
/// the host's real address as the target. The job name, metrics path and rule files are the
/// shipped ones, read from the file.
pub fn test_prometheus_config(host_addr: &str) -> String {
    let shipped = yaml(&deploy_dir().join("prometheus/prometheus.yml"));
    let job = &shipped["scrape_configs"][0];
    let rule_files: Vec<String> = shipped["rule_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("  - {}\n", f.as_str().unwrap()))
        .collect();
    format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n{}\
         scrape_configs:\n  - job_name: {}\n    metrics_path: {}\n    static_configs:\n      - targets: [\"{host_addr}\"]\n",
        rule_files.concat(),
        job["job_name"].as_str().unwrap(),
        job["metrics_path"].as_str().unwrap(),
    )
}

/// Copies the shipped rule files into `dir`; with `quick_alerts`, every alert's `for:` becomes
/// 1 s, so a test sees an alert fire in seconds (promtool tests the real durations).
pub fn copy_rules(dir: &Path, quick_alerts: bool) {
    let shipped = deploy_dir().join("prometheus");
    std::fs::copy(shipped.join("rules.yml"), dir.join("rules.yml")).unwrap();
    let alerts = std::fs::read_to_string(shipped.join("alerts.yml")).unwrap();
    let alerts: String = alerts
        .lines()
        .map(|line| match line.trim_start().strip_prefix("for:") {
            Some(_) if quick_alerts => format!("{}for: 1s\n", &line[..line.len() - line.trim_start().len()]),
            _ => format!("{line}\n"),
        })
        .collect();
    std::fs::write(dir.join("alerts.yml"), alerts).unwrap();
}

#[test]
fn prometheus_scrapes_the_host_and_pages_when_a_strategy_is_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("sma_cross"), strategies.join("sma-cross.wasm")).unwrap();
    // A generous deadline: a busy test machine must not make sma-cross trap. The hostile
    // strategy, dropped in later, traps on every event and must end quarantined.
    let config = write_file(
        dir.path(),
        "host.toml",
        "[sandbox]\ncall_deadline_ms = 2000\n[strategies.hostile]\nparams = { mode = \"panic-every\", every = 1 }\n",
    );
    // 1,246 bars at 20 bars/s: the replay outlasts the test, so events keep rising.
    let host = RunningHost::start(dir.path(), &config, 20, "warn", &[]);
    host.wait_ready(PATIENCE);

    copy_rules(dir.path(), true);
    let prometheus = Prometheus::start(&test_prometheus_config(&host.addr), dir.path());

    // The host is scraped, and the events counter rises from one scrape to a later one.
    let events = "strategy_host_strategy_events_total{job=\"strategy-host\", strategy=\"sma-cross\"}";
    let first = wait_until("Prometheus to scrape sma-cross's events", PATIENCE, || {
        prometheus.value(events)
    });
    wait_until("strategy_host_strategy_events_total to rise", PATIENCE, || {
        prometheus.value(events).filter(|&later| later > first)
    });
    assert_eq!(prometheus.value("up{job=\"strategy-host\"}"), Some(1.0));
    // The recording rules are loaded and evaluated on the real series.
    wait_until("the events/s recording rule", PATIENCE, || {
        prometheus
            .value("strategy:strategy_host_strategy_events:rate1m{strategy=\"sma-cross\"}")
            .filter(|&rate| rate > 0.0)
    });
    assert!(
        prometheus.query("ALERTS{alertname=\"StrategyQuarantined\"}").is_empty(),
        "quarantine alert before any strategy was quarantined"
    );

    // Drop the hostile strategy in the way an operator deploys: write, then rename into place.
    let staged = strategies.join(".hostile.wasm.part");
    std::fs::copy(support::wasm("hostile"), &staged).unwrap();
    std::fs::rename(&staged, strategies.join("hostile.wasm")).unwrap();

    let alert = wait_until("StrategyQuarantined to fire in Prometheus", PATIENCE, || {
        let alerts = prometheus.api("/api/v1/alerts");
        alerts["data"]["alerts"]
            .as_array()?
            .iter()
            .find(|a| a["labels"]["alertname"] == "StrategyQuarantined" && a["state"] == "firing")
            .cloned()
    });
    assert_eq!(alert["labels"]["severity"], "critical", "{alert:#}");
    assert_eq!(alert["labels"]["instance"], host.addr.as_str(), "{alert:#}");
    assert!(
        alert["annotations"]["action"]
            .as_str()
            .is_some_and(|a| a.contains("/status")),
        "{alert:#}"
    );
    // The host agrees on who is quarantined; sma-cross runs on.
    let status = host.status().expect("/status");
    let state_of = |name: &str| {
        status["strategies"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["name"] == name))
            .map(|s| s["state"].clone())
    };
    assert_eq!(state_of("hostile"), Some("quarantined".into()), "{status:#}");
    assert_eq!(state_of("sma-cross"), Some("running".into()), "{status:#}");
    let log = prometheus.log();
    assert!(
        !log.iter().any(|l| l.contains("level=error")),
        "Prometheus logged errors:\n{}",
        log.join("\n")
    );
}

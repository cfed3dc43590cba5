//! Metric hygiene on a real scrape: a host running strategies that trade, trap and get refused
//! exports every metric of DESIGN.md §8 (and each newer one) with its type and labels, follows
//! Prometheus's naming rules, and gives no label a value that could grow without bound (order
//! ids, prices, free text): every label value comes from a closed set or from what the operator
//! put in the folder.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use strategy_host::metrics::{NOTIFICATION_OUTCOMES, STRATEGY_STATES, TRAP_KINDS};

use crate::support::{self, write_file, Answer, RunningHost, WebhookReceiver};

/// Name, type and labels (without `le`) of every metric the host exports: DESIGN.md §8's
/// table, then the newer ones. A metric added to the host fails this test until it is named
/// here, with its labels, so each new name gets the same review.
const METRICS: &[(&str, &str, &[&str])] = &[
    ("strategy_host_build_info", "gauge", &["version"]),
    ("strategy_host_strategy_info", "gauge", &["strategy", "version", "hash"]),
    ("strategy_host_strategies", "gauge", &["state"]),
    ("strategy_host_strategy_events_total", "counter", &["strategy"]),
    (
        "strategy_host_strategy_call_duration_seconds",
        "histogram",
        &["strategy"],
    ),
    ("strategy_host_strategy_traps_total", "counter", &["strategy", "kind"]),
    (
        "strategy_host_strategy_reloads_total",
        "counter",
        &["strategy", "result"],
    ),
    (
        "strategy_host_orders_total",
        "counter",
        &["strategy", "broker", "outcome"],
    ),
    ("strategy_host_risk_rejections_total", "counter", &["strategy", "check"]),
    ("strategy_host_risk_state_changes_total", "counter", &["scope", "state"]),
    ("strategy_host_risk_state", "gauge", &["scope", "name"]),
    ("strategy_host_broker_connected", "gauge", &["broker"]),
    ("strategy_host_broker_reconnects_total", "counter", &["broker"]),
    ("strategy_host_market_data_age_seconds", "gauge", &["broker", "stream"]),
    ("strategy_host_position", "gauge", &["strategy", "symbol"]),
    ("strategy_host_pnl", "gauge", &["strategy", "kind"]),
    // Newer than DESIGN.md §8.
    (
        "strategy_host_strategy_events_shed_total",
        "counter",
        &["strategy", "reason"],
    ),
    (
        "strategy_host_strategy_log_lines_dropped_total",
        "counter",
        &["strategy"],
    ),
    ("strategy_host_events_total", "counter", &["kind"]),
    ("strategy_host_events_skipped_total", "counter", &["subscriber"]),
    ("strategy_host_event_subscribers", "gauge", &["subscriber"]),
    ("strategy_host_control_actions_total", "counter", &["action"]),
    ("strategy_host_dashboard_clients", "gauge", &[]),
    ("strategy_host_dashboard_dropped_total", "counter", &["reason"]),
    ("strategy_host_notifications_total", "counter", &["webhook", "outcome"]),
    ("strategy_host_notification_queue_depth", "gauge", &["webhook"]),
];

/// One sample line: its series name, labels and value.
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the text exposition: `# TYPE` lines into families, samples with their labels
/// (quoted values, escapes undone). Panics on a line that is neither.
fn parse(exposition: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut types = BTreeMap::new();
    let mut samples = Vec::new();
    for line in exposition.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "{name} typed twice"
            );
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment line: {line}");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("bad value in {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (name, parse_labels(rest.strip_suffix('}').expect("closing brace"))),
            None => (series, BTreeMap::new()),
        };
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    (types, samples)
}

fn parse_labels(text: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"").expect("label=\"value\"");
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().expect("unterminated label value") {
                (_, '\\') => match chars.next().expect("escape") {
                    (_, 'n') => value.push('\n'),
                    (_, c) => value.push(c),
                },
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        labels.insert(key.to_owned(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    labels
}

#[test]
fn metrics_have_their_types_labels_and_names_and_no_unbounded_label() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    let files = [("sma-cross", "sma_cross"), ("grid", "grid"), ("faulty", "hostile")];
    for (file, crate_name) in files {
        std::fs::copy(support::wasm(crate_name), strategies.join(format!("{file}.wasm"))).unwrap();
    }
    // Every kind of series gets a value: orders fill, grid's ladder is refused by a risk
    // check, faulty traps, positions and PnL move, and a daily loss limit out of reach gives
    // every strategy a loss limit state; a webhook is sent the fills.
    let config = write_file(
        dir.path(),
        "host.toml",
        "[sandbox]\ncall_deadline_ms = 2000\n[risk]\nmax_open_orders = 2\ndaily_loss_limit = 1000000\n\
         [strategies.faulty]\nparams = { mode = \"panic-every\", every = 40 }\n\
         [[notifications.webhooks]]\nname = \"ops\"\nurl_env = \"OPS_WEBHOOK_URL\"\n",
    );
    let receiver = WebhookReceiver::start(Answer::Ok);
    let url = format!("{}/ops", receiver.base_url);
    let host = RunningHost::start_with_env(dir.path(), &config, 500, "warn", &[], &[("OPS_WEBHOOK_URL", &url)]);
    let status = host.wait_for_replay(Duration::from_secs(90));
    let (types, samples) = parse(&host.metrics());

    // Every family is known, with its type; every known one is there.
    let known: BTreeMap<&str, (&str, &[&str])> = METRICS.iter().map(|(n, t, l)| (*n, (*t, *l))).collect();
    for (name, kind) in &types {
        let (expected, _) = known.get(name.as_str()).unwrap_or_else(|| {
            panic!("{name} ({kind}) is exported but not in METRICS: name its type and labels there")
        });
        assert_eq!(kind, expected, "{name}: type");
    }
    for (name, _, _) in METRICS {
        assert!(types.contains_key(*name), "{name} missing from /metrics");
    }

    // Prometheus naming: the prefix, snake case, `_total` on counters only, base units
    // (seconds) spelled out, durations never unit-less.
    for (name, kind) in &types {
        assert!(name.starts_with("strategy_host_"), "{name}: no strategy_host_ prefix");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}: not snake_case"
        );
        assert_eq!(
            kind == "counter",
            name.ends_with("_total"),
            "{name} ({kind}): `_total` is for counters"
        );
        for unit in [
            "_ms",
            "_millis",
            "_milliseconds",
            "_us",
            "_micros",
            "_ns",
            "_secs",
            "_minutes",
            "_bytes_kib",
            "_mib",
        ] {
            assert!(
                !name.contains(unit),
                "{name}: use base units (seconds, bytes), not {unit}"
            );
        }
        if name.contains("duration") || name.contains("_age") || name.contains("latency") {
            assert!(name.ends_with("_seconds"), "{name}: a duration without its unit");
        }
    }

    // Each sample belongs to a family and has exactly that family's labels.
    let family_of = |sample: &str| -> String {
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = sample.strip_suffix(suffix) {
                if types.get(base).is_some_and(|t| t == "histogram") {
                    return base.to_owned();
                }
            }
        }
        sample.to_owned()
    };
    for sample in &samples {
        let family = family_of(&sample.name);
        let (_, labels) = known[family.as_str()];
        let mut names: BTreeSet<&str> = sample.labels.keys().map(String::as_str).collect();
        if sample.name.ends_with("_bucket") {
            assert!(names.remove("le"), "{}: bucket without le", sample.name);
        }
        assert_eq!(names, labels.iter().copied().collect(), "{}: labels", sample.name);
        assert!(sample.value.is_finite(), "{}: {}", sample.name, sample.value);
    }

    // Label values: closed sets, or what the operator chose (the files in the folder, the
    // configured symbol and stream, the paper broker). An order id, a price or an error text
    // in a label would fail here.
    let in_folder: BTreeSet<String> = files.iter().map(|(f, _)| (*f).to_owned()).collect();
    let hashes: BTreeSet<String> = status["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["hash"].as_str().unwrap().to_owned())
        .collect();
    let versions: BTreeSet<String> = status["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["version"].as_str().unwrap().to_owned())
        .collect();
    let checks: BTreeSet<&str> = trading::risk::RiskCheck::ALL.iter().map(|c| c.code()).collect();
    let one_of = |allowed: &[&str], value: &str| allowed.contains(&value);
    for sample in &samples {
        let family = family_of(&sample.name);
        for (label, value) in &sample.labels {
            let ok = match (family.as_str(), label.as_str()) {
                (_, "le") => value == "+Inf" || value.parse::<f64>().is_ok(),
                (_, "strategy") => in_folder.contains(value),
                ("strategy_host_build_info", "version") => value == env!("CARGO_PKG_VERSION"),
                ("strategy_host_strategy_info", "version") => versions.contains(value),
                ("strategy_host_strategy_info", "hash") => hashes.contains(value),
                ("strategy_host_strategies", "state") => STRATEGY_STATES.contains(&value.as_str()),
                ("strategy_host_strategy_traps_total", "kind") => TRAP_KINDS.contains(&value.as_str()),
                ("strategy_host_strategy_reloads_total", "result") => one_of(&["ok", "failed"], value),
                ("strategy_host_orders_total", "outcome") => {
                    one_of(&["submitted", "rejected", "filled", "cancelled"], value)
                }
                ("strategy_host_risk_rejections_total", "check") => checks.contains(value.as_str()),
                ("strategy_host_strategy_events_shed_total", "reason") => {
                    one_of(&["coalesced", "dropped", "down"], value)
                }
                ("strategy_host_pnl", "kind") => one_of(&["realized", "unrealized"], value),
                ("strategy_host_risk_state" | "strategy_host_risk_state_changes_total", "scope") => {
                    one_of(&["strategy", "account"], value)
                }
                ("strategy_host_risk_state", "name") => in_folder.contains(value) || value == "paper",
                ("strategy_host_risk_state_changes_total", "state") => one_of(&["active", "reducing", "halted"], value),
                ("strategy_host_control_actions_total", "action") => {
                    strategy_host::events::CONTROL_ACTIONS.contains(&value.as_str())
                }
                ("strategy_host_dashboard_dropped_total", "reason") => {
                    strategy_host::metrics::DASHBOARD_DROP_REASONS.contains(&value.as_str())
                }
                ("strategy_host_events_total", "kind") => strategy_host::events::KINDS.contains(&value.as_str()),
                ("strategy_host_events_skipped_total" | "strategy_host_event_subscribers", "subscriber") => {
                    strategy_host::events::subscriber::ALL.contains(&value.as_str())
                }
                ("strategy_host_notifications_total", "outcome") => NOTIFICATION_OUTCOMES.contains(&value.as_str()),
                (_, "webhook") => value == "ops",
                (_, "broker") => value == "paper",
                ("strategy_host_position", "symbol") => value == "BTC/USD",
                ("strategy_host_market_data_age_seconds", "stream") => value == "BTC/USD 1d",
                _ => false,
            };
            assert!(ok, "{}: label {label}={value:?} is not from a bounded set", sample.name);
        }
    }

    // And the scrape shows the run: every kind of series moved.
    let sum = |name: &str, label: (&str, &str)| -> f64 {
        samples
            .iter()
            .filter(|s| s.name == name && s.labels.get(label.0).is_some_and(|v| v == label.1))
            .map(|s| s.value)
            .sum()
    };
    assert!(
        sum("strategy_host_orders_total", ("outcome", "filled")) > 0.0,
        "no fill counted"
    );
    assert!(
        sum("strategy_host_risk_rejections_total", ("check", "max_open_orders")) > 0.0,
        "no refusal counted"
    );
    assert!(
        sum("strategy_host_strategy_traps_total", ("strategy", "faulty")) > 0.0,
        "no trap counted"
    );
    assert!(
        samples
            .iter()
            .any(|s| s.name == "strategy_host_position" && s.value != 0.0),
        "no position exported"
    );
}

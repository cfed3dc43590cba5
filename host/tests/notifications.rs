//! Webhook notifications from the real binary on a fast paper replay, to a local HTTP
//! receiver: fills and a quarantine delivered in each format's body, a notification answered
//! 500 retried and delivered, and a receiver that never answers filling a queue of one, the
//! rest dropped and counted while the host trades on. A webhook whose URL variable is unset
//! stops the start, naming the key, before anything trades.

use std::path::Path;
use std::time::Duration;

use rust_decimal::Decimal;

use crate::support::{
    self, metric_value, run_bin, stderr, wait_until, write_file, Answer, RunningHost, WebhookReceiver,
};

/// Generous: a busy machine compiles and replays slowly, and nothing here asserts on time.
const PATIENCE: Duration = Duration::from_secs(120);

/// A strategies folder with `strategies` (file name, component) and a config of `toml`.
fn folder(dir: &Path, strategies: &[(&str, &str)], toml: &str) -> std::path::PathBuf {
    let folder = dir.join("strategies");
    std::fs::create_dir(&folder).unwrap();
    for (file, component) in strategies {
        std::fs::copy(support::wasm(component), folder.join(format!("{file}.wasm"))).unwrap();
    }
    write_file(
        dir,
        "host.toml",
        &format!("[sandbox]\ncall_deadline_ms = 2000\n\n{toml}"),
    )
}

fn notifications(host: &RunningHost, webhook: &str, outcome: &str) -> f64 {
    metric_value(
        &host.metrics(),
        "strategy_host_notifications_total",
        &[("webhook", webhook), ("outcome", outcome)],
    )
    .unwrap_or_else(|| panic!("no strategy_host_notifications_total for {webhook} {outcome}"))
}

/// A decimal's text as the notification texts write it: exact, without trailing zeros.
fn trimmed(value: &serde_json::Value) -> String {
    value
        .as_str()
        .unwrap()
        .parse::<Decimal>()
        .unwrap()
        .normalize()
        .to_string()
}

#[test]
fn notifications_of_fills_and_a_quarantine_reach_the_receiver_in_each_format() {
    let receiver = WebhookReceiver::start(Answer::Ok);
    let dir = tempfile::tempdir().unwrap();
    let config = folder(
        dir.path(),
        &[("grid", "grid"), ("hostile", "hostile")],
        "[strategies.hostile]\nparams = { mode = \"panic-every\", every = 1 }\n\n\
         [[notifications.webhooks]]\nname = \"own\"\nurl_env = \"OWN_URL\"\n\n\
         [[notifications.webhooks]]\nname = \"slack\"\nurl_env = \"SLACK_URL\"\nformat = \"slack\"\n\
         events = [\"fill\"]\ntemplates = { fill = \"{strategy} {side} {qty} {symbol} @ {price} ({event})\" }\n\n\
         [[notifications.webhooks]]\nname = \"discord\"\nurl_env = \"DISCORD_URL\"\nformat = \"discord\"\n\
         events = [\"quarantine\"]\n\n\
         [[notifications.webhooks]]\nname = \"telegram\"\nurl_env = \"TELEGRAM_URL\"\nformat = \"telegram\"\n\
         chat_id = \"-1001234567890\"\nevents = [\"fill\", \"risk\"]\n",
    );
    let url = |path: &str| format!("{}/{path}", receiver.base_url);
    let (own, slack, discord, telegram) = (url("own"), url("slack"), url("discord"), url("telegram"));
    // 50 bars a second: the sample lasts 25 s, longer than hostile takes to be quarantined.
    let host = RunningHost::start_with_env(
        dir.path(),
        &config,
        50,
        "warn",
        &[],
        &[
            ("OWN_URL", &own),
            ("SLACK_URL", &slack),
            ("DISCORD_URL", &discord),
            ("TELEGRAM_URL", &telegram),
        ],
    );

    let quarantine = wait_until("a quarantine on Discord", PATIENCE, || {
        receiver.bodies("discord").into_iter().next()
    });
    assert_eq!(
        quarantine,
        serde_json::json!({"content": "hostile quarantined after 5 consecutive failures"})
    );
    let fills = wait_until("grid's fills on every fill webhook", PATIENCE, || {
        let own: Vec<serde_json::Value> = receiver
            .bodies("own")
            .into_iter()
            .filter(|b| b["event"] == "fill" && b["data"]["strategy"] == "grid")
            .collect();
        let ready = own.len() >= 2 && receiver.bodies("slack").len() >= 2 && receiver.bodies("telegram").len() >= 2;
        ready.then_some(own)
    });

    // The host's own body: the topic, the text, and the event's line of GET /events.
    let first = &fills[0];
    assert_eq!(first["type"], "order", "{first}");
    assert!(first["seq"].as_u64().is_some(), "{first}");
    let fill = &first["data"]["fill"];
    let (side, qty, symbol, price) = (
        fill["side"].as_str().unwrap(),
        trimmed(&fill["qty"]),
        fill["symbol"].as_str().unwrap(),
        trimmed(&fill["price"]),
    );
    assert_eq!(
        first["text"],
        format!(
            "grid: {side} {qty} {symbol} at {price} (fee {}, order {}, {})",
            trimmed(&fill["fee"]),
            fill["order_id"].as_str().unwrap(),
            first["data"]["status"].as_str().unwrap()
        ),
        "the default text: {first}"
    );
    // The same fill, first on each webhook (grid's fills come in the stream's order, and
    // hostile's are its own: it may trade before its traps).
    let first_of_grid = |bodies: Vec<serde_json::Value>, field: &str| -> serde_json::Value {
        bodies
            .into_iter()
            .find(|b| b[field].as_str().is_some_and(|t| t.starts_with("grid")))
            .unwrap_or_else(|| panic!("no grid fill in {field}"))
    };
    assert_eq!(
        first_of_grid(receiver.bodies("slack"), "text"),
        serde_json::json!({"text": format!("grid {side} {qty} {symbol} @ {price} (fill)")})
    );
    let on_telegram = first_of_grid(receiver.bodies("telegram"), "text");
    assert_eq!(on_telegram["chat_id"], "-1001234567890");
    assert_eq!(on_telegram["text"], first["text"]);
    // Discord was sent quarantines only; the host's own body gets every topic.
    assert_eq!(receiver.bodies("discord").len(), 1);
    assert!(
        receiver.bodies("own").iter().any(|b| b["event"] == "quarantine"
            && b["data"]["strategy"] == "hostile"
            && b["text"] == "hostile quarantined after 5 consecutive failures"),
        "{:?}",
        receiver.bodies("own")
    );

    for webhook in ["own", "slack", "discord", "telegram"] {
        assert!(notifications(&host, webhook, "delivered") >= 1.0, "{webhook}");
        for outcome in ["retried", "failed", "dropped"] {
            assert_eq!(notifications(&host, webhook, outcome), 0.0, "{webhook} {outcome}");
        }
    }
    let metrics = host.metrics();
    assert_eq!(
        metric_value(
            &metrics,
            "strategy_host_event_subscribers",
            &[("subscriber", "webhooks")]
        ),
        Some(1.0)
    );
    // No log line holds a URL.
    let log = host.log().join("\n");
    assert!(!log.contains(&receiver.base_url), "{log}");
}

#[test]
fn a_notification_answered_500_is_retried_and_then_delivered() {
    let receiver = WebhookReceiver::start(Answer::FailFirst(1));
    let dir = tempfile::tempdir().unwrap();
    let config = folder(
        dir.path(),
        &[("grid", "grid")],
        "[[notifications.webhooks]]\nname = \"ops\"\nurl_env = \"OPS_URL\"\nformat = \"slack\"\n\
         events = [\"fill\"]\nbackoff_initial_ms = 10\nbackoff_max_ms = 50\n",
    );
    let url = format!("{}/ops", receiver.base_url);
    let host = RunningHost::start_with_env(
        dir.path(),
        &config,
        200,
        "warn,strategy_host::notifications=info",
        &[],
        &[("OPS_URL", &url)],
    );

    wait_until("three fills delivered", PATIENCE, || {
        (notifications(&host, "ops", "delivered") >= 3.0).then_some(())
    });
    // Only the first request was answered 500: one retry, of the same body.
    assert_eq!(notifications(&host, "ops", "retried"), 1.0);
    assert_eq!(notifications(&host, "ops", "failed"), 0.0);
    let bodies = receiver.bodies("ops");
    assert_eq!(bodies[0], bodies[1], "the retry sends the same notification");
    assert_ne!(bodies[1], bodies[2]);
    let log = host.log().join("\n");
    assert!(log.contains("HTTP 500"), "the retry is logged with its reason: {log}");
    assert!(!log.contains(&url), "{log}");
}

#[test]
fn a_receiver_that_never_answers_fills_its_queue_the_rest_is_dropped_counted_and_trading_goes_on() {
    let receiver = WebhookReceiver::start(Answer::Hang);
    let dir = tempfile::tempdir().unwrap();
    let config = folder(
        dir.path(),
        &[("grid", "grid")],
        "[[notifications.webhooks]]\nname = \"stuck\"\nurl_env = \"STUCK_URL\"\n\
         queue_capacity = 1\ntimeout_ms = 600000\n",
    );
    let url = format!("{}/stuck", receiver.base_url);
    let host = RunningHost::start_with_env(dir.path(), &config, 200, "warn", &[], &[("STUCK_URL", &url)]);

    wait_until("notifications dropped", PATIENCE, || {
        (notifications(&host, "stuck", "dropped") >= 5.0).then_some(())
    });
    let events = |host: &RunningHost| {
        metric_value(
            &host.metrics(),
            "strategy_host_strategy_events_total",
            &[("strategy", "grid")],
        )
        .unwrap_or_default()
    };
    let before = events(&host);
    // The replay goes to its end and the strategy handles bar after bar, while the one
    // notification being sent waits on a receiver that never answers.
    let status = host.wait_for_replay(PATIENCE);
    assert!(status["feed"]["finished"] == true);
    assert!(events(&host) > before, "the strategy stopped handling events");
    let dropped = notifications(&host, "stuck", "dropped");
    assert!(dropped >= 5.0);
    assert_eq!(receiver.requests(), 1, "one notification at a time");
    assert_eq!(notifications(&host, "stuck", "delivered"), 0.0);
    let metrics = host.metrics();
    let depth = metric_value(
        &metrics,
        "strategy_host_notification_queue_depth",
        &[("webhook", "stuck")],
    );
    assert!(
        depth.is_some_and(|d| (0.0..=1.0).contains(&d)),
        "never more than its capacity waits: {depth:?}"
    );
    assert_eq!(
        metric_value(
            &metrics,
            "strategy_host_events_skipped_total",
            &[("subscriber", "webhooks")]
        ),
        Some(0.0),
        "the subscriber itself kept up"
    );
    // A warning when drops start, not one per drop. Only two notifications ever got in (the
    // one being sent and the one queued behind it), so there were at most two spells of drops:
    // before the task took the first from the queue, and after the second filled it.
    let log = host.log().join("\n");
    let warnings = log
        .matches("notifications are dropped while its queue of 1 is full")
        .count();
    assert!(
        (1..=2).contains(&warnings),
        "{warnings} warnings for {dropped} drops: {log}"
    );
}

#[test]
fn a_webhook_whose_url_variable_is_unset_or_not_a_url_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = folder(
        dir.path(),
        &[("grid", "grid")],
        "[[notifications.webhooks]]\nname = \"ops\"\nurl_env = \"STRATEGY_HOST_TEST_UNSET_URL\"\n\
         [[notifications.webhooks]]\nname = \"chat\"\nurl_env = \"STRATEGY_HOST_TEST_BAD_URL\"\n",
    );
    let output = support::bin()
        .args(["run", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--strategies-dir")
        .arg(dir.path().join("strategies"))
        .arg("--db")
        .arg(dir.path().join("book.db"))
        .env_remove("STRATEGY_HOST_TEST_UNSET_URL")
        .env("STRATEGY_HOST_TEST_BAD_URL", "ftp://example.com/secret-token")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr(&output);
    for expected in [
        "notifications.webhooks.ops.url_env: the environment variable STRATEGY_HOST_TEST_UNSET_URL is not set",
        "notifications.webhooks.chat.url_env: the environment variable STRATEGY_HOST_TEST_BAD_URL does not hold an http:// or https:// URL",
    ] {
        assert!(err.contains(expected), "{expected} missing from: {err}");
    }
    assert!(!err.contains("secret-token"), "{err}");
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("listening"),
        "it stopped before serving"
    );
    assert!(
        !dir.path().join("book.db").exists(),
        "nothing was opened, let alone traded"
    );

    let refused = run_bin(&[
        "run",
        "--config",
        write_file(
            dir.path(),
            "bad.toml",
            "[[notifications.webhooks]]\nname = \"x\"\nurl_env = \"X\"\nformat = \"teams\"\n",
        )
        .to_str()
        .unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("notifications.webhooks.x.format = \"teams\""),
        "{}",
        stderr(&refused)
    );
}

//! The notifier in process, against a local HTTP receiver: delivered in order, retried after a
//! 500, refused by a 404 without a retry, dropped (counted) when its queue is full and when a
//! stopping host cannot wait for it; and URLs read from the environment without repeating them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

use super::notice::tests::fill_event;
use super::*;
use crate::config::RawConfig;
use crate::events::HostEvent;

/// How a receiver answers the requests it gets, the first being number 0.
#[derive(Clone, Copy)]
enum Answer {
    Ok,
    /// 500 to the first `n`, then 200.
    FailFirst(usize),
    Status(u16),
    /// Never.
    Hang,
}

#[derive(Clone)]
struct Receiver {
    answer: Answer,
    requests: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<String>>>,
}

async fn receive(State(receiver): State<Receiver>, body: String) -> StatusCode {
    let n = receiver.requests.fetch_add(1, Ordering::SeqCst);
    receiver.bodies.lock().unwrap().push(body);
    match receiver.answer {
        Answer::Ok => StatusCode::OK,
        Answer::FailFirst(failures) if n < failures => StatusCode::INTERNAL_SERVER_ERROR,
        Answer::FailFirst(_) => StatusCode::NO_CONTENT,
        Answer::Status(code) => StatusCode::from_u16(code).unwrap(),
        Answer::Hang => std::future::pending().await,
    }
}

/// A receiver on 127.0.0.1 and a notifier of one webhook `ops` posting to it.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    receiver: Receiver,
    bus: EventBus,
    metrics: Arc<Metrics>,
    notifier: Option<Notifier>,
}

impl Fixture {
    fn start(answer: Answer, webhook_toml: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let receiver = Receiver {
            answer,
            requests: Arc::default(),
            bodies: Arc::default(),
        };
        let app = Router::new().route("/hook", post(receive)).with_state(receiver.clone());
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        let config = RawConfig::from_toml(&format!(
            "[notifications]\nshutdown_flush_ms = 300\n[[notifications.webhooks]]\nname = \"ops\"\n\
             url_env = \"OPS_URL\"\nbackoff_initial_ms = 1\nbackoff_max_ms = 5\n{webhook_toml}\n"
        ))
        .unwrap()
        .resolve("test")
        .unwrap();
        let webhooks = Webhooks::resolve(&config.notifications, |name| {
            (name == "OPS_URL").then(|| url.clone().into())
        })
        .unwrap();
        let bus = EventBus::new(1_024);
        let metrics = Metrics::new();
        let notifier = Notifier::start(webhooks, &bus, &metrics, runtime.handle()).unwrap();
        Self {
            runtime,
            receiver,
            bus,
            metrics,
            notifier,
        }
    }

    fn publish_fills(&self, n: usize) {
        for _ in 0..n {
            self.bus.publish(fill_event());
        }
    }

    fn count(&self, outcome: &str) -> u64 {
        let line = format!("strategy_host_notifications_total{{outcome=\"{outcome}\",webhook=\"ops\"}} ");
        self.metrics
            .encode()
            .lines()
            .find_map(|l| l.strip_prefix(&line)?.parse().ok())
            .unwrap_or_else(|| panic!("no {line}"))
    }

    fn wait_for(&self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn finish(&mut self) {
        self.notifier.take().unwrap().finish(self.runtime.handle());
    }
}

#[test]
fn notices_are_delivered_in_order_in_the_webhook_s_format() {
    let mut fixture = Fixture::start(Answer::Ok, "format = \"slack\"\nevents = [\"fill\"]\n");
    fixture.publish_fills(3);
    // Not a topic of the webhook: no request.
    fixture.bus.publish(HostEvent::Strategy(crate::events::StrategyEvent {
        strategy: trading::orders::StrategyId::new("grid"),
        lifecycle: crate::events::Lifecycle::Quarantined { failures: 5 },
    }));
    fixture.finish();
    assert_eq!(fixture.count("delivered"), 3);
    let bodies = fixture.receiver.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3);
    let body: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"text": "grid: buy 0.01 BTC/USD at 98450.5 (fee 0.9845, order grid-1, partially_filled)"})
    );
    for outcome in ["retried", "failed", "dropped"] {
        assert_eq!(fixture.count(outcome), 0, "{outcome}");
    }
}

#[test]
fn a_500_is_retried_and_then_delivered() {
    let mut fixture = Fixture::start(Answer::FailFirst(2), "");
    fixture.publish_fills(1);
    fixture.wait_for("the delivery", |f| f.count("delivered") == 1);
    assert_eq!(fixture.receiver.requests.load(Ordering::SeqCst), 3);
    assert_eq!(fixture.count("retried"), 2);
    fixture.finish();
    let body: serde_json::Value = serde_json::from_str(&fixture.receiver.bodies.lock().unwrap()[2]).unwrap();
    assert_eq!(body["event"], "fill", "the host's own body: {body}");
    assert_eq!(body["type"], "order");
    assert_eq!(body["data"]["strategy"], "grid");
}

#[test]
fn a_404_fails_at_once_and_a_500_fails_when_out_of_attempts() {
    let mut refused = Fixture::start(Answer::Status(404), "");
    refused.publish_fills(2);
    refused.wait_for("both to fail", |f| f.count("failed") == 2);
    assert_eq!(refused.receiver.requests.load(Ordering::SeqCst), 2, "no retry");
    assert_eq!(refused.count("retried"), 0);
    refused.finish();

    let mut failing = Fixture::start(Answer::Status(503), "max_attempts = 3\n");
    failing.publish_fills(1);
    failing.wait_for("the failure", |f| f.count("failed") == 1);
    assert_eq!(failing.receiver.requests.load(Ordering::SeqCst), 3);
    assert_eq!(failing.count("retried"), 2);
    failing.finish();
}

#[test]
fn a_full_queue_drops_counted_without_waiting_and_a_stop_counts_what_is_left() {
    let mut fixture = Fixture::start(Answer::Hang, "queue_capacity = 1\ntimeout_ms = 60000\n");
    let started = Instant::now();
    fixture.publish_fills(1);
    fixture.wait_for("the first request", |f| f.receiver.requests.load(Ordering::SeqCst) == 1);
    fixture.publish_fills(19);
    fixture.wait_for("the subscriber to read every event", |f| {
        f.notifier
            .as_ref()
            .unwrap()
            .progress
            .wait_for(f.bus.published(), Duration::ZERO)
    });
    // One being sent, one queued: the other 18 dropped as they came.
    assert_eq!(fixture.count("dropped"), 18);
    let depth = fixture.metrics.encode();
    assert!(
        depth.contains("strategy_host_notification_queue_depth{webhook=\"ops\"} 1\n"),
        "{depth}"
    );
    fixture.finish();
    assert_eq!(fixture.count("dropped"), 20, "the two left when it stopped");
    assert_eq!(fixture.count("delivered"), 0);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the stop waited for a receiver that never answers"
    );
}

#[test]
fn urls_come_from_the_environment_and_errors_never_repeat_them() {
    let config = RawConfig::from_toml(
        "[[notifications.webhooks]]\nname = \"a\"\nurl_env = \"A\"\n\
         [[notifications.webhooks]]\nname = \"b\"\nurl_env = \"B\"\n\
         [[notifications.webhooks]]\nname = \"c\"\nurl_env = \"C\"\n\
         [[notifications.webhooks]]\nname = \"d\"\nurl_env = \"D\"\n",
    )
    .unwrap()
    .resolve("test")
    .unwrap()
    .notifications;
    let err = Webhooks::resolve(&config, |name| match name {
        "A" => None,
        "B" => Some(" ".into()),
        "C" => Some("ftp://secret.example/hook".into()),
        _ => Some("not a url with secret-token".into()),
    })
    .unwrap_err()
    .to_string();
    for expected in [
        "notifications.webhooks.a.url_env: the environment variable A is not set",
        "notifications.webhooks.b.url_env: the environment variable B is empty",
        "notifications.webhooks.c.url_env: the environment variable C does not hold an http:// or https:// URL",
        "notifications.webhooks.d.url_env: the environment variable D does not hold a URL",
    ] {
        assert!(err.contains(expected), "{expected} missing from {err}");
    }
    assert!(!err.contains("secret"), "{err}");

    let ok = Webhooks::resolve(&config, |_| Some("https://hooks.slack.com/services/T/B/secret".into())).unwrap();
    assert!(!format!("{ok:?}").contains("secret"), "{ok:?}");
    assert!(!ok.is_empty());
}

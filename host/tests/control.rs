//! The control API against the real binary: off without a token (and saying so), refused
//! without the right one, and with it a halt that cancels the strategy's working orders and
//! refuses new ones, a resume, each action on the event stream with the token's id (never the
//! token) and counted.

use std::time::Duration;

use crate::events::EventsClient;
use crate::support::{self, http_get, http_post, metric_value, wait_until, write_file, RunningHost};

const TOKEN: &str = "op-token-7f3a9c";

fn grid_host(dir: &std::path::Path, env: &[(&str, &str)]) -> RunningHost {
    let strategies = dir.join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("grid"), strategies.join("grid.wasm")).unwrap();
    // One buy at a tenth of the first close, which the daily sample never comes down to: the
    // grid always has exactly that order working. With fills, a control action landing between
    // a bar that filled every order and the grid's re-arms (control letters go ahead of order
    // updates) would rightly find nothing to cancel.
    let config = write_file(
        dir,
        "host.toml",
        "[sandbox]\ncall_deadline_ms = 2000\n\n[strategies.grid]\n\
         params = { levels = 1, spacing_pct = \"90\", size = \"0.01\" }\n",
    );
    // 20 bars a second: the sample lasts a minute, time to act while the grid runs.
    RunningHost::start_with_env(dir, &config, 20, "info", &[], env)
}

fn status_of(host: &RunningHost, key: &str) -> serde_json::Value {
    host.status().expect("/status answers")[key].clone()
}

fn grid_open_orders(host: &RunningHost) -> u64 {
    status_of(host, "books")
        .as_array()
        .and_then(|books| books.iter().find(|b| b["strategy"] == "grid"))
        .and_then(|b| b["open_orders"].as_u64())
        .unwrap_or(0)
}

#[test]
fn without_a_token_control_is_off_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let host = grid_host(dir.path(), &[]);
    host.wait_ready(Duration::from_secs(60));
    let (status, body) = http_post(
        &host.addr,
        "/control/halt",
        &[&format!("Authorization: Bearer {TOKEN}")],
    )
    .unwrap();
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("control is off: set STRATEGY_HOST_CONTROL_TOKEN"),
        "{body}"
    );
    assert_eq!(status_of(&host, "risk")["trading_state"], "active");
    assert_eq!(http_get(&host.addr, "/status").unwrap().0, 200, "reading stays open");
}

#[test]
fn with_the_token_an_operator_halts_and_resumes_and_the_stream_says_who() {
    let dir = tempfile::tempdir().unwrap();
    let host = grid_host(dir.path(), &[("STRATEGY_HOST_CONTROL_TOKEN", TOKEN)]);
    host.wait_ready(Duration::from_secs(60));
    let mut stream = EventsClient::connect(&host.addr, "?types=control");
    wait_until("the grid's working orders", Duration::from_secs(30), || {
        (grid_open_orders(&host) > 0).then_some(())
    });

    // No token, another token: refused, nothing changes.
    let bearer = format!("Authorization: Bearer {TOKEN}");
    for headers in [vec![], vec!["Authorization: Bearer op-token-7f3a9d"]] {
        let (status, body) = http_post(&host.addr, "/control/halt", &headers).unwrap();
        assert_eq!(status, 401, "{body}");
    }
    assert_eq!(status_of(&host, "risk")["trading_state"], "active");
    let (status, body) = http_post(&host.addr, "/control/strategies/nobody/cancel-orders", &[&bearer]).unwrap();
    assert_eq!(
        (status, body.contains("no strategy named nobody")),
        (404, true),
        "{body}"
    );

    // The right token halts: the grid's orders are cancelled and new ones refused.
    let (status, body) = http_post(&host.addr, "/control/halt", &[&bearer]).unwrap();
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["trading_state"], "halted");
    assert_eq!(answer["affected"], 1, "its one working order: {answer}");
    assert_eq!(status_of(&host, "risk")["trading_state"], "halted");
    wait_until("the grid's orders cancelled", Duration::from_secs(30), || {
        (grid_open_orders(&host) == 0).then_some(())
    });

    // Resume: trading again.
    let (status, body) = http_post(&host.addr, "/control/resume", &[&bearer]).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(status_of(&host, "risk")["trading_state"], "active");

    // Each action on the stream, by the token's id; the token itself nowhere.
    let events = stream.read_until("both actions", Duration::from_secs(10), |events| events.len() >= 2);
    let actions: Vec<&str> = events.iter().map(|e| e["data"]["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["halt", "resume"]);
    let token_id = events[0]["data"]["token_id"].as_str().unwrap().to_owned();
    assert_eq!(token_id.len(), 12);
    assert!(events.iter().all(|e| e["data"]["token_id"] == token_id.as_str()));
    let metrics = host.metrics();
    for action in ["halt", "resume"] {
        assert_eq!(
            metric_value(&metrics, "strategy_host_control_actions_total", &[("action", action)]),
            Some(1.0),
            "{action}"
        );
    }
    assert!(!metrics.contains(TOKEN));
    let log = host.log().join("\n");
    assert!(
        log.contains(&format!("token_id=\"{token_id}\"")) || log.contains(&format!("token_id={token_id}")),
        "the action is logged with its token id"
    );
    assert!(!log.contains(TOKEN), "the token is never logged");
}

fn grid_trading_state(host: &RunningHost) -> Option<String> {
    status_of(host, "books")
        .as_array()?
        .iter()
        .find(|b| b["strategy"] == "grid")?["trading_state"]
        .as_str()
        .map(str::to_owned)
}

fn grid_running(host: &RunningHost) -> bool {
    status_of(host, "strategies")
        .as_array()
        .is_some_and(|s| s.iter().any(|s| s["strategy"] == "grid" && s["state"] == "running"))
}

#[test]
fn an_operator_reduces_halts_resumes_stops_and_starts_one_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let host = grid_host(dir.path(), &[("STRATEGY_HOST_CONTROL_TOKEN", TOKEN)]);
    host.wait_ready(Duration::from_secs(60));
    let mut stream = EventsClient::connect(&host.addr, "?types=control,strategy&strategy=grid");
    wait_until("the grid's working orders", Duration::from_secs(30), || {
        (grid_open_orders(&host) > 0).then_some(())
    });
    let bearer = format!("Authorization: Bearer {TOKEN}");
    let post = |path: &str| {
        let (status, body) = http_post(&host.addr, path, &[&bearer]).unwrap();
        (
            status,
            serde_json::from_str::<serde_json::Value>(&body).unwrap_or(serde_json::Value::String(body)),
        )
    };

    // Stopped: per its on_delete (cancel-orders), its file staying in the folder.
    let (status, answer) = post("/control/strategies/grid/stop");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["affected"], 1, "its one working order was cancelled: {answer}");
    wait_until(
        "the grid gone from /status and its orders",
        Duration::from_secs(30),
        || (!grid_running(&host) && grid_open_orders(&host) == 0).then_some(()),
    );
    assert!(dir.path().join("strategies/grid.wasm").is_file());
    assert!(host
        .log()
        .iter()
        .any(|l| l.contains("strategy stopped: an operator stopped it")));

    let (status, answer) = post("/control/strategies/grid/start");
    assert_eq!(status, 200, "{answer}");
    wait_until("the grid running again", Duration::from_secs(30), || {
        grid_running(&host).then_some(())
    });
    let (status, answer) = post("/control/strategies/nobody/start");
    assert_eq!(status, 404, "{answer}");
    assert!(
        answer["error"].as_str().is_some_and(|e| e.contains("no nobody.wasm")),
        "{answer}"
    );

    // Then its trading state, alone: the host's stays active.
    let (status, answer) = post("/control/strategies/grid/reduce");
    assert_eq!(
        (status, answer["trading_state"].as_str()),
        (200, Some("reducing")),
        "{answer}"
    );
    assert_eq!(grid_trading_state(&host).as_deref(), Some("reducing"));
    assert_eq!(
        status_of(&host, "risk")["trading_state"],
        "active",
        "the host trades on"
    );

    let (status, answer) = post("/control/strategies/grid/halt");
    assert_eq!(
        (status, answer["trading_state"].as_str()),
        (200, Some("halted")),
        "{answer}"
    );
    assert_eq!(grid_trading_state(&host).as_deref(), Some("halted"));

    let (status, answer) = post("/control/strategies/grid/resume");
    assert_eq!(
        (status, answer["trading_state"].as_str()),
        (200, Some("active")),
        "{answer}"
    );

    // On the stream, in order: the retirement and the new start, each action.
    let events = stream.read_until("every action", Duration::from_secs(10), |events| {
        events.iter().any(|e| e["data"]["action"] == "resume")
    });
    let what: Vec<String> = events
        .iter()
        .map(|e| match e["type"].as_str() {
            Some("control") => format!("control:{}", e["data"]["action"].as_str().unwrap()),
            _ => format!("strategy:{}", e["data"]["lifecycle"].as_str().unwrap()),
        })
        .collect();
    assert_eq!(
        what,
        [
            "strategy:retired",
            "control:stop",
            "strategy:loaded",
            "control:start",
            "control:reduce",
            "control:halt",
            "control:resume",
        ]
    );
    let metrics = host.metrics();
    for action in ["reduce", "halt", "resume", "stop", "start"] {
        assert_eq!(
            metric_value(&metrics, "strategy_host_control_actions_total", &[("action", action)]),
            Some(1.0),
            "{action}"
        );
    }
}

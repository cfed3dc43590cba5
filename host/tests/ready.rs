//! `GET /ready` of the real binary: 503, naming what it waits for, while the strategies in the
//! folder compile (with no component cache, that takes a while); 200 once every file is either
//! running or listed as a load failure. `/health` answers all along.

use std::time::Duration;

use crate::support::{self, http_get, write_file, RunningHost};

#[test]
fn ready_waits_for_the_strategies_in_the_folder_while_health_answers() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    for (file, crate_name) in [
        ("sma-cross", "sma_cross"),
        ("grid", "grid"),
        ("hostile", "hostile"),
        ("counter", "counter"),
    ] {
        std::fs::copy(support::wasm(crate_name), strategies.join(format!("{file}.wasm"))).unwrap();
    }
    std::fs::write(strategies.join("garbage.wasm"), b"not a component").unwrap();
    // No cache: each start compiles all four components, so loading is slow enough to watch.
    let config = write_file(
        dir.path(),
        "host.toml",
        "[sandbox]\ncache_dir = \"\"\n[strategies.hostile]\nparams = { mode = \"well-behaved\" }\n",
    );
    let host = RunningHost::start(dir.path(), &config, 5, "warn", &[]);

    let (code, body) = http_get(&host.addr, "/ready").expect("/ready answers at once");
    assert_eq!(code, 503, "ready before the strategies were loaded: {body}");
    let waiting: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(waiting["ready"], false);
    assert_eq!(waiting["waiting_for"][0]["condition"], "strategies", "{waiting:#}");
    let reason = waiting["waiting_for"][0]["reason"].as_str().unwrap();
    assert!(reason.contains(&strategies.display().to_string()), "{reason}");
    let (code, _) = http_get(&host.addr, "/health").expect("/health answers while loading");
    assert_eq!(code, 200);

    let ready = host.wait_ready(Duration::from_secs(120));
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["waiting_for"].as_array().map(Vec::len), Some(0));
    // Ready means loaded: every file is running or refused with its reason.
    let status = host.status().expect("/status");
    assert_eq!(status["strategies"].as_array().unwrap().len(), 4, "{status:#}");
    assert_eq!(status["load_failures"].as_array().unwrap().len(), 1, "{status:#}");
}

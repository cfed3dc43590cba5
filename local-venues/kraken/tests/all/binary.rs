//! The `local-kraken` binary: it prints what a person pastes, and serves bars.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::*;
use serde_json::json;

/// Kills the child when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_block_and_plays_bars() {
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/Intraday.csv");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_local-kraken"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--bars",
                csv,
                "--bars-per-second",
                "20",
                "--api-secret",
                "c2VjcmV0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let done = line.starts_with("export KRAKEN_API_SECRET");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    })
    .await
    .unwrap();
    let text = lines.join("\n");
    assert!(text.contains("[venues.kraken]"), "{text}");
    for key in [
        "rest_url",
        "ws_public_url",
        "ws_private_url",
        "api_key_env",
        "api_secret_env",
    ] {
        assert!(text.contains(&format!("{key} = ")), "{key} missing: {text}");
    }
    assert!(text.contains("export KRAKEN_API_SECRET='c2VjcmV0'"), "{text}");
    let url = lines
        .iter()
        .find_map(|l| l.strip_prefix("ws_public_url = "))
        .unwrap()
        .trim_matches('"')
        .to_string();
    let mut ws = Ws::connect(&url).await;
    ws.send(json!({"method": "subscribe", "params": {"channel": "ohlc", "symbol": ["BTC/USD"], "interval": 1}, "req_id": 1}))
        .await;
    assert_eq!(ws.reply("subscribe", 1).await["success"], true);
    let candle = ws.until(|v| v["channel"] == "ohlc" && v["type"] == "update").await;
    assert!(
        candle["data"][0]["interval_begin"]
            .as_str()
            .unwrap()
            .starts_with("2020-12-15T09:"),
        "{candle}"
    );
}

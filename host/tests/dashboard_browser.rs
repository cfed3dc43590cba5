//! The dashboard page in a real browser: Debian's chromium, headless, driven through
//! chromium-driver (WebDriver) by fantoccini, against the real binary on a fast replay. A
//! strategy row appears, a decision arrives live, a fill is marked on the chart, halting the
//! strategy from the page with the token changes its state in `/status`, and the page
//! reconnects by itself after the host restarts on the same port. Screenshots land in the
//! target folder (`tmp/dashboard/`), printed by path.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use crate::support::{self, deploy::require, wait_until, write_file, RunningHost};

const TOKEN: &str = "page-token-51c2";
const PATIENCE: Duration = Duration::from_secs(60);

/// chromium-driver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let program = require("chromedriver", "chromium-driver");
        require("chromium", "chromium");
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr = format!("127.0.0.1:{port}");
        wait_until("chromedriver to listen", Duration::from_secs(30), || {
            std::net::TcpStream::connect(&addr).ok()
        });
        Self {
            child,
            url: format!("http://{addr}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("a screenshot");
    let path = artifacts().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
}

/// Polls `script`'s value until `done` holds for it.
async fn wait_for_script(client: &Client, what: &str, script: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let value = client.execute(script, vec![]).await.unwrap_or(Value::Null);
        if done(&value) {
            return value;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "waited {PATIENCE:?} for {what}; last: {value}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the element `css` names, finding it again when the page redrew it between the find
/// and the click (the strategies' table is redrawn every second).
async fn click(client: &Client, css: &str) {
    let start = Instant::now();
    loop {
        let clicked = match client.find(Locator::Css(css)).await {
            Ok(element) => element.click().await.is_ok(),
            Err(_) => false,
        };
        if clicked {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "could not click {css} within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn grid_trading_state(host: &RunningHost) -> Option<String> {
    host.status()?["books"]
        .as_array()?
        .iter()
        .find(|b| b["strategy"] == "grid")?["trading_state"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn the_page_shows_the_host_live_controls_it_and_reconnects_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("grid"), strategies.join("grid.wasm")).unwrap();
    let config = write_file(dir.path(), "host.toml", "[sandbox]\ncall_deadline_ms = 2000\n");
    let env = [("STRATEGY_HOST_CONTROL_TOKEN", TOKEN)];
    let host = RunningHost::start_listening(dir.path(), &config, 20, "127.0.0.1:0", &[], &env);
    host.wait_ready(PATIENCE);
    let driver = Driver::start();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"],
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a browser session");
        client.goto(&format!("http://{}/", host.addr)).await.unwrap();

        // A strategy row appears.
        client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(r#"#strategies tr[data-strategy="grid"]"#))
            .await
            .expect("the grid's row");

        // A decision arrives live: one from a later bar than the newest the page showed first.
        // (Counting the feed's rows would not do: it keeps the latest hundred, and a page
        // opened late in the replay starts full.)
        let rows = "return document.querySelectorAll('#decisions li[data-strategy=\"grid\"]').length";
        wait_for_script(&client, "a decision", rows, |v| v.as_u64() > Some(0)).await;
        let newest = "return (window.dashboard.state.decisions.find((d) => d.strategy === 'grid') || {}).time_ms";
        let first = wait_for_script(&client, "the newest decision's time", newest, Value::is_u64).await;
        wait_for_script(&client, "a decision of a later bar", newest, |v| v.as_u64() > first.as_u64()).await;
        // Read in one script: the feed redraws as decisions come, so an element found by one
        // call may be gone by the next.
        let reasoning = client
            .execute("return document.querySelector('#decisions li .reasoning').textContent", vec![])
            .await
            .unwrap();
        assert!(reasoning.as_str().is_some_and(|r| !r.is_empty()), "a decision shows its reasoning: {reasoning}");

        // A fill is marked on the price chart.
        let markers = wait_for_script(&client, "a fill marker", "return window.dashboard.chartMarkers()", |v| {
            v.as_array().is_some_and(|m| !m.is_empty())
        })
        .await;
        assert!(
            markers[0]["shape"] == "arrowUp" || markers[0]["shape"] == "arrowDown",
            "{markers}"
        );
        assert!(markers[0]["id"].as_str().is_some_and(|id| !id.is_empty()), "a marker names its order: {markers}");
        // Its open orders are listed, and drawn on the chart as price lines.
        wait_for_script(
            &client,
            "the grid's open orders listed and drawn",
            "return [document.querySelectorAll('#orders tbody tr').length, window.dashboard.orderLines()]",
            |v| v[0].as_u64() > Some(0) && v[1].as_u64() > Some(0),
        )
        .await;
        screenshot(&client, "trading").await;

        // Halting the strategy from the page, with the token, halts it on the host.
        client.find(Locator::Id("token")).await.unwrap().send_keys(TOKEN).await.unwrap();
        client
            .find(Locator::Css("#token-form button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        click(&client, r#"#strategies tr[data-strategy="grid"] button[data-action="halt"]"#).await;
        wait_until("the grid halted in /status", PATIENCE, || {
            (grid_trading_state(&host).as_deref() == Some("halted")).then_some(())
        });
        wait_for_script(
            &client,
            "the page to show the grid halted",
            "return document.querySelector('#strategies tr[data-strategy=\"grid\"] .trading-state').textContent",
            |v| v == "halted",
        )
        .await;
        screenshot(&client, "halted").await;

        // The host restarts on the same port: the page goes down, then comes back by itself.
        let addr = host.addr.clone();
        drop(host);
        wait_for_script(&client, "the page to see the host gone", "return document.body.dataset.connected", |v| {
            v == "false"
        })
        .await;
        let restarted = RunningHost::start_listening(dir.path(), &config, 20, &addr, &[], &env);
        restarted.wait_ready(PATIENCE);
        wait_for_script(&client, "the page to reconnect", "return document.body.dataset.connected", |v| {
            v == "true"
        })
        .await;
        client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(r#"#strategies tr[data-strategy="grid"]"#))
            .await
            .expect("the grid's row after the restart");
        screenshot(&client, "reconnected").await;
        client.close().await.unwrap();
    });
}

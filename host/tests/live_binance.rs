//! `strategy-host run --venue binance`, end to end: the real binary on the local Binance
//! (`local-venues/binance`, real sockets on 127.0.0.1) with real components, in paper mode on
//! its market streams, with live orders over its WebSocket API, and beside Kraken in one host.

use std::path::PathBuf;
use std::time::Duration;

use local_binance::{LocalBinance, OrderStatus};
use local_kraken::{LocalKraken, LocalKrakenConfig, Side};
use rust_decimal::Decimal;

use crate::support::{
    self, binance_venue, kraken_venue, metric_value, start_binance, terminate, venue_fills, venue_orders, venue_status,
    wait_for_update, wait_orders_open, wait_until, write_file, RunningHost,
};

const KEY_ENV: &str = "LIVE_TEST_BINANCE_KEY";
const SECRET_ENV: &str = "LIVE_TEST_BINANCE_SECRET";
/// Set only for the Ed25519 key: unset, the HMAC key is used.
const PEM_ENV: &str = "LIVE_TEST_BINANCE_PEM";

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn metric(host: &RunningHost, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metric_value(&host.metrics(), name, labels)
}

/// `[venues.binance]` signing with the key the host finds in `KEY_ENV` and `SECRET_ENV` (HMAC)
/// or `PEM_ENV` (Ed25519); `extra` lines join it.
fn keyed_venue(binance: &LocalBinance, extra: &str) -> String {
    binance_venue(
        binance,
        &format!(
            "api_key_env = \"{KEY_ENV}\"\napi_secret_env = \"{SECRET_ENV}\"\nprivate_key_path_env = \"{PEM_ENV}\"\n{extra}"
        ),
    )
}

fn hmac_env(binance: &LocalBinance) -> (String, String) {
    binance.hmac_key().expect("the local Binance has an HMAC key")
}

/// Waits for the log line saying `venue`'s trading rules reached the desk.
fn wait_for_rules(host: &RunningHost, venue: &str) {
    wait_until(&format!("{venue}'s trading rules"), Duration::from_secs(60), || {
        host.log()
            .iter()
            .any(|line| line.contains("trading rules in") && line.contains(&format!("venue={venue}")))
            .then_some(())
    });
}

/// The local Binance's orders, oldest first, once there are `count`.
fn wait_for_venue_orders(binance: &LocalBinance, count: usize) -> Vec<local_binance::Order> {
    wait_until(
        &format!("{count} orders at the local Binance"),
        Duration::from_secs(30),
        || {
            let orders = binance.orders();
            (orders.len() == count).then_some(orders)
        },
    )
}

fn wait_for_venue_status(binance: &LocalBinance, client_id: &str, status: OrderStatus) {
    wait_until(
        &format!("{client_id} {status:?} at the local Binance"),
        Duration::from_secs(30),
        || (binance.order(client_id)?.status == status).then_some(()),
    );
}

/// A folder for a host: `strategies/` holding each (name, component crate) of `strategies`.
fn host_dir(strategies: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("strategies");
    std::fs::create_dir(&folder).unwrap();
    for (name, component) in strategies {
        std::fs::copy(support::wasm(component), folder.join(format!("{name}.wasm"))).unwrap();
    }
    (dir, folder)
}

/// The real binary trading live on `binance` with an HMAC key and the `orders` guest in echo
/// mode, ordering `size` (TOML text) per trade; `venue_extra` lines join `[venues.binance]`.
fn echo_host(binance: &LocalBinance, size: &str, venue_extra: &str) -> (tempfile::TempDir, RunningHost) {
    let (dir, _) = host_dir(&[("orders", "orders")]);
    let config = write_file(
        dir.path(),
        "host.toml",
        &format!(
            r#"
{venue}
[sandbox]
call_deadline_ms = 2000

[strategies.orders]
params = {{ mode = "echo", size = "{size}" }}
"#,
            venue = keyed_venue(binance, venue_extra),
        ),
    );
    let (api_key, secret) = hmac_env(binance);
    let env = [(KEY_ENV, api_key.as_str()), (SECRET_ENV, secret.as_str())];
    let host = RunningHost::start_with_env(dir.path(), &config, 1, "info", &[], &env);
    (dir, host)
}

/// A minute's price: ten minutes up, ten down, so a 2/4 SMA cross buys and sells.
fn price(minute: i64) -> Decimal {
    let step = match minute % 20 {
        n if n < 10 => n,
        n => 20 - n,
    };
    Decimal::new(300_000 + step * 40, 1)
}

#[test]
fn paper_trading_on_the_local_binance_delivers_trades_bars_and_books_and_reports_the_venue() {
    // The exchange clock moves only when told: forty minutes play in moments.
    let binance = start_binance(false);
    let (dir, _) = host_dir(&[("sma", "sma_cross"), ("counter", "counter")]);
    let config = write_file(
        dir.path(),
        "host.toml",
        &format!(
            r#"
execution = "paper"

{venue}
[sandbox]
call_deadline_ms = 2000

[strategies.sma]
params = {{ fast = 2, slow = 4, size = "0.01" }}
"#,
            // The book and best bid/ask change only when the test moves them: no staleness
            // while the test is between steps.
            venue = binance_venue(&binance, "stale_after_ms = 600000"),
        ),
    );
    let host = RunningHost::start(dir.path(), &config, 1, "info", &[]);

    wait_until("both strategies' streams subscribed", Duration::from_secs(60), || {
        let wanted = [
            "btcusdt@kline_1m",
            "btcusdt@trade",
            "btcusdt@bookTicker",
            "btcusdt@depth@100ms",
        ];
        wanted
            .iter()
            .all(|stream| binance.subscribers(stream) == 1)
            .then_some(())
    });
    wait_until("both strategies running", Duration::from_secs(60), || {
        (host.status()?["strategies"].as_array()?.len() == 2).then_some(())
    });

    // Forty minutes of one trade each, and the book's best bid raised halfway through.
    let first = (binance.now_ms() / 60_000 + 1) * 60_000;
    for minute in 0..40 {
        binance.advance_to(first + minute * 60_000 + 1_000).unwrap();
        binance
            .trade("BTCUSDT", price(minute), d("0.5"), minute % 2 == 0)
            .unwrap();
        if minute == 20 {
            binance.set_levels("BTCUSDT", &[(d("29995"), d("3"))], &[]).unwrap();
        }
    }
    binance.advance_to(first + 40 * 60_000).unwrap();

    // sma sees every closed bar once; counter every trade, and the book as it changed.
    wait_until("every closed bar handled", Duration::from_secs(60), || {
        (metric(&host, "strategy_host_strategy_events_total", &[("strategy", "sma")])? == 40.0).then_some(())
    });
    wait_until("every trade handled", Duration::from_secs(60), || {
        let said = support::decisions(&host, Some("counter"));
        (said.len() >= 80 && said.iter().any(|d| d.contains("book bids=29995"))).then_some(())
    });
    // The crosses' orders fill in the simulator on Binance's prints, each as its strategy's
    // answer to a bar arrives (however far behind the burst of minutes it runs).
    wait_until("sma's simulated fills", Duration::from_secs(60), || {
        let filled = metric(
            &host,
            "strategy_host_orders_total",
            &[("strategy", "sma"), ("broker", "binance"), ("outcome", "filled")],
        )?;
        (filled >= 2.0).then_some(())
    });

    let venue = wait_until("the venue's stream ages", Duration::from_secs(10), || {
        let venue = venue_status(&host, "binance")?;
        let streams = venue["streams"].as_array()?;
        streams.iter().all(|s| s["age_ms"].is_number()).then_some(venue)
    });
    assert_eq!(venue["execution"], "paper");
    assert_eq!(venue["connected"], true, "{venue}");
    let stream = |name: &str| {
        venue["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stream"] == name)
            .unwrap_or_else(|| panic!("{name} in /status: {venue}"))
            .clone()
    };
    assert_eq!(stream("BTC/USDT 1m")["holders"], 2, "{venue}");
    assert_eq!(stream("BTC/USDT trades")["stale"], false, "{venue}");
    assert_eq!(
        metric(&host, "strategy_host_broker_connected", &[("broker", "binance")]),
        Some(1.0)
    );
    assert!(metric(
        &host,
        "strategy_host_market_data_age_seconds",
        &[("broker", "binance"), ("stream", "BTC/USDT trades")]
    )
    .is_some_and(|age| age.is_finite()));
    assert!(metric(&host, "strategy_host_venue_messages_total", &[("broker", "binance")]).is_some_and(|n| n > 0.0));
    assert!(binance.orders().is_empty(), "paper orders never reach the venue");
}

#[test]
fn live_orders_on_the_local_binance_reach_the_ledger_with_venue_ids_and_its_rate_limits_are_exported() {
    let binance = start_binance(true);
    // Past BTCUSDT's step (0.00001): risk rounds every order onto it, or Binance would refuse
    // them all (-1013 LOT_SIZE).
    let (dir, mut host) = echo_host(
        &binance,
        "0.0010001",
        "request_timeout_ms = 2000\nstale_after_ms = 600000\nrecv_window_ms = 10000",
    );
    let db = dir.path().join("book.db");

    wait_until("the strategy's trades subscribed", Duration::from_secs(60), || {
        (binance.subscribers("btcusdt@trade") == 1).then_some(())
    });
    wait_orders_open(&host, "binance", "the order connection reconciled");
    assert_eq!(
        binance.user_data_subscribers(),
        1,
        "user data over the order connection"
    );
    assert_eq!(
        binance.session_logons(),
        0,
        "an HMAC key subscribes by signature, without a logon"
    );
    wait_for_rules(&host, "binance");

    // 1. A trade: the echo rests a buy at half its price, rounded onto the step, under the
    //    host's client order id.
    binance.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    let first = wait_for_venue_orders(&binance, 1).remove(0);
    assert_eq!((first.price, first.qty), (d("15000"), d("0.001")));
    assert_eq!(first.status, OrderStatus::New);

    // 2. Another: a second buy rests, the first is cancelled at the venue.
    binance.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    let second = wait_for_venue_orders(&binance, 2).remove(1);
    wait_for_venue_status(&binance, &first.client_order_id, OrderStatus::Canceled);

    // 3. A seller takes the resting buy at its price: filled, with Binance's trade id. The
    //    fill and the rest of the sale print as two trades, so two more buys follow, the first
    //    of them cancelled by the second (the filled one cannot be).
    binance.trade("BTCUSDT", d("15000"), d("0.01"), true).unwrap();
    wait_for_venue_status(&binance, &second.client_order_id, OrderStatus::Filled);
    wait_for_update(&host, "the fill reported to the strategy", |u| {
        u.id == second.client_order_id && u.status == "Filled" && u.filled == d("0.001")
    });
    let last = wait_for_venue_orders(&binance, 4);
    wait_for_venue_status(&binance, &last[2].client_order_id, OrderStatus::Canceled);
    assert_eq!(last[3].status, OrderStatus::New);

    // The book of record agrees with the venue: Binance's order ids, the fill once under its
    // trade id, each order in the state Binance has it in.
    let trades = binance.account_trades();
    assert_eq!(trades.len(), 1, "{trades:?}");
    let fills = wait_until("the fill booked", Duration::from_secs(30), || {
        let fills = venue_fills(&db, "orders");
        (!fills.is_empty()).then_some(fills)
    });
    assert_eq!(fills.len(), 1, "{fills:?}");
    assert_eq!(fills[0].order_id, second.client_order_id);
    assert_eq!(
        fills[0].trade_id.as_deref(),
        Some(format!("BTCUSDT-{}", trades[0].id).as_str())
    );
    assert_eq!((fills[0].qty, fills[0].price), (trades[0].qty, trades[0].price));
    let orders = wait_until("every order settled in the book", Duration::from_secs(30), || {
        let orders = venue_orders(&db, "binance");
        let settled = orders.get(&first.client_order_id)?.state == "cancelled"
            && orders.get(&second.client_order_id)?.state == "filled";
        settled.then_some(orders)
    });
    assert_eq!(orders.len(), 4, "{orders:?}");
    for order in binance.orders() {
        let booked = &orders[&order.client_order_id];
        assert_eq!(booked.venue_order_id, Some(order.order_id.to_string()), "{order:?}");
    }
    assert_eq!(
        metric(
            &host,
            "strategy_host_orders_total",
            &[("strategy", "orders"), ("broker", "binance"), ("outcome", "filled")]
        ),
        Some(1.0)
    );

    // Binance's limits as it counts them: four orders today, against its listed maximum.
    wait_until("the order count exported", Duration::from_secs(30), || {
        let used = metric(
            &host,
            "strategy_host_venue_rate_limit_used",
            &[("broker", "binance"), ("limit", "orders_1d")],
        )?;
        (used == 4.0).then_some(())
    });
    assert_eq!(
        metric(
            &host,
            "strategy_host_venue_rate_limit_max",
            &[("broker", "binance"), ("limit", "orders_10s")]
        ),
        Some(local_binance::DEFAULT_ORDERS_PER_10S as f64)
    );
    assert!(metric(
        &host,
        "strategy_host_venue_rate_limit_used",
        &[("broker", "binance"), ("limit", "request_weight_1m")]
    )
    .is_some_and(|w| w > 0.0));
    let limits = venue_status(&host, "binance").unwrap()["rate_limits"].clone();
    let orders_today = limits
        .as_array()
        .and_then(|all| all.iter().find(|l| l["limit"] == "orders_1d"))
        .unwrap_or_else(|| panic!("orders_1d in /status: {limits}"));
    assert_eq!(orders_today["used"], 4, "{limits}");

    // The host's balances are Binance's (free and locked together) for every asset it heard of.
    let balances = wait_until("the account's balances", Duration::from_secs(30), || {
        let balances = support::venue_balances(&host, "binance")?;
        let venue = binance.balances();
        let agree = balances
            .iter()
            .all(|(asset, held)| venue.get(asset).is_some_and(|b| b.free + b.locked == *held));
        (agree && balances.contains_key("BTC") && balances.contains_key("USDT")).then_some(balances)
    });
    assert!(balances["BTC"] > d("5"), "the fill's BTC is in: {balances:?}");

    // The secret and the key appear in no log line, `/status` or metric.
    let status = host.status().unwrap().to_string();
    let metrics = host.metrics();
    let log = host.log().join("\n");
    let (api_key, secret) = hmac_env(&binance);
    for secret in [api_key.as_str(), secret.as_str()] {
        assert!(!log.contains(secret), "a secret in the log");
        assert!(!status.contains(secret), "a secret in /status");
        assert!(!metrics.contains(secret), "a secret in /metrics");
    }
    let exit = terminate(&mut host, Duration::from_secs(30));
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn kraken_and_binance_side_by_side_each_strategy_trades_on_its_own_venue_and_one_down_stops_only_its_own() {
    let kraken = LocalKraken::start(LocalKrakenConfig::default()).unwrap();
    let binance = start_binance(true);
    let (dir, strategies) = host_dir(&[("on-kraken", "orders"), ("on-binance", "orders")]);
    for (name, venue) in [("on-kraken", "kraken"), ("on-binance", "binance")] {
        write_file(
            &strategies,
            &format!("{name}.toml"),
            &format!("venue = \"{venue}\"\nparams = {{ mode = \"echo\", size = \"0.001\" }}\n"),
        );
    }
    let config = write_file(
        dir.path(),
        "host.toml",
        &format!(
            "{}\n{}\n[sandbox]\ncall_deadline_ms = 2000\n",
            kraken_venue(
                &kraken,
                "api_key_env = \"SIDE_TEST_KRAKEN_KEY\"\napi_secret_env = \"SIDE_TEST_KRAKEN_SECRET\"\nstale_after_ms = 600000"
            ),
            keyed_venue(&binance, "stale_after_ms = 600000"),
        ),
    );
    let db = dir.path().join("book.db");
    let (api_key, secret) = hmac_env(&binance);
    let env = [
        ("SIDE_TEST_KRAKEN_KEY", kraken.api_key()),
        ("SIDE_TEST_KRAKEN_SECRET", kraken.api_secret()),
        (KEY_ENV, api_key.as_str()),
        (SECRET_ENV, secret.as_str()),
    ];
    let host = RunningHost::start_with_env(dir.path(), &config, 1, "info", &[], &env);

    wait_until(
        "each strategy's trades subscribed on its venue",
        Duration::from_secs(60),
        || {
            let kraken_trades = kraken.subscriptions("trade", Some("BTC/USD")) == 1;
            (kraken_trades && binance.subscribers("btcusdt@trade") == 1).then_some(())
        },
    );
    for venue in ["kraken", "binance"] {
        wait_orders_open(&host, venue, &format!("{venue}'s order connection"));
        wait_for_rules(&host, venue);
    }

    // A trade on each venue: each echo answers on its own venue only.
    kraken.trade("BTC/USD", Side::Buy, d("30000"), d("0.01")).unwrap();
    wait_until("an order at Kraken", Duration::from_secs(30), || {
        (kraken.open_orders().len() == 1).then_some(())
    });
    binance.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    wait_for_venue_orders(&binance, 1);
    // The second round: a new order and a cancel of the first, each on its own venue.
    kraken.trade("BTC/USD", Side::Buy, d("30000"), d("0.01")).unwrap();
    binance.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    let at_binance = wait_for_venue_orders(&binance, 2);
    wait_for_venue_status(&binance, &at_binance[0].client_order_id, OrderStatus::Canceled);
    let at_kraken = wait_until("Kraken's first order cancelled", Duration::from_secs(30), || {
        let open = kraken.open_orders();
        (open.len() == 1 && kraken.fills().is_empty()).then_some(open)
    });

    // Each strategy heard only its own venue's market: its orders are on its venue's symbol.
    let owners = |venue: &str| -> Vec<(String, String)> {
        venue_orders(&db, venue)
            .into_values()
            .map(|order| (order.strategy, order.symbol))
            .collect()
    };
    let booked_kraken = venue_orders(&db, "kraken");
    let on = |strategy: &str, symbol: &str| (strategy.to_owned(), symbol.to_owned());
    assert_eq!(
        owners("kraken"),
        [on("on-kraken", "BTC/USD"), on("on-kraken", "BTC/USD")],
        "{booked_kraken:?}"
    );
    assert_eq!(
        owners("binance"),
        [on("on-binance", "BTC/USDT"), on("on-binance", "BTC/USDT")]
    );
    let resting = at_kraken[0].cl_ord_id.as_deref().expect("a client order id");
    assert!(
        booked_kraken.contains_key(resting),
        "{resting} is on-kraken's: {booked_kraken:?}"
    );
    for order in &at_binance {
        let booked = venue_orders(&db, "binance");
        assert_eq!(booked[&order.client_order_id].strategy, "on-binance");
    }

    // Binance's order connection goes down and stays down: Kraken's strategy trades on.
    binance.refuse_api_connections(true);
    binance.drop_api_connections();
    wait_until("Binance's order connection down", Duration::from_secs(30), || {
        (venue_status(&host, "binance")?["orders"]["state"] != "open").then_some(())
    });
    kraken.trade("BTC/USD", Side::Buy, d("30000"), d("0.01")).unwrap();
    wait_until("a third order on Kraken", Duration::from_secs(30), || {
        (owners("kraken").len() == 3).then_some(())
    });
    wait_orders_open(&host, "kraken", "Kraken's order connection still open");
    assert_eq!(binance.orders().len(), 2, "nothing more reached Binance");
}

#[test]
fn live_orders_on_the_local_binance_with_an_ed25519_key_log_on_and_reach_the_venue() {
    let binance = start_binance(true);
    let (dir, _) = host_dir(&[("orders", "orders")]);
    let config = write_file(
        dir.path(),
        "host.toml",
        &format!(
            "{}
[sandbox]
call_deadline_ms = 2000

[strategies.orders]
params = {{ mode = \"echo\", size = \"0.001\" }}
",
            keyed_venue(&binance, "stale_after_ms = 600000"),
        ),
    );
    let (api_key, pem) = binance.ed25519_key().expect("the local Binance has an Ed25519 key");
    let pem_path = write_file(dir.path(), "binance-ed25519.pem", &pem);
    let env = [(KEY_ENV, api_key.as_str()), (PEM_ENV, pem_path.to_str().unwrap())];
    let host = RunningHost::start_with_env(dir.path(), &config, 1, "info", &[], &env);

    wait_orders_open(&host, "binance", "the order connection logged on and reconciled");
    assert!(binance.session_logons() >= 1, "an Ed25519 key logs on");
    wait_until("the strategy's trades subscribed", Duration::from_secs(60), || {
        (binance.subscribers("btcusdt@trade") == 1).then_some(())
    });
    wait_for_rules(&host, "binance");
    binance.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    let placed = wait_for_venue_orders(&binance, 1).remove(0);
    assert_eq!((placed.price, placed.qty), (d("15000"), d("0.001")));
    wait_until(
        "Binance's order id in the book of record",
        Duration::from_secs(30),
        || {
            let booked = venue_orders(&dir.path().join("book.db"), "binance");
            (booked.get(&placed.client_order_id)?.venue_order_id == Some(placed.order_id.to_string())).then_some(())
        },
    );
    let key_body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let log = host.log().join("\n");
    assert!(
        !key_body.is_empty() && !log.contains(&key_body),
        "the private key in the log"
    );
    assert!(
        !host.status().unwrap().to_string().contains(&key_body),
        "the private key in /status"
    );
}

#[test]
fn live_binance_without_usable_credentials_stops_the_start_naming_the_venue_and_the_variable() {
    let (dir, strategies) = host_dir(&[]);
    let run = |env: &[(&str, &str)]| {
        let output = support::bin()
            .args([
                "run",
                "--venue",
                "binance",
                "--listen",
                "127.0.0.1:0",
                "--strategies-dir",
            ])
            .arg(&strategies)
            .arg("--db")
            .arg(dir.path().join("book.db"))
            .env_remove("BINANCE_API_KEY")
            .env_remove("BINANCE_API_SECRET")
            .env_remove("BINANCE_PRIVATE_KEY")
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .output()
            .expect("the strategy-host binary runs");
        assert!(!output.status.success(), "started without credentials");
        support::stderr(&output)
    };
    let missing = run(&[]);
    assert!(
        missing.contains("venue binance") && missing.contains("BINANCE_API_KEY"),
        "{missing}"
    );
    // A PEM path that holds no Ed25519 key: the file and the variable are named, the contents not.
    let not_a_key = write_file(dir.path(), "not-a-key.pem", "hunter2-not-a-pem");
    let unusable = run(&[
        ("BINANCE_API_KEY", "k"),
        ("BINANCE_PRIVATE_KEY", not_a_key.to_str().unwrap()),
    ]);
    assert!(
        unusable.contains("BINANCE_PRIVATE_KEY") && unusable.contains("not-a-key.pem"),
        "{unusable}"
    );
    assert!(!unusable.contains("hunter2"), "{unusable}");
}

#[test]
fn a_symbol_binance_moves_to_cancel_only_is_refused_by_risk_once_the_rules_are_fetched_again_and_taken_once_it_trades()
{
    let binance = start_binance(true);
    let (_dir, host) = echo_host(&binance, "0.001", "rules_refresh_s = 1\nstale_after_ms = 600000");
    wait_until("the strategy's trades subscribed", Duration::from_secs(60), || {
        (binance.subscribers("btcusdt@trade") == 1).then_some(())
    });
    wait_orders_open(&host, "binance", "the order connection reconciled");
    wait_for_rules(&host, "binance");
    let refused = || {
        metric(
            &host,
            "strategy_host_risk_rejections_total",
            &[("check", "market_closed")],
        )
        .unwrap_or(0.0)
    };

    // Trading: the echo's order reaches Binance.
    binance.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    wait_for_venue_orders(&binance, 1);
    assert_eq!(refused(), 0.0);

    // Binance moves the symbol to cancel-only: within a refresh (1 s here) the host says so and
    // risk refuses the echo's orders before they are sent.
    binance.set_symbol_status("BTCUSDT", "CANCEL_ONLY").unwrap();
    wait_until("the status change logged", Duration::from_secs(30), || {
        host.log()
            .iter()
            .any(|line| line.contains("trading status changed") && line.contains("BTC/USDT"))
            .then_some(())
    });
    binance.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    wait_until("an order refused market_closed", Duration::from_secs(30), || {
        (refused() >= 1.0).then_some(())
    });
    assert_eq!(binance.orders().len(), 1, "nothing more was sent to Binance");

    // Trading again: the next refresh takes orders again.
    binance.set_symbol_status("BTCUSDT", "TRADING").unwrap();
    wait_until("orders sent again", Duration::from_secs(30), || {
        binance.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        (binance.orders().len() > 1).then_some(())
    });
}

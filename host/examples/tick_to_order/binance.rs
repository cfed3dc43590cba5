//! The local Binance of the benchmark: its trades, its `order.place` arrivals, the bare client
//! (market streams for the trade, the WebSocket API for the order), and the host's
//! `[venues.binance]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use local_binance::{LocalBinance, LocalBinanceConfig, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET};
use rust_decimal::Decimal;
use trading::orders::TimeInForce;
use venues::binance::execution::{Credentials, SigningKey};
use venues::binance::requests::{self, Auth, OrderKind, PlaceOrder};
use venues::binance::wire::{parse_stream, subscription_request, OrderSide, StreamMessage, VenueSymbol};
use venues::kit::{connect, next_text, send_text};

use super::Exchange;

/// A local Binance whose limits never refuse (10,000 orders and their cancels in seconds),
/// with a clock that runs (signed requests carry the client's time) and a book.
pub(super) fn exchange() -> LocalBinance {
    let binance = LocalBinance::start(LocalBinanceConfig {
        running_clock: true,
        weight_per_minute: 1_000_000_000,
        orders_per_10s: 1_000_000_000,
        orders_per_day: 1_000_000_000,
        ..LocalBinanceConfig::default()
    })
    .expect("the local Binance starts");
    let level = |price: i64| (Decimal::from(price), Decimal::from(5));
    binance
        .set_levels("BTCUSDT", &[level(29_990)], &[level(30_010)])
        .expect("a book");
    binance
}

impl Exchange for LocalBinance {
    fn print_trade(&self) {
        self.trade("BTCUSDT", Decimal::from(30_005), Decimal::new(1, 3), false)
            .expect("a trade");
    }

    fn orders_received(&self) -> (u64, Option<Instant>) {
        self.order_places_received()
    }

    fn describe(&self) -> String {
        format!(
            "stream connections {}, API connections {}, orders {}",
            self.connections(),
            self.api_connections(),
            self.orders().len()
        )
    }

    fn spawn_bare_client(&self, runtime: &tokio::runtime::Runtime) {
        let credentials = Credentials::new(DEFAULT_HMAC_API_KEY, SigningKey::hmac(DEFAULT_HMAC_SECRET));
        // Signed requests carry the exchange's time: the offset of its clock from this one's.
        let offset_ms = self.now_ms() - wall_ms();
        runtime.spawn(bare_client(
            self.ws_stream_url(),
            self.ws_api_url(),
            Arc::new(credentials),
            offset_ms,
        ));
    }

    fn host_venue(&self) -> (String, Vec<(&'static str, String)>) {
        let table = format!(
            r#"[venues.binance]
enabled = true
symbols = ["BTC/USDT"]
rest_url = "{rest}"
ws_stream_url = "{streams}"
ws_api_url = "{api}"
api_key_env = "BENCH_BINANCE_KEY"
api_secret_env = "BENCH_BINANCE_SECRET"
stale_after_ms = 600000"#,
            rest = self.rest_url(),
            streams = self.ws_stream_url(),
            api = self.ws_api_url(),
        );
        let env = vec![
            ("BENCH_BINANCE_KEY", DEFAULT_HMAC_API_KEY.to_owned()),
            ("BENCH_BINANCE_SECRET", DEFAULT_HMAC_SECRET.to_owned()),
        ];
        (table, env)
    }
}

fn wall_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// Answers every public trade with a far limit buy on the WebSocket API, signed, from the task
/// that read the trade, and cancels the order before it: the loopback path without a host.
async fn bare_client(stream_url: String, api_url: String, credentials: Arc<Credentials>, offset_ms: i64) {
    let mut streams = connect(&format!("{stream_url}/stream"), Duration::from_secs(5))
        .await
        .expect("the stream socket");
    let mut api = connect(&api_url, Duration::from_secs(5))
        .await
        .expect("the WebSocket API");
    send_text(
        &mut streams,
        subscription_request(true, &["btcusdt@trade".to_owned()], 1),
    )
    .await
    .expect("subscribed");
    let symbol = VenueSymbol::new("BTCUSDT").expect("a symbol");
    let mut n = 0u64;
    loop {
        tokio::select! {
            text = next_text(&mut streams) => {
                let text = match text {
                    Ok(text) => text,
                    Err(reason) => return eprintln!("bare client: stream socket: {reason}"),
                };
                let Ok(StreamMessage::Trade(trade)) = parse_stream(text.as_str()) else { continue };
                n += 1;
                let order = PlaceOrder {
                    symbol,
                    side: OrderSide::Buy,
                    kind: OrderKind::Limit {
                        price: (trade.price / Decimal::TWO).round_dp(1),
                        time_in_force: TimeInForce::Gtc,
                    },
                    quantity: Decimal::new(1, 3),
                    client_order_id: format!("bare-{n}"),
                };
                let auth = || Auth::Signed {
                    credentials: &credentials,
                    timestamp_ms: wall_ms() + offset_ms,
                    recv_window_ms: Some(60_000),
                };
                let mut sent = vec![requests::order_place(2 * n, &order, auth())];
                // Then the one before is cancelled, as the strategy does: the exchange holds
                // one or two resting orders either way.
                if n > 1 {
                    let previous = format!("bare-{}", n - 1);
                    sent.push(requests::order_cancel(2 * n + 1, symbol, &previous, auth()));
                }
                for request in sent {
                    if let Err(reason) = send_text(&mut api, request).await {
                        return eprintln!("bare client: WebSocket API: {reason}");
                    }
                }
            }
            text = next_text(&mut api) => if let Err(reason) = text {
                return eprintln!("bare client: WebSocket API: {reason}");
            },
        }
    }
}

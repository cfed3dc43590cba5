//! The local Kraken of the benchmark: its trades, its order arrivals, the bare WebSocket v2
//! client, and the host's `[venues.kraken]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use local_kraken::{LocalKraken, LocalKrakenConfig, RateTier, Side};
use rust_decimal::Decimal;
use venues::kit::{connect, next_text, send_text, NoObserver};
use venues::kraken::execution::Credentials;
use venues::kraken::rest::KrakenRest;
use venues::kraken::wire::requests::{self, AddOrder, OrderKind, PublicSubscription};
use venues::kraken::wire::{parse_public, rest, PublicMessage};

use super::Exchange;

/// A local Kraken whose rate counter never refuses (10,000 orders in seconds) and whose book
/// has a market to trade against.
pub(super) fn exchange() -> LocalKraken {
    let kraken = LocalKraken::start(LocalKrakenConfig {
        rate_tier: RateTier {
            max: Decimal::from(1_000_000_000u64),
            decay_per_s: Decimal::from(1_000),
        },
        ..LocalKrakenConfig::default()
    })
    .expect("the local Kraken starts");
    kraken
        .book_snapshot(
            "BTC/USD",
            &[(Decimal::new(299_900, 1), Decimal::from(5))],
            &[(Decimal::new(300_100, 1), Decimal::from(5))],
        )
        .expect("a book");
    kraken
}

impl Exchange for LocalKraken {
    fn print_trade(&self) {
        self.trade("BTC/USD", Side::Buy, Decimal::new(300_050, 1), Decimal::new(1, 3))
            .expect("a trade");
    }

    fn orders_received(&self) -> (u64, Option<Instant>) {
        self.add_orders_received()
    }

    fn describe(&self) -> String {
        format!(
            "sockets open: public {:?}, private {:?}; orders open {}",
            self.connections(local_kraken::ConnKind::Public),
            self.connections(local_kraken::ConnKind::Private),
            self.open_orders().len()
        )
    }

    fn spawn_bare_client(&self, runtime: &tokio::runtime::Runtime) {
        let credentials = Credentials::new(self.api_key(), self.api_secret()).expect("the local key");
        runtime.spawn(bare_client(
            self.rest_url(),
            self.ws_public_url(),
            self.ws_private_url(),
            Arc::new(credentials),
        ));
    }

    fn host_venue(&self) -> (String, Vec<(&'static str, String)>) {
        let table = format!(
            r#"[venues.kraken]
enabled = true
symbols = ["BTC/USD"]
rest_url = "{rest}"
ws_public_url = "{public}"
ws_private_url = "{private}"
api_key_env = "BENCH_KRAKEN_KEY"
api_secret_env = "BENCH_KRAKEN_SECRET"
# The local Kraken's counter never refuses; the host's is set to match.
rate_counter_max = 1000000000
rate_counter_decay_per_s = "1000""#,
            rest = self.rest_url(),
            public = self.ws_public_url(),
            private = self.ws_private_url(),
        );
        let env = vec![
            ("BENCH_KRAKEN_KEY", self.api_key().to_owned()),
            ("BENCH_KRAKEN_SECRET", self.api_secret().to_owned()),
        ];
        (table, env)
    }
}

/// Answers every public trade with a far limit buy on the private socket, from the task that
/// read the trade, and cancels the order before it: the loopback path without a host.
async fn bare_client(rest_url: String, public_url: String, private_url: String, credentials: Arc<Credentials>) {
    let rest = KrakenRest::new(
        &rest_url,
        Some(credentials),
        Duration::from_secs(5),
        Arc::new(NoObserver),
    );
    let body = rest
        .private("GetWebSocketsToken", rest::get_websockets_token)
        .await
        .expect("a token");
    let token = rest::parse_websockets_token(&body).expect("a token answer").token;
    let mut public = connect(&public_url, Duration::from_secs(5))
        .await
        .expect("the public socket");
    let mut private = connect(&private_url, Duration::from_secs(5))
        .await
        .expect("the private socket");
    let trades = PublicSubscription::Trade {
        symbols: vec![trading::market::Symbol::new("BTC/USD").expect("a symbol")],
        snapshot: false,
    };
    send_text(&mut public, requests::subscribe(&trades, 1))
        .await
        .expect("subscribed");
    // Kraken closes a socket with no subscriptions.
    let executions = requests::PrivateSubscription::Executions {
        snap_orders: false,
        snap_trades: false,
        ratecounter: false,
    };
    send_text(&mut private, requests::subscribe_private(&executions, &token, 2))
        .await
        .expect("subscribed");
    let mut n = 0u64;
    loop {
        tokio::select! {
            text = next_text(&mut public) => {
                let text = match text {
                    Ok(text) => text,
                    Err(reason) => return eprintln!("bare client: public socket: {reason}"),
                };
                let Ok(PublicMessage::Trade(feed)) = parse_public(text.as_str()) else { continue };
                for trade in feed.data {
                    n += 1;
                    let order = AddOrder {
                        symbol: trade.symbol,
                        side: trading::market::Side::Buy,
                        order_qty: Decimal::new(1, 3),
                        kind: OrderKind::Limit { limit_price: (trade.price / Decimal::TWO).round_dp(1), post_only: false },
                        time_in_force: None,
                        reduce_only: false,
                        cl_ord_id: Some(format!("bare-{n}")),
                        validate: false,
                    };
                    let mut requests = vec![requests::add_order(&order, &token, 2 * n)];
                    // Then the one before is cancelled, as the strategy does: the exchange
                    // holds one or two resting orders either way.
                    if n > 1 {
                        let previous = requests::CancelOrders::ClOrdIds(vec![format!("bare-{}", n - 1)]);
                        requests.push(requests::cancel_order(&previous, &token, 2 * n + 1));
                    }
                    for request in requests {
                        if let Err(reason) = send_text(&mut private, request).await {
                            return eprintln!("bare client: private socket: {reason}");
                        }
                    }
                }
            }
            text = next_text(&mut private) => if let Err(reason) = text {
                return eprintln!("bare client: private socket: {reason}");
            },
        }
    }
}

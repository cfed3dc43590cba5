//! The two local exchanges the crash test kills hosts on, behind one face: the test trades on
//! either the same way and reads what either holds of the account in the host's terms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use local_binance::{LocalBinance, LocalBinanceConfig};
use local_kraken::{LocalKraken, LocalKrakenConfig, RateTier, Side};
use rust_decimal::Decimal;

use crate::support::{self, write_file, RunningHost};

/// Kraken's trading rate counter, on the exchange and in the host: an order adds 1 and a
/// cancel or an amend up to 8, so a thousand kill points of churn stay far below it.
const RATE_COUNTER_MAX: u32 = 1_000_000;
const BINANCE_KEY_ENV: &str = "CRASH_TEST_BINANCE_KEY";
const BINANCE_SECRET_ENV: &str = "CRASH_TEST_BINANCE_SECRET";

/// A local exchange a host trades on live.
pub enum Exchange {
    Kraken(LocalKraken),
    Binance(LocalBinance),
}

/// Which exchange.
#[derive(Debug, Clone, Copy)]
pub enum Venue {
    Kraken,
    Binance,
}

/// An open order at the exchange, in the host's terms: a Binance cancel-replace makes a new
/// order for what was left, and the host's order is the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrder {
    pub qty: Decimal,
    pub filled: Decimal,
    pub price: Decimal,
    /// The exchange's id of the order working now (a Binance chain's newest).
    pub venue_order_id: String,
}

impl OpenOrder {
    pub fn remaining(&self) -> Decimal {
        self.qty - self.filled
    }
}

/// One fill of the account at the exchange.
#[derive(Debug, Clone)]
pub struct Fill {
    /// As the host books it.
    pub trade_id: String,
    pub qty: Decimal,
    pub price: Decimal,
    /// In the quote currency, as the host values it.
    pub fee: Decimal,
}

/// What the exchange holds of the account.
#[derive(Debug, Default)]
pub struct Account {
    /// How many times each client order id was placed as a new order.
    pub placed: BTreeMap<String, u32>,
    /// Open orders by client order id.
    pub open: BTreeMap<String, OpenOrder>,
    pub fills: Vec<Fill>,
}

impl Exchange {
    pub fn start(venue: Venue) -> Self {
        match venue {
            // The exchange's clock only moves when told, so its rate counter never decays: a
            // counter far above what a soak adds keeps the strategy trading to the last kill
            // point (the host's copy of the counter is set to match).
            Venue::Kraken => Exchange::Kraken(support::kraken_with_book(LocalKrakenConfig {
                rate_tier: RateTier {
                    max: Decimal::from(RATE_COUNTER_MAX),
                    decay_per_s: Decimal::ONE,
                },
                ..LocalKrakenConfig::default()
            })),
            // Running: signed requests carry the host's clock. A soak's orders stay far below
            // the order count limits; its restarts, dozens a minute, each fetching the rules,
            // the book and the mass status, would not stay below the request weight a minute
            // allows (Binance would ban such a host too), so the weight is out of the way.
            Venue::Binance => Exchange::Binance(support::start_binance_with(LocalBinanceConfig {
                running_clock: true,
                weight_per_minute: 1_000_000,
                ..LocalBinanceConfig::default()
            })),
        }
    }

    /// The venue's name in the host's config and books.
    pub fn name(&self) -> &'static str {
        match self {
            Exchange::Kraken(_) => "kraken",
            Exchange::Binance(_) => "binance",
        }
    }

    /// The traded symbol in the host's spelling.
    pub fn symbol(&self) -> &'static str {
        match self {
            Exchange::Kraken(_) => "BTC/USD",
            Exchange::Binance(_) => "BTC/USDT",
        }
    }

    /// The smallest quantity step of an order: a partial fill is a multiple of it, as at the
    /// venue, where both sides of a trade are.
    pub fn qty_step(&self) -> u32 {
        match self {
            Exchange::Kraken(_) => 8,
            Exchange::Binance(_) => 5,
        }
    }

    /// Puts the `orders` guest in `dir/strategies` with `params` (an inline TOML table's
    /// body) and `sandbox_extra` lines in `[sandbox]`, trading live here; the config's path.
    pub fn config(&self, dir: &Path, params: &str, sandbox_extra: &str) -> PathBuf {
        match self {
            Exchange::Kraken(kraken) => support::orders_on_kraken(
                dir,
                kraken,
                params,
                &format!("rate_counter_max = {RATE_COUNTER_MAX}\nrate_counter_decay_per_s = 1"),
                sandbox_extra,
            ),
            Exchange::Binance(binance) => {
                let strategies = dir.join("strategies");
                std::fs::create_dir_all(&strategies).unwrap();
                std::fs::copy(support::wasm("orders"), strategies.join("orders.wasm")).unwrap();
                let venue = support::binance_venue(
                    binance,
                    &format!(
                        "api_key_env = \"{BINANCE_KEY_ENV}\"\napi_secret_env = \"{BINANCE_SECRET_ENV}\"\nrequest_timeout_ms = 1000"
                    ),
                );
                write_file(
                    dir,
                    "host.toml",
                    &format!(
                        "{venue}\n[sandbox]\ncall_deadline_ms = 2000\n{sandbox_extra}\n\n[strategies.orders]\nparams = {{ {params} }}\n"
                    ),
                )
            }
        }
    }

    /// `run` on `config`, with this exchange's credentials.
    pub fn start_host(&self, dir: &Path, config: &Path) -> RunningHost {
        match self {
            Exchange::Kraken(kraken) => support::start_on_kraken(dir, config, kraken),
            Exchange::Binance(binance) => {
                let (key, secret) = binance.hmac_key().expect("the local Binance has an HMAC key");
                let env = [(BINANCE_KEY_ENV, key.as_str()), (BINANCE_SECRET_ENV, secret.as_str())];
                RunningHost::start_with_env(dir, config, 1, "info", &[], &env)
            }
        }
    }

    /// Connections subscribed to the symbol's public trades.
    pub fn trade_subscribers(&self) -> usize {
        match self {
            Exchange::Kraken(kraken) => kraken.subscriptions("trade", Some("BTC/USD")),
            Exchange::Binance(binance) => binance.subscribers("btcusdt@trade"),
        }
    }

    /// A public trade at `price` that crosses none of the account's buys.
    pub fn public_trade(&self, price: Decimal) {
        let qty = Decimal::new(1, 3);
        match self {
            Exchange::Kraken(kraken) => kraken.trade("BTC/USD", Side::Buy, price, qty).unwrap(),
            // The seller made the market: only resting sells at or below it would trade.
            Exchange::Binance(binance) => binance.trade("BTCUSDT", price, qty, false).unwrap(),
        }
    }

    /// A sell that trades `qty` of the account's resting buy at `price`.
    pub fn sell_into(&self, price: Decimal, qty: Decimal) {
        match self {
            Exchange::Kraken(kraken) => kraken.trade("BTC/USD", Side::Sell, price, qty).unwrap(),
            // The buyer made the market: resting buys at or above it trade first.
            Exchange::Binance(binance) => binance.trade("BTCUSDT", price, qty, true).unwrap(),
        }
    }

    /// The open orders, by client order id.
    pub fn open_orders(&self) -> BTreeMap<String, OpenOrder> {
        match self {
            Exchange::Kraken(kraken) => kraken
                .open_orders()
                .into_iter()
                .map(|order| {
                    let open = OpenOrder {
                        qty: order.order_qty,
                        filled: order.cum_qty,
                        price: order.limit_price.unwrap_or_default(),
                        venue_order_id: order.order_id,
                    };
                    (order.cl_ord_id.unwrap_or_default(), open)
                })
                .collect(),
            Exchange::Binance(binance) => binance_open_orders(&binance.orders()),
        }
    }

    /// Everything the exchange holds of the account.
    pub fn account(&self) -> Account {
        match self {
            Exchange::Kraken(kraken) => Account {
                placed: kraken.client_order_ids(),
                open: self.open_orders(),
                fills: kraken
                    .fills()
                    .into_iter()
                    .map(|f| Fill {
                        trade_id: f.trade_id.to_string(),
                        qty: f.qty,
                        price: f.price,
                        fee: f.fee,
                    })
                    .collect(),
            },
            Exchange::Binance(binance) => {
                let orders = binance.orders();
                let mut placed = BTreeMap::new();
                for order in orders.iter().filter(|o| o.replaces.is_none()) {
                    *placed.entry(order.client_order_id.clone()).or_default() += 1;
                }
                let fills = binance
                    .account_trades()
                    .into_iter()
                    .map(|t| Fill {
                        trade_id: format!("{}-{}", t.symbol, t.id),
                        qty: t.qty,
                        price: t.price,
                        // Charged in the asset received: the base on a buy.
                        fee: if t.commission_asset == "BTC" {
                            t.commission * t.price
                        } else {
                            t.commission
                        },
                    })
                    .collect();
                Account {
                    placed,
                    open: binance_open_orders(&orders),
                    fills,
                }
            }
        }
    }

    /// How many orders the exchange accepted as new, and how many fills it made.
    pub fn counts(&self) -> (usize, usize) {
        let account = self.account();
        (account.placed.len(), account.fills.len())
    }
}

/// The open orders of `orders` in the host's terms: each carries what the orders it replaced
/// had filled.
fn binance_open_orders(orders: &[local_binance::Order]) -> BTreeMap<String, OpenOrder> {
    let by_id: BTreeMap<u64, &local_binance::Order> = orders.iter().map(|o| (o.order_id, o)).collect();
    orders
        .iter()
        .filter(|o| o.status.is_open())
        .map(|order| {
            let mut filled_before = Decimal::ZERO;
            let mut replaced = order.replaces;
            while let Some(earlier) = replaced.and_then(|id| by_id.get(&id)) {
                filled_before += earlier.executed;
                replaced = earlier.replaces;
            }
            let open = OpenOrder {
                qty: filled_before + order.qty,
                filled: filled_before + order.executed,
                price: order.price,
                venue_order_id: order.order_id.to_string(),
            };
            (order.client_order_id.clone(), open)
        })
        .collect()
}

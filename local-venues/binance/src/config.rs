//! [`LocalBinanceConfig`]: what the local exchange lists and how its connections behave.

use std::net::SocketAddr;
use std::time::Duration;

use rust_decimal::Decimal;

use crate::auth::{ApiKey, KeySpec};
use crate::error::Error;

/// Where the exchange listens by default: any free port on loopback.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:0";
/// How often the server pings each stream connection (Binance: every 20 s).
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(20);
/// How long a connection may go without answering a ping before it is closed (Binance: 1 min).
pub const DEFAULT_PONG_TIMEOUT: Duration = Duration::from_secs(60);
/// Streams one connection may hold (Binance: 1024).
pub const DEFAULT_MAX_STREAMS: usize = 1024;
/// Control messages (and pings, pongs) a connection may send per second (Binance: 5).
pub const DEFAULT_MAX_INCOMING_PER_S: u32 = 5;
/// Frames waiting for one slow connection, at most; past it the connection is dropped, as a
/// venue drops a consumer that cannot keep up.
pub const DEFAULT_OUTBOX_CAPACITY: usize = 10_000;

/// How long a WebSocket API connection may live before the server closes it (Binance: 24 h).
pub const DEFAULT_WS_API_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Request weight per minute (exchangeInfo's REQUEST_WEIGHT, Binance: 6,000).
pub const DEFAULT_WEIGHT_PER_MINUTE: u64 = 6_000;
/// New orders per 10 seconds (exchangeInfo's ORDERS, Binance: 50).
pub const DEFAULT_ORDERS_PER_10S: u64 = 50;
/// New orders per day (Binance: 160,000).
pub const DEFAULT_ORDERS_PER_DAY: u64 = 160_000;
/// The fee on every fill, in the asset received (Binance's base rate: 0.1 %).
pub const DEFAULT_FEE_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
/// The HMAC key of the default configuration.
pub const DEFAULT_HMAC_API_KEY: &str = "local-binance-hmac-key";
/// The secret of [`DEFAULT_HMAC_API_KEY`]: a local test key, public on purpose.
pub const DEFAULT_HMAC_SECRET: &str = "local-binance-hmac-secret-0123456789abcdef";
/// The Ed25519 key of the default configuration.
pub const DEFAULT_ED25519_API_KEY: &str = "local-binance-ed25519-key";

/// One symbol the exchange lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolSpec {
    /// Binance's spelling (`BTCUSDT`).
    pub symbol: String,
    /// The base asset (`BTC`).
    pub base: String,
    /// The quote asset (`USDT`).
    pub quote: String,
    /// `TRADING`, `CANCEL_ONLY`, `HALT`, …
    pub status: String,
    /// PRICE_FILTER's tickSize.
    pub tick_size: Decimal,
    /// LOT_SIZE's stepSize.
    pub step_size: Decimal,
    /// LOT_SIZE's minQty.
    pub min_qty: Decimal,
    /// NOTIONAL's minNotional.
    pub min_notional: Decimal,
    /// Decimals prices and quantities are written with (Binance writes 8 on most symbols).
    pub decimals: u32,
}

impl SymbolSpec {
    /// A trading symbol with Binance BTCUSDT's filters (tick 0.01, step 0.00001, minimum
    /// notional 5).
    pub fn new(symbol: &str, base: &str, quote: &str) -> Self {
        Self {
            symbol: symbol.to_owned(),
            base: base.to_owned(),
            quote: quote.to_owned(),
            status: "TRADING".to_owned(),
            tick_size: Decimal::new(1, 2),
            step_size: Decimal::new(1, 5),
            min_qty: Decimal::new(1, 5),
            min_notional: Decimal::new(5, 0),
            decimals: 8,
        }
    }
}

/// How the local exchange starts.
#[derive(Debug, Clone)]
pub struct LocalBinanceConfig {
    /// Where to listen ([`DEFAULT_LISTEN`]).
    pub listen: SocketAddr,
    /// What it lists (default: BTCUSDT and ETHUSDT).
    pub symbols: Vec<SymbolSpec>,
    /// Server ping period ([`DEFAULT_PING_INTERVAL`]).
    pub ping_interval: Duration,
    /// Pong deadline ([`DEFAULT_PONG_TIMEOUT`]).
    pub pong_timeout: Duration,
    /// Streams per connection ([`DEFAULT_MAX_STREAMS`]).
    pub max_streams: usize,
    /// Incoming messages per second per connection ([`DEFAULT_MAX_INCOMING_PER_S`]).
    pub max_incoming_per_s: u32,
    /// Outbox frames per connection ([`DEFAULT_OUTBOX_CAPACITY`]).
    pub outbox_capacity: usize,
    /// The API keys the WebSocket API and signed REST accept (default: one HMAC key,
    /// [`DEFAULT_HMAC_API_KEY`], and one Ed25519 key, [`DEFAULT_ED25519_API_KEY`]). Every key
    /// trades the one account.
    pub api_keys: Vec<ApiKey>,
    /// The account's starting balances (default: 100,000 USDT, 5 BTC, 50 ETH).
    pub balances: Vec<(String, Decimal)>,
    /// The fee rate on fills ([`DEFAULT_FEE_RATE`]).
    pub fee_rate: Decimal,
    /// WebSocket API connection lifetime ([`DEFAULT_WS_API_LIFETIME`]); a test compresses it.
    pub ws_api_lifetime: Duration,
    /// Request weight per minute ([`DEFAULT_WEIGHT_PER_MINUTE`]); past it, 429.
    pub weight_per_minute: u64,
    /// New orders per 10 s ([`DEFAULT_ORDERS_PER_10S`]); past it, -1015.
    pub orders_per_10s: u64,
    /// New orders per day ([`DEFAULT_ORDERS_PER_DAY`]).
    pub orders_per_day: u64,
    /// Whether the exchange clock runs with the wall clock between [`crate::Control::advance_to`]
    /// calls (default: it moves only by them). Signed requests need it running: their
    /// timestamps come from the client's clock.
    pub running_clock: bool,
}

impl Default for LocalBinanceConfig {
    fn default() -> Self {
        Self {
            // A literal that parses.
            listen: DEFAULT_LISTEN.parse().unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0))),
            symbols: vec![
                SymbolSpec::new("BTCUSDT", "BTC", "USDT"),
                SymbolSpec::new("ETHUSDT", "ETH", "USDT"),
            ],
            ping_interval: DEFAULT_PING_INTERVAL,
            pong_timeout: DEFAULT_PONG_TIMEOUT,
            max_streams: DEFAULT_MAX_STREAMS,
            max_incoming_per_s: DEFAULT_MAX_INCOMING_PER_S,
            outbox_capacity: DEFAULT_OUTBOX_CAPACITY,
            api_keys: vec![
                ApiKey {
                    api_key: DEFAULT_HMAC_API_KEY.to_owned(),
                    key: KeySpec::Hmac {
                        secret: DEFAULT_HMAC_SECRET.to_owned(),
                    },
                },
                ApiKey {
                    api_key: DEFAULT_ED25519_API_KEY.to_owned(),
                    key: KeySpec::Ed25519 { seed: [7; 32] },
                },
            ],
            balances: vec![
                ("USDT".to_owned(), Decimal::from(100_000)),
                ("BTC".to_owned(), Decimal::from(5)),
                ("ETH".to_owned(), Decimal::from(50)),
            ],
            fee_rate: DEFAULT_FEE_RATE,
            ws_api_lifetime: DEFAULT_WS_API_LIFETIME,
            weight_per_minute: DEFAULT_WEIGHT_PER_MINUTE,
            orders_per_10s: DEFAULT_ORDERS_PER_10S,
            orders_per_day: DEFAULT_ORDERS_PER_DAY,
            running_clock: false,
        }
    }
}

impl LocalBinanceConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first field that is unusable.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |what: String| Err(Error::Config(what));
        if self.symbols.is_empty() {
            return bad("symbols: at least one".into());
        }
        for spec in &self.symbols {
            let name = &spec.symbol;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
                return bad(format!("symbols: `{name}` is not an upper-case Binance symbol"));
            }
            if spec.tick_size <= Decimal::ZERO || spec.step_size <= Decimal::ZERO {
                return bad(format!("symbols.{name}: tick_size and step_size must be positive"));
            }
            if spec.decimals > 18 {
                return bad(format!("symbols.{name}: decimals at most 18"));
            }
        }
        if self.ping_interval.is_zero() || self.pong_timeout.is_zero() {
            return bad("ping_interval and pong_timeout must be positive".into());
        }
        if self.max_streams == 0 || self.max_incoming_per_s == 0 || self.outbox_capacity == 0 {
            return bad("max_streams, max_incoming_per_s and outbox_capacity must be positive".into());
        }
        if self.ws_api_lifetime.is_zero()
            || self.weight_per_minute == 0
            || self.orders_per_10s == 0
            || self.orders_per_day == 0
        {
            return bad(
                "ws_api_lifetime, weight_per_minute, orders_per_10s and orders_per_day must be positive".into(),
            );
        }
        if self.fee_rate.is_sign_negative() || self.fee_rate >= Decimal::ONE {
            return bad("fee_rate must be in [0, 1)".into());
        }
        Ok(())
    }
}

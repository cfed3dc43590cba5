//! [`LocalBinanceConfig`]: what the local exchange lists and how its connections behave.

use std::net::SocketAddr;
use std::time::Duration;

use rust_decimal::Decimal;

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
        Ok(())
    }
}

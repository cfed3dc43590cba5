//! What a local Kraken is started with: listener, keys, pairs, balances, fees, limits, clock.
//!
//! Every default is a named constant, and [`LocalKrakenConfig::validate`] collects every problem
//! at once (the default is valid: a test says so).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;

use crate::clock::ClockMode;

/// The default listener: loopback, a port the OS picks.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:0";
/// The default API key name.
pub const DEFAULT_API_KEY: &str = "local-kraken-key";
/// Maker fee in percent of the cost (Kraken's lowest volume tier).
pub const DEFAULT_MAKER_FEE_PCT: &str = "0.16";
/// Taker fee in percent of the cost.
pub const DEFAULT_TAKER_FEE_PCT: &str = "0.26";
/// Starter tier: the per-pair trading counter's threshold.
pub const DEFAULT_RATE_MAX: u32 = 60;
/// Starter tier: the counter decays by this much per second of exchange time.
pub const DEFAULT_RATE_DECAY_PER_S: &str = "1";
/// A socket with no subscription for this long is closed.
pub const DEFAULT_IDLE_CLOSE: Duration = Duration::from_secs(10);
/// How often a subscribed socket hears a heartbeat.
pub const DEFAULT_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(1);
/// Seconds of exchange time a token may wait for its first use (`expires` in the answer).
pub const DEFAULT_TOKEN_TTL_S: u64 = 900;
/// Outgoing messages queued per socket; a reader that falls this far behind is disconnected, as
/// a real venue drops a slow consumer, so a stuck test client cannot grow the exchange's memory.
pub const DEFAULT_OUTBOX_CAPACITY: usize = 65_536;

/// One tradable pair, with Kraken's trading rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairSpec {
    /// WebSocket v2 name, `BASE/QUOTE` (`BTC/USD`).
    pub symbol: String,
    /// Base asset (`BTC`).
    pub base: String,
    /// Quote asset (`USD`), in which fees are charged.
    pub quote: String,
    /// Decimals of a price; the price increment is `10^-price_precision`.
    pub price_precision: u32,
    /// Decimals of a quantity; the quantity increment is `10^-qty_precision`.
    pub qty_precision: u32,
    /// Decimals of a cost.
    pub cost_precision: u32,
    /// Smallest order quantity.
    pub qty_min: Decimal,
    /// Smallest order cost (qty × price), in the quote asset.
    pub cost_min: Decimal,
    /// Kraken status (`online`, `post_only`, `cancel_only`, …); only `online` trades freely.
    pub status: String,
    /// REST key in `AssetPairs` (`XXBTZUSD`).
    pub rest_name: String,
    /// REST `altname`, also accepted as `pair` by `AddOrder` (`XBTUSD`).
    pub altname: String,
    /// REST `wsname` (Kraken still writes `XBT/USD` there for bitcoin).
    pub rest_wsname: String,
}

impl PairSpec {
    /// BTC/USD as Kraken lists it: price precision 1, qty precision 8, qty_min 0.0001, cost_min 0.5.
    pub fn btc_usd() -> Self {
        PairSpec {
            symbol: "BTC/USD".into(),
            base: "BTC".into(),
            quote: "USD".into(),
            price_precision: 1,
            qty_precision: 8,
            cost_precision: 5,
            qty_min: Decimal::new(1, 4),
            cost_min: Decimal::new(5, 1),
            status: "online".into(),
            rest_name: "XXBTZUSD".into(),
            altname: "XBTUSD".into(),
            rest_wsname: "XBT/USD".into(),
        }
    }

    /// ETH/USD as Kraken lists it: price precision 2, qty precision 8, qty_min 0.002, cost_min 0.5.
    pub fn eth_usd() -> Self {
        PairSpec {
            symbol: "ETH/USD".into(),
            base: "ETH".into(),
            quote: "USD".into(),
            price_precision: 2,
            qty_precision: 8,
            cost_precision: 5,
            qty_min: Decimal::new(2, 3),
            cost_min: Decimal::new(5, 1),
            status: "online".into(),
            rest_name: "XETHZUSD".into(),
            altname: "ETHUSD".into(),
            rest_wsname: "ETH/USD".into(),
        }
    }

    /// `10^-price_precision`.
    pub fn price_increment(&self) -> Decimal {
        Decimal::new(1, self.price_precision)
    }

    /// `10^-qty_precision`.
    pub fn qty_increment(&self) -> Decimal {
        Decimal::new(1, self.qty_precision)
    }
}

/// Fees in percent of an execution's cost, charged in the quote asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fees {
    /// For fills of resting orders. Default [`DEFAULT_MAKER_FEE_PCT`].
    pub maker_pct: Decimal,
    /// For fills that take liquidity. Default [`DEFAULT_TAKER_FEE_PCT`].
    pub taker_pct: Decimal,
}

impl Default for Fees {
    fn default() -> Self {
        Fees {
            maker_pct: dec(DEFAULT_MAKER_FEE_PCT),
            taker_pct: dec(DEFAULT_TAKER_FEE_PCT),
        }
    }
}

/// The per-pair trading rate counter (Kraken's "tiers").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateTier {
    /// An add or amend that would take the counter above this is refused. Default [`DEFAULT_RATE_MAX`].
    pub max: Decimal,
    /// Decay per second of exchange time. Default [`DEFAULT_RATE_DECAY_PER_S`].
    pub decay_per_s: Decimal,
}

impl RateTier {
    /// Starter: 60, decaying 1/s.
    pub fn starter() -> Self {
        RateTier {
            max: Decimal::from(DEFAULT_RATE_MAX),
            decay_per_s: dec(DEFAULT_RATE_DECAY_PER_S),
        }
    }
    /// Intermediate: 125, decaying 2.34/s.
    pub fn intermediate() -> Self {
        RateTier {
            max: Decimal::from(125),
            decay_per_s: dec("2.34"),
        }
    }
    /// Pro: 180, decaying 3.75/s.
    pub fn pro() -> Self {
        RateTier {
            max: Decimal::from(180),
            decay_per_s: dec("3.75"),
        }
    }
}

/// Everything [`crate::LocalKraken::start`] needs. Public fields; `Default` is a working exchange.
#[derive(Debug, Clone)]
pub struct LocalKrakenConfig {
    /// Where to listen. Default [`DEFAULT_LISTEN`] (loopback, any port).
    pub listen: SocketAddr,
    /// The one API key the exchange knows. Default [`DEFAULT_API_KEY`].
    pub api_key: String,
    /// Its secret, base64 as Kraken hands it out. Default `None`: 64 random bytes are generated.
    pub api_secret: Option<String>,
    /// Tradable pairs. Default BTC/USD and ETH/USD.
    pub pairs: Vec<PairSpec>,
    /// Starting balances per asset. Default USD 100000, BTC 0, ETH 0.
    pub balances: BTreeMap<String, Decimal>,
    /// Default maker 0.16 %, taker 0.26 %.
    pub fees: Fees,
    /// Default [`RateTier::starter`].
    pub rate_tier: RateTier,
    /// Grace before a socket without subscriptions is closed. Default [`DEFAULT_IDLE_CLOSE`].
    pub idle_close: Duration,
    /// Default [`DEFAULT_HEARTBEAT_INTERVAL`].
    pub heartbeat_interval: Duration,
    /// Default [`ClockMode::Manual`]: exchange time moves only when told.
    pub clock: ClockMode,
    /// Exchange time at start, ms since the epoch. Default `None`: the wall clock at start.
    pub start_time_ms: Option<i64>,
    /// Default [`DEFAULT_TOKEN_TTL_S`].
    pub token_ttl_s: u64,
    /// Default [`DEFAULT_OUTBOX_CAPACITY`].
    pub outbox_capacity: usize,
}

impl Default for LocalKrakenConfig {
    fn default() -> Self {
        let balances = [
            ("USD", Decimal::from(100_000)),
            ("BTC", Decimal::ZERO),
            ("ETH", Decimal::ZERO),
        ]
        .into_iter()
        .map(|(a, v)| (a.to_string(), v))
        .collect();
        LocalKrakenConfig {
            listen: DEFAULT_LISTEN.parse().expect("a valid literal address"),
            api_key: DEFAULT_API_KEY.into(),
            api_secret: None,
            pairs: vec![PairSpec::btc_usd(), PairSpec::eth_usd()],
            balances,
            fees: Fees::default(),
            rate_tier: RateTier::starter(),
            idle_close: DEFAULT_IDLE_CLOSE,
            heartbeat_interval: DEFAULT_HEARTBEAT_INTERVAL,
            clock: ClockMode::Manual,
            start_time_ms: None,
            token_ttl_s: DEFAULT_TOKEN_TTL_S,
            outbox_capacity: DEFAULT_OUTBOX_CAPACITY,
        }
    }
}

impl LocalKrakenConfig {
    /// Every problem with this configuration, each naming its field; `Ok` when there is none.
    ///
    /// # Errors
    /// [`ConfigError`] listing every problem found.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if self.api_key.is_empty() {
            problems.push("api_key: empty".to_string());
        }
        if let Some(secret) = &self.api_secret {
            if crate::auth::decode_secret(secret).is_none() {
                problems.push("api_secret: not base64".to_string());
            }
        }
        if self.pairs.is_empty() {
            problems.push("pairs: none".to_string());
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in self.pairs.iter().enumerate() {
            if !seen.insert(p.symbol.clone()) {
                problems.push(format!("pairs[{i}].symbol: {} twice", p.symbol));
            }
            if p.symbol != format!("{}/{}", p.base, p.quote) {
                problems.push(format!("pairs[{i}].symbol: {} is not base/quote", p.symbol));
            }
            if p.price_precision > 12 || p.qty_precision > 12 {
                problems.push(format!("pairs[{i}]: precision above 12"));
            }
            if p.qty_min < Decimal::ZERO || p.cost_min < Decimal::ZERO {
                problems.push(format!("pairs[{i}]: negative minimum"));
            }
        }
        for (asset, v) in &self.balances {
            if *v < Decimal::ZERO {
                problems.push(format!("balances.{asset}: negative"));
            }
        }
        if self.fees.maker_pct < Decimal::ZERO || self.fees.taker_pct < Decimal::ZERO {
            problems.push("fees: negative".to_string());
        }
        if self.rate_tier.max <= Decimal::ZERO || self.rate_tier.decay_per_s < Decimal::ZERO {
            problems.push("rate_tier: max must be positive and decay not negative".to_string());
        }
        if self.heartbeat_interval.is_zero() {
            problems.push("heartbeat_interval: zero".to_string());
        }
        if self.outbox_capacity == 0 {
            problems.push("outbox_capacity: zero".to_string());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { problems })
        }
    }
}

/// Every problem [`LocalKrakenConfig::validate`] found, each as `field: what`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid local-kraken configuration: {}", problems.join("; "))]
pub struct ConfigError {
    /// One line per problem.
    pub problems: Vec<String>,
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("a valid decimal literal")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid() {
        assert_eq!(LocalKrakenConfig::default().validate(), Ok(()));
    }

    #[test]
    fn validate_collects_every_problem() {
        let mut cfg = LocalKrakenConfig::default();
        cfg.api_key.clear();
        cfg.api_secret = Some("not base64!".into());
        cfg.pairs.push(PairSpec::btc_usd());
        let err = cfg.validate().unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
    }
}

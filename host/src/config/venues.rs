//! The `[venues.NAME]` tables of the config: which live venues the host connects to, where,
//! and with which credentials' environment variable names (never the secrets themselves).

use std::time::Duration;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;
use trading::desk::UnknownOrders;
use trading::market::Symbol;
use trading::orders::VenueId;

// The venues' production endpoints (DESIGN.md §8).
pub use venues::binance::execution::BINANCE_WS_API_URL;
pub use venues::binance::feed::{BINANCE_REST_URL, BINANCE_WS_STREAM_URL};
use venues::kit::BackoffConfig;
pub use venues::kraken::execution::{KRAKEN_REST_URL, KRAKEN_WS_PRIVATE_URL};
pub use venues::kraken::feed::KRAKEN_WS_PUBLIC_URL;
use venues::kraken::rate_limit::Tier;
/// Kraken's heartbeat comes about once a second on a healthy connection, so a stream silent
/// for this long is stale, quiet market or not.
pub const DEFAULT_STALE_AFTER_MS: u64 = 5_000;
/// Binance sends nothing on a quiet stream (its pings are not data), so its streams get longer:
/// a liquid pair trades many times in this window.
pub const DEFAULT_BINANCE_STALE_AFTER_MS: u64 = 10_000;
/// How often a venue's trading rules (increments, minimums, each symbol's status) are fetched
/// again while the host runs: a symbol the venue moves to cancel-only, or back, is refused (or
/// taken) by risk within this long.
pub const DEFAULT_RULES_REFRESH_S: u64 = 300;
/// The most `recvWindow` Binance takes.
pub const MAX_RECV_WINDOW_MS: u64 = 60_000;

/// Every venue the host knows. A table for an unknown venue is refused by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawVenues {
    pub kraken: RawKraken,
    pub binance: RawBinance,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawKraken {
    /// Also enabled by `run --venue kraken`.
    pub enabled: bool,
    /// What `*` in a strategy's subscription means on this venue.
    pub symbols: Vec<String>,
    pub rest_url: String,
    pub ws_public_url: String,
    pub ws_private_url: String,
    /// Names of environment variables holding the credentials.
    pub api_key_env: String,
    pub api_secret_env: String,
    /// A stream with no message for this long is stale: risk refuses new orders on its symbol.
    pub stale_after_ms: u64,
    /// The pairs' rules (`AssetPairs`: increments, minimums, status) are fetched again this often.
    pub rules_refresh_s: u64,
    /// Reconnect backoff: the first retry goes at once, then up to this, doubling...
    pub reconnect_initial_ms: u64,
    /// ...to at most this.
    pub reconnect_max_ms: u64,
    /// The account's verification tier (`starter`, `intermediate`, `pro`): it sets Kraken's
    /// per-pair rate counter, which the host keeps so that orders Kraken would refuse for
    /// their rate are refused before they are sent.
    pub tier: String,
    /// The rate counter's maximum and decay per second, for an account whose limits are its
    /// own (and local exchanges): both set, they replace the tier's.
    pub rate_counter_max: Option<u32>,
    pub rate_counter_decay_per_s: Option<Decimal>,
    /// The dead-man switch (`cancel_all_orders_after`): Kraken cancels every open order this
    /// many seconds after it last heard from the host. 0 turns it off.
    pub dead_man_timeout_s: u64,
    /// An order request unanswered for this long has an unknown outcome: it is settled by a
    /// query, never sent again.
    pub request_timeout_ms: u64,
    /// Whether new orders go over REST `AddOrder` while the order socket is down.
    pub rest_orders_when_down: bool,
    /// What reconciliation does with an open order the venue has and the host does not know:
    /// `report` (the default: it may be an operator's or another system's, so it is left
    /// working) or `cancel` (for an account only the host trades on).
    pub unknown_orders: String,
}

impl Default for RawKraken {
    fn default() -> Self {
        Self {
            enabled: false,
            symbols: vec!["BTC/USD".into()],
            rest_url: KRAKEN_REST_URL.into(),
            ws_public_url: KRAKEN_WS_PUBLIC_URL.into(),
            ws_private_url: KRAKEN_WS_PRIVATE_URL.into(),
            api_key_env: "KRAKEN_API_KEY".into(),
            api_secret_env: "KRAKEN_API_SECRET".into(),
            stale_after_ms: DEFAULT_STALE_AFTER_MS,
            rules_refresh_s: DEFAULT_RULES_REFRESH_S,
            reconnect_initial_ms: 250,
            reconnect_max_ms: 30_000,
            tier: "starter".into(),
            rate_counter_max: None,
            rate_counter_decay_per_s: None,
            dead_man_timeout_s: 60,
            request_timeout_ms: 5_000,
            rest_orders_when_down: false,
            unknown_orders: UnknownOrders::default().code().into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawBinance {
    /// Also enabled by `run --venue binance`.
    pub enabled: bool,
    /// What `*` in a strategy's subscription means on this venue.
    pub symbols: Vec<String>,
    /// REST: `exchangeInfo`, depth snapshots, the clock, the queries while the WebSocket API
    /// is down.
    pub rest_url: String,
    /// The market streams (`/stream` is appended).
    pub ws_stream_url: String,
    /// The WebSocket API: orders and the account's user data.
    pub ws_api_url: String,
    /// Names of environment variables holding the credentials: the API key, and either the
    /// HMAC secret or the path of an Ed25519 PEM file (which wins when set).
    pub api_key_env: String,
    pub api_secret_env: String,
    pub private_key_path_env: String,
    /// A stream with no message for this long is stale: risk refuses new orders on its symbol.
    pub stale_after_ms: u64,
    /// The symbols' rules (`exchangeInfo`: filters, status) are fetched again this often.
    pub rules_refresh_s: u64,
    /// Reconnect backoff: the first retry goes at once, then up to this, doubling...
    pub reconnect_initial_ms: u64,
    /// ...to at most this.
    pub reconnect_max_ms: u64,
    /// An order request unanswered for this long has an unknown outcome: it is settled by a
    /// query, never sent again.
    pub request_timeout_ms: u64,
    /// `recvWindow` of signed requests; absent leaves Binance's own (5,000 ms).
    pub recv_window_ms: Option<u64>,
    /// What reconciliation does with an open order the venue has and the host does not know:
    /// `report` (the default: it may be an operator's or another system's, so it is left
    /// working) or `cancel` (for an account only the host trades on).
    pub unknown_orders: String,
}

impl Default for RawBinance {
    fn default() -> Self {
        Self {
            enabled: false,
            symbols: vec!["BTC/USDT".into()],
            rest_url: BINANCE_REST_URL.into(),
            ws_stream_url: BINANCE_WS_STREAM_URL.into(),
            ws_api_url: BINANCE_WS_API_URL.into(),
            api_key_env: "BINANCE_API_KEY".into(),
            api_secret_env: "BINANCE_API_SECRET".into(),
            private_key_path_env: "BINANCE_PRIVATE_KEY".into(),
            stale_after_ms: DEFAULT_BINANCE_STALE_AFTER_MS,
            rules_refresh_s: DEFAULT_RULES_REFRESH_S,
            reconnect_initial_ms: 250,
            reconnect_max_ms: 30_000,
            request_timeout_ms: 10_000,
            recv_window_ms: None,
            unknown_orders: UnknownOrders::default().code().into(),
        }
    }
}

/// Which kind of venue, with its own settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueKind {
    Kraken(KrakenSettings),
    Binance(BinanceSettings),
}

/// A venue's reconnect backoff, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    pub initial: Duration,
    pub max: Duration,
}

impl Reconnect {
    /// The kit's backoff over these bounds (full jitter, the first retry at once).
    pub fn backoff(self) -> BackoffConfig {
        BackoffConfig {
            initial: self.initial,
            max: self.max,
            ..BackoffConfig::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KrakenSettings {
    pub rest_url: String,
    pub ws_public_url: String,
    pub ws_private_url: String,
    pub api_key_env: String,
    pub api_secret_env: String,
    pub reconnect: Reconnect,
    pub tier: Tier,
    /// `None`: off.
    pub dead_man: Option<Duration>,
    pub request_timeout: Duration,
    pub rest_orders_when_down: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinanceSettings {
    pub rest_url: String,
    pub ws_stream_url: String,
    pub ws_api_url: String,
    pub api_key_env: String,
    pub api_secret_env: String,
    pub private_key_path_env: String,
    pub reconnect: Reconnect,
    pub request_timeout: Duration,
    pub recv_window_ms: Option<u64>,
}

/// One enabled venue, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueConfig {
    pub name: VenueId,
    pub symbols: Vec<Symbol>,
    pub stale_after: Duration,
    /// How often the venue's trading rules are fetched again.
    pub rules_refresh: Duration,
    /// What reconciliation does with orders of the venue the host does not know.
    pub unknown_orders: UnknownOrders,
    pub kind: VenueKind,
}

/// How orders on live venues are executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExecutionMode {
    /// Simulated fills on the venue's live data (`run --paper`).
    #[default]
    Paper,
    /// Orders go to the venue.
    Live,
}

impl ExecutionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionMode::Paper => "paper",
            ExecutionMode::Live => "live",
        }
    }
}

impl RawVenues {
    /// The enabled venues, checked; every problem names its key.
    pub(super) fn resolve(&self, problems: &mut Vec<String>) -> Vec<VenueConfig> {
        let mut venues = Vec::new();
        if self.kraken.enabled {
            venues.push(self.kraken.resolve(problems));
        }
        if self.binance.enabled {
            venues.push(self.binance.resolve(problems));
        }
        venues
    }

    /// Enables the venue `name` (`run --venue NAME`).
    ///
    /// # Errors
    ///
    /// The names of the venues there are, when there is no such venue.
    pub fn enable(&mut self, name: &str) -> Result<(), String> {
        match name {
            "kraken" => self.kraken.enabled = true,
            "binance" => self.binance.enabled = true,
            other => return Err(format!("--venue {other:?}: no such venue; expected kraken or binance")),
        }
        Ok(())
    }
}

impl RawKraken {
    fn resolve(&self, problems: &mut Vec<String>) -> VenueConfig {
        let table = Table("kraken");
        let symbols = table.symbols(&self.symbols, problems);
        table.urls(
            &[
                ("rest_url", &self.rest_url, HTTP),
                ("ws_public_url", &self.ws_public_url, WS),
                ("ws_private_url", &self.ws_private_url, WS),
            ],
            problems,
        );
        table.env_names(
            &[
                ("api_key_env", &self.api_key_env),
                ("api_secret_env", &self.api_secret_env),
            ],
            problems,
        );
        let stale_after = table.positive_ms("stale_after_ms", self.stale_after_ms, problems);
        let reconnect = table.reconnect(self.reconnect_initial_ms, self.reconnect_max_ms, problems);
        let tier = resolve_tier(self, problems);
        // Kraken takes timeouts under a day; below 5 s a re-arm every quarter of it is
        // more traffic than protection.
        if self.dead_man_timeout_s != 0 && !(5..86_400).contains(&self.dead_man_timeout_s) {
            problems.push(format!(
                "venues.kraken.dead_man_timeout_s = {}: expected 0 (off) or 5 to 86399 seconds",
                self.dead_man_timeout_s
            ));
        }
        let request_timeout = table.positive_ms("request_timeout_ms", self.request_timeout_ms, problems);
        VenueConfig {
            name: VenueId::new("kraken"),
            symbols,
            stale_after,
            rules_refresh: table.rules_refresh(self.rules_refresh_s, problems),
            unknown_orders: table.unknown_orders(&self.unknown_orders, problems),
            kind: VenueKind::Kraken(KrakenSettings {
                rest_url: self.rest_url.clone(),
                ws_public_url: self.ws_public_url.clone(),
                ws_private_url: self.ws_private_url.clone(),
                api_key_env: self.api_key_env.clone(),
                api_secret_env: self.api_secret_env.clone(),
                reconnect,
                tier,
                dead_man: (self.dead_man_timeout_s > 0).then(|| Duration::from_secs(self.dead_man_timeout_s)),
                request_timeout,
                rest_orders_when_down: self.rest_orders_when_down,
            }),
        }
    }
}

impl RawBinance {
    fn resolve(&self, problems: &mut Vec<String>) -> VenueConfig {
        let table = Table("binance");
        let symbols = table.symbols(&self.symbols, problems);
        table.urls(
            &[
                ("rest_url", &self.rest_url, HTTP),
                ("ws_stream_url", &self.ws_stream_url, WS),
                ("ws_api_url", &self.ws_api_url, WS),
            ],
            problems,
        );
        table.env_names(
            &[
                ("api_key_env", &self.api_key_env),
                ("api_secret_env", &self.api_secret_env),
                ("private_key_path_env", &self.private_key_path_env),
            ],
            problems,
        );
        let stale_after = table.positive_ms("stale_after_ms", self.stale_after_ms, problems);
        let reconnect = table.reconnect(self.reconnect_initial_ms, self.reconnect_max_ms, problems);
        let request_timeout = table.positive_ms("request_timeout_ms", self.request_timeout_ms, problems);
        if let Some(window) = self.recv_window_ms.filter(|w| !(1..=MAX_RECV_WINDOW_MS).contains(w)) {
            problems.push(format!(
                "venues.binance.recv_window_ms = {window}: expected 1 to {MAX_RECV_WINDOW_MS} (Binance's maximum)"
            ));
        }
        VenueConfig {
            name: VenueId::new("binance"),
            symbols,
            stale_after,
            rules_refresh: table.rules_refresh(self.rules_refresh_s, problems),
            unknown_orders: table.unknown_orders(&self.unknown_orders, problems),
            kind: VenueKind::Binance(BinanceSettings {
                rest_url: self.rest_url.clone(),
                ws_stream_url: self.ws_stream_url.clone(),
                ws_api_url: self.ws_api_url.clone(),
                api_key_env: self.api_key_env.clone(),
                api_secret_env: self.api_secret_env.clone(),
                private_key_path_env: self.private_key_path_env.clone(),
                reconnect,
                request_timeout,
                recv_window_ms: self.recv_window_ms,
            }),
        }
    }
}

const HTTP: [&str; 2] = ["http://", "https://"];
const WS: [&str; 2] = ["ws://", "wss://"];

/// The checks every `[venues.NAME]` table shares, each problem named `venues.NAME.key`.
#[derive(Clone, Copy)]
struct Table(&'static str);

impl Table {
    fn unknown_orders(self, word: &str, problems: &mut Vec<String>) -> UnknownOrders {
        UnknownOrders::parse(word).unwrap_or_else(|| {
            let words: Vec<&str> = UnknownOrders::ALL.iter().map(|rule| rule.code()).collect();
            problems.push(format!(
                "venues.{}.unknown_orders = {word:?}: expected one of {}",
                self.0,
                words.join(", ")
            ));
            UnknownOrders::default()
        })
    }

    fn symbols(self, texts: &[String], problems: &mut Vec<String>) -> Vec<Symbol> {
        let key = format!("venues.{}.symbols", self.0);
        if texts.is_empty() {
            problems.push(format!("{key} = []: expected at least one symbol like \"BTC/USD\""));
        }
        texts
            .iter()
            .filter_map(|text| match Symbol::new(text) {
                Ok(symbol) => Some(symbol),
                Err(_) => {
                    problems.push(format!(
                        "{key}: {text:?} is not a symbol: expected BASE/QUOTE like BTC/USD"
                    ));
                    None
                }
            })
            .collect()
    }

    /// Each URL starts with one of its schemes.
    fn urls(self, urls: &[(&str, &String, [&str; 2])], problems: &mut Vec<String>) {
        for (key, url, schemes) in urls {
            if !schemes.iter().any(|scheme| url.starts_with(scheme)) {
                problems.push(format!(
                    "venues.{}.{key} = {url:?}: expected a URL starting with {}",
                    self.0,
                    schemes.join(" or ")
                ));
            }
        }
    }

    /// Each is the name of an environment variable: a secret pasted in its place is refused
    /// (and not repeated beyond the key it was found under).
    fn env_names(self, names: &[(&str, &String)], problems: &mut Vec<String>) {
        for (key, name) in names {
            let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                problems.push(format!(
                    "venues.{}.{key} = {name:?}: expected the name of an environment variable (letters, digits, `_`), not its value",
                    self.0
                ));
            }
        }
    }

    fn positive_ms(self, key: &str, ms: u64, problems: &mut Vec<String>) -> Duration {
        if ms == 0 {
            problems.push(format!("venues.{}.{key} = 0: expected at least 1", self.0));
        }
        Duration::from_millis(ms)
    }

    /// At least a second (each refresh is a request the venue weighs), at most a day.
    fn rules_refresh(self, seconds: u64, problems: &mut Vec<String>) -> Duration {
        if !(1..=86_400).contains(&seconds) {
            problems.push(format!(
                "venues.{}.rules_refresh_s = {seconds}: expected 1 to 86400 seconds",
                self.0
            ));
        }
        Duration::from_secs(seconds)
    }

    fn reconnect(self, initial_ms: u64, max_ms: u64, problems: &mut Vec<String>) -> Reconnect {
        if max_ms < initial_ms {
            problems.push(format!(
                "venues.{}.reconnect_max_ms = {max_ms}: expected at least reconnect_initial_ms ({initial_ms})",
                self.0
            ));
        }
        Reconnect {
            initial: Duration::from_millis(initial_ms),
            max: Duration::from_millis(max_ms),
        }
    }
}

/// The tier named, or the custom counter when both of its keys are set.
fn resolve_tier(kraken: &RawKraken, problems: &mut Vec<String>) -> Tier {
    let named = match kraken.tier.as_str() {
        "starter" => Tier::Starter,
        "intermediate" => Tier::Intermediate,
        "pro" => Tier::Pro,
        other => {
            problems.push(format!(
                "venues.kraken.tier = {other:?}: expected \"starter\", \"intermediate\" or \"pro\""
            ));
            Tier::Starter
        }
    };
    match (kraken.rate_counter_max, kraken.rate_counter_decay_per_s) {
        (None, None) => named,
        (Some(max), Some(decay)) => {
            let milli = (decay * Decimal::ONE_THOUSAND)
                .to_u32()
                .filter(|m| *m > 0 && max > 0 && decay.scale() <= 3);
            match milli {
                Some(decay_milli_per_s) => Tier::Custom { max, decay_milli_per_s },
                None => {
                    problems.push(format!(
                        "venues.kraken.rate_counter_max = {max}, rate_counter_decay_per_s = {decay}: expected a maximum above 0 and a decay above 0 with at most 3 decimals"
                    ));
                    named
                }
            }
        }
        _ => {
            problems
                .push("venues.kraken.rate_counter_max and rate_counter_decay_per_s: expected both or neither".into());
            named
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_venue_is_not_resolved_and_bad_keys_are_named() {
        let mut problems = Vec::new();
        assert!(RawVenues::default().resolve(&mut problems).is_empty());
        let raw = RawVenues {
            kraken: RawKraken {
                enabled: true,
                symbols: vec!["BTCUSD".into()],
                ws_public_url: "https://ws.kraken.com".into(),
                api_secret_env: "kQH5HW/8p1uGOVjbgWA7Fu==".into(),
                tier: "gold".into(),
                rate_counter_max: Some(100),
                dead_man_timeout_s: 2,
                unknown_orders: "adopt".into(),
                ..RawKraken::default()
            },
            ..RawVenues::default()
        };
        raw.resolve(&mut problems);
        let text = problems.join("\n");
        assert!(text.contains("venues.kraken.symbols: \"BTCUSD\""), "{text}");
        assert!(text.contains("venues.kraken.ws_public_url"), "{text}");
        assert!(text.contains("venues.kraken.api_secret_env"), "{text}");
        assert!(text.contains("venues.kraken.tier = \"gold\""), "{text}");
        assert!(text.contains("venues.kraken.dead_man_timeout_s = 2"), "{text}");
        assert!(text.contains("expected both or neither"), "{text}");
        assert!(
            text.contains("venues.kraken.unknown_orders = \"adopt\": expected one of report, cancel"),
            "{text}"
        );
        assert_eq!(problems.len(), 7);
    }

    #[test]
    fn binance_resolves_with_its_defaults_and_names_its_bad_keys() {
        let mut problems = Vec::new();
        let mut raw = RawVenues::default();
        raw.enable("binance").unwrap();
        let venues = raw.resolve(&mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let [venue] = &venues[..] else {
            panic!("one venue: {venues:?}")
        };
        assert_eq!(
            (venue.name.as_str(), venue.symbols[0].as_str()),
            ("binance", "BTC/USDT")
        );
        let VenueKind::Binance(binance) = &venue.kind else {
            panic!("a Binance venue: {venue:?}")
        };
        assert_eq!(binance.ws_api_url, BINANCE_WS_API_URL);
        assert_eq!(binance.private_key_path_env, "BINANCE_PRIVATE_KEY");
        assert_eq!(binance.recv_window_ms, None);
        assert_eq!(venue.unknown_orders, UnknownOrders::Report, "left working unless told");

        raw.binance = RawBinance {
            enabled: true,
            symbols: vec![],
            rest_url: "wss://api.binance.com".into(),
            ws_stream_url: "https://stream.binance.com:9443".into(),
            ws_api_url: "ws-api.binance.com".into(),
            private_key_path_env: "/home/me/key.pem".into(),
            stale_after_ms: 0,
            reconnect_initial_ms: 500,
            reconnect_max_ms: 100,
            request_timeout_ms: 0,
            recv_window_ms: Some(60_001),
            unknown_orders: "cancel".into(),
            ..RawBinance::default()
        };
        raw.resolve(&mut problems);
        let text = problems.join("\n");
        for key in [
            "venues.binance.symbols = []",
            "venues.binance.rest_url",
            "venues.binance.ws_stream_url",
            "venues.binance.ws_api_url",
            "venues.binance.private_key_path_env",
            "venues.binance.stale_after_ms = 0",
            "venues.binance.reconnect_max_ms = 100",
            "venues.binance.request_timeout_ms = 0",
            "venues.binance.recv_window_ms = 60001",
        ] {
            assert!(text.contains(key), "{key} missing from: {text}");
        }
        assert_eq!(problems.len(), 9, "{text}");
        assert!(!text.contains("kraken"), "{text}");
    }

    #[test]
    fn both_venues_resolve_side_by_side() {
        let mut raw = RawVenues::default();
        raw.enable("binance").unwrap();
        raw.enable("kraken").unwrap();
        let mut problems = Vec::new();
        let names: Vec<String> = raw.resolve(&mut problems).iter().map(|v| v.name.to_string()).collect();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(names, ["kraken", "binance"]);
    }

    #[test]
    fn only_known_venues_can_be_enabled() {
        let mut raw = RawVenues::default();
        raw.enable("kraken").unwrap();
        assert!(raw.kraken.enabled);
        assert!(!raw.binance.enabled);
        raw.enable("binance").unwrap();
        assert!(raw.binance.enabled);
        let refused = raw.enable("mtgox").unwrap_err();
        assert!(
            refused.contains("no such venue") && refused.contains("binance"),
            "{refused}"
        );
    }
}

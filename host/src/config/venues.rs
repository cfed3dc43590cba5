//! The `[venues.NAME]` tables of the config: which live venues the host connects to, where,
//! and with which credentials' environment variable names (never the secrets themselves).

use std::time::Duration;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;
use trading::market::Symbol;
use trading::orders::VenueId;

// Kraken's production endpoints (DESIGN.md §8).
pub use venues::kraken::execution::{KRAKEN_REST_URL, KRAKEN_WS_PRIVATE_URL};
pub use venues::kraken::feed::KRAKEN_WS_PUBLIC_URL;
use venues::kraken::rate_limit::Tier;
/// Kraken's heartbeat comes about once a second on a healthy connection, so a stream silent
/// for this long is stale, quiet market or not.
pub const DEFAULT_STALE_AFTER_MS: u64 = 5_000;

/// Every venue the host knows. A table for an unknown venue is refused by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawVenues {
    pub kraken: RawKraken,
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
            reconnect_initial_ms: 250,
            reconnect_max_ms: 30_000,
            tier: "starter".into(),
            rate_counter_max: None,
            rate_counter_decay_per_s: None,
            dead_man_timeout_s: 60,
            request_timeout_ms: 5_000,
            rest_orders_when_down: false,
        }
    }
}

/// Which kind of venue, with its own settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueKind {
    Kraken(KrakenSettings),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KrakenSettings {
    pub rest_url: String,
    pub ws_public_url: String,
    pub ws_private_url: String,
    pub api_key_env: String,
    pub api_secret_env: String,
    pub reconnect_initial: Duration,
    pub reconnect_max: Duration,
    pub tier: Tier,
    /// `None`: off.
    pub dead_man: Option<Duration>,
    pub request_timeout: Duration,
    pub rest_orders_when_down: bool,
}

/// One enabled venue, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueConfig {
    pub name: VenueId,
    pub symbols: Vec<Symbol>,
    pub stale_after: Duration,
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
        let kraken = &self.kraken;
        if kraken.enabled {
            let symbols = resolve_symbols("venues.kraken.symbols", &kraken.symbols, problems);
            for (key, url, schemes) in [
                ("rest_url", &kraken.rest_url, ["http://", "https://"]),
                ("ws_public_url", &kraken.ws_public_url, ["ws://", "wss://"]),
                ("ws_private_url", &kraken.ws_private_url, ["ws://", "wss://"]),
            ] {
                if !schemes.iter().any(|scheme| url.starts_with(scheme)) {
                    problems.push(format!(
                        "venues.kraken.{key} = {url:?}: expected a URL starting with {}",
                        schemes.join(" or ")
                    ));
                }
            }
            for (key, name) in [
                ("api_key_env", &kraken.api_key_env),
                ("api_secret_env", &kraken.api_secret_env),
            ] {
                let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if !valid {
                    problems.push(format!(
                        "venues.kraken.{key} = {name:?}: expected the name of an environment variable (letters, digits, `_`), not its value"
                    ));
                }
            }
            if kraken.stale_after_ms == 0 {
                problems.push("venues.kraken.stale_after_ms = 0: expected at least 1".into());
            }
            if kraken.reconnect_max_ms < kraken.reconnect_initial_ms {
                problems.push(format!(
                    "venues.kraken.reconnect_max_ms = {}: expected at least reconnect_initial_ms ({})",
                    kraken.reconnect_max_ms, kraken.reconnect_initial_ms
                ));
            }
            let tier = resolve_tier(kraken, problems);
            // Kraken takes timeouts under a day; below 5 s a re-arm every quarter of it is
            // more traffic than protection.
            if kraken.dead_man_timeout_s != 0 && !(5..86_400).contains(&kraken.dead_man_timeout_s) {
                problems.push(format!(
                    "venues.kraken.dead_man_timeout_s = {}: expected 0 (off) or 5 to 86399 seconds",
                    kraken.dead_man_timeout_s
                ));
            }
            if kraken.request_timeout_ms == 0 {
                problems.push("venues.kraken.request_timeout_ms = 0: expected at least 1".into());
            }
            venues.push(VenueConfig {
                name: VenueId::new("kraken"),
                symbols,
                stale_after: Duration::from_millis(kraken.stale_after_ms),
                kind: VenueKind::Kraken(KrakenSettings {
                    rest_url: kraken.rest_url.clone(),
                    ws_public_url: kraken.ws_public_url.clone(),
                    ws_private_url: kraken.ws_private_url.clone(),
                    api_key_env: kraken.api_key_env.clone(),
                    api_secret_env: kraken.api_secret_env.clone(),
                    reconnect_initial: Duration::from_millis(kraken.reconnect_initial_ms),
                    reconnect_max: Duration::from_millis(kraken.reconnect_max_ms),
                    tier,
                    dead_man: (kraken.dead_man_timeout_s > 0).then(|| Duration::from_secs(kraken.dead_man_timeout_s)),
                    request_timeout: Duration::from_millis(kraken.request_timeout_ms),
                    rest_orders_when_down: kraken.rest_orders_when_down,
                }),
            });
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
            "kraken" => {
                self.kraken.enabled = true;
                Ok(())
            }
            other => Err(format!("--venue {other:?}: no such venue; expected kraken")),
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

fn resolve_symbols(key: &str, texts: &[String], problems: &mut Vec<String>) -> Vec<Symbol> {
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
                ..RawKraken::default()
            },
        };
        raw.resolve(&mut problems);
        let text = problems.join("\n");
        assert!(text.contains("venues.kraken.symbols: \"BTCUSD\""), "{text}");
        assert!(text.contains("venues.kraken.ws_public_url"), "{text}");
        assert!(text.contains("venues.kraken.api_secret_env"), "{text}");
        assert!(text.contains("venues.kraken.tier = \"gold\""), "{text}");
        assert!(text.contains("venues.kraken.dead_man_timeout_s = 2"), "{text}");
        assert!(text.contains("expected both or neither"), "{text}");
        assert_eq!(problems.len(), 6);
    }

    #[test]
    fn only_known_venues_can_be_enabled() {
        let mut raw = RawVenues::default();
        raw.enable("kraken").unwrap();
        assert!(raw.kraken.enabled);
        assert!(raw.enable("mtgox").unwrap_err().contains("no such venue"));
    }
}

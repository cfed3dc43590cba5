//! Each venue's trading rules (increments and minimums of every pair, and its status), fetched
//! at start on the runtime, asked again until the venue answers, handed to the desk's risk
//! checks once they are in, and fetched again every `rules_refresh` after that: a pair the
//! venue moves to cancel-only or back (or whose increments change) is refused or taken by risk
//! from the next refresh on. Until the first answer orders go as the strategies sized them and
//! the venue judges them.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use trading::desk::Desk;
use trading::market::{Instrument, Symbol};
use trading::orders::VenueId;
use venues::binance::rest::BinanceRest;
use venues::kit::VenueObserver;
use venues::kraken::rest::KrakenRest;

/// Waits between attempts, to at most a minute.
const RETRY_FIRST: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(60);
/// One request for the rules, at most.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a venue's rules come from.
pub enum RulesSource {
    /// Kraken's `AssetPairs`.
    Kraken(KrakenRest),
    /// Binance's `exchangeInfo`.
    Binance(BinanceRest),
}

impl RulesSource {
    pub fn kraken(rest_url: &str, observer: Arc<dyn VenueObserver>) -> Self {
        Self::Kraken(KrakenRest::new(rest_url, None, REQUEST_TIMEOUT, observer))
    }

    pub fn binance(rest_url: &str, observer: Arc<dyn VenueObserver>) -> Self {
        Self::Binance(BinanceRest::new(rest_url, REQUEST_TIMEOUT, observer))
    }

    async fn fetch(&self) -> Result<Vec<(Symbol, Instrument)>, String> {
        match self {
            Self::Kraken(rest) => venues::kraken::instruments::fetch(rest)
                .await
                .map_err(|e| e.to_string()),
            Self::Binance(rest) => venues::binance::instruments::fetch(rest)
                .await
                .map_err(|e| e.to_string()),
        }
    }
}

/// One venue's rules, on their way to the desk.
pub struct Instruments {
    venue: VenueId,
    arriving: Option<mpsc::Receiver<Vec<(Symbol, Instrument)>>>,
    /// Whether the desk has had a set of rules yet (the first is logged, later ones by change).
    applied: bool,
}

impl Instruments {
    /// Starts fetching the rules from `source` on `runtime`, asking again until it answers,
    /// then again every `refresh`.
    pub fn start(venue: VenueId, source: RulesSource, refresh: Duration, runtime: &tokio::runtime::Handle) -> Self {
        let (sender, receiver) = mpsc::channel();
        let name = venue.clone();
        runtime.spawn(async move {
            loop {
                let rules = fetch_until_answered(&source, &name).await;
                if sender.send(rules).is_err() {
                    // The host has stopped reading: nothing more to fetch for.
                    return;
                }
                tokio::time::sleep(refresh).await;
            }
        });
        Self {
            venue,
            arriving: Some(receiver),
            applied: false,
        }
    }

    /// Hands the latest rules that arrived to `desk`, and logs each pair whose status changed.
    pub fn apply(&mut self, desk: &mut Desk) {
        let Some(receiver) = &self.arriving else {
            return;
        };
        let mut latest = None;
        loop {
            match receiver.try_recv() {
                Ok(rules) => latest = Some(rules),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.arriving = None;
                    break;
                }
            }
        }
        let Some(rules) = latest else {
            return;
        };
        for (symbol, instrument) in &rules {
            let before = desk.instrument(&self.venue, symbol).map(|known| known.status());
            if self.applied && before != Some(instrument.status()) {
                tracing::warn!(venue = %self.venue, %symbol, before = ?before, now = ?instrument.status(), "a pair's trading status changed at the venue");
            }
            desk.set_instrument(&self.venue, symbol, *instrument);
        }
        if !self.applied {
            tracing::info!(venue = %self.venue, pairs = rules.len(), "trading rules in: orders are rounded onto each pair's increments");
            self.applied = true;
        }
    }
}

async fn fetch_until_answered(source: &RulesSource, venue: &VenueId) -> Vec<(Symbol, Instrument)> {
    let mut wait = RETRY_FIRST;
    loop {
        match source.fetch().await {
            Ok(rules) => return rules,
            Err(e) => {
                tracing::warn!(%venue, error = %e, retry_in = ?wait, "no trading rules yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(RETRY_MAX);
            }
        }
    }
}

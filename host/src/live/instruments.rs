//! Each venue's trading rules (increments and minimums of every pair), fetched at start on the
//! runtime, asked again until the venue answers, and handed to the desk's risk checks once
//! they are in. Until then orders go as the strategies sized them and the venue judges them.

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
}

impl Instruments {
    /// Starts fetching the rules from `source` on `runtime`, asking again until it answers.
    pub fn start(venue: VenueId, source: RulesSource, runtime: &tokio::runtime::Handle) -> Self {
        let (sender, receiver) = mpsc::channel();
        let name = venue.clone();
        runtime.spawn(async move {
            let mut wait = RETRY_FIRST;
            loop {
                match source.fetch().await {
                    Ok(rules) => {
                        let _ = sender.send(rules);
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(venue = %name, error = %e, retry_in = ?wait, "no trading rules yet");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(RETRY_MAX);
                    }
                }
            }
        });
        Self {
            venue,
            arriving: Some(receiver),
        }
    }

    /// Hands the rules to `desk` once they have arrived.
    pub fn apply(&mut self, desk: &mut Desk) {
        let Some(receiver) = &self.arriving else {
            return;
        };
        match receiver.try_recv() {
            Ok(rules) => {
                for (symbol, instrument) in &rules {
                    desk.set_instrument(&self.venue, symbol, *instrument);
                }
                tracing::info!(venue = %self.venue, pairs = rules.len(), "trading rules in: orders are rounded onto each pair's increments");
                self.arriving = None;
            }
            Err(mpsc::TryRecvError::Empty) => {}
            Err(mpsc::TryRecvError::Disconnected) => self.arriving = None,
        }
    }
}

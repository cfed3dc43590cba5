//! Each venue's trading rules (increments and minimums of every pair), fetched at start on the
//! runtime, asked again until the venue answers, and handed to the desk's risk checks once
//! they are in. Until then orders go as the strategies sized them and the venue judges them.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use trading::desk::Desk;
use trading::market::{Instrument, Symbol};
use trading::orders::VenueId;
use venues::kit::VenueObserver;
use venues::kraken::instruments;
use venues::kraken::rest::KrakenRest;

/// Waits between attempts, to at most a minute.
const RETRY_FIRST: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(60);

/// One venue's rules, on their way to the desk.
pub struct Instruments {
    venue: VenueId,
    arriving: Option<mpsc::Receiver<Vec<(Symbol, Instrument)>>>,
}

impl Instruments {
    /// Starts fetching Kraken's `AssetPairs` from `rest_url`.
    pub fn kraken(
        venue: VenueId,
        rest_url: &str,
        runtime: &tokio::runtime::Handle,
        observer: Arc<dyn VenueObserver>,
    ) -> Self {
        let (sender, receiver) = mpsc::channel();
        let rest = KrakenRest::new(rest_url, None, Duration::from_secs(10), observer);
        let name = venue.clone();
        runtime.spawn(async move {
            let mut wait = RETRY_FIRST;
            loop {
                match instruments::fetch(&rest).await {
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

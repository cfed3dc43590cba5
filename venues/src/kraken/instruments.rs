//! Every Kraken pair's trading rules (price and quantity increments, minimum quantity and
//! cost) from REST `AssetPairs`, as the host's [`Instrument`]s: risk rounds orders onto them
//! and refuses what falls below them, before Kraken would.

use trading::market::{Instrument, Symbol};

use super::rest::{KrakenRest, RestCallError};
use super::wire::rest::{self, AssetPair, RestError};

/// Why the rules could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InstrumentsError {
    #[error(transparent)]
    Call(#[from] RestCallError),
    #[error(transparent)]
    Answer(#[from] RestError),
}

/// Every pair's rules. A pair whose fields make no rule is left out and logged: one odd pair
/// does not keep the others from trading.
///
/// # Errors
///
/// [`InstrumentsError`] when `AssetPairs` gave no readable answer.
pub async fn fetch(rest: &KrakenRest) -> Result<Vec<(Symbol, Instrument)>, InstrumentsError> {
    Ok(asset_pairs(rest)
        .await?
        .iter()
        .filter_map(|pair| match pair.instrument() {
            Ok(instrument) => Some((pair.symbol.clone(), instrument)),
            Err(e) => {
                tracing::warn!(pair = %pair.name, error = %e, "a pair without usable trading rules is left out");
                None
            }
        })
        .collect())
}

/// Every pair as `AssetPairs` lists it.
///
/// # Errors
///
/// [`InstrumentsError`] when `AssetPairs` gave no readable answer.
pub async fn asset_pairs(rest: &KrakenRest) -> Result<Vec<AssetPair>, InstrumentsError> {
    let body = rest.public("AssetPairs", rest::asset_pairs(&[])).await?;
    Ok(rest::parse_asset_pairs(&body)?)
}

//! The config table that points a host at a local Kraken (`local-venues/kraken`).

use local_kraken::LocalKraken;

use super::venue_table;

/// `[venues.kraken]` on `kraken`'s endpoints, enabled for BTC/USD (see [`venue_table`]).
pub fn kraken_venue(kraken: &LocalKraken, extra: &str) -> String {
    venue_table(
        "kraken",
        "BTC/USD",
        &[
            ("rest_url", kraken.rest_url()),
            ("ws_public_url", kraken.ws_public_url()),
            ("ws_private_url", kraken.ws_private_url()),
        ],
        extra,
    )
}

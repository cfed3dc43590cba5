//! The config table that points a host at a local Kraken (`local-venues/kraken`).

use local_kraken::LocalKraken;

/// `[venues.kraken]` on `kraken`'s endpoints, enabled for BTC/USD, reconnecting within
/// milliseconds (a test drops connections on purpose); `extra` lines join the table.
pub fn kraken_venue(kraken: &LocalKraken, extra: &str) -> String {
    format!(
        "[venues.kraken]\nenabled = true\nsymbols = [\"BTC/USD\"]\nrest_url = \"{}\"\nws_public_url = \"{}\"\nws_private_url = \"{}\"\nreconnect_initial_ms = 20\nreconnect_max_ms = 200\n{extra}\n",
        kraken.rest_url(),
        kraken.ws_public_url(),
        kraken.ws_private_url(),
    )
}

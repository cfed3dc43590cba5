//! A local Binance (`local-venues/binance`) for the host's tests, and the config table that
//! points a host at it.

use local_binance::{LocalBinance, LocalBinanceConfig};
use rust_decimal::Decimal;

use super::venue_table;

/// The local Binance with a BTCUSDT book around 30,000. `running_clock`: the exchange clock
/// runs with the wall clock, as signed requests need (their timestamps are the host's); without
/// it the clock moves only by `advance_to`, so a test plays minutes in moments.
pub fn start_binance(running_clock: bool) -> LocalBinance {
    start_binance_with(LocalBinanceConfig {
        running_clock,
        ..LocalBinanceConfig::default()
    })
}

/// [`start_binance`] with `config`.
pub fn start_binance_with(config: LocalBinanceConfig) -> LocalBinance {
    let binance = LocalBinance::start(config).expect("the local Binance starts");
    let level = |price: i64, qty: i64| (Decimal::from(price), Decimal::from(qty));
    binance
        .set_levels(
            "BTCUSDT",
            &[level(29_990, 1), level(29_980, 2)],
            &[level(30_010, 1), level(30_020, 2)],
        )
        .expect("BTCUSDT is listed");
    binance
}

/// `[venues.binance]` on `binance`'s endpoints, enabled for BTC/USDT (see [`venue_table`]).
pub fn binance_venue(binance: &LocalBinance, extra: &str) -> String {
    venue_table(
        "binance",
        "BTC/USDT",
        &[
            ("rest_url", binance.rest_url()),
            ("ws_stream_url", binance.ws_stream_url()),
            ("ws_api_url", binance.ws_api_url()),
        ],
        extra,
    )
}

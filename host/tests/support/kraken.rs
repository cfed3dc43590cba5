//! What a test against a local Kraken (`local-venues/kraken`) needs: the exchange with a BTC/USD
//! book, the config table that points a host at it, the `orders` guest trading it, and the host
//! started with the exchange's credentials.

use std::path::{Path, PathBuf};

use local_kraken::{LocalKraken, LocalKrakenConfig};
use rust_decimal::Decimal;

use super::{venue_table, wasm, write_file, RunningHost};

/// The environment variables the host reads the local Kraken's credentials from.
const KEY_ENV: &str = "LOCAL_KRAKEN_TEST_KEY";
const SECRET_ENV: &str = "LOCAL_KRAKEN_TEST_SECRET";

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

/// A local Kraken started with `config`, its BTC/USD book around 30,000.
pub fn kraken_with_book(config: LocalKrakenConfig) -> LocalKraken {
    let kraken = LocalKraken::start(config).unwrap();
    let level = |price: &str| (price.parse::<Decimal>().unwrap(), Decimal::from(5));
    kraken
        .book_snapshot("BTC/USD", &[level("29990.0")], &[level("30020.0")])
        .unwrap();
    kraken
}

/// Puts the `orders` guest in `dir/strategies` and writes the config trading it live on
/// `kraken` with `params` (an inline TOML table's body, e.g. `mode = "ladder"`), `venue_extra`
/// lines in its venue table and `sandbox_extra` lines in `[sandbox]`; returns the config's path.
pub fn orders_on_kraken(
    dir: &Path,
    kraken: &LocalKraken,
    params: &str,
    venue_extra: &str,
    sandbox_extra: &str,
) -> PathBuf {
    let strategies = dir.join("strategies");
    std::fs::create_dir_all(&strategies).unwrap();
    std::fs::copy(wasm("orders"), strategies.join("orders.wasm")).unwrap();
    let venue = kraken_venue(
        kraken,
        &format!(
            "api_key_env = \"{KEY_ENV}\"\napi_secret_env = \"{SECRET_ENV}\"\nrequest_timeout_ms = 1000\n{venue_extra}"
        ),
    );
    write_file(
        dir,
        "host.toml",
        &format!(
            "{venue}\n[sandbox]\ncall_deadline_ms = 2000\n{sandbox_extra}\n\n[strategies.orders]\nparams = {{ {params} }}\n"
        ),
    )
}

/// `run` on the folder [`orders_on_kraken`] set up, with `kraken`'s credentials.
pub fn start_on_kraken(dir: &Path, config: &Path, kraken: &LocalKraken) -> RunningHost {
    let env = [(KEY_ENV, kraken.api_key()), (SECRET_ENV, kraken.api_secret())];
    RunningHost::start_with_env(dir, config, 1, "info", &[], &env)
}

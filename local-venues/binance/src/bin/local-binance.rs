//! `local-binance`: a local Binance spot exchange (REST, market streams and the WebSocket API)
//! for trying the host by hand. Prints the URLs and a `[venues.binance]` block to paste into the host's TOML,
//! seeds a small BTCUSDT book, then serves until Ctrl-C.

use std::process::ExitCode;

use local_binance::{LocalBinance, LocalBinanceConfig};
use rust_decimal::Decimal;

const USAGE: &str = "usage: local-binance [--listen ADDR]

  --listen ADDR   where to listen (default 127.0.0.1:0: any free port)";

fn main() -> ExitCode {
    // Signed requests carry the client's clock: the exchange's runs with it.
    let mut config = LocalBinanceConfig {
        running_clock: true,
        ..LocalBinanceConfig::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--listen", Some(addr)) => match addr.parse() {
                Ok(addr) => config.listen = addr,
                Err(_) => {
                    eprintln!("--listen: not an address: {addr}\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let binance = match LocalBinance::start(config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("local-binance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bids: Vec<(Decimal, Decimal)> = (1..=10)
        .map(|i| (Decimal::new(3_000_000 - i, 2), Decimal::ONE))
        .collect();
    let asks: Vec<(Decimal, Decimal)> = (1..=10)
        .map(|i| (Decimal::new(3_000_000 + i, 2), Decimal::ONE))
        .collect();
    if let Err(e) = binance.set_levels("BTCUSDT", &bids, &asks) {
        eprintln!("local-binance: seeding the book: {e}");
        return ExitCode::FAILURE;
    }
    println!("local-binance listening on {}", binance.local_addr());
    println!();
    println!("[venues.binance]");
    println!("symbols = [\"BTC/USDT\"]");
    println!("rest_url = \"{}\"", binance.rest_url());
    println!("ws_stream_url = \"{}\"", binance.ws_stream_url());
    println!("ws_api_url = \"{}\"", binance.ws_api_url());
    println!();
    if let Some((key, _)) = binance.hmac_key() {
        println!("# HMAC key {key}; its secret is local_binance::DEFAULT_HMAC_SECRET (README)");
    }
    if let Some((key, _)) = binance.ed25519_key() {
        println!("# Ed25519 key {key}; its private key PEM: Control::ed25519_key");
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("local-binance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _ = runtime.block_on(tokio::signal::ctrl_c());
    binance.shutdown();
    ExitCode::SUCCESS
}

//! `local-kraken`: a local Kraken spot exchange for trading by hand or from another process.
//!
//! Prints the URLs, a `[venues.kraken]` block to paste into the host's TOML and the
//! environment variables to export, then serves until Ctrl-C. With `--bars` the exchange
//! clock follows the bars (starting at the first bar), so at more than 1/60 bars per second
//! exchange time — and with it the dead-man switch and token expiry — runs faster than the wall.

use std::path::PathBuf;
use std::process::ExitCode;

use local_kraken::{read_bars_csv, BookCapture, ClockMode, LocalKraken, LocalKrakenConfig};

const USAGE: &str = "usage: local-kraken [--listen ADDR] [--bars CSV] [--bars-symbol SYMBOL] [--bars-per-second N]
                    [--api-key KEY] [--api-secret BASE64] [--book-capture PATH]

  --listen ADDR          where to listen (default 127.0.0.1:0: any free port)
  --bars CSV             play 1-minute bars (index,date,open,high,low,close,volume) as trades
  --bars-symbol SYMBOL   the pair the bars trade on (default BTC/USD); its price precision is
                         raised to fit the bars when they need more decimals
  --bars-per-second N    pace of the bars (default 1)
  --api-key KEY          the API key (default local-kraken-key)
  --api-secret BASE64    the API secret (default: generated and printed)
  --book-capture PATH    seed BTC/USD's book from a recorded book session and replay it";

#[derive(Debug, Default)]
struct Args {
    listen: Option<String>,
    bars: Option<PathBuf>,
    bars_symbol: Option<String>,
    bars_per_second: Option<f64>,
    api_key: Option<String>,
    api_secret: Option<String>,
    book_capture: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--listen" => args.listen = Some(value),
            "--bars" => args.bars = Some(value.into()),
            "--bars-symbol" => args.bars_symbol = Some(value),
            "--bars-per-second" => {
                let n: f64 = value
                    .parse()
                    .map_err(|_| format!("--bars-per-second: not a number: {value}"))?;
                if !(n > 0.0 && n.is_finite()) {
                    return Err("--bars-per-second must be positive".into());
                }
                args.bars_per_second = Some(n);
            }
            "--api-key" => args.api_key = Some(value),
            "--api-secret" => args.api_secret = Some(value),
            "--book-capture" => args.book_capture = Some(value.into()),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut cfg = LocalKrakenConfig {
        clock: ClockMode::Wall,
        ..Default::default()
    };
    if let Some(l) = &args.listen {
        cfg.listen = l.parse().map_err(|e| format!("--listen {l}: {e}"))?;
    }
    if let Some(k) = args.api_key.clone() {
        cfg.api_key = k;
    }
    cfg.api_secret = args.api_secret.clone();
    let bars_symbol = args.bars_symbol.clone().unwrap_or_else(|| "BTC/USD".into());
    let bars = match &args.bars {
        Some(path) => {
            let bars = read_bars_csv(path)?;
            let needed = local_kraken::price_precision_needed(&bars);
            let pair = cfg
                .pairs
                .iter_mut()
                .find(|p| p.symbol == bars_symbol)
                .ok_or_else(|| format!("--bars-symbol {bars_symbol}: not a configured pair"))?;
            if pair.price_precision < needed {
                eprintln!(
                    "note: {bars_symbol} price precision raised from {} to {needed} to fit the bars",
                    pair.price_precision
                );
                pair.price_precision = needed;
            }
            cfg.clock = ClockMode::Manual;
            cfg.start_time_ms = bars.first().map(|b| b.time_ms);
            Some(bars)
        }
        None => None,
    };
    let capture = args.book_capture.as_deref().map(BookCapture::load).transpose()?;
    let kraken = LocalKraken::start(cfg)?;
    if let Some(c) = &capture {
        let n = kraken.replay_book_capture(c)?;
        eprintln!("book: {n} captured messages replayed into {}", c.snapshot.symbol);
    }
    println!("REST        {}", kraken.rest_url());
    println!("WS public   {}", kraken.ws_public_url());
    println!("WS private  {}", kraken.ws_private_url());
    println!();
    println!("[venues.kraken]");
    println!("rest_url = \"{}\"", kraken.rest_url());
    println!("ws_public_url = \"{}\"", kraken.ws_public_url());
    println!("ws_private_url = \"{}\"", kraken.ws_private_url());
    println!("api_key_env = \"KRAKEN_API_KEY\"");
    println!("api_secret_env = \"KRAKEN_API_SECRET\"");
    println!();
    println!("export KRAKEN_API_KEY='{}'", kraken.api_key());
    println!("export KRAKEN_API_SECRET='{}'", kraken.api_secret());
    let player = bars.map(|b| kraken.spawn_bar_player(&bars_symbol, b, args.bars_per_second.unwrap_or(1.0)));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    eprintln!("stopping");
    if let Some(p) = player {
        p.stop();
        if let Err(e) = p.join() {
            eprintln!("bars: {e}");
        }
    }
    kraken.shutdown();
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("local-kraken: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("local-kraken: {e}");
            ExitCode::FAILURE
        }
    }
}

//! Writes a deterministic random walk of one-minute bars as CSV, the input of the backtest
//! benchmark (see BENCHMARKS.md).
//!
//! `cargo run --release -p trading --example random_walk_csv -- BARS SEED OUT.csv`

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;

use trading::market::{write_candles_csv, RandomWalk, RandomWalkConfig, Symbol, Timeframe};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bars, seed, out] = args.as_slice() else {
        return Err("usage: random_walk_csv BARS SEED OUT.csv".into());
    };
    let bars: usize = bars.parse().map_err(|e| format!("BARS {bars:?}: {e}"))?;
    let seed: u64 = seed.parse().map_err(|e| format!("SEED {seed:?}: {e}"))?;
    let config = RandomWalkConfig {
        seed,
        ..RandomWalkConfig::new(Symbol::new("SIM/USD")?, Timeframe::MINUTE)
    };
    let file = File::create(out).map_err(|e| format!("{out}: {e}"))?;
    write_candles_csv(BufWriter::new(file), RandomWalk::new(config)?.take(bars))?;
    eprintln!("wrote {bars} bars (seed {seed}) to {out}");
    Ok(())
}

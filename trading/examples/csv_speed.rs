//! Measures the CSV bar reader: writes random-walk bars (1,000,000 unless a count is given) to
//! a temporary file, reads them back three times and prints the best rate.
//!
//! `cargo run --release -p trading --example csv_speed [rows]`

use std::error::Error;
use std::fs::{self, File};
use std::time::{Duration, Instant};

use trading::market::{read_candles_csv, write_candles_csv, RandomWalk, RandomWalkConfig, Symbol, Timeframe};

fn main() -> Result<(), Box<dyn Error>> {
    let rows: usize = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 1_000_000,
    };
    let symbol = Symbol::new("SIM/USD")?;
    let walk = RandomWalk::new(RandomWalkConfig::new(symbol.clone(), Timeframe::MINUTE))?;
    let path = std::env::temp_dir().join(format!("csv_speed_{}.csv", std::process::id()));

    let started = Instant::now();
    write_candles_csv(File::create(&path)?, walk.take(rows))?;
    let written = started.elapsed();
    let bytes = fs::metadata(&path)?.len();

    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let bars = read_candles_csv(&path, &symbol, None)?;
        best = best.min(started.elapsed());
        if bars.len() != rows {
            return Err(format!("read {} bars, wrote {rows}", bars.len()).into());
        }
    }
    fs::remove_file(&path)?;

    let seconds = best.as_secs_f64();
    println!(
        "generated and wrote {rows} bars ({:.1} MB) in {:.3} s",
        bytes as f64 / 1e6,
        written.as_secs_f64()
    );
    println!(
        "read them in {seconds:.3} s (best of 3): {:.2} M rows/s, {:.0} MB/s",
        rows as f64 / seconds / 1e6,
        bytes as f64 / seconds / 1e6
    );
    Ok(())
}

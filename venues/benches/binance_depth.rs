//! Binance's depth hot path: a `depthUpdate` frame in the combined-stream wrapper parsed
//! (`parse_stream`) and applied to a synced local book (`BinanceBook::apply_diff`). The goal
//! is ≥ 500,000 diffs a second on one core, i.e. under 2 µs a diff.
//!
//! `cargo bench -p venues --bench binance_depth`
//!
//! There is no captured Binance depth session to replay (the documented example is one diff of
//! one level a side), so the session is synthetic and deterministic: a snapshot of 1,000
//! levels a side around 30,000.00 (tick 0.01, 8 decimals as Binance writes BTCUSDT), then
//! 10,000 contiguous diffs whose levels sit near the top (offsets from the mid drawn as the
//! minimum of three uniforms over 300 ticks: half within 60 ticks), a third of them deletions,
//! the mid drifting a tick or two per diff. Three sizes of diff: `l1` (one level a side, the
//! documented example's shape), `l5` (one to ten a side, about eleven in all) and `l20`
//! (twenty a side).
//!
//! Each case runs in wall-clock time (`binance_depth/…`) and in this thread's CPU time
//! (`binance_depth_cpu/…`), because the build machine is shared.

use criterion::measurement::Measurement;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use trading::market::Symbol;
use venues::binance::book::{Applied, BinanceBook};
use venues::binance::wire::{parse_stream, DepthSnapshot, PriceLevel, StreamMessage, VenueSymbol};

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use thread_cpu::ThreadCpuTime;

const DIFFS: usize = 10_000;
const SNAPSHOT_LEVELS: i64 = 1_000;
/// The snapshot's last update id; the first diff starts right after it.
const SNAPSHOT_ID: u64 = 1_000_000;
/// The mid, in ticks of 0.01.
const MID_TICKS: i64 = 3_000_000;

/// xorshift64*: deterministic, so every run times the same session.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A price of `ticks` hundredths, written as Binance writes BTCUSDT prices.
fn price(ticks: i64) -> String {
    format!("{}.{:02}000000", ticks / 100, ticks % 100)
}

fn qty(rng: &mut Rng) -> String {
    format!("{}.{:08}", rng.below(3), rng.below(100_000_000))
}

fn snapshot() -> DepthSnapshot {
    let mut rng = Rng(7);
    let level = |ticks: i64, rng: &mut Rng| PriceLevel(price(ticks).parse().unwrap(), qty(rng).parse().unwrap());
    DepthSnapshot {
        last_update_id: SNAPSHOT_ID,
        bids: (1..=SNAPSHOT_LEVELS).map(|i| level(MID_TICKS - i, &mut rng)).collect(),
        asks: (1..=SNAPSHOT_LEVELS).map(|i| level(MID_TICKS + i, &mut rng)).collect(),
    }
}

/// `DIFFS` compact frames, `per_side(rng)` levels a side each.
fn frames(per_side: impl Fn(&mut Rng) -> u64) -> Vec<String> {
    let mut rng = Rng(42);
    let mut mid = MID_TICKS;
    let mut next_id = SNAPSHOT_ID + 1;
    let mut out = Vec::with_capacity(DIFFS);
    for i in 0..DIFFS {
        mid += rng.below(5) as i64 - 2;
        let side = |sign: i64, rng: &mut Rng| {
            let levels: Vec<String> = (0..per_side(rng))
                .map(|_| {
                    let offset = (rng.unit().min(rng.unit()).min(rng.unit()) * 300.0) as i64 + 1;
                    let q = if rng.below(3) == 0 {
                        "0.00000000".to_owned()
                    } else {
                        qty(rng)
                    };
                    format!(r#"["{}","{q}"]"#, price(mid + sign * offset))
                })
                .collect();
            levels.join(",")
        };
        let (bids, asks) = (side(-1, &mut rng), side(1, &mut rng));
        let first = next_id;
        let last = first + rng.below(20);
        next_id = last + 1;
        out.push(format!(
            r#"{{"stream":"btcusdt@depth@100ms","data":{{"e":"depthUpdate","E":{},"s":"BTCUSDT","U":{first},"u":{last},"b":[{bids}],"a":[{asks}]}}}}"#,
            1_700_000_000_000i64 + i as i64 * 100
        ));
    }
    out
}

fn synced_book() -> BinanceBook {
    let mut book = BinanceBook::new(VenueSymbol::new("BTCUSDT").unwrap(), Symbol::new("BTC/USDT").unwrap());
    assert!(matches!(book.apply_snapshot(&snapshot()), Applied::Synced { .. }));
    book
}

fn sessions() -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("l1", frames(|_| 1)),
        ("l5", frames(|rng| 1 + rng.below(10))),
        ("l20", frames(|_| 20)),
    ]
}

fn wall(c: &mut Criterion) {
    bench(c, "binance_depth", SamplingMode::Auto);
}

fn cpu(c: &mut Criterion<ThreadCpuTime>) {
    bench(c, "binance_depth_cpu", SamplingMode::Flat);
}

fn bench<M: Measurement>(c: &mut Criterion<M>, name: &str, sampling: SamplingMode) {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(sampling);
    group.throughput(Throughput::Elements(DIFFS as u64));
    for (size, frames) in sessions() {
        group.bench_function(format!("parse_apply/{size}"), |b| {
            b.iter_batched(
                synced_book,
                |mut book| {
                    for text in &frames {
                        let Ok(StreamMessage::Depth(diff)) = parse_stream(text) else {
                            panic!("not a depth frame")
                        };
                        let applied = book.apply_diff(diff).expect("the book's symbol");
                        debug_assert!(matches!(applied, Applied::Updated { .. }));
                    }
                    book
                },
                BatchSize::PerIteration,
            );
        });
        group.bench_function(format!("parse_only/{size}"), |b| {
            b.iter(|| {
                for text in &frames {
                    std::hint::black_box(parse_stream(text).expect("parses"));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(wall_time, wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = cpu
}
criterion_main!(wall_time, cpu_time);

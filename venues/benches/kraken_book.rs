//! The Kraken book's hot path over the captured BTC/USD session (1 snapshot + 509 updates):
//! parse each frame, apply it to the book, verify its checksum. The goal is ≥ 500,000 messages a
//! second on one core, i.e. under 2 µs a message.
//!
//! `cargo bench -p venues --bench kraken_book`
//!
//! Each case runs twice: `kraken_book/…` in wall-clock time (criterion's default) and
//! `kraken_book_cpu/…` in this thread's CPU time (from `/proc/thread-self/schedstat`), because
//! the build machine is shared and a loaded core inflates wall time with other work's slices.
//!
//! The capture is pretty-printed; live frames are compact, so each message is re-serialized
//! compactly first (from its raw text, numbers untouched) to time what the adapter will see.

use criterion::measurement::Measurement;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use serde_json::value::RawValue;
use trading::market::Symbol;
use venues::kraken::wire::{parse_public, BookData, BookDepth, BookPrecision, FeedKind, KrakenBook, PublicMessage};

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use thread_cpu::ThreadCpuTime;

const CAPTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/kraken/book-v2-btcusd-capture.json"
));

/// The session's frames as compact JSON text, snapshot first.
fn frames() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Capture<'a> {
        #[serde(borrow)]
        init: &'a RawValue,
        #[serde(borrow)]
        updates: Vec<&'a RawValue>,
    }
    let capture: Capture<'_> = serde_json::from_str(CAPTURE).expect("the capture is JSON");
    std::iter::once(capture.init)
        .chain(capture.updates)
        .map(|raw| compact(raw.get()))
        .collect()
}

/// Removes the whitespace between JSON tokens (the capture has no spaces inside strings).
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn book() -> KrakenBook {
    let symbol = Symbol::new("BTC/USD").expect("a symbol");
    KrakenBook::new(symbol, BookDepth::D10, BookPrecision::new(1, 8).expect("a precision"))
}

fn parsed(frames: &[String]) -> Vec<(FeedKind, BookData)> {
    frames
        .iter()
        .map(|text| match parse_public(text) {
            Ok(PublicMessage::Book(mut feed)) => (feed.kind, feed.data.remove(0)),
            other => panic!("not a book message: {other:?}"),
        })
        .collect()
}

fn wall(c: &mut Criterion) {
    bench(c, "kraken_book", SamplingMode::Auto);
}

fn cpu(c: &mut Criterion<ThreadCpuTime>) {
    bench(c, "kraken_book_cpu", SamplingMode::Flat);
}

fn bench<M: Measurement>(c: &mut Criterion<M>, name: &str, sampling: SamplingMode) {
    let frames = frames();
    let messages = parsed(&frames);
    let mut group = c.benchmark_group(name);
    group.sampling_mode(sampling);
    group.throughput(Throughput::Elements(frames.len() as u64));

    group.bench_function("parse_apply_checksum", |b| {
        let mut book = book();
        b.iter(|| {
            for text in &frames {
                let Ok(PublicMessage::Book(feed)) = parse_public(text) else {
                    panic!("not a book message")
                };
                for data in &feed.data {
                    book.apply(feed.kind, data).expect("the capture verifies");
                }
            }
        });
    });

    group.bench_function("parse_only", |b| {
        b.iter(|| {
            for text in &frames {
                std::hint::black_box(parse_public(text).expect("parses"));
            }
        });
    });

    group.bench_function("apply_checksum_only", |b| {
        let mut book = book();
        b.iter(|| {
            for (kind, data) in &messages {
                book.apply(*kind, data).expect("the capture verifies");
            }
        });
    });
    group.finish();
}

criterion_group!(wall_time, wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = cpu
}
criterion_main!(wall_time, cpu_time);

//! Every indicator against talipp 2.7.0 on the daily BTC/USD bars of `data/Bitcoin.csv`.
//!
//! `tests/fixtures/indicators/reference.csv` holds talipp's values, one column per output (its
//! README says how it was made). Each Rust indicator runs over every bar; the test asserts that
//! it has no value exactly where talipp has none (the same warm-up) and that, where both have
//! one, they agree within [`RELATIVE`] of the larger magnitude, or within [`ABSOLUTE`] for
//! values near zero (MACD's histogram crosses it). talipp computes in `f64`, so its own error is
//! around 10^-13 here; a formula that differs in substance misses by far more, as
//! `a_wrong_formula_or_warm_up_is_caught` shows.

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;
use strategy_sdk::indicators::{
    Atr, Bollinger, Ema, Macd, Period, RollingHigh, RollingLow, Rsi, Sma, Stochastic, Vwap, Wma,
};
use strategy_sdk::{Candle, Decimal};

/// Agreement asked for, relative to the larger of the two magnitudes.
const RELATIVE: f64 = 1e-9;
/// The floor for values near zero, in the value's own unit (dollars, or index points).
const ABSOLUTE: f64 = 1e-9;

const DATA: &str = include_str!("../../data/Bitcoin.csv");
const REFERENCE: &str = include_str!("fixtures/indicators/reference.csv");

/// One output series: a value per bar, `None` while warming up.
type Series = Vec<Option<f64>>;

fn period(length: usize) -> Period {
    Period::new(length).unwrap()
}

/// A CSV with a header, as columns by name (no quoting: neither file needs it).
fn columns(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_owned).collect();
    let mut columns: BTreeMap<String, Vec<String>> = header.iter().map(|name| (name.clone(), Vec::new())).collect();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        for (name, cell) in header.iter().zip(cells) {
            columns.get_mut(name).unwrap().push(cell.to_owned());
        }
    }
    columns
}

/// The bars, exactly as written in the file.
fn candles() -> Vec<Candle> {
    let data = columns(DATA);
    let column = |name: &str| -> Vec<Decimal> {
        data[name]
            .iter()
            .map(|cell| Decimal::from_str_exact(cell).unwrap())
            .collect()
    };
    let (open, high, low, close, volume) = (
        column("open"),
        column("high"),
        column("low"),
        column("close"),
        column("volume"),
    );
    (0..open.len())
        .map(|i| Candle {
            symbol: "BTC/USD".into(),
            timeframe: "1d".into(),
            open_time_ms: i as i64 * 86_400_000,
            open: open[i],
            high: high[i],
            low: low[i],
            close: close[i],
            volume: volume[i],
        })
        .collect()
}

/// talipp's series, by column name.
fn reference() -> BTreeMap<String, Series> {
    columns(REFERENCE)
        .into_iter()
        .filter(|(name, _)| name != "index")
        .map(|(name, cells)| {
            let series = cells
                .iter()
                .map(|cell| (!cell.is_empty()).then(|| cell.parse().unwrap()))
                .collect();
            (name, series)
        })
        .collect()
}

fn float(value: Option<Decimal>) -> Option<f64> {
    value.map(|value| value.to_f64().unwrap())
}

/// Every Rust indicator over every bar, named as the fixture's columns. The parameters are
/// `generate.py`'s.
fn ours(candles: &[Candle]) -> BTreeMap<String, Series> {
    let mut sma = Sma::new(period(20));
    let mut ema = Ema::new(period(20));
    let mut wma = Wma::new(period(20));
    let mut rsi = Rsi::new(period(14));
    let mut macd = Macd::default();
    let mut bands = Bollinger::new(period(20), Decimal::TWO);
    let mut atr = Atr::new(period(14));
    let mut stochastic = Stochastic::new(period(14), period(3));
    let mut vwap = Vwap::new();
    let (mut high, mut low) = (RollingHigh::new(period(20)), RollingLow::new(period(20)));

    let mut out: BTreeMap<String, Series> = BTreeMap::new();
    let mut push = |name: &str, value: Option<Decimal>| out.entry(name.to_owned()).or_default().push(float(value));
    for candle in candles {
        let close = candle.close;
        sma.update(close);
        ema.update(close);
        wma.update(close).unwrap();
        rsi.update(close).unwrap();
        macd.update(close).unwrap();
        bands.update(close).unwrap();
        atr.update_candle(candle).unwrap();
        stochastic.update_candle(candle).unwrap();
        vwap.update_candle(candle).unwrap();
        high.update(candle.high);
        low.update(candle.low);

        push("sma20", sma.value());
        push("ema20", ema.value());
        push("wma20", wma.value());
        push("rsi14", rsi.value());
        push("macd_line", macd.line());
        push("macd_signal", macd.value().map(|v| v.signal));
        push("macd_histogram", macd.value().map(|v| v.histogram));
        push("bb_lower", bands.value().map(|v| v.lower));
        push("bb_middle", bands.value().map(|v| v.middle));
        push("bb_upper", bands.value().map(|v| v.upper));
        push("atr14", atr.value());
        push("stoch_k", stochastic.k());
        push("stoch_d", stochastic.d());
        push("vwap", vwap.value());
        push("high20", high.value());
        push("low20", low.value());
    }
    out
}

/// Where `ours` and `reference` disagree: a value on one side only, or values too far apart.
fn mismatches(name: &str, ours: &[Option<f64>], reference: &[Option<f64>]) -> Vec<String> {
    assert_eq!(ours.len(), reference.len(), "{name}: bar counts");
    let mut found = Vec::new();
    for (bar, (a, b)) in ours.iter().zip(reference).enumerate() {
        match (a, b) {
            (Some(a), Some(b)) => {
                let tolerance = (RELATIVE * a.abs().max(b.abs())).max(ABSOLUTE);
                if (a - b).abs() > tolerance {
                    found.push(format!("{name} bar {bar}: {a} vs talipp {b}"));
                }
            }
            (None, None) => {}
            _ => found.push(format!("{name} bar {bar}: {a:?} vs talipp {b:?} (warm-up differs)")),
        }
    }
    found
}

/// The number of leading bars without a value.
fn warm_up(series: &[Option<f64>]) -> usize {
    series.iter().position(Option::is_some).unwrap_or(series.len())
}

#[test]
fn every_indicator_agrees_with_talipp_on_daily_btc() {
    let candles = candles();
    let (ours, reference) = (ours(&candles), reference());
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>(),
        "every fixture column is compared"
    );
    let mut failures = Vec::new();
    for (name, series) in &ours {
        let found = mismatches(name, series, &reference[name]);
        failures.extend(found.into_iter().take(5));
        // Enough values after warm-up for agreement to mean something.
        assert!(series.iter().flatten().count() > 1_000, "{name}");
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn documented_warm_ups_are_the_references() {
    let reference = reference();
    let first = |name: &str| warm_up(&reference[name]) + 1; // the update that gives the first value
    assert_eq!(Wma::new(period(20)).warm_up(), first("wma20"));
    assert_eq!(Rsi::new(period(14)).warm_up(), first("rsi14"));
    assert_eq!(Macd::default().warm_up(), first("macd_signal"));
    assert_eq!(Macd::default().warm_up(), first("macd_histogram"));
    assert_eq!(26, first("macd_line"));
    assert_eq!(Bollinger::new(period(20), Decimal::TWO).warm_up(), first("bb_middle"));
    assert_eq!(Atr::new(period(14)).warm_up(), first("atr14"));
    assert_eq!(Stochastic::new(period(14), period(3)).warm_up(), first("stoch_d"));
    assert_eq!(14, first("stoch_k"));
    assert_eq!(
        (20, 20, 20, 1),
        (first("sma20"), first("ema20"), first("high20"), first("vwap"))
    );
}

#[test]
fn the_data_never_meets_a_definitional_difference() {
    // Where our definitions part from talipp's (README "Differences"), the data must not go:
    // a flat 14-bar range (%K: 50 here, 100 in talipp) or a flat RSI history (50 vs 100).
    let candles = candles();
    let (mut high, mut low) = (RollingHigh::new(period(14)), RollingLow::new(period(14)));
    let mut rsi = Rsi::new(period(14));
    for candle in &candles {
        high.update(candle.high);
        low.update(candle.low);
        rsi.update(candle.close).unwrap();
        if let (Some(h), Some(l)) = (high.value(), low.value()) {
            assert!(h > l, "flat range at {}", candle.open_time_ms);
        }
        assert_ne!(rsi.value(), Some(Decimal::from(50)), "flat RSI history");
    }
}

/// Wrong variants, in `f64`, that a weaker comparison might let through.
#[test]
fn a_wrong_formula_or_warm_up_is_caught() {
    let candles = candles();
    let (ours, reference) = (ours(&candles), reference());
    let closes: Vec<f64> = candles.iter().map(|c| c.close.to_f64().unwrap()).collect();
    let caught = |name: &str, wrong: &[Option<f64>]| {
        assert!(
            !mismatches(name, wrong, &reference[name]).is_empty(),
            "a wrong {name} passed"
        );
    };

    // EMA seeded with the first value (pandas' ewm(adjust=False), as the `ta` library does),
    // reported from the same bar on: only the seed differs, and its trace decays.
    let alpha = 2.0 / 21.0;
    let mut ema = closes[0];
    let first_value_seeded: Series = closes
        .iter()
        .enumerate()
        .map(|(i, close)| {
            ema += alpha * (close - ema);
            (i >= 19).then_some(ema)
        })
        .collect();
    caught("ema20", &first_value_seeded);

    // Bollinger Bands from the sample standard deviation (n − 1).
    let sample: Series = ours["bb_upper"]
        .iter()
        .zip(&ours["bb_middle"])
        .map(|(upper, middle)| Some((*middle)? + ((*upper)? - (*middle)?) * (20.0_f64 / 19.0).sqrt()))
        .collect();
    caught("bb_upper", &sample);

    // RSI from simple averages of the last 14 changes (Cutler's) instead of Wilder's.
    let cutler: Series = (0..closes.len())
        .map(|i| {
            (i >= 14).then(|| {
                let changes = (i - 13..=i).map(|j| closes[j] - closes[j - 1]);
                let (gain, loss) = changes.fold((0.0, 0.0), |(g, l), c| (g + c.max(0.0), l + (-c).max(0.0)));
                100.0 * gain / (gain + loss)
            })
        })
        .collect();
    caught("rsi14", &cutler);

    // ATR without the previous close (the bar's range only).
    let ranges: Vec<f64> = candles.iter().map(|c| (c.high - c.low).to_f64().unwrap()).collect();
    let mut atr = 0.0;
    let range_only: Series = ranges
        .iter()
        .enumerate()
        .map(|(i, range)| {
            atr = if i < 14 {
                atr + range / 14.0
            } else {
                (atr * 13.0 + range) / 14.0
            };
            (i >= 13).then_some(atr)
        })
        .collect();
    caught("atr14", &range_only);

    // The right values, one bar late: a warm-up off by one.
    let mut late = ours["wma20"].clone();
    late.insert(0, None);
    late.pop();
    caught("wma20", &late);

    // The right values with their first one dropped.
    let mut short = ours["stoch_d"].clone();
    let first = warm_up(&short);
    short[first] = None;
    caught("stoch_d", &short);
}

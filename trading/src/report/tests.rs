//! Report numbers on small hand-computed series, and byte-exact outputs.

use rust_decimal::Decimal;

use super::*;
use crate::ledger::{OpenTrip, RoundTrip, TradeSide};
use crate::market::Symbol;
use crate::orders::StrategyId;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn trip(pnl: &str, exit_ms: i64) -> RoundTrip {
    RoundTrip {
        strategy: StrategyId::new("alice"),
        symbol: Symbol::new("BTC/USD").unwrap(),
        side: TradeSide::Long,
        qty: dec("2"),
        entry_ms: exit_ms - 60_000,
        exit_ms,
        avg_entry_price: dec("100"),
        avg_exit_price: dec("101.5"),
        fees: dec("0.4"),
        pnl: dec(pnl),
    }
}

fn totals(final_equity: &str) -> ReportTotals {
    ReportTotals {
        orders: 7,
        rejected: 1,
        fills: 6,
        fees: dec("1.2"),
        initial_cash: dec("1000"),
        final_equity: dec(final_equity),
    }
}

/// Equity 1000 → 1100 (peak) → 990 → 1050 → 1200 (peak) → 900 → 1080.
/// Drawdowns: 110 / 1100 = 10 %, then 300 / 1200 = 25 %: the max is 25 %.
/// Exposed on 4 of 7 bars; return 8 %; 2 of 3 trips won.
#[test]
fn drawdown_return_win_rate_and_exposure_by_hand() {
    let mut builder = ReportBuilder::new(EquityCurve::Keep);
    let series = [
        ("1000", false),
        ("1100", true),
        ("990", true),
        ("1050", false),
        ("1200", true),
        ("900", true),
        ("1080", false),
    ];
    for (i, (equity, exposed)) in series.iter().enumerate() {
        builder.on_bar(i as i64 * 60_000, dec(equity), *exposed);
    }
    let trips = [trip("10", 60_000), trip("-5", 120_000), trip("0.01", 180_000)];
    let report = BacktestReport::new(&builder, &totals("1080"), &trips);
    assert_eq!(report.bars, 7);
    assert_eq!(report.trades, 3);
    assert_eq!(report.max_drawdown_pct, dec("25"));
    assert_eq!(report.return_pct, dec("8"));
    assert_eq!(report.win_rate_pct, dec("66.6667"));
    assert_eq!(report.exposure_pct, dec("57.1429"));
    assert_eq!(builder.equity_curve().len(), 7);
}

/// Repeated equities (a flat book, or an unmoved mark) still count as bars, exposed or not, and
/// leave the drawdown alone, whatever scale the repeat is written with.
/// Equity 1000 → 1100 (peak, then repeated) → 990 (repeated, once as 990.00) → 1050.
/// Drawdown 110 / 1100 = 10 %; exposed on 5 of 8 bars.
#[test]
fn repeated_equities_count_as_bars_and_keep_the_drawdown() {
    let mut builder = ReportBuilder::new(EquityCurve::Keep);
    let series = [
        ("1000", false),
        ("1100", true),
        ("1100", true),
        ("990", true),
        ("990.00", true),
        ("990", true),
        ("1050", false),
        ("1050", false),
    ];
    for (i, (equity, exposed)) in series.iter().enumerate() {
        builder.on_bar(i as i64 * 60_000, dec(equity), *exposed);
    }
    let report = BacktestReport::new(&builder, &totals("1050"), &[]);
    assert_eq!(report.bars, 8);
    assert_eq!(report.max_drawdown_pct, dec("10"));
    assert_eq!(report.exposure_pct, dec("62.5"));
    assert_eq!(builder.equity_curve()[4].equity.to_string(), "990.00");
}

#[test]
fn empty_runs_give_zeros_not_errors() {
    let builder = ReportBuilder::new(EquityCurve::Discard);
    let report = BacktestReport::new(
        &builder,
        &ReportTotals {
            initial_cash: Decimal::ZERO,
            ..totals("0")
        },
        &[],
    );
    assert_eq!(
        (
            report.return_pct,
            report.max_drawdown_pct,
            report.win_rate_pct,
            report.exposure_pct
        ),
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO)
    );
    assert!(builder.equity_curve().is_empty());
}

#[test]
fn json_has_snake_case_keys_and_exact_decimals() {
    let mut builder = ReportBuilder::new(EquityCurve::Discard);
    builder.on_bar(0, dec("1000"), false);
    builder.on_bar(60_000, dec("1000.5"), true);
    let mut report = BacktestReport::new(&builder, &totals("1000.5"), &[trip("0.1", 60_000)]);
    report.set_elapsed_ms(4);
    let json = serde_json::to_string(&report).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"bars":2,"orders":7,"rejected":1,"fills":6,"trades":1,"fees":"1.2","initial_cash":"1000","#,
            r#""final_equity":"1000.5","return_pct":"0.05","max_drawdown_pct":"0","win_rate_pct":"100","#,
            r#""exposure_pct":"50","elapsed_ms":4,"bars_per_second":500}"#
        )
    );
    let back: BacktestReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn csv_writers_are_byte_exact_with_rfc3339_times_and_the_open_trade_last() {
    let open = OpenTrip {
        strategy: StrategyId::new("alice"),
        symbol: Symbol::new("BTC/USD").unwrap(),
        side: TradeSide::Long,
        qty: dec("3"),
        // 2020-01-05, the open of a daily bar: the day it traded on.
        entry_ms: 1_578_182_400_000,
        avg_entry_price: dec("102"),
        avg_exit_price: None,
        fees: dec("0.3"),
        mark: dec("104"),
        pnl: dec("5.7"),
    };
    let mut out = Vec::new();
    write_trades_csv(&mut out, &[trip("2.6", 120_000)], &[open]).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "strategy,symbol,side,status,qty,entry_time,exit_time,avg_entry_price,avg_exit_price,fees,pnl\n\
         alice,BTC/USD,long,closed,2,1970-01-01T00:01:00Z,1970-01-01T00:02:00Z,100,101.5,0.4,2.6\n\
         alice,BTC/USD,long,open,3,2020-01-05T00:00:00Z,,102,,0.3,5.7\n"
    );
    let mut builder = ReportBuilder::new(EquityCurve::Keep);
    builder.on_bar(0, dec("1000"), false);
    builder.on_bar(60_500, dec("999.75"), true);
    let mut out = Vec::new();
    write_equity_csv(&mut out, builder.equity_curve()).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "time,equity\n1970-01-01T00:00:00Z,1000\n1970-01-01T00:01:00.500Z,999.75\n"
    );
}

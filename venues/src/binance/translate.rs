//! Binance's `executionReport` in the execution seam's terms ([`Execution`]): the order
//! lifecycle the WebSocket API's user data drives. Pure: the caller finds the host's order by
//! [`report_order_id`] and sends what comes back to the desk.
//!
//! Fills are keyed by symbol and trade id (`BTCUSDT-12345`): Binance numbers trades per symbol,
//! so the trade id alone is not unique across an account, and nothing is replayed after a
//! reconnect, so a fill the reconciliation finds again carries the same key.

use trading::brokers::{Execution, FillReport, OrderReport, RejectKind, RejectReason, ReportedQty, VenueOrderState};
use trading::market::TimeMs;
use trading::orders::{OrderId, TradeId, VenueOrderId};

use super::wire::{AccountTrade, ExecutionReport, ExecutionType, OrderResult, OrderStatus, VenueSymbol};

/// The client order id a report is about: for a cancel, the cancelled order's (`C`; `c` is
/// then the cancel request's own id), else `c`.
pub fn report_order_id(report: &ExecutionReport) -> &str {
    match (report.execution_type, report.cancelled_client_order_id()) {
        (ExecutionType::Canceled, Some(original)) => original,
        _ => &report.client_order_id,
    }
}

/// The key a Binance fill is booked once by: its symbol and trade id.
pub fn fill_key(report: &ExecutionReport) -> Option<TradeId> {
    report.trade_id().map(|trade| trade_key(report.symbol, trade))
}

fn trade_key(symbol: VenueSymbol, trade_id: u64) -> TradeId {
    TradeId::new(&format!("{symbol}-{trade_id}"))
}

/// Binance's answer about the host's order `id` (`order.place` FULL or RESULT, `order.status`)
/// as the venue's report: its state and the fills it lists, keyed as user data keys them, so a
/// fill seen both ways is booked once. `time_ms` stamps it when Binance gave no time.
pub fn order_report(result: &OrderResult, id: OrderId, time_ms: TimeMs) -> OrderReport {
    let state = match result.status {
        Some(OrderStatus::Filled) => VenueOrderState::Filled,
        Some(OrderStatus::Canceled | OrderStatus::PendingCancel) => VenueOrderState::Cancelled,
        Some(OrderStatus::Expired | OrderStatus::ExpiredInMatch) => VenueOrderState::Expired,
        Some(OrderStatus::Rejected) => VenueOrderState::Rejected(RejectReason::new(
            RejectKind::VenueError,
            "rejected by the matching engine",
        )),
        // An ACK says no more than that Binance has the order.
        Some(OrderStatus::New | OrderStatus::PendingNew | OrderStatus::PartiallyFilled) | None => VenueOrderState::Open,
    };
    let time_ms = result.update_time.or(result.transact_time).unwrap_or(time_ms);
    OrderReport {
        id: id.clone(),
        venue_order_id: Some(VenueOrderId::new(&result.order_id.to_string())),
        state,
        filled_qty: result.executed_qty.unwrap_or_default(),
        qty: ReportedQty::Unknown,
        fills: result
            .fills
            .iter()
            .map(|fill| FillReport {
                id: id.clone(),
                trade_id: Some(trade_key(result.symbol, fill.trade_id)),
                price: fill.price,
                qty: fill.qty,
                fee: fill.commission,
                fee_asset: Some(fill.commission_asset.clone()),
                time_ms,
                known_ms: time_ms,
            })
            .collect(),
        time_ms,
    }
}

/// One of the account's trades (`myTrades`) as a fill of the host's order `id`, keyed as user
/// data keys it.
pub fn trade_fill(trade: &AccountTrade, id: OrderId) -> FillReport {
    FillReport {
        id,
        trade_id: Some(trade_key(trade.symbol, trade.id)),
        price: trade.price,
        qty: trade.qty,
        fee: trade.commission,
        fee_asset: Some(trade.commission_asset.clone()),
        time_ms: trade.time,
        known_ms: trade.time,
    }
}

/// What one report about the host's order `id` means for the desk. `None` for reports that
/// change nothing the desk keeps (a self-trade prevention that left the order working).
///
/// # Errors
/// A `TRADE` without a positive quantity or price cannot be booked: `Err` says what is missing,
/// for the caller to log and settle by a query.
pub fn execution(report: &ExecutionReport, id: OrderId) -> Result<Option<Execution>, &'static str> {
    let time_ms = report.transaction_time;
    let event = match report.execution_type {
        ExecutionType::New => Some(Execution::Accepted {
            id,
            venue_order_id: Some(VenueOrderId::new(&report.order_id.to_string())),
            time_ms,
        }),
        ExecutionType::Trade => {
            if report.last_qty <= rust_decimal::Decimal::ZERO || report.last_price <= rust_decimal::Decimal::ZERO {
                return Err("a TRADE without a positive last quantity and price");
            }
            Some(Execution::Filled(FillReport {
                id,
                trade_id: fill_key(report),
                price: report.last_price,
                qty: report.last_qty,
                fee: report.commission,
                fee_asset: report.commission_asset.clone(),
                time_ms,
                known_ms: time_ms,
            }))
        }
        ExecutionType::Canceled => Some(Execution::Cancelled {
            id,
            reason: None,
            time_ms,
        }),
        // A kept-priority amend: the same Binance order.
        ExecutionType::Replaced => Some(Execution::Amended {
            id,
            qty: report.qty,
            limit_price: (report.price > rust_decimal::Decimal::ZERO).then_some(report.price),
            venue_order_id: None,
            time_ms,
        }),
        ExecutionType::Rejected => Some(Execution::Rejected {
            id,
            reason: RejectReason::new(reject_kind(&report.reject_reason), report.reject_reason.clone()),
            time_ms,
        }),
        ExecutionType::Expired => Some(Execution::Expired { id, time_ms }),
        ExecutionType::TradePrevention => match report.order_status {
            OrderStatus::Expired | OrderStatus::ExpiredInMatch => Some(Execution::Expired { id, time_ms }),
            _ => None,
        },
    };
    Ok(event)
}

/// The reject kind of an execution report's `r` (enums.md, "Order reject reason").
fn reject_kind(reason: &str) -> RejectKind {
    match reason {
        "INSUFFICIENT_BALANCES" => RejectKind::InsufficientFunds,
        "WOULD_TAKE" | "ORDER_WOULD_IMMEDIATELY_MATCH_AND_TAKE" => RejectKind::PostOnlyWouldTake,
        "TOO_MANY_ORDERS" | "TOO_MANY_REQUESTS" => RejectKind::RateLimited,
        "UNKNOWN_ORDER" => RejectKind::UnknownOrder,
        _ => RejectKind::VenueError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binance::wire::{parse_ws_api, UserDataEvent, WsApiMessage};
    use rust_decimal::Decimal;

    const FIXTURE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/binance/uds_executionReport.json"
    ));

    /// The documented report with some fields replaced (`"x": "NEW"` → `"x": "TRADE"`).
    fn report(replacements: &[(&str, &str)]) -> ExecutionReport {
        let mut text = FIXTURE.to_owned();
        for (from, to) in replacements {
            assert!(text.contains(from), "{from}");
            text = text.replace(from, to);
        }
        match parse_ws_api(&text) {
            Ok(WsApiMessage::Event(frame)) => match frame.event {
                UserDataEvent::ExecutionReport(report) => *report,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn every_execution_type_maps_onto_the_lifecycle() {
        let id = OrderId::new("h-1");
        let t = 1_499_405_658_657;
        assert_eq!(
            execution(&report(&[]), id.clone()).unwrap(),
            Some(Execution::Accepted {
                id: id.clone(),
                venue_order_id: Some(VenueOrderId::new("4293153")),
                time_ms: t
            })
        );
        let fill = report(&[
            (r#""x": "NEW""#, r#""x": "TRADE""#),
            (r#""X": "NEW""#, r#""X": "PARTIALLY_FILLED""#),
            (r#""l": "0.00000000""#, r#""l": "0.25000000""#),
            (r#""L": "0.00000000""#, r#""L": "0.10264410""#),
            (r#""n": "0""#, r#""n": "0.00025000""#),
            (r#""N": null"#, r#""N": "BNB""#),
            (r#""t": -1"#, r#""t": 77"#),
        ]);
        assert_eq!(
            execution(&fill, id.clone()).unwrap(),
            Some(Execution::Filled(FillReport {
                id: id.clone(),
                trade_id: Some(TradeId::new("ETHBTC-77")),
                price: d("0.10264410"),
                qty: d("0.25"),
                fee: d("0.00025"),
                fee_asset: Some("BNB".into()),
                time_ms: t,
                known_ms: t,
            }))
        );
        let cancel = report(&[
            (r#""x": "NEW""#, r#""x": "CANCELED""#),
            (r#""X": "NEW""#, r#""X": "CANCELED""#),
            (r#""c": "mUvoqJxFIILMdfAW5iGSOW""#, r#""c": "cancel-7""#),
            (r#""C": """#, r#""C": "h-1""#),
        ]);
        assert_eq!(report_order_id(&cancel), "h-1");
        assert_eq!(
            execution(&cancel, id.clone()).unwrap(),
            Some(Execution::Cancelled {
                id: id.clone(),
                reason: None,
                time_ms: t
            })
        );
        let rejected = report(&[
            (r#""x": "NEW""#, r#""x": "REJECTED""#),
            (r#""X": "NEW""#, r#""X": "REJECTED""#),
            (r#""r": "NONE""#, r#""r": "INSUFFICIENT_BALANCES""#),
        ]);
        assert!(matches!(
            execution(&rejected, id.clone()).unwrap(),
            Some(Execution::Rejected { reason, .. }) if reason.kind == RejectKind::InsufficientFunds
        ));
        let amended = report(&[(r#""x": "NEW""#, r#""x": "REPLACED""#)]);
        assert_eq!(
            execution(&amended, id.clone()).unwrap(),
            Some(Execution::Amended {
                id: id.clone(),
                qty: d("1"),
                limit_price: Some(d("0.10264410")),
                venue_order_id: None,
                time_ms: t
            })
        );
        let expired = report(&[
            (r#""x": "NEW""#, r#""x": "EXPIRED""#),
            (r#""X": "NEW""#, r#""X": "EXPIRED""#),
        ]);
        assert_eq!(
            execution(&expired, id.clone()).unwrap(),
            Some(Execution::Expired {
                id: id.clone(),
                time_ms: t
            })
        );
        let prevented = report(&[
            (r#""x": "NEW""#, r#""x": "TRADE_PREVENTION""#),
            (r#""X": "NEW""#, r#""X": "EXPIRED_IN_MATCH""#),
        ]);
        assert!(matches!(
            execution(&prevented, id.clone()).unwrap(),
            Some(Execution::Expired { .. })
        ));
        let kept = report(&[(r#""x": "NEW""#, r#""x": "TRADE_PREVENTION""#)]);
        assert_eq!(execution(&kept, id).unwrap(), None);
    }

    #[test]
    fn order_answers_become_reports_with_fills_keyed_as_user_data_keys_them() {
        use crate::binance::wire::parse_order;
        let full = parse_order(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/binance/rest_order_full.json"
        )))
        .unwrap();
        let report = order_report(&full, OrderId::new("h-1"), 0);
        assert_eq!(report.state, VenueOrderState::Filled);
        assert_eq!((report.filled_qty, report.time_ms), (d("10"), 1_507_725_176_595));
        assert_eq!(report.venue_order_id, Some(VenueOrderId::new("28")));
        assert_eq!(report.fills.len(), 5);
        assert_eq!(report.fills[0].trade_id, Some(TradeId::new("BTCUSDT-56")));
        assert_eq!((report.fills[1].qty, report.fills[1].fee), (d("5"), d("19.995")));
        let ack = parse_order(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/binance/rest_order_ack.json"
        )))
        .unwrap();
        let acked = order_report(&ack, OrderId::new("h-1"), 5);
        assert_eq!((acked.state, acked.fills.len()), (VenueOrderState::Open, 0));
        let result = parse_order(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/binance/rest_order_result.json"
        )))
        .unwrap();
        assert_eq!(result.cumulative_quote_qty, Some(d("10.00000000")));
        assert!(parse_order(r#"{"symbol":"BTCUSDT","orderId":1,"clientOrderId":"a","price":1.5}"#).is_err());
    }

    #[test]
    fn a_trade_without_its_quantity_is_not_booked_on_a_guess() {
        let empty = report(&[(r#""x": "NEW""#, r#""x": "TRADE""#)]);
        assert!(execution(&empty, OrderId::new("h-1")).is_err());
        assert_eq!(fill_key(&empty), None, "t is -1: no trade");
    }
}

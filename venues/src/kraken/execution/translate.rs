//! Kraken's words for orders (`executions` entries, REST orders and trades, error text) in
//! the execution seam's terms. Pure: no I/O.

use trading::brokers::{Execution, FillReport, OrderReport, RejectKind, RejectReason, ReportedQty, VenueOrderState};
use trading::market::TimeMs;
use trading::orders::{OrderId, TradeId, VenueOrderId};

use crate::kraken::wire::rest::{RestOrder, RestOrderStatus, RestTrade};
use crate::kraken::wire::{self, ExecType, KrakenError, OrderErrorKind};

/// Kraken's error as the reason a strategy is told.
pub(super) fn reject_reason(error: &KrakenError) -> RejectReason {
    let kind = match error.kind {
        OrderErrorKind::InsufficientFunds => RejectKind::InsufficientFunds,
        OrderErrorKind::BelowMinimum => RejectKind::BelowMinimum,
        OrderErrorKind::PriceIncrement => RejectKind::PriceIncrement,
        OrderErrorKind::QtyIncrement => RejectKind::QtyIncrement,
        OrderErrorKind::PostOnlyWouldTake => RejectKind::PostOnlyWouldTake,
        OrderErrorKind::RateLimited => RejectKind::RateLimited,
        OrderErrorKind::UnknownOrder => RejectKind::UnknownOrder,
        OrderErrorKind::InvalidArguments => RejectKind::InvalidOrder,
        OrderErrorKind::TooManyOpenOrders
        | OrderErrorKind::MarketRestricted
        | OrderErrorKind::InvalidToken
        | OrderErrorKind::InvalidNonce
        | OrderErrorKind::ServiceUnavailable
        | OrderErrorKind::Other(_) => RejectKind::VenueError,
    };
    RejectReason::new(kind, error.text.clone())
}

/// Kraken's trade id as the key a fill is booked once by: the public trade id, which both
/// `executions` and REST `TradesHistory` carry; the execution id where it is missing.
fn trade_key(trade_id: Option<u64>, exec_id: Option<&str>) -> Option<TradeId> {
    match (trade_id, exec_id) {
        (Some(id), _) => Some(TradeId::new(&id.to_string())),
        (None, Some(exec_id)) => Some(TradeId::new(exec_id)),
        (None, None) => None,
    }
}

/// What one `executions` entry about the host's order `id` means for the desk. `None` for
/// entries that change nothing the desk keeps (an iceberg refill, `filled`, which only
/// confirms what the trades' quantities already say, a trigger's status).
///
/// A `trade` without its quantity or price cannot be booked: it is reported as `Err` with
/// what is missing, for the caller to log and settle by a query.
pub(super) fn execution(entry: &wire::Execution, id: OrderId) -> Result<Option<Execution>, &'static str> {
    let time_ms = entry.timestamp;
    let event = match entry.exec_type {
        ExecType::PendingNew | ExecType::New => Some(Execution::Accepted {
            id,
            venue_order_id: Some(VenueOrderId::new(&entry.order_id)),
            time_ms,
        }),
        ExecType::Trade => {
            let (Some(qty), Some(price)) = (entry.last_qty, entry.last_price) else {
                return Err("a trade without last_qty or last_price");
            };
            Some(Execution::Filled(FillReport {
                id,
                trade_id: trade_key(entry.trade_id, entry.exec_id.as_deref()),
                price,
                qty,
                fee: entry.fees.iter().map(|fee| fee.qty).sum(),
                fee_asset: entry.fees.first().map(|fee| fee.asset.clone()),
                time_ms,
                known_ms: time_ms,
            }))
        }
        ExecType::Canceled => Some(Execution::Cancelled {
            id,
            reason: entry.reason.clone(),
            time_ms,
        }),
        ExecType::Expired => Some(Execution::Expired { id, time_ms }),
        ExecType::Amended | ExecType::Restated => entry.order_qty.map(|qty| Execution::Amended {
            id,
            qty,
            limit_price: entry.limit_price,
            venue_order_id: None,
            time_ms,
        }),
        ExecType::Filled | ExecType::IcebergRefill | ExecType::Status => None,
    };
    Ok(event)
}

/// A REST trade of the host's order `id` as a fill. REST charges fees in the quote currency.
pub(super) fn rest_fill(id: OrderId, trade_txid: &str, trade: &RestTrade) -> FillReport {
    FillReport {
        id,
        trade_id: trade_key(trade.trade_id, Some(trade_txid)),
        price: trade.price,
        qty: trade.vol,
        fee: trade.fee,
        fee_asset: None,
        time_ms: trade.time,
        known_ms: trade.time,
    }
}

/// A REST order (`QueryOrders`, `OpenOrders`) as the venue's report of the host's order `id`.
pub(super) fn rest_report(
    id: OrderId,
    txid: &str,
    order: &RestOrder,
    fills: Vec<FillReport>,
    time_ms: TimeMs,
) -> OrderReport {
    let state = match order.status {
        RestOrderStatus::Pending | RestOrderStatus::Open => VenueOrderState::Open,
        RestOrderStatus::Closed => VenueOrderState::Filled,
        RestOrderStatus::Canceled => VenueOrderState::Cancelled,
        RestOrderStatus::Expired => VenueOrderState::Expired,
    };
    OrderReport {
        id,
        venue_order_id: Some(VenueOrderId::new(txid)),
        state,
        filled_qty: order.vol_exec,
        qty: ReportedQty::Whole(order.vol),
        fills,
        time_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kraken::wire::{parse_private, PrivateMessage};
    use rust_decimal::Decimal;

    fn entries(text: &str) -> Vec<wire::Execution> {
        match parse_private(text).unwrap() {
            PrivateMessage::Executions(feed) => feed.data,
            other => panic!("not executions: {other:?}"),
        }
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn every_exec_type_maps_onto_the_lifecycle() {
        let text = r#"{"channel":"executions","type":"update","sequence":3,"data":[
            {"exec_type":"pending_new","order_id":"OA-1","cl_ord_id":"h-1","order_status":"pending_new","timestamp":"2024-01-01T00:00:00.000000Z"},
            {"exec_type":"new","order_id":"OA-1","cl_ord_id":"h-1","order_status":"new","timestamp":"2024-01-01T00:00:00.001000Z"},
            {"exec_type":"trade","order_id":"OA-1","cl_ord_id":"h-1","exec_id":"TX-1","trade_id":77,"last_qty":"0.25","last_price":"30000.5","fees":[{"asset":"USD","qty":"1.5"}],"order_status":"partially_filled","timestamp":"2024-01-01T00:00:01Z"},
            {"exec_type":"filled","order_id":"OA-1","cl_ord_id":"h-1","order_status":"filled","timestamp":"2024-01-01T00:00:01Z"},
            {"exec_type":"amended","order_id":"OA-1","cl_ord_id":"h-1","order_qty":"0.5","limit_price":"29000","order_status":"new","timestamp":"2024-01-01T00:00:02Z"},
            {"exec_type":"canceled","order_id":"OA-1","cl_ord_id":"h-1","reason":"User requested","order_status":"canceled","timestamp":"2024-01-01T00:00:03Z"},
            {"exec_type":"expired","order_id":"OA-1","cl_ord_id":"h-1","order_status":"expired","timestamp":"2024-01-01T00:00:04Z"}
        ]}"#;
        let id = OrderId::new("h-1");
        let mapped: Vec<Option<Execution>> = entries(text)
            .iter()
            .map(|e| execution(e, id.clone()).unwrap())
            .collect();
        let t0 = 1_704_067_200_000;
        assert_eq!(
            mapped[0],
            Some(Execution::Accepted {
                id: id.clone(),
                venue_order_id: Some(VenueOrderId::new("OA-1")),
                time_ms: t0
            })
        );
        assert!(matches!(mapped[1], Some(Execution::Accepted { time_ms, .. }) if time_ms == t0 + 1));
        assert_eq!(
            mapped[2],
            Some(Execution::Filled(FillReport {
                id: id.clone(),
                trade_id: Some(TradeId::new("77")),
                price: d("30000.5"),
                qty: d("0.25"),
                fee: d("1.5"),
                fee_asset: Some("USD".into()),
                time_ms: t0 + 1000,
                known_ms: t0 + 1000,
            }))
        );
        assert_eq!(mapped[3], None, "filled confirms what the trades said");
        assert_eq!(
            mapped[4],
            Some(Execution::Amended {
                id: id.clone(),
                qty: d("0.5"),
                limit_price: Some(d("29000")),
                venue_order_id: None,
                time_ms: t0 + 2000
            })
        );
        assert_eq!(
            mapped[5],
            Some(Execution::Cancelled {
                id: id.clone(),
                reason: Some("User requested".into()),
                time_ms: t0 + 3000
            })
        );
        assert_eq!(mapped[6], Some(Execution::Expired { id, time_ms: t0 + 4000 }));
    }

    #[test]
    fn a_trade_without_its_quantity_is_not_booked_on_a_guess() {
        let text = r#"{"channel":"executions","type":"update","data":[
            {"exec_type":"trade","order_id":"OA-1","cl_ord_id":"h-1","trade_id":1,"last_price":"1","timestamp":"2024-01-01T00:00:00Z"}]}"#;
        assert!(execution(&entries(text)[0], OrderId::new("h-1")).is_err());
    }

    #[test]
    fn errors_become_typed_rejects_with_krakens_text() {
        let cases = [
            ("EOrder:Insufficient funds", RejectKind::InsufficientFunds),
            ("EOrder:Order minimum not met", RejectKind::BelowMinimum),
            ("EOrder:Post only order", RejectKind::PostOnlyWouldTake),
            ("EOrder:Rate limit exceeded", RejectKind::RateLimited),
            ("EOrder:Unknown order", RejectKind::UnknownOrder),
            ("EGeneral:Invalid arguments:price", RejectKind::PriceIncrement),
            ("EOrder:Market in cancel_only mode", RejectKind::VenueError),
        ];
        for (text, kind) in cases {
            let reason = reject_reason(&KrakenError::new(text));
            assert_eq!(reason.kind, kind, "{text}");
            assert_eq!(reason.detail, text);
        }
    }
}

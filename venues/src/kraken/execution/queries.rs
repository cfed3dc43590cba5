//! What the port asks Kraken over REST, whatever the state of the order socket: the WebSocket
//! token, one order by client order id (how an unknown outcome is settled), the open orders
//! and fills since a time (the mass status), the pairs' REST names, and the emergency path's
//! `AddOrder`.

use std::collections::BTreeMap;

use trading::brokers::{
    FillReport, MassStatus, NewOrder, OrderReport, RejectKind, RejectReason, ReportedQty, VenueOrderState,
};
use trading::market::TimeMs;
use trading::orders::{OrderId, VenueId};

use super::ids::OrderIds;
use super::translate::{rest_fill, rest_report};
use crate::kraken::instruments::InstrumentsError;
use crate::kraken::rest::{KrakenRest, RestCallError};
use crate::kraken::wire::requests::AddOrder;
use crate::kraken::wire::rest::{self, RestError, RestOrder, RestTrade};
use crate::kraken::wire::{OrderErrorKind, PairDirectory, Token};

/// Trades per `TradesHistory` page (Kraken's fixed page size).
const TRADES_PAGE: u64 = 50;
/// Pages read for one answer at most: 5,000 fills, more than a reconnect's gap holds.
const MAX_TRADE_PAGES: u64 = 100;

/// Why a query has no answer yet. Each is worth asking again.
#[derive(Debug, thiserror::Error)]
pub(super) enum QueryError {
    #[error(transparent)]
    Call(#[from] RestCallError),
    #[error(transparent)]
    Answer(#[from] RestError),
}

/// A fresh token for the authenticated socket.
pub(super) async fn websockets_token(rest: &KrakenRest) -> Result<Token, QueryError> {
    let body = rest.private("GetWebSocketsToken", rest::get_websockets_token).await?;
    Ok(rest::parse_websockets_token(&body)?.token)
}

/// Every pair's REST name, for the emergency `AddOrder`.
pub(super) async fn pair_directory(rest: &KrakenRest) -> Result<PairDirectory, InstrumentsError> {
    Ok(PairDirectory::new(
        &crate::kraken::instruments::asset_pairs(rest).await?,
    ))
}

/// Where the host's order `id` stands at Kraken, with its fills; `NotFound` when Kraken never
/// had it.
pub(super) async fn order_status(
    rest: &KrakenRest,
    ids: &OrderIds,
    id: &OrderId,
    now_ms: TimeMs,
) -> Result<OrderReport, QueryError> {
    let body = rest
        .private("QueryOrders", |nonce| {
            rest::query_orders_by_cl_ord_id(nonce, id.as_str(), true)
        })
        .await?;
    let orders = match rest::parse_query_orders(&body) {
        Err(RestError::Kraken { errors }) if errors.iter().any(|e| e.kind == OrderErrorKind::UnknownOrder) => {
            return Ok(not_found(id, now_ms));
        }
        other => other?,
    };
    // A client order id is unique among open orders only: the newest order carrying it is
    // the host's (the host never reuses one).
    let Some((txid, order)) = orders.iter().max_by_key(|(_, order)| order.opentm) else {
        return Ok(not_found(id, now_ms));
    };
    ids.learn(txid, id);
    let fills = if order.vol_exec.is_zero() {
        Vec::new()
    } else {
        trades_since(rest, order.opentm)
            .await?
            .iter()
            .filter(|(_, trade)| &trade.ordertxid == txid)
            .map(|(trade_txid, trade)| rest_fill(id.clone(), trade_txid, trade))
            .collect()
    };
    Ok(rest_report(id.clone(), txid, order, fills, now_ms))
}

fn not_found(id: &OrderId, now_ms: TimeMs) -> OrderReport {
    OrderReport {
        id: id.clone(),
        venue_order_id: None,
        state: VenueOrderState::NotFound,
        filled_qty: rust_decimal::Decimal::ZERO,
        qty: ReportedQty::Unknown,
        fills: Vec::new(),
        time_ms: now_ms,
    }
}

/// Kraken's open orders of the host and every fill of the host's orders since `since_ms`.
/// Orders and fills that are not the host's (no client order id it knows) are left out and
/// counted in the log.
pub(super) async fn mass_status(
    rest: &KrakenRest,
    venue: &VenueId,
    ids: &OrderIds,
    since_ms: TimeMs,
    now_ms: TimeMs,
) -> Result<MassStatus, QueryError> {
    let body = rest
        .private("OpenOrders", |nonce| rest::open_orders(nonce, false, None))
        .await?;
    let open_orders: BTreeMap<String, RestOrder> = rest::parse_open_orders(&body)?;
    let mut open = Vec::new();
    let mut foreign = 0usize;
    for (txid, order) in &open_orders {
        let Some(cl_ord_id) = &order.cl_ord_id else {
            foreign += 1;
            continue;
        };
        let id = OrderId::new(cl_ord_id);
        ids.learn(txid, &id);
        open.push(rest_report(id, txid, order, Vec::new(), now_ms));
    }
    let mut fills: Vec<FillReport> = Vec::new();
    for (trade_txid, trade) in trades_since(rest, since_ms).await? {
        match ids.host_id(&trade.ordertxid) {
            Some(id) => fills.push(rest_fill(id, &trade_txid, &trade)),
            None => foreign += 1,
        }
    }
    fills.sort_by_key(|fill| fill.time_ms);
    if foreign > 0 {
        tracing::info!(%venue, foreign, "the mass status leaves out orders and fills that are not the host's");
    }
    Ok(MassStatus {
        venue: venue.clone(),
        since_ms,
        open,
        fills,
        time_ms: now_ms,
    })
}

/// The account's trades from `since_ms` on, every page.
async fn trades_since(rest: &KrakenRest, since_ms: TimeMs) -> Result<Vec<(String, RestTrade)>, QueryError> {
    // Kraken's `start` is exclusive and in seconds: one second earlier covers `since_ms`.
    let start = (since_ms / 1000 - 1).max(0).to_string();
    let mut trades = Vec::new();
    for page in 0..MAX_TRADE_PAGES {
        let offset = page * TRADES_PAGE;
        let body = rest
            .private("TradesHistory", |nonce| {
                rest::trades_history(nonce, Some(&start), None, Some(offset))
            })
            .await?;
        let history = rest::parse_trades_history(&body)?;
        let got = history.trades.len() as u64;
        trades.extend(history.trades);
        if got == 0 || offset + got >= history.count {
            return Ok(trades);
        }
    }
    tracing::warn!(
        pages = MAX_TRADE_PAGES,
        "TradesHistory has more pages than are read: older fills are left for the next mass status"
    );
    Ok(trades)
}

/// What an `AddOrder` over REST came to.
pub(super) enum RestPlacement {
    Placed {
        txid: Option<String>,
    },
    Refused(crate::kraken::wire::KrakenError),
    /// No answer, a 5xx, or an error that leaves it open whether Kraken acted.
    Unknown(String),
}

/// Sends `order` over REST (the emergency path while the order socket is down).
pub(super) async fn add_order(rest: &KrakenRest, order: &AddOrder, directory: &PairDirectory) -> RestPlacement {
    let pair = directory
        .rest_name(&order.symbol)
        .map_or_else(|| crate::kraken::wire::rest_pair_guess(&order.symbol), str::to_owned);
    let body = match rest
        .private("AddOrder", |nonce| rest::add_order(nonce, order, &pair))
        .await
    {
        Ok(body) => body,
        Err(e @ (RestCallError::Transport { .. } | RestCallError::Status { .. })) => {
            return RestPlacement::Unknown(e.to_string())
        }
        Err(e @ RestCallError::Sign { .. }) => {
            return RestPlacement::Refused(crate::kraken::wire::KrakenError::new(format!("EAPI:Invalid key ({e})")))
        }
    };
    match rest::parse_add_order(&body) {
        Ok(result) => RestPlacement::Placed {
            txid: result.txids.into_iter().next(),
        },
        Err(RestError::Kraken { errors }) => {
            match errors
                .iter()
                .find(|e| e.outcome() == crate::kraken::wire::Outcome::Unknown)
            {
                Some(unknown) => RestPlacement::Unknown(unknown.text.clone()),
                None => match errors.into_iter().next() {
                    Some(first) => RestPlacement::Refused(first),
                    None => RestPlacement::Unknown("AddOrder answered an empty error list".into()),
                },
            }
        }
        Err(RestError::Wire(e)) => RestPlacement::Unknown(format!("AddOrder's answer is unreadable: {e}")),
    }
}

/// The add request Kraken is sent for a host order, over either path: stops as `stop-loss`
/// and `stop-loss-limit` on the last trade, post-only as its flag. Reduce-only is the host's
/// rule (Kraken's flag is for margin positions, not a spot account's), so it is not sent.
///
/// # Errors
///
/// The reject for fill-or-kill, which Kraken spot does not have (its time in force is gtc,
/// gtd or ioc).
pub(super) fn add_request(order: &NewOrder) -> Result<AddOrder, RejectReason> {
    use crate::kraken::wire::requests::OrderKind;
    use crate::kraken::wire::TimeInForce as KrakenTimeInForce;
    use trading::orders::{OrderType, TimeInForce};
    let kind = match order.order_type {
        OrderType::Market => OrderKind::Market,
        OrderType::Limit(limit_price) => OrderKind::Limit {
            limit_price,
            post_only: order.post_only,
        },
        OrderType::Stop(trigger) => OrderKind::StopLoss { trigger },
        OrderType::StopLimit { trigger, limit } => OrderKind::StopLossLimit {
            trigger,
            limit_price: limit,
        },
    };
    let time_in_force = match (order.time_in_force, order.order_type) {
        // A market order takes what it can at once on Kraken whatever it is told.
        (_, OrderType::Market) | (TimeInForce::Gtc, _) => None,
        (TimeInForce::Ioc, _) => Some(KrakenTimeInForce::Ioc),
        (TimeInForce::Fok, _) => {
            return Err(RejectReason::new(
                RejectKind::InvalidOrder,
                "Kraken spot has no fill-or-kill orders (its time in force is gtc, gtd or ioc)",
            ))
        }
    };
    Ok(AddOrder {
        symbol: order.symbol.clone(),
        side: order.side,
        order_qty: order.qty,
        kind,
        time_in_force,
        reduce_only: false,
        cl_ord_id: Some(order.id.as_str().to_owned()),
        validate: false,
    })
}

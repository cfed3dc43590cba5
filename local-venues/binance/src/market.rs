//! One symbol's market: its book with Binance's update ids, its trade ids, and the 1-minute
//! kline trades build. What changed comes back as [`Change`]s, for the exchange to publish.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::config::SymbolSpec;
use crate::stops::PrintRange;

/// A level as it is set: price and absolute quantity (zero removes it).
pub type Level = (Decimal, Decimal);

/// A 1-minute candle in progress (or just closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kline {
    /// Open time (a whole minute, ms).
    pub open_time: i64,
    /// Opening price.
    pub open: Decimal,
    /// Highest price.
    pub high: Decimal,
    /// Lowest price.
    pub low: Decimal,
    /// Last price.
    pub close: Decimal,
    /// Base volume.
    pub volume: Decimal,
    /// Quote volume.
    pub quote_volume: Decimal,
    /// Trades in it.
    pub trades: u64,
    /// The first trade's id.
    pub first_trade_id: u64,
    /// The last trade's id.
    pub last_trade_id: u64,
}

/// One public trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicTrade {
    /// Binance's trade id (sequential per symbol).
    pub id: u64,
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
    /// Whether the buyer made the market (the seller took).
    pub buyer_is_maker: bool,
    /// When, ms.
    pub time_ms: i64,
}

/// A change to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    Trade(PublicTrade),
    /// The kline after a trade; `closed` for the last update of a minute.
    Kline {
        kline: Kline,
        closed: bool,
    },
    /// Levels set between two update ids.
    Depth {
        first: u64,
        last: u64,
        bids: Vec<Level>,
        asks: Vec<Level>,
    },
    /// The top of the book moved.
    BookTicker {
        update_id: u64,
        bid: Level,
        ask: Level,
    },
}

#[derive(Debug)]
pub(crate) struct Market {
    pub(crate) spec: SymbolSpec,
    /// Highest last.
    bids: BTreeMap<Decimal, Decimal>,
    /// Lowest first.
    asks: BTreeMap<Decimal, Decimal>,
    /// The book's last update id.
    pub(crate) update_id: u64,
    next_trade_id: u64,
    kline: Option<Kline>,
    /// The last trade's price: what stops are judged against.
    last_price: Option<Decimal>,
    /// Prices printed since the account's stops were last looked at.
    unseen_prints: Option<PrintRange>,
}

impl Market {
    pub(crate) fn new(spec: SymbolSpec) -> Self {
        Self {
            spec,
            bids: BTreeMap::new(),
            asks: BTreeMap::new(),
            // Binance's ids are large and never start at zero; a test that confuses an id with a
            // count shows.
            update_id: 1_000,
            next_trade_id: 1,
            kline: None,
            last_price: None,
            unseen_prints: None,
        }
    }

    /// The last trade's price, once anything traded.
    pub(crate) fn last_price(&self) -> Option<Decimal> {
        self.last_price
    }

    /// The prices printed since the last call, for the stops to look at; `None` when nothing
    /// printed.
    pub(crate) fn take_unseen_prints(&mut self) -> Option<PrintRange> {
        self.unseen_prints.take()
    }

    fn top(&self) -> (Level, Level) {
        let bid = self
            .bids
            .iter()
            .next_back()
            .map_or((Decimal::ZERO, Decimal::ZERO), |(p, q)| (*p, *q));
        let ask = self
            .asks
            .iter()
            .next()
            .map_or((Decimal::ZERO, Decimal::ZERO), |(p, q)| (*p, *q));
        (bid, ask)
    }

    /// Sets levels; `skip` update ids are lost before this change (a sequence gap on request).
    pub(crate) fn set_levels(&mut self, bids: &[Level], asks: &[Level], skip: u64) -> Vec<Change> {
        let before = self.top();
        for (price, qty) in bids {
            set(&mut self.bids, *price, *qty);
        }
        for (price, qty) in asks {
            set(&mut self.asks, *price, *qty);
        }
        let first = self.update_id + 1 + skip;
        // One update id per level set, as the matching engine counts them.
        let count = (bids.len() + asks.len()).max(1) as u64;
        let last = first + count - 1;
        self.update_id = last;
        let mut changes = vec![Change::Depth {
            first,
            last,
            bids: bids.to_vec(),
            asks: asks.to_vec(),
        }];
        let after = self.top();
        if after != before {
            changes.push(Change::BookTicker {
                update_id: last,
                bid: after.0,
                ask: after.1,
            });
        }
        changes
    }

    /// The top `limit` levels a side, best first, and the update id they are as of.
    pub(crate) fn snapshot(&self, limit: usize) -> (u64, Vec<Level>, Vec<Level>) {
        let bids = self.bids.iter().rev().take(limit).map(|(p, q)| (*p, *q)).collect();
        let asks = self.asks.iter().take(limit).map(|(p, q)| (*p, *q)).collect();
        (self.update_id, bids, asks)
    }

    /// A trade at `time_ms`: its event, and the kline's (a closed one first when the minute
    /// turned).
    pub(crate) fn trade(&mut self, price: Decimal, qty: Decimal, buyer_is_maker: bool, time_ms: i64) -> Vec<Change> {
        let trade = PublicTrade {
            id: self.next_trade_id,
            price,
            qty,
            buyer_is_maker,
            time_ms,
        };
        self.next_trade_id += 1;
        self.last_price = Some(price);
        self.unseen_prints = Some(self.unseen_prints.map_or(PrintRange::at(price), |r| r.with(price)));
        let mut changes = vec![Change::Trade(trade.clone())];
        let minute = time_ms - time_ms.rem_euclid(60_000);
        if let Some(old) = self.kline.take_if(|k| k.open_time != minute) {
            changes.push(Change::Kline {
                kline: old,
                closed: true,
            });
        }
        let kline = self.kline.get_or_insert(Kline {
            open_time: minute,
            open: price,
            high: price,
            low: price,
            close: price,
            volume: Decimal::ZERO,
            quote_volume: Decimal::ZERO,
            trades: 0,
            first_trade_id: trade.id,
            last_trade_id: trade.id,
        });
        kline.high = kline.high.max(price);
        kline.low = kline.low.min(price);
        kline.close = price;
        kline.volume += qty;
        kline.quote_volume += qty * price;
        kline.trades += 1;
        kline.last_trade_id = trade.id;
        changes.push(Change::Kline {
            kline: kline.clone(),
            closed: false,
        });
        changes
    }

    /// The kline open before `time_ms`'s minute, closed, if the clock moved past it.
    pub(crate) fn close_kline_before(&mut self, time_ms: i64) -> Option<Change> {
        let minute = time_ms - time_ms.rem_euclid(60_000);
        self.kline
            .take_if(|k| k.open_time < minute)
            .map(|kline| Change::Kline { kline, closed: true })
    }
}

fn set(side: &mut BTreeMap<Decimal, Decimal>, price: Decimal, qty: Decimal) {
    if qty.is_zero() {
        side.remove(&price);
    } else {
        side.insert(price, qty);
    }
}

//! A symbol's filters (filters.md) and what the host's [`Instrument`] can hold of them.
//!
//! [`Instrument`] has a tick, a lot, a minimum quantity and a minimum notional. Binance says
//! more, and [`SymbolRules`] keeps all of it so risk can grow into it: price bounds
//! (`minPrice`/`maxPrice`), a maximum quantity, separate market-order lots
//! (`MARKET_LOT_SIZE`), a maximum notional, whether the notional minimum applies to market
//! orders and over which average price, the symbol's status (`CANCEL_ONLY`, `HALT`) and the
//! open-order caps. [`SymbolRules::instrument`] takes the part that fits.

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use trading::market::{Instrument, InvalidInstrument};

use crate::kit::decimal::decimal_string;
use crate::kit::json_path::parse_at;

/// One entry of a symbol's `filters`. Filters this version does not read are kept by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `PRICE_FILTER`: price bounds and tick. Each bound (and the tick) is off at zero.
    Price(PriceFilter),
    /// `LOT_SIZE`: quantity bounds and step, for every order.
    LotSize(LotSize),
    /// `MARKET_LOT_SIZE`: quantity bounds and step for market orders.
    MarketLotSize(LotSize),
    /// `MIN_NOTIONAL`: price × quantity at least this.
    MinNotional(MinNotional),
    /// `NOTIONAL`: price × quantity within a range.
    Notional(Notional),
    /// `MAX_NUM_ORDERS`: open orders on the symbol at most this.
    MaxNumOrders(u32),
    /// Any other filter (`PERCENT_PRICE`, `ICEBERG_PARTS`, `TRAILING_DELTA`, …), by its type.
    Other(String),
}

/// `PRICE_FILTER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceFilter {
    /// The lowest price (zero: no bound).
    #[serde(deserialize_with = "decimal_string")]
    pub min_price: Decimal,
    /// The highest price (zero: no bound).
    #[serde(deserialize_with = "decimal_string")]
    pub max_price: Decimal,
    /// The tick (zero: any price).
    #[serde(deserialize_with = "decimal_string")]
    pub tick_size: Decimal,
}

/// `LOT_SIZE` and `MARKET_LOT_SIZE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LotSize {
    /// The smallest quantity.
    #[serde(deserialize_with = "decimal_string")]
    pub min_qty: Decimal,
    /// The largest quantity.
    #[serde(deserialize_with = "decimal_string")]
    pub max_qty: Decimal,
    /// The step (zero: any quantity).
    #[serde(deserialize_with = "decimal_string")]
    pub step_size: Decimal,
}

/// `MIN_NOTIONAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MinNotional {
    /// The smallest price × quantity.
    #[serde(deserialize_with = "decimal_string")]
    pub min_notional: Decimal,
    /// Whether market orders are held to it too.
    #[serde(default)]
    pub apply_to_market: bool,
    /// Minutes of the average price a market order is valued at (0: the last price).
    #[serde(default)]
    pub avg_price_mins: u32,
}

/// `NOTIONAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notional {
    /// The smallest price × quantity.
    #[serde(deserialize_with = "decimal_string")]
    pub min_notional: Decimal,
    /// Whether market orders are held to the minimum.
    #[serde(default)]
    pub apply_min_to_market: bool,
    /// The largest price × quantity.
    #[serde(deserialize_with = "decimal_string")]
    pub max_notional: Decimal,
    /// Whether market orders are held to the maximum.
    #[serde(default)]
    pub apply_max_to_market: bool,
    /// Minutes of the average price a market order is valued at (0: the last price).
    #[serde(default)]
    pub avg_price_mins: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tag<'a> {
    #[serde(borrow)]
    filter_type: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MaxNumOrders {
    max_num_orders: u32,
}

impl<'de> Deserialize<'de> for Filter {
    /// Read through the raw text, because the exact decimals inside are (serde's internally
    /// tagged enums buffer values and lose the text). An error names the field inside the
    /// filter, after the filter's own path.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        fn read<'a, T: Deserialize<'a>, E: serde::de::Error>(text: &'a str) -> Result<T, E> {
            parse_at("", text).map_err(|e| E::custom(format_args!("`{}`: {}", e.path, e.reason)))
        }
        let raw = <&RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        let tag: Tag<'_> = read(text)?;
        Ok(match tag.filter_type.as_ref() {
            "PRICE_FILTER" => Filter::Price(read(text)?),
            "LOT_SIZE" => Filter::LotSize(read(text)?),
            "MARKET_LOT_SIZE" => Filter::MarketLotSize(read(text)?),
            "MIN_NOTIONAL" => Filter::MinNotional(read(text)?),
            "NOTIONAL" => Filter::Notional(read(text)?),
            "MAX_NUM_ORDERS" => Filter::MaxNumOrders(read::<MaxNumOrders, D::Error>(text)?.max_num_orders),
            "" => return Err(D::Error::custom("empty filterType")),
            other => Filter::Other(super::error::excerpt(other)),
        })
    }
}

/// Whether a symbol takes orders, from its `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TradingState {
    /// `TRADING`: new orders and cancels.
    Open,
    /// `CANCEL_ONLY`: cancels only; risk refuses new orders.
    CancelOnly,
    /// Anything else (`HALT`, `BREAK`, an auction, a status this version does not know):
    /// neither.
    Closed,
}

/// Everything `exchangeInfo` says an order on one symbol must satisfy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SymbolRules {
    /// `PRICE_FILTER`, if listed.
    pub price: Option<PriceFilter>,
    /// `LOT_SIZE`, if listed.
    pub lot: Option<LotSize>,
    /// `MARKET_LOT_SIZE`, if listed.
    pub market_lot: Option<LotSize>,
    /// `MIN_NOTIONAL`, if listed.
    pub min_notional: Option<MinNotional>,
    /// `NOTIONAL`, if listed.
    pub notional: Option<Notional>,
    /// `MAX_NUM_ORDERS`, if listed.
    pub max_num_orders: Option<u32>,
}

/// Why a symbol's rules make no [`Instrument`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// No tick to put prices on: no `PRICE_FILTER`, or one with the tick off, and no precision
    /// to fall back on.
    #[error("no price increment: PRICE_FILTER is missing or its tickSize is 0")]
    NoTick,
    /// No step to put quantities on.
    #[error("no quantity increment: LOT_SIZE is missing or its stepSize is 0")]
    NoStep,
    /// The numbers make no instrument (a negative minimum).
    #[error(transparent)]
    Invalid(#[from] InvalidInstrument),
}

impl SymbolRules {
    /// Collects the filters this version reads.
    pub fn from_filters(filters: &[Filter]) -> Self {
        let mut rules = Self::default();
        for filter in filters {
            match filter {
                Filter::Price(f) => rules.price = Some(*f),
                Filter::LotSize(f) => rules.lot = Some(*f),
                Filter::MarketLotSize(f) => rules.market_lot = Some(*f),
                Filter::MinNotional(f) => rules.min_notional = Some(*f),
                Filter::Notional(f) => rules.notional = Some(*f),
                Filter::MaxNumOrders(n) => rules.max_num_orders = Some(*n),
                Filter::Other(_) => {}
            }
        }
        rules
    }

    /// The part of the rules the host's [`Instrument`] holds: the tick, the lot, the lot's
    /// minimum quantity, and the stricter of the two notional minimums (a limit order must
    /// meet both).
    ///
    /// A tick or step of zero means "any", which an [`Instrument`] cannot say: then the
    /// asset's precision (`precision_fallback`, decimals of price and of quantity) gives the
    /// finest step Binance would take.
    ///
    /// # Errors
    /// [`RulesError`] when neither the filter nor the fallback gives an increment.
    pub fn instrument(&self, precision_fallback: (Option<u32>, Option<u32>)) -> Result<Instrument, RulesError> {
        let tick = positive(self.price.map(|p| p.tick_size))
            .or_else(|| precision_fallback.0.and_then(step_of_decimals))
            .ok_or(RulesError::NoTick)?;
        let step = positive(self.lot.map(|l| l.step_size))
            .or_else(|| precision_fallback.1.and_then(step_of_decimals))
            .ok_or(RulesError::NoStep)?;
        let min_notional = [
            self.min_notional.map(|m| m.min_notional),
            self.notional.map(|n| n.min_notional),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(Decimal::ZERO);
        Ok(Instrument::new(tick, step)?
            .with_min_qty(self.lot.map_or(Decimal::ZERO, |l| l.min_qty))?
            .with_min_notional(min_notional)?)
    }
}

fn positive(value: Option<Decimal>) -> Option<Decimal> {
    value.filter(|v| *v > Decimal::ZERO)
}

/// `10^-decimals`, the finest step of a precision, if a [`Decimal`] can hold it.
fn step_of_decimals(decimals: u32) -> Option<Decimal> {
    (decimals <= 28).then(|| Decimal::new(1, decimals))
}

//! REST answers (rest-api.md): `GET /api/v3/exchangeInfo`, `GET /api/v3/depth`,
//! `GET /api/v3/time`, and the error body every endpoint answers a refusal with.
//!
//! Entry points: [`parse_exchange_info`], [`parse_depth_snapshot`], [`parse_server_time`],
//! [`parse_rest_error`]. Deciding whether a body is an error is the HTTP status's job (the
//! caller's): a 4xx body is an error, a 5xx an unknown outcome.

use serde::Deserialize;
use trading::market::{Instrument, MarketStatus, TimeMs};

use super::enums::{OrderType, RateLimitInterval, RateLimitType, SymbolStatus};
use super::error::{parse_json, require_object, WireError};
use super::filters::{Filter, RulesError, SymbolRules, TradingState};
use super::market::DepthSnapshot;
use super::symbols::{SymbolDirectory, VenueSymbol};
use super::venue_error::BinanceError;

/// `exchangeInfo`: the rate limits and every symbol's rules.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeInfo {
    /// The server's clock when it answered.
    pub server_time: TimeMs,
    /// The limits Binance enforces. Entries that lack a field are left out: the docs' own
    /// example lists `{}`.
    #[serde(deserialize_with = "complete_rate_limits", default)]
    pub rate_limits: Vec<RateLimit>,
    /// Every symbol.
    pub symbols: Vec<SymbolInfo>,
}

/// One limit: at most `limit` of `kind` per `interval_num` × `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// What it counts.
    pub kind: RateLimitKind,
    /// The window's unit.
    pub interval: RateLimitInterval,
    /// The window's length in units.
    pub interval_num: u32,
    /// The most allowed in a window.
    pub limit: u64,
}

/// What a [`RateLimit`] counts; a kind this version does not know is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RateLimitKind {
    /// Request weight, per IP.
    RequestWeight,
    /// Orders, per account.
    Orders,
    /// Raw requests, per IP.
    RawRequests,
    /// Connections.
    Connections,
}

impl RateLimitKind {
    /// The kind of a wire `rateLimitType`, if this version knows it.
    pub fn of(wire: &RateLimitType) -> Option<Self> {
        match wire {
            RateLimitType::RequestWeight => Some(RateLimitKind::RequestWeight),
            RateLimitType::Orders => Some(RateLimitKind::Orders),
            RateLimitType::RawRequests => Some(RateLimitKind::RawRequests),
            RateLimitType::Connections => Some(RateLimitKind::Connections),
            RateLimitType::Unrecognized(_) => None,
        }
    }
}

impl RateLimit {
    /// The window's length in milliseconds.
    pub fn window_ms(&self) -> i64 {
        self.interval.unit_ms().saturating_mul(i64::from(self.interval_num))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRateLimit {
    #[serde(default)]
    rate_limit_type: Option<RateLimitType>,
    #[serde(default)]
    interval: Option<RateLimitInterval>,
    #[serde(default)]
    interval_num: Option<u32>,
    #[serde(default)]
    limit: Option<u64>,
}

impl RawRateLimit {
    fn complete(self) -> Option<RateLimit> {
        Some(RateLimit {
            kind: RateLimitKind::of(&self.rate_limit_type?)?,
            interval: self.interval?,
            interval_num: self.interval_num?,
            limit: self.limit?,
        })
    }
}

fn complete_rate_limits<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<RateLimit>, D::Error> {
    let raw = Vec::<RawRateLimit>::deserialize(deserializer)?;
    Ok(raw.into_iter().filter_map(RawRateLimit::complete).collect())
}

/// One symbol of `exchangeInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolInfo {
    /// Binance's spelling.
    pub symbol: VenueSymbol,
    /// Whether it trades.
    pub status: SymbolStatus,
    /// The base asset (`BTC`).
    pub base_asset: String,
    /// Decimals of base quantities.
    #[serde(default)]
    pub base_asset_precision: Option<u32>,
    /// The quote asset (`USDT`).
    pub quote_asset: String,
    /// Decimals of quote amounts.
    #[serde(default)]
    pub quote_asset_precision: Option<u32>,
    /// The order types it takes.
    #[serde(default)]
    pub order_types: Vec<OrderType>,
    /// Whether `order.cancelReplace` works on it.
    #[serde(default)]
    pub cancel_replace_allowed: bool,
    /// Whether `order.amend.keepPriority` works on it.
    #[serde(default)]
    pub amend_allowed: bool,
    /// Whether spot trading is allowed.
    #[serde(default)]
    pub is_spot_trading_allowed: bool,
    /// Its filters.
    #[serde(default)]
    pub filters: Vec<Filter>,
}

impl SymbolInfo {
    /// Its filters, collected.
    pub fn rules(&self) -> SymbolRules {
        SymbolRules::from_filters(&self.filters)
    }

    /// Its filters as the host's [`Instrument`] (see [`SymbolRules::instrument`]).
    ///
    /// # Errors
    /// [`RulesError`] when they give no tick or step.
    pub fn instrument(&self) -> Result<Instrument, RulesError> {
        let status = match self.trading_state() {
            TradingState::Open => MarketStatus::Open,
            TradingState::CancelOnly => MarketStatus::CancelOnly,
            TradingState::Closed => MarketStatus::Closed,
        };
        Ok(self
            .rules()
            .instrument((self.quote_asset_precision, self.base_asset_precision))?
            .with_status(status))
    }

    /// Whether it takes orders.
    pub fn trading_state(&self) -> TradingState {
        match self.status {
            SymbolStatus::Trading if self.is_spot_trading_allowed => TradingState::Open,
            SymbolStatus::CancelOnly => TradingState::CancelOnly,
            _ => TradingState::Closed,
        }
    }
}

impl ExchangeInfo {
    /// The directory of every symbol whose assets make a `BASE/QUOTE` symbol; the others are
    /// left out (and so never reach the host).
    pub fn directory(&self) -> SymbolDirectory {
        let mut directory = SymbolDirectory::new();
        for info in &self.symbols {
            // A symbol whose assets are not letters and digits cannot be named in the host.
            let _ = directory.insert(info.symbol, &info.base_asset, &info.quote_asset);
        }
        directory
    }
}

/// `GET /api/v3/time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerTime {
    /// The server's clock, UTC ms.
    pub server_time: TimeMs,
}

/// Parses the body of `GET /api/v3/exchangeInfo`.
///
/// # Errors
/// [`WireError`] naming the failing field (`symbols[3].filters[0]`).
pub fn parse_exchange_info(text: &str) -> Result<ExchangeInfo, WireError> {
    require_object(text)?;
    parse_json("exchangeInfo", "", text)
}

/// Parses the body of `GET /api/v3/depth`.
///
/// # Errors
/// [`WireError`] naming the failing field (`bids[3][0]`).
pub fn parse_depth_snapshot(text: &str) -> Result<DepthSnapshot, WireError> {
    require_object(text)?;
    parse_json("depth", "", text)
}

/// Parses the body of `GET /api/v3/time`.
///
/// # Errors
/// [`WireError`] when `serverTime` is missing or not an integer.
pub fn parse_server_time(text: &str) -> Result<ServerTime, WireError> {
    require_object(text)?;
    parse_json("time", "", text)
}

/// Parses an error body, `{"code":-1121,"msg":"Invalid symbol."}`.
///
/// # Errors
/// [`WireError`] when the body has no integer `code` or no `msg`.
pub fn parse_rest_error(text: &str) -> Result<BinanceError, WireError> {
    #[derive(Deserialize)]
    struct Body {
        code: i64,
        msg: String,
    }
    require_object(text)?;
    let body: Body = parse_json("error", "", text)?;
    Ok(BinanceError::new(body.code, body.msg))
}

#[cfg(test)]
mod tests;

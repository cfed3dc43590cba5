//! The [`Strategy`] trait: what a strategy author implements.

use crate::host::Host;
use crate::manifest::Manifest;
use crate::market::{Book, Candle, Quote, Trade};
use crate::orders::OrderUpdate;
use crate::params::Params;
use crate::snapshot::Snapshot;

/// A trading strategy. Implement it, then call [`export_strategy!`](crate::export_strategy) once.
///
/// The host drives an instance through this lifecycle:
/// 1. [`manifest`](Strategy::manifest), to learn the name, subscriptions and params;
/// 2. [`init`](Strategy::init) with the params parsed from the operator's JSON;
/// 3. optionally [`Snapshot::restore`], with the state of a previous version (hot reload) or of
///    this one (recovery after a trap);
/// 4. `on_*` for every event, one at a time, and [`Snapshot::snapshot`] whenever it wants to
///    keep the state.
///
/// Every `on_*` method does nothing by default; implement those for the data you subscribe to.
/// Keep them allocation-free where you can: they run once per event, millions of times in a
/// backtest.
///
/// A panic in any method traps the instance: the host logs it and restarts the strategy from
/// its last good snapshot. Return errors from `init` and `restore` instead of panicking.
pub trait Strategy: Snapshot + Sized + 'static {
    /// Describes the strategy. Called before `init`, and again whenever the host needs the
    /// parameter schema.
    fn manifest() -> Manifest;

    /// Builds the strategy from its params, which already follow the manifest's specs (kinds
    /// checked, defaults applied).
    ///
    /// # Errors
    ///
    /// A message for the operator when a value is out of range (a [`ParamError`] converts with
    /// `?`); the host does not start the strategy.
    ///
    /// [`ParamError`]: crate::ParamError
    fn init(params: &Params) -> Result<Self, String>;

    /// A bar closed on a subscribed symbol and timeframe.
    fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        let _ = (host, candle);
    }

    /// A public trade on a subscribed symbol.
    fn on_trade(&mut self, host: &mut dyn Host, trade: &Trade) {
        let _ = (host, trade);
    }

    /// The best bid or ask changed on a subscribed symbol.
    fn on_quote(&mut self, host: &mut dyn Host, quote: &Quote) {
        let _ = (host, quote);
    }

    /// The top of a subscribed order book changed: `book` holds at most the subscribed depth
    /// of levels a side, best first.
    fn on_book(&mut self, host: &mut dyn Host, book: &Book) {
        let _ = (host, book);
    }

    /// The bar in progress of a subscribed `candle_updates` stream changed: `candle` is the
    /// bar so far ([`Host::now_ms`] says when it changed). Its closed form comes to
    /// [`Strategy::on_candle`], for a strategy that also subscribes to the candles.
    fn on_candle_update(&mut self, host: &mut dyn Host, candle: &Candle) {
        let _ = (host, candle);
    }

    /// One of this strategy's orders changed: accepted, filled (partly), cancelled or rejected.
    fn on_order_update(&mut self, host: &mut dyn Host, update: &OrderUpdate) {
        let _ = (host, update);
    }
}

/// Builds `S` from a params JSON text exactly as the host's `init` call does: parse against
/// `S::manifest()`'s specs, then [`Strategy::init`]. Handy in tests.
///
/// # Errors
///
/// The parse error or `init`'s error, as the host would receive it.
pub fn instantiate<S: Strategy>(params_json: &str) -> Result<S, String> {
    let params = Params::parse(&S::manifest().params, params_json)?;
    S::init(&params)
}

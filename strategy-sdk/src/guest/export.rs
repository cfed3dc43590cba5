//! The world's exports, generic over the strategy type.
//!
//! wit-bindgen wants a type implementing `Guest` with static functions, while a strategy is a
//! value built by `init`. [`export_strategy!`](crate::export_strategy) bridges the two: it
//! declares one [`Slot`] per component (a thread-local, which on `wasm32-wasip2` is a plain
//! static) and a `Guest` impl whose every function forwards to it.

use std::cell::RefCell;

use super::bindings::strategy_host::strategy::host as imports;
use super::bindings::strategy_host::strategy::types as wit;
use super::component_host::ComponentHost;
use super::convert;
use super::streams::{EventKind, Streams};
use crate::strategy::{instantiate, Strategy};
use crate::Host;

pub use super::bindings::Guest;
pub use wit::{Manifest as WitManifest, MarketEvent as WitMarketEvent, OrderUpdate as WitOrderUpdate};

/// The component's one strategy instance (empty until the host calls `init`), and the table of
/// the streams its events came on.
#[derive(Debug)]
pub struct Slot<S> {
    strategy: RefCell<Option<S>>,
    /// Outlives the strategy `init` replaces: stream ids hold for the host's whole run.
    streams: RefCell<Streams>,
}

impl<S> Slot<S> {
    /// An empty slot, for the `thread_local!` that holds it.
    pub const fn new() -> Self {
        Slot {
            strategy: RefCell::new(None),
            streams: RefCell::new(Streams::new()),
        }
    }
}

impl<S> Default for Slot<S> {
    fn default() -> Self {
        Slot::new()
    }
}

impl<S: Strategy> Slot<S> {
    /// `describe`: the strategy's manifest.
    pub fn describe() -> WitManifest {
        S::manifest().into()
    }

    /// `init`: parse the params, build the strategy, and replace any previous one.
    pub fn init(&self, params: String) -> Result<(), String> {
        let strategy = instantiate::<S>(&params)?;
        *self.borrow_mut()? = Some(strategy);
        Ok(())
    }

    /// `on-event`: resolve the event's stream, convert and dispatch to the strategy's `on_*`
    /// method. An event whose stream the host cannot describe is dropped (and reported once per
    /// stream), never a panic.
    pub fn on_event(&self, event: WitMarketEvent) {
        self.with_strategy(|strategy, host| self.dispatch(strategy, host, event));
    }

    /// `on-events`: what the host hands out one by one, each dispatched as `on-event` or
    /// `on-order-update` dispatches it, until the host says the run is over.
    pub fn on_events(&self) {
        self.with_strategy(|strategy, host| {
            while let Some(event) = imports::next_event() {
                match event {
                    wit::Event::Market(event) => self.dispatch(strategy, host, event),
                    wit::Event::OrderUpdate(update) => strategy.on_order_update(host, &update.into()),
                }
            }
        });
    }

    fn dispatch(&self, strategy: &mut S, host: &mut dyn Host, event: WitMarketEvent) {
        let Ok(mut streams) = self.streams.try_borrow_mut() else {
            return host.error(REENTRANT);
        };
        let describe = imports::describe_stream;
        let dropped = match event {
            wit::MarketEvent::Candle(candle) => streams
                .bars(candle.stream, EventKind::Candle, describe)
                .map(|(symbol, timeframe)| strategy.on_candle(host, &convert::candle(candle, symbol, timeframe))),
            wit::MarketEvent::CandleUpdate(candle) => streams
                .bars(candle.stream, EventKind::CandleUpdate, describe)
                .map(|(symbol, timeframe)| {
                    strategy.on_candle_update(host, &convert::candle(candle, symbol, timeframe))
                }),
            wit::MarketEvent::Book(book) => streams
                .symbol(book.stream, EventKind::Book, describe)
                .map(|symbol| strategy.on_book(host, &convert::book(book, symbol))),
            wit::MarketEvent::Trade(trade) => streams
                .symbol(trade.stream, EventKind::Trade, describe)
                .map(|symbol| strategy.on_trade(host, &convert::trade(trade, symbol))),
            wit::MarketEvent::Quote(quote) => streams
                .symbol(quote.stream, EventKind::Quote, describe)
                .map(|symbol| strategy.on_quote(host, &convert::quote(quote, symbol))),
        };
        if let Err(Some(report)) = dropped {
            host.error(&report);
        }
    }

    /// `on-order-update`: convert and dispatch.
    pub fn on_order_update(&self, update: WitOrderUpdate) {
        self.with_strategy(|strategy, host| strategy.on_order_update(host, &update.into()));
    }

    /// `snapshot`: the strategy's state, or nothing before `init`.
    pub fn snapshot(&self) -> Vec<u8> {
        match self.strategy.try_borrow() {
            Ok(strategy) => strategy.as_ref().map(S::snapshot).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// `restore`: hand the state to the strategy `init` built.
    pub fn restore(&self, state: Vec<u8>) -> Result<(), String> {
        match self.borrow_mut()?.as_mut() {
            Some(strategy) => strategy.restore(&state),
            None => Err("restore called before init: the host must call init first".to_owned()),
        }
    }

    fn with_strategy(&self, handle: impl FnOnce(&mut S, &mut dyn Host)) {
        let mut host = ComponentHost;
        match self.borrow_mut() {
            Ok(mut strategy) => match strategy.as_mut() {
                Some(strategy) => handle(strategy, &mut host),
                None => host.error("event received before init: ignored"),
            },
            Err(message) => host.error(&message),
        }
    }

    /// The component model forbids re-entering a component, so this cannot fail; it is an
    /// error rather than a panic all the same.
    fn borrow_mut(&self) -> Result<std::cell::RefMut<'_, Option<S>>, String> {
        self.strategy.try_borrow_mut().map_err(|_| REENTRANT.to_owned())
    }
}

const REENTRANT: &str = "re-entrant call into the strategy: ignored";

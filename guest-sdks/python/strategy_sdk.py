"""strategy_sdk: strategy-host strategies in Python, built to components by componentize-py.

The thin guest library over the bindings componentize-py generates from `wit/strategy.wit`
(world `strategy`; the modules `wit_world`, `wit_world.imports.types` and
`wit_world.imports.host` exist only while componentize-py builds a component). It does for a
Python strategy what the Rust SDK's `export_strategy!` does for a Rust one:

- `export(StrategyClass)` makes the world's exports (the class the app module must name
  `WitWorld`) out of a `Strategy` subclass: `init` parses the params against the manifest and
  builds the strategy; `on-events` pulls `next-event` until the host says the run is over; every
  market event's stream id is resolved to its symbol and timeframe, asking the host once per id.
- `Host` is the host interface with exact decimals: `account`, `position`, `place_order`,
  `cancel_order`, `cancel_all_orders`, `amend_order`, `log`, `emit_decision`, `decisions_wanted` (asked once), `now_ms`.
- Exact decimals are Python's `decimal.Decimal`: the WIT's mantissa and scale convert without
  loss both ways (a value with more digits than a 64-bit mantissa holds is rounded half to even
  to the most places that fit, as the Rust SDK does).
- `Sma` and `Crossover` are streaming indicators whose snapshots have the Rust SDK's JSON shape,
  so a strategy's state can move between a Rust and a Python version on hot reload.
"""

import json
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from typing import Optional

import wit_world
from componentize_py_types import Err
from wit_world.imports import host as _imports
from wit_world.imports import types as wit

Side = wit.Side
OrderStatus = wit.OrderStatus
TimeInForce = wit.TimeInForce
LogLevel = wit.LogLevel
Action = wit.Action

#: A subscription's symbol or timeframe that matches every one.
ANY = "*"
#: The largest scale the contract allows.
MAX_SCALE = 28
#: The longest moving-average window, as in the Rust SDK.
MAX_PERIOD = 100_000
_I64_MAX = 2**63 - 1

#: Sums and products of exchange decimals are exact here: any rounding raises instead.
EXACT = Context(prec=120, traps=[Inexact, Overflow, InvalidOperation, DivisionByZero])


# ---------------------------------------------------------------------------------------------
# Decimals


def decimal_from_wit(value: wit.Decimal) -> Decimal:
    """The exact value of a WIT decimal (mantissa × 10^-scale)."""
    sign = 1 if value.mantissa < 0 else 0
    return Decimal((sign, tuple(int(d) for d in str(abs(value.mantissa))), -value.scale))


def decimal_to_wit(value: Decimal) -> wit.Decimal:
    """`value` as a WIT decimal, exact when its digits fit a 64-bit mantissa; otherwise trailing
    zeros go first, then it is rounded half to even to the most places that fit. Raises
    `ValueError` when even its integer part does not fit."""
    parts = _fits(value)
    if parts is not None:
        return parts
    normalized = value.normalize(EXACT)
    parts = _fits(normalized)
    if parts is not None:
        return parts
    places = -normalized.as_tuple().exponent
    for keep in range(min(places, MAX_SCALE + 1) - 1, -1, -1):
        rounded = normalized.quantize(Decimal(1).scaleb(-keep), rounding=ROUND_HALF_EVEN, context=Context(prec=200))
        parts = _fits(rounded.normalize(Context(prec=200)))
        if parts is not None:
            return parts
    raise ValueError(f"{value} is out of range: the host's decimals hold at most {_I64_MAX} in magnitude")


def _fits(value: Decimal) -> Optional[wit.Decimal]:
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return None
    mantissa = int("".join(map(str, digits)) or "0")
    if exponent > 0:
        mantissa *= 10**exponent
        exponent = 0
    if -exponent > MAX_SCALE or mantissa > _I64_MAX:
        return None
    return wit.Decimal(-mantissa if sign else mantissa, -exponent)


def decimal_text(value: Decimal) -> str:
    """Plain notation, every decimal place kept (`0.10`, `250`): the text the Rust SDK writes."""
    return format(value, "f")


def parse_decimal(text: str) -> Optional[Decimal]:
    """An exact decimal from text (`0.1`, `-2.50`, `1e-3`), or None when it is not one."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# ---------------------------------------------------------------------------------------------
# Market events, as the strategy receives them: symbols resolved, decimals exact.


@dataclass(frozen=True)
class Candle:
    symbol: str
    timeframe: str
    open_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@dataclass(frozen=True)
class Trade:
    symbol: str
    time_ms: int
    price: Decimal
    qty: Decimal
    aggressor: Side


@dataclass(frozen=True)
class Quote:
    symbol: str
    time_ms: int
    bid: Decimal
    bid_qty: Decimal
    ask: Decimal
    ask_qty: Decimal


@dataclass(frozen=True)
class BookLevel:
    price: Decimal
    qty: Decimal


@dataclass(frozen=True)
class Book:
    """The top levels of a book, best first."""

    symbol: str
    time_ms: int
    bids: list
    asks: list


@dataclass(frozen=True)
class Fill:
    price: Decimal
    qty: Decimal
    fee: Decimal
    time_ms: int


@dataclass(frozen=True)
class OrderUpdate:
    order_id: str
    tag: str
    symbol: str
    side: Side
    status: OrderStatus
    filled_qty: Decimal
    remaining_qty: Decimal
    fill: Optional[Fill]
    reason: Optional[str]
    time_ms: int


@dataclass(frozen=True)
class Position:
    """Signed: positive long, negative short."""

    symbol: str
    qty: Decimal
    avg_price: Decimal
    realized_pnl: Decimal

    def is_flat(self) -> bool:
        return self.qty == 0

    def is_long(self) -> bool:
        return self.qty > 0

    def is_short(self) -> bool:
        return self.qty < 0


@dataclass(frozen=True)
class PositionValue:
    """One symbol of the account, valued at the host's last price (`mark`, None before any)."""

    symbol: str
    qty: Decimal
    avg_price: Decimal
    mark: Optional[Decimal]
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    fees: Decimal


@dataclass(frozen=True)
class OpenOrder:
    """One working order; `limit_price` is None for a market or stop order, `trigger_price`
    None for anything but a stop or stop-limit."""

    order_id: str
    tag: str
    symbol: str
    side: Side
    limit_price: Optional[Decimal]
    trigger_price: Optional[Decimal]
    time_in_force: TimeInForce
    post_only: bool
    reduce_only: bool
    qty: Decimal
    filled_qty: Decimal
    remaining_qty: Decimal
    status: OrderStatus


@dataclass(frozen=True)
class Account:
    """The account as the host's books have it (see the WIT's `account` record): a buy of
    notional n passes the cash check when n * (1 + fee_rate) <= buying_power."""

    initial_cash: Decimal
    cash: Decimal
    equity: Decimal
    fees: Decimal
    buying_power: Decimal
    fee_rate: Decimal
    positions: list
    open_orders: list

    def position(self, symbol: str) -> Optional[PositionValue]:
        return next((p for p in self.positions if p.symbol == symbol), None)


def _account(view: wit.Account) -> Account:
    d = decimal_from_wit
    positions = [
        PositionValue(
            p.symbol,
            d(p.qty),
            d(p.avg_price),
            None if p.mark is None else d(p.mark),
            d(p.unrealized_pnl),
            d(p.realized_pnl),
            d(p.fees),
        )
        for p in view.positions
    ]
    orders = [
        OpenOrder(
            o.order_id,
            o.tag,
            o.symbol,
            o.side,
            _limit_price(o.order_type),
            _trigger_price(o.order_type),
            o.time_in_force,
            o.post_only,
            o.reduce_only,
            d(o.qty),
            d(o.filled_qty),
            d(o.remaining_qty),
            o.status,
        )
        for o in view.open_orders
    ]
    return Account(
        d(view.initial_cash), d(view.cash), d(view.equity), d(view.fees), d(view.buying_power), d(view.fee_rate),
        positions, orders,
    )


def _limit_price(order_type) -> Optional[Decimal]:
    if isinstance(order_type, wit.OrderType_Limit):
        return decimal_from_wit(order_type.value)
    if isinstance(order_type, wit.OrderType_StopLimit):
        return decimal_from_wit(order_type.value.limit)
    return None


def _trigger_price(order_type) -> Optional[Decimal]:
    if isinstance(order_type, wit.OrderType_Stop):
        return decimal_from_wit(order_type.value)
    if isinstance(order_type, wit.OrderType_StopLimit):
        return decimal_from_wit(order_type.value.trigger)
    return None


def _order_update(update: wit.OrderUpdate) -> OrderUpdate:
    fill = update.fill
    return OrderUpdate(
        update.order_id,
        update.tag,
        update.symbol,
        update.side,
        update.status,
        decimal_from_wit(update.filled_qty),
        decimal_from_wit(update.remaining_qty),
        None
        if fill is None
        else Fill(decimal_from_wit(fill.price), decimal_from_wit(fill.qty), decimal_from_wit(fill.fee), fill.time_ms),
        update.reason,
        update.time_ms,
    )


# ---------------------------------------------------------------------------------------------
# The host


class Rejected(Exception):
    """The host refused an order: `code` is stable (`max_position`, `insufficient_cash`, ...)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _order(symbol, side, qty, order_type, tag, time_in_force, post_only, reduce_only) -> wit.OrderRequest:
    return wit.OrderRequest(
        symbol, side, decimal_to_wit(qty), order_type, time_in_force, post_only, reduce_only, tag
    )


def market_order(
    symbol: str, side: Side, qty: Decimal, tag: str = "", *,
    time_in_force: TimeInForce = TimeInForce.GTC, reduce_only: bool = False,
) -> wit.OrderRequest:
    return _order(symbol, side, qty, wit.OrderType_Market(), tag, time_in_force, False, reduce_only)


def limit_order(
    symbol: str, side: Side, qty: Decimal, price: Decimal, tag: str = "", *,
    time_in_force: TimeInForce = TimeInForce.GTC, post_only: bool = False, reduce_only: bool = False,
) -> wit.OrderRequest:
    """A limit order; `post_only` for a maker-or-nothing order (good till cancelled only)."""
    order_type = wit.OrderType_Limit(decimal_to_wit(price))
    return _order(symbol, side, qty, order_type, tag, time_in_force, post_only, reduce_only)


def stop_order(
    symbol: str, side: Side, qty: Decimal, trigger: Decimal, tag: str = "", *, reduce_only: bool = False,
) -> wit.OrderRequest:
    """A stop: a market order once the market trades at or through `trigger` (a buy at or
    above it, a sell at or below)."""
    order_type = wit.OrderType_Stop(decimal_to_wit(trigger))
    return _order(symbol, side, qty, order_type, tag, TimeInForce.GTC, False, reduce_only)


def stop_limit_order(
    symbol: str, side: Side, qty: Decimal, trigger: Decimal, limit: Decimal, tag: str = "", *,
    time_in_force: TimeInForce = TimeInForce.GTC, reduce_only: bool = False,
) -> wit.OrderRequest:
    """A stop that becomes a limit order at `limit` once the market reaches `trigger`."""
    order_type = wit.OrderType_StopLimit(wit.StopLimit(decimal_to_wit(trigger), decimal_to_wit(limit)))
    return _order(symbol, side, qty, order_type, tag, time_in_force, False, reduce_only)


class Host:
    """What a strategy may ask of the host; see `wit/strategy.wit`'s `host` interface."""

    def __init__(self):
        self._decisions_wanted: Optional[bool] = None

    def log(self, level: LogLevel, message: str) -> None:
        _imports.log(level, message)

    def debug(self, message: str) -> None:
        _imports.log(LogLevel.DEBUG, message)

    def info(self, message: str) -> None:
        _imports.log(LogLevel.INFO, message)

    def warn(self, message: str) -> None:
        _imports.log(LogLevel.WARN, message)

    def error(self, message: str) -> None:
        _imports.log(LogLevel.ERROR, message)

    def now_ms(self) -> int:
        return _imports.now_ms()

    def account(self) -> Account:
        """Cash, equity, fees, buying power, positions and working orders, from the host's books."""
        return _account(_imports.account())

    def position(self, symbol: str) -> Position:
        held = _imports.position(symbol)
        return Position(
            held.symbol, decimal_from_wit(held.qty), decimal_from_wit(held.avg_price), decimal_from_wit(held.realized_pnl)
        )

    def place_order(self, order: wit.OrderRequest) -> str:
        """The host's order id; raises `Rejected` when risk (or the order's shape) refuses it."""
        try:
            return _imports.place_order(order)
        except Err as refused:
            raise Rejected(refused.value.code, refused.value.message) from None

    def cancel_order(self, order_id: str) -> None:
        """Raises `ValueError` with the host's reason when the order cannot be cancelled."""
        try:
            _imports.cancel_order(order_id)
        except Err as refused:
            raise ValueError(refused.value) from None

    def cancel_all_orders(self) -> int:
        """Cancels every working order of this strategy; how many cancels the host sent."""
        return _imports.cancel_all_orders()

    def amend_order(self, order_id: str, qty: Decimal, limit_price: Optional[Decimal] = None) -> None:
        price = None if limit_price is None else decimal_to_wit(limit_price)
        try:
            _imports.amend_order(order_id, decimal_to_wit(qty), price)
        except Err as refused:
            raise ValueError(refused.value) from None

    def decisions_wanted(self) -> bool:
        # The same for the instance's whole life: one host call.
        if self._decisions_wanted is None:
            self._decisions_wanted = _imports.decisions_wanted()
        return self._decisions_wanted

    def emit_decision(
        self, symbol: str, action: Action, confidence: float, reasoning: str, indicators: dict
    ) -> None:
        """`indicators` maps names to decimals; one beyond the host's range is left out."""
        values = []
        for name, value in indicators.items():
            try:
                values.append(wit.Indicator(name, decimal_to_wit(value)))
            except ValueError:
                pass
        confidence = 0.0 if confidence != confidence else min(max(confidence, 0.0), 1.0)
        _imports.emit_decision(wit.Decision(symbol, action, confidence, reasoning, values))


# ---------------------------------------------------------------------------------------------
# Manifests and params


def candles(symbol: str, timeframe: str) -> wit.Subscription:
    return wit.Subscription(symbol, wit.StreamKind_Candles(timeframe))


def candle_updates(symbol: str, timeframe: str) -> wit.Subscription:
    return wit.Subscription(symbol, wit.StreamKind_CandleUpdates(timeframe))


def trades(symbol: str) -> wit.Subscription:
    return wit.Subscription(symbol, wit.StreamKind_Trades())


def quotes(symbol: str) -> wit.Subscription:
    return wit.Subscription(symbol, wit.StreamKind_Quotes())


def book(symbol: str, depth: int) -> wit.Subscription:
    return wit.Subscription(symbol, wit.StreamKind_Book(depth))


def integer_param(
    name: str, default: int, description: str, min_value: Optional[int] = None, max_value: Optional[int] = None
) -> wit.ParamSpec:
    """`min_value` and `max_value` bound the values accepted, bounds included."""
    bound = lambda value: None if value is None else json.dumps(value)
    return wit.ParamSpec(
        name, wit.ParamKind.INTEGER, json.dumps(default), description, bound(min_value), bound(max_value)
    )


def decimal_param(
    name: str, default: str, description: str, min_value: Optional[str] = None, max_value: Optional[str] = None
) -> wit.ParamSpec:
    """`default` and the bounds are decimals' text (`"0.1"`), kept exactly."""
    return wit.ParamSpec(name, wit.ParamKind.DECIMAL, default, description, min_value, max_value)


def boolean_param(name: str, default: bool, description: str) -> wit.ParamSpec:
    return wit.ParamSpec(name, wit.ParamKind.BOOLEAN, json.dumps(default), description, None, None)


def text_param(name: str, default: str, description: str) -> wit.ParamSpec:
    return wit.ParamSpec(name, wit.ParamKind.TEXT, json.dumps(default), description, None, None)


class ParamError(ValueError):
    """A param the strategy cannot run with; `init` fails with its message."""


_EXPECTED = {
    wit.ParamKind.INTEGER: "an integer",
    wit.ParamKind.DECIMAL: "a decimal number",
    wit.ParamKind.BOOLEAN: "true or false",
    wit.ParamKind.TEXT: "a string",
}


class Params:
    """The JSON object given to `init`, checked against the manifest's params (unknown keys and
    ill-typed values are refused), defaults filled in. Decimals are exact from the JSON text."""

    def __init__(self, specs: list, text: str):
        try:
            given = json.loads(text, parse_float=_JsonNumber) if text.strip() else {}
        except ValueError as error:
            raise ParamError(f"params: not valid JSON: {error}") from None
        if not isinstance(given, dict):
            raise ParamError(f"params: expected a JSON object, got {text.strip()}")
        known = {spec.name: spec for spec in specs}
        self._values = {}
        for name, value in given.items():
            if name not in known:
                listed = ", ".join(f"`{spec.name}`" for spec in specs)
                takes = f"this strategy takes {listed}" if specs else "this strategy takes no params"
                raise ParamError(f"param `{name}`: unknown; {takes}")
        for spec in specs:
            raw = given[spec.name] if spec.name in given else _default(spec)
            value = _typed(spec.kind, raw)
            if value is None:
                got = raw if isinstance(raw, _JsonNumber) else json.dumps(raw)
                raise ParamError(f"param `{spec.name}`: expected {_EXPECTED[spec.kind]}, got {got}")
            _check_range(spec, value)
            self._values[spec.name] = value

    def get(self, name: str):
        return self._values[name]

    def integer(self, name: str) -> int:
        return self._values[name]

    def period(self, name: str) -> int:
        """An integer param that is a window length, 1 ..= MAX_PERIOD."""
        value = self.integer(name)
        if not 1 <= value <= MAX_PERIOD:
            raise ParamError(f"param `{name}`: must be between 1 and {MAX_PERIOD}, got {value}")
        return value

    def decimal(self, name: str) -> Decimal:
        return self._values[name]

    def positive_decimal(self, name: str) -> Decimal:
        value = self.decimal(name)
        if value <= 0:
            raise ParamError(f"param `{name}`: must be greater than 0, got {decimal_text(value)}")
        return value


def _check_range(spec: wit.ParamSpec, value) -> None:
    """The Rust SDK's range rule and words: bounds included, either side optional."""
    low, high = spec.min_value, spec.max_value
    if low is None and high is None:
        return
    bound = lambda text: _typed(spec.kind, text if spec.kind == wit.ParamKind.DECIMAL else json.loads(text))
    below = low is not None and value < bound(low)
    above = high is not None and value > bound(high)
    if not (below or above):
        return
    got = decimal_text(value) if isinstance(value, Decimal) else json.dumps(value)
    if low is not None and high is not None:
        raise ParamError(f"param `{spec.name}`: must be within {low} ..= {high}, got {got}")
    if low is not None:
        raise ParamError(f"param `{spec.name}`: must be at least {low}, got {got}")
    raise ParamError(f"param `{spec.name}`: must be at most {high}, got {got}")


def _default(spec: wit.ParamSpec):
    if spec.kind == wit.ParamKind.DECIMAL:
        return spec.default_value
    return json.loads(spec.default_value, parse_float=_JsonNumber)


def _typed(kind: wit.ParamKind, raw):
    # JSON integers parse to int and every other number to its text, so `10.0` and `1e1` are no
    # integers here, as in the Rust SDK, and `0.1` becomes exactly 0.1.
    is_integer = isinstance(raw, int) and not isinstance(raw, bool)
    if kind == wit.ParamKind.INTEGER:
        return raw if is_integer else None
    if kind == wit.ParamKind.DECIMAL:
        if is_integer:
            return Decimal(raw)
        return parse_decimal(raw) if isinstance(raw, str) else None
    if kind == wit.ParamKind.BOOLEAN:
        return raw if isinstance(raw, bool) else None
    return raw if type(raw) is str else None


class _JsonNumber(str):
    """A JSON number that is no integer, as its source text: read exactly, never as a float."""


# ---------------------------------------------------------------------------------------------
# Indicators whose snapshots read and write the Rust SDK's JSON


class Sma:
    """Simple moving average of the last `period` values, compared with another exactly (sums
    cross-multiplied, no division). State: `{"window": {"period", "values"}, "sum"}`."""

    __slots__ = ("period", "values", "sum")

    def __init__(self, period: int):
        self.period = period
        self.values: list = []
        self.sum = Decimal(0)

    def update(self, value: Decimal) -> None:
        self.sum = EXACT.add(self.sum, value)
        self.values.append(value)
        if len(self.values) > self.period:
            self.sum = EXACT.subtract(self.sum, self.values.pop(0))

    def is_ready(self) -> bool:
        return len(self.values) == self.period

    def value(self) -> Optional[Decimal]:
        """The average, once `period` values have been seen (rounded to 28 significant digits)."""
        return self.sum / len(self.values) if self.is_ready() else None

    def compare(self, other: "Sma") -> Optional[int]:
        """-1, 0 or 1 as this average is below, equal to or above `other`; None until both are ready."""
        if not (self.is_ready() and other.is_ready()):
            return None
        own = EXACT.multiply(self.sum, len(other.values))
        theirs = EXACT.multiply(other.sum, len(self.values))
        return (own > theirs) - (own < theirs)

    def resize(self, period: int) -> None:
        """Follows a new period, keeping the newest values that still fit."""
        self.period = period
        del self.values[: max(0, len(self.values) - period)]
        total = Decimal(0)
        for value in self.values:
            total = EXACT.add(total, value)
        self.sum = total

    def state(self) -> dict:
        return {
            "window": {"period": self.period, "values": [decimal_text(v) for v in self.values]},
            "sum": decimal_text(self.sum),
        }

    @classmethod
    def from_state(cls, state) -> "Sma":
        """Checks what a snapshot holds: a period in range, no more values than it, and a sum
        that is the sum of the values. Raises `ValueError`."""
        window = state["window"]
        period = window["period"]
        if not isinstance(period, int) or not 1 <= period <= MAX_PERIOD:
            raise ValueError(f"a window's period must be between 1 and {MAX_PERIOD}, got {period}")
        values = [_state_decimal(v) for v in window["values"]]
        if len(values) > period:
            raise ValueError(f"a window of period {period} cannot hold {len(values)} values")
        recorded = _state_decimal(state["sum"])
        sma = cls(period)
        sma.values = values
        sma.resize(period)
        if sma.sum != recorded:
            raise ValueError(f"the recorded sum {recorded} is not the sum of the window ({sma.sum})")
        # As recorded, scale included, so the next snapshot writes it the same.
        sma.sum = recorded
        return sma


def _state_decimal(text) -> Decimal:
    value = parse_decimal(text) if isinstance(text, str) else None
    if value is None:
        raise ValueError(f"expected a decimal as text, got {text!r}")
    return value


UP = "up"
DOWN = "down"


class Crossover:
    """Notices when one series crosses another. An exact tie is no relation: it keeps the last
    strict one, so touching is no cross. State: `{"relation": "above" | "below" | null}`."""

    __slots__ = ("relation",)

    def __init__(self, relation: Optional[str] = None):
        self.relation = relation

    def update(self, ordering: int) -> Optional[str]:
        """Takes the newest comparison (-1, 0, 1); returns UP or DOWN when the relation flipped."""
        if ordering == 0:
            return None
        now = "above" if ordering > 0 else "below"
        before, self.relation = self.relation, now
        if before == "below" and now == "above":
            return UP
        if before == "above" and now == "below":
            return DOWN
        return None

    def state(self) -> dict:
        return {"relation": self.relation}

    @classmethod
    def from_state(cls, state) -> "Crossover":
        relation = state["relation"]
        if relation not in ("above", "below", None):
            raise ValueError(f"a crossover's relation is above, below or null, got {relation!r}")
        return cls(relation)


# ---------------------------------------------------------------------------------------------
# Strategies and the world's exports


class Strategy:
    """Subclass it, then `WitWorld = export(YourStrategy)` in the app module.

    `manifest()` (a classmethod) names the strategy, its subscriptions and params; `__init__`
    gets the checked `Params` and raises `ParamError` to refuse them. Every `on_*` method is
    optional. `snapshot()` returns the state the next version (or this one after a trap)
    `restore()`s after its own `__init__`; raise `ValueError` to refuse a snapshot."""

    @classmethod
    def manifest(cls) -> wit.Manifest:
        raise NotImplementedError("a strategy names itself in manifest()")

    def on_candle(self, host: Host, candle: Candle) -> None:
        pass

    def on_candle_update(self, host: Host, candle: Candle) -> None:
        pass

    def on_trade(self, host: Host, trade: Trade) -> None:
        pass

    def on_quote(self, host: Host, quote: Quote) -> None:
        pass

    def on_book(self, host: Host, book: Book) -> None:
        pass

    def on_order_update(self, host: Host, update: OrderUpdate) -> None:
        pass

    def snapshot(self) -> bytes:
        return b""

    def restore(self, state: bytes) -> None:
        if state:
            raise ValueError("this strategy keeps no state, but the snapshot is not empty")


_EVENT_KIND = {
    wit.MarketEvent_Candle: wit.StreamKind_Candles,
    wit.MarketEvent_CandleUpdate: wit.StreamKind_CandleUpdates,
    wit.MarketEvent_Trade: wit.StreamKind_Trades,
    wit.MarketEvent_Quote: wit.StreamKind_Quotes,
    wit.MarketEvent_Book: wit.StreamKind_Book,
}


class _Streams:
    """Stream ids to (symbol, kind), asking the host once per id. An id the host cannot
    describe, or an event of another kind than its stream, is dropped and reported once."""

    def __init__(self):
        self._known = {}
        self._reported = set()

    def resolve(self, host: Host, stream: int, event_type) -> Optional[tuple]:
        info = self._known.get(stream)
        if info is None:
            described = _imports.describe_stream(stream)
            if described is None:
                self._report_once(host, stream, f"market event on stream {stream}, which the host cannot describe: dropped")
                return None
            info = self._known[stream] = (described.symbol, described.kind)
        symbol, kind = info
        if not isinstance(kind, _EVENT_KIND[event_type]):
            self._report_once(host, stream, f"{event_type.__name__} on stream {stream}, described as {kind}: dropped")
            return None
        return info

    def _report_once(self, host: Host, stream: int, message: str) -> None:
        if stream not in self._reported:
            self._reported.add(stream)
            host.error(message)


def _candle(candle: wit.Candle, symbol: str, timeframe: str) -> Candle:
    d = decimal_from_wit
    return Candle(
        symbol, timeframe, candle.open_time_ms, d(candle.open), d(candle.high), d(candle.low), d(candle.close), d(candle.volume)
    )


class _Slot:
    """The component's one strategy (None until `init`) and its stream table, which outlives
    the strategy `init` replaces: stream ids hold for the host's whole run."""

    def __init__(self, strategy_class):
        self.strategy_class = strategy_class
        self.strategy = None
        self.streams = _Streams()
        self.host = Host()

    def init(self, text: str) -> None:
        try:
            params = Params(self.strategy_class.manifest().params, text)
            self.strategy = self.strategy_class(params)
        except ParamError as error:
            raise Err(str(error)) from None

    def dispatch(self, event) -> None:
        strategy, host = self.strategy, self.host
        record = event.value
        info = self.streams.resolve(host, record.stream, type(event))
        if info is None:
            return
        symbol, kind = info
        if isinstance(event, wit.MarketEvent_Candle):
            strategy.on_candle(host, _candle(record, symbol, kind.value))
        elif isinstance(event, wit.MarketEvent_CandleUpdate):
            strategy.on_candle_update(host, _candle(record, symbol, kind.value))
        elif isinstance(event, wit.MarketEvent_Trade):
            d = decimal_from_wit
            strategy.on_trade(host, Trade(symbol, record.time_ms, d(record.price), d(record.qty), record.aggressor))
        elif isinstance(event, wit.MarketEvent_Quote):
            d = decimal_from_wit
            quote = Quote(symbol, record.time_ms, d(record.bid), d(record.bid_qty), d(record.ask), d(record.ask_qty))
            strategy.on_quote(host, quote)
        else:

            def levels(side):
                return [BookLevel(decimal_from_wit(level.price), decimal_from_wit(level.qty)) for level in side]

            strategy.on_book(host, Book(symbol, record.time_ms, levels(record.bids), levels(record.asks)))

    def started(self) -> bool:
        if self.strategy is None:
            self.host.error("event received before init: ignored")
            return False
        return True


def export(strategy_class) -> type:
    """The world's exports for `strategy_class`: assign the result to `WitWorld` in the app
    module, which componentize-py builds the component from."""
    slot = _Slot(strategy_class)

    class WitWorld(wit_world.WitWorld):
        def describe(self) -> wit.Manifest:
            return strategy_class.manifest()

        def init(self, params: str) -> None:
            slot.init(params)

        def on_event(self, event) -> None:
            if slot.started():
                slot.dispatch(event)

        def on_events(self) -> None:
            if not slot.started():
                return
            while (event := _imports.next_event()) is not None:
                if isinstance(event, wit.Event_Market):
                    slot.dispatch(event.value)
                else:
                    slot.strategy.on_order_update(slot.host, _order_update(event.value))

        def on_order_update(self, update: wit.OrderUpdate) -> None:
            if slot.started():
                slot.strategy.on_order_update(slot.host, _order_update(update))

        def snapshot(self) -> bytes:
            return b"" if slot.strategy is None else slot.strategy.snapshot()

        def restore(self, state: bytes) -> None:
            if slot.strategy is None:
                raise Err("restore called before init: the host must call init first")
            try:
                slot.strategy.restore(bytes(state))
            except ValueError as error:
                raise Err(str(error)) from None

    return WitWorld


"""sma-cross in Python: the rules and params of the Rust `strategies/sma-cross`.

For every symbol and timeframe it receives (it subscribes to all candles), it keeps an SMA of
the last `fast` closes and one of the last `slow` closes:
- golden cross (the fast average moves above the slow one, both warmed up): if the host's
  ledger says the strategy is flat in the symbol, a market buy of `size`;
- death cross (the fast average moves below): if long, a market sell of the whole position, as
  the ledger records it.

Every cross emits a decision with the averages and the account's cash and equity as the host's
books have them once it acted (the account view), where the host keeps decisions. The snapshot
carries the averages' windows and last relation per stream, not the params, in the Rust
sma-cross's JSON: a new version (in either language) continues with its own params, its
windows resized to them.

Built with componentize-py (here by `scripts/build-guests.sh`) against `strategy_sdk`, which is
guest-sdks/python in this repository and a file beside this one in a `strategy-host new --lang
python` scaffold.
"""

import json
from decimal import Decimal

import strategy_sdk as sdk
from strategy_sdk import DOWN, UP, Action, ParamError, Rejected, Side

# The gap between the averages, in percent, at which confidence is full.
FULL_CONFIDENCE_GAP_PCT = Decimal("0.5")


class Crossing:
    """The fast and slow averages of one stream and the last relation between them."""

    __slots__ = ("fast", "slow", "crossover")

    def __init__(self, fast: sdk.Sma, slow: sdk.Sma, crossover: sdk.Crossover):
        self.fast, self.slow, self.crossover = fast, slow, crossover

    @classmethod
    def new(cls, fast: int, slow: int) -> "Crossing":
        return cls(sdk.Sma(fast), sdk.Sma(slow), sdk.Crossover())

    def update(self, close: Decimal):
        """Takes the newest close; returns UP or DOWN once both averages are warmed up and the
        fast one moved to the other side of the slow one."""
        self.fast.update(close)
        self.slow.update(close)
        ordering = self.fast.compare(self.slow)
        return None if ordering is None else self.crossover.update(ordering)

    def state(self) -> dict:
        return {"fast": self.fast.state(), "slow": self.slow.state(), "crossover": self.crossover.state()}

    @classmethod
    def from_state(cls, state) -> "Crossing":
        return cls(sdk.Sma.from_state(state["fast"]), sdk.Sma.from_state(state["slow"]), sdk.Crossover.from_state(state["crossover"]))


class SmaCross(sdk.Strategy):
    @classmethod
    def manifest(cls):
        return sdk.wit.Manifest(
            "sma-cross-py",
            "0.1.0",
            "Buys when a fast SMA crosses above a slow one, sells the position when it crosses below (Python)",
            [sdk.candles(sdk.ANY, sdk.ANY)],
            [
                # Windows of 1 ..= MAX_PERIOD bars, which the host checks before `init`.
                sdk.integer_param("fast", 10, "Bars in the fast average", 1, sdk.MAX_PERIOD),
                sdk.integer_param("slow", 20, "Bars in the slow average; more than `fast`", 1, sdk.MAX_PERIOD),
                sdk.decimal_param("size", "0.1", "Quantity bought on a golden cross, in the base asset"),
            ],
        )

    def __init__(self, params: sdk.Params):
        self.fast = params.period("fast")
        self.slow = params.period("slow")
        self.size = params.positive_decimal("size")
        if self.fast >= self.slow:
            raise ParamError(f"param `fast`: must be less than `slow` ({self.slow}), got {self.fast}")
        # Symbol, then timeframe: a 1m and a 1h series of the same symbol are averaged apart.
        self.streams: dict = {}

    def on_candle(self, host: sdk.Host, candle: sdk.Candle) -> None:
        by_timeframe = self.streams.setdefault(candle.symbol, {})
        crossing = by_timeframe.get(candle.timeframe)
        if crossing is None:
            crossing = by_timeframe[candle.timeframe] = Crossing.new(self.fast, self.slow)
        cross = crossing.update(candle.close)
        if cross is None:
            return
        action, reasoning = act(host, candle, cross, self.size)
        # Explaining costs divisions and formatting: only where the host keeps decisions.
        if not host.decisions_wanted():
            return
        fast, slow = crossing.fast.value(), crossing.slow.value()
        account = host.account()
        indicators = {"fast": fast, "slow": slow, "cash": account.cash, "equity": account.equity}
        host.emit_decision(candle.symbol, action, confidence(fast, slow), reasoning, indicators)

    def snapshot(self) -> bytes:
        # A list of [key, value] pairs, as the Rust SDK's StrMap writes a map.
        streams = [
            [symbol, [[timeframe, crossing.state()] for timeframe, crossing in by_timeframe.items()]]
            for symbol, by_timeframe in self.streams.items()
        ]
        return json.dumps(streams, separators=(",", ":")).encode()

    def restore(self, state: bytes) -> None:
        if not state:
            raise ValueError("the snapshot is empty")
        try:
            pairs = json.loads(state)
            streams = {
                symbol: {timeframe: Crossing.from_state(crossing) for timeframe, crossing in by_timeframe}
                for symbol, by_timeframe in pairs
            }
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"not an sma-cross snapshot: {error}") from None
        for by_timeframe in streams.values():
            for crossing in by_timeframe.values():
                crossing.fast.resize(self.fast)
                crossing.slow.resize(self.slow)
        self.streams = streams


def act(host: sdk.Host, candle: sdk.Candle, cross: str, size: Decimal):
    """Trades a cross on the candle's symbol, asking the ledger for the position: buys `size` on
    a golden cross when flat, sells the whole position on a death cross when long. Returns the
    decision's action and reasoning."""
    held = host.position(candle.symbol)
    name = "golden cross" if cross == UP else "death cross"
    on = f"{name} on {candle.timeframe}"
    if cross == UP and held.is_flat():
        side, qty, tag, doing = Side.BUY, size, "golden-cross", f"buying {sdk.decimal_text(size)}"
    elif cross == DOWN and held.is_long():
        side, qty, tag = Side.SELL, held.qty, "death-cross"
        doing = f"selling the position of {sdk.decimal_text(held.qty)}"
    elif cross == UP:
        return Action.HOLD, f"{on}, but the position is already {sdk.decimal_text(held.qty)}"
    else:
        return Action.HOLD, f"{on}, but no long position to sell ({sdk.decimal_text(held.qty)})"
    try:
        host.place_order(sdk.market_order(candle.symbol, side, qty, tag))
    except Rejected as reject:
        reasoning = f"{on}: {doing}: refused: {reject}"
        host.warn(f"{candle.symbol}: {reasoning}")
        return Action.HOLD, reasoning
    return (Action.BUY if side == Side.BUY else Action.SELL), f"{on}: {doing}"


def confidence(fast: Decimal, slow: Decimal) -> float:
    """0.5 at the cross itself, up to 1.0 as the averages part: full confidence at a 0.5% gap."""
    if slow == 0:
        return 0.5
    gap = abs((fast - slow) / slow) * 100
    return float(Decimal("0.5") + min(gap, FULL_CONFIDENCE_GAP_PCT))


WitWorld = sdk.export(SmaCross)

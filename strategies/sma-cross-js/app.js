// sma-cross in JavaScript: the rules and params of the Rust `strategies/sma-cross`.
//
// For every symbol and timeframe it receives (it subscribes to all candles), it keeps an SMA of
// the last `fast` closes and one of the last `slow` closes:
// - golden cross (the fast average moves above the slow one, both warmed up): if the host's
//   ledger says the strategy is flat in the symbol, a market buy of `size`;
// - death cross (the fast average moves below): if long, a market sell of the whole position,
//   as the ledger records it.
//
// Every cross emits a decision with the averages and the account's cash and equity as the host's
// books have them once it acted (the account view), where the host keeps decisions. The snapshot
// carries the averages' windows and last relation per stream, not the params, in the Rust
// sma-cross's JSON: a new version (in any of the three languages) continues with its own
// params, its windows resized to them.
//
// Built with componentize-js (here by `scripts/build-guests.sh`) against the SDK, which is
// guest-sdks/js in this repository and a file beside this one in a `strategy-host new --lang js`
// scaffold.

import {
  ANY,
  Crossover,
  MAX_PERIOD,
  DOWN,
  ParamError,
  Rejected,
  Sma,
  Strategy,
  UP,
  candles,
  decimalParam,
  exportStrategy,
  integerParam,
  marketOrder,
} from "../../guest-sdks/js/strategy-sdk.js";

/** The gap between the averages, in percent, at which confidence is full. */
const FULL_CONFIDENCE_GAP_PCT = 0.5;

/** The fast and slow averages of one stream and the last relation between them. */
class Crossing {
  constructor(fast, slow, crossover) {
    this.fast = fast;
    this.slow = slow;
    this.crossover = crossover;
  }

  static create(fast, slow) {
    return new Crossing(new Sma(fast), new Sma(slow), new Crossover());
  }

  /** Takes the newest close; returns UP or DOWN once both averages are warmed up and the fast
   * one moved to the other side of the slow one. */
  update(close) {
    this.fast.update(close);
    this.slow.update(close);
    const ordering = this.fast.compare(this.slow);
    return ordering === undefined ? undefined : this.crossover.update(ordering);
  }

  state() {
    return { fast: this.fast.state(), slow: this.slow.state(), crossover: this.crossover.state() };
  }

  static fromState(state) {
    return new Crossing(Sma.fromState(state.fast), Sma.fromState(state.slow), Crossover.fromState(state.crossover));
  }
}

class SmaCross extends Strategy {
  static manifest() {
    return {
      name: "sma-cross-js",
      version: "0.1.0",
      description:
        "Buys when a fast SMA crosses above a slow one, sells the position when it crosses below (JavaScript)",
      subscriptions: [candles(ANY, ANY)],
      params: [
        // Windows of 1 ..= MAX_PERIOD bars, which the host checks before `init`.
        integerParam("fast", 10, "Bars in the fast average", 1, MAX_PERIOD),
        integerParam("slow", 20, "Bars in the slow average; more than `fast`", 1, MAX_PERIOD),
        decimalParam("size", "0.1", "Quantity bought on a golden cross, in the base asset"),
      ],
    };
  }

  constructor(params) {
    super();
    this.fast = params.period("fast");
    this.slow = params.period("slow");
    this.size = params.positiveDecimal("size");
    if (this.fast >= this.slow) {
      throw new ParamError(`param \`fast\`: must be less than \`slow\` (${this.slow}), got ${this.fast}`);
    }
    // Symbol, then timeframe: a 1m and a 1h series of the same symbol are averaged apart.
    this.streams = new Map();
  }

  onCandle(host, candle) {
    let byTimeframe = this.streams.get(candle.symbol);
    if (byTimeframe === undefined) this.streams.set(candle.symbol, (byTimeframe = new Map()));
    let crossing = byTimeframe.get(candle.timeframe);
    if (crossing === undefined) byTimeframe.set(candle.timeframe, (crossing = Crossing.create(this.fast, this.slow)));
    const cross = crossing.update(candle.close);
    if (cross === undefined) return;
    const { action, reasoning } = act(host, candle, cross, this.size);
    // Explaining costs divisions and formatting: only where the host keeps decisions.
    if (!host.decisionsWanted()) return;
    const [fast, slow] = [crossing.fast.value(), crossing.slow.value()];
    const { cash, equity } = host.account();
    host.emitDecision(candle.symbol, action, confidence(fast, slow), reasoning, { fast, slow, cash, equity });
  }

  snapshot() {
    // A list of [key, value] pairs, as the Rust SDK's StrMap writes a map.
    const streams = [...this.streams].map(([symbol, byTimeframe]) => [
      symbol,
      [...byTimeframe].map(([timeframe, crossing]) => [timeframe, crossing.state()]),
    ]);
    return new TextEncoder().encode(JSON.stringify(streams));
  }

  restore(state) {
    if (state.length === 0) throw new Error("the snapshot is empty");
    let streams;
    try {
      const pairs = JSON.parse(new TextDecoder().decode(state));
      streams = new Map(
        pairs.map(([symbol, byTimeframe]) => [
          symbol,
          new Map(byTimeframe.map(([timeframe, crossing]) => [timeframe, Crossing.fromState(crossing)])),
        ]),
      );
    } catch (error) {
      throw new Error(`not an sma-cross snapshot: ${error.message}`);
    }
    for (const byTimeframe of streams.values()) {
      for (const crossing of byTimeframe.values()) {
        crossing.fast.resize(this.fast);
        crossing.slow.resize(this.slow);
      }
    }
    this.streams = streams;
  }
}

/** Trades a cross on the candle's symbol, asking the ledger for the position: buys `size` on a
 * golden cross when flat, sells the whole position on a death cross when long. Returns the
 * decision's action and reasoning. */
function act(host, candle, cross, size) {
  const held = host.position(candle.symbol);
  const on = `${cross === UP ? "golden cross" : "death cross"} on ${candle.timeframe}`;
  let order;
  if (cross === UP && held.isFlat()) {
    order = { side: "buy", qty: size, tag: "golden-cross", doing: `buying ${size}` };
  } else if (cross === DOWN && held.isLong()) {
    order = { side: "sell", qty: held.qty, tag: "death-cross", doing: `selling the position of ${held.qty}` };
  } else if (cross === UP) {
    return { action: "hold", reasoning: `${on}, but the position is already ${held.qty}` };
  } else {
    return { action: "hold", reasoning: `${on}, but no long position to sell (${held.qty})` };
  }
  try {
    host.placeOrder(marketOrder(candle.symbol, order.side, order.qty, order.tag));
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
    const reasoning = `${on}: ${order.doing}: refused: ${error.message}`;
    host.warn(`${candle.symbol}: ${reasoning}`);
    return { action: "hold", reasoning };
  }
  return { action: order.side, reasoning: `${on}: ${order.doing}` };
}

/** 0.5 at the cross itself, up to 1.0 as the averages part: full confidence at a 0.5% gap. */
function confidence(fast, slow) {
  if (slow.isZero()) return 0.5;
  const gap = Math.abs(fast.sub(slow).toNumber() / slow.toNumber()) * 100;
  return 0.5 + Math.min(gap, FULL_CONFIDENCE_GAP_PCT);
}

export const { describe, init, onEvent, onEvents, onOrderUpdate, snapshot, restore } = exportStrategy(SmaCross);

// strategy-sdk.js: strategy-host strategies in JavaScript, built to components by componentize-js.
//
// The thin guest library over the bindings componentize-js generates from `wit/strategy.wit`
// (world `strategy`; the import `strategy-host:strategy/host@0.5.0` exists only inside the
// component). It does for a JavaScript strategy what the Rust SDK's `export_strategy!` does for a
// Rust one:
//
// - `exportStrategy(StrategyClass)` returns the world's exports (`describe`, `init`, `onEvent`,
//   `onEvents`, `onOrderUpdate`, `snapshot`, `restore`), for the app module to re-export: `init`
//   checks the params against the manifest and builds the strategy; `onEvents` pulls `nextEvent`
//   until the host says the run is over; every market event's stream id is resolved to its
//   symbol and timeframe, asking the host once per id.
// - `Host` is the host interface with exact decimals.
// - `Decimal` is an exact decimal over a BigInt mantissa (JavaScript has none): the WIT's
//   mantissa and scale convert without loss both ways.
// - `Sma` and `Crossover` are streaming indicators whose snapshots have the Rust SDK's JSON
//   shape, so a strategy's state can move between languages on hot reload.

import * as imports from "strategy-host:strategy/host@0.5.0";

/** A subscription's symbol or timeframe that matches every one. */
export const ANY = "*";
/** The largest scale the contract allows. */
export const MAX_SCALE = 28;
/** The longest moving-average window, as in the Rust SDK. */
export const MAX_PERIOD = 100_000;
const I64_MAX = (1n << 63n) - 1n;

// ---------------------------------------------------------------------------------------------
// Decimals

/** An exact decimal: `mantissa` × 10^-`scale`, the mantissa a BigInt of any size. */
export class Decimal {
  constructor(mantissa, scale) {
    this.mantissa = BigInt(mantissa);
    this.scale = scale;
  }

  static fromWit(value) {
    return new Decimal(value.mantissa, value.scale);
  }

  /** An exact decimal from text (`0.1`, `-2.50`, `1e-3`), or undefined when it is not one. */
  static parse(text) {
    const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!match || (match[2] === "" && (match[3] ?? "") === "")) return undefined;
    const [, sign, whole, fraction = "", exponent = "0"] = match;
    let mantissa = BigInt(`${whole}${fraction}` || "0");
    let scale = fraction.length - Number(exponent);
    if (scale < 0) {
      mantissa *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(sign === "-" ? -mantissa : mantissa, scale);
  }

  /** The WIT form, exact when the digits fit a 64-bit mantissa; otherwise trailing zeros go
   * first, then the value is rounded half to even to the most places that fit. Throws when even
   * the integer part does not fit. */
  toWit() {
    if (abs(this.mantissa) <= I64_MAX && this.scale <= MAX_SCALE) return { mantissa: this.mantissa, scale: this.scale };
    const original = this.normalized();
    let { mantissa, scale } = original;
    while (abs(mantissa) > I64_MAX || scale > MAX_SCALE) {
      if (scale === 0) throw new RangeError(`${this} is out of range: the host's decimals hold at most ${I64_MAX}`);
      scale -= 1;
      ({ mantissa } = original.rounded(scale));
    }
    return { mantissa, scale };
  }

  /** This value rounded half to even to `places` decimal places (at most its own scale). */
  rounded(places) {
    const divisor = 10n ** BigInt(this.scale - places);
    let quotient = this.mantissa / divisor;
    const twice = 2n * abs(this.mantissa % divisor);
    if (twice > divisor || (twice === divisor && quotient % 2n !== 0n)) {
      quotient += this.mantissa < 0n ? -1n : 1n;
    }
    return new Decimal(quotient, places);
  }

  add(other) {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.at(scale) + other.at(scale), scale);
  }

  sub(other) {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.at(scale) - other.at(scale), scale);
  }

  /** This value times an integer (a Number or a BigInt), exactly. */
  times(integer) {
    return new Decimal(this.mantissa * BigInt(integer), this.scale);
  }

  /** This value divided by an integer, rounded half to even to 28 places, without trailing
   * zeros (`4363.963`, not `4363.9630000000000000000000000`). */
  dividedBy(integer) {
    const exact = new Decimal(this.at(MAX_SCALE + 1) / BigInt(integer), MAX_SCALE + 1);
    return exact.rounded(MAX_SCALE).normalized();
  }

  /** The same value without trailing zeros after the point. */
  normalized() {
    let { mantissa, scale } = this;
    while (scale > 0 && mantissa % 10n === 0n) {
      mantissa /= 10n;
      scale -= 1;
    }
    return new Decimal(mantissa, scale);
  }

  /** -1, 0 or 1 as this value is below, equal to or above `other`. */
  compare(other) {
    const scale = Math.max(this.scale, other.scale);
    const [a, b] = [this.at(scale), other.at(scale)];
    return a < b ? -1 : a > b ? 1 : 0;
  }

  isZero() {
    return this.mantissa === 0n;
  }

  sign() {
    return this.mantissa < 0n ? -1 : this.mantissa > 0n ? 1 : 0;
  }

  /** Plain notation, every decimal place kept (`0.10`, `250`): the text the Rust SDK writes. */
  toString() {
    const digits = abs(this.mantissa).toString().padStart(this.scale + 1, "0");
    const whole = digits.slice(0, digits.length - this.scale);
    const text = this.scale > 0 ? `${whole}.${digits.slice(digits.length - this.scale)}` : whole;
    return this.mantissa < 0n ? `-${text}` : text;
  }

  toNumber() {
    return Number(this.toString());
  }

  /** The mantissa at a scale at least this one's. */
  at(scale) {
    return this.mantissa * 10n ** BigInt(scale - this.scale);
  }
}

function abs(value) {
  return value < 0n ? -value : value;
}

export const ZERO = new Decimal(0n, 0);

// ---------------------------------------------------------------------------------------------
// The host

/** The host refused an order: `code` is stable (`max_position`, `insufficient_cash`, ...). */
export class Rejected extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
    this.reason = message;
  }
}

/** The order terms of the WIT's `order-request`: `timeInForce` "gtc" (the default), "ioc" or
 * "fok"; `postOnly` (limit orders that rest only) and `reduceOnly`. */
function order(symbol, side, qty, orderType, tag, { timeInForce = "gtc", postOnly = false, reduceOnly = false } = {}) {
  return { symbol, side, qty: qty.toWit(), orderType, timeInForce, postOnly, reduceOnly, tag };
}

export function marketOrder(symbol, side, qty, tag = "", terms = {}) {
  return order(symbol, side, qty, { tag: "market" }, tag, terms);
}

export function limitOrder(symbol, side, qty, price, tag = "", terms = {}) {
  return order(symbol, side, qty, { tag: "limit", val: price.toWit() }, tag, terms);
}

/** A stop: a market order once the market trades at or through `trigger` (a buy at or above
 * it, a sell at or below). */
export function stopOrder(symbol, side, qty, trigger, tag = "", terms = {}) {
  return order(symbol, side, qty, { tag: "stop", val: trigger.toWit() }, tag, terms);
}

/** A stop that becomes a limit order at `limit` once the market reaches `trigger`. */
export function stopLimitOrder(symbol, side, qty, trigger, limit, tag = "", terms = {}) {
  const prices = { trigger: trigger.toWit(), limit: limit.toWit() };
  return order(symbol, side, qty, { tag: "stop-limit", val: prices }, tag, terms);
}

function limitPriceOf(orderType) {
  if (orderType.tag === "limit") return Decimal.fromWit(orderType.val);
  if (orderType.tag === "stop-limit") return Decimal.fromWit(orderType.val.limit);
  return undefined;
}

function triggerPriceOf(orderType) {
  if (orderType.tag === "stop") return Decimal.fromWit(orderType.val);
  if (orderType.tag === "stop-limit") return Decimal.fromWit(orderType.val.trigger);
  return undefined;
}

/** A position (signed: positive long, negative short) with exact decimals. */
export class Position {
  constructor(held) {
    this.symbol = held.symbol;
    this.qty = Decimal.fromWit(held.qty);
    this.avgPrice = Decimal.fromWit(held.avgPrice);
    this.realizedPnl = Decimal.fromWit(held.realizedPnl);
  }

  isFlat() {
    return this.qty.isZero();
  }

  isLong() {
    return this.qty.sign() > 0;
  }

  isShort() {
    return this.qty.sign() < 0;
  }
}

/** The account as the host's books have it (see the WIT's `account` record), exact decimals
 * throughout: a buy of notional n passes the cash check when n × (1 + feeRate) ≤ buyingPower.
 * `positions[i].mark` is undefined before the host saw a price; `openOrders[i].limitPrice` is
 * undefined for a market or stop order, `triggerPrice` for anything but a stop or stop-limit. */
export class Account {
  constructor(view) {
    const d = Decimal.fromWit;
    this.initialCash = d(view.initialCash);
    this.cash = d(view.cash);
    this.equity = d(view.equity);
    this.fees = d(view.fees);
    this.buyingPower = d(view.buyingPower);
    this.feeRate = d(view.feeRate);
    this.positions = view.positions.map((p) => ({
      symbol: p.symbol,
      qty: d(p.qty),
      avgPrice: d(p.avgPrice),
      mark: p.mark == null ? undefined : d(p.mark),
      unrealizedPnl: d(p.unrealizedPnl),
      realizedPnl: d(p.realizedPnl),
      fees: d(p.fees),
    }));
    this.openOrders = view.openOrders.map((o) => ({
      orderId: o.orderId,
      tag: o.tag,
      symbol: o.symbol,
      side: o.side,
      limitPrice: limitPriceOf(o.orderType),
      triggerPrice: triggerPriceOf(o.orderType),
      timeInForce: o.timeInForce,
      postOnly: o.postOnly,
      reduceOnly: o.reduceOnly,
      qty: d(o.qty),
      filledQty: d(o.filledQty),
      remainingQty: d(o.remainingQty),
      status: o.status,
    }));
  }

  position(symbol) {
    return this.positions.find((p) => p.symbol === symbol);
  }
}

/** What a strategy may ask of the host; see `wit/strategy.wit`'s `host` interface. */
export class Host {
  #decisionsWanted = undefined;

  /** `level` is "trace", "debug", "info", "warn" or "error". */
  log(level, message) {
    imports.log(level, message);
  }

  debug(message) {
    imports.log("debug", message);
  }

  info(message) {
    imports.log("info", message);
  }

  warn(message) {
    imports.log("warn", message);
  }

  error(message) {
    imports.log("error", message);
  }

  /** The replayed time in backtests and paper replays, wall time live: a Number of UTC ms. */
  nowMs() {
    return Number(imports.nowMs());
  }

  /** Cash, equity, fees, buying power, positions and working orders, from the host's books. */
  account() {
    return new Account(imports.account());
  }

  position(symbol) {
    return new Position(imports.position(symbol));
  }

  /** The host's order id; throws `Rejected` when risk (or the order's shape) refuses it. */
  placeOrder(order) {
    try {
      return imports.placeOrder(order);
    } catch (error) {
      const reject = error?.payload;
      if (reject === undefined) throw error;
      throw new Rejected(reject.code, reject.message);
    }
  }

  /** Throws an Error with the host's reason when the order cannot be cancelled. */
  cancelOrder(orderId) {
    hostCall(() => imports.cancelOrder(orderId));
  }

  /** Cancels every working order of this strategy; how many cancels the host sent (a Number). */
  cancelAllOrders() {
    return imports.cancelAllOrders();
  }

  amendOrder(orderId, qty, limitPrice = undefined) {
    hostCall(() => imports.amendOrder(orderId, qty.toWit(), limitPrice?.toWit()));
  }

  decisionsWanted() {
    // The same for the instance's whole life: one host call.
    this.#decisionsWanted ??= imports.decisionsWanted();
    return this.#decisionsWanted;
  }

  /** `action` is "buy", "sell" or "hold"; `indicators` maps names to Decimals (one beyond the
   * host's range is left out). */
  emitDecision(symbol, action, confidence, reasoning, indicators) {
    const values = [];
    for (const [name, value] of Object.entries(indicators)) {
      try {
        values.push({ name, value: value.toWit() });
      } catch {
        // A decision is for people and must not fail: the indicator is left out.
      }
    }
    const clamped = Number.isNaN(confidence) ? 0 : Math.min(Math.max(confidence, 0), 1);
    imports.emitDecision({ symbol, action, confidence: clamped, reasoning, indicators: values });
  }
}

function hostCall(call) {
  try {
    call();
  } catch (error) {
    if (error?.payload === undefined) throw error;
    throw new Error(String(error.payload));
  }
}

// ---------------------------------------------------------------------------------------------
// Manifests and params

export const candles = (symbol, timeframe) => ({ symbol, stream: { tag: "candles", val: timeframe } });
export const candleUpdates = (symbol, timeframe) => ({ symbol, stream: { tag: "candle-updates", val: timeframe } });
export const trades = (symbol) => ({ symbol, stream: { tag: "trades" } });
export const quotes = (symbol) => ({ symbol, stream: { tag: "quotes" } });
export const book = (symbol, depth) => ({ symbol, stream: { tag: "book", val: depth } });

/** `min` and `max` (Numbers, optional) bound the values accepted, bounds included. */
export const integerParam = (name, value, description, min = undefined, max = undefined) => ({
  name,
  kind: "integer",
  defaultValue: JSON.stringify(value),
  description,
  minValue: min === undefined ? undefined : JSON.stringify(min),
  maxValue: max === undefined ? undefined : JSON.stringify(max),
});
/** `value` and the bounds `min`, `max` (optional) are decimals' text (`"0.1"`), kept exactly. */
export const decimalParam = (name, value, description, min = undefined, max = undefined) => ({
  name,
  kind: "decimal",
  defaultValue: value,
  description,
  minValue: min,
  maxValue: max,
});
export const booleanParam = (name, value, description) => ({
  name,
  kind: "boolean",
  defaultValue: JSON.stringify(value),
  description,
  minValue: undefined,
  maxValue: undefined,
});
export const textParam = (name, value, description) => ({
  name,
  kind: "text",
  defaultValue: JSON.stringify(value),
  description,
  minValue: undefined,
  maxValue: undefined,
});

/** A param the strategy cannot run with; `init` fails with its message. */
export class ParamError extends Error {}

const EXPECTED = {
  integer: "an integer",
  decimal: "a decimal number",
  boolean: "true or false",
  text: "a string",
};

/** A JSON number as its exact source text, so that `0.1` is exactly 0.1, never a float. */
class JsonNumber {
  constructor(text) {
    this.text = text;
  }

  toJSON() {
    return this.text;
  }
}

function parseJsonExactly(text) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === "number" ? new JsonNumber(context.source) : value,
  );
}

/** The JSON object given to `init`, checked against the manifest's params (unknown keys and
 * ill-typed values are refused), defaults filled in. */
export class Params {
  #values = new Map();

  constructor(specs, text) {
    let given = {};
    if (text.trim() !== "") {
      try {
        given = parseJsonExactly(text);
      } catch (error) {
        throw new ParamError(`params: not valid JSON: ${error.message}`);
      }
    }
    if (given === null || typeof given !== "object" || Array.isArray(given)) {
      throw new ParamError(`params: expected a JSON object, got ${text.trim()}`);
    }
    for (const name of Object.keys(given)) {
      if (!specs.some((spec) => spec.name === name)) {
        const takes = specs.length
          ? `this strategy takes ${specs.map((spec) => `\`${spec.name}\``).join(", ")}`
          : "this strategy takes no params";
        throw new ParamError(`param \`${name}\`: unknown; ${takes}`);
      }
    }
    for (const spec of specs) {
      const raw = Object.hasOwn(given, spec.name) ? given[spec.name] : defaultOf(spec);
      const value = typed(spec.kind, raw);
      if (value === undefined) {
        const got = raw instanceof JsonNumber ? raw.text : JSON.stringify(raw);
        throw new ParamError(`param \`${spec.name}\`: expected ${EXPECTED[spec.kind]}, got ${got}`);
      }
      checkRange(spec, value);
      this.#values.set(spec.name, value);
    }
  }

  get(name) {
    return this.#values.get(name);
  }

  /** An integer param, as a Number. */
  integer(name) {
    return this.#values.get(name);
  }

  /** An integer param that is a window length, 1 ..= MAX_PERIOD. */
  period(name) {
    const value = this.integer(name);
    if (!(value >= 1 && value <= MAX_PERIOD)) {
      throw new ParamError(`param \`${name}\`: must be between 1 and ${MAX_PERIOD}, got ${value}`);
    }
    return value;
  }

  decimal(name) {
    return this.#values.get(name);
  }

  positiveDecimal(name) {
    const value = this.decimal(name);
    if (value.sign() <= 0) throw new ParamError(`param \`${name}\`: must be greater than 0, got ${value}`);
    return value;
  }
}

/** The Rust SDK's range rule and words: bounds included, either side optional. */
function checkRange(spec, value) {
  const low = spec.minValue ?? undefined;
  const high = spec.maxValue ?? undefined;
  if (low === undefined && high === undefined) return;
  const bound = (text) => typed(spec.kind, spec.kind === "decimal" ? text : parseJsonExactly(text));
  const compare = (a, b) => (spec.kind === "decimal" ? a.compare(b) : Math.sign(a - b));
  const below = low !== undefined && compare(value, bound(low)) < 0;
  const above = high !== undefined && compare(value, bound(high)) > 0;
  if (!below && !above) return;
  const got = String(value);
  const name = `param \`${spec.name}\``;
  if (low !== undefined && high !== undefined) throw new ParamError(`${name}: must be within ${low} ..= ${high}, got ${got}`);
  if (low !== undefined) throw new ParamError(`${name}: must be at least ${low}, got ${got}`);
  throw new ParamError(`${name}: must be at most ${high}, got ${got}`);
}

function defaultOf(spec) {
  return spec.kind === "decimal" ? spec.defaultValue : parseJsonExactly(spec.defaultValue);
}

function typed(kind, raw) {
  switch (kind) {
    case "integer":
      if (raw instanceof JsonNumber && /^-?\d+$/.test(raw.text) && Number.isSafeInteger(Number(raw.text))) {
        return Number(raw.text);
      }
      return undefined;
    case "decimal":
      if (raw instanceof JsonNumber) return Decimal.parse(raw.text);
      return typeof raw === "string" ? Decimal.parse(raw) : undefined;
    case "boolean":
      return typeof raw === "boolean" ? raw : undefined;
    default:
      return typeof raw === "string" ? raw : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Indicators whose snapshots read and write the Rust SDK's JSON

/** Simple moving average of the last `period` values, compared with another exactly (sums
 * cross-multiplied, no division). State: `{"window": {"period", "values"}, "sum"}`. */
export class Sma {
  constructor(period) {
    this.period = period;
    this.values = [];
    this.sum = ZERO;
  }

  update(value) {
    this.sum = this.sum.add(value);
    this.values.push(value);
    if (this.values.length > this.period) this.sum = this.sum.sub(this.values.shift());
  }

  isReady() {
    return this.values.length === this.period;
  }

  /** The average, once `period` values have been seen (rounded to 28 places). */
  value() {
    return this.isReady() ? this.sum.dividedBy(this.values.length) : undefined;
  }

  /** -1, 0 or 1 as this average is below, equal to or above `other`; undefined until both are
   * ready. */
  compare(other) {
    if (!(this.isReady() && other.isReady())) return undefined;
    return this.sum.times(other.values.length).compare(other.sum.times(this.values.length));
  }

  /** Follows a new period, keeping the newest values that still fit. */
  resize(period) {
    this.period = period;
    this.values.splice(0, Math.max(0, this.values.length - period));
    this.sum = this.values.reduce((sum, value) => sum.add(value), ZERO);
  }

  state() {
    return {
      window: { period: this.period, values: this.values.map(String) },
      sum: String(this.sum),
    };
  }

  /** Checks what a snapshot holds: a period in range, no more values than it, and a sum that is
   * the sum of the values. Throws an Error saying which. */
  static fromState(state) {
    const { period, values } = state.window;
    if (!Number.isInteger(period) || period < 1 || period > MAX_PERIOD) {
      throw new Error(`a window's period must be between 1 and ${MAX_PERIOD}, got ${period}`);
    }
    if (values.length > period) throw new Error(`a window of period ${period} cannot hold ${values.length} values`);
    const sma = new Sma(period);
    sma.values = values.map(stateDecimal);
    sma.resize(period);
    const recorded = stateDecimal(state.sum);
    if (sma.sum.compare(recorded) !== 0) {
      throw new Error(`the recorded sum ${recorded} is not the sum of the window (${sma.sum})`);
    }
    // As recorded, scale included, so the next snapshot writes it the same.
    sma.sum = recorded;
    return sma;
  }
}

function stateDecimal(text) {
  const value = typeof text === "string" ? Decimal.parse(text) : undefined;
  if (value === undefined) throw new Error(`expected a decimal as text, got ${JSON.stringify(text)}`);
  return value;
}

export const UP = "up";
export const DOWN = "down";

/** Notices when one series crosses another. An exact tie is no relation: it keeps the last
 * strict one, so touching is no cross. State: `{"relation": "above" | "below" | null}`. */
export class Crossover {
  constructor(relation = null) {
    this.relation = relation;
  }

  /** Takes the newest comparison (-1, 0, 1); returns UP or DOWN when the relation flipped. */
  update(ordering) {
    if (ordering === 0) return undefined;
    const now = ordering > 0 ? "above" : "below";
    const before = this.relation;
    this.relation = now;
    if (before === "below" && now === "above") return UP;
    if (before === "above" && now === "below") return DOWN;
    return undefined;
  }

  state() {
    return { relation: this.relation };
  }

  static fromState(state) {
    const { relation } = state;
    if (relation !== "above" && relation !== "below" && relation !== null) {
      throw new Error(`a crossover's relation is above, below or null, got ${JSON.stringify(relation)}`);
    }
    return new Crossover(relation);
  }
}

// ---------------------------------------------------------------------------------------------
// Strategies and the world's exports

/** Extend it, then `export const { describe, init, ... } = exportStrategy(YourStrategy)`.
 *
 * `static manifest()` names the strategy, its subscriptions and params; the constructor gets
 * the checked `Params` and throws `ParamError` to refuse them. Every `on*` method is optional.
 * `snapshot()` returns the bytes (a Uint8Array) the next version (or this one after a trap)
 * `restore()`s after its own constructor; throw an Error to refuse a snapshot. */
export class Strategy {
  static manifest() {
    throw new Error("a strategy names itself in static manifest()");
  }

  onCandle(host, candle) {}
  onCandleUpdate(host, candle) {}
  onTrade(host, trade) {}
  onQuote(host, quote) {}
  onBook(host, book) {}
  onOrderUpdate(host, update) {}

  snapshot() {
    return new Uint8Array(0);
  }

  restore(state) {
    if (state.length > 0) throw new Error("this strategy keeps no state, but the snapshot is not empty");
  }
}

/** The stream kind each market event's tag arrives on. */
const STREAM_OF = {
  candle: "candles",
  "candle-update": "candle-updates",
  trade: "trades",
  quote: "quotes",
  book: "book",
};

/** Stream ids to `{symbol, kind}`, asking the host once per id. An id the host cannot describe,
 * or an event of another kind than its stream, is dropped and reported once. */
class Streams {
  #known = new Map();
  #reported = new Set();

  resolve(host, stream, eventTag) {
    let info = this.#known.get(stream);
    if (info === undefined) {
      info = imports.describeStream(stream);
      if (info === undefined) {
        this.#reportOnce(host, stream, `market event on stream ${stream}, which the host cannot describe: dropped`);
        return undefined;
      }
      this.#known.set(stream, info);
    }
    if (info.kind.tag !== STREAM_OF[eventTag]) {
      this.#reportOnce(host, stream, `${eventTag} event on stream ${stream}, described as ${info.kind.tag}: dropped`);
      return undefined;
    }
    return info;
  }

  #reportOnce(host, stream, message) {
    if (this.#reported.has(stream)) return;
    this.#reported.add(stream);
    host.error(message);
  }
}

const dec = Decimal.fromWit;

function candleOf(candle, info) {
  return {
    symbol: info.symbol,
    timeframe: info.kind.val,
    openTimeMs: Number(candle.openTimeMs),
    open: dec(candle.open),
    high: dec(candle.high),
    low: dec(candle.low),
    close: dec(candle.close),
    volume: dec(candle.volume),
  };
}

function orderUpdateOf(update) {
  const { fill } = update;
  return {
    orderId: update.orderId,
    tag: update.tag,
    symbol: update.symbol,
    side: update.side,
    status: update.status,
    filledQty: dec(update.filledQty),
    remainingQty: dec(update.remainingQty),
    fill: fill && { price: dec(fill.price), qty: dec(fill.qty), fee: dec(fill.fee), timeMs: Number(fill.timeMs) },
    reason: update.reason,
    timeMs: Number(update.timeMs),
  };
}

/** The world's exports for `StrategyClass`, for the app module to re-export. The component has
 * one strategy (undefined until `init`) and one stream table, which outlives the strategy
 * `init` replaces: stream ids hold for the host's whole run. */
export function exportStrategy(StrategyClass) {
  const host = new Host();
  const streams = new Streams();
  let strategy;

  const started = () => {
    if (strategy === undefined) host.error("event received before init: ignored");
    return strategy !== undefined;
  };

  const dispatch = (event) => {
    const record = event.val;
    const info = streams.resolve(host, record.stream, event.tag);
    if (info === undefined) return;
    const symbol = info.symbol;
    switch (event.tag) {
      case "candle":
        return strategy.onCandle(host, candleOf(record, info));
      case "candle-update":
        return strategy.onCandleUpdate(host, candleOf(record, info));
      case "trade":
        return strategy.onTrade(host, {
          symbol,
          timeMs: Number(record.timeMs),
          price: dec(record.price),
          qty: dec(record.qty),
          aggressor: record.aggressor,
        });
      case "quote":
        return strategy.onQuote(host, {
          symbol,
          timeMs: Number(record.timeMs),
          bid: dec(record.bid),
          bidQty: dec(record.bidQty),
          ask: dec(record.ask),
          askQty: dec(record.askQty),
        });
      default: {
        const levels = (side) => side.map((level) => ({ price: dec(level.price), qty: dec(level.qty) }));
        return strategy.onBook(host, {
          symbol,
          timeMs: Number(record.timeMs),
          bids: levels(record.bids),
          asks: levels(record.asks),
        });
      }
    }
  };

  return {
    describe: () => StrategyClass.manifest(),
    init(text) {
      try {
        strategy = new StrategyClass(new Params(StrategyClass.manifest().params, text));
      } catch (error) {
        // A thrown string becomes the `err` of `init`'s result; an Error would be a trap.
        if (error instanceof ParamError) throw error.message;
        throw error;
      }
    },
    onEvent(event) {
      if (started()) dispatch(event);
    },
    onEvents() {
      if (!started()) return;
      for (let event = imports.nextEvent(); event !== undefined; event = imports.nextEvent()) {
        if (event.tag === "market") dispatch(event.val);
        else strategy.onOrderUpdate(host, orderUpdateOf(event.val));
      }
    },
    onOrderUpdate(update) {
      if (started()) strategy.onOrderUpdate(host, orderUpdateOf(update));
    },
    snapshot: () => (strategy === undefined ? new Uint8Array(0) : strategy.snapshot()),
    restore(state) {
      if (strategy === undefined) throw "restore called before init: the host must call init first";
      try {
        strategy.restore(state);
      } catch (error) {
        throw error instanceof Error ? error.message : String(error);
      }
    },
  };
}

// The strategy-host dashboard: one WebSocket (/ws) gives a snapshot and then the host's events;
// the page keeps their state and draws it. The control buttons POST to /control/... with the
// operator's token, kept in this tab's session storage only.
"use strict";

const MAX_FILLS = 200;
const MAX_DECISIONS = 100;
const TOKEN_KEY = "strategy-host-control-token";

const state = {
  strategies: new Map(), // strategy -> row
  venues: new Map(), // venue -> row
  positions: new Map(), // "strategy|symbol" -> position
  orders: new Map(), // id -> open order
  fills: [], // newest first
  decisions: [], // newest first
  series: new Map(), // "venue|symbol|timeframe" -> {symbol, candles: [bar]}
  equity: new Map(), // strategy -> [{time, value}]
  notices: [],
};
const view = { sortKey: "strategy", sortDesc: false, search: "", series: null, equityOf: null };
const dirty = new Set();

// ---- the connection ----

let socket = null;
let retryMs = 1000;

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws${location.search}`);
  socket.onopen = () => {
    retryMs = 1000;
    reset();
    setConnection(true);
  };
  socket.onmessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    apply(message);
  };
  socket.onclose = (event) => {
    setConnection(false, event.reason);
    // The host restarted, or dropped this page for falling behind: a new snapshot heals both.
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

function setConnection(up, reason) {
  const el = document.getElementById("connection");
  el.className = `connection ${up ? "up" : "down"}`;
  el.textContent = up ? "live" : `reconnecting${reason ? ": " + reason : ""}`;
  document.body.dataset.connected = up ? "true" : "false";
}

function reset() {
  for (const key of ["strategies", "venues", "positions", "orders", "series", "equity"]) state[key].clear();
  state.fills = [];
  state.decisions = [];
  charts.clear();
  markAll();
}

// ---- messages ----

const handlers = {
  strategies(rows) {
    const seen = new Set();
    for (const row of rows) {
      state.strategies.set(row.strategy, row);
      seen.add(row.strategy);
    }
    // A strategy an operator stopped stays listed, so that it can be started again.
    for (const [name, row] of [...state.strategies]) if (!seen.has(name) && row.state !== "stopped") state.strategies.delete(name);
    dirty.add("strategies");
    dirty.add("equity-select");
  },
  strategy(data) {
    const row = state.strategies.get(data.strategy) || { strategy: data.strategy };
    if (data.version) row.version = data.version;
    if (data.hash) row.hash = data.hash;
    row.lifecycle = data.lifecycle;
    if (data.lifecycle === "quarantined" || data.lifecycle === "trapped") row.state = data.lifecycle === "quarantined" ? "quarantined" : "failed";
    if (data.lifecycle === "retired") row.state = "stopped";
    if (data.lifecycle === "loaded") row.state = "running";
    state.strategies.set(data.strategy, row);
    notice(`${data.strategy}: ${data.lifecycle}${data.error ? " (" + data.error + ")" : ""}`);
    dirty.add("strategies");
  },
  venues(rows) {
    state.venues.clear();
    for (const row of rows) state.venues.set(row.venue || row.name, row);
    dirty.add("venues");
  },
  venue(data) {
    const row = state.venues.get(data.venue) || { venue: data.venue };
    row.connected = data.connected;
    row.last_error = data.reason || null;
    state.venues.set(data.venue, row);
    if (!data.connected) notice(`${data.venue} disconnected: ${data.reason}`);
    dirty.add("venues");
  },
  history(candles, message) {
    const key = seriesKey(message.venue, message.symbol, message.timeframe);
    state.series.set(key, { symbol: message.symbol, candles: candles.slice() });
    dirty.add("series-select");
    if (view.series === key) charts.loadSeries(key);
  },
  kline(bar) {
    const key = seriesKey(bar.venue, bar.symbol, bar.timeframe);
    let series = state.series.get(key);
    if (!series) {
      series = { symbol: bar.symbol, candles: [] };
      state.series.set(key, series);
      dirty.add("series-select");
    }
    const last = series.candles[series.candles.length - 1];
    if (last && last.time === bar.time) series.candles[series.candles.length - 1] = bar;
    else if (!last || last.time < bar.time) series.candles.push(bar);
    if (series.candles.length > 1000) series.candles.shift();
    if (view.series === key) charts.updateBar(bar);
  },
  orders(order) {
    if (order.status === "NEW" || order.status === "PARTIALLY_FILLED") state.orders.set(order.id, order);
    else state.orders.delete(order.id);
    charts.orderLine(order);
    dirty.add("orders");
  },
  trade_event(fill) {
    state.fills.unshift(fill);
    if (state.fills.length > MAX_FILLS) state.fills.pop();
    charts.markFills();
    dirty.add("fills");
    if (document.getElementById("sound").checked) beep(fill.side === "buy" ? 880 : 660);
  },
  position(position) {
    const key = `${position.strategy}|${position.symbol}`;
    if (Number(position.amount) === 0) state.positions.delete(key);
    else state.positions.set(key, position);
    dirty.add("positions");
  },
  equity(point) {
    let curve = state.equity.get(point.strategy);
    if (!curve) {
      curve = [];
      state.equity.set(point.strategy, curve);
      dirty.add("equity-select");
    }
    const last = curve[curve.length - 1];
    const value = Number(point.equity);
    if (last && last.time === point.time) last.value = value;
    else if (!last || last.time < point.time) curve.push({ time: point.time, value });
    if (view.equityOf === point.strategy) charts.updateEquity(curve[curve.length - 1]);
  },
  decision(decision) {
    state.decisions.unshift(decision);
    if (state.decisions.length > MAX_DECISIONS) state.decisions.pop();
    dirty.add("decisions");
  },
  account() {},
  risk(data) {
    notice(`risk: ${data.scope} ${data.name} ${data.from} → ${data.to}${data.breach ? " (" + data.breach.kind + ": loss " + data.breach.loss + " of " + data.breach.limit + ")" : ""}`);
  },
  control(data) {
    notice(`control: ${data.action} ${data.strategy || "host"} (token ${data.token_id}, ${data.affected} affected)`);
  },
  reconciliation(data) {
    notice(`${data.venue} reconciled`);
  },
  skipped() {
    reset();
  },
};

function apply(message) {
  const handler = handlers[message.type];
  if (handler) handler(message.data, message);
  schedule();
}

function seriesKey(venue, symbol, timeframe) {
  return `${venue || "replay"}|${symbol}|${timeframe}`;
}

// ---- charts ----

const charts = {
  price: null,
  candles: null,
  equityChart: null,
  equityLine: null,
  lines: new Map(), // order id -> price line

  init() {
    if (!window.LightweightCharts) return;
    const options = (el) => ({
      width: el.clientWidth,
      height: el.clientHeight,
      layout: { background: { color: "#19202a" }, textColor: "#d7dde5" },
      grid: { vertLines: { color: "#2a3340" }, horzLines: { color: "#2a3340" } },
      timeScale: { timeVisible: true },
    });
    const priceEl = document.getElementById("price-chart");
    this.price = LightweightCharts.createChart(priceEl, options(priceEl));
    this.candles = this.price.addCandlestickSeries();
    const equityEl = document.getElementById("equity-chart");
    this.equityChart = LightweightCharts.createChart(equityEl, options(equityEl));
    this.equityLine = this.equityChart.addLineSeries({ color: "#f0b429" });
    new ResizeObserver(() => {
      this.price.applyOptions({ width: priceEl.clientWidth });
      this.equityChart.applyOptions({ width: equityEl.clientWidth });
    }).observe(document.body);
  },
  clear() {
    if (!this.candles) return;
    this.candles.setData([]);
    this.candles.setMarkers([]);
    for (const line of this.lines.values()) this.candles.removePriceLine(line);
    this.lines.clear();
    this.equityLine.setData([]);
  },
  selectedSymbol() {
    const series = state.series.get(view.series);
    return series ? series.symbol : null;
  },
  loadSeries(key) {
    if (!this.candles) return;
    const series = state.series.get(key);
    this.candles.setData(series ? series.candles.map(bar) : []);
    for (const line of this.lines.values()) this.candles.removePriceLine(line);
    this.lines.clear();
    for (const order of state.orders.values()) this.orderLine(order);
    this.markFills();
  },
  updateBar(candle) {
    if (this.candles) this.candles.update(bar(candle));
  },
  // Each fill of the shown symbol, on the bar it happened in.
  markFills() {
    if (!this.candles) return;
    const series = state.series.get(view.series);
    if (!series || series.candles.length === 0) return;
    const times = series.candles.map((c) => c.time);
    const markers = [];
    for (const fill of state.fills) {
      if (fill.symbol !== series.symbol) continue;
      const at = barTime(times, fill.time);
      if (at === null) continue;
      const buy = fill.side === "buy";
      // No text: a busy grid fills many times a bar, and labels would bury the candles.
      markers.push({
        id: fill.order_id,
        time: at,
        position: buy ? "belowBar" : "aboveBar",
        color: buy ? "#26a69a" : "#ef5350",
        shape: buy ? "arrowUp" : "arrowDown",
        size: 0.6,
      });
    }
    markers.sort((a, b) => a.time - b.time);
    this.candles.setMarkers(markers);
  },
  orderLine(order) {
    if (!this.candles) return;
    const existing = this.lines.get(order.id);
    if (existing) {
      this.candles.removePriceLine(existing);
      this.lines.delete(order.id);
    }
    const open = order.status === "NEW" || order.status === "PARTIALLY_FILLED";
    if (!open || order.price === null || order.symbol !== this.selectedSymbol()) return;
    const line = this.candles.createPriceLine({
      price: Number(order.price),
      color: order.side === "BUY" ? "#26a69a" : "#ef5350",
      lineStyle: LightweightCharts.LineStyle.Dashed,
      title: `${order.strategy} ${order.side} ${order.qty}`,
    });
    this.lines.set(order.id, line);
  },
  loadEquity(strategy) {
    if (this.equityLine) this.equityLine.setData(state.equity.get(strategy) || []);
  },
  updateEquity(point) {
    if (this.equityLine && point) this.equityLine.update(point);
  },
};

function bar(candle) {
  return { time: candle.time, open: Number(candle.open), high: Number(candle.high), low: Number(candle.low), close: Number(candle.close) };
}

// The open time of the latest bar at or before `time` (seconds), or null.
function barTime(times, time) {
  let lo = 0, hi = times.length - 1, found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= time) { found = times[mid]; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

// ---- drawing ----

let scheduled = false;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

function markAll() {
  for (const part of ["strategies", "venues", "positions", "orders", "fills", "decisions", "series-select", "equity-select"]) dirty.add(part);
  schedule();
}

function render() {
  if (dirty.has("strategies")) renderStrategies();
  if (dirty.has("venues")) renderVenues();
  if (dirty.has("positions")) renderRows("positions", [...state.positions.values()], (p) => [
    p.strategy, p.symbol, num(p.amount), num(p.entryPrice), signed(p.unrealizedPnL), signed(p.realizedPnL)]);
  if (dirty.has("orders")) renderRows("orders", [...state.orders.values()], (o) => [
    o.strategy, o.symbol, o.side, o.type, num(o.price), num(o.qty), num(o.filled_qty), o.status]);
  if (dirty.has("fills")) renderRows("fills", state.fills, (f) => [
    new Date(f.time_ms).toISOString().replace(".000Z", "Z"), f.strategy, f.symbol, f.side, num(f.price), num(f.amount), num(f.fee)]);
  if (dirty.has("decisions")) renderDecisions();
  if (dirty.has("series-select")) renderSeriesSelect();
  if (dirty.has("equity-select")) renderEquitySelect();
  dirty.clear();
}

function renderStrategies() {
  const search = view.search.toLowerCase();
  const rows = [...state.strategies.values()].filter((row) =>
    !search || [row.strategy, row.name, row.venue, row.state, row.trading_state].some((v) => String(v || "").toLowerCase().includes(search)));
  const key = view.sortKey;
  rows.sort((a, b) => {
    const x = a[key], y = b[key];
    const numeric = typeof x === "number" || (x !== null && x !== "" && !isNaN(Number(x)) && typeof x !== "boolean");
    const order = numeric ? Number(x || 0) - Number(y || 0) : String(x || "").localeCompare(String(y || ""));
    return view.sortDesc ? -order : order;
  });
  const body = document.querySelector("#strategies tbody");
  body.innerHTML = rows.map((row) => `<tr data-strategy="${esc(row.strategy)}">
    <td>${esc(row.strategy)}</td><td>${esc(row.version)}</td><td title="${esc(row.hash)}"><code>${esc(String(row.hash || "").slice(0, 12))}</code></td>
    <td>${esc(row.venue)}</td><td class="state">${esc(row.state)}</td><td class="trading-state">${esc(row.trading_state)}</td>
    <td class="num">${row.events_per_second == null ? "" : row.events_per_second.toFixed(1)}</td>
    <td class="num">${row.call_p99_us == null ? "" : (row.call_p99_beyond ? "> " : "") + row.call_p99_us.toFixed(1)}</td>
    ${cell(signed(row.pnl))}${cell(num(row.equity))}<td class="num">${row.open_orders ?? ""}</td>
    <td class="error" title="${esc(row.error)}">${esc(row.error)}</td>
    <td><button data-action="halt">halt</button><button data-action="reduce">reduce</button><button data-action="resume">resume</button><button data-action="cancel-orders">cancel orders</button><button data-action="stop">stop</button><button data-action="start">start</button></td>
  </tr>`).join("");
  for (const th of document.querySelectorAll("#strategies th[data-sort]")) th.classList.toggle("sorted", th.dataset.sort === key);
}

function renderVenues() {
  renderRows("venues", [...state.venues.values()], (v) => {
    const streams = v.streams || [];
    const ages = streams.map((s) => s.data_age_ms ?? s.age_ms).filter((a) => a != null);
    const age = v.data_age_ms ?? (ages.length ? Math.max(...ages) : null);
    const detail = v.bars_total != null ? `${v.bars_replayed}/${v.bars_total} bars` : (v.last_error || "");
    return [v.venue || v.name, v.connected ? "yes" : "no", age == null ? "" : `${(age / 1000).toFixed(1)} s`, detail];
  });
}

function renderRows(id, items, cells) {
  document.querySelector(`#${id} tbody`).innerHTML = items.map((item) => `<tr>${cells(item).map(cell).join("")}</tr>`).join("");
}

// A table cell: plain text, or a number (right-aligned, coloured by sign when `signed`).
function cell(content) {
  return content && content.html !== undefined ? `<td class="num ${content.cls}">${content.html}</td>` : `<td>${esc(content)}</td>`;
}

function renderDecisions() {
  document.getElementById("decisions").innerHTML = state.decisions.map((d) => {
    const indicators = Object.entries(d.context.indicators || {}).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(" ");
    return `<li data-strategy="${esc(d.strategy)}"><span class="action">${esc(d.decision)}</span>${esc(d.strategy)} ${esc(d.symbol)}
      (${Number(d.confidence).toFixed(0)} %): <span class="reasoning">${esc(d.context.reasoning)}</span>
      <div class="indicators">${indicators}</div></li>`;
  }).join("");
}

function renderSeriesSelect() {
  const select = document.getElementById("series-select");
  const keys = [...state.series.keys()].sort();
  select.innerHTML = keys.map((k) => `<option value="${esc(k)}">${esc(k.replace(/\|/g, " "))}</option>`).join("");
  if (!keys.includes(view.series)) {
    view.series = keys[0] || null;
    if (view.series) charts.loadSeries(view.series);
  }
  if (view.series) select.value = view.series;
}

function renderEquitySelect() {
  const select = document.getElementById("equity-select");
  const names = [...new Set([...state.strategies.keys(), ...state.equity.keys()])].sort();
  select.innerHTML = names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join("");
  if (!names.includes(view.equityOf)) {
    view.equityOf = names[0] || null;
    charts.loadEquity(view.equityOf);
  }
  if (view.equityOf) select.value = view.equityOf;
}

function num(value) {
  return value == null ? "" : { html: esc(value), cls: "" };
}

function signed(value) {
  if (value == null) return "";
  const n = Number(value);
  return { html: esc(value), cls: n > 0 ? "pos" : n < 0 ? "neg" : "" };
}

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function notice(text) {
  document.getElementById("notice").textContent = text;
}

let audio = null;
function beep(frequency) {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = frequency;
    gain.gain.value = 0.05;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.08);
  } catch (e) {
    // No audio in this browser: fills stay silent.
  }
}

// ---- control ----

async function control(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    notice("enter the control token first");
    return;
  }
  try {
    const response = await fetch(`/control/${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    const body = await response.json().catch(() => ({}));
    notice(response.ok ? `${body.action} ${body.strategy || "host"}: ${body.trading_state}, ${body.affected} affected` : `refused (${response.status}): ${body.error || ""}`);
  } catch (e) {
    notice(`control failed: ${e}`);
  }
}

function wire() {
  document.getElementById("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("token");
    if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value);
    input.value = "";
    notice("token kept for this tab");
  });
  for (const button of document.querySelectorAll("[data-host-action]")) {
    button.addEventListener("click", () => control(button.dataset.hostAction));
  }
  document.querySelector("#strategies tbody").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const row = event.target.closest("tr[data-strategy]");
    if (button && row) control(`strategies/${encodeURIComponent(row.dataset.strategy)}/${button.dataset.action}`);
    else if (row) {
      view.equityOf = row.dataset.strategy;
      document.getElementById("equity-select").value = view.equityOf;
      charts.loadEquity(view.equityOf);
    }
  });
  for (const th of document.querySelectorAll("#strategies th[data-sort]")) {
    th.addEventListener("click", () => {
      view.sortDesc = view.sortKey === th.dataset.sort ? !view.sortDesc : false;
      view.sortKey = th.dataset.sort;
      dirty.add("strategies");
      schedule();
    });
  }
  document.getElementById("strategy-search").addEventListener("input", (event) => {
    view.search = event.target.value;
    dirty.add("strategies");
    schedule();
  });
  document.getElementById("series-select").addEventListener("change", (event) => {
    view.series = event.target.value;
    charts.loadSeries(view.series);
  });
  document.getElementById("equity-select").addEventListener("change", (event) => {
    view.equityOf = event.target.value;
    charts.loadEquity(view.equityOf);
  });
}

// What a test (or a curious operator's console) can ask the page.
window.dashboard = {
  state,
  view,
  chartMarkers: () => (charts.candles ? charts.candles.markers() : []),
  orderLines: () => charts.lines.size,
  equityPoints: (strategy) => (state.equity.get(strategy) || []).length,
};

charts.init();
wire();
connect();

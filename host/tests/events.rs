//! The event stream: in process, a subscriber that does not read skips ahead (counted) while the
//! strategy handles every event, and the desk's events come in the desk's order; end to end,
//! the real binary's `GET /events` carries a strategy's lifecycle, orders, fills and positions
//! as JSON lines, and its metrics count them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use strategy_host::events::{EventBus, HostEvent, Received};
use strategy_host::fleet::{DecisionSink, Fleet};
use strategy_host::metrics::Metrics;
use strategy_host::runtime::{
    lock_desk, PreparedVersion, RecoveryPolicy, Runner, Runtime, SandboxLimits, SessionShared, StrategyComponent,
    StrategyContext,
};
use trading::brokers::{SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig, DeskEvent};
use trading::market::{MarketEvent, RandomWalk, RandomWalkConfig, Symbol, Timeframe};
use trading::orders::StrategyId;

use crate::support::{self, http_get, metric_value, wait_until, write_file, RunningHost};

/// A fleet of one grid strategy on the simulator, publishing on `bus`.
struct GridFleet {
    fleet: Fleet,
    metrics: Arc<Metrics>,
    bars: Box<dyn Iterator<Item = MarketEvent>>,
}

impl GridFleet {
    fn start(bus: EventBus) -> Self {
        let runtime = Arc::new(Runtime::new(SandboxLimits::default()).unwrap());
        let broker = SimBroker::new(SimConfig::default()).unwrap();
        let desk = Arc::new(Mutex::new(
            Desk::new(DeskConfig::default(), Box::new(broker), None).unwrap(),
        ));
        let sink: DecisionSink = Arc::new(|_, _| {});
        let shared = SessionShared {
            events: bus,
            ..SessionShared::default()
        };
        let fleet = Fleet::new(desk.clone(), shared, 1_024, sink);
        let metrics = Metrics::new();
        let grid = StrategyId::new("grid");
        lock_desk(&desk)
            .register_strategy(&grid, Decimal::from(1_000_000))
            .unwrap();
        let path = support::wasm("grid");
        let component = Arc::new(StrategyComponent::load_file(&runtime, &path).unwrap());
        let ctx = StrategyContext::new(grid, desk, fleet.shared(), metrics.strategy("grid", "paper"));
        let params = r#"{"levels": 3, "spacing_pct": "0.2", "size": "0.01"}"#.to_owned();
        let version = PreparedVersion::prepare(&runtime, component, params, ctx).unwrap();
        fleet
            .start(Runner::from_prepared(runtime, version, RecoveryPolicy::live()))
            .unwrap();
        let walk = RandomWalkConfig {
            seed: 7,
            ..RandomWalkConfig::new(Symbol::new("BTC/USD").unwrap(), Timeframe::MINUTE)
        };
        Self {
            fleet,
            metrics,
            bars: Box::new(RandomWalk::new(walk).unwrap().map(MarketEvent::Candle)),
        }
    }

    /// Delivers `n` bars, 10 at a time, each batch handled before the next (so none is
    /// coalesced and the strategy's count is exactly `n`).
    fn deliver(&mut self, n: usize) {
        for _ in 0..n / 10 {
            for bar in self.bars.by_ref().take(10) {
                self.fleet.deliver(&bar);
            }
            wait_until("the strategy to catch up", Duration::from_secs(30), || {
                self.fleet.is_idle().then_some(())
            });
        }
    }

    fn events_handled(&self) -> f64 {
        metric_value(
            &self.metrics.encode(),
            "strategy_host_strategy_events_total",
            &[("strategy", "grid")],
        )
        .unwrap_or(0.0)
    }
}

#[test]
fn a_subscriber_that_never_reads_skips_ahead_counted_and_the_strategy_misses_nothing() {
    const CAPACITY: u64 = 8;
    let bus = EventBus::new(CAPACITY as usize);
    let mut stalled = bus.subscribe("stalled");
    let mut grid = GridFleet::start(bus.clone());
    grid.deliver(400);

    // The strategy handled every bar although a subscriber read nothing.
    assert_eq!(grid.events_handled(), 400.0);
    let published = bus.published();
    assert!(
        published > 4 * CAPACITY,
        "the grid traded too little to fill the bus: {published} events"
    );

    // The stalled subscriber learns what it missed, then reads the last `CAPACITY` events.
    match stalled.try_next() {
        Some(Received::Skipped(skipped)) => assert_eq!(skipped, published - CAPACITY),
        other => panic!("a skip, not {other:?}"),
    }
    let rest: Vec<u64> = std::iter::from_fn(|| match stalled.try_next()? {
        Received::Event(event) => Some(event.seq),
        Received::Skipped(n) => panic!("a second skip of {n}"),
    })
    .collect();
    assert_eq!(rest, ((published - CAPACITY + 1)..=published).collect::<Vec<_>>());
    assert_eq!(stalled.stats().skipped(), published - CAPACITY);
    assert_eq!(bus.skipped_by_name().get("stalled"), Some(&(published - CAPACITY)));
}

#[test]
fn the_desk_s_events_come_in_its_order_each_fill_followed_by_its_position() {
    let bus = EventBus::new(1 << 16);
    let mut subscription = bus.subscribe("test");
    let mut grid = GridFleet::start(bus.clone());
    grid.deliver(300);

    let mut events = Vec::new();
    while let Some(received) = subscription.try_next() {
        match received {
            Received::Event(event) => events.push(event),
            Received::Skipped(n) => panic!("skipped {n} of a bus that holds them all"),
        }
    }
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=bus.published()).collect::<Vec<_>>(),
        "numbered in order, none lost"
    );
    let desk: Vec<&DeskEvent> = events
        .iter()
        .filter_map(|e| match &e.event {
            HostEvent::Desk(event) => Some(event),
            _ => None,
        })
        .collect();
    let mut fills = 0;
    for (i, event) in desk.iter().enumerate() {
        let DeskEvent::Order(order) = event else {
            continue;
        };
        let update = &order.update;
        let Some(fill) = &update.fill else {
            continue;
        };
        fills += 1;
        match desk.get(i + 1) {
            Some(DeskEvent::Position { strategy, position, .. }) => {
                assert_eq!(strategy, &update.strategy);
                assert_eq!(position.symbol, fill.symbol);
            }
            other => panic!("a position after the fill of {}, not {other:?}", update.order_id),
        }
    }
    assert!(fills > 0, "the grid filled nothing in 300 bars");
    // What the stream says the position is, is the desk's.
    let last_position = desk.iter().rev().find_map(|e| match e {
        DeskEvent::Position { position, .. } => Some(position.clone()),
        _ => None,
    });
    let desk_position =
        lock_desk(grid.fleet.desk()).position(&StrategyId::new("grid"), &Symbol::new("BTC/USD").unwrap());
    assert_eq!(last_position, Some(desk_position));
}

/// A `GET /events` client and the JSON lines it has read.
pub(crate) struct EventsClient {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl EventsClient {
    pub(crate) fn connect(addr: &str, query: &str) -> Self {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET /events{query} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        Self {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Reads until `done` holds for the events read (each chunk of the body is one line).
    pub(crate) fn read_until(
        &mut self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&[serde_json::Value]) -> bool,
    ) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let events = self.events();
            if done(&events) {
                return events;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; read: {events:?}"
            );
            let mut chunk = [0u8; 65_536];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("the host closed /events"),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("reading /events: {e}"),
            }
        }
    }

    fn events(&self) -> Vec<serde_json::Value> {
        String::from_utf8_lossy(&self.buffer)
            .lines()
            .filter(|line| line.starts_with('{'))
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }
}

#[test]
fn get_events_streams_a_strategy_s_lifecycle_orders_fills_and_positions() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    let config = write_file(dir.path(), "host.toml", "[sandbox]\ncall_deadline_ms = 2000\n");
    // 50 bars a second: the sample lasts 25 s, time to subscribe before the strategy comes.
    let log = dir.path().join("events.jsonl");
    let host = RunningHost::start(dir.path(), &config, 50, "warn", &["--event-log", log.to_str().unwrap()]);
    host.wait_ready(Duration::from_secs(60));

    let (status, body) = http_get(&host.addr, "/events?types=order,fills").unwrap();
    assert_eq!(status, 400);
    assert!(body.contains("unknown event type \"fills\""), "{body}");

    // Every kind, the market data of `candle` (left out unless asked for) too: no gaps.
    let every_kind = format!("?types={}", strategy_host::events::KINDS.join(","));
    let mut all = EventsClient::connect(&host.addr, &every_kind);
    let mut lifecycle = EventsClient::connect(&host.addr, "?types=strategy");
    wait_until("both clients subscribed", Duration::from_secs(10), || {
        let metrics = host.metrics();
        let clients = metric_value(&metrics, "strategy_host_event_subscribers", &[("subscriber", "http")]);
        (clients == Some(2.0)).then_some(())
    });
    // The strategy arrives while both listen: renamed into place, as a deploy does.
    let staged = dir.path().join("grid.wasm");
    std::fs::copy(support::wasm("grid"), &staged).unwrap();
    std::fs::rename(&staged, strategies.join("grid.wasm")).unwrap();

    let events = all.read_until("a fill and its position", Duration::from_secs(60), |events| {
        events.windows(2).any(|pair| {
            pair[0]["type"] == "order" && !pair[0]["data"]["fill"].is_null() && pair[1]["type"] == "position"
        })
    });
    // The replay's bars may come before the strategy: it loads once the server is up.
    let loaded = events
        .iter()
        .find(|e| e["type"] != "candle")
        .expect("an event besides bars");
    assert_eq!(loaded["type"], "strategy", "{loaded}");
    assert_eq!(loaded["data"]["strategy"], "grid");
    assert_eq!(loaded["data"]["lifecycle"], "loaded");
    assert_eq!(loaded["data"]["hash"].as_str().map(str::len), Some(64), "{loaded}");
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "in order, none skipped: {seqs:?}"
    );
    let pair = events
        .windows(2)
        .find(|pair| pair[0]["type"] == "order" && !pair[0]["data"]["fill"].is_null())
        .unwrap();
    let (order, position) = (&pair[0]["data"], &pair[1]["data"]);
    assert_eq!(order["strategy"], "grid");
    assert_eq!(position["strategy"], "grid");
    assert_eq!(position["symbol"], order["symbol"]);
    // Exact decimals, as strings.
    assert!(
        order["fill"]["price"]
            .as_str()
            .is_some_and(|p| p.parse::<Decimal>().is_ok()),
        "{order}"
    );
    assert!(
        position["qty"].as_str().is_some_and(|q| q.parse::<Decimal>().is_ok()),
        "{position}"
    );

    // The filtered client got the start and nothing else.
    let only = lifecycle.read_until("the strategy's start", Duration::from_secs(10), |events| {
        !events.is_empty()
    });
    assert!(only.iter().all(|e| e["type"] == "strategy"), "{only:?}");

    // The event log holds the same lines, in the same order, but for the bars (market data,
    // which the market journal keeps).
    let last = *seqs.last().unwrap();
    let logged: Vec<serde_json::Value> = wait_until("the event log to catch up", Duration::from_secs(10), || {
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
            .ok()?
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        lines.iter().any(|l| l["seq"].as_u64() >= Some(last)).then_some(lines)
    });
    let window = seqs[0]..=last;
    let logged: Vec<&serde_json::Value> = logged
        .iter()
        .filter(|l| l["seq"].as_u64().is_some_and(|seq| window.contains(&seq)))
        .collect();
    let audited: Vec<&serde_json::Value> = events.iter().filter(|e| e["type"] != "candle").collect();
    assert_eq!(logged, audited, "the log and /events differ");

    let metrics = host.metrics();
    let orders = metric_value(&metrics, "strategy_host_events_total", &[("kind", "order")]).unwrap();
    assert!(orders >= 1.0, "{metrics}");
    assert_eq!(
        metric_value(&metrics, "strategy_host_events_total", &[("kind", "strategy")]),
        Some(1.0)
    );
}

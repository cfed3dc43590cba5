//! The order connection task: token, connect, subscribe, arm the dead-man switch, reconcile,
//! then send orders and read executions until the socket fails; settle what was in flight;
//! start over.

use crate::kraken::wire::requests::AddOrder;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tracing::{debug, error, info, warn};
use trading::brokers::VenueOrderState;
use trading::brokers::{AmendOrder, Balances, Execution, RejectKind, RejectReason, VenueEvent, VenueEventSender};
use trading::market::TimeMs;
use trading::orders::{OrderId, VenueId, VenueOrderId};

use super::ids::OrderIds;
use super::queries::{self, RestPlacement};
use super::translate::{execution, reject_reason};
use super::{lock, wall_ms, Command, Credentials, KrakenExecutionConfig, OrderPath, SharedState};
use crate::kit::{
    connect, next_text, retry_until_answered, send_text as send, Connection, Redial, Socket, VenueObserver,
};
use crate::kraken::rest::KrakenRest;
use crate::kraken::wire::requests::{self, CancelOrders, OrderRef, PrivateSubscription, Token};
use crate::kraken::wire::{
    parse_private, ControlMessage, ExecType, OrderErrorKind, Outcome, PairDirectory, PrivateMessage, RequestFailure,
};

/// Fills since this long before the connection went down are asked for again: the clocks of
/// host and venue differ, and a fill stamped just before the drop may not have arrived.
const RECONCILE_OVERLAP_MS: i64 = 60_000;
/// How long a clean shutdown waits for Kraken to confirm the dead-man switch is disarmed.
const DISARM_WAIT: Duration = Duration::from_secs(2);

/// Why a connection ended.
enum Ended {
    /// The host closed the port.
    Closed,
    Failed(String),
}

/// A request sent on the socket, waiting for its answer.
#[derive(Debug)]
enum Pending {
    Add(OrderId),
    Amend(AmendOrder),
    Cancel(OrderId),
    DeadMan,
}

#[derive(Debug)]
struct InFlight {
    request: Pending,
    sent: Instant,
}

/// What REST work started by the task reports back to it.
#[derive(Debug)]
enum Internal {
    /// The mass status of connection `generation` is out: orders may go.
    Reconciled { generation: u64 },
    /// Kraken never had this order: if it shows up after all, it is cancelled.
    Abandoned(OrderId),
}

/// Everything the task keeps across connections.
struct Task {
    config: KrakenExecutionConfig,
    shared: SharedState,
    observer: Arc<dyn VenueObserver>,
    commands: mpsc::UnboundedReceiver<Command>,
    internal: mpsc::UnboundedReceiver<Internal>,
    /// The REST client, the order ids and the desk's queue, shared with the REST jobs.
    asker: Asker,
    /// REST work (queries, the mass status, emergency orders); dropped with the task.
    jobs: JoinSet<()>,
    in_flight: HashMap<u64, InFlight>,
    /// Cancels and amends whose answer was lost, sent again on the next connection.
    resend: Vec<Command>,
    abandoned: HashSet<OrderId>,
    balances: BTreeMap<String, Decimal>,
    directory: Option<Arc<PairDirectory>>,
    req_id: u64,
    /// Counts connections, so a late mass status of an earlier one opens nothing.
    generation: u64,
    /// Fills from this time on are asked for when the next connection reconciles.
    reconcile_from_ms: TimeMs,
}

pub(super) async fn run(
    config: KrakenExecutionConfig,
    credentials: Arc<Credentials>,
    shared: SharedState,
    events: VenueEventSender,
    observer: Arc<dyn VenueObserver>,
    commands: mpsc::UnboundedReceiver<Command>,
) {
    let seed = std::process::id() as u64 ^ wall_ms() as u64;
    let Ok(mut redial) = Redial::new(config.backoff, config.connect_budget, seed) else {
        error!(venue = %config.venue, "invalid backoff settings: the order connection does not start");
        return;
    };
    let rest = Arc::new(KrakenRest::new(
        &config.rest_url,
        Some(credentials),
        config.request_timeout,
        observer.clone(),
    ));
    let (internal_tx, internal) = mpsc::unbounded_channel();
    let asker = Asker {
        venue: config.venue.clone(),
        rest,
        ids: OrderIds::default(),
        events,
        internal: internal_tx,
    };
    let mut task = Task {
        config,
        shared,
        observer,
        commands,
        internal,
        asker,
        jobs: JoinSet::new(),
        in_flight: HashMap::new(),
        resend: Vec::new(),
        abandoned: HashSet::new(),
        balances: BTreeMap::new(),
        directory: None,
        req_id: 0,
        generation: 0,
        reconcile_from_ms: wall_ms() - RECONCILE_OVERLAP_MS,
    };
    loop {
        let wait = redial.next_wait(Instant::now());
        if wait.budget_spent {
            warn!(venue = %task.config.venue, wait = ?wait.duration, "connect budget spent: waiting before reconnecting");
        }
        if !task.wait_offline(wait.duration).await {
            return;
        }
        let token = match queries::websockets_token(&task.asker.rest).await {
            Ok(token) => token,
            Err(e) => {
                task.failed(format!("no WebSocket token: {e}"));
                continue;
            }
        };
        let socket = match connect(&task.config.ws_private_url, task.config.connect_timeout).await {
            Ok(socket) => socket,
            Err(e) => {
                task.failed(e.to_string());
                continue;
            }
        };
        let ended = task.serve(socket, &token, &mut redial).await;
        task.went_down(&ended);
        match ended {
            Ended::Closed => return,
            Ended::Failed(reason) => task.failed(reason),
        }
    }
}

impl Task {
    fn next_req_id(&mut self) -> u64 {
        self.req_id += 1;
        self.req_id
    }

    fn failed(&mut self, reason: String) {
        warn!(venue = %self.config.venue, %reason, "order connection failed");
        lock(&self.shared).last_error = Some((reason, wall_ms()));
    }

    fn send_event(&self, event: VenueEvent) {
        self.asker.events.send(event);
    }

    fn send_execution(&self, execution: Execution) {
        self.send_event(VenueEvent::Execution(execution));
    }

    /// Waits `delay` without a socket, serving what needs none. `false` when the port closed.
    async fn wait_offline(&mut self, delay: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return true,
                command = self.commands.recv() => match command {
                    None => return false,
                    Some(Command::Close { done }) => {
                        let _ = done.send(());
                        return false;
                    }
                    Some(command) => self.on_command_offline(command),
                },
                Some(internal) = self.internal.recv() => self.on_internal(internal),
                Some(_) = self.jobs.join_next(), if !self.jobs.is_empty() => {}
            }
        }
    }

    fn on_command_offline(&mut self, command: Command) {
        match command {
            Command::Submit { id, add } if self.config.rest_orders_when_down => self.submit_over_rest(id, *add),
            Command::Submit { id, .. } => {
                // The port let it through just before the socket went down: it never left.
                let reason = RejectReason::new(
                    RejectKind::VenueError,
                    format!(
                        "{}: the order connection went down before the order was sent",
                        self.config.venue
                    ),
                );
                self.send_execution(Execution::Rejected {
                    id,
                    reason,
                    time_ms: wall_ms(),
                });
            }
            command @ (Command::Cancel(_) | Command::Amend(_)) => self.resend.push(command),
            Command::Query(id) => self.settle(id),
            Command::MassStatus { since_ms } => self.start_mass_status(since_ms, None),
            Command::Close { done } => {
                let _ = done.send(());
            }
        }
    }

    fn on_internal(&mut self, internal: Internal) {
        match internal {
            Internal::Reconciled { generation } => {
                let mut shared = lock(&self.shared);
                if generation == self.generation && shared.path == OrderPath::Reconciling {
                    shared.path = OrderPath::Open;
                    info!(venue = %self.config.venue, "reconciled: orders go");
                }
            }
            Internal::Abandoned(id) => {
                self.abandoned.insert(id);
            }
        }
    }

    /// The connection is up: subscribe, arm, reconcile, then serve until it fails.
    async fn serve(&mut self, mut socket: Socket, token: &Token, redial: &mut Redial) -> Ended {
        if let Err(reason) = self.open(&mut socket, token).await {
            return Ended::Failed(reason);
        }
        let mut last_message = Instant::now();
        let mut last_armed = Instant::now();
        let mut healthy = false;
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            let step = tokio::select! {
                text = next_text(&mut socket) => match text {
                    Err(reason) => Err(reason),
                    Ok(text) => {
                        last_message = Instant::now();
                        if !healthy {
                            // A connection that answers is healthy: the next failure starts
                            // the backoff over.
                            healthy = true;
                            redial.reset();
                        }
                        self.on_text(&mut socket, token, text.as_str()).await
                    }
                },
                command = self.commands.recv() => match command {
                    None => return Ended::Closed,
                    Some(Command::Close { done }) => {
                        self.disarm_and_close(socket, token).await;
                        let _ = done.send(());
                        return Ended::Closed;
                    }
                    Some(command) => self.on_command(&mut socket, token, command).await,
                },
                Some(internal) = self.internal.recv() => {
                    self.on_internal(internal);
                    Ok(())
                }
                Some(_) = self.jobs.join_next(), if !self.jobs.is_empty() => Ok(()),
                _ = tick.tick() => {
                    if last_message.elapsed() > self.config.idle_reconnect_after {
                        Err(format!("no message for {:?}: the connection is dead", self.config.idle_reconnect_after))
                    } else {
                        self.on_tick(&mut socket, token, &mut last_armed).await
                    }
                }
            };
            if let Err(reason) = step {
                return Ended::Failed(reason);
            }
        }
    }

    /// Subscribes, arms the dead-man switch, sends again what was lost, and reconciles.
    async fn open(&mut self, socket: &mut Socket, token: &Token) -> Result<(), String> {
        let executions = PrivateSubscription::Executions {
            snap_orders: true,
            snap_trades: true,
            ratecounter: false,
        };
        let balances = PrivateSubscription::Balances { snapshot: true };
        for subscription in [executions, balances] {
            let text = requests::subscribe_private(&subscription, token, self.next_req_id());
            send(socket, text).await?;
        }
        self.arm(socket, token).await?;
        self.generation += 1;
        let reconnected = {
            let mut shared = lock(&self.shared);
            shared.path = OrderPath::Reconciling;
            if self.generation > 1 {
                shared.reconnects += 1;
            }
            self.generation > 1
        };
        if reconnected {
            self.observer.reconnected(Connection::Private);
        }
        self.observer.connected(Connection::Private, true);
        info!(venue = %self.config.venue, url = %self.config.ws_private_url, "order connection up");
        self.send_event(VenueEvent::Connected {
            venue: self.config.venue.clone(),
            time_ms: wall_ms(),
        });
        for command in std::mem::take(&mut self.resend) {
            self.on_command(socket, token, command).await?;
        }
        self.start_mass_status(self.reconcile_from_ms, Some(self.generation));
        if self.directory.is_none() && self.config.rest_orders_when_down {
            match queries::pair_directory(&self.asker.rest).await {
                Ok(directory) => self.directory = Some(Arc::new(directory)),
                Err(e) => {
                    warn!(venue = %self.config.venue, error = %e, "no AssetPairs: the REST order path guesses pair names")
                }
            }
        }
        Ok(())
    }

    fn went_down(&mut self, ended: &Ended) {
        lock(&self.shared).path = OrderPath::Down;
        self.observer.connected(Connection::Private, false);
        self.reconcile_from_ms = wall_ms() - RECONCILE_OVERLAP_MS;
        let reason = match ended {
            Ended::Closed => "closed by the host".to_owned(),
            Ended::Failed(reason) => reason.clone(),
        };
        self.send_event(VenueEvent::Disconnected {
            venue: self.config.venue.clone(),
            reason,
            time_ms: wall_ms(),
        });
        let mut lost: Vec<(u64, InFlight)> = self.in_flight.drain().collect();
        lost.sort_by_key(|(req_id, _)| *req_id);
        for (_, in_flight) in lost {
            self.lost(in_flight.request);
        }
    }

    /// A request whose answer will not come.
    fn lost(&mut self, request: Pending) {
        match request {
            Pending::Add(id) => {
                warn!(venue = %self.config.venue, order_id = %id, "no answer to an order: its outcome is unknown; settling it by a query");
                self.settle(id);
            }
            // Whether it reached Kraken, the query says; a desk that still has the order
            // cancelling then asks again (and the reconciliation after a reconnect does too).
            Pending::Cancel(id) => self.settle(id),
            Pending::Amend(amend) => self.resend.push(Command::Amend(amend)),
            Pending::DeadMan => {}
        }
    }

    async fn arm(&mut self, socket: &mut Socket, token: &Token) -> Result<(), String> {
        let Some(timeout) = self.config.dead_man else {
            return Ok(());
        };
        let secs = u32::try_from(timeout.as_secs().max(1)).unwrap_or(u32::MAX);
        let req_id = self.next_req_id();
        send(socket, requests::cancel_all_orders_after(secs, token, req_id)).await?;
        self.in_flight.insert(
            req_id,
            InFlight {
                request: Pending::DeadMan,
                sent: Instant::now(),
            },
        );
        Ok(())
    }

    /// Disarms the dead-man switch (open orders stay) and closes the socket.
    async fn disarm_and_close(&mut self, mut socket: Socket, token: &Token) {
        if self.config.dead_man.is_some() {
            let req_id = self.next_req_id();
            if send(&mut socket, requests::cancel_all_orders_after(0, token, req_id))
                .await
                .is_ok()
            {
                // What else arrives meanwhile (a fill in the last moment) is handled as ever,
                // so the desk hears of it before the socket closes.
                let confirmed = tokio::time::timeout(DISARM_WAIT, async {
                    while let Ok(text) = next_text(&mut socket).await {
                        if let Ok(PrivateMessage::CancelAllOrdersAfter(response)) = parse_private(text.as_str()) {
                            if response.req_id == Some(req_id) {
                                return response.outcome.is_ok();
                            }
                        }
                        if self.on_text(&mut socket, token, text.as_str()).await.is_err() {
                            return false;
                        }
                    }
                    false
                })
                .await;
                match confirmed {
                    Ok(true) => info!(venue = %self.config.venue, "dead-man switch disarmed"),
                    _ => {
                        warn!(venue = %self.config.venue, "Kraken did not confirm the dead-man switch disarmed: it may cancel every order when it fires")
                    }
                }
            }
        }
        let _ = socket.close(None).await;
        lock(&self.shared).path = OrderPath::Down;
    }

    async fn on_tick(&mut self, socket: &mut Socket, token: &Token, last_armed: &mut Instant) -> Result<(), String> {
        let timeout = self.config.request_timeout;
        let mut expired: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, in_flight)| in_flight.sent.elapsed() > timeout)
            .map(|(req_id, _)| *req_id)
            .collect();
        expired.sort_unstable();
        for req_id in expired {
            let Some(in_flight) = self.in_flight.remove(&req_id) else {
                continue;
            };
            match in_flight.request {
                Pending::DeadMan => {
                    warn!(venue = %self.config.venue, "no answer to arming the dead-man switch");
                }
                request @ (Pending::Add(_) | Pending::Cancel(_)) => self.lost(request),
                // It says what the order should become: sending it again changes nothing more.
                Pending::Amend(amend) => self.on_command(socket, token, Command::Amend(amend)).await?,
            }
        }
        if let Some(dead_man) = self.config.dead_man {
            // Re-armed four times per period: one lost call does not let it fire.
            if last_armed.elapsed() >= dead_man / 4 {
                *last_armed = Instant::now();
                self.arm(socket, token).await?;
            }
        }
        Ok(())
    }

    async fn on_command(&mut self, socket: &mut Socket, token: &Token, command: Command) -> Result<(), String> {
        let req_id = self.next_req_id();
        let (text, request) = match command {
            Command::Submit { id, add } => (requests::add_order(&add, token, req_id), Pending::Add(id)),
            Command::Cancel(id) => {
                let orders = CancelOrders::ClOrdIds(vec![id.as_str().to_owned()]);
                (requests::cancel_order(&orders, token, req_id), Pending::Cancel(id))
            }
            Command::Amend(amend) => {
                let request = requests::AmendOrder {
                    order: OrderRef::ClOrdId(amend.id.as_str().to_owned()),
                    order_qty: amend.qty,
                    limit_price: amend.limit_price,
                    post_only: None,
                };
                (requests::amend_order(&request, token, req_id), Pending::Amend(amend))
            }
            Command::Query(id) => {
                self.settle(id);
                return Ok(());
            }
            Command::MassStatus { since_ms } => {
                self.start_mass_status(since_ms, None);
                return Ok(());
            }
            Command::Close { done } => {
                let _ = done.send(());
                return Ok(());
            }
        };
        // Recorded before sending: if the send fails, the request counts as lost (an add is
        // settled by a query: part of it may have left).
        self.in_flight.insert(
            req_id,
            InFlight {
                request,
                sent: Instant::now(),
            },
        );
        send(socket, text).await
    }

    async fn on_text(&mut self, socket: &mut Socket, token: &Token, text: &str) -> Result<(), String> {
        let message = match parse_private(text) {
            Ok(message) => message,
            Err(e) => {
                self.observer.parse_error();
                warn!(venue = %self.config.venue, error = %e, "unreadable message on the order connection skipped");
                return Ok(());
            }
        };
        self.observer.message(channel_label(&message));
        match message {
            PrivateMessage::Executions(feed) => {
                for entry in &feed.data {
                    self.on_execution(socket, token, entry).await?;
                }
            }
            PrivateMessage::Balances(feed) => {
                self.balances = feed.data.into_iter().map(|b| (b.asset, b.balance)).collect();
                self.send_balances();
            }
            PrivateMessage::Ledger(feed) => {
                for entry in feed.data {
                    self.balances.insert(entry.asset, entry.balance);
                }
                self.send_balances();
            }
            PrivateMessage::AddOrder(response) => {
                let Some(Pending::Add(id)) = self.answered(response.req_id, "add_order") else {
                    return Ok(());
                };
                match response.outcome {
                    Ok(ack) => {
                        self.asker.ids.learn(&ack.order_id, &id);
                        self.send_execution(Execution::Accepted {
                            id,
                            venue_order_id: Some(VenueOrderId::new(&ack.order_id)),
                            time_ms: response.time_out.unwrap_or_else(wall_ms),
                        });
                    }
                    Err(failure) => self.add_failed(id, &failure),
                }
            }
            PrivateMessage::AmendOrder(response) => {
                let Some(Pending::Amend(amend)) = self.answered(response.req_id, "amend_order") else {
                    return Ok(());
                };
                // Success changes nothing yet: the `amended` execution carries the new order.
                if let Err(failure) = response.outcome {
                    self.send_execution(Execution::AmendRejected {
                        id: amend.id,
                        reason: reject_reason(&failure.error),
                        time_ms: wall_ms(),
                    });
                }
            }
            PrivateMessage::CancelOrder(response) => {
                let Some(Pending::Cancel(id)) = self.answered(response.req_id, "cancel_order") else {
                    return Ok(());
                };
                // Success is reported by the `canceled` execution.
                if let Err(failure) = response.outcome {
                    self.send_execution(Execution::CancelRejected {
                        id,
                        reason: reject_reason(&failure.error),
                        time_ms: wall_ms(),
                    });
                }
            }
            PrivateMessage::CancelAll(response) => match response.outcome {
                Ok(ack) => info!(venue = %self.config.venue, count = ack.count, "cancel_all done"),
                Err(failure) => warn!(venue = %self.config.venue, error = %failure.error, "cancel_all failed"),
            },
            PrivateMessage::CancelAllOrdersAfter(response) => {
                self.answered(response.req_id, "cancel_all_orders_after");
                match response.outcome {
                    Ok(ack) => {
                        debug!(venue = %self.config.venue, trigger_ms = ?ack.trigger_time, "dead-man switch answered")
                    }
                    Err(failure) => {
                        error!(venue = %self.config.venue, error = %failure.error, "Kraken refused to arm the dead-man switch")
                    }
                }
            }
            PrivateMessage::Control(ControlMessage::Subscribed(response)) => {
                if let Err(failure) = response.outcome {
                    if failure.error.kind == OrderErrorKind::InvalidToken {
                        return Err(format!("Kraken refused the token: {}", failure.error));
                    }
                    warn!(venue = %self.config.venue, error = %failure.error, "a private subscription failed");
                }
            }
            PrivateMessage::Control(_) => {}
        }
        Ok(())
    }

    /// Takes the request `req_id` answered out of flight, timing it.
    fn answered(&mut self, req_id: Option<u64>, method: &str) -> Option<Pending> {
        let in_flight = self.in_flight.remove(&req_id?)?;
        self.observer
            .request_duration(method, in_flight.sent.elapsed().as_secs_f64());
        Some(in_flight.request)
    }

    fn add_failed(&mut self, id: OrderId, failure: &RequestFailure) {
        match failure.error.outcome() {
            Outcome::Rejected => self.send_execution(Execution::Rejected {
                id,
                reason: reject_reason(&failure.error),
                time_ms: wall_ms(),
            }),
            Outcome::Unknown => {
                warn!(venue = %self.config.venue, order_id = %id, error = %failure.error, "Kraken may or may not have the order; settling it by a query");
                self.settle(id);
            }
        }
    }

    async fn on_execution(
        &mut self,
        socket: &mut Socket,
        token: &Token,
        entry: &crate::kraken::wire::Execution,
    ) -> Result<(), String> {
        let Some(id) = entry
            .cl_ord_id
            .as_deref()
            .map(OrderId::new)
            .or_else(|| self.asker.ids.host_id(&entry.order_id))
        else {
            debug!(venue = %self.config.venue, order_id = %entry.order_id, "an execution of an order that is not the host's");
            return Ok(());
        };
        self.asker.ids.learn(&entry.order_id, &id);
        if self.abandoned.contains(&id) && matches!(entry.exec_type, ExecType::PendingNew | ExecType::New) {
            error!(venue = %self.config.venue, order_id = %id, "Kraken has an order the host settled as never placed: cancelling it");
            let orders = CancelOrders::OrderIds(vec![entry.order_id.clone()]);
            let req_id = self.next_req_id();
            send(socket, requests::cancel_order(&orders, token, req_id)).await?;
        }
        match execution(entry, id.clone()) {
            Ok(Some(event)) => self.send_execution(event),
            Ok(None) => {}
            Err(problem) => {
                warn!(venue = %self.config.venue, order_id = %id, problem, "an execution cannot be booked as sent; settling the order by a query");
                self.settle(id);
            }
        }
        Ok(())
    }

    fn send_balances(&self) {
        self.send_event(VenueEvent::Balances(Balances {
            venue: self.config.venue.clone(),
            assets: self.balances.clone(),
            time_ms: wall_ms(),
        }));
    }

    /// Asks Kraken over REST where order `id` stands, until it answers, and reports it.
    fn settle(&mut self, id: OrderId) {
        let asker = self.asker.clone();
        self.jobs.spawn(async move { asker.settle(id).await });
    }

    /// Asks for the open orders and the fills since `since_ms`; when it is for connection
    /// `generation`, orders go once it is out.
    fn start_mass_status(&mut self, since_ms: TimeMs, generation: Option<u64>) {
        let asker = self.asker.clone();
        self.jobs
            .spawn(async move { asker.mass_status(since_ms, generation).await });
    }

    /// The emergency path: `AddOrder` over REST while the socket is down.
    fn submit_over_rest(&mut self, id: OrderId, add: AddOrder) {
        let asker = self.asker.clone();
        let directory = self.directory.clone().unwrap_or_default();
        self.jobs
            .spawn(async move { asker.add_order(id, add, &directory).await });
    }
}

/// The REST work of the task, run as jobs beside the socket: each reports to the desk
/// itself, and to the task through `internal`.
#[derive(Clone)]
struct Asker {
    venue: VenueId,
    rest: Arc<KrakenRest>,
    ids: OrderIds,
    events: VenueEventSender,
    internal: mpsc::UnboundedSender<Internal>,
}

impl Asker {
    async fn settle(&self, id: OrderId) {
        let report = retry_until_answered(self.venue.as_str(), "QueryOrders", || {
            queries::order_status(&self.rest, &self.ids, &id, wall_ms())
        })
        .await;
        if report.state == VenueOrderState::NotFound {
            let _ = self.internal.send(Internal::Abandoned(id));
        }
        self.events.send(VenueEvent::Execution(Execution::Status(report)));
    }

    async fn mass_status(&self, since_ms: TimeMs, generation: Option<u64>) {
        let status = retry_until_answered(self.venue.as_str(), "mass status", || {
            queries::mass_status(&self.rest, &self.venue, &self.ids, since_ms, wall_ms())
        })
        .await;
        info!(venue = %self.venue, open = status.open.len(), fills = status.fills.len(), "mass status received");
        self.events.send(VenueEvent::MassStatus(status));
        if let Some(generation) = generation {
            let _ = self.internal.send(Internal::Reconciled { generation });
        }
    }

    async fn add_order(&self, id: OrderId, request: AddOrder, directory: &PairDirectory) {
        let execution = match queries::add_order(&self.rest, &request, directory).await {
            RestPlacement::Placed { txid } => {
                if let Some(txid) = &txid {
                    self.ids.learn(txid, &id);
                }
                info!(venue = %self.venue, order_id = %id, "order placed over REST while the order socket is down");
                Execution::Accepted {
                    id,
                    venue_order_id: txid.as_deref().map(VenueOrderId::new),
                    time_ms: wall_ms(),
                }
            }
            RestPlacement::Refused(error) => Execution::Rejected {
                id,
                reason: reject_reason(&error),
                time_ms: wall_ms(),
            },
            RestPlacement::Unknown(reason) => {
                warn!(venue = %self.venue, order_id = %id, %reason, "no answer to an order over REST; settling it by a query");
                return self.settle(id).await;
            }
        };
        self.events.send(VenueEvent::Execution(execution));
    }
}

/// The `channel` label of a message for the venue's message counter: a fixed set.
fn channel_label(message: &PrivateMessage) -> &'static str {
    match message {
        PrivateMessage::Executions(_) => "executions",
        PrivateMessage::Balances(_) | PrivateMessage::Ledger(_) => "balances",
        PrivateMessage::AddOrder(_)
        | PrivateMessage::AmendOrder(_)
        | PrivateMessage::CancelOrder(_)
        | PrivateMessage::CancelAll(_)
        | PrivateMessage::CancelAllOrdersAfter(_) => "order_responses",
        PrivateMessage::Control(ControlMessage::Heartbeat) => "heartbeat",
        PrivateMessage::Control(_) => "control",
    }
}

//! Reconciliation with each live venue: what the desk believed when a venue's order connection
//! came up (on start, with the book of record reloaded, or after a reconnect), what the venue
//! said in its mass status and the answers to the queries that followed, and a typed
//! [`ReconciliationReport`] of every difference with the rule that resolved it.
//!
//! A pass starts at the venue's `Connected` (or at a mass status nobody announced) with a
//! snapshot of the desk's working orders on that venue, and ends once the mass status is
//! applied and every order it made the desk ask about is answered. The report compares the
//! snapshot with the orders then, so a fill booked in the window counts whichever way it came
//! (the mass status, an order query, or the executions the venue replays on connect).
//!
//! Rules, one per kind of difference ([`Rule`]):
//! 1. Fills the host missed are booked, once each by venue trade id (the desk's dedupe).
//! 2. An order the venue has finished (cancelled, expired, or never received) is settled by
//!    the venue's word.
//! 3. An order the venue has and the desk does not is reported, and cancelled when the venue's
//!    [`UnknownOrders`] says so. It is never adopted: no strategy decided it, so no book could
//!    take its fills without lying about that strategy.
//! 4. A balance the venue reports that differs from what the books hold on that venue is
//!    reported and the books are kept: they hold the host's own fills, and a deposit or a
//!    withdrawal is not a trade.
//! 5. An order the desk was cancelling (`pending_cancel`) that the venue still has open is
//!    asked to be cancelled again: the request was lost with the connection or the process
//!    it went out from, and the strategy's cancel stands.
//! 6. A working order whose quantity at the venue differs from the books (an amend the venue
//!    applied and the host never heard confirmed) takes the venue's quantity, before the
//!    venue's fills of it are booked. A venue that reports only what its order left unfilled
//!    (a Binance order an earlier run amended by cancel-replace) gives the quantity as that on
//!    top of every fill of the order, booked or in the report.

use foldhash::{HashMap, HashSet};
use rust_decimal::Decimal;

use crate::brokers::Balances;
use crate::market::{Symbol, TimeMs};
use crate::orders::{OrderId, OrderStatus, StrategyId, VenueId, VenueOrderId};

/// What the desk does with an open order the venue has and the host does not know (rule 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownOrders {
    /// Report it and leave it working: it may be an operator's, or another system's on the same
    /// account, and cancelling it could undo a decision the host knows nothing about.
    #[default]
    Report,
    /// Report it and ask the venue to cancel it: for an account the host alone trades on.
    Cancel,
}

impl UnknownOrders {
    /// Every value, for config errors that list them.
    pub const ALL: [UnknownOrders; 2] = [UnknownOrders::Report, UnknownOrders::Cancel];

    /// The config word: `report` or `cancel`.
    pub fn code(self) -> &'static str {
        match self {
            UnknownOrders::Report => "report",
            UnknownOrders::Cancel => "cancel",
        }
    }

    /// The value of a config word, `None` for any other.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.code() == word)
    }
}

/// Why a reconciliation ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The venue's first connection of this process: the books come from the book of record.
    Start,
    /// The order connection came back after a drop.
    Reconnect,
}

impl Trigger {
    pub fn code(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Reconnect => "reconnect",
        }
    }
}

/// One reconciliation of one venue, complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciliationReport {
    pub venue: VenueId,
    pub trigger: Trigger,
    pub started_ms: TimeMs,
    pub completed_ms: TimeMs,
    pub counts: ReconciliationCounts,
    /// Every difference found, orders first (by id), then balances (by asset).
    pub differences: Vec<Difference>,
    /// Whether the balances have been compared yet: a venue may report them after the orders.
    pub balances: BalanceCheck,
}

/// The sizes of a reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReconciliationCounts {
    /// The desk's working orders on the venue when the pass started.
    pub working_before: usize,
    /// The open orders the venue listed (the host's and unknown ones).
    pub open_at_venue: usize,
    /// Working orders the venue agreed with: still working, nothing filled meanwhile.
    pub matched: usize,
    /// Fills booked during the pass.
    pub fills_booked: usize,
    /// Orders the desk asked the venue about (missing from its open list, or with fills the
    /// mass status did not carry).
    pub queried: usize,
}

/// Whether a report's balances have been compared with the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceCheck {
    /// The venue has reported no balances since the pass started.
    NotReported,
    /// Compared at this time; any difference is in the report's differences.
    Compared { time_ms: TimeMs },
}

/// One thing the venue and the desk disagreed on, and how it was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// A working order was filled (in full) while the host was not listening.
    Filled {
        id: OrderId,
        strategy: StrategyId,
        qty: Decimal,
    },
    /// A working order was partly filled while the host was not listening; it works on.
    PartiallyFilled {
        id: OrderId,
        strategy: StrategyId,
        qty: Decimal,
    },
    /// A working order was cancelled or expired at the venue (`filled_qty` of it traded before,
    /// during the pass).
    Cancelled {
        id: OrderId,
        strategy: StrategyId,
        filled_qty: Decimal,
    },
    /// The venue never had an order the desk had sent: its request never arrived.
    NeverReached { id: OrderId, strategy: StrategyId },
    /// The venue has an open order the host does not know.
    UnknownOrder {
        id: OrderId,
        venue_order_id: Option<VenueOrderId>,
        filled_qty: Decimal,
        action: UnknownOrderAction,
    },
    /// The venue holds `venue` of `asset`, the books of the strategies on it `books`.
    Balance {
        asset: String,
        venue: Decimal,
        books: Decimal,
    },
}

/// What was done with an unknown order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownOrderAction {
    Reported,
    /// The desk cancels it: at once, or as soon as the venue's order path takes requests.
    CancelRequested,
}

/// The rule that resolved a difference (see the module's rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    FillsBooked,
    SettledByVenue,
    Reported,
    CancelRequested,
    BooksKept,
}

impl Rule {
    /// A stable snake_case code, for `/status` and logs.
    pub fn code(self) -> &'static str {
        match self {
            Rule::FillsBooked => "fills_booked",
            Rule::SettledByVenue => "settled_by_venue",
            Rule::Reported => "reported",
            Rule::CancelRequested => "cancel_requested",
            Rule::BooksKept => "books_kept",
        }
    }
}

impl Difference {
    /// A stable snake_case name of the kind of difference.
    pub fn kind(&self) -> &'static str {
        match self {
            Difference::Filled { .. } => "filled",
            Difference::PartiallyFilled { .. } => "partially_filled",
            Difference::Cancelled { .. } => "cancelled",
            Difference::NeverReached { .. } => "never_reached",
            Difference::UnknownOrder { .. } => "unknown_order",
            Difference::Balance { .. } => "balance",
        }
    }

    pub fn rule(&self) -> Rule {
        match self {
            Difference::Filled { .. } | Difference::PartiallyFilled { .. } => Rule::FillsBooked,
            Difference::Cancelled { .. } | Difference::NeverReached { .. } => Rule::SettledByVenue,
            Difference::UnknownOrder { action, .. } => match action {
                UnknownOrderAction::Reported => Rule::Reported,
                UnknownOrderAction::CancelRequested => Rule::CancelRequested,
            },
            Difference::Balance { .. } => Rule::BooksKept,
        }
    }
}

/// A working order as the pass found it.
#[derive(Debug, Clone)]
pub(super) struct Before {
    pub(super) id: OrderId,
    pub(super) strategy: StrategyId,
    pub(super) filled_qty: Decimal,
}

/// An order as it stands when the pass ends.
#[derive(Debug, Clone, Copy)]
pub(super) struct After {
    pub(super) status: OrderStatus,
    pub(super) filled_qty: Decimal,
}

/// A pass in progress.
#[derive(Debug)]
struct Pass {
    trigger: Trigger,
    started_ms: TimeMs,
    before: Vec<Before>,
    mass_status_applied: bool,
    open_at_venue: usize,
    queried: usize,
    /// Queries not answered yet: the pass ends when none is left.
    pending: HashSet<OrderId>,
    fills_booked: usize,
    unknown: Vec<Difference>,
}

/// Every venue's reconciliation: the rules, the passes running and the latest reports.
#[derive(Debug, Default)]
pub(super) struct Reconciliations {
    unknown_orders: HashMap<VenueId, UnknownOrders>,
    passes: HashMap<VenueId, Pass>,
    reports: HashMap<VenueId, ReconciliationReport>,
    /// Cancels of unknown orders not sent yet: a venue's order path may still be reconciling
    /// when its mass status arrives, so each is tried again until its port takes it.
    owed_cancels: Vec<(VenueId, OrderId)>,
}

impl Reconciliations {
    pub(super) fn set_unknown_orders(&mut self, venue: VenueId, rule: UnknownOrders) {
        self.unknown_orders.insert(venue, rule);
    }

    pub(super) fn unknown_orders(&self, venue: &VenueId) -> UnknownOrders {
        self.unknown_orders.get(venue).copied().unwrap_or_default()
    }

    pub(super) fn owe_cancel(&mut self, venue: VenueId, id: OrderId) {
        self.owed_cancels.push((venue, id));
    }

    /// The cancels still owed, taken: what is not sent goes back with [`Self::owe_cancel`].
    pub(super) fn take_owed_cancels(&mut self) -> Vec<(VenueId, OrderId)> {
        std::mem::take(&mut self.owed_cancels)
    }

    pub(super) fn has_owed_cancels(&self) -> bool {
        !self.owed_cancels.is_empty()
    }

    pub(super) fn report(&self, venue: &VenueId) -> Option<&ReconciliationReport> {
        self.reports.get(venue)
    }

    pub(super) fn is_running(&self, venue: &VenueId) -> bool {
        self.passes.contains_key(venue)
    }

    /// Starts a pass over `before` (the desk's working orders on the venue); a pass already
    /// running starts over, since the connection it was for is gone.
    pub(super) fn start(&mut self, venue: &VenueId, before: Vec<Before>, time_ms: TimeMs) {
        let trigger = if self.reports.contains_key(venue) {
            Trigger::Reconnect
        } else {
            Trigger::Start
        };
        self.passes.insert(
            venue.clone(),
            Pass {
                trigger,
                started_ms: time_ms,
                before,
                mass_status_applied: false,
                open_at_venue: 0,
                queried: 0,
                pending: HashSet::default(),
                fills_booked: 0,
                unknown: Vec::new(),
            },
        );
    }

    /// Counts a fill booked on `venue`, when a pass is running there.
    pub(super) fn fill_booked(&mut self, venue: &VenueId) {
        if let Some(pass) = self.passes.get_mut(venue) {
            pass.fills_booked += 1;
        }
    }

    /// Records what the mass status listed and the queries it made the desk send.
    pub(super) fn mass_status_applied(
        &mut self,
        venue: &VenueId,
        open_at_venue: usize,
        queried: Vec<OrderId>,
        unknown: Vec<Difference>,
    ) {
        if let Some(pass) = self.passes.get_mut(venue) {
            pass.mass_status_applied = true;
            pass.open_at_venue = open_at_venue;
            pass.queried += queried.len();
            pass.pending.extend(queried);
            pass.unknown.extend(unknown);
        }
    }

    /// Notes the venue's answer about `id`; the venue whose pass may now be complete, if any.
    pub(super) fn answered(&mut self, id: &OrderId) -> Option<VenueId> {
        self.passes
            .iter_mut()
            .find_map(|(venue, pass)| pass.pending.remove(id).then(|| venue.clone()))
    }

    /// Whether `venue`'s pass has everything it waits for.
    pub(super) fn is_complete(&self, venue: &VenueId) -> bool {
        self.passes
            .get(venue)
            .is_some_and(|pass| pass.mass_status_applied && pass.pending.is_empty())
    }

    /// The working orders the pass on `venue` started from.
    pub(super) fn before(&self, venue: &VenueId) -> &[Before] {
        self.passes.get(venue).map_or(&[], |pass| &pass.before)
    }

    /// Ends the pass on `venue`: compares each order it started from with `after` (its state
    /// now) and the balances with `holdings` (what the books hold on the venue, by asset),
    /// and keeps the report as the venue's latest.
    pub(super) fn complete(
        &mut self,
        venue: &VenueId,
        after: &HashMap<OrderId, After>,
        balances: Option<&Balances>,
        holdings: &HashMap<String, Decimal>,
        time_ms: TimeMs,
    ) -> Option<&ReconciliationReport> {
        let pass = self.passes.remove(venue)?;
        let mut counts = ReconciliationCounts {
            working_before: pass.before.len(),
            open_at_venue: pass.open_at_venue,
            fills_booked: pass.fills_booked,
            queried: pass.queried,
            matched: 0,
        };
        let mut differences = Vec::new();
        for before in &pass.before {
            match after.get(&before.id).and_then(|after| order_difference(before, after)) {
                Some(difference) => differences.push(difference),
                None => counts.matched += 1,
            }
        }
        differences.extend(pass.unknown);
        let mut report = ReconciliationReport {
            venue: venue.clone(),
            trigger: pass.trigger,
            started_ms: pass.started_ms,
            completed_ms: time_ms,
            counts,
            differences,
            balances: BalanceCheck::NotReported,
        };
        if let Some(balances) = balances.filter(|b| b.time_ms >= pass.started_ms) {
            compare_balances(&mut report, balances, holdings);
        }
        self.reports.insert(venue.clone(), report);
        self.reports.get(venue)
    }

    /// Compares balances that came after the venue's latest report with the books, when that
    /// report has none yet; the report, when it changed.
    pub(super) fn balances_reported(
        &mut self,
        balances: &Balances,
        holdings: &HashMap<String, Decimal>,
    ) -> Option<&ReconciliationReport> {
        let report = self.reports.get_mut(&balances.venue)?;
        if report.balances != BalanceCheck::NotReported || self.passes.contains_key(&balances.venue) {
            return None;
        }
        compare_balances(report, balances, holdings);
        Some(report)
    }
}

/// How one working order changed during a pass; `None` when it did not.
fn order_difference(before: &Before, after: &After) -> Option<Difference> {
    let (id, strategy) = (before.id.clone(), before.strategy.clone());
    let qty = after.filled_qty - before.filled_qty;
    match after.status {
        OrderStatus::Filled => Some(Difference::Filled { id, strategy, qty }),
        OrderStatus::Cancelled => Some(Difference::Cancelled {
            id,
            strategy,
            filled_qty: qty,
        }),
        OrderStatus::Rejected => Some(Difference::NeverReached { id, strategy }),
        OrderStatus::Open | OrderStatus::PartiallyFilled if qty > Decimal::ZERO => {
            Some(Difference::PartiallyFilled { id, strategy, qty })
        }
        OrderStatus::Open | OrderStatus::PartiallyFilled => None,
    }
}

/// Adds a difference for each asset the books hold on the venue whose balance there differs
/// (an asset the venue does not list holds zero there).
fn compare_balances(report: &mut ReconciliationReport, balances: &Balances, holdings: &HashMap<String, Decimal>) {
    let mut assets: Vec<&String> = holdings.keys().collect();
    assets.sort();
    for asset in assets {
        let books = holdings[asset];
        let venue = balances.assets.get(asset).copied().unwrap_or_default();
        if venue != books {
            report.differences.push(Difference::Balance {
                asset: asset.clone(),
                venue,
                books,
            });
        }
    }
    report.balances = BalanceCheck::Compared {
        time_ms: balances.time_ms,
    };
}

/// What the books hold of each base asset on a venue: the positions of its strategies, summed.
pub(super) fn holdings<'a>(positions: impl Iterator<Item = (&'a Symbol, Decimal)>) -> HashMap<String, Decimal> {
    let mut held: HashMap<String, Decimal> = HashMap::default();
    for (symbol, qty) in positions {
        *held.entry(symbol.base().to_owned()).or_default() += qty;
    }
    held
}

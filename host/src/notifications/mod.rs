//! Webhook notifications: fills, risk state changes, quarantines and venue disconnects POSTed
//! as JSON to the URLs of `[[notifications.webhooks]]`, in the host's own body or one Slack,
//! Discord or a Telegram bot takes, with a text from a template.
//!
//! Owns: picking notices from the event stream ([`Notice`], by [`Topic`]), their texts
//! ([`Template`]), bodies ([`Format`]), and delivery. It knows nothing of the trading core
//! beyond the events it reads, and the JSON of an event stays the API's (`json` bodies embed
//! the line of `GET /events`).
//!
//! Entry points: [`Webhooks::from_env`] reads each webhook's URL from its environment
//! variable when the host starts, before anything trades; [`Notifier::start`] subscribes to
//! the bus (as `webhooks`) and starts one sending task per webhook; [`Notifier::finish`]
//! flushes, a bounded time, on shutdown.
//!
//! Invariants:
//! 1. Nothing here slows the host: a thread of its own reads the bus (falling behind, it skips
//!    ahead, counted in `strategy_host_events_skipped_total{subscriber="webhooks"}`) and hands
//!    each body to its webhook's bounded queue without waiting; a full queue drops the new
//!    notification, counted as `dropped`.
//! 2. Each webhook's notifications are sent one at a time, in the order of the stream.
//! 3. A URL is a secret: it is read from the environment and handed to the HTTP client only;
//!    no error, log line, metric or `/status` field holds it.

mod body;
mod delivery;
mod notice;
mod template;

use std::ffi::OsString;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio::task::JoinHandle;
use venues::kit::Backoff;

pub use body::Format;
pub use delivery::MAX_RETRY_AFTER;
pub use notice::{Notice, Topic, COMMON_FIELDS};
pub use template::{Template, TemplateError, Templates};

use crate::config::{NotificationsConfig, WebhookConfig};
use crate::events::{subscriber, EventBus, Progress, Published, Received, Subscription};
use crate::metrics::{Metrics, WebhookMetrics};

/// Why notifications could not be started.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Urls(Vec<UrlError>),
    #[error("webhook {webhook}: cannot make its HTTP client: {reason}")]
    Client { webhook: String, reason: String },
    #[error("webhook {webhook}: {source}")]
    Backoff {
        webhook: String,
        source: venues::kit::InvalidBackoff,
    },
    #[error("cannot start the webhooks' thread: {0}")]
    Thread(std::io::Error),
}

/// A webhook's URL could not be read: which key, which variable, and why (never the value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("notifications.webhooks.{webhook}.url_env: the environment variable {var} {problem}")]
pub struct UrlError {
    pub webhook: String,
    pub var: String,
    pub problem: UrlProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    #[error("is not set")]
    NotSet,
    #[error("is empty")]
    Empty,
    #[error("does not hold a URL")]
    NotUrl,
    #[error("does not hold an http:// or https:// URL")]
    NotHttp,
}

/// The configured webhooks with their URLs, read from the environment.
pub struct Webhooks {
    shutdown_flush: Duration,
    webhooks: Vec<(WebhookConfig, reqwest::Url)>,
}

impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.webhooks.iter().map(|(w, _)| w.name.as_str()).collect();
        f.debug_struct("Webhooks")
            .field("names", &names)
            .finish_non_exhaustive()
    }
}

impl Webhooks {
    /// Reads each webhook's URL from the process's environment.
    ///
    /// # Errors
    ///
    /// Every webhook whose variable is unset, empty, or not an http(s) URL.
    pub fn from_env(config: &NotificationsConfig) -> Result<Self, NotifyError> {
        Self::resolve(config, |name| std::env::var_os(name))
    }

    /// [`Webhooks::from_env`] over the variables `lookup` gives.
    ///
    /// # Errors
    ///
    /// As [`Webhooks::from_env`].
    pub fn resolve(
        config: &NotificationsConfig,
        lookup: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, NotifyError> {
        let mut webhooks = Vec::new();
        let mut errors = Vec::new();
        for webhook in &config.webhooks {
            match read_url(lookup(&webhook.url_env)) {
                Ok(url) => webhooks.push((webhook.clone(), url)),
                Err(problem) => errors.push(UrlError {
                    webhook: webhook.name.clone(),
                    var: webhook.url_env.clone(),
                    problem,
                }),
            }
        }
        if !errors.is_empty() {
            return Err(NotifyError::Urls(errors));
        }
        Ok(Self {
            shutdown_flush: config.shutdown_flush,
            webhooks,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.webhooks.is_empty()
    }
}

fn read_url(value: Option<OsString>) -> Result<reqwest::Url, UrlProblem> {
    let value = value.ok_or(UrlProblem::NotSet)?;
    let text = value.to_str().ok_or(UrlProblem::NotUrl)?.trim();
    if text.is_empty() {
        return Err(UrlProblem::Empty);
    }
    let url = reqwest::Url::parse(text).map_err(|_| UrlProblem::NotUrl)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(UrlProblem::NotHttp);
    }
    Ok(url)
}

/// The running notifications: the bus's subscriber and each webhook's sending task.
pub struct Notifier {
    bus: EventBus,
    progress: Arc<Progress>,
    /// Taken on [`Notifier::finish`], which closes the queues.
    routes: Arc<Mutex<Option<Vec<Route>>>>,
    tasks: Vec<Task>,
    shutdown_flush: Duration,
}

/// A webhook as the subscriber sees it: what it wants and where its bodies go.
struct Route {
    name: Arc<str>,
    topics: Vec<Topic>,
    format: Format,
    templates: Templates,
    queue: mpsc::Sender<Bytes>,
    capacity: usize,
    pending: Arc<AtomicU64>,
    metrics: WebhookMetrics,
    /// Whether its queue was full at the last offer: a drop is logged when one starts.
    dropping: bool,
}

struct Task {
    name: Arc<str>,
    handle: JoinHandle<()>,
    pending: Arc<AtomicU64>,
    metrics: WebhookMetrics,
}

impl Notifier {
    /// Subscribes to `bus` and starts sending each webhook's notifications on `runtime`;
    /// `None` when there is no webhook.
    ///
    /// # Errors
    ///
    /// When an HTTP client or the subscriber's thread cannot be made.
    pub fn start(
        webhooks: Webhooks,
        bus: &EventBus,
        metrics: &Metrics,
        runtime: &tokio::runtime::Handle,
    ) -> Result<Option<Self>, NotifyError> {
        if webhooks.is_empty() {
            return Ok(None);
        }
        let mut routes = Vec::new();
        let mut tasks = Vec::new();
        for (index, (webhook, url)) in webhooks.webhooks.into_iter().enumerate() {
            let name: Arc<str> = Arc::from(webhook.name.as_str());
            let client = reqwest::Client::builder()
                .timeout(webhook.timeout)
                .connect_timeout(webhook.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|error| NotifyError::Client {
                    webhook: webhook.name.clone(),
                    reason: error.without_url().to_string(),
                })?;
            let backoff = Backoff::new(webhook.backoff, jitter_seed(index)).map_err(|source| NotifyError::Backoff {
                webhook: webhook.name.clone(),
                source,
            })?;
            let webhook_metrics = metrics.webhook(&webhook.name);
            let pending = Arc::new(AtomicU64::new(0));
            let (sender, receiver) = mpsc::channel(webhook.queue_capacity.max(1));
            let endpoint = delivery::Endpoint {
                name: name.clone(),
                url,
                client,
                max_attempts: webhook.max_attempts,
                backoff,
                metrics: webhook_metrics.clone(),
                pending: pending.clone(),
            };
            tasks.push(Task {
                name: name.clone(),
                handle: runtime.spawn(delivery::run(endpoint, receiver)),
                pending: pending.clone(),
                metrics: webhook_metrics.clone(),
            });
            routes.push(Route {
                name,
                topics: webhook.topics,
                format: webhook.format,
                templates: webhook.templates,
                queue: sender,
                capacity: webhook.queue_capacity,
                pending,
                metrics: webhook_metrics,
                dropping: false,
            });
        }
        let subscription = bus.subscribe(subscriber::WEBHOOKS);
        let progress = Arc::new(Progress::default());
        let routes = Arc::new(Mutex::new(Some(routes)));
        let notifier = Self {
            bus: bus.clone(),
            progress: progress.clone(),
            routes: routes.clone(),
            tasks,
            shutdown_flush: webhooks.shutdown_flush,
        };
        // Started last: should it fail, dropping `notifier` closes the queues and the tasks end.
        std::thread::Builder::new()
            .name("webhooks".into())
            .spawn(move || route_events(subscription, &routes, &progress))
            .map_err(NotifyError::Thread)?;
        Ok(Some(notifier))
    }

    /// Waits (at most the configured `shutdown_flush_ms` in all) until every event published
    /// before this call is queued and every queue is sent; what is still unsent then is
    /// dropped and counted. Called from outside the runtime (it blocks on it).
    pub fn finish(mut self, runtime: &tokio::runtime::Handle) {
        let deadline = Instant::now() + self.shutdown_flush;
        if !self.progress.wait_for(self.bus.published(), self.shutdown_flush) {
            tracing::warn!("the webhooks did not read every event before the host stopped");
        }
        // Closing the queues ends each task once it has sent what they hold.
        drop(self.routes.lock().unwrap_or_else(|p| p.into_inner()).take());
        let tasks = std::mem::take(&mut self.tasks);
        runtime.block_on(async move {
            for mut task in tasks {
                let finished = tokio::time::timeout_at(deadline.into(), &mut task.handle).await.is_ok();
                if !finished {
                    task.handle.abort();
                    let lost = task.pending.swap(0, Ordering::AcqRel);
                    task.metrics.dropped.inc_by(lost);
                    task.metrics.queue_depth.set(0);
                    tracing::warn!(
                        webhook = %task.name,
                        "{lost} notifications were not sent before the host stopped (counted as dropped)"
                    );
                }
            }
        });
    }
}

impl Route {
    /// Queues `notice`'s body if this webhook wants its topic; never waits.
    fn offer(&mut self, notice: &Notice, published: &Published) {
        if !self.topics.contains(&notice.topic) {
            return;
        }
        let text = self.templates.of(notice.topic).render(notice);
        let body = Bytes::from(self.format.body(notice, &text, published));
        // Counted before it is queued, so the task never counts it done first.
        self.pending.fetch_add(1, Ordering::AcqRel);
        self.metrics.queue_depth.inc();
        match self.queue.try_send(body) {
            Ok(()) => {
                if std::mem::take(&mut self.dropping) {
                    tracing::info!(webhook = %self.name, "the webhook's queue has room again");
                }
            }
            Err(error) => {
                self.pending.fetch_sub(1, Ordering::AcqRel);
                self.metrics.queue_depth.dec();
                self.metrics.dropped.inc();
                if !std::mem::replace(&mut self.dropping, true) {
                    let why = match error {
                        TrySendError::Full(_) => format!("its queue of {} is full", self.capacity),
                        TrySendError::Closed(_) => "its sending task is gone".to_owned(),
                    };
                    tracing::warn!(
                        webhook = %self.name,
                        "notifications are dropped while {why} (counted in strategy_host_notifications_total)"
                    );
                }
            }
        }
    }
}

/// The subscriber: every event looked at, each notice offered to every webhook.
fn route_events(mut subscription: Subscription, routes: &Mutex<Option<Vec<Route>>>, progress: &Progress) {
    while let Some(received) = subscription.next_blocking() {
        match received {
            Received::Event(published) => {
                if let Some(notice) = Notice::of(&published) {
                    let mut routes = routes.lock().unwrap_or_else(|p| p.into_inner());
                    for route in routes.iter_mut().flatten() {
                        route.offer(&notice, &published);
                    }
                }
                progress.advance(published.seq);
            }
            Received::Skipped(count) => tracing::warn!(
                count,
                "the webhooks fell behind the event stream and skipped events (counted in strategy_host_events_skipped_total)"
            ),
        }
    }
}

/// Different for each webhook and each process, so that webhooks failing together do not
/// retry in lockstep.
fn jitter_seed(index: usize) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    now ^ (u64::from(std::process::id()) << 32) ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests;

//! The `[notifications]` table of the config: the webhooks told of fills, risk state changes,
//! quarantines and venue disconnects (`[[notifications.webhooks]]`), each with the name of the
//! environment variable holding its URL (a webhook URL is a secret: it is never in the config,
//! logs, `/status` or metrics), its body's format, its texts and its delivery limits.

use std::time::Duration;

use serde::Deserialize;
use venues::kit::BackoffConfig;

use crate::notifications::{Format, Template, Templates, Topic};

/// Notifications a webhook's queue holds while one is being sent; past it new ones are dropped
/// and counted. A minute of a busy strategy's fills at a few a second.
pub const DEFAULT_WEBHOOK_QUEUE_CAPACITY: usize = 256;
/// Attempts per notification, the first included.
pub const DEFAULT_WEBHOOK_MAX_ATTEMPTS: u32 = 5;
/// The ceiling of the first retry's wait; each further one doubles it.
pub const DEFAULT_WEBHOOK_BACKOFF_INITIAL_MS: u64 = 500;
/// The largest ceiling of a retry's wait.
pub const DEFAULT_WEBHOOK_BACKOFF_MAX_MS: u64 = 30_000;
/// How long one attempt (connecting, sending, the answer) may take.
pub const DEFAULT_WEBHOOK_TIMEOUT_MS: u64 = 5_000;
/// How long a stopping host waits for the webhooks' queues to be sent.
pub const DEFAULT_SHUTDOWN_FLUSH_MS: u64 = 5_000;

/// A queue past this holds more than anyone reads: the bound keeps a dead receiver's backlog
/// small in memory.
const MAX_QUEUE_CAPACITY: usize = 65_536;
const MAX_ATTEMPTS: u32 = 100;
/// Ten minutes: longer for one attempt, a stop or a backoff is a mistake in the config.
const MAX_MS: u64 = 600_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawNotifications {
    /// How long a stopping host waits for queued notifications to be sent; what is left after
    /// it is dropped (counted). 0: no wait.
    pub shutdown_flush_ms: u64,
    pub webhooks: Vec<RawWebhook>,
}

impl Default for RawNotifications {
    fn default() -> Self {
        Self {
            shutdown_flush_ms: DEFAULT_SHUTDOWN_FLUSH_MS,
            webhooks: Vec::new(),
        }
    }
}

/// One `[[notifications.webhooks]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawWebhook {
    /// The webhook's label in metrics and logs (letters, digits, `_`, `-`, `.`); required.
    pub name: String,
    /// The name of the environment variable holding the URL; required.
    pub url_env: String,
    /// Some of `fill`, `risk`, `quarantine`, `venue_disconnect`; absent: all of them.
    pub events: Option<Vec<String>>,
    /// `json` (the host's own body), `slack`, `discord` or `telegram`.
    pub format: String,
    /// The chat a `telegram` webhook posts to (`-100…` or `@channel`); only with `telegram`.
    pub chat_id: Option<String>,
    /// The text of each topic, with `{placeholder}`s; absent: the host's.
    pub templates: RawTemplates,
    pub queue_capacity: usize,
    pub max_attempts: u32,
    pub backoff_initial_ms: u64,
    pub backoff_max_ms: u64,
    pub timeout_ms: u64,
}

impl Default for RawWebhook {
    fn default() -> Self {
        Self {
            name: String::new(),
            url_env: String::new(),
            events: None,
            format: "json".into(),
            chat_id: None,
            templates: RawTemplates::default(),
            queue_capacity: DEFAULT_WEBHOOK_QUEUE_CAPACITY,
            max_attempts: DEFAULT_WEBHOOK_MAX_ATTEMPTS,
            backoff_initial_ms: DEFAULT_WEBHOOK_BACKOFF_INITIAL_MS,
            backoff_max_ms: DEFAULT_WEBHOOK_BACKOFF_MAX_MS,
            timeout_ms: DEFAULT_WEBHOOK_TIMEOUT_MS,
        }
    }
}

/// A webhook's texts, one per topic.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawTemplates {
    pub fill: Option<String>,
    pub risk: Option<String>,
    pub quarantine: Option<String>,
    pub venue_disconnect: Option<String>,
}

impl RawTemplates {
    fn of(&self, topic: Topic) -> Option<&str> {
        match topic {
            Topic::Fill => self.fill.as_deref(),
            Topic::Risk => self.risk.as_deref(),
            Topic::Quarantine => self.quarantine.as_deref(),
            Topic::VenueDisconnect => self.venue_disconnect.as_deref(),
        }
    }
}

/// The checked `[notifications]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationsConfig {
    pub shutdown_flush: Duration,
    pub webhooks: Vec<WebhookConfig>,
}

/// One webhook, checked. Its URL is read from `url_env` when the host starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    pub name: String,
    pub url_env: String,
    /// The topics it is sent, each once.
    pub topics: Vec<Topic>,
    pub format: Format,
    pub templates: Templates,
    pub queue_capacity: usize,
    pub max_attempts: u32,
    /// Between attempts: full jitter under a ceiling that doubles from `initial` to `max`.
    pub backoff: BackoffConfig,
    pub timeout: Duration,
}

impl RawNotifications {
    /// The checked table; every problem names its key.
    pub(super) fn resolve(&self, problems: &mut Vec<String>) -> NotificationsConfig {
        if self.shutdown_flush_ms > MAX_MS {
            problems.push(format!(
                "notifications.shutdown_flush_ms = {}: expected at most {MAX_MS}",
                self.shutdown_flush_ms
            ));
        }
        let mut webhooks: Vec<WebhookConfig> = Vec::new();
        for (index, raw) in self.webhooks.iter().enumerate() {
            let named = is_name(&raw.name) && !self.webhooks[..index].iter().any(|w| w.name == raw.name);
            let key = if named {
                format!("notifications.webhooks.{}", raw.name)
            } else {
                let problem = if raw.name.is_empty() {
                    "expected a name for metrics and logs, like \"ops-slack\"".to_owned()
                } else if is_name(&raw.name) {
                    "expected a name no other webhook has".to_owned()
                } else {
                    "expected 1 to 64 letters, digits, `_`, `-` or `.`".to_owned()
                };
                problems.push(format!(
                    "notifications.webhooks[{index}].name = {:?}: {problem}",
                    raw.name
                ));
                format!("notifications.webhooks[{index}]")
            };
            webhooks.push(raw.resolve(&key, problems));
        }
        NotificationsConfig {
            shutdown_flush: Duration::from_millis(self.shutdown_flush_ms),
            webhooks,
        }
    }
}

impl RawWebhook {
    fn resolve(&self, key: &str, problems: &mut Vec<String>) -> WebhookConfig {
        if !is_env_name(&self.url_env) {
            problems.push(format!(
                "{key}.url_env = {:?}: expected the name of an environment variable holding the URL \
                 (letters, digits, `_`), not the URL",
                redacted(&self.url_env)
            ));
        }
        let topics = self.topics(key, problems);
        let format = self.format(key, problems);
        let mut templates = Templates::default();
        for topic in Topic::ALL {
            if let Some(text) = self.templates.of(topic) {
                match Template::parse(topic, text) {
                    Ok(template) => templates.set(topic, template),
                    Err(error) => problems.push(format!("{key}.templates.{} = {text:?}: {error}", topic.code())),
                }
            }
        }
        if !(1..=MAX_QUEUE_CAPACITY).contains(&self.queue_capacity) {
            problems.push(format!(
                "{key}.queue_capacity = {}: expected 1 to {MAX_QUEUE_CAPACITY}",
                self.queue_capacity
            ));
        }
        if !(1..=MAX_ATTEMPTS).contains(&self.max_attempts) {
            problems.push(format!(
                "{key}.max_attempts = {}: expected 1 (no retry) to {MAX_ATTEMPTS}",
                self.max_attempts
            ));
        }
        for (name, ms) in [
            ("backoff_initial_ms", self.backoff_initial_ms),
            ("backoff_max_ms", self.backoff_max_ms),
            ("timeout_ms", self.timeout_ms),
        ] {
            if !(1..=MAX_MS).contains(&ms) {
                problems.push(format!("{key}.{name} = {ms}: expected 1 to {MAX_MS}"));
            }
        }
        if self.backoff_max_ms < self.backoff_initial_ms {
            problems.push(format!(
                "{key}.backoff_max_ms = {}: expected at least backoff_initial_ms ({})",
                self.backoff_max_ms, self.backoff_initial_ms
            ));
        }
        WebhookConfig {
            name: self.name.clone(),
            url_env: self.url_env.clone(),
            topics,
            format,
            templates,
            queue_capacity: self.queue_capacity,
            max_attempts: self.max_attempts,
            backoff: BackoffConfig {
                initial: Duration::from_millis(self.backoff_initial_ms),
                max: Duration::from_millis(self.backoff_max_ms),
                factor: 2,
                immediate_first: false,
            },
            timeout: Duration::from_millis(self.timeout_ms),
        }
    }

    fn topics(&self, key: &str, problems: &mut Vec<String>) -> Vec<Topic> {
        let Some(words) = &self.events else {
            return Topic::ALL.to_vec();
        };
        let expected = Topic::ALL.map(Topic::code).join(", ");
        if words.is_empty() {
            problems.push(format!("{key}.events = []: expected some of {expected} (absent: all)"));
        }
        let mut topics: Vec<Topic> = words
            .iter()
            .filter_map(|word| {
                let topic = Topic::parse(word);
                if topic.is_none() {
                    problems.push(format!(
                        "{key}.events: {word:?} is not an event; expected some of {expected}"
                    ));
                }
                topic
            })
            .collect();
        topics.sort();
        topics.dedup();
        topics
    }

    fn format(&self, key: &str, problems: &mut Vec<String>) -> Format {
        let chat_id = self.chat_id.as_deref().map(str::trim);
        let format = match self.format.as_str() {
            "json" => Format::Json,
            "slack" => Format::Slack,
            "discord" => Format::Discord,
            "telegram" => match chat_id {
                Some(id) if !id.is_empty() => Format::Telegram { chat_id: id.to_owned() },
                _ => {
                    problems.push(format!(
                        "{key}.chat_id: expected the chat a telegram webhook posts to, like \"-1001234567890\" or \"@channel\""
                    ));
                    Format::Telegram { chat_id: String::new() }
                }
            },
            other => {
                problems.push(format!(
                    "{key}.format = {other:?}: expected \"json\", \"slack\", \"discord\" or \"telegram\""
                ));
                Format::Json
            }
        };
        if chat_id.is_some() && !matches!(format, Format::Telegram { .. }) {
            problems.push(format!(
                "{key}.chat_id: only for format = \"telegram\" (this webhook's is {:?})",
                self.format
            ));
        }
        format
    }
}

/// A webhook's name: a bounded label, safe in metrics and logs.
fn is_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// What of a refused `url_env` an error may repeat: a URL pasted in its place is a secret, so
/// only its scheme is shown.
fn redacted(text: &str) -> String {
    match text.split_once("://") {
        Some((scheme, _)) => format!("{scheme}://…"),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    fn resolve(toml: &str) -> Result<NotificationsConfig, String> {
        let raw = RawConfig::from_toml(toml)?;
        raw.resolve("host.toml")
            .map(|config| config.notifications)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn no_table_means_no_webhook_and_a_webhook_takes_every_default() {
        let none = resolve("").unwrap();
        assert!(none.webhooks.is_empty());
        assert_eq!(none.shutdown_flush, Duration::from_millis(DEFAULT_SHUTDOWN_FLUSH_MS));
        let one = resolve("[[notifications.webhooks]]\nname = \"ops\"\nurl_env = \"OPS_HOOK\"\n").unwrap();
        let ops = &one.webhooks[0];
        assert_eq!(ops.name, "ops");
        assert_eq!(ops.url_env, "OPS_HOOK");
        assert_eq!(ops.topics, Topic::ALL);
        assert_eq!(ops.format, Format::Json);
        assert_eq!(ops.templates, Templates::default());
        assert_eq!(ops.queue_capacity, DEFAULT_WEBHOOK_QUEUE_CAPACITY);
        assert_eq!(ops.max_attempts, DEFAULT_WEBHOOK_MAX_ATTEMPTS);
        assert_eq!(ops.backoff.initial, Duration::from_millis(500));
        assert_eq!(ops.timeout, Duration::from_millis(DEFAULT_WEBHOOK_TIMEOUT_MS));
        assert!(ops.backoff.validate().is_ok());
    }

    #[test]
    fn every_key_is_read() {
        let config = resolve(
            "[notifications]\nshutdown_flush_ms = 100\n\
             [[notifications.webhooks]]\nname = \"tg\"\nurl_env = \"TG_URL\"\nformat = \"telegram\"\n\
             chat_id = \"-100123\"\nevents = [\"quarantine\", \"fill\", \"fill\"]\nqueue_capacity = 1\n\
             max_attempts = 2\nbackoff_initial_ms = 10\nbackoff_max_ms = 20\ntimeout_ms = 30\n\
             templates = { fill = \"{strategy} {side}\" }\n\
             [[notifications.webhooks]]\nname = \"chat\"\nurl_env = \"DISCORD_URL\"\nformat = \"discord\"\n",
        )
        .unwrap();
        assert_eq!(config.shutdown_flush, Duration::from_millis(100));
        let tg = &config.webhooks[0];
        assert_eq!(
            tg.format,
            Format::Telegram {
                chat_id: "-100123".into()
            }
        );
        assert_eq!(tg.topics, [Topic::Fill, Topic::Quarantine], "sorted, each once");
        assert_eq!(
            (tg.queue_capacity, tg.max_attempts, tg.timeout),
            (1, 2, Duration::from_millis(30))
        );
        assert_eq!(tg.backoff.max, Duration::from_millis(20));
        assert_eq!(
            tg.templates.of(Topic::Fill),
            &Template::parse(Topic::Fill, "{strategy} {side}").unwrap()
        );
        assert_eq!(tg.templates.of(Topic::Risk), &Template::default_of(Topic::Risk));
        assert_eq!(config.webhooks[1].format, Format::Discord);
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err =
            resolve("[[notifications.webhooks]]\nname = \"ops\"\nurl = \"https://hooks.slack.com/x\"\n").unwrap_err();
        assert!(err.contains("unknown field `url`"), "{err}");
        let err = resolve("[notifications]\nflush_ms = 1\n").unwrap_err();
        assert!(err.contains("flush_ms"), "{err}");
        let err =
            resolve("[[notifications.webhooks]]\nname = \"ops\"\nurl_env = \"X\"\ntemplates = { fills = \"x\" }\n")
                .unwrap_err();
        assert!(err.contains("fills"), "{err}");
    }

    #[test]
    fn every_bad_value_is_reported_with_its_key() {
        let err = resolve(
            "[notifications]\nshutdown_flush_ms = 6000000\n\
             [[notifications.webhooks]]\nurl_env = \"https://hooks.slack.com/services/T0/B0/secret\"\n\
             [[notifications.webhooks]]\nname = \"ops\"\nurl_env = \"OPS\"\nformat = \"teams\"\nevents = [\"fills\"]\n\
             queue_capacity = 0\nmax_attempts = 0\nbackoff_initial_ms = 100\nbackoff_max_ms = 10\ntimeout_ms = 0\n\
             chat_id = \"1\"\ntemplates = { quarantine = \"{symbol}\", risk = \"{to\" }\n\
             [[notifications.webhooks]]\nname = \"ops\"\nurl_env = \"OPS2\"\nformat = \"telegram\"\n\
             [[notifications.webhooks]]\nname = \"a b\"\nurl_env = \"1ST\"\nevents = []\n",
        )
        .unwrap_err();
        for expected in [
            "notifications.shutdown_flush_ms = 6000000: expected at most 600000",
            "notifications.webhooks[0].name = \"\": expected a name",
            "notifications.webhooks[0].url_env = \"https://…\": expected the name of an environment variable",
            "notifications.webhooks.ops.format = \"teams\": expected \"json\", \"slack\", \"discord\" or \"telegram\"",
            "notifications.webhooks.ops.events: \"fills\" is not an event; expected some of fill, risk, quarantine, venue_disconnect",
            "notifications.webhooks.ops.queue_capacity = 0: expected 1 to 65536",
            "notifications.webhooks.ops.max_attempts = 0: expected 1 (no retry)",
            "notifications.webhooks.ops.backoff_max_ms = 10: expected at least backoff_initial_ms (100)",
            "notifications.webhooks.ops.timeout_ms = 0: expected 1 to 600000",
            "notifications.webhooks.ops.chat_id: only for format = \"telegram\"",
            "notifications.webhooks.ops.templates.quarantine = \"{symbol}\": unknown placeholder {symbol}",
            "notifications.webhooks.ops.templates.risk = \"{to\": a `{` at byte 0 is not closed",
            "notifications.webhooks[2].name = \"ops\": expected a name no other webhook has",
            "notifications.webhooks[2].chat_id: expected the chat a telegram webhook posts to",
            "notifications.webhooks[3].name = \"a b\": expected 1 to 64 letters",
            "notifications.webhooks[3].url_env = \"1ST\"",
            "notifications.webhooks[3].events = []: expected some of",
        ] {
            assert!(err.contains(expected), "{expected}\n  missing from:\n{err}");
        }
        assert!(!err.contains("secret"), "a URL in url_env is not repeated: {err}");
    }
}

//! Sending one webhook's notifications: a task that takes them from the webhook's queue in
//! order and POSTs each, retrying the failures another attempt can mend.
//!
//! An attempt's outcome is judged by [`judge`]: a 2xx is delivered; a 5xx, 408 or 429, a
//! timeout and a connection or transport error are tried again, after the receiver's
//! `Retry-After` (429 and 503; capped at [`MAX_RETRY_AFTER`]) or else the backoff's wait; any
//! other status (a 4xx: the URL or the body is wrong, and sending it again changes nothing;
//! a 3xx: redirects are not followed, so a body never goes anywhere the operator did not
//! name) fails the notification at once. The URL is a secret: no error, log line or metric
//! carries it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use tokio::sync::mpsc;
use venues::kit::Backoff;

use crate::metrics::WebhookMetrics;

/// The longest wait a receiver's `Retry-After` is honoured for; a longer one waits this long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// How much of a refusal's body goes into the log line: enough for Slack's `invalid_payload`
/// or Telegram's `description`.
const LOGGED_BODY_CHARS: usize = 200;

/// What one webhook's task needs.
pub(super) struct Endpoint {
    pub name: Arc<str>,
    /// The secret: only ever handed to the client.
    pub url: reqwest::Url,
    pub client: reqwest::Client,
    pub max_attempts: u32,
    /// The wait between attempts, reset for each notification.
    pub backoff: Backoff,
    pub metrics: WebhookMetrics,
    /// Notifications queued or being sent: what is lost if the task is stopped.
    pub pending: Arc<AtomicU64>,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    Delivered,
    /// Worth another attempt, after `after` when the receiver said how long.
    Retry {
        after: Option<Duration>,
        why: String,
    },
    /// Another attempt would be refused the same way.
    Refused {
        why: String,
    },
}

/// Judges an answer: its status, its `Retry-After` and (for the log) its body.
pub(super) fn judge(status: u16, retry_after: Option<Duration>, body: &str) -> Verdict {
    let why = || {
        let body: String = body.trim().chars().take(LOGGED_BODY_CHARS).collect();
        if body.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {body}")
        }
    };
    match status {
        200..=299 => Verdict::Delivered,
        408 | 429 | 500..=599 => Verdict::Retry {
            after: retry_after.filter(|_| matches!(status, 429 | 503)),
            why: why(),
        },
        _ => Verdict::Refused { why: why() },
    }
}

/// The wait an answer asks for: `Retry-After` in seconds (the header; for a 429 without it,
/// the `retry_after` of Discord's or Telegram's JSON body), capped. An HTTP date is not
/// read: the backoff's wait is used instead.
pub(super) fn retry_after(headers: &HeaderMap, body: &str) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<f64>().ok())
        .or_else(|| {
            let json: serde_json::Value = serde_json::from_str(body).ok()?;
            json.get("retry_after")
                .or_else(|| json.get("parameters")?.get("retry_after"))?
                .as_f64()
        })?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(MAX_RETRY_AFTER.as_secs_f64())))
}

/// Sends every notification of `queue`, in order, until the queue is closed and empty.
pub(super) async fn run(mut endpoint: Endpoint, mut queue: mpsc::Receiver<Bytes>) {
    while let Some(body) = queue.recv().await {
        endpoint.metrics.queue_depth.dec();
        endpoint.deliver(body).await;
        endpoint.pending.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Endpoint {
    /// One notification, attempted until delivered, refused or out of attempts.
    async fn deliver(&mut self, body: Bytes) {
        self.backoff.reset();
        let mut attempt = 1;
        loop {
            match self.attempt(body.clone()).await {
                Verdict::Delivered => {
                    self.metrics.delivered.inc();
                    return;
                }
                Verdict::Refused { why } => {
                    self.metrics.failed.inc();
                    tracing::warn!(webhook = %self.name, attempt, "a notification was refused, not sent again: {why}");
                    return;
                }
                Verdict::Retry { why, .. } if attempt >= self.max_attempts => {
                    self.metrics.failed.inc();
                    tracing::warn!(webhook = %self.name, "a notification failed after {attempt} attempts: {why}");
                    return;
                }
                Verdict::Retry { after, why } => {
                    self.metrics.retried.inc();
                    let wait = after.unwrap_or_else(|| self.backoff.next_delay());
                    tracing::info!(webhook = %self.name, attempt, ?wait, "a notification is tried again: {why}");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(&self, body: Bytes) -> Verdict {
        let sent = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, concat!("strategy-host/", env!("CARGO_PKG_VERSION")))
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                // Read to the end so the connection can be used again; a body that cannot be
                // read changes nothing about what the status says.
                let text = response.text().await.unwrap_or_default();
                judge(status, retry_after(&headers, &text), &text)
            }
            Err(error) => Verdict::Retry {
                after: None,
                why: describe(error),
            },
        }
    }
}

/// A transport error in words, without the URL (`reqwest` puts it in its message).
fn describe(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "cannot send"
    };
    let error = error.without_url();
    let mut text = format!("{kind}: {error}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn answers_are_judged_by_whether_another_attempt_can_succeed() {
        assert_eq!(judge(200, None, ""), Verdict::Delivered);
        assert_eq!(judge(204, None, ""), Verdict::Delivered);
        for status in [500, 502, 503, 504, 408, 429] {
            assert!(
                matches!(judge(status, None, ""), Verdict::Retry { after: None, .. }),
                "{status}"
            );
        }
        for status in [301, 400, 401, 403, 404, 410, 413] {
            assert!(matches!(judge(status, None, ""), Verdict::Refused { .. }), "{status}");
        }
        assert_eq!(
            judge(404, None, "  no_service\n"),
            Verdict::Refused {
                why: "HTTP 404: no_service".into()
            }
        );
        let long = "x".repeat(1_000);
        let Verdict::Refused { why } = judge(400, None, &long) else {
            unreachable!()
        };
        assert_eq!(why.len(), "HTTP 400: ".len() + LOGGED_BODY_CHARS);
    }

    #[test]
    fn retry_after_is_honoured_on_429_and_503_only() {
        let wait = Some(Duration::from_secs(3));
        assert_eq!(
            judge(429, wait, ""),
            Verdict::Retry {
                after: wait,
                why: "HTTP 429".into()
            }
        );
        assert!(matches!(judge(503, wait, ""), Verdict::Retry { after: Some(_), .. }));
        assert!(matches!(judge(500, wait, ""), Verdict::Retry { after: None, .. }));
    }

    #[test]
    fn retry_after_is_read_from_the_header_or_a_chat_service_s_body_and_capped() {
        let header = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, HeaderValue::from_static(value));
            headers
        };
        assert_eq!(retry_after(&header("7"), ""), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&header(" 1.5 "), ""), Some(Duration::from_millis(1_500)));
        assert_eq!(retry_after(&header("86400"), ""), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after(&header("Wed, 21 Oct 2015 07:28:00 GMT"), ""), None);
        assert_eq!(retry_after(&header("-1"), ""), None);
        let none = HeaderMap::new();
        assert_eq!(
            retry_after(
                &none,
                r#"{"message": "You are being rate limited.", "retry_after": 0.25, "global": false}"#
            ),
            Some(Duration::from_millis(250)),
            "Discord"
        );
        assert_eq!(
            retry_after(
                &none,
                r#"{"ok": false, "error_code": 429, "parameters": {"retry_after": 4}}"#
            ),
            Some(Duration::from_secs(4)),
            "Telegram"
        );
        assert_eq!(retry_after(&none, "ok"), None);
    }
}

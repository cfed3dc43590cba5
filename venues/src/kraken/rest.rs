//! [`KrakenRest`]: Kraken's REST API over HTTP: signed private calls with a nonce that only
//! grows, public calls, each timed for the venue's request-duration metric.
//!
//! Private calls go one at a time: Kraken refuses a nonce not above the key's last one, and
//! two calls in flight could arrive in the other order.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use super::execution::Credentials;
use crate::kit::VenueObserver;
use crate::kraken::wire::rest::{PrivateRequest, PublicRequest};
use crate::kraken::wire::SignError;

/// Why a REST call got no answer to read. What Kraken itself answered (its `error` list) is
/// in the body, read by the endpoint's parser.
#[derive(Debug, thiserror::Error)]
pub enum RestCallError {
    /// No answer came (connection refused or lost, a timeout): a request that changes
    /// something may or may not have been acted on.
    #[error("{method}: no answer: {reason}")]
    Transport { method: &'static str, reason: String },
    /// An HTTP error status. A 5xx leaves the outcome unknown, as a lost answer does.
    #[error("{method}: HTTP {status}")]
    Status { method: &'static str, status: u16 },
    /// The request could not be signed (the secret is not usable).
    #[error("{method}: {source}")]
    Sign {
        method: &'static str,
        #[source]
        source: SignError,
    },
}

/// One account's REST client.
pub struct KrakenRest {
    http: reqwest::Client,
    base_url: String,
    credentials: Option<Arc<Credentials>>,
    /// The last nonce used; the lock also serializes private calls.
    nonce: Mutex<u64>,
    observer: Arc<dyn VenueObserver>,
}

impl std::fmt::Debug for KrakenRest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KrakenRest")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl KrakenRest {
    /// A client of `base_url` (`https://api.kraken.com`); private calls need `credentials`.
    pub fn new(
        base_url: &str,
        credentials: Option<Arc<Credentials>>,
        timeout: Duration,
        observer: Arc<dyn VenueObserver>,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .tcp_nodelay(true)
            .build()
            // Only a TLS backend that cannot initialize fails here; the default client has the
            // same backend and no timeout, which the per-request timeout below replaces.
            .unwrap_or_default();
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            credentials,
            nonce: Mutex::new(0),
            observer,
        }
    }

    /// Calls a private endpoint: `build` makes the request for the nonce it is given. Returns
    /// the response body.
    ///
    /// # Errors
    ///
    /// [`RestCallError`] when no answer came, the status is an HTTP error, or nothing is
    /// signed because the client has no credentials.
    pub async fn private(
        &self,
        method: &'static str,
        build: impl FnOnce(u64) -> PrivateRequest,
    ) -> Result<String, RestCallError> {
        let Some(credentials) = &self.credentials else {
            return Err(RestCallError::Transport {
                method,
                reason: "no API credentials are configured".into(),
            });
        };
        let mut last = self.nonce.lock().await;
        let nonce = next_nonce(*last);
        *last = nonce;
        let request = build(nonce);
        let signature = request
            .api_sign(credentials.secret())
            .map_err(|source| RestCallError::Sign { method, source })?;
        let call = self
            .http
            .post(format!("{}{}", self.base_url, request.path))
            .header("API-Key", credentials.api_key())
            .header("API-Sign", signature)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(request.body);
        self.send(method, call).await
    }

    /// Calls a public endpoint. Returns the response body.
    ///
    /// # Errors
    ///
    /// [`RestCallError`] when no answer came or the status is an HTTP error.
    pub async fn public(&self, method: &'static str, request: PublicRequest) -> Result<String, RestCallError> {
        let mut url = format!("{}{}", self.base_url, request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&request.query);
        }
        self.send(method, self.http.get(url)).await
    }

    async fn send(&self, method: &'static str, call: reqwest::RequestBuilder) -> Result<String, RestCallError> {
        let started = Instant::now();
        let answer = call.send().await;
        let result = match answer {
            Err(e) => Err(RestCallError::Transport {
                method,
                // Without the URL: it is not secret, but the error's own text is enough.
                reason: e.without_url().to_string(),
            }),
            Ok(response) if !response.status().is_success() => Err(RestCallError::Status {
                method,
                status: response.status().as_u16(),
            }),
            Ok(response) => response.text().await.map_err(|e| RestCallError::Transport {
                method,
                reason: e.without_url().to_string(),
            }),
        };
        self.observer.request_duration(method, started.elapsed().as_secs_f64());
        result
    }
}

/// A nonce above `last`: the wall clock in microseconds, or `last + 1` when the clock has not
/// moved past it (two calls in one microsecond, or a clock set back).
fn next_nonce(last: u64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    now.max(last.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_only_grow() {
        let first = next_nonce(0);
        assert!(first > 1_600_000_000_000_000, "microseconds since the epoch");
        assert_eq!(next_nonce(u64::MAX - 1), u64::MAX);
        let ahead = first + 10_000_000_000;
        assert_eq!(
            next_nonce(ahead),
            ahead + 1,
            "a clock behind the last nonce still grows it"
        );
    }
}

//! [`BinanceRest`]: Binance's REST calls, each timed for the venue's request-duration metric:
//! the public ones the market data path needs (`exchangeInfo`, `depth`, `time`) and the signed
//! GETs the order path falls back to while the WebSocket API is down ([`BinanceRest::signed_get`]:
//! `order`, `openOrders`, `myTrades`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use trading::market::TimeMs;

use super::rate_limit::RateLimits;
use super::signing::{rest_payload, Credentials};
use super::wire::{self, BinanceError, DepthSnapshot, ExchangeInfo, ServerTime, VenueSymbol, WireError};
use crate::kit::VenueObserver;

/// Why a REST call gave nothing to use.
#[derive(Debug, thiserror::Error)]
pub enum RestCallError {
    /// No answer came (connection refused or lost, a timeout).
    #[error("{method}: no answer: {reason}")]
    Transport {
        /// The endpoint.
        method: &'static str,
        /// Why.
        reason: String,
    },
    /// An HTTP error status, with Binance's error where the body had one. A 5xx leaves the
    /// outcome unknown; a 429 or 418 says to wait `retry_after_s`.
    #[error("{method}: HTTP {status}{}", error.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    Status {
        /// The endpoint.
        method: &'static str,
        /// The HTTP status.
        status: u16,
        /// Binance's `{"code","msg"}`, if the body was one.
        error: Option<BinanceError>,
        /// `Retry-After`, seconds, if sent.
        retry_after_s: Option<u64>,
    },
    /// The answer did not read.
    #[error("{method}: {source}")]
    Body {
        /// The endpoint.
        method: &'static str,
        /// What was wrong.
        #[source]
        source: WireError,
    },
}

/// A client of Binance's REST API.
pub struct BinanceRest {
    http: reqwest::Client,
    base_url: String,
    observer: Arc<dyn VenueObserver>,
    /// Where Binance's counters (`X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S`) and a
    /// 429/418's `Retry-After` go, when the caller tracks them.
    limits: Option<Arc<std::sync::Mutex<RateLimits>>>,
}

impl std::fmt::Debug for BinanceRest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinanceRest")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl BinanceRest {
    /// A client of `base_url` (`https://api.binance.com`), each call within `timeout`.
    pub fn new(base_url: &str, timeout: Duration, observer: Arc<dyn VenueObserver>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .tcp_nodelay(true)
            .build()
            // Only a TLS backend that cannot initialize fails here; the default client has the
            // same backend.
            .unwrap_or_default();
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            observer,
            limits: None,
        }
    }

    /// Reports every answer's counters, and a 429/418's wait, to `limits`.
    pub fn with_rate_limits(mut self, limits: Arc<std::sync::Mutex<RateLimits>>) -> Self {
        self.limits = Some(limits);
        self
    }

    /// `GET /api/v3/exchangeInfo`.
    ///
    /// # Errors
    /// [`RestCallError`] when no usable answer came.
    pub async fn exchange_info(&self) -> Result<ExchangeInfo, RestCallError> {
        let method = "exchangeInfo";
        let body = self.get(method, "/api/v3/exchangeInfo", &[]).await?;
        wire::parse_exchange_info(&body).map_err(|source| RestCallError::Body { method, source })
    }

    /// `GET /api/v3/depth` of `symbol`, `limit` levels a side (at most 5000).
    ///
    /// # Errors
    /// [`RestCallError`] when no usable answer came.
    pub async fn depth(&self, symbol: VenueSymbol, limit: u32) -> Result<DepthSnapshot, RestCallError> {
        let method = "depth";
        let limit = limit.clamp(1, 5_000).to_string();
        let body = self
            .get(
                method,
                "/api/v3/depth",
                &[("symbol", symbol.as_str()), ("limit", &limit)],
            )
            .await?;
        wire::parse_depth_snapshot(&body).map_err(|source| RestCallError::Body { method, source })
    }

    /// `GET /api/v3/time`: the server's clock.
    ///
    /// # Errors
    /// [`RestCallError`] when no usable answer came.
    pub async fn server_time(&self) -> Result<ServerTime, RestCallError> {
        let method = "time";
        let body = self.get(method, "/api/v3/time", &[]).await?;
        wire::parse_server_time(&body).map_err(|source| RestCallError::Body { method, source })
    }

    /// A signed GET of `path` with `params`, `timestamp_ms` (by the server's clock) and
    /// `recvWindow`: the query percent-encoded, signed, the key in `X-MBX-APIKEY`. The body of
    /// a success.
    ///
    /// # Errors
    /// [`RestCallError`] when no usable answer came.
    pub async fn signed_get(
        &self,
        method: &'static str,
        path: &str,
        params: &[(&str, &str)],
        credentials: &Credentials,
        timestamp_ms: TimeMs,
        recv_window_ms: Option<u64>,
    ) -> Result<String, RestCallError> {
        let timestamp = timestamp_ms.to_string();
        let window = recv_window_ms.map(|w| w.to_string());
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.push(("timestamp", &timestamp));
        if let Some(window) = &window {
            all.push(("recvWindow", window));
        }
        let query = credentials.sign_rest(&rest_payload(&all));
        self.send(method, path, Some(query), Some(credentials.api_key())).await
    }

    async fn get(&self, method: &'static str, path: &str, query: &[(&str, &str)]) -> Result<String, RestCallError> {
        let query = (!query.is_empty()).then(|| rest_payload(query));
        self.send(method, path, query, None).await
    }

    async fn send(
        &self,
        method: &'static str,
        path: &str,
        query: Option<String>,
        api_key: Option<&str>,
    ) -> Result<String, RestCallError> {
        let mut url = format!("{}{path}", self.base_url);
        if let Some(query) = query {
            url.push('?');
            url.push_str(&query);
        }
        let started = Instant::now();
        let mut request = self.http.get(url);
        if let Some(key) = api_key {
            request = request.header("X-MBX-APIKEY", key);
        }
        let answer = request.send().await;
        self.observer.request_duration(method, started.elapsed().as_secs_f64());
        let response = answer.map_err(|e| RestCallError::Transport {
            method,
            reason: e.to_string(),
        })?;
        let status = response.status().as_u16();
        let retry_after_s = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        if let Some(limits) = &self.limits {
            let now = Instant::now();
            let mut limits = crate::kit::lock(limits);
            for (name, value) in response.headers() {
                if let Ok(value) = value.to_str() {
                    limits.observe_header(name.as_str(), value, now);
                }
            }
            if matches!(status, 429 | 418) {
                limits.back_off(now, Duration::from_secs(retry_after_s.unwrap_or(0)));
            }
        }
        let body = response.text().await.map_err(|e| RestCallError::Transport {
            method,
            reason: e.to_string(),
        })?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(RestCallError::Status {
                method,
                status,
                error: wire::parse_rest_error(&body).ok(),
                retry_after_s,
            })
        }
    }
}

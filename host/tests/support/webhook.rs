//! A local webhook receiver for the notification tests: an axum server on 127.0.0.1 (a port
//! of its own) on a runtime of its own, answering each path's POSTs as told and keeping every
//! body it got, by path.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

/// How the receiver answers.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// 200 to every request.
    Ok,
    /// 500 to the first `n` requests, then 200.
    FailFirst(usize),
    /// Never: the request waits until its sender gives up.
    Hang,
}

#[derive(Clone)]
struct Shared {
    answer: Answer,
    requests: Arc<AtomicUsize>,
    bodies: Arc<Mutex<BTreeMap<String, Vec<serde_json::Value>>>>,
}

pub struct WebhookReceiver {
    /// `http://127.0.0.1:PORT`; a webhook's URL is this and a path of its own.
    pub base_url: String,
    shared: Shared,
    runtime: Option<tokio::runtime::Runtime>,
}

impl WebhookReceiver {
    pub fn start(answer: Answer) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the receiver");
        let shared = Shared {
            answer,
            requests: Arc::default(),
            bodies: Arc::default(),
        };
        let app = Router::new().route("/{path}", post(receive)).with_state(shared.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the receiver");
        let base_url = format!("http://{}", listener.local_addr().expect("its address"));
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            base_url,
            shared,
            runtime: Some(runtime),
        }
    }

    /// Requests received on every path, answered or not.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The JSON bodies POSTed to `/path`, in the order received.
    pub fn bodies(&self, path: &str) -> Vec<serde_json::Value> {
        self.shared
            .bodies
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        // A hanging request must not hold the test up.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn receive(State(shared): State<Shared>, Path(path): Path<String>, body: String) -> StatusCode {
    let n = shared.requests.fetch_add(1, Ordering::SeqCst);
    let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
    shared.bodies.lock().unwrap().entry(path).or_default().push(json);
    match shared.answer {
        Answer::Ok => StatusCode::OK,
        Answer::FailFirst(failures) if n < failures => StatusCode::INTERNAL_SERVER_ERROR,
        Answer::FailFirst(_) => StatusCode::OK,
        Answer::Hang => std::future::pending().await,
    }
}

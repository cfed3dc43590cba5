//! The real `strategy-host run` as a child process: started on a free port, its log kept for
//! the test to read, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{bin, http_get, wait_until};

pub struct RunningHost {
    pub child: Child,
    /// `127.0.0.1:PORT` of its HTTP listener.
    pub addr: String,
    /// Every line the host logged to stderr so far.
    log: Arc<Mutex<Vec<String>>>,
}

impl RunningHost {
    /// Starts `run` on `dir/strategies` with the book of record in `dir/book.db`, replaying
    /// `bars_per_second`, logging at `rust_log`, plus `extra` arguments.
    pub fn start(dir: &Path, config: &Path, bars_per_second: u32, rust_log: &str, extra: &[&str]) -> Self {
        Self::start_with_env(dir, config, bars_per_second, rust_log, extra, &[])
    }

    /// [`RunningHost::start`] with `env` set for the host (credentials, for live venues).
    pub fn start_with_env(
        dir: &Path,
        config: &Path,
        bars_per_second: u32,
        rust_log: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        Self::spawn(dir, config, bars_per_second, rust_log, "127.0.0.1:0", extra, env)
    }

    /// [`RunningHost::start_with_env`] on `listen` (a restarted host on its predecessor's port),
    /// logging at `info`.
    pub fn start_listening(
        dir: &Path,
        config: &Path,
        bars_per_second: u32,
        listen: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        Self::spawn(dir, config, bars_per_second, "info", listen, extra, env)
    }

    fn spawn(
        dir: &Path,
        config: &Path,
        bars_per_second: u32,
        rust_log: &str,
        listen: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let mut child = bin()
            .args(["run", "--listen", listen, "--bars-per-second"])
            .arg(bars_per_second.to_string())
            .arg("--config")
            .arg(config)
            .arg("--strategies-dir")
            .arg(dir.join("strategies"))
            .arg("--db")
            .arg(dir.join("book.db"))
            .args(extra)
            .env("RUST_LOG", rust_log)
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start strategy-host run");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let mut first_line = String::new();
        BufReader::new(stdout)
            .read_line(&mut first_line)
            .expect("read the listening line");
        let addr = first_line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first_line:?}"))
            .to_owned();
        Self { child, addr, log }
    }

    /// The lines logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// `/status` as JSON, once it answers.
    pub fn status(&self) -> Option<serde_json::Value> {
        let (code, body) = http_get(&self.addr, "/status")?;
        (code == 200).then(|| serde_json::from_str(&body).ok()).flatten()
    }

    pub fn metrics(&self) -> String {
        let (code, body) = http_get(&self.addr, "/metrics").expect("/metrics answers");
        assert_eq!(code, 200);
        body
    }

    /// Waits for `/ready` to answer 200 (every strategy in the folder loaded) and returns its body.
    pub fn wait_ready(&self, timeout: Duration) -> serde_json::Value {
        wait_until("the host to be ready", timeout, || {
            http_get(&self.addr, "/ready")
                .filter(|(code, _)| *code == 200)
                .and_then(|(_, body)| serde_json::from_str(&body).ok())
        })
    }

    /// Waits for the replay to finish and returns `/status` then.
    pub fn wait_for_replay(&self, timeout: Duration) -> serde_json::Value {
        wait_until("the replay to finish", timeout, || {
            self.status().filter(|status| status["feed"]["finished"] == true)
        })
    }
}

impl Drop for RunningHost {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // What the host saw is what explains a failed end-to-end test.
            let log = self.log();
            let tail = &log[log.len().saturating_sub(60)..];
            eprintln!("the host's last {} log lines:\n{}", tail.len(), tail.join("\n"));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! What the tests of deploy/ share: where its files are, the outside tools they need (found,
//! or a failure that says how to get them: never a silent skip), YAML read through PyYAML,
//! a free port, and a real Prometheus server run for a test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{http_get, wait_until};

/// The repository's `deploy/` folder.
pub fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

/// `program`'s path, or a failure naming the Debian package that has it. `./test.sh` installs
/// the packages; a machine where that failed must fail these tests, not skip them.
pub fn require(program: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`{program}` is not installed: ./test.sh installs Debian's `{package}` when missing \
             (apt-get install -y {package}); see its output for why that failed"
        )
    })
}

/// Runs `command` to completion; fails with its output when it does not succeed.
pub fn run_ok(command: &mut Command) -> String {
    let what = format!("{command:?}");
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Every YAML document of `path`, as JSON values. Read by PyYAML (which `./test.sh` installs
/// when missing): the workspace has no YAML crate, and the YAML must be read by a real parser.
pub fn yaml_documents(path: &Path) -> Vec<serde_json::Value> {
    const SCRIPT: &str = "import json, sys, yaml\n\
        json.dump(list(yaml.safe_load_all(open(sys.argv[1]))), sys.stdout)";
    let python = require("python3", "python3");
    let output = Command::new(python)
        .args(["-c", SCRIPT])
        .arg(path)
        .output()
        .expect("run python3");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("No module named 'yaml'"),
        "PyYAML is missing: ./test.sh installs it (python3 -m pip install pyyaml)"
    );
    assert!(output.status.success(), "{}: not valid YAML:\n{stderr}", path.display());
    serde_json::from_slice(&output.stdout).expect("python's json.dump gives JSON")
}

/// The one YAML document of `path`.
pub fn yaml(path: &Path) -> serde_json::Value {
    let mut docs = yaml_documents(path);
    assert_eq!(docs.len(), 1, "{}: expected one YAML document", path.display());
    docs.remove(0)
}

/// A port nothing listens on now: bound to port 0 and released. Prometheus needs a concrete
/// `--web.listen-address`, so it cannot be given port 0 itself.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Percent-encodes a query parameter (PromQL is full of braces, quotes and spaces).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A real Prometheus server on 127.0.0.1, with its data in a temp folder; killed when dropped.
pub struct Prometheus {
    child: Child,
    pub addr: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    /// Starts `prometheus` on `config` (a prometheus.yml text; rule files it names are
    /// resolved against `config_dir`) and waits until it answers `/-/ready`.
    pub fn start(config: &str, config_dir: &Path) -> Self {
        let prometheus = require("prometheus", "prometheus");
        let dir = tempfile::tempdir().unwrap();
        let config_path = config_dir.join("prometheus-test.yml");
        std::fs::write(&config_path, config).unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let mut child = Command::new(prometheus)
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start prometheus");
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = log.clone();
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut server = Self {
            child,
            addr,
            log,
            _dir: dir,
        };
        wait_until("Prometheus to be ready", Duration::from_secs(30), || {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("prometheus exited ({status}):\n{}", server.log().join("\n"));
            }
            http_get(&server.addr, "/-/ready").filter(|(code, _)| *code == 200)
        });
        server
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// GETs `path` of the HTTP API and returns its JSON, failing unless the status is success.
    pub fn api(&self, path: &str) -> serde_json::Value {
        let (code, body) = http_get(&self.addr, path).unwrap_or_else(|| panic!("Prometheus did not answer {path}"));
        let json: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"));
        assert!(
            code == 200 && json["status"] == "success",
            "Prometheus refused {path} ({code}): {body}"
        );
        json
    }

    /// The result vector of an instant query of `expr`.
    pub fn query(&self, expr: &str) -> Vec<serde_json::Value> {
        let json = self.api(&format!("/api/v1/query?query={}", url_encode(expr)));
        json["data"]["result"].as_array().cloned().unwrap_or_default()
    }

    /// The one value of `expr` summed into a scalar, when there is one.
    pub fn value(&self, expr: &str) -> Option<f64> {
        let result = self.query(expr);
        let value = result.first()?["value"][1].as_str()?;
        value.parse().ok()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

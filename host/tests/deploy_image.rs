//! The runtime image, for real: built with podman from the host binary built on this machine
//! (deploy/image/build-local.sh), its config inspected, and its own binary run from its own
//! filesystem. This machine's sandbox refuses to run a container (setting rlimits is denied),
//! so the test does by hand what a runtime does: mount the image read-only, bind the volumes
//! over /data and /strategies, enter a private network namespace, chroot in as the image's
//! user with the image's environment, and exec its entrypoint and command. The image's own
//! HEALTHCHECK command then runs inside the same namespace. A second run does it as the
//! Kubernetes manifests say: their ConfigMap over the config, their args, their probes.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::deploy::{deploy_dir, require, run_ok, yaml_documents};
use crate::support::{self, wait_until};

const PATIENCE: Duration = Duration::from_secs(60);

/// The host binary the image is made of: `$STRATEGY_HOST_IMAGE_BINARY` (say, a release build),
/// or the binary cargo built for these tests. Not the release build by default: after a change
/// to the host, relinking it (thin LTO) cost 12m52s on this machine (7m36s of CPU), which the
/// warm test suite cannot afford. The image is assembled the same way whatever binary it gets
/// (`stage-rootfs.sh` copies what `ldd` lists), and the release image passed this test too.
fn image_binary() -> PathBuf {
    let path = std::env::var_os("STRATEGY_HOST_IMAGE_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_strategy-host")));
    assert!(path.is_file(), "{}: no host binary there", path.display());
    path
}

/// An image built for this test, mounted read-only; unmounted and removed when dropped.
struct Image {
    podman: PathBuf,
    tag: String,
    root: PathBuf,
    config: Value,
}

impl Image {
    fn build() -> Self {
        let podman = require("podman", "podman");
        require("busybox", "busybox-static");
        let tag = format!("localhost/strategy-host:test-{}", std::process::id());
        run_ok(
            Command::new(deploy_dir().join("image/build-local.sh"))
                .arg(&tag)
                .env("HOST_BINARY", image_binary())
                .env("WASM_DIR", support::wasm_dir()),
        );
        let inspect: Value =
            serde_json::from_str(&run_ok(Command::new(&podman).args(["image", "inspect", &tag]))).unwrap();
        let root = PathBuf::from(run_ok(Command::new(&podman).args(["image", "mount", &tag])).trim());
        Self {
            podman,
            tag,
            root,
            config: inspect[0].clone(),
        }
    }

    fn strings(&self, key: &str) -> Vec<String> {
        self.config["Config"][key]
            .as_array()
            .unwrap_or_else(|| panic!("image config has no {key}: {:#}", self.config["Config"]))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    /// Runs `argv` from the image as its runtime would: in a mount and network namespace of its
    /// own (loopback up), with `binds` (host path, image path) mounted over the image, chrooted
    /// into the image as its user, with exactly its environment.
    fn run(&self, binds: &[(&Path, &str)], argv: &[String]) -> Contained {
        let user = self.config["Config"]["User"]
            .as_str()
            .expect("the image names its user");
        let quote = |path: &Path| {
            let text = path.display().to_string();
            assert!(!text.contains('\''), "{text}: a quote in a path");
            format!("'{text}'")
        };
        // Absolute paths: the environment is the image's, and its PATH has none of these.
        let (ip, mount, chroot) = (
            require("ip", "iproute2"),
            require("mount", "mount"),
            require("chroot", "coreutils"),
        );
        let mut script = format!("set -e; {} link set lo up; ", quote(&ip));
        for (source, target) in binds {
            let target = self.root.join(target.trim_start_matches('/'));
            script.push_str(&format!(
                "{} --bind {} {}; ",
                quote(&mount),
                quote(source),
                quote(&target)
            ));
        }
        script.push_str(&format!(
            "exec {} --userspec={user} {} \"$@\"",
            quote(&chroot),
            quote(&self.root)
        ));
        let mut command = Command::new(require("unshare", "util-linux"));
        command
            .args([
                "--mount",
                "--net",
                "--propagation",
                "private",
                "--",
                "/bin/sh",
                "-c",
                &script,
                "sh",
            ])
            .args(argv)
            .env_clear()
            .envs(self.strings("Env").iter().map(|kv| kv.split_once('=').unwrap()))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start the image's entrypoint");
        let stderr = child.stderr.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(
            first.starts_with("listening on http://"),
            "the image's host did not start: {first:?}\n{}",
            log.lock().unwrap().join("\n")
        );
        Contained {
            child,
            root: self.root.clone(),
            log,
        }
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        let _ = Command::new(&self.podman)
            .args(["image", "unmount", &self.tag])
            .output();
        let _ = Command::new(&self.podman).args(["rmi", "--force", &self.tag]).output();
    }
}

/// The host running from the image; killed when dropped (its namespaces go with it).
struct Contained {
    child: Child,
    root: PathBuf,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Contained {
    /// Runs `argv` from the image (chrooted, as root is not needed) inside the host's network
    /// namespace: how a runtime runs a HEALTHCHECK, and how a kubelet reaches a probe's port.
    fn exec(&self, argv: &[&str]) -> std::process::Output {
        Command::new(require("nsenter", "util-linux"))
            .args(["--target", &self.child.id().to_string(), "--net", "--"])
            .arg(require("chroot", "coreutils"))
            .arg(&self.root)
            .args(argv)
            .env_clear()
            .output()
            .expect("run nsenter")
    }

    /// GETs `path` on `port` with the image's own wget; the body once it answers 200.
    fn get(&self, port: u16, path: &str) -> String {
        let url = format!("http://127.0.0.1:{port}{path}");
        wait_until(
            &format!("{url} to answer 200 in the image's network namespace"),
            PATIENCE,
            || {
                let out = self.exec(&["/bin/wget", "-q", "-O", "-", &url]);
                out.status
                    .success()
                    .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
            },
        )
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    fn stop(mut self) {
        run_ok(Command::new("kill").args(["-TERM", &self.child.id().to_string()]));
        let status = wait_until("the image's host to exit after SIGTERM", PATIENCE, || {
            self.child.try_wait().ok().flatten()
        });
        assert!(status.success(), "exit {status:?}:\n{}", self.log());
    }
}

impl Drop for Contained {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder the image's user (10001) owns, for a volume.
fn volume(parent: &Path, name: &str, uid: u32) -> PathBuf {
    let path = parent.join(name);
    std::fs::create_dir(&path).unwrap();
    std::os::unix::fs::chown(&path, Some(uid), Some(uid)).unwrap();
    path
}

#[test]
fn the_image_runs_its_host_as_docker_and_kubernetes_would() {
    let image = Image::build();
    let config = &image.config["Config"];

    // What the Dockerfile promises: a non-root user, the volumes, the port, the healthcheck.
    assert_eq!(config["User"], "10001:10001");
    let uid = 10001;
    let entrypoint = image.strings("Entrypoint");
    assert_eq!(entrypoint, ["/usr/local/bin/strategy-host"]);
    assert_eq!(
        image.strings("Cmd"),
        ["run", "--config", "/etc/strategy-host/host.toml"]
    );
    let volumes: Vec<&String> = config["Volumes"].as_object().expect("volumes").keys().collect();
    assert_eq!(volumes, ["/data", "/strategies"]);
    assert!(config["ExposedPorts"].get("9898/tcp").is_some(), "{config:#}");
    // podman shows a Docker-format image's healthcheck beside its config, docker inside it.
    let health = ["Healthcheck", "HealthCheck"]
        .iter()
        .find_map(|key| {
            image.config[key]["Test"]
                .as_array()
                .or_else(|| config[key]["Test"].as_array())
        })
        .unwrap_or_else(|| panic!("no healthcheck: {:#}", image.config))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(health[0], "CMD");
    assert!(health.iter().any(|a| a.ends_with(":9898/health")), "{health:?}");
    // Nothing in the image but the host, its libraries, busybox and the host's files.
    assert!(!image.root.join("bin/sh").exists(), "the image has a shell");
    assert!(image.root.join("opt/strategy-host/examples/grid.wasm").is_file());

    // Run 1, as `docker run` / compose: fresh volumes (a named volume starts as a copy of the
    // image's folder), the image's entrypoint and command unchanged.
    let dir = tempfile::tempdir().unwrap();
    let data = volume(dir.path(), "data", uid);
    let strategies = volume(dir.path(), "strategies", uid);
    for entry in std::fs::read_dir(image.root.join("strategies")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), strategies.join(entry.file_name())).unwrap();
    }
    let argv: Vec<String> = entrypoint.iter().chain(&image.strings("Cmd")).cloned().collect();
    let host = image.run(&[(&data, "/data"), (&strategies, "/strategies")], &argv);

    // The image's own HEALTHCHECK command passes; the same command against a closed port fails.
    let healthcheck: Vec<&str> = health[1..].iter().map(String::as_str).collect();
    wait_until("the image's HEALTHCHECK to pass", PATIENCE, || {
        host.exec(&healthcheck).status.success().then_some(())
    });
    let elsewhere: Vec<String> = healthcheck.iter().map(|a| a.replace(":9898/", ":9899/")).collect();
    let elsewhere: Vec<&str> = elsewhere.iter().map(String::as_str).collect();
    assert!(!host.exec(&elsewhere).status.success(), "the healthcheck cannot fail");

    let ready: Value = serde_json::from_str(&host.get(9898, "/ready")).unwrap();
    assert_eq!(ready["ready"], true);
    let status: Value = serde_json::from_str(&host.get(9898, "/status")).unwrap();
    assert_eq!(status["strategies"][0]["name"], "sma-cross", "{status:#}");
    // An operator drops a strategy into the running container's volume; the host picks it up.
    std::fs::copy(
        image.root.join("opt/strategy-host/examples/grid.wasm"),
        strategies.join("grid.wasm"),
    )
    .unwrap();
    wait_until("grid to be loaded from the volume", PATIENCE, || {
        let status: Value = serde_json::from_str(&host.get(9898, "/status")).ok()?;
        status["strategies"]
            .as_array()?
            .iter()
            .any(|s| s["name"] == "grid" && s["state"] == "running")
            .then_some(())
    });
    let metrics = host.get(9898, "/metrics");
    assert!(
        metrics.contains("strategy_host_strategy_events_total{strategy=\"grid\"}"),
        "{metrics}"
    );
    host.stop();
    // The book and the compiled components went to the data volume, written as the image's user.
    let book = data.join("strategy-host.db");
    assert_eq!(std::fs::metadata(&book).expect("the book on /data").uid(), uid);
    assert!(data.join("cache").is_dir(), "no component cache on /data");

    // Run 2, as the StatefulSet: its ConfigMap over the config, its args, its probes.
    let objects: Vec<Value> = ["statefulset.yaml", "configmap.yaml"]
        .iter()
        .flat_map(|f| yaml_documents(&deploy_dir().join("k8s").join(f)))
        .collect();
    let sts = objects.iter().find(|o| o["kind"] == "StatefulSet").unwrap();
    let config_map = objects.iter().find(|o| o["kind"] == "ConfigMap").unwrap();
    let container = &sts["spec"]["template"]["spec"]["containers"][0];
    let config_file = dir.path().join("host.toml");
    std::fs::write(&config_file, config_map["data"]["host.toml"].as_str().unwrap()).unwrap();
    let k8s_data = volume(dir.path(), "k8s-data", uid);
    let k8s_strategies = volume(dir.path(), "k8s-strategies", uid);
    std::fs::copy(support::wasm("sma_cross"), k8s_strategies.join("sma-cross.wasm")).unwrap();
    let args: Vec<String> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let argv: Vec<String> = entrypoint.iter().chain(&args).cloned().collect();
    let host = image.run(
        &[
            (&k8s_data, "/data"),
            (&k8s_strategies, "/strategies"),
            (&config_file, "/etc/strategy-host/host.toml"),
        ],
        &argv,
    );
    let port_of = |name: &Value| -> u16 {
        let ports = container["ports"].as_array().unwrap();
        let port = ports
            .iter()
            .find(|p| &p["name"] == name)
            .unwrap_or_else(|| panic!("no port {name}"));
        port["containerPort"].as_u64().unwrap() as u16
    };
    for probe in ["livenessProbe", "readinessProbe"] {
        let get = &container[probe]["httpGet"];
        host.get(port_of(&get["port"]), get["path"].as_str().unwrap());
    }
    host.stop();
}

//! deploy/'s compose file, Kubernetes manifests and Dockerfiles, read by real parsers (PyYAML
//! for the YAML, the host's own config loader for the TOML) and checked against each other and
//! against the files they name: services, ports, volumes, the scrape target, Grafana's
//! provisioning paths, probes, security settings. (No Docker engine or cluster runs here;
//! deploy_image.rs builds the image and runs the host from it.)

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use strategy_host::config::{Config, RawConfig};

use crate::support::deploy::{deploy_dir, yaml, yaml_documents};

/// A config file read and checked the way `strategy-host run --config` does.
fn host_config(path: &Path) -> Config {
    RawConfig::from_file(path)
        .and_then(|raw| raw.resolve(&path.display().to_string()))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn host_config_text(text: &str, name: &str) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    host_config(&path)
}

/// The instructions of a Dockerfile (continuation lines joined, comments dropped).
fn instructions(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(line);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// The runtime image settings both Dockerfiles share: USER, VOLUME, EXPOSE, HEALTHCHECK, ...
fn runtime_settings(instructions: &[String]) -> Vec<String> {
    let first = instructions
        .iter()
        .position(|i| i.starts_with("USER "))
        .expect("a USER instruction");
    instructions[first..].to_vec()
}

#[test]
fn both_dockerfiles_make_the_same_runtime_image() {
    let dir = deploy_dir();
    let multi = instructions(&dir.join("Dockerfile"));
    let local = instructions(&dir.join("image/runtime.Containerfile"));
    let froms: Vec<&String> = multi.iter().filter(|i| i.starts_with("FROM ")).collect();
    assert_eq!(
        froms.len(),
        2,
        "deploy/Dockerfile: a build stage and a runtime stage: {froms:?}"
    );
    assert!(froms[1].starts_with("FROM scratch"), "{froms:?}");
    assert!(
        multi.iter().any(|i| i.contains("deploy/image/stage-rootfs.sh /rootfs")),
        "deploy/Dockerfile's build stage must assemble the runtime filesystem with stage-rootfs.sh"
    );
    assert_eq!(runtime_settings(&multi), runtime_settings(&local));
    assert_eq!(local[0], "FROM scratch");
    // The image's default config is a valid host config that puts everything on the volumes.
    let settings = runtime_settings(&local);
    assert!(settings.contains(&"USER 10001:10001".to_owned()), "{settings:?}");
    assert!(
        settings.contains(&"VOLUME [\"/data\", \"/strategies\"]".to_owned()),
        "{settings:?}"
    );
    let config = host_config(&dir.join("host.toml"));
    assert_eq!(config.strategies_dir, Path::new("/strategies"));
    assert!(config.db.starts_with("/data"), "{:?}", config.db);
    assert!(
        config.cache_dir.as_ref().is_some_and(|c| c.starts_with("/data")),
        "{:?}",
        config.cache_dir
    );
    assert!(
        settings.contains(&format!("EXPOSE {}", config.listen.port())),
        "{settings:?}"
    );
    assert!(
        config.listen.ip().is_unspecified(),
        "inside a container the host must listen on all addresses"
    );
}

/// `host:container` of a compose port or volume entry (an IP prefix of a port dropped).
fn mapping(entry: &Value) -> (String, String) {
    let text = entry.as_str().expect("short syntax");
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [ip, host, container] if ip.parse::<std::net::IpAddr>().is_ok() => (host.to_string(), container.to_string()),
        [host, container] | [host, container, _] => (host.to_string(), container.to_string()),
        _ => panic!("unexpected mapping {text}"),
    }
}

#[test]
fn the_compose_file_wires_the_host_prometheus_and_grafana_together() {
    let dir = deploy_dir();
    let compose = yaml(&dir.join("docker-compose.yml"));
    let services = compose["services"].as_object().expect("services");
    let names: BTreeSet<&str> = services.keys().map(String::as_str).collect();
    assert_eq!(names, BTreeSet::from(["grafana", "prometheus", "strategy-host"]));
    let declared: BTreeSet<&str> = compose["volumes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let volumes = |service: &str| -> Vec<(String, String)> {
        services[service]["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .map(mapping)
            .collect()
    };
    for (service, def) in services {
        for (source, target) in volumes(service) {
            if source.starts_with('.') {
                assert!(
                    dir.join(&source).exists(),
                    "{service}: mounts {source}, which does not exist"
                );
            } else {
                assert!(
                    declared.contains(source.as_str()),
                    "{service}: volume {source} not declared"
                );
            }
            assert!(target.starts_with('/'), "{service}: {target}");
        }
        for port in def["ports"].as_array().unwrap() {
            assert!(
                port.as_str().unwrap().starts_with("127.0.0.1:"),
                "{service}: {port} is open to the network"
            );
        }
    }

    // The host: built by deploy/Dockerfile, its port and volumes those of its image and config.
    let host = &services["strategy-host"];
    assert!(dir
        .join(host["build"]["context"].as_str().unwrap())
        .join(host["build"]["dockerfile"].as_str().unwrap())
        .is_file());
    let config = host_config(&dir.join("host.toml"));
    let host_port = config.listen.port().to_string();
    assert_eq!(mapping(&host["ports"][0]).1, host_port);
    let host_targets: BTreeSet<String> = volumes("strategy-host").into_iter().map(|(_, t)| t).collect();
    assert!(host_targets.contains("/strategies") && config.strategies_dir == Path::new("/strategies"));
    assert!(
        host_targets.iter().any(|t| config.db.starts_with(t)),
        "the book {:?} is on no volume",
        config.db
    );
    assert!(dir.join(".env.example").is_file());

    // Prometheus: its mounted config scrapes the host service on the host's port, and every
    // rule file it names is mounted beside it.
    let prometheus = volumes("prometheus");
    let (config_source, config_target) = prometheus
        .iter()
        .find(|(_, t)| t == "/etc/prometheus/prometheus.yml")
        .expect("prometheus.yml mounted");
    let scrape = yaml(&dir.join(config_source));
    let target = scrape["scrape_configs"][0]["static_configs"][0]["targets"][0]
        .as_str()
        .unwrap();
    assert_eq!(target, format!("strategy-host:{host_port}"));
    let config_dir = Path::new(config_target).parent().unwrap();
    for rule_file in scrape["rule_files"].as_array().unwrap() {
        let wanted = config_dir.join(rule_file.as_str().unwrap());
        assert!(
            prometheus.iter().any(|(_, t)| Path::new(t) == wanted),
            "{} is not mounted into the prometheus container",
            wanted.display()
        );
    }

    // Grafana: provisioning is mounted where Grafana reads it, the dashboard provider's path is
    // where the dashboards are mounted, and the data source is the prometheus service.
    let grafana = volumes("grafana");
    let mounted_at = |target: &str| grafana.iter().find(|(_, t)| t == target).map(|(s, _)| dir.join(s));
    let provisioning =
        mounted_at("/etc/grafana/provisioning").expect("provisioning mounted at /etc/grafana/provisioning");
    let providers = yaml(&provisioning.join("dashboards/strategy-host.yml"));
    let dashboards_path = providers["providers"][0]["options"]["path"].as_str().unwrap();
    let dashboards = mounted_at(dashboards_path).unwrap_or_else(|| panic!("nothing mounted at {dashboards_path}"));
    let dashboard_file = dashboards.join("strategy-host.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(&dashboard_file).unwrap()).unwrap();
    let home = services["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
        .as_str()
        .unwrap();
    assert_eq!(Path::new(home), Path::new(dashboards_path).join("strategy-host.json"));
    let sources = yaml(&provisioning.join("datasources/prometheus.yml"));
    let source = &sources["datasources"][0];
    let prometheus_port = mapping(&services["prometheus"]["ports"][0]).1;
    assert_eq!(source["url"], format!("http://prometheus:{prometheus_port}"));
    let variable = dashboard["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "datasource")
        .expect("a datasource variable");
    assert_eq!(variable["current"]["value"], source["uid"]);
}

#[test]
fn the_kubernetes_manifests_agree_with_each_other_and_with_the_host() {
    let dir = deploy_dir().join("k8s");
    let kustomization = yaml(&dir.join("kustomization.yaml"));
    let mut objects = Vec::new();
    let resources: BTreeSet<&str> = kustomization["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f != "kustomization.yaml")
        .collect();
    assert_eq!(
        resources,
        on_disk.iter().map(String::as_str).collect(),
        "kustomization.yaml resources vs k8s/"
    );
    for file in &resources {
        objects.extend(yaml_documents(&dir.join(file)));
    }
    let find = |kind: &str| -> &Value {
        objects
            .iter()
            .find(|o| o["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind}"))
    };
    let sts = find("StatefulSet");
    let service = find("Service");
    let config_map = find("ConfigMap");
    let monitor = find("ServiceMonitor");
    let pod = &sts["spec"]["template"];
    let container = &pod["spec"]["containers"][0];

    // The ConfigMap's host.toml is a valid config; it listens on the container's port.
    let config = host_config_text(config_map["data"]["host.toml"].as_str().unwrap(), "configmap-host.toml");
    let port = config.listen.port();
    let http = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "http")
        .expect("port http");
    assert_eq!(http["containerPort"], port);
    assert_eq!(pod["metadata"]["annotations"]["prometheus.io/port"], port.to_string());
    assert_eq!(pod["metadata"]["annotations"]["prometheus.io/path"], "/metrics");

    // Probes: liveness on /health, readiness on /ready, both on the http port
    // (deploy_image.rs asks the host in the image for each).
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/health");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/ready");
    for probe in ["livenessProbe", "readinessProbe"] {
        assert_eq!(container[probe]["httpGet"]["port"], "http", "{probe}");
    }

    // The Service governs the StatefulSet, selects its pods, and the ServiceMonitor scrapes it.
    assert_eq!(sts["spec"]["serviceName"], service["metadata"]["name"]);
    let pod_labels = pod["metadata"]["labels"].as_object().unwrap();
    for selector in [&sts["spec"]["selector"]["matchLabels"], &service["spec"]["selector"]] {
        for (key, value) in selector.as_object().unwrap() {
            assert_eq!(
                pod_labels.get(key),
                Some(value),
                "selector {key}={value} does not match the pod"
            );
        }
    }
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");
    for (key, value) in monitor["spec"]["selector"]["matchLabels"].as_object().unwrap() {
        assert_eq!(&service["metadata"]["labels"][key], value);
    }
    assert_eq!(monitor["spec"]["endpoints"][0]["port"], "http");
    assert_eq!(monitor["spec"]["endpoints"][0]["path"], "/metrics");
    // The alerts match job="strategy-host": the Operator names the job after the Service.
    assert_eq!(service["metadata"]["name"], "strategy-host");

    // Volumes: the book and the strategies on claims of their own, the config from the ConfigMap
    // where the image's command reads it.
    let mounts: Vec<(&str, &str)> = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap(), m["mountPath"].as_str().unwrap()))
        .collect();
    let claims: BTreeSet<&str> = sts["spec"]["volumeClaimTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["metadata"]["name"].as_str().unwrap())
        .collect();
    let mount_of = |path: &Path| mounts.iter().find(|(_, m)| path.starts_with(m)).map(|(n, _)| *n);
    assert!(
        claims.contains(mount_of(&config.db).expect("the book is mounted")),
        "the book is not on a claim"
    );
    assert!(claims.contains(mount_of(&config.strategies_dir).expect("strategies mounted")));
    let cache = config
        .cache_dir
        .as_ref()
        .expect("a cache dir: the root filesystem is read-only");
    assert!(claims.contains(mount_of(cache).expect("the cache is mounted")));
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let config_path = Path::new(args[args.iter().position(|a| *a == "--config").unwrap() + 1]);
    let config_volume = mount_of(config_path).expect("the config is mounted");
    let volume = pod["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == config_volume)
        .unwrap();
    assert_eq!(volume["configMap"]["name"], config_map["metadata"]["name"]);
    assert_eq!(config_path.file_name().unwrap(), "host.toml");

    // Non-root, read-only root filesystem, no privileges, resources bounded.
    let pod_security = &pod["spec"]["securityContext"];
    assert_eq!(pod_security["runAsNonRoot"], true);
    assert_eq!(pod_security["runAsUser"], 10001, "the image's user");
    let security = &container["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"][0], "ALL");
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(
                container["resources"][kind][resource].is_string(),
                "no {kind}.{resource}"
            );
        }
    }
}

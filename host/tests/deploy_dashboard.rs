//! The Grafana dashboard against a real Prometheus scraping a real host (Grafana itself is not
//! in Debian's packages): every panel's query and every variable's is accepted by Prometheus's
//! query API and answers with data, and names only metrics the host exports or recording rules
//! deploy/prometheus/rules.yml defines.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::deploy_prometheus::{copy_rules, test_prometheus_config};
use crate::support::deploy::{deploy_dir, url_encode, yaml, Prometheus};
use crate::support::{self, wait_until, write_file, RunningHost};

const PATIENCE: Duration = Duration::from_secs(90);

/// Grafana's variables as a query over every host and strategy would have them.
fn expand_variables(expr: &str) -> String {
    expr.replace("$__rate_interval", "15s")
        .replace("$instance", ".*")
        .replace("$strategy", ".*")
}

/// The metric names an expression uses: identifiers outside string literals, range brackets
/// and label matchers, that are not PromQL functions, keywords or label names after `by`.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut chars = expr.char_indices().peekable();
    let mut depth_brace = 0;
    let mut in_grouping = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, c)) = chars.next() {
                    if c == '\\' {
                        chars.next();
                    } else if c == '"' {
                        break;
                    }
                }
            }
            '{' => depth_brace += 1,
            '}' => depth_brace -= 1,
            '[' => {
                for (_, c) in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                }
            }
            ')' => in_grouping = false,
            // A number, like 0.99 or 1e-3: not a name.
            c if c.is_ascii_digit() => {
                while chars.next_if(|&(_, c)| c.is_ascii_alphanumeric() || c == '.').is_some() {}
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == ':' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, c)) = chars.peek() {
                    if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
                        end = j + c.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &expr[i..end];
                let rest = expr[end..].trim_start();
                // Aggregations may put their grouping before the parenthesis: `sum by (x) (...)`.
                let keyword = matches!(
                    word,
                    "and"
                        | "or"
                        | "unless"
                        | "bool"
                        | "offset"
                        | "sum"
                        | "avg"
                        | "min"
                        | "max"
                        | "count"
                        | "group"
                        | "stddev"
                        | "stdvar"
                        | "topk"
                        | "bottomk"
                        | "quantile"
                        | "count_values"
                );
                if matches!(
                    word,
                    "by" | "without" | "on" | "ignoring" | "group_left" | "group_right"
                ) {
                    in_grouping = true;
                } else if depth_brace == 0 && !in_grouping && !keyword && !rest.starts_with('(') {
                    names.insert(word.to_owned());
                }
            }
            _ => {}
        }
    }
    names
}

#[test]
fn metric_names_reads_promql() {
    let names = metric_names(
        "histogram_quantile(0.99, sum by (instance, le) (rate(strategy_host_x_bucket{a=\"b c\", d=~\"$e\"}[5m]))) > 0",
    );
    assert_eq!(names, BTreeSet::from(["strategy_host_x_bucket".to_owned()]));
    assert_eq!(
        metric_names("a:b:c{x=\"1\"} / on (x) up"),
        BTreeSet::from(["a:b:c".to_owned(), "up".to_owned()])
    );
}

#[test]
fn every_dashboard_query_is_accepted_and_answered_by_prometheus() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    for (file, crate_name) in [("sma-cross", "sma_cross"), ("grid", "grid"), ("faulty", "hostile")] {
        std::fs::copy(support::wasm(crate_name), strategies.join(format!("{file}.wasm"))).unwrap();
    }
    // Something for every panel to show, and still moving while Prometheus watches (a rate
    // needs two scrapes apart): faulty traps every 40 bars; each sma-cross signal (0.1 BTC,
    // over $300 at any price of the sample) is refused by max_order_notional, while grid's
    // 0.01 BTC orders pass (until BTC/USD tops $30,000, bars later than this test gets to),
    // fill and make positions.
    let config = write_file(
        dir.path(),
        "host.toml",
        "[sandbox]\ncall_deadline_ms = 2000\n[risk]\nmax_order_notional = 300\n\
         [strategies.faulty]\nparams = { mode = \"panic-every\", every = 40 }\n",
    );
    let host = RunningHost::start(dir.path(), &config, 50, "warn", &[]);
    host.wait_ready(PATIENCE);
    copy_rules(dir.path(), false);
    let prometheus = Prometheus::start(&test_prometheus_config(&host.addr), dir.path());

    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(deploy_dir().join("grafana/dashboards/strategy-host.json")).unwrap(),
    )
    .expect("the dashboard is JSON");
    let mut queries = Vec::new();
    let mut panels: Vec<&serde_json::Value> = dashboard["panels"].as_array().unwrap().iter().collect();
    while let Some(panel) = panels.pop() {
        panels.extend(panel["panels"].as_array().into_iter().flatten());
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().expect("every target has an expr");
            queries.push((panel["title"].as_str().unwrap().to_owned(), expr.to_owned()));
        }
        if panel["type"] != "row" {
            assert_eq!(
                panel["datasource"]["uid"], "${datasource}",
                "{}: data source",
                panel["title"]
            );
        }
    }
    assert!(queries.len() >= 15, "only {} queries found", queries.len());

    // What may be named: the host's metric families (a histogram's series too), `up`, and the
    // recording rules, whose own expressions may name only the host's metrics.
    let exposition = host.metrics();
    let mut exported: BTreeSet<String> = BTreeSet::from(["up".to_owned()]);
    for line in exposition.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            exported.insert(name.to_owned());
            if kind == "histogram" {
                for suffix in ["_bucket", "_sum", "_count"] {
                    exported.insert(format!("{name}{suffix}"));
                }
            }
        }
    }
    let rules = yaml(&deploy_dir().join("prometheus/rules.yml"));
    let mut recorded = BTreeSet::new();
    for rule in rules["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
    {
        let record = rule["record"].as_str().unwrap();
        for name in metric_names(rule["expr"].as_str().unwrap()) {
            assert!(
                exported.contains(&name),
                "recording rule {record} uses {name}, which the host does not export"
            );
        }
        recorded.insert(record.to_owned());
    }
    for (title, expr) in &queries {
        for name in metric_names(expr) {
            assert!(
                exported.contains(&name) || recorded.contains(&name),
                "panel {title:?} queries {name}: neither a metric of the host ({exposition_families}) nor a recording rule",
                exposition_families = exported.len()
            );
        }
    }

    // Prometheus accepts each query, and each finds data once scrapes and rules have run.
    for (title, expr) in &queries {
        let expr = expand_variables(expr);
        wait_until(&format!("data for panel {title:?}: {expr}"), PATIENCE, || {
            (!prometheus.query(&expr).is_empty()).then_some(())
        });
    }
    // The variables' label_values(selector, label): the selector finds series with the label.
    for variable in dashboard["templating"]["list"].as_array().unwrap() {
        let Some(query) = variable["query"]["query"].as_str() else {
            continue;
        };
        let inner = query
            .strip_prefix("label_values(")
            .and_then(|q| q.strip_suffix(')'))
            .unwrap_or_else(|| panic!("variable {}: unexpected query {query}", variable["name"]));
        let (selector, label) = inner.rsplit_once(',').unwrap();
        let selector = expand_variables(selector.trim());
        let series = prometheus.api(&format!("/api/v1/series?match[]={}", url_encode(&selector)));
        let values: BTreeSet<&str> = series["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s[label.trim()].as_str())
            .collect();
        assert!(
            !values.is_empty(),
            "variable {}: {selector} has no {label}",
            variable["name"]
        );
        if variable["name"] == "strategy" {
            assert_eq!(values, BTreeSet::from(["faulty", "grid", "sma-cross"]));
        }
    }
}

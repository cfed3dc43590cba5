//! What a strategy said, read from the host's log: the `orders` test guest turns every answer
//! and order update into a decision (`step <n> <what> -> <answer>`,
//! `update <order id> <status> filled=<qty> remaining=<qty> fill=<qty>@<price>`).

use std::time::Duration;

use rust_decimal::Decimal;

use super::{wait_until, RunningHost};

/// The text of each decision `strategy` made (every strategy's when `None`), in order.
pub fn decisions(host: &RunningHost, strategy: Option<&str>) -> Vec<String> {
    host.log()
        .iter()
        .filter(|line| strategy.is_none_or(|name| line.contains(&format!("strategy={name}"))))
        .filter_map(|line| line.split_once("decision: ").map(|(_, text)| text.to_owned()))
        .collect()
}

pub fn wait_for_decision(host: &RunningHost, starting: &str) -> String {
    wait_until(&format!("the decision {starting:?}"), Duration::from_secs(60), || {
        decisions(host, None)
            .into_iter()
            .find(|text| text.starts_with(starting))
    })
}

/// An order update a strategy reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub id: String,
    pub status: String,
    pub filled: Decimal,
    pub remaining: Decimal,
}

pub fn updates(host: &RunningHost, strategy: Option<&str>) -> Vec<Update> {
    decisions(host, strategy)
        .iter()
        .filter_map(|text| {
            let mut words = text.strip_prefix("update ")?.split_whitespace();
            Some(Update {
                id: words.next()?.to_owned(),
                status: words.next()?.to_owned(),
                filled: words.next()?.strip_prefix("filled=")?.parse().ok()?,
                remaining: words.next()?.strip_prefix("remaining=")?.parse().ok()?,
            })
        })
        .collect()
}

/// Waits for an update that `matches` and returns its order id.
pub fn wait_for_update(host: &RunningHost, what: &str, matches: impl Fn(&Update) -> bool) -> String {
    wait_until(what, Duration::from_secs(60), || {
        updates(host, None).into_iter().find(|u| matches(u)).map(|u| u.id)
    })
}

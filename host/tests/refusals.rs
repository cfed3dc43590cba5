//! What a strategy is told when risk refuses its order: the stable code, and a message for
//! people that does not repeat it (the SDK shows them as `code: message`).

use strategy_host::runtime::CpuBudget;
use trading::market::MarketEvent;

use crate::support::{walk, Harness};

/// The `field: "..."` of a `Reject`'s `Debug` text.
fn field<'a>(debug: &'a str, name: &str) -> &'a str {
    let start = debug
        .find(&format!("{name}: \""))
        .unwrap_or_else(|| panic!("no {name} in {debug}"))
        + name.len()
        + 3;
    let len = debug[start..].find('"').unwrap();
    &debug[start..start + len]
}

#[test]
fn a_refused_order_carries_its_code_once() {
    let h = Harness::new(CpuBudget::deterministic());
    let bars = walk(2).into_iter().map(MarketEvent::Candle).collect();
    // A million units: far beyond the default cash and order notional.
    let run = h.replay(&[("orders", "sizer", r#"{"size": "1000000"}"#)], bars);
    let step = run
        .reasonings_of("sizer")
        .into_iter()
        .map(|(_, reasoning)| reasoning)
        .find(|reasoning| reasoning.starts_with("step 1 rest -> Err("))
        .expect("the first order refused");
    let code = field(step, "code");
    let message = field(step, "message");
    assert!(!code.is_empty() && !message.is_empty(), "{step}");
    assert!(!message.contains(code), "the message repeats the code: {step}");
}

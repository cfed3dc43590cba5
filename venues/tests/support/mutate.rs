//! Mutations of venue messages for the robustness property tests, whatever the venue: hostile
//! tokens to splice in, values of every JSON type to put where another belongs, and a walk
//! that replaces or removes one value deep inside a message. Included by each venue's test
//! binary with `#[path]`.

use serde_json::Value;

/// Tokens that break parsers: huge and odd numbers, escapes, nesting, wrong types.
pub const HOSTILE: &[&str] = &[
    "1e999999",
    "-1e-999999",
    "123456789012345678901234567890123456789012345678901234567890",
    "0.0000000000000000000000000000000000001",
    "-0",
    "NaN",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"\\x41\"",
    "\"\u{10FFFF}\"",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":{\"a\":",
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
    ",",
    "\"2023-02-30T25:61:61Z\"",
    "\"XBT/\"",
    "18446744073709551616",
    "-9223372036854775809",
];

/// A JSON value of each type, to put where another type belongs.
pub fn replacement(choice: u8) -> Value {
    match choice % 10 {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => Value::String("x".into()),
        3 => Value::String("2023-10-06T17:35:55.440295Z".into()),
        4 => serde_json::from_str("1e300").unwrap_or(Value::Null),
        5 => Value::Array(vec![Value::Null]),
        6 => serde_json::json!({"price": "1", "qty": -1}),
        7 => serde_json::json!(-1),
        8 => serde_json::json!(u64::MAX),
        _ => serde_json::json!(0.5),
    }
}

/// Replaces (or, with `drop`, removes) the value found by following `steps` into `value`.
pub fn mutate(value: &mut Value, steps: &[usize], new: Value, drop: bool) {
    let Some((&step, rest)) = steps.split_first() else {
        *value = new;
        return;
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let Some(key) = map.keys().nth(step % map.len()).cloned() else {
                return;
            };
            match (rest.is_empty(), drop) {
                (true, true) => drop_key(map, &key),
                (true, false) => {
                    map.insert(key, new);
                }
                (false, _) => {
                    if let Some(next) = map.get_mut(&key) {
                        mutate(next, rest, new, drop);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let at = step % items.len();
            match (rest.is_empty(), drop) {
                (true, true) => {
                    items.remove(at);
                }
                (_, _) => {
                    if let Some(next) = items.get_mut(at) {
                        mutate(next, rest, new, drop);
                    }
                }
            }
        }
        other => *other = new,
    }
}

fn drop_key(map: &mut serde_json::Map<String, Value>, key: &str) {
    map.remove(key);
}

/// `text` with the byte at each `(at, byte)` overwritten, read back as (lossy) text.
pub fn flip_bytes(text: &str, flips: &[(proptest::sample::Index, u8)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for (at, byte) in flips {
        if !bytes.is_empty() {
            let i = at.index(bytes.len());
            bytes[i] = *byte;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `text` with up to `cut` bytes from `at` replaced by `token`, cut on character boundaries
/// only so the result stays text.
pub fn splice(text: &str, at: &proptest::sample::Index, cut: usize, token: &str) -> String {
    let start = at.index(text.len() + 1);
    let start = (0..=start).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let end = (start + cut).min(text.len());
    let end = (end..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    format!("{}{}{}", &text[..start], token, &text[end..])
}

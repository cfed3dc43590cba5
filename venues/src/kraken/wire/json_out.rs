//! A minimal JSON object writer for requests: exact decimals written as JSON numbers with
//! their own text (`1.25000000`), and no way to fail, so request builders return `String`.
//!
//! serde_json could serialize the requests, but without `arbitrary_precision` it writes a
//! decimal either as a string or through `f64`, and its `Result` would surface in every
//! builder for errors that cannot happen.

use std::fmt::Write as _;

use rust_decimal::Decimal;

/// Writes one JSON object, member by member.
pub(crate) struct JsonObject {
    out: String,
    empty: bool,
}

impl JsonObject {
    pub(crate) fn new() -> Self {
        Self {
            out: String::from("{"),
            empty: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        push_string(&mut self.out, key);
        self.out.push(':');
    }

    pub(crate) fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        push_string(&mut self.out, value);
        self
    }

    pub(crate) fn decimal(&mut self, key: &str, value: Decimal) -> &mut Self {
        self.key(key);
        // `Decimal`'s `Display` is plain positional notation with its scale: a valid JSON
        // number, exactly the decimal's digits.
        let _ = write!(self.out, "{value}");
        self
    }

    pub(crate) fn u64(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        let _ = write!(self.out, "{value}");
        self
    }

    pub(crate) fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    pub(crate) fn strs<'a>(&mut self, key: &str, values: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.key(key);
        self.out.push('[');
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_string(&mut self.out, value);
        }
        self.out.push(']');
        self
    }

    pub(crate) fn i64s(&mut self, key: &str, values: &[i64]) -> &mut Self {
        self.key(key);
        self.out.push('[');
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            let _ = write!(self.out, "{value}");
        }
        self.out.push(']');
        self
    }

    pub(crate) fn object(&mut self, key: &str, value: JsonObject) -> &mut Self {
        self.key(key);
        self.out.push_str(&value.finish());
        self
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Appends `text` as a JSON string, escaping quotes, backslashes and control characters.
fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_json_with_exact_numbers() {
        let mut inner = JsonObject::new();
        inner
            .decimal("qty", "1.25000000".parse().unwrap())
            .str("id", "a\"b\\c\u{1}\n");
        let mut outer = JsonObject::new();
        outer
            .str("method", "x")
            .object("params", inner)
            .u64("req_id", 7)
            .bool("ok", false)
            .strs("s", ["A", "B"]);
        let text = outer.finish();
        assert_eq!(
            text,
            r#"{"method":"x","params":{"qty":1.25000000,"id":"a\"b\\c\u0001\n"},"req_id":7,"ok":false,"s":["A","B"]}"#
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["params"]["id"], "a\"b\\c\u{1}\n");
    }
}

//! Typed parsing of venue JSON that names the failing field's path (`data[0].bids[3].price`),
//! whatever the venue: each venue's error type wraps a [`FieldError`] with its own message name.

use serde::Deserialize;

/// Where a JSON text failed to read as the expected type, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    /// The JSON path of the field (`data[0].checksum`; `.` for the whole text).
    pub(crate) path: String,
    /// What was expected there and what was found.
    pub(crate) reason: String,
}

/// Deserializes `json` as `T`; on failure names the field's path, `path_prefix` first (the
/// caller's position of `json` inside a larger message, `""` at the top).
///
/// Tracking the path costs an allocation per object key, so the text is parsed plainly first
/// and only a failure is parsed again, with tracking, to name the field: errors are rare and
/// the same text always fails at the same place.
pub(crate) fn parse_at<'a, T: Deserialize<'a>>(path_prefix: &str, json: &'a str) -> Result<T, FieldError> {
    match serde_json::from_str(json) {
        Ok(value) => Ok(value),
        Err(plain) => Err(locate::<T>(path_prefix, json, plain)),
    }
}

fn locate<'a, T: Deserialize<'a>>(path_prefix: &str, json: &'a str, plain: serde_json::Error) -> FieldError {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => FieldError {
            path: join(path_prefix, &e.path().to_string()),
            reason: e.inner().to_string(),
        },
        // The value itself read: the failure was trailing text after it (`{...} junk`).
        Ok(_) => FieldError {
            path: join(path_prefix, "."),
            reason: plain.to_string(),
        },
    }
}

fn join(prefix: &str, inner: &str) -> String {
    match (prefix, inner) {
        ("", inner) => inner.to_owned(),
        (prefix, ".") => prefix.to_owned(),
        (prefix, inner) if inner.starts_with('[') => format!("{prefix}{inner}"),
        (prefix, inner) => format!("{prefix}.{inner}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        data: Vec<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        qty: u32,
    }

    #[test]
    fn names_the_path_under_the_prefix() {
        let bad = r#"{"data":[{"qty":1},{"qty":"x"}]}"#;
        assert_eq!(parse_at::<Outer>("", bad).unwrap_err().path, "data[1].qty");
        assert_eq!(parse_at::<Outer>("result", bad).unwrap_err().path, "result.data[1].qty");
        assert_eq!(
            parse_at::<Vec<Inner>>("data", r#"[{"qty":true}]"#).unwrap_err().path,
            "data[0].qty"
        );
        assert_eq!(parse_at::<Outer>("", r#"{"data":[]} junk"#).unwrap_err().path, ".");
        assert_eq!(
            parse_at::<Outer>("result", r#"{"data":[]} junk"#).unwrap_err().path,
            "result"
        );
    }
}

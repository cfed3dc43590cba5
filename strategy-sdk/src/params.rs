//! Typed parameters: declared once as [`ParamSpec`]s in the manifest, parsed from the JSON object
//! the host passes to `init`.
//!
//! Rules, in the order they apply:
//! 1. An empty (or all-whitespace) string and `{}` both mean "every default".
//! 2. Anything else must be a JSON object; a key no spec declares is an error naming the key.
//! 3. Each value must have its spec's kind: integers are JSON integers, booleans `true`/`false`,
//!    text a JSON string, and decimals a JSON number or a string (`0.1` or `"0.1"`), parsed
//!    exactly from their text, never through a float.
//! 4. Keys not given take their default.
//! 5. Each value, default included, must lie within its spec's range, bounds included, when the
//!    spec has one ([`ParamSpec::at_least`], [`ParamSpec::at_most`], [`ParamSpec::between`]; integers
//!    and decimals only). The host checks the same before `init`.
//!
//! Every error names the key and what was expected: ``param `fast`: expected an integer, got
//! "abc"``.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::indicators::{self, Period};

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// A 64-bit signed integer.
    Integer,
    /// An exact decimal.
    Decimal,
    /// `true` or `false`.
    Boolean,
    /// A string.
    Text,
}

impl ParamKind {
    fn expected(self) -> &'static str {
        match self {
            ParamKind::Integer => "an integer",
            ParamKind::Decimal => "a decimal number",
            ParamKind::Boolean => "true or false",
            ParamKind::Text => "a string",
        }
    }
}

/// A parameter's value (or default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    /// For [`ParamKind::Integer`].
    Integer(i64),
    /// For [`ParamKind::Decimal`].
    Decimal(Decimal),
    /// For [`ParamKind::Boolean`].
    Boolean(bool),
    /// For [`ParamKind::Text`].
    Text(String),
}

impl ParamValue {
    /// The kind of this value.
    pub fn kind(&self) -> ParamKind {
        match self {
            ParamValue::Integer(_) => ParamKind::Integer,
            ParamValue::Decimal(_) => ParamKind::Decimal,
            ParamValue::Boolean(_) => ParamKind::Boolean,
            ParamValue::Text(_) => ParamKind::Text,
        }
    }

    /// A value of `kind` from JSON text, by the rules params are parsed by (a decimal from a
    /// number or a string, exactly): how a manifest's default, carried as JSON text, is read
    /// back (the host checks params against a manifest this way before `init`). `None` when
    /// the text is not of that kind.
    pub fn from_json(kind: ParamKind, json: &str) -> Option<ParamValue> {
        parse_value(kind, json.trim())
    }

    /// The value as JSON text (`10`, `0.5`, `true`, `"BTC/USD"`), as the manifest carries
    /// defaults.
    pub fn to_json(&self) -> String {
        match self {
            ParamValue::Integer(value) => value.to_string(),
            ParamValue::Decimal(value) => value.to_string(),
            ParamValue::Boolean(value) => value.to_string(),
            ParamValue::Text(value) => serde_json::Value::from(value.as_str()).to_string(),
        }
    }
}

/// One parameter a strategy accepts: its name, kind (that of its default), description and,
/// for a number, the range of values it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
    /// The key in the JSON object.
    pub name: String,
    /// Used when the key is not given; its kind is the parameter's kind.
    pub default: ParamValue,
    /// One sentence for operators.
    pub description: String,
    /// The smallest value accepted (included); `None` for no lower bound. An integer bound of
    /// a decimal parameter counts as that decimal.
    pub min: Option<ParamValue>,
    /// The largest value accepted (included); `None` for no upper bound.
    pub max: Option<ParamValue>,
}

impl ParamSpec {
    /// An integer parameter.
    pub fn integer(name: impl Into<String>, default: i64, description: impl Into<String>) -> Self {
        Self::new(name, ParamValue::Integer(default), description)
    }

    /// A decimal parameter. `Decimal::new(1, 1)` is 0.1.
    pub fn decimal(name: impl Into<String>, default: Decimal, description: impl Into<String>) -> Self {
        Self::new(name, ParamValue::Decimal(default), description)
    }

    /// A boolean parameter.
    pub fn boolean(name: impl Into<String>, default: bool, description: impl Into<String>) -> Self {
        Self::new(name, ParamValue::Boolean(default), description)
    }

    /// A text parameter.
    pub fn text(name: impl Into<String>, default: impl Into<String>, description: impl Into<String>) -> Self {
        Self::new(name, ParamValue::Text(default.into()), description)
    }

    fn new(name: impl Into<String>, default: ParamValue, description: impl Into<String>) -> Self {
        ParamSpec {
            name: name.into(),
            default,
            description: description.into(),
            min: None,
            max: None,
        }
    }

    /// The parameter's kind.
    pub fn kind(&self) -> ParamKind {
        self.default.kind()
    }
}

/// Parameter values after parsing: one per declared [`ParamSpec`], defaults filled in.
///
/// ```
/// use strategy_sdk::{ParamSpec, Params};
///
/// let specs = [ParamSpec::integer("fast", 10, "Fast period")];
/// assert_eq!(Params::parse(&specs, "").unwrap().integer("fast"), Ok(10));
/// assert_eq!(Params::parse(&specs, r#"{"fast": 5}"#).unwrap().integer("fast"), Ok(5));
/// let error = Params::parse(&specs, r#"{"fast": "abc"}"#).unwrap_err();
/// assert_eq!(error.to_string(), r#"param `fast`: expected an integer, got "abc""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    values: Vec<(String, ParamValue)>,
}

impl Params {
    /// Parses `json` against `specs` (see the [module docs](self) for the rules).
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the first key that is unknown or ill-typed, or saying why the text
    /// is not a JSON object.
    pub fn parse(specs: &[ParamSpec], json: &str) -> Result<Self, ParamError> {
        let mut values: Vec<(String, ParamValue)> = specs
            .iter()
            .map(|spec| (spec.name.clone(), spec.default.clone()))
            .collect();
        if !json.trim().is_empty() {
            Self::take_given(specs, json, &mut values)?;
        }
        for (spec, (_, value)) in specs.iter().zip(&values) {
            spec.check_range(value)?;
        }
        Ok(Params { values })
    }

    /// Replaces the defaults in `values` by what the JSON object `json` gives.
    fn take_given(specs: &[ParamSpec], json: &str, values: &mut [(String, ParamValue)]) -> Result<(), ParamError> {
        let document: &RawValue = serde_json::from_str(json).map_err(|error| ParamError::Syntax {
            message: error.to_string(),
        })?;
        if !document.get().starts_with('{') {
            return Err(ParamError::NotAnObject {
                got: excerpt(document.get()),
            });
        }
        let given: BTreeMap<String, &RawValue> =
            serde_json::from_str(document.get()).map_err(|error| ParamError::Syntax {
                message: error.to_string(),
            })?;
        for (name, raw) in given {
            let Some((_, slot)) = values.iter_mut().find(|(known, _)| *known == name) else {
                return Err(ParamError::Unknown {
                    name,
                    known: specs.iter().map(|spec| spec.name.clone()).collect(),
                });
            };
            *slot = parse_value(slot.kind(), raw.get()).ok_or_else(|| ParamError::WrongType {
                expected: slot.kind().expected(),
                got: excerpt(raw.get()),
                name,
            })?;
        }
        Ok(())
    }

    /// The integer parameter `name`.
    ///
    /// # Errors
    ///
    /// [`ParamError::Undeclared`] when the manifest declares no integer parameter `name`.
    pub fn integer(&self, name: &str) -> Result<i64, ParamError> {
        match self.get(name, ParamKind::Integer)? {
            ParamValue::Integer(value) => Ok(*value),
            _ => Err(undeclared(name, ParamKind::Integer)),
        }
    }

    /// The decimal parameter `name`.
    ///
    /// # Errors
    ///
    /// [`ParamError::Undeclared`] when the manifest declares no decimal parameter `name`.
    pub fn decimal(&self, name: &str) -> Result<Decimal, ParamError> {
        match self.get(name, ParamKind::Decimal)? {
            ParamValue::Decimal(value) => Ok(*value),
            _ => Err(undeclared(name, ParamKind::Decimal)),
        }
    }

    /// The boolean parameter `name`.
    ///
    /// # Errors
    ///
    /// [`ParamError::Undeclared`] when the manifest declares no boolean parameter `name`.
    pub fn boolean(&self, name: &str) -> Result<bool, ParamError> {
        match self.get(name, ParamKind::Boolean)? {
            ParamValue::Boolean(value) => Ok(*value),
            _ => Err(undeclared(name, ParamKind::Boolean)),
        }
    }

    /// The text parameter `name`.
    ///
    /// # Errors
    ///
    /// [`ParamError::Undeclared`] when the manifest declares no text parameter `name`.
    pub fn text(&self, name: &str) -> Result<&str, ParamError> {
        match self.get(name, ParamKind::Text)? {
            ParamValue::Text(value) => Ok(value),
            _ => Err(undeclared(name, ParamKind::Text)),
        }
    }

    /// The integer parameter `name` as a count or period: at least 1.
    ///
    /// # Errors
    ///
    /// [`ParamError::Invalid`] when the value is below 1, [`ParamError::Undeclared`] as for
    /// [`Params::integer`].
    pub fn positive_integer(&self, name: &str) -> Result<usize, ParamError> {
        let value = self.integer(name)?;
        match usize::try_from(value) {
            Ok(count) if count >= 1 => Ok(count),
            _ => Err(ParamError::invalid(name, format!("must be at least 1, got {value}"))),
        }
    }

    /// The integer parameter `name` as an indicator [`Period`]: 1 ..= [`MAX_PERIOD`].
    ///
    /// # Errors
    ///
    /// [`ParamError::Invalid`] when the value is out of that range, [`ParamError::Undeclared`]
    /// as for [`Params::integer`].
    ///
    /// [`MAX_PERIOD`]: crate::indicators::MAX_PERIOD
    pub fn period(&self, name: &str) -> Result<Period, ParamError> {
        let value = self.integer(name)?;
        usize::try_from(value)
            .ok()
            .and_then(|length| Period::new(length).ok())
            .ok_or_else(|| ParamError::invalid(name, indicators::out_of_range(value)))
    }

    /// The decimal parameter `name`, which must be greater than zero.
    ///
    /// # Errors
    ///
    /// [`ParamError::Invalid`] when the value is zero or negative, [`ParamError::Undeclared`] as
    /// for [`Params::decimal`].
    pub fn positive_decimal(&self, name: &str) -> Result<Decimal, ParamError> {
        let value = self.decimal(name)?;
        if value > Decimal::ZERO {
            Ok(value)
        } else {
            Err(ParamError::invalid(
                name,
                format!("must be greater than 0, got {value}"),
            ))
        }
    }

    fn get(&self, name: &str, kind: ParamKind) -> Result<&ParamValue, ParamError> {
        self.values
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value)
            .ok_or_else(|| undeclared(name, kind))
    }
}

fn parse_value(kind: ParamKind, raw: &str) -> Option<ParamValue> {
    match kind {
        ParamKind::Integer => serde_json::from_str(raw).ok().map(ParamValue::Integer),
        ParamKind::Boolean => serde_json::from_str(raw).ok().map(ParamValue::Boolean),
        ParamKind::Text => serde_json::from_str(raw).ok().map(ParamValue::Text),
        ParamKind::Decimal => parse_decimal(raw).map(ParamValue::Decimal),
    }
}

/// A decimal from a JSON number's text or a JSON string's content, exactly.
fn parse_decimal(raw: &str) -> Option<Decimal> {
    let text = if raw.starts_with('"') {
        serde_json::from_str::<String>(raw).ok()?
    } else if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        raw.to_owned()
    } else {
        return None;
    };
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text).ok()
    } else {
        Decimal::from_str_exact(&text).ok()
    }
}

/// At most 60 characters of a value, for error messages.
fn excerpt(text: &str) -> String {
    const LIMIT: usize = 60;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn undeclared(name: &str, kind: ParamKind) -> ParamError {
    ParamError::Undeclared {
        name: name.to_owned(),
        kind,
    }
}

/// The bounds of a parameter's range as JSON text, as an [`ParamError::OutOfRange`] names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamBounds {
    /// The lower bound, if any.
    pub min: Option<String>,
    /// The upper bound, if any.
    pub max: Option<String>,
}

/// Why parameters could not be parsed or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    /// The text is not JSON.
    Syntax {
        /// The JSON parser's message, with line and column.
        message: String,
    },
    /// The text is JSON, but not an object.
    NotAnObject {
        /// (The start of) what was given.
        got: String,
    },
    /// A key that no [`ParamSpec`] declares.
    Unknown {
        /// The key given.
        name: String,
        /// Every declared name.
        known: Vec<String>,
    },
    /// A value of the wrong kind.
    WrongType {
        /// The key.
        name: String,
        /// What its kind accepts.
        expected: &'static str,
        /// (The start of) the JSON text given.
        got: String,
    },
    /// A value outside its spec's range (see [`ParamSpec::between`]).
    OutOfRange {
        /// The key.
        name: String,
        /// The value, as JSON text.
        got: String,
        /// The spec's bounds (boxed: the error stays small on the happy path's `Result`).
        bounds: Box<ParamBounds>,
    },
    /// A range bound that is not a number of the parameter's kind (a decimal bound of an
    /// integer parameter, any bound of a boolean or text one): a bug in the manifest.
    BadRange {
        /// The key.
        name: String,
        /// The bound, as JSON text.
        bound: String,
    },
    /// A value of the right kind that the strategy refuses, such as a period of 0.
    Invalid {
        /// The key.
        name: String,
        /// Why, with the value (`must be at least 1, got 0`).
        reason: String,
    },
    /// The strategy asked for a parameter its manifest does not declare with that kind: a bug
    /// in the strategy, reported as an init error rather than a panic.
    Undeclared {
        /// The name asked for.
        name: String,
        /// The kind asked for.
        kind: ParamKind,
    },
}

impl ParamError {
    /// A strategy-specific refusal of the value of `name`; `reason` says why and shows the value.
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        ParamError::Invalid {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Syntax { message } => write!(f, "params: not valid JSON: {message}"),
            ParamError::NotAnObject { got } => {
                write!(f, "params: expected a JSON object, got {got}")
            }
            ParamError::Unknown { name, known } if known.is_empty() => {
                write!(f, "param `{name}`: unknown; this strategy takes no params")
            }
            ParamError::Unknown { name, known } => {
                let known: Vec<String> = known.iter().map(|name| format!("`{name}`")).collect();
                write!(f, "param `{name}`: unknown; this strategy takes {}", known.join(", "))
            }
            ParamError::WrongType { name, expected, got } => {
                write!(f, "param `{name}`: expected {expected}, got {got}")
            }
            ParamError::OutOfRange { name, got, bounds } => match (&bounds.min, &bounds.max) {
                (Some(min), Some(max)) => write!(f, "param `{name}`: must be within {min} ..= {max}, got {got}"),
                (Some(min), None) => write!(f, "param `{name}`: must be at least {min}, got {got}"),
                (None, Some(max)) => write!(f, "param `{name}`: must be at most {max}, got {got}"),
                (None, None) => write!(f, "param `{name}`: out of range, got {got}"),
            },
            ParamError::BadRange { name, bound } => {
                write!(f, "param `{name}`: its range bound {bound} is not a number of its kind")
            }
            ParamError::Invalid { name, reason } => write!(f, "param `{name}`: {reason}"),
            ParamError::Undeclared { name, kind } => write!(
                f,
                "param `{name}`: the strategy reads it as {}, but its manifest declares no such \
                 parameter",
                kind.expected()
            ),
        }
    }
}

impl std::error::Error for ParamError {}

/// Lets `?` turn a [`ParamError`] into the `String` error of
/// [`Strategy::init`](crate::Strategy::init).
impl From<ParamError> for String {
    fn from(error: ParamError) -> Self {
        error.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::integer("fast", 10, "Fast period"),
            ParamSpec::decimal("size", Decimal::new(1, 1), "Order size"),
            ParamSpec::boolean("short", false, "Allow shorts"),
            ParamSpec::text("label", "v1", "A label"),
        ]
    }

    fn parse(json: &str) -> Result<Params, String> {
        Params::parse(&specs(), json).map_err(|error| error.to_string())
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn empty_text_and_empty_object_mean_all_defaults() {
        for json in ["", "  \n", "{}", " { } "] {
            let params = parse(json).unwrap();
            assert_eq!(params.integer("fast"), Ok(10), "{json:?}");
            assert_eq!(params.decimal("size"), Ok(dec("0.1")));
            assert_eq!(params.boolean("short"), Ok(false));
            assert_eq!(params.text("label"), Ok("v1"));
        }
    }

    #[test]
    fn given_values_replace_defaults_and_the_rest_stay() {
        let params = parse(r#"{"fast": -3, "label": "v2"}"#).unwrap();
        assert_eq!(params.integer("fast"), Ok(-3));
        assert_eq!(params.text("label"), Ok("v2"));
        assert_eq!(params.decimal("size"), Ok(dec("0.1")));
    }

    #[test]
    fn decimals_are_exact_from_numbers_and_strings() {
        let cases = [
            (r#"{"size": 0.1}"#, "0.1"),
            (r#"{"size": "0.1"}"#, "0.1"),
            (r#"{"size": 0.30000000000000004441}"#, "0.30000000000000004441"),
            (r#"{"size": 5}"#, "5"),
            (r#"{"size": -2.50}"#, "-2.50"),
            (r#"{"size": 1e-3}"#, "0.001"),
            (r#"{"size": "2.5E2"}"#, "250"),
        ];
        for (json, expected) in cases {
            let size = parse(json).unwrap().decimal("size").unwrap();
            assert_eq!(size.to_string(), expected, "{json}");
        }
    }

    #[test]
    fn ill_typed_values_name_the_key_and_what_was_expected() {
        let cases = [
            (r#"{"fast": "abc"}"#, r#"param `fast`: expected an integer, got "abc""#),
            (r#"{"fast": 1.5}"#, "param `fast`: expected an integer, got 1.5"),
            (
                r#"{"fast": 99999999999999999999}"#,
                "param `fast`: expected an integer, got 99999999999999999999",
            ),
            (
                r#"{"size": "ten"}"#,
                r#"param `size`: expected a decimal number, got "ten""#,
            ),
            (r#"{"size": true}"#, "param `size`: expected a decimal number, got true"),
            (
                r#"{"size": 1e400}"#,
                "param `size`: expected a decimal number, got 1e400",
            ),
            (
                r#"{"short": "yes"}"#,
                r#"param `short`: expected true or false, got "yes""#,
            ),
            (r#"{"label": 2}"#, "param `label`: expected a string, got 2"),
            (r#"{"label": null}"#, "param `label`: expected a string, got null"),
        ];
        for (json, expected) in cases {
            assert_eq!(parse(json).unwrap_err(), expected, "{json}");
        }
    }

    #[test]
    fn unknown_keys_are_rejected_by_name() {
        assert_eq!(
            parse(r#"{"fast": 1, "slwo": 2}"#).unwrap_err(),
            "param `slwo`: unknown; this strategy takes `fast`, `size`, `short`, `label`"
        );
        assert_eq!(
            Params::parse(&[], r#"{"x": 1}"#).unwrap_err().to_string(),
            "param `x`: unknown; this strategy takes no params"
        );
    }

    #[test]
    fn text_that_is_not_a_json_object_is_rejected() {
        assert_eq!(
            parse("[1, 2]").unwrap_err(),
            "params: expected a JSON object, got [1, 2]"
        );
        assert_eq!(parse("null").unwrap_err(), "params: expected a JSON object, got null");
        assert!(parse("{\"fast\": ")
            .unwrap_err()
            .starts_with("params: not valid JSON: EOF while parsing"));
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let json = format!(r#"{{"fast": "{}"}}"#, "é".repeat(100));
        let message = parse(&json).unwrap_err();
        assert!(message.ends_with('…'), "{message}");
        assert!(message.chars().count() < 120, "{message}");
    }

    #[test]
    fn reading_an_undeclared_or_differently_typed_param_is_an_error_not_a_panic() {
        let params = parse("").unwrap();
        assert_eq!(
            params.integer("slow").unwrap_err().to_string(),
            "param `slow`: the strategy reads it as an integer, but its manifest declares no \
             such parameter"
        );
        assert!(matches!(params.decimal("fast"), Err(ParamError::Undeclared { .. })));
    }

    #[test]
    fn positive_readers_check_the_range() {
        let params = parse(r#"{"fast": 0, "size": "-1"}"#).unwrap();
        assert_eq!(
            params.positive_integer("fast").unwrap_err().to_string(),
            "param `fast`: must be at least 1, got 0"
        );
        assert_eq!(
            params.positive_decimal("size").unwrap_err().to_string(),
            "param `size`: must be greater than 0, got -1"
        );
        assert_eq!(
            params.period("fast").unwrap_err().to_string(),
            "param `fast`: must be between 1 and 100000, got 0"
        );
        let params = parse(r#"{"fast": -4}"#).unwrap();
        assert_eq!(
            params.period("fast").unwrap_err().to_string(),
            "param `fast`: must be between 1 and 100000, got -4"
        );
        let params = parse(r#"{"fast": 3, "size": 0.5}"#).unwrap();
        assert_eq!(params.period("fast").map(Period::get), Ok(3));
        assert_eq!(params.positive_integer("fast"), Ok(3));
        assert_eq!(params.positive_decimal("size"), Ok(dec("0.5")));
    }

    #[test]
    fn defaults_render_as_json_text_for_the_manifest() {
        let defaults: Vec<String> = specs().iter().map(|spec| spec.default.to_json()).collect();
        assert_eq!(defaults, ["10", "0.1", "false", r#""v1""#]);
        assert_eq!(ParamValue::Text("say \"hi\"".into()).to_json(), r#""say \"hi\"""#);
    }
}

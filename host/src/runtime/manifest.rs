//! A strategy's self-description, checked: what it is called, what it wants to receive, and
//! which parameters it takes. Params are checked here against it before `init`, by the SDK's
//! rules (`strategy_sdk::Params::parse`): every key declared, every value of its kind and
//! within its range, defaults included; each default and range bound of its own kind (or the
//! manifest is refused). The same rules and messages as the
//! Rust, Python and JavaScript SDKs, whatever language the guest is in.

use trading::market::{MarketEvent, Symbol, Timeframe, MAX_BOOK_DEPTH};

use super::bindings::wit;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub description: String,
    pub subscriptions: Vec<Subscription>,
    pub params: Vec<ParamSpec>,
    /// `params`, typed, to check params with.
    #[serde(skip)]
    schema: Vec<strategy_sdk::ParamSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParamSpec {
    pub name: String,
    pub kind: &'static str,
    pub default_value: String,
    pub description: String,
    /// The range's bounds as JSON text, as the manifest gave them.
    pub min_value: Option<String>,
    pub max_value: Option<String>,
}

/// One stream a strategy receives. `None` means "any" (written `*` in the manifest).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Subscription {
    pub symbol: Option<Symbol>,
    pub stream: Stream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stream {
    /// Closed bars.
    Candles(Option<Timeframe>),
    Trades,
    Quotes,
    /// The book, this many levels a side (1 ..= [`MAX_BOOK_DEPTH`]).
    Book(u16),
    /// Bars in progress.
    CandleUpdates(Option<Timeframe>),
}

impl Subscription {
    pub fn matches(&self, event: &MarketEvent) -> bool {
        if self.symbol.as_ref().is_some_and(|s| s != event.symbol()) {
            return false;
        }
        match (&self.stream, event) {
            (Stream::Candles(tf), MarketEvent::Candle(c)) => tf.is_none_or(|tf| tf == c.timeframe),
            (Stream::Trades, MarketEvent::Trade(_)) | (Stream::Quotes, MarketEvent::Quote(_)) => true,
            // The book stream of the subscribed depth, not a deeper or shallower one.
            (Stream::Book(depth), MarketEvent::Book(b)) => *depth == b.depth,
            (Stream::CandleUpdates(tf), MarketEvent::CandleUpdate(u)) => tf.is_none_or(|tf| tf == u.candle.timeframe),
            _ => false,
        }
    }
}

impl std::fmt::Display for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let symbol = self.symbol.as_ref().map_or("*", |s| s.as_str());
        let timeframe = |tf: Option<Timeframe>| tf.map_or("*".to_owned(), |t| t.to_string());
        match self.stream {
            Stream::Candles(tf) => write!(f, "{symbol} candles {}", timeframe(tf)),
            Stream::Trades => write!(f, "{symbol} trades"),
            Stream::Quotes => write!(f, "{symbol} quotes"),
            Stream::Book(depth) => write!(f, "{symbol} book {depth}"),
            Stream::CandleUpdates(tf) => write!(f, "{symbol} candle-updates {}", timeframe(tf)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("manifest name `{0}` is invalid: expected 1-64 characters of a-z, 0-9, `-` or `_`")]
    Name(String),
    #[error("manifest subscription symbol `{0}` is invalid: expected BASE/QUOTE or `*`")]
    Symbol(String),
    #[error("manifest subscription timeframe `{0}` is invalid: expected a duration like 1m or 1d, or `*`")]
    Timeframe(String),
    #[error(
        "manifest subscription `{symbol} book {depth}` is invalid: a book depth is 1 to {MAX_BOOK_DEPTH} levels a side"
    )]
    BookDepth { symbol: String, depth: u16 },
    #[error("manifest param `{name}`: its default {default} is not {kind}")]
    ParamDefault {
        name: String,
        kind: &'static str,
        default: String,
    },
    #[error("manifest param `{name}`: {problem}")]
    ParamRange { name: String, problem: Box<RangeProblem> },
    #[error("manifest param `{0}` is declared twice")]
    DuplicateParam(String),
}

/// What is wrong with a param's range (boxed in [`ManifestError::ParamRange`], which stays small).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeProblem {
    #[error("its {which} {bound} is not {kind}")]
    BoundKind {
        which: &'static str,
        kind: &'static str,
        bound: String,
    },
    #[error("a {kind} param takes no range")]
    UnorderedKind { kind: &'static str },
    #[error("its minimum {min} is above its maximum {max}")]
    Empty { min: String, max: String },
}

impl Manifest {
    pub fn from_wit(m: wit::Manifest) -> Result<Self, ManifestError> {
        let name_ok = !m.name.is_empty()
            && m.name.len() <= 64
            && m.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(ManifestError::Name(m.name));
        }
        let subscriptions = m
            .subscriptions
            .into_iter()
            .map(subscription_from_wit)
            .collect::<Result<_, _>>()?;
        let mut params = Vec::with_capacity(m.params.len());
        let mut schema: Vec<strategy_sdk::ParamSpec> = Vec::with_capacity(m.params.len());
        for p in m.params {
            let (kind, name) = match p.kind {
                wit::ParamKind::Integer => (strategy_sdk::ParamKind::Integer, "integer"),
                wit::ParamKind::Decimal => (strategy_sdk::ParamKind::Decimal, "decimal"),
                wit::ParamKind::Boolean => (strategy_sdk::ParamKind::Boolean, "boolean"),
                wit::ParamKind::Text => (strategy_sdk::ParamKind::Text, "text"),
            };
            if schema.iter().any(|spec| spec.name == p.name) {
                return Err(ManifestError::DuplicateParam(p.name));
            }
            let Some(default) = strategy_sdk::ParamValue::from_json(kind, &p.default_value) else {
                return Err(ManifestError::ParamDefault {
                    name: p.name,
                    kind: name,
                    default: p.default_value,
                });
            };
            let min = param_bound(&p.name, kind, name, "minimum", p.min_value.as_deref())?;
            let max = param_bound(&p.name, kind, name, "maximum", p.max_value.as_deref())?;
            if let (Some(low), Some(high)) = (&min, &max) {
                if compare_bounds(low, high) == Some(std::cmp::Ordering::Greater) {
                    let problem = RangeProblem::Empty {
                        min: low.to_json(),
                        max: high.to_json(),
                    };
                    return Err(ManifestError::ParamRange {
                        name: p.name,
                        problem: Box::new(problem),
                    });
                }
            }
            schema.push(strategy_sdk::ParamSpec {
                name: p.name.clone(),
                default,
                description: p.description.clone(),
                min,
                max,
            });
            params.push(ParamSpec {
                name: p.name,
                kind: name,
                default_value: p.default_value,
                description: p.description,
                min_value: p.min_value,
                max_value: p.max_value,
            });
        }
        Ok(Self {
            name: m.name,
            version: m.version,
            description: m.description,
            subscriptions,
            params,
            schema,
        })
    }

    /// Checks `params` (the JSON text `init` is to get) against the manifest: the refusal the
    /// operator sees before the strategy is called at all.
    ///
    /// # Errors
    ///
    /// The SDK's [`ParamError`](strategy_sdk::ParamError): not JSON, not an object, a key the
    /// manifest does not declare, or a value not of its kind.
    pub fn check_params(&self, params: &str) -> Result<(), strategy_sdk::ParamError> {
        strategy_sdk::Params::parse(&self.schema, params).map(drop)
    }

    pub fn wants(&self, event: &MarketEvent) -> bool {
        self.subscriptions.iter().any(|s| s.matches(event))
    }
}

/// A range bound of a param of `kind` (named `kind_name`), read by the rules of its default.
fn param_bound(
    name: &str,
    kind: strategy_sdk::ParamKind,
    kind_name: &'static str,
    which: &'static str,
    bound: Option<&str>,
) -> Result<Option<strategy_sdk::ParamValue>, ManifestError> {
    let Some(bound) = bound else {
        return Ok(None);
    };
    if matches!(kind, strategy_sdk::ParamKind::Boolean | strategy_sdk::ParamKind::Text) {
        return Err(ManifestError::ParamRange {
            name: name.to_owned(),
            problem: Box::new(RangeProblem::UnorderedKind { kind: kind_name }),
        });
    }
    strategy_sdk::ParamValue::from_json(kind, bound)
        .map(Some)
        .ok_or_else(|| ManifestError::ParamRange {
            name: name.to_owned(),
            problem: Box::new(RangeProblem::BoundKind {
                which,
                kind: kind_name,
                bound: bound.to_owned(),
            }),
        })
}

/// The order of two bounds of one param (both of its kind, so both integers or both decimals).
fn compare_bounds(a: &strategy_sdk::ParamValue, b: &strategy_sdk::ParamValue) -> Option<std::cmp::Ordering> {
    use strategy_sdk::ParamValue::{Decimal, Integer};
    match (a, b) {
        (Integer(a), Integer(b)) => Some(a.cmp(b)),
        (Decimal(a), Decimal(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn subscription_from_wit(s: wit::Subscription) -> Result<Subscription, ManifestError> {
    let symbol = match s.symbol.as_str() {
        "*" => None,
        text => Some(Symbol::new(text).map_err(|_| ManifestError::Symbol(s.symbol.clone()))?),
    };
    let stream = match s.stream {
        wit::StreamKind::Candles(tf) => Stream::Candles(timeframe_from_wit(tf)?),
        wit::StreamKind::Trades => Stream::Trades,
        wit::StreamKind::Quotes => Stream::Quotes,
        wit::StreamKind::Book(depth) if (1..=MAX_BOOK_DEPTH).contains(&depth) => Stream::Book(depth),
        wit::StreamKind::Book(depth) => {
            return Err(ManifestError::BookDepth {
                symbol: s.symbol,
                depth,
            })
        }
        wit::StreamKind::CandleUpdates(tf) => Stream::CandleUpdates(timeframe_from_wit(tf)?),
    };
    Ok(Subscription { symbol, stream })
}

/// A subscription's timeframe: `*` (any) or a duration.
fn timeframe_from_wit(text: String) -> Result<Option<Timeframe>, ManifestError> {
    if text == "*" {
        return Ok(None);
    }
    Timeframe::parse(&text)
        .map(Some)
        .map_err(|_| ManifestError::Timeframe(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(subscriptions: Vec<wit::Subscription>) -> wit::Manifest {
        wit::Manifest {
            name: "books".into(),
            version: "1".into(),
            description: String::new(),
            subscriptions,
            params: Vec::new(),
        }
    }

    fn param(name: &str, kind: wit::ParamKind, default: &str) -> wit::ParamSpec {
        wit::ParamSpec {
            name: name.into(),
            kind,
            default_value: default.into(),
            description: String::new(),
            min_value: None,
            max_value: None,
        }
    }

    fn ranged(name: &str, kind: wit::ParamKind, default: &str, min: Option<&str>, max: Option<&str>) -> wit::ParamSpec {
        wit::ParamSpec {
            min_value: min.map(str::to_owned),
            max_value: max.map(str::to_owned),
            ..param(name, kind, default)
        }
    }

    #[test]
    fn params_outside_their_range_are_refused_before_init_defaults_included() {
        let manifest = with_params(vec![
            ranged("fast", wit::ParamKind::Integer, "10", Some("1"), Some("500")),
            ranged("risk", wit::ParamKind::Decimal, "\"0.01\"", None, Some("1")),
        ])
        .unwrap();
        assert_eq!(manifest.params[0].min_value.as_deref(), Some("1"));
        assert_eq!(manifest.check_params(r#"{"fast": 1, "risk": 1}"#), Ok(()));
        let refused = |params| manifest.check_params(params).unwrap_err().to_string();
        assert_eq!(
            refused(r#"{"fast": 0}"#),
            "param `fast`: must be within 1 ..= 500, got 0"
        );
        assert_eq!(
            refused(r#"{"risk": "1.01"}"#),
            "param `risk`: must be at most 1, got 1.01"
        );
        let default_outside = with_params(vec![ranged("n", wit::ParamKind::Integer, "0", Some("1"), None)]).unwrap();
        assert_eq!(
            default_outside.check_params("").unwrap_err().to_string(),
            "param `n`: must be at least 1, got 0"
        );
    }

    #[test]
    fn ranges_of_the_wrong_kind_empty_ranges_and_ranges_of_text_are_refused() {
        let error = with_params(vec![ranged("n", wit::ParamKind::Integer, "3", Some("1.5"), None)]).unwrap_err();
        assert_eq!(error.to_string(), "manifest param `n`: its minimum 1.5 is not integer");
        let error = with_params(vec![ranged("n", wit::ParamKind::Integer, "3", Some("5"), Some("2"))]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "manifest param `n`: its minimum 5 is above its maximum 2"
        );
        let error = with_params(vec![ranged("on", wit::ParamKind::Boolean, "true", None, Some("1"))]).unwrap_err();
        assert_eq!(error.to_string(), "manifest param `on`: a boolean param takes no range");
    }

    fn with_params(params: Vec<wit::ParamSpec>) -> Result<Manifest, ManifestError> {
        Manifest::from_wit(wit::Manifest {
            params,
            ..manifest(Vec::new())
        })
    }

    #[test]
    fn params_are_checked_against_the_manifest_by_the_sdks_rules() {
        let manifest = with_params(vec![
            param("fast", wit::ParamKind::Integer, "10"),
            param("size", wit::ParamKind::Decimal, "\"0.1\""),
            param("mode", wit::ParamKind::Text, "\"long\""),
        ])
        .unwrap();
        assert_eq!(manifest.check_params(""), Ok(()));
        assert_eq!(
            manifest.check_params(r#"{"fast": 5, "size": 0.25, "mode": "neutral"}"#),
            Ok(())
        );
        let refused = |params| manifest.check_params(params).unwrap_err().to_string();
        assert_eq!(
            refused(r#"{"slow": 5}"#),
            "param `slow`: unknown; this strategy takes `fast`, `size`, `mode`"
        );
        assert_eq!(
            refused(r#"{"fast": 1.5}"#),
            "param `fast`: expected an integer, got 1.5"
        );
        assert_eq!(refused(r#"{"mode": 1}"#), "param `mode`: expected a string, got 1");
    }

    #[test]
    fn a_default_not_of_its_kind_and_a_name_declared_twice_are_refused() {
        let error = with_params(vec![param("fast", wit::ParamKind::Integer, "\"ten\"")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"manifest param `fast`: its default "ten" is not integer"#
        );
        let error = with_params(vec![
            param("on", wit::ParamKind::Boolean, "true"),
            param("on", wit::ParamKind::Boolean, "false"),
        ])
        .unwrap_err();
        assert_eq!(error, ManifestError::DuplicateParam("on".into()));
    }

    fn book(depth: u16) -> wit::Subscription {
        wit::Subscription {
            symbol: "BTC/USD".into(),
            stream: wit::StreamKind::Book(depth),
        }
    }

    #[test]
    fn book_depths_outside_1_to_1000_are_refused_naming_the_subscription() {
        for depth in [0, 1_001, u16::MAX] {
            let error = Manifest::from_wit(manifest(vec![book(10), book(depth)])).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "manifest subscription `BTC/USD book {depth}` is invalid: a book depth is 1 to 1000 levels a side"
                )
            );
        }
        for depth in [1, 1_000] {
            let checked = Manifest::from_wit(manifest(vec![book(depth)])).unwrap();
            assert_eq!(checked.subscriptions[0].stream, Stream::Book(depth));
        }
    }

    #[test]
    fn candle_updates_take_a_timeframe_or_any() {
        let updates = |tf: &str| wit::Subscription {
            symbol: "*".into(),
            stream: wit::StreamKind::CandleUpdates(tf.into()),
        };
        let checked = Manifest::from_wit(manifest(vec![updates("1m"), updates("*")])).unwrap();
        let shown: Vec<String> = checked.subscriptions.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["* candle-updates 1m", "* candle-updates *"]);
        let error = Manifest::from_wit(manifest(vec![updates("soon")])).unwrap_err();
        assert_eq!(error, ManifestError::Timeframe("soon".into()));
    }
}

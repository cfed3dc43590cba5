//! A strategy's self-description, checked: what it is called, what it wants to receive, and
//! which parameters it takes.

use trading::market::{MarketEvent, Symbol, Timeframe, MAX_BOOK_DEPTH};

use super::bindings::wit;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub description: String,
    pub subscriptions: Vec<Subscription>,
    pub params: Vec<ParamSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParamSpec {
    pub name: String,
    pub kind: &'static str,
    pub default_value: String,
    pub description: String,
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
        let params = m
            .params
            .into_iter()
            .map(|p| ParamSpec {
                name: p.name,
                kind: match p.kind {
                    wit::ParamKind::Integer => "integer",
                    wit::ParamKind::Decimal => "decimal",
                    wit::ParamKind::Boolean => "boolean",
                    wit::ParamKind::Text => "text",
                },
                default_value: p.default_value,
                description: p.description,
            })
            .collect();
        Ok(Self {
            name: m.name,
            version: m.version,
            description: m.description,
            subscriptions,
            params,
        })
    }

    pub fn wants(&self, event: &MarketEvent) -> bool {
        self.subscriptions.iter().any(|s| s.matches(event))
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

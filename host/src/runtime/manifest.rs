//! A strategy's self-description, checked: what it is called, what it wants to receive, and
//! which parameters it takes.

use trading::market::{MarketEvent, Symbol, Timeframe};

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
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Candles(Option<Timeframe>),
    Trades,
    Quotes,
}

impl Subscription {
    pub fn matches(&self, event: &MarketEvent) -> bool {
        if self.symbol.as_ref().is_some_and(|s| s != event.symbol()) {
            return false;
        }
        match (&self.stream, event) {
            (Stream::Candles(tf), MarketEvent::Candle(c)) => tf.is_none_or(|tf| tf == c.timeframe),
            (Stream::Trades, MarketEvent::Trade(_)) | (Stream::Quotes, MarketEvent::Quote(_)) => true,
            _ => false,
        }
    }
}

impl std::fmt::Display for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let symbol = self.symbol.as_ref().map_or("*", |s| s.as_str());
        match self.stream {
            Stream::Candles(tf) => write!(f, "{symbol} candles {}", tf.map_or("*".to_owned(), |t| t.to_string())),
            Stream::Trades => write!(f, "{symbol} trades"),
            Stream::Quotes => write!(f, "{symbol} quotes"),
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
        wit::StreamKind::Candles(tf) if tf == "*" => Stream::Candles(None),
        wit::StreamKind::Candles(tf) => Stream::Candles(Some(
            Timeframe::parse(&tf).map_err(|_| ManifestError::Timeframe(tf.clone()))?,
        )),
        wit::StreamKind::Trades => Stream::Trades,
        wit::StreamKind::Quotes => Stream::Quotes,
    };
    Ok(Subscription { symbol, stream })
}

//! What one dashboard client asked to see: `/ws?strategies=a,b&symbols=BTC/USD`. A message
//! about another strategy or symbol is not sent to it; one about no strategy or symbol (a
//! venue, the strategies' table) always is.

use std::collections::BTreeSet;

use serde::Deserialize;
use trading::market::Symbol;
use trading::orders::StrategyId;

use super::messages::Outgoing;

#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    strategies: Option<String>,
    symbols: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientFilter {
    /// `None`: every strategy.
    strategies: Option<BTreeSet<StrategyId>>,
    /// `None`: every symbol.
    symbols: Option<BTreeSet<Symbol>>,
}

impl ClientFilter {
    /// The filter of a query, or what in it is not a symbol.
    pub fn parse(query: &FilterQuery) -> Result<Self, String> {
        let symbols = match &query.symbols {
            None => None,
            Some(list) => Some(
                items(list)
                    .map(|s| {
                        Symbol::new(s).map_err(|e| format!("symbols: {s:?} is not a symbol ({e}); expected BASE/QUOTE"))
                    })
                    .collect::<Result<BTreeSet<_>, _>>()?,
            ),
        };
        Ok(Self {
            strategies: query
                .strategies
                .as_deref()
                .map(|list| items(list).map(StrategyId::new).collect()),
            symbols,
        })
    }

    pub fn admits(&self, message: &Outgoing) -> bool {
        let strategy_ok = match (&self.strategies, &message.strategy) {
            (Some(wanted), Some(strategy)) => wanted.contains(strategy),
            _ => true,
        };
        let symbol_ok = match (&self.symbols, &message.symbol) {
            (Some(wanted), Some(symbol)) => wanted.contains(symbol),
            _ => true,
        };
        strategy_ok && symbol_ok
    }
}

fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_client_gets_its_strategies_and_symbols_and_what_is_about_neither() {
        let filter = ClientFilter::parse(&FilterQuery {
            strategies: Some("alice, bob".into()),
            symbols: Some("BTC/USD".into()),
        })
        .unwrap();
        let about = |strategy: Option<&str>, symbol: Option<&str>| {
            let mut message = Outgoing::new("orders", json!({}));
            message.strategy = strategy.map(StrategyId::new);
            message.symbol = symbol.map(|s| Symbol::new(s).unwrap());
            message
        };
        assert!(filter.admits(&about(Some("alice"), Some("BTC/USD"))));
        assert!(!filter.admits(&about(Some("carol"), Some("BTC/USD"))));
        assert!(!filter.admits(&about(Some("bob"), Some("ETH/USD"))));
        assert!(filter.admits(&about(None, None)));
        let err = ClientFilter::parse(&FilterQuery {
            strategies: None,
            symbols: Some("BTCUSD".into()),
        })
        .unwrap_err();
        assert!(err.starts_with("symbols: \"BTCUSD\" is not a symbol"), "{err}");
    }
}

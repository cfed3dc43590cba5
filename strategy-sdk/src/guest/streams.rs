//! [`Streams`]: what each stream id the host delivers stands for, learned once per id.
//!
//! Events carry a stream id instead of their symbol and timeframe, because every string in an
//! event costs the host a call into the guest's allocator. The table asks the host
//! (`describe-stream`) the first time it sees an id and keeps the answer as [`SharedStr`]s, so
//! every later event of the stream resolves with an index and a reference-count increment: no
//! host call, no allocation. The table lives in the instance's memory, so a fresh instance
//! (after a trap, or a new version) starts empty and asks again, as the contract requires.

use super::bindings::strategy_host::strategy::types as wit;
use crate::SharedStr;

/// Ids below this are kept in a vector indexed by id. The host numbers its streams densely from
/// zero, so this is every id in practice; the bound only stops a buggy host's huge id from
/// making the guest allocate gigabytes (and trap) for one slot.
const DENSE_IDS: u32 = 1 << 16;

/// The market event being resolved, to check it against its stream's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Candle,
    Trade,
    Quote,
}

/// A stream as the host described it.
#[derive(Debug)]
pub(crate) struct Stream {
    pub(crate) symbol: SharedStr,
    kind: Kind,
    /// Whether an event of another kind arrived on this stream and was reported: a host bug,
    /// reported once per stream so it cannot flood the log.
    mismatch_reported: bool,
}

#[derive(Debug)]
enum Kind {
    Candles { timeframe: SharedStr },
    Trades,
    Quotes,
}

#[derive(Debug, Default)]
enum Entry {
    #[default]
    Unseen,
    /// The host answered `none` (a host bug), and that was reported. The host is asked again on
    /// the next event of the id, so the stream recovers if the host learns it, but the report
    /// is not repeated.
    Unknown,
    Known(Stream),
}

/// Stream ids to what they stand for; see the [module docs](self).
#[derive(Debug, Default)]
pub(crate) struct Streams {
    dense: Vec<Entry>,
    /// Ids of `DENSE_IDS` and above, which a correct host never sends: a linear list is enough.
    sparse: Vec<(u32, Entry)>,
}

impl Streams {
    pub(crate) const fn new() -> Self {
        Streams {
            dense: Vec::new(),
            sparse: Vec::new(),
        }
    }

    /// The symbol and timeframe of candle stream `id`, asking `describe` (the host) if the id is
    /// new. `Err` means the event must be dropped, with a message to log when there is one: the
    /// first time for each id, so a broken stream is reported once.
    pub(crate) fn candles(
        &mut self,
        id: u32,
        describe: impl FnOnce(u32) -> Option<wit::StreamInfo>,
    ) -> Result<(&SharedStr, &SharedStr), Option<String>> {
        let stream = self.resolve(id, EventKind::Candle, describe)?;
        match &stream.kind {
            Kind::Candles { timeframe } => Ok((&stream.symbol, timeframe)),
            // `resolve` checked the kind.
            Kind::Trades | Kind::Quotes => Err(None),
        }
    }

    /// The symbol of stream `id`, which an event of kind `event` arrived on; as for
    /// [`Streams::candles`].
    pub(crate) fn symbol(
        &mut self,
        id: u32,
        event: EventKind,
        describe: impl FnOnce(u32) -> Option<wit::StreamInfo>,
    ) -> Result<&SharedStr, Option<String>> {
        self.resolve(id, event, describe).map(|stream| &stream.symbol)
    }

    fn resolve(
        &mut self,
        id: u32,
        event: EventKind,
        describe: impl FnOnce(u32) -> Option<wit::StreamInfo>,
    ) -> Result<&Stream, Option<String>> {
        let entry = self.entry(id);
        if !matches!(entry, Entry::Known(_)) {
            let first_miss = matches!(entry, Entry::Unseen);
            match describe(id) {
                Some(info) => *entry = Entry::Known(Stream::from(info)),
                None => {
                    *entry = Entry::Unknown;
                    let report = format!(
                        "market event on stream {id}, which the host cannot describe (describe-stream \
                         returned none): event dropped; further events of this stream are dropped \
                         without this message"
                    );
                    return Err(first_miss.then_some(report));
                }
            }
        }
        let Entry::Known(stream) = entry else {
            // Just made `Known` above.
            return Err(None);
        };
        if stream.kind.carries(event) {
            return Ok(stream);
        }
        // The event contradicts what the host said the stream is, so the id's symbol may be
        // wrong too: trading on it could trade the wrong market. Drop it.
        let report = (!stream.mismatch_reported).then(|| {
            format!(
                "{event:?} event on stream {id}, which the host described as {} of {}: event \
                 dropped; further mismatched events of this stream are dropped without this message",
                stream.kind.describe(),
                stream.symbol
            )
        });
        stream.mismatch_reported = true;
        Err(report)
    }

    fn entry(&mut self, id: u32) -> &mut Entry {
        if id < DENSE_IDS {
            let index = id as usize;
            if index >= self.dense.len() {
                self.dense.resize_with(index + 1, Entry::default);
            }
            return &mut self.dense[index];
        }
        let index = match self.sparse.iter().position(|(known, _)| *known == id) {
            Some(index) => index,
            None => {
                self.sparse.push((id, Entry::Unseen));
                self.sparse.len() - 1
            }
        };
        &mut self.sparse[index].1
    }
}

impl From<wit::StreamInfo> for Stream {
    fn from(info: wit::StreamInfo) -> Self {
        Stream {
            symbol: info.symbol.into(),
            kind: match info.kind {
                wit::StreamKind::Candles(timeframe) => Kind::Candles {
                    timeframe: timeframe.into(),
                },
                wit::StreamKind::Trades => Kind::Trades,
                wit::StreamKind::Quotes => Kind::Quotes,
            },
            mismatch_reported: false,
        }
    }
}

impl Kind {
    fn carries(&self, event: EventKind) -> bool {
        matches!(
            (self, event),
            (Kind::Candles { .. }, EventKind::Candle)
                | (Kind::Trades, EventKind::Trade)
                | (Kind::Quotes, EventKind::Quote)
        )
    }

    fn describe(&self) -> String {
        match self {
            Kind::Candles { timeframe } => format!("{timeframe} candles"),
            Kind::Trades => "trades".to_owned(),
            Kind::Quotes => "quotes".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn info(symbol: &str, kind: wit::StreamKind) -> Option<wit::StreamInfo> {
        Some(wit::StreamInfo {
            symbol: symbol.to_owned(),
            kind,
        })
    }

    fn candles(timeframe: &str) -> wit::StreamKind {
        wit::StreamKind::Candles(timeframe.to_owned())
    }

    #[test]
    fn asks_the_host_once_per_id_and_shares_the_text() {
        let mut streams = Streams::new();
        let asked = Cell::new(0);
        let describe = |id: u32| {
            asked.set(asked.get() + 1);
            match id {
                0 => info("BTC/USD", candles("1m")),
                3 => info("ETH/USD", wit::StreamKind::Trades),
                _ => None,
            }
        };
        let (symbol, timeframe) = streams.candles(0, describe).unwrap();
        let first = (symbol.clone(), timeframe.clone());
        assert_eq!((symbol.as_str(), timeframe.as_str()), ("BTC/USD", "1m"));
        let (symbol, _) = streams.candles(0, describe).unwrap();
        assert!(std::ptr::eq(symbol.as_str(), first.0.as_str()), "the same shared text");
        assert_eq!(streams.symbol(3, EventKind::Trade, describe).unwrap(), "ETH/USD");
        assert_eq!(streams.symbol(3, EventKind::Trade, describe).unwrap(), "ETH/USD");
        assert_eq!(asked.get(), 2);
    }

    #[test]
    fn an_id_the_host_cannot_describe_is_dropped_and_reported_once() {
        let mut streams = Streams::new();
        let report = streams.candles(7, |_| None).unwrap_err().unwrap();
        assert!(report.contains("stream 7"), "{report}");
        assert_eq!(streams.candles(7, |_| None).unwrap_err(), None);
        // The host is asked again, so the stream works once the host knows it.
        let (symbol, _) = streams.candles(7, |_| info("SOL/USD", candles("1h"))).unwrap();
        assert_eq!(symbol, "SOL/USD");
    }

    #[test]
    fn events_that_contradict_their_stream_are_dropped_and_reported_once() {
        let mut streams = Streams::new();
        let describe = |_| info("BTC/USD", wit::StreamKind::Quotes);
        let report = streams.candles(1, describe).unwrap_err().unwrap();
        assert!(
            report.contains("Candle event on stream 1") && report.contains("quotes of BTC/USD"),
            "{report}"
        );
        assert_eq!(streams.symbol(1, EventKind::Trade, describe).unwrap_err(), None);
        assert_eq!(streams.symbol(1, EventKind::Quote, describe).unwrap(), "BTC/USD");
    }

    #[test]
    fn huge_ids_do_not_grow_the_dense_table() {
        let mut streams = Streams::new();
        let describe = |_| info("BTC/USD", wit::StreamKind::Trades);
        assert_eq!(streams.symbol(u32::MAX, EventKind::Trade, describe).unwrap(), "BTC/USD");
        assert_eq!(streams.symbol(u32::MAX, EventKind::Trade, |_| None).unwrap(), "BTC/USD");
        assert!(streams.dense.is_empty());
        assert_eq!(streams.sparse.len(), 1);
    }
}

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
    Book,
    CandleUpdate,
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
    Book { depth: u16 },
    CandleUpdates { timeframe: SharedStr },
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

    /// The symbol and timeframe of stream `id`, a stream of bars (`event` is
    /// [`EventKind::Candle`] or [`EventKind::CandleUpdate`]), asking `describe` (the host) if
    /// the id is new. `Err` means the event must be dropped, with a message to log when there
    /// is one: the first time for each id, so a broken stream is reported once.
    pub(crate) fn bars(
        &mut self,
        id: u32,
        event: EventKind,
        describe: impl FnOnce(u32) -> Option<wit::StreamInfo>,
    ) -> Result<(&SharedStr, &SharedStr), Option<String>> {
        let stream = self.resolve(id, event, describe)?;
        match &stream.kind {
            Kind::Candles { timeframe } | Kind::CandleUpdates { timeframe } => Ok((&stream.symbol, timeframe)),
            // `resolve` checked the kind.
            Kind::Trades | Kind::Quotes | Kind::Book { .. } => Err(None),
        }
    }

    /// The symbol of stream `id`, which an event of kind `event` arrived on; as for
    /// [`Streams::bars`].
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
                wit::StreamKind::Book(depth) => Kind::Book { depth },
                wit::StreamKind::CandleUpdates(timeframe) => Kind::CandleUpdates {
                    timeframe: timeframe.into(),
                },
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
                | (Kind::Book { .. }, EventKind::Book)
                | (Kind::CandleUpdates { .. }, EventKind::CandleUpdate)
        )
    }

    fn describe(&self) -> String {
        match self {
            Kind::Candles { timeframe } => format!("{timeframe} candles"),
            Kind::Trades => "trades".to_owned(),
            Kind::Quotes => "quotes".to_owned(),
            Kind::Book { depth } => format!("the {depth}-level book"),
            Kind::CandleUpdates { timeframe } => format!("{timeframe} candle updates"),
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
        let (symbol, timeframe) = streams.bars(0, EventKind::Candle, describe).unwrap();
        let first = (symbol.clone(), timeframe.clone());
        assert_eq!((symbol.as_str(), timeframe.as_str()), ("BTC/USD", "1m"));
        let (symbol, _) = streams.bars(0, EventKind::Candle, describe).unwrap();
        assert!(std::ptr::eq(symbol.as_str(), first.0.as_str()), "the same shared text");
        assert_eq!(streams.symbol(3, EventKind::Trade, describe).unwrap(), "ETH/USD");
        assert_eq!(streams.symbol(3, EventKind::Trade, describe).unwrap(), "ETH/USD");
        assert_eq!(asked.get(), 2);
    }

    #[test]
    fn an_id_the_host_cannot_describe_is_dropped_and_reported_once() {
        let mut streams = Streams::new();
        let report = streams.bars(7, EventKind::Candle, |_| None).unwrap_err().unwrap();
        assert!(report.contains("stream 7"), "{report}");
        assert_eq!(streams.bars(7, EventKind::Candle, |_| None).unwrap_err(), None);
        // The host is asked again, so the stream works once the host knows it.
        let (symbol, _) = streams
            .bars(7, EventKind::Candle, |_| info("SOL/USD", candles("1h")))
            .unwrap();
        assert_eq!(symbol, "SOL/USD");
    }

    #[test]
    fn events_that_contradict_their_stream_are_dropped_and_reported_once() {
        let mut streams = Streams::new();
        let describe = |_| info("BTC/USD", wit::StreamKind::Quotes);
        let report = streams.bars(1, EventKind::Candle, describe).unwrap_err().unwrap();
        assert!(
            report.contains("Candle event on stream 1") && report.contains("quotes of BTC/USD"),
            "{report}"
        );
        assert_eq!(streams.symbol(1, EventKind::Trade, describe).unwrap_err(), None);
        assert_eq!(streams.symbol(1, EventKind::Quote, describe).unwrap(), "BTC/USD");
    }

    #[test]
    fn books_and_bar_updates_come_only_on_streams_of_their_kind() {
        let mut streams = Streams::new();
        let describe = |id: u32| match id {
            0 => info("BTC/USD", wit::StreamKind::Book(10)),
            1 => info("BTC/USD", wit::StreamKind::CandleUpdates("1m".to_owned())),
            _ => info("BTC/USD", candles("1m")),
        };
        assert_eq!(streams.symbol(0, EventKind::Book, describe).unwrap(), "BTC/USD");
        let (_, timeframe) = streams.bars(1, EventKind::CandleUpdate, describe).unwrap();
        assert_eq!(timeframe, "1m");
        // A bar update on a closed-bar stream, or a closed bar on an update stream, is a host bug.
        let report = streams.bars(2, EventKind::CandleUpdate, describe).unwrap_err().unwrap();
        assert!(report.contains("CandleUpdate event on stream 2"), "{report}");
        let report = streams.bars(1, EventKind::Candle, describe).unwrap_err().unwrap();
        assert!(report.contains("1m candle updates of BTC/USD"), "{report}");
        let report = streams.symbol(0, EventKind::Quote, describe).unwrap_err().unwrap();
        assert!(report.contains("the 10-level book of BTC/USD"), "{report}");
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

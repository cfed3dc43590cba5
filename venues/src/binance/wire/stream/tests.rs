//! Market stream frames: the documented payloads in the combined wrapper, raw frames, control answers, errors naming the field.

use super::*;
use crate::binance::wire::SymbolDirectory;
use trading::market::Side;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/binance/", $name))
    };
}

fn wrap(stream: &str, data: &str) -> String {
    format!(r#"{{"stream":"{stream}","data":{data}}}"#)
}

fn directory() -> SymbolDirectory {
    let mut symbols = SymbolDirectory::new();
    symbols
        .insert(VenueSymbol::new("BNBBTC").unwrap(), "BNB", "BTC")
        .unwrap();
    symbols
        .insert(VenueSymbol::new("BNBUSDT").unwrap(), "BNB", "USDT")
        .unwrap();
    symbols
}

#[test]
fn the_documented_payloads_parse_in_the_combined_wrapper() {
    let symbols = directory();

    let Ok(StreamMessage::Trade(trade)) = parse_stream(&wrap("bnbbtc@trade", fixture!("ws_trade.json"))) else {
        panic!("not a trade")
    };
    let host = trade.to_trade(&symbols).unwrap();
    assert_eq!(
        (
            host.symbol.as_str(),
            host.time_ms,
            host.price.to_string(),
            host.qty.to_string(),
            host.aggressor
        ),
        ("BNB/BTC", 1_672_515_782_136, "0.001".into(), "100".into(), Side::Sell)
    );
    assert_eq!(trade.trade_id, 12345);

    let Ok(StreamMessage::Kline(kline)) = parse_stream(&wrap("bnbbtc@kline_1m", fixture!("ws_kline.json"))) else {
        panic!("not a kline")
    };
    let candle = kline.to_candle(&symbols).unwrap();
    assert_eq!(
        (
            candle.timeframe.as_ms(),
            candle.open_time_ms,
            candle.high.to_string(),
            candle.volume.to_string()
        ),
        (60_000, 1_672_515_780_000, "0.0025".into(), "1000".into())
    );
    assert!(
        matches!(kline.to_bar(&symbols), Some(crate::binance::wire::Bar::InProgress(u)) if u.time_ms == 1_672_515_782_136)
    );

    let Ok(StreamMessage::BookTicker(ticker)) =
        parse_stream(&wrap("bnbusdt@bookTicker", fixture!("ws_bookTicker.json")))
    else {
        panic!("not a bookTicker")
    };
    let quote = ticker.to_quote(&symbols, 42).unwrap();
    assert_eq!(
        (
            quote.symbol.as_str(),
            quote.time_ms,
            quote.bid.to_string(),
            quote.ask_qty.to_string()
        ),
        ("BNB/USDT", 42, "25.35190000".into(), "40.66000000".into())
    );

    let Ok(StreamMessage::Depth(depth)) = parse_stream(&wrap("bnbbtc@depth@100ms", fixture!("ws_depthUpdate.json")))
    else {
        panic!("not a depth update")
    };
    assert_eq!((depth.first_update_id, depth.final_update_id), (157, 160));
    assert_eq!(depth.bids[0].price().to_string(), "0.0024");
    assert_eq!(depth.asks[0].qty().to_string(), "100");
}

#[test]
fn compact_and_pretty_depth_frames_read_alike() {
    let pretty = wrap("bnbbtc@depth", fixture!("ws_depthUpdate.json"));
    let compact: String = pretty.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(parse_stream(&pretty), parse_stream(&compact));
    assert!(matches!(parse_stream(&compact), Ok(StreamMessage::Depth(_))));
}

#[test]
fn raw_streams_control_answers_and_shutdown() {
    assert!(matches!(
        parse_stream(fixture!("ws_trade.json")),
        Ok(StreamMessage::Trade(_))
    ));
    assert_eq!(
        parse_stream(r#"{"result":null,"id":1}"#),
        Ok(StreamMessage::Response(ControlResponse {
            id: Some(RequestId::Number(1)),
            outcome: Ok(vec![])
        }))
    );
    assert_eq!(
        parse_stream(r#"{"result":["btcusdt@trade"],"id":"a1"}"#),
        Ok(StreamMessage::Response(ControlResponse {
            id: Some(RequestId::Text("a1".into())),
            outcome: Ok(vec!["btcusdt@trade".into()])
        }))
    );
    assert_eq!(
        parse_stream(r#"{"code": 2, "msg": "Invalid request: too many parameters","id":7}"#),
        Ok(StreamMessage::Response(ControlResponse {
            id: Some(RequestId::Number(7)),
            outcome: Err(StreamError {
                code: 2,
                msg: "Invalid request: too many parameters".into()
            })
        }))
    );
    assert_eq!(
        parse_stream(r#"{"error":{"code":3,"msg":"Invalid JSON"},"id":null}"#),
        Ok(StreamMessage::Response(ControlResponse {
            id: None,
            outcome: Err(StreamError {
                code: 3,
                msg: "Invalid JSON".into()
            })
        }))
    );
    assert_eq!(
        parse_stream(r#"{"e":"serverShutdown","E":1700000000000}"#),
        Ok(StreamMessage::ServerShutdown {
            time_ms: Some(1_700_000_000_000)
        })
    );
    assert_eq!(
        parse_stream(&wrap("bnbbtc@aggTrade", "{}")),
        Ok(StreamMessage::Unknown {
            name: "bnbbtc@aggTrade".into()
        })
    );
}

#[test]
fn errors_name_the_message_and_the_field() {
    let bad_qty = wrap(
        "bnbbtc@depth@100ms",
        r#"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,"b":[["1","2"],["1","x"]],"a":[]}"#,
    );
    match parse_stream(&bad_qty) {
        Err(WireError::Field { message, path, reason }) => {
            assert_eq!((message.as_str(), path.as_str()), ("depthUpdate", "data.b[1][1]"));
            assert!(reason.starts_with("expected a decimal number, found `x`"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let trade = wrap(
        "bnbbtc@trade",
        r#"{"e":"trade","E":1,"s":"BNB/BTC","t":1,"p":"1","q":"1","T":1,"m":true}"#,
    );
    assert!(matches!(parse_stream(&trade), Err(WireError::Field { path, .. }) if path == "data.s"));
    let float = wrap(
        "bnbbtc@bookTicker",
        r#"{"u":1,"s":"BNBBTC","b":1.5,"B":"1","a":"2","A":"1"}"#,
    );
    // A number with a fraction where Binance writes a string cannot be read exactly: refused.
    assert!(matches!(parse_stream(&float), Err(WireError::Field { path, .. }) if path == "data.b"));
    let integer = wrap(
        "bnbbtc@bookTicker",
        r#"{"u":1,"s":"BNBBTC","b":15,"B":"1","a":"2","A":"1"}"#,
    );
    assert!(matches!(parse_stream(&integer), Ok(StreamMessage::BookTicker(t)) if t.bid.to_string() == "15"));
    for not_a_message in ["", "[]", "42", "{}", r#"{"stream":"x"}"#, "{\"a\":1} junk"] {
        assert!(parse_stream(not_a_message).is_err(), "{not_a_message}");
    }
}

#[test]
fn stream_names_and_subscriptions() {
    let symbol = VenueSymbol::new("BTCUSDT").unwrap();
    let names: Vec<String> = [
        StreamKind::Trade,
        StreamKind::Kline("1m".into()),
        StreamKind::BookTicker,
        StreamKind::Depth(DepthSpeed::Ms100),
        StreamKind::Depth(DepthSpeed::Ms1000),
    ]
    .iter()
    .map(|kind| stream_name(&symbol, kind))
    .collect();
    assert_eq!(
        names,
        [
            "btcusdt@trade",
            "btcusdt@kline_1m",
            "btcusdt@bookTicker",
            "btcusdt@depth@100ms",
            "btcusdt@depth"
        ]
    );
    for name in &names {
        let suffix = name.split_once('@').unwrap().1;
        assert_eq!(StreamKind::parse(suffix).suffix(), suffix);
    }
    assert_eq!(
        subscription_request(true, &names[..1], 7),
        r#"{"id":7,"method":"SUBSCRIBE","params":["btcusdt@trade"]}"#
    );
    assert!(subscription_request(false, &names[..1], 8).contains("UNSUBSCRIBE"));
}

/// A depth frame in Binance's own shape with `bids` and `asks` as written.
fn depth_frame(symbol: &str, first: u64, last: u64, bids: &[(String, String)], asks: &[(String, String)]) -> String {
    let side = |levels: &[(String, String)]| {
        levels
            .iter()
            .map(|(p, q)| format!(r#"["{p}","{q}"]"#))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        r#"{{"stream":"{}@depth@100ms","data":{{"e":"depthUpdate","E":1700000000000,"s":"{symbol}","U":{first},"u":{last},"b":[{}],"a":[{}]}}}}"#,
        symbol.to_ascii_lowercase(),
        side(bids),
        side(asks)
    )
}

/// What serde makes of a depth frame, the reference the scanner must agree with.
fn by_serde(text: &str) -> Option<DepthUpdate> {
    depth_in_one_pass(text)
}

#[test]
fn the_scanner_reads_binances_shape_as_serde_does_and_stands_aside_for_any_other() {
    let compact: String = wrap("bnbbtc@depth", fixture!("ws_depthUpdate.json"))
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let scanned = depth_scan::scan_depth_frame(&compact).expect("Binance's own shape");
    assert_eq!(Some(scanned), by_serde(&compact));

    let empty = depth_frame("BTCUSDT", 5, 9, &[], &[]);
    assert_eq!(depth_scan::scan_depth_frame(&empty), by_serde(&empty));
    assert!(by_serde(&empty).is_some());

    let level = |p: &str, q: &str| vec![(p.to_owned(), q.to_owned())];
    let base = depth_frame(
        "BTCUSDT",
        1,
        2,
        &level("30000.01000000", "0.5"),
        &level("30000.02", "0"),
    );
    let others = [
        base.replace(r#""U":1"#, r#""U": 1"#),
        base.replace(
            r#""E":1700000000000,"s":"BTCUSDT""#,
            r#""s":"BTCUSDT","E":1700000000000"#,
        ),
        base.replace(r#""s":"BTCUSDT""#, r#""s":"BTC\u0055SDT""#),
        base.replace(r#""a":["#, r#""pu":0,"a":["#),
        base.replace(r#""0.5""#, "1"),
        base.replace(r#""U":1"#, r#""U":01"#),
        base.replace(r#""E":1700000000000"#, r#""E":99999999999999999999"#),
        base.replace(r#""0.5""#, r#""0.5x""#),
        format!("{base} "),
    ];
    for text in &others {
        assert_eq!(depth_scan::scan_depth_frame(text), None, "{text}");
        // The frame still reads the way serde reads it, or fails the way it fails.
        match by_serde(text) {
            Some(depth) => assert_eq!(parse_stream(text), Ok(StreamMessage::Depth(depth)), "{text}"),
            None => assert!(!matches!(parse_stream(text), Ok(StreamMessage::Depth(_))), "{text}"),
        }
    }
}

proptest::proptest! {
    #[test]
    fn the_scanner_and_serde_read_every_diff_alike(
        symbol in "[A-Z0-9]{1,12}",
        first in 0u64..u64::MAX / 2,
        span in 0u64..1_000,
        bids in proptest::collection::vec(("[0-9]{1,8}(\\.[0-9]{1,10})?", "[0-9]{1,6}(\\.[0-9]{1,10})?"), 0..25),
        asks in proptest::collection::vec(("[0-9]{1,8}(\\.[0-9]{1,10})?", "[0-9]{1,6}(\\.[0-9]{1,10})?"), 0..25),
    ) {
        let text = depth_frame(&symbol, first, first + span, &bids, &asks);
        let serde = by_serde(&text);
        proptest::prop_assert!(serde.is_some());
        proptest::prop_assert_eq!(depth_scan::scan_depth_frame(&text), serde);
    }
}

//! Public messages, as Kraken documents and sends them.

use super::*;
use crate::kraken::wire::{ChannelName, EngineState, FeedKind, OrderErrorKind};

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn sym(text: &str) -> Symbol {
    Symbol::new(text).unwrap()
}

fn control(text: &str) -> ControlMessage {
    match parse_public(text).unwrap() {
        PublicMessage::Control(message) => message,
        other => panic!("not a control message: {other:?}"),
    }
}

#[test]
fn book_update_keeps_exact_decimals_and_the_checksum() {
    let text = r#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":29423.0,"qty":0.00000000}],
        "asks":[{"price":29431.1,"qty":0.0},{"price":29433.3,"qty":0.80000000}],"checksum":3547452596,
        "timestamp":"2023-07-30T15:29:58.343415Z"}]}"#;
    let PublicMessage::Book(feed) = parse_public(text).unwrap() else {
        panic!()
    };
    assert_eq!(feed.kind, FeedKind::Update);
    let book = &feed.data[0];
    assert_eq!(book.symbol, sym("BTC/USD"));
    assert_eq!(
        book.bids,
        vec![PriceLevel {
            price: d("29423.0"),
            qty: d("0.00000000")
        }]
    );
    assert_eq!(book.asks[1].qty.to_string(), "0.80000000", "the scale as written");
    assert_eq!(book.checksum, 3_547_452_596);
    assert_eq!(book.timestamp, Some(1_690_730_998_343));
}

#[test]
fn trades_ticker_and_ohlc() {
    let trade = r#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":105944.20,
        "qty":0.00027625,"ord_type":"limit","trade_id":10218208,"timestamp":"2023-10-06T17:35:55.440295Z"},
        {"symbol":"XBT/USD","side":"sell","price":105910.50,"qty":0.00012460,"ord_type":"market","trade_id":10218209,
        "timestamp":"2023-10-06T17:35:56.123456Z"}]}"#;
    let PublicMessage::Trade(feed) = parse_public(trade).unwrap() else {
        panic!()
    };
    let expected = TradeData {
        symbol: sym("BTC/USD"),
        side: Side::Buy,
        price: d("105944.20"),
        qty: d("0.00027625"),
        ord_type: OrderType::Limit,
        trade_id: 10_218_208,
        timestamp: 1_696_613_755_440,
    };
    assert_eq!(feed.data[0], expected);
    assert_eq!(
        (feed.data[1].symbol.as_str(), feed.data[1].side),
        ("BTC/USD", Side::Sell)
    );

    let ticker = r#"{"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":105944.20,"bid_qty":2.5,
        "ask":105944.30,"ask_qty":3.2,"last":105899.40,"volume":163.28908096,"vwap":105904.39279,"low":104711.00,
        "high":106613.10,"change":250.00,"change_pct":0.24}]}"#;
    let PublicMessage::Ticker(feed) = parse_public(ticker).unwrap() else {
        panic!()
    };
    let t = &feed.data[0];
    assert_eq!(
        (t.bid, t.ask, t.change.to_string(), t.timestamp),
        (d("105944.20"), d("105944.30"), "250.00".into(), None)
    );

    let ohlc = r#"{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","interval":1,
        "interval_begin":"2023-10-04T16:25:00.000000000Z","open":106038.2,"high":106044.3,"low":106038.1,
        "close":106040.1,"volume":30927.68066226,"vwap":106039.6,"trades":12,"timestamp":"2023-10-04T16:25:30.1Z"}]}"#;
    let PublicMessage::Ohlc(feed) = parse_public(ohlc).unwrap() else {
        panic!()
    };
    let c = &feed.data[0];
    assert_eq!(
        (c.interval, c.trades, c.interval_begin, c.close),
        (1, 12, 1_696_436_700_000, d("106040.1"))
    );
    assert_eq!(c.timestamp, Some(1_696_436_730_100));
}

#[test]
fn instrument_reference_data() {
    let text = r#"{"channel":"instrument","type":"snapshot","data":{
        "assets":[{"id":"XBT","status":"enabled","precision":10,"precision_display":5,"borrowable":true,
                   "collateral_value":1.0,"margin_rate":0.01},
                  {"id":"NEWCOIN","status":"somethingnew","precision":8}],
        "pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,
                  "qty_increment":0.00000001,"price_precision":1,"cost_precision":5,"marginable":true,
                  "has_index":true,"cost_min":0.5,"margin_initial":0.2,"position_limit_long":250,
                  "position_limit_short":200,"tick_size":0.1,"price_increment":0.1,"qty_min":0.0001}]}}"#;
    let PublicMessage::Instrument(feed) = parse_public(text).unwrap() else {
        panic!()
    };
    let pair = &feed.data.pairs[0];
    assert_eq!(
        (pair.symbol.as_str(), pair.price_precision, pair.qty_precision),
        ("BTC/USD", 1, 8)
    );
    assert_eq!(
        (pair.status.clone(), pair.qty_min, pair.cost_min),
        (PairStatus::Online, d("0.0001"), Some(d("0.5")))
    );
    assert_eq!(pair.qty_increment.to_string(), "0.00000001");
    assert_eq!(feed.data.assets[0].id, "BTC");
    assert_eq!(
        feed.data.assets[1].status,
        AssetStatus::Unrecognized("somethingnew".into())
    );
}

#[test]
fn control_messages() {
    assert_eq!(control(r#"{"channel":"heartbeat"}"#), ControlMessage::Heartbeat);
    let ControlMessage::Status(status) = control(
        r#"{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":12393906104898154338,
            "system":"online","version":"2.0.4"}]}"#,
    ) else {
        panic!()
    };
    assert_eq!(status.data[0].system, EngineState::Online);
    assert_eq!(status.data[0].connection_id, Some(12_393_906_104_898_154_338));

    let ControlMessage::Subscribed(ack) = control(
        r#"{"method":"subscribe","result":{"channel":"book","symbol":"BTC/USD","depth":10,"snapshot":true,
            "warnings":["tick_size is deprecated, use price_increment"]},"success":true,
            "time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":1}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (ack.req_id, ack.time_in, ack.time_out),
        (Some(1), Some(1_695_632_671_742), Some(1_695_632_671_742))
    );
    let result = ack.outcome.unwrap();
    assert_eq!(
        (result.channel, result.symbol, result.depth),
        (ChannelName::Book, Some(sym("BTC/USD")), Some(10))
    );
    assert_eq!(result.warnings.len(), 1);

    let ControlMessage::Subscribed(failed) = control(
        r#"{"error":"Currency pair not supported XBT/USDT","method":"subscribe","req_id":7,"success":false,
            "symbol":"XBT/USDT","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}"#,
    ) else {
        panic!()
    };
    let failure = failed.outcome.unwrap_err();
    assert_eq!(failure.error.text, "Currency pair not supported XBT/USDT");
    assert_eq!(failure.symbol.as_deref(), Some("XBT/USDT"));
    assert!(matches!(failure.error.kind, OrderErrorKind::Other(_)));

    let ControlMessage::Pong(pong) = control(
        r#"{"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}"#,
    ) else {
        panic!()
    };
    assert_eq!((pong.req_id, pong.outcome), (Some(101), Ok(())));

    let ControlMessage::Unknown(unknown) = control(r#"{"channel":"level3","type":"snapshot","data":[]}"#) else {
        panic!()
    };
    assert_eq!(unknown.channel.as_deref(), Some("level3"));
    assert!(matches!(
        control(r#"{"method":"edit_order","success":true}"#),
        ControlMessage::Unknown(_)
    ));
}

#[test]
fn errors_name_the_message_and_the_field() {
    let cases = [
        (
            r#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":"abc","qty":1}],"asks":[],"checksum":1}]}"#,
            "book",
            "data[0].bids[0].price",
        ),
        (
            r#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[]}]}"#,
            "book",
            "data[0]",
        ),
        (
            r#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":-1}]}"#,
            "book",
            "data[0].checksum",
        ),
        (
            r#"{"channel":"trade","type":"update","data":[{"symbol":"BTCUSD"}]}"#,
            "trade",
            "data[0].symbol",
        ),
        (r#"{"channel":"trade","type":"sideways","data":[]}"#, "message", "type"),
        (r#"{"channel":"ticker","data":[]}"#, "ticker", "type"),
        (r#"{"channel":"ohlc","type":"update"}"#, "ohlc", "data"),
        (
            r#"{"method":"subscribe","success":true,"result":{"channel":7}}"#,
            "subscribe",
            "result.channel",
        ),
        (
            r#"{"method":"subscribe","success":true,"time_in":"yesterday"}"#,
            "message",
            "time_in",
        ),
    ];
    for (text, message, path) in cases {
        match parse_public(text) {
            Err(WireError::Field {
                message: m, path: p, ..
            }) => assert_eq!((m.as_str(), p.as_str()), (message, path), "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    for text in ["", "[]", "42", "{", r#"{"data":[]}"#, r#"{"channel":"book"} trailing"#] {
        assert!(parse_public(text).is_err(), "{text}");
    }
    assert!(matches!(parse_public("[1,2]"), Err(WireError::NotAMessage { .. })));
}

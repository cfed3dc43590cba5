//! REST requests: paths, url-encoded bodies, and their signatures.

use std::fmt::Write as _;

use trading::market::Side;

use super::super::requests::{AddOrder, OrderKind};
use super::super::sign::{sign, Secret, SignError};

/// A private (signed) REST request: POST `path` with `body` as
/// `application/x-www-form-urlencoded`, headers `API-Key` and `API-Sign` ([`Self::api_sign`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateRequest {
    /// The URI path (`/0/private/AddOrder`), appended to `https://api.kraken.com`.
    pub path: &'static str,
    /// The nonce in the body (must grow with each request of the key).
    pub nonce: u64,
    /// The url-encoded body, nonce first.
    pub body: String,
}

impl PrivateRequest {
    /// The `API-Sign` header for this request.
    ///
    /// # Errors
    /// As [`sign`].
    pub fn api_sign(&self, secret: &Secret) -> Result<String, SignError> {
        sign(secret, self.path, self.nonce, &self.body)
    }
}

/// A public REST request: GET `path?query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicRequest {
    /// The URI path (`/0/public/AssetPairs`).
    pub path: &'static str,
    /// The url-encoded query, without `?` (empty for none).
    pub query: String,
}

/// An url-encoded form, built pair by pair.
struct Form(String);

impl Form {
    fn with_nonce(nonce: u64) -> Self {
        Form(format!("nonce={nonce}"))
    }

    fn push(&mut self, key: &str, value: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        encode_into(&mut self.0, key);
        self.0.push('=');
        encode_into(&mut self.0, value);
        self
    }
}

/// `application/x-www-form-urlencoded`: unreserved characters as they are, the rest `%XX`.
fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a `String` cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

fn private(path: &'static str, nonce: u64, form: Form) -> PrivateRequest {
    PrivateRequest {
        path,
        nonce,
        body: form.0,
    }
}

/// `GetWebSocketsToken`: a token for the authenticated socket (use within 15 minutes).
pub fn get_websockets_token(nonce: u64) -> PrivateRequest {
    private("/0/private/GetWebSocketsToken", nonce, Form::with_nonce(nonce))
}

/// `AddOrder` for `order`, on the REST pair name `rest_pair` (`XBTUSD`: see
/// [`super::super::PairDirectory::rest_name`]).
pub fn add_order(nonce: u64, order: &AddOrder, rest_pair: &str) -> PrivateRequest {
    let mut form = Form::with_nonce(nonce);
    // REST's `price` is a stop's trigger, and `price2` a stop-limit's limit.
    let (price, price2) = match order.kind {
        OrderKind::Limit { limit_price, .. } => (Some(limit_price), None),
        OrderKind::Market => (None, None),
        OrderKind::StopLoss { trigger } => (Some(trigger), None),
        OrderKind::StopLossLimit { trigger, limit_price } => (Some(trigger), Some(limit_price)),
    };
    let side = match order.side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    };
    form.push("ordertype", order.kind.order_type())
        .push("pair", rest_pair)
        .push("type", side)
        .push("volume", &order.order_qty.to_string());
    if let Some(price) = price {
        form.push("price", &price.to_string());
    }
    if let Some(price2) = price2 {
        form.push("price2", &price2.to_string());
    }
    if order.kind.trigger().is_some() {
        form.push("trigger", "last");
    }
    if let OrderKind::Limit { post_only: true, .. } = order.kind {
        form.push("oflags", "post");
    }
    if let Some(tif) = order.time_in_force {
        // REST spells them in capitals.
        form.push("timeinforce", &tif.as_str().to_ascii_uppercase());
    }
    if order.reduce_only {
        form.push("reduce_only", "true");
    }
    if let Some(cl_ord_id) = &order.cl_ord_id {
        form.push("cl_ord_id", cl_ord_id);
    }
    if order.validate {
        form.push("validate", "true");
    }
    private("/0/private/AddOrder", nonce, form)
}

/// `QueryOrders` for up to 50 `txids`, with their trades if `trades`.
pub fn query_orders(nonce: u64, txids: &[&str], trades: bool) -> PrivateRequest {
    let mut form = Form::with_nonce(nonce);
    form.push("txid", &txids.join(","));
    if trades {
        form.push("trades", "true");
    }
    private("/0/private/QueryOrders", nonce, form)
}

/// `QueryOrders` for the order(s) with client order id `cl_ord_id`, with their trades if
/// `trades`: how an order whose outcome is unknown is found, open or closed.
pub fn query_orders_by_cl_ord_id(nonce: u64, cl_ord_id: &str, trades: bool) -> PrivateRequest {
    let mut form = Form::with_nonce(nonce);
    form.push("cl_ord_id", cl_ord_id);
    if trades {
        form.push("trades", "true");
    }
    private("/0/private/QueryOrders", nonce, form)
}

/// `OpenOrders`, with their trades if `trades`, only the one with `cl_ord_id` if given (how an
/// order is found after an unknown outcome; a closed one is in `ClosedOrders` or `executions`).
pub fn open_orders(nonce: u64, trades: bool, cl_ord_id: Option<&str>) -> PrivateRequest {
    let mut form = Form::with_nonce(nonce);
    if trades {
        form.push("trades", "true");
    }
    if let Some(cl_ord_id) = cl_ord_id {
        form.push("cl_ord_id", cl_ord_id);
    }
    private("/0/private/OpenOrders", nonce, form)
}

/// `TradesHistory`, optionally from `start` to `end` (Unix seconds, or trade ids) and from
/// result offset `ofs` (50 per page).
pub fn trades_history(nonce: u64, start: Option<&str>, end: Option<&str>, ofs: Option<u64>) -> PrivateRequest {
    let mut form = Form::with_nonce(nonce);
    if let Some(start) = start {
        form.push("start", start);
    }
    if let Some(end) = end {
        form.push("end", end);
    }
    if let Some(ofs) = ofs {
        form.push("ofs", &ofs.to_string());
    }
    private("/0/private/TradesHistory", nonce, form)
}

/// `AssetPairs` for `pairs` (REST names), or every pair when empty.
pub fn asset_pairs(pairs: &[&str]) -> PublicRequest {
    let mut form = Form(String::new());
    if !pairs.is_empty() {
        form.push("pair", &pairs.join(","));
    }
    PublicRequest {
        path: "/0/public/AssetPairs",
        query: form.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trading::market::Symbol;

    #[test]
    fn add_order_body_signs_like_the_documented_vector() {
        let order = AddOrder {
            symbol: Symbol::new("BTC/USD").unwrap(),
            side: Side::Buy,
            order_qty: "1.25".parse().unwrap(),
            kind: OrderKind::Limit {
                limit_price: "37500".parse().unwrap(),
                post_only: false,
            },
            time_in_force: None,
            reduce_only: false,
            cl_ord_id: None,
            validate: false,
        };
        let request = add_order(1_616_492_376_594, &order, "XBTUSD");
        assert_eq!(
            request.body,
            "nonce=1616492376594&ordertype=limit&pair=XBTUSD&type=buy&volume=1.25&price=37500"
        );
        // The documented body orders its fields differently; sign the same fields in its order.
        let vector = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";
        let secret = Secret::from_base64(
            "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
        )
        .unwrap();
        let documented = PrivateRequest {
            body: vector.to_owned(),
            ..request
        };
        assert_eq!(
            documented.api_sign(&secret).unwrap(),
            "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
        );
    }

    #[test]
    fn bodies_are_url_encoded() {
        let request = open_orders(5, false, Some("a b&c=d/é"));
        assert_eq!(request.body, "nonce=5&cl_ord_id=a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(
            query_orders(6, &["OA-1", "OB-2"], true).body,
            "nonce=6&txid=OA-1%2COB-2&trades=true"
        );
        assert_eq!(
            query_orders_by_cl_ord_id(8, "m1-7", false).body,
            "nonce=8&cl_ord_id=m1-7"
        );
        assert_eq!(asset_pairs(&["XBTUSD", "ETHXBT"]).query, "pair=XBTUSD%2CETHXBT");
        assert_eq!(get_websockets_token(7).body, "nonce=7");
    }
}

//! [`OrderIds`]: which Kraken order (txid) is which host order. Kraken names the client order
//! id in `executions` and REST orders, but not in REST trades, and not in every `executions`
//! entry: what was learned from one answer finds the order in the next.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use trading::orders::OrderId;

/// Shared by the socket task and the REST queries it starts.
#[derive(Debug, Clone, Default)]
pub(super) struct OrderIds {
    by_txid: Arc<Mutex<HashMap<String, OrderId>>>,
}

impl OrderIds {
    pub(super) fn learn(&self, txid: &str, id: &OrderId) {
        self.lock().entry(txid.to_owned()).or_insert_with(|| id.clone());
    }

    pub(super) fn host_id(&self, txid: &str) -> Option<OrderId> {
        self.lock().get(txid).cloned()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, OrderId>> {
        crate::kit::lock(&self.by_txid)
    }
}

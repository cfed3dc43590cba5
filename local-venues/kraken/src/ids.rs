//! Kraken-looking identifiers: `OXXXXX-XXXXX-XXXXXX` orders, `TXXXXX-…` executions, `LXXXXX-…`
//! ledger entries. Each comes from a counter mixed with a salt drawn at start, so ids never
//! repeat within a run and differ between runs (a host that persisted ids from an earlier run
//! must not find them again).

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#[derive(Debug)]
pub(crate) struct IdGen {
    salt: [u8; 16],
    counter: u64,
}

impl IdGen {
    pub(crate) fn new() -> Self {
        let mut salt = [0u8; 16];
        salt.copy_from_slice(&crate::auth::random_bytes(16));
        IdGen { salt, counter: 0 }
    }

    /// `prefix` then 5-5-6 letters, e.g. `OQCLML-BW3P3-BUCMWZ`.
    pub(crate) fn next(&mut self, prefix: char) -> String {
        self.counter += 1;
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(self.counter.to_le_bytes());
        let digest = h.finalize();
        let mut out = String::with_capacity(19);
        out.push(prefix);
        for (i, b) in digest.iter().take(16).enumerate() {
            if i == 5 || i == 10 {
                out.push('-');
            }
            out.push(ALPHABET[(*b as usize) % 32] as char);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_kraken_shape_and_do_not_repeat() {
        let mut ids = IdGen::new();
        let a = ids.next('O');
        let b = ids.next('O');
        assert_ne!(a, b);
        assert_eq!(a.len(), 19);
        assert_eq!(a.split('-').map(str::len).collect::<Vec<_>>(), vec![6, 5, 6]);
    }
}

//! One ordered map for the crate's sets and maps of fixed-size identities (outpoints, burn ids,
//! log identities, x-only keys). Every key is the same 81-byte array, so the B-tree code is
//! compiled once rather than once per key type (each copy was about 2 KB of WebAssembly).
//!
//! A map holds keys of one type only (its type parameter); each type's bytes are a fixed layout
//! padded with zeros, so two keys of a type are equal exactly when their values are. Nothing
//! iterates a map: the byte order is not the types' own order.

use crate::pegout::BurnId;
use crate::tx::OutPoint;
use alloc::collections::BTreeMap;
use core::borrow::Borrow;
use core::marker::PhantomData;

/// Bytes of a key: the longest identity, a log's (32 + 8 + 1 + 32 + 8).
pub(crate) const KEY_LEN: usize = 81;

/// An identity as a map key.
pub(crate) trait ToKey {
    /// The identity's bytes at the start of [`KEY_LEN`] zero bytes.
    fn to_key(&self) -> [u8; KEY_LEN];
}

/// `parts` one after the other, then zeros.
fn key_of(parts: &[&[u8]]) -> [u8; KEY_LEN] {
    let mut key = [0u8; KEY_LEN];
    let mut rest = key.as_mut_slice();
    for part in parts {
        let (head, tail) = rest.split_at_mut(part.len().min(rest.len()));
        head.copy_from_slice(part.get(..head.len()).unwrap_or_default());
        rest = tail;
    }
    key
}

impl ToKey for [u8; 32] {
    fn to_key(&self) -> [u8; KEY_LEN] {
        key_of(&[self])
    }
}

impl ToKey for OutPoint {
    fn to_key(&self) -> [u8; KEY_LEN] {
        key_of(&[self.txid.as_byte_array(), &self.vout.to_le_bytes()])
    }
}

impl ToKey for BurnId {
    fn to_key(&self) -> [u8; KEY_LEN] {
        key_of(&[&self.transaction_hash, &self.event_index.to_le_bytes()])
    }
}

/// A log's place in a block: transaction, block number, block hash (if given), log index.
impl ToKey for ([u8; 32], u64, Option<[u8; 32]>, u64) {
    fn to_key(&self) -> [u8; KEY_LEN] {
        let (tx, number, hash, index) = self;
        let (flag, hash) = match hash {
            Some(h) => ([1u8], *h),
            None => ([0u8], [0u8; 32]),
        };
        key_of(&[
            tx,
            &number.to_le_bytes(),
            &flag,
            &hash,
            &index.to_le_bytes(),
        ])
    }
}

/// A map from identities of type `T` to `u64` values (a set when the values are unused). The
/// B-tree itself is the same type for every `T`.
#[derive(Debug)]
pub(crate) struct KeyMap<T: ToKey>(Bytes, PhantomData<fn(&T)>);

/// The one B-tree type behind every [`KeyMap`].
#[derive(Debug, Default)]
struct Bytes(BTreeMap<[u8; KEY_LEN], u64>);

impl Bytes {
    fn insert_new(&mut self, key: [u8; KEY_LEN], value: u64) -> bool {
        match self.0.entry(key) {
            alloc::collections::btree_map::Entry::Vacant(e) => {
                e.insert(value);
                true
            }
            alloc::collections::btree_map::Entry::Occupied(_) => false,
        }
    }
}

impl<T: ToKey> KeyMap<T> {
    /// The empty map.
    pub(crate) fn new() -> Self {
        Self(Bytes::default(), PhantomData)
    }

    /// The set of `items` (values 0).
    pub(crate) fn set_of<I: Borrow<T>>(items: impl IntoIterator<Item = I>) -> Self {
        let mut map = Self::new();
        for item in items {
            map.insert_new(item.borrow(), 0);
        }
        map
    }

    /// Inserts `key` with `value` unless it is present; whether it was absent (a present key
    /// keeps its value).
    pub(crate) fn insert_new(&mut self, key: &T, value: u64) -> bool {
        self.0.insert_new(key.to_key(), value)
    }

    /// `key`'s value.
    pub(crate) fn get(&self, key: &T) -> Option<u64> {
        self.0.0.get(&key.to_key()).copied()
    }

    /// Whether `key` is present.
    pub(crate) fn contains(&self, key: &T) -> bool {
        self.0.0.contains_key(&key.to_key())
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyMap, ToKey};
    use crate::hash::Txid;
    use crate::pegout::BurnId;
    use crate::tx::OutPoint;

    #[test]
    fn keys_of_a_type_are_equal_exactly_when_the_values_are() {
        let a = OutPoint {
            txid: Txid::from_byte_array([1; 32]),
            vout: 0,
        };
        let b = OutPoint { vout: 1, ..a };
        let c = OutPoint { vout: 1 << 24, ..a };
        assert_ne!(a.to_key(), b.to_key());
        assert_ne!(b.to_key(), c.to_key());
        let id = BurnId {
            transaction_hash: [1; 32],
            event_index: 0,
        };
        assert_eq!(id.to_key(), a.to_key()); // the same bytes: never in one map
        let log = ([2u8; 32], 5u64, None, 7u64);
        let zero_hash = ([2u8; 32], 5u64, Some([0u8; 32]), 7u64);
        assert_ne!(log.to_key(), zero_hash.to_key());
        assert_ne!(log.to_key(), ([2u8; 32], 7u64, None, 5u64).to_key());
        assert_ne!([3u8; 32].to_key(), [4u8; 32].to_key());
    }

    #[test]
    fn insert_new_get_contains() {
        let mut m = KeyMap::new();
        let k = [9u8; 32];
        assert!(!m.contains(&k));
        assert!(m.insert_new(&k, 5));
        assert!(!m.insert_new(&k, 6));
        assert_eq!(m.get(&k), Some(5));
        assert!(m.contains(&k));
        assert_eq!(m.get(&[8u8; 32]), None);
        let s = KeyMap::set_of([[1u8; 32], [2u8; 32], [1u8; 32]]);
        assert!(s.contains(&[1u8; 32]) && s.contains(&[2u8; 32]) && !s.contains(&[3u8; 32]));
    }
}

//! The federation's output: a k-of-n taproot script tree (or a P2WSH multisig), its address,
//! descriptor and the size of the witness that spends it.
//!
//! Taproot (the default): internal key BIP341's H (no key path) or a caller's key; the main leaf is
//! `sortedmulti_a(k, keys)` — `<k1> OP_CHECKSIG <k2> OP_CHECKSIGADD … <kn> OP_CHECKSIGADD <k>
//! OP_NUMEQUAL` over the keys sorted by their x-only bytes — and an optional recovery leaf is
//! `and_v(v:multi_a(m, recovery keys), older(blocks))`, both at depth 1. `tr(H, …)` imported into
//! Bitcoin Core watches the same address.
//!
//! P2WSH: `wsh(sortedmulti(k, keys))`, `OP_k <keys sorted by compressed bytes> OP_n
//! OP_CHECKMULTISIG`, signed with ECDSA.

use crate::ErrorCode;
use crate::address::segwit_address;
use crate::descriptor;
use crate::ecdsa::PublicKey;
use crate::encode::{compact_size_len, var_bytes_len};
use crate::hash::{TapLeafHash, sha256};
use crate::hex;
use crate::params::Network;
use crate::schnorr::{KeyError, XOnlyPublicKey};
use crate::script::{
    OP_CHECKMULTISIG, OP_CHECKSEQUENCEVERIFY, OP_CHECKSIG, OP_CHECKSIGADD, OP_NUMEQUAL,
    OP_NUMEQUALVERIFY, push_data, push_int,
};
use crate::sighash::{TAPSCRIPT_LEAF_VERSION, tap_leaf_hash};
use crate::taproot::{
    NUMS_H, OutputKey, control_block, output_key, p2tr_script_pubkey, tap_branch_hash,
};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

/// The most keys a `multi_a` may have (Bitcoin Core's `MAX_PUBKEYS_PER_MULTI_A`).
pub const MAX_TAPROOT_KEYS: usize = 999;
/// The most keys an `OP_CHECKMULTISIG` may have (`MAX_PUBKEYS_PER_MULTISIG`).
pub const MAX_P2WSH_KEYS: usize = 20;
/// The recovery leaf's default delay (AILEE): 1008 blocks, about a week.
pub const DEFAULT_RECOVERY_BLOCKS: u16 = 1008;
/// Bytes of a Schnorr signature with the default sighash type.
pub const SCHNORR_SIGNATURE_LEN: usize = 64;
/// Bytes of the largest low-S DER ECDSA signature with its sighash byte.
pub const MAX_ECDSA_SIGNATURE_LEN: usize = 72;

/// Which leaf of the taproot tree a spend uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeafRole {
    /// `sortedmulti_a(threshold, keys)`.
    Main,
    /// The delayed recovery leaf.
    Recovery,
}

impl LeafRole {
    /// `main` or `recovery`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::Recovery => "recovery",
        }
    }
}

/// The recovery leaf's parameters: `m` of the recovery keys, once the output is `after_blocks`
/// blocks old (BIP68/112 relative lock by height).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Signatures needed.
    pub threshold: usize,
    /// The recovery keys, in any order (they are sorted).
    pub keys: Vec<XOnlyPublicKey>,
    /// The relative delay in blocks, 1..=65535.
    pub after_blocks: u16,
}

/// Why a federation cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FederationError {
    /// A key list is empty.
    NoKeys {
        /// Which leaf.
        leaf: LeafRole,
    },
    /// A threshold of zero or above the number of keys.
    InvalidThreshold {
        /// Which leaf.
        leaf: LeafRole,
        /// The threshold.
        threshold: usize,
        /// Keys in the leaf.
        keys: usize,
    },
    /// More keys than the script type allows.
    TooManyKeys {
        /// Which leaf.
        leaf: LeafRole,
        /// Keys given.
        keys: usize,
        /// The limit.
        max: usize,
    },
    /// The same key twice in one leaf (for taproot: the same x coordinate).
    DuplicateKey {
        /// Which leaf.
        leaf: LeafRole,
        /// The key, hex.
        key: String,
    },
    /// A recovery delay outside 1..=65535 blocks.
    InvalidTimelock {
        /// The delay.
        after_blocks: i64,
    },
    /// A key that cannot be parsed.
    Key {
        /// Which list it was given in.
        list: KeyList,
        /// Its position in the list.
        index: usize,
        /// What is wrong with it.
        error: KeyError,
    },
    /// A 32-byte x-only key given for a P2WSH federation, which needs compressed keys.
    XOnlyKeyForP2wsh {
        /// Its position in the list.
        index: usize,
    },
    /// A taproot-only option (a recovery leaf, an internal key) asked of a P2WSH federation.
    TaprootOnly {
        /// The option: `recovery` or `internal_key`.
        option: &'static str,
    },
    /// The taproot tweak failed (probability about 2⁻¹²⁸).
    Tweak(crate::taproot::TweakError),
}

impl fmt::Display for FederationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoKeys { leaf } => write!(f, "the {} leaf has no keys", leaf.name()),
            Self::InvalidThreshold {
                leaf,
                threshold,
                keys,
            } => write!(
                f,
                "threshold {threshold} of the {} leaf must be between 1 and its {keys} keys",
                leaf.name()
            ),
            Self::TooManyKeys { leaf, keys, max } => {
                write!(
                    f,
                    "the {} leaf has {keys} keys; at most {max} are allowed",
                    leaf.name()
                )
            }
            Self::DuplicateKey { leaf, key } => {
                write!(f, "key {key} appears twice in the {} leaf", leaf.name())
            }
            Self::InvalidTimelock { after_blocks } => write!(
                f,
                "recovery delay of {after_blocks} blocks; it must be 1 to 65535 blocks"
            ),
            Self::TaprootOnly { option } => {
                write!(f, "{option} applies to taproot federations, not p2wsh")
            }
            Self::Key { list, index, error } => match list {
                KeyList::InternalKey => write!(f, "internal key: {error}"),
                _ => write!(f, "{} key {index}: {error}", list.name()),
            },
            Self::XOnlyKeyForP2wsh { index } => write!(
                f,
                "key {index}: p2wsh needs 33-byte compressed keys; an x-only key has no parity"
            ),
            Self::Tweak(e) => e.fmt(f),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for FederationError {}

impl ErrorCode for FederationError {
    fn code(&self) -> &'static str {
        match self {
            Self::NoKeys { .. } => "no_keys",
            Self::InvalidThreshold { .. } => "invalid_threshold",
            Self::TooManyKeys { .. } => "too_many_keys",
            Self::DuplicateKey { .. } => "duplicate_key",
            Self::InvalidTimelock { .. } => "invalid_timelock",
            Self::TaprootOnly { .. } => "taproot_only",
            Self::Key { error, .. } => error.code(),
            Self::XOnlyKeyForP2wsh { .. } => "invalid_key",
            Self::Tweak(e) => e.code(),
        }
    }
}

/// One leaf of the federation's taproot tree, with everything a spend through it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapLeaf {
    role: LeafRole,
    threshold: usize,
    keys: Vec<XOnlyPublicKey>,
    after_blocks: Option<u16>,
    script: Vec<u8>,
    leaf_hash: TapLeafHash,
    control_block: Vec<u8>,
}

impl TapLeaf {
    /// Main or recovery.
    pub fn role(&self) -> LeafRole {
        self.role
    }

    /// Signatures a spend through this leaf carries: exactly this many.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// The leaf's keys, sorted by their bytes (the order of the script).
    pub fn keys(&self) -> &[XOnlyPublicKey] {
        &self.keys
    }

    /// The recovery delay in blocks (`None` for the main leaf).
    pub fn after_blocks(&self) -> Option<u16> {
        self.after_blocks
    }

    /// The tapscript.
    pub fn script(&self) -> &[u8] {
        &self.script
    }

    /// `TaggedHash("TapLeaf", 0xc0 || script)`.
    pub fn leaf_hash(&self) -> TapLeafHash {
        self.leaf_hash
    }

    /// The control block that proves this leaf is in the output key.
    pub fn control_block(&self) -> &[u8] {
        &self.control_block
    }

    /// Weight units (= bytes) of the witness spending one input through this leaf with exactly
    /// `threshold` 64-byte signatures: item count, each item's length prefix and bytes.
    pub fn satisfaction_weight(&self) -> u64 {
        let n = self.keys.len();
        let sigs = self.threshold;
        let total = compact_size_len(n.saturating_add(2) as u64)
            .saturating_add(n.saturating_sub(sigs))
            .saturating_add(sigs.saturating_mul(var_bytes_len(SCHNORR_SIGNATURE_LEN)))
            .saturating_add(var_bytes_len(self.script.len()))
            .saturating_add(var_bytes_len(self.control_block.len()));
        total as u64
    }

    /// The position of a key among the leaf's keys (32-byte x-only, or 33-byte compressed whose
    /// parity is ignored), or `None` if it is not one of them.
    pub fn position(&self, key: &[u8]) -> Option<usize> {
        let x = match key.len() {
            32 => key,
            33 if matches!(key.first(), Some(0x02 | 0x03)) => key.get(1..)?,
            _ => return None,
        };
        self.keys.iter().position(|k| k.to_bytes().as_slice() == x)
    }
}

#[allow(clippy::large_enum_variant)] // one value per federation, never held in bulk
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Taproot {
        internal_key: XOnlyPublicKey,
        output: OutputKey,
        leaves: Vec<TapLeaf>,
    },
    P2wsh {
        keys: Vec<PublicKey>,
        witness_script: Vec<u8>,
    },
}

/// A federation's output script and everything derived from it. Build with
/// [`Federation::taproot`] or [`Federation::p2wsh`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Federation {
    network: Network,
    threshold: usize,
    kind: Kind,
    script_pubkey: Vec<u8>,
    address: String,
    descriptor: String,
}

/// Which list of a [`FederationSpec`] a key was given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyList {
    /// The members' keys (the main leaf, or the P2WSH script).
    PublicKeys,
    /// The recovery leaf's keys.
    RecoveryPublicKeys,
    /// The taproot internal key.
    InternalKey,
}

impl KeyList {
    /// `main leaf`, `recovery leaf` or `internal`.
    pub fn name(self) -> &'static str {
        match self {
            Self::PublicKeys => "main leaf",
            Self::RecoveryPublicKeys => "recovery leaf",
            Self::InternalKey => "internal",
        }
    }
}

/// Taproot (BIP340 signatures in a tapscript leaf) or P2WSH (ECDSA `OP_CHECKMULTISIG`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FederationKind {
    /// `tr(H, sortedmulti_a(k, …))`, optionally with the recovery leaf.
    #[default]
    Taproot,
    /// `wsh(sortedmulti(k, …))`.
    P2wsh,
}

/// A federation described with unparsed keys, as the CLI and JavaScript take it: every check
/// of [`Federation::from_spec`] in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationSpec {
    /// The network of the address.
    pub network: Network,
    /// Taproot or P2WSH.
    pub kind: FederationKind,
    /// Signatures a spend needs.
    pub threshold: usize,
    /// The members' keys: taproot 32-byte x-only or 33-byte compressed (parity dropped), P2WSH
    /// 33-byte compressed only.
    pub public_keys: Vec<Vec<u8>>,
    /// Taproot only: the recovery leaf.
    pub recovery: Option<RecoverySpec>,
    /// Taproot only: a 32-byte x-only internal key instead of H.
    pub internal_key: Option<Vec<u8>>,
}

/// The recovery leaf of a [`FederationSpec`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecoverySpec {
    /// The delay in blocks: 1..=65535 (other values are refused as `invalid_timelock`).
    pub after_blocks: i64,
    /// Signatures the recovery leaf needs.
    pub threshold: usize,
    /// The recovery keys (32-byte x-only or 33-byte compressed).
    pub public_keys: Vec<Vec<u8>>,
}

fn parse_xonly(list: KeyList, keys: &[Vec<u8>]) -> Result<Vec<XOnlyPublicKey>, FederationError> {
    keys.iter()
        .enumerate()
        .map(|(index, k)| {
            XOnlyPublicKey::from_slice(k).map_err(|error| FederationError::Key {
                list,
                index,
                error,
            })
        })
        .collect()
}

fn check_keys<K: Ord>(
    leaf: LeafRole,
    threshold: usize,
    keys: &mut Vec<K>,
    max: usize,
    show: impl Fn(&K) -> String,
) -> Result<(), FederationError> {
    if keys.is_empty() {
        return Err(FederationError::NoKeys { leaf });
    }
    if keys.len() > max {
        return Err(FederationError::TooManyKeys {
            leaf,
            keys: keys.len(),
            max,
        });
    }
    if threshold == 0 || threshold > keys.len() {
        return Err(FederationError::InvalidThreshold {
            leaf,
            threshold,
            keys: keys.len(),
        });
    }
    // Any order of equal keys would do (they are refused next): the crate's one shared sort keeps
    // the standard library's sort from being compiled again for each key type.
    crate::pegout::sort_stable_by(keys, K::cmp);
    if let Some(pair) = keys.windows(2).find(|w| w.first() == w.get(1)) {
        return Err(FederationError::DuplicateKey {
            leaf,
            key: pair.first().map(&show).unwrap_or_default(),
        });
    }
    Ok(())
}

/// An x-only key ordered by its bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct XOnlyKeyRef(XOnlyPublicKey);

impl PartialOrd for XOnlyKeyRef {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for XOnlyKeyRef {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.0.to_bytes().cmp(&other.0.to_bytes())
    }
}

fn sorted_xonly(
    leaf: LeafRole,
    threshold: usize,
    keys: &[XOnlyPublicKey],
) -> Result<Vec<XOnlyPublicKey>, FederationError> {
    let mut sorted: Vec<XOnlyKeyRef> = keys.iter().copied().map(XOnlyKeyRef).collect();
    check_keys(leaf, threshold, &mut sorted, MAX_TAPROOT_KEYS, |k| {
        hex::encode(&k.0.to_bytes())
    })?;
    Ok(sorted.into_iter().map(|k| k.0).collect())
}

/// `<k1> OP_CHECKSIG <k2> OP_CHECKSIGADD … <kn> OP_CHECKSIGADD <threshold>`: the `multi_a` body.
fn multi_a(keys: &[XOnlyPublicKey], threshold: usize) -> Vec<u8> {
    let mut script = Vec::with_capacity(keys.len().saturating_mul(34).saturating_add(8));
    for (i, key) in keys.iter().enumerate() {
        push_data(&mut script, &key.to_bytes());
        script.push(if i == 0 { OP_CHECKSIG } else { OP_CHECKSIGADD });
    }
    push_int(&mut script, threshold as u64);
    script
}

fn keys_list<K>(out: &mut String, keys: &[K], bytes: impl Fn(&K) -> Vec<u8>) {
    for key in keys {
        out.push(',');
        out.push_str(&hex::encode(&bytes(key)));
    }
}

impl Federation {
    /// A taproot federation: `threshold` of `keys` in the main leaf, the optional recovery leaf,
    /// internal key `internal_key` or BIP341's H.
    ///
    /// # Errors
    /// [`FederationError`] for an empty key list, a threshold outside `1..=keys`, more than 999
    /// keys, a key twice in one leaf, a zero recovery delay, or a failed tweak.
    pub fn taproot(
        network: Network,
        threshold: usize,
        keys: &[XOnlyPublicKey],
        recovery: Option<&Recovery>,
        internal_key: Option<XOnlyPublicKey>,
    ) -> Result<Self, FederationError> {
        let main_keys = sorted_xonly(LeafRole::Main, threshold, keys)?;
        let mut main_script = multi_a(&main_keys, threshold);
        main_script.push(OP_NUMEQUAL);
        let mut specs = alloc::vec![(LeafRole::Main, threshold, main_keys, None, main_script)];
        if let Some(r) = recovery {
            if r.after_blocks == 0 {
                return Err(FederationError::InvalidTimelock {
                    after_blocks: i64::from(r.after_blocks),
                });
            }
            let rec_keys = sorted_xonly(LeafRole::Recovery, r.threshold, &r.keys)?;
            let mut script = multi_a(&rec_keys, r.threshold);
            script.push(OP_NUMEQUALVERIFY);
            push_int(&mut script, u64::from(r.after_blocks));
            script.push(OP_CHECKSEQUENCEVERIFY);
            specs.push((
                LeafRole::Recovery,
                r.threshold,
                rec_keys,
                Some(r.after_blocks),
                script,
            ));
        }
        let internal_key = match internal_key {
            Some(k) => k,
            None => XOnlyPublicKey::from_bytes(&NUMS_H).map_err(|_| {
                // H is on the curve; this cannot happen.
                FederationError::Tweak(crate::taproot::TweakError::Infinity)
            })?,
        };
        let hashes: Vec<TapLeafHash> = specs
            .iter()
            .map(|s| tap_leaf_hash(TAPSCRIPT_LEAF_VERSION, &s.4))
            .collect();
        let root = match hashes.as_slice() {
            [one] => (*one).into(),
            [a, b] => tap_branch_hash(&(*a).into(), &(*b).into()),
            _ => {
                return Err(FederationError::NoKeys {
                    leaf: LeafRole::Main,
                });
            }
        };
        let output = output_key(&internal_key, Some(&root)).map_err(FederationError::Tweak)?;
        let mut leaves = Vec::with_capacity(specs.len());
        for (i, (role, threshold, keys, after_blocks, script)) in specs.into_iter().enumerate() {
            let leaf_hash = hashes.get(i).copied().unwrap_or_default();
            // The other leaf, if any, is this leaf's only sibling.
            let path: Vec<_> = hashes
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, h)| (*h).into())
                .collect();
            let control_block =
                control_block(TAPSCRIPT_LEAF_VERSION, &output, &internal_key, &path);
            leaves.push(TapLeaf {
                role,
                threshold,
                keys,
                after_blocks,
                script,
                leaf_hash,
                control_block,
            });
        }
        let script_pubkey = p2tr_script_pubkey(&output.key);
        let address = segwit_address(network, 1, &output.key.to_bytes())
            .map_err(|_| FederationError::Tweak(crate::taproot::TweakError::Infinity))?;
        let mut desc = String::new();
        let _ = write!(desc, "tr({}", internal_key);
        let main = leaves.first();
        let rec = leaves.get(1);
        desc.push(',');
        if rec.is_some() {
            desc.push('{');
        }
        if let Some(m) = main {
            let _ = write!(desc, "sortedmulti_a({}", m.threshold);
            keys_list(&mut desc, &m.keys, |k| k.to_bytes().to_vec());
            desc.push(')');
        }
        if let Some(r) = rec {
            let _ = write!(desc, ",and_v(v:multi_a({}", r.threshold);
            keys_list(&mut desc, &r.keys, |k| k.to_bytes().to_vec());
            let _ = write!(desc, "),older({}))}}", r.after_blocks.unwrap_or_default());
        }
        desc.push(')');
        let descriptor = descriptor::with_checksum(&desc).unwrap_or(desc);
        Ok(Self {
            network,
            threshold,
            kind: Kind::Taproot {
                internal_key,
                output,
                leaves,
            },
            script_pubkey,
            address,
            descriptor,
        })
    }

    /// A P2WSH federation: `wsh(sortedmulti(threshold, keys))`, ECDSA.
    ///
    /// # Errors
    /// [`FederationError`] for an empty key list, a threshold outside `1..=keys`, more than 20
    /// keys, or a key twice.
    pub fn p2wsh(
        network: Network,
        threshold: usize,
        keys: &[PublicKey],
    ) -> Result<Self, FederationError> {
        let mut keys = keys.to_vec();
        check_keys(LeafRole::Main, threshold, &mut keys, MAX_P2WSH_KEYS, |k| {
            hex::encode(&k.to_bytes())
        })?;
        let mut witness_script =
            Vec::with_capacity(keys.len().saturating_mul(34).saturating_add(3));
        push_int(&mut witness_script, threshold as u64);
        for key in &keys {
            push_data(&mut witness_script, &key.to_bytes());
        }
        push_int(&mut witness_script, keys.len() as u64);
        witness_script.push(OP_CHECKMULTISIG);
        let program = sha256(&witness_script);
        let mut script_pubkey = Vec::with_capacity(34);
        script_pubkey.extend_from_slice(&[0x00, 0x20]);
        script_pubkey.extend_from_slice(&program);
        let address =
            segwit_address(network, 0, &program).map_err(|_| FederationError::NoKeys {
                leaf: LeafRole::Main,
            })?;
        let mut desc = String::new();
        let _ = write!(desc, "wsh(sortedmulti({}", threshold);
        keys_list(&mut desc, &keys, |k| k.to_bytes().to_vec());
        desc.push_str("))");
        let descriptor = descriptor::with_checksum(&desc).unwrap_or(desc);
        Ok(Self {
            network,
            threshold,
            kind: Kind::P2wsh {
                keys,
                witness_script,
            },
            script_pubkey,
            address,
            descriptor,
        })
    }

    /// A federation from a [`FederationSpec`]: parses every key and builds it with
    /// [`Federation::taproot`] or [`Federation::p2wsh`].
    ///
    /// # Errors
    /// [`FederationError::Key`] for a key of the wrong length or off the curve (naming its list
    /// and position), [`FederationError::XOnlyKeyForP2wsh`], [`FederationError::TaprootOnly`] for
    /// a recovery leaf or internal key with P2WSH, [`FederationError::InvalidTimelock`], and every
    /// error of the two constructors.
    pub fn from_spec(spec: &FederationSpec) -> Result<Self, FederationError> {
        match spec.kind {
            FederationKind::Taproot => {
                let keys = parse_xonly(KeyList::PublicKeys, &spec.public_keys)?;
                let recovery = match &spec.recovery {
                    None => None,
                    Some(r) => Some(Recovery {
                        threshold: r.threshold,
                        keys: parse_xonly(KeyList::RecoveryPublicKeys, &r.public_keys)?,
                        after_blocks: u16::try_from(r.after_blocks)
                            .ok()
                            .filter(|&b| b > 0)
                            .ok_or(FederationError::InvalidTimelock {
                                after_blocks: r.after_blocks,
                            })?,
                    }),
                };
                let internal = match &spec.internal_key {
                    None => None,
                    Some(k) => {
                        let key_error = |error| FederationError::Key {
                            list: KeyList::InternalKey,
                            index: 0,
                            error,
                        };
                        let x = <&[u8; 32]>::try_from(k.as_slice()).map_err(|_| {
                            key_error(KeyError::InvalidLength {
                                expected: "a 32-byte x-only internal key",
                                got: k.len(),
                            })
                        })?;
                        Some(XOnlyPublicKey::from_bytes(x).map_err(key_error)?)
                    }
                };
                Self::taproot(
                    spec.network,
                    spec.threshold,
                    &keys,
                    recovery.as_ref(),
                    internal,
                )
            }
            FederationKind::P2wsh => {
                if spec.recovery.is_some() {
                    return Err(FederationError::TaprootOnly { option: "recovery" });
                }
                if spec.internal_key.is_some() {
                    return Err(FederationError::TaprootOnly {
                        option: "internal_key",
                    });
                }
                let keys = spec
                    .public_keys
                    .iter()
                    .enumerate()
                    .map(|(index, k)| {
                        if k.len() == 32 {
                            return Err(FederationError::XOnlyKeyForP2wsh { index });
                        }
                        PublicKey::from_slice(k).map_err(|error| FederationError::Key {
                            list: KeyList::PublicKeys,
                            index,
                            error,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Self::p2wsh(spec.network, spec.threshold, &keys)
            }
        }
    }

    /// The network of the address.
    pub fn network(&self) -> Network {
        self.network
    }

    /// Signatures the main leaf (or the P2WSH script) needs.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// Whether this is a taproot federation (else P2WSH).
    pub fn is_taproot(&self) -> bool {
        matches!(self.kind, Kind::Taproot { .. })
    }

    /// The output script funds are sent to.
    pub fn script_pubkey(&self) -> &[u8] {
        &self.script_pubkey
    }

    /// The address (bech32m for taproot, bech32 for P2WSH).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The output descriptor with its BIP380 checksum.
    pub fn descriptor(&self) -> &str {
        &self.descriptor
    }

    /// The taproot internal key (`None` for P2WSH).
    pub fn internal_key(&self) -> Option<&XOnlyPublicKey> {
        match &self.kind {
            Kind::Taproot { internal_key, .. } => Some(internal_key),
            Kind::P2wsh { .. } => None,
        }
    }

    /// The taproot output key and its parity (`None` for P2WSH).
    pub fn output_key(&self) -> Option<&OutputKey> {
        match &self.kind {
            Kind::Taproot { output, .. } => Some(output),
            Kind::P2wsh { .. } => None,
        }
    }

    /// The taproot leaves, main first (empty for P2WSH).
    pub fn leaves(&self) -> &[TapLeaf] {
        match &self.kind {
            Kind::Taproot { leaves, .. } => leaves,
            Kind::P2wsh { .. } => &[],
        }
    }

    /// The taproot leaf with this role, if the federation has it.
    pub fn leaf(&self, role: LeafRole) -> Option<&TapLeaf> {
        self.leaves().iter().find(|l| l.role == role)
    }

    /// The P2WSH witness script (`None` for taproot).
    pub fn witness_script(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::P2wsh { witness_script, .. } => Some(witness_script),
            Kind::Taproot { .. } => None,
        }
    }

    /// The P2WSH keys in script order (empty for taproot).
    pub fn p2wsh_keys(&self) -> &[PublicKey] {
        match &self.kind {
            Kind::P2wsh { keys, .. } => keys,
            Kind::Taproot { .. } => &[],
        }
    }

    /// Weight units of the witness that spends one input through the main leaf (or the P2WSH
    /// script) with exactly `threshold` signatures, counting the item count and every length
    /// prefix; ECDSA signatures are counted at their 72-byte maximum.
    pub fn satisfaction_weight(&self) -> u64 {
        match &self.kind {
            Kind::Taproot { leaves, .. } => leaves.first().map_or(0, TapLeaf::satisfaction_weight),
            Kind::P2wsh { witness_script, .. } => {
                let k = self.threshold;
                let total = compact_size_len(k.saturating_add(2) as u64)
                    .saturating_add(1)
                    .saturating_add(k.saturating_mul(var_bytes_len(MAX_ECDSA_SIGNATURE_LEN)))
                    .saturating_add(var_bytes_len(witness_script.len()));
                total as u64
            }
        }
    }
}

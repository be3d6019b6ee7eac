//! BIP341 output construction: branch hashes, the key tweak, output keys and control blocks.

use crate::ErrorCode;
use crate::hash::{HashEngine, TapLeafHash, TapNodeHash};
use crate::schnorr::XOnlyPublicKey;
use alloc::vec::Vec;
use core::fmt;
use k256::elliptic_curve::ff::PrimeField;
use k256::elliptic_curve::group::Group;
use k256::elliptic_curve::point::AffineCoordinates;
use k256::{FieldBytes, Scalar};

/// BIP341's nothing-up-my-sleeve point H: `lift_x(SHA256(G uncompressed))`, a key nobody can
/// sign for. An internal key of H leaves only the script paths.
pub const NUMS_H: [u8; 32] = [
    0x50, 0x92, 0x9b, 0x74, 0xc1, 0xa0, 0x49, 0x54, 0xb7, 0x8b, 0x4b, 0x60, 0x35, 0xe9, 0x7a, 0x5e,
    0x07, 0x8a, 0x5a, 0x0f, 0x28, 0xec, 0x96, 0xd5, 0x47, 0xbf, 0xee, 0x9a, 0xce, 0x80, 0x3a, 0xc0,
];

impl From<TapLeafHash> for TapNodeHash {
    /// A leaf as a node of the script tree.
    fn from(leaf: TapLeafHash) -> Self {
        Self::from_byte_array(leaf.to_byte_array())
    }
}

/// `TapBranch` of two nodes, in lexicographic order (BIP341).
pub fn tap_branch_hash(a: &TapNodeHash, b: &TapNodeHash) -> TapNodeHash {
    let (lo, hi) = if a.as_byte_array() <= b.as_byte_array() {
        (a, b)
    } else {
        (b, a)
    };
    let mut e = HashEngine::tagged(b"TapBranch");
    e.update(lo.as_byte_array());
    e.update(hi.as_byte_array());
    TapNodeHash::from_byte_array(e.finalize())
}

/// A taproot output key and the parity of its point, as the control block records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputKey {
    /// The x-only output key Q, the witness program.
    pub key: XOnlyPublicKey,
    /// Whether Q (before dropping its y) has odd y.
    pub odd_y: bool,
}

/// The tweak of BIP341 could not be applied (probability about 2⁻¹²⁸ for keys not chosen to
/// make it fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TweakError {
    /// `TaggedHash("TapTweak", P || root)` is not below the group order.
    TweakOutOfRange,
    /// `P + t·G` is the point at infinity.
    Infinity,
}

impl fmt::Display for TweakError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TweakOutOfRange => "taproot tweak is not below the curve order",
            Self::Infinity => "tweaked taproot key is the point at infinity",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TweakError {}

impl ErrorCode for TweakError {
    fn code(&self) -> &'static str {
        "invalid_tweak"
    }
}

/// `Q = P + int(TaggedHash("TapTweak", P || root))·G` for internal key P and the script tree's
/// merkle root (`None`: a key-path-only output, tweaked with P alone).
///
/// # Errors
/// [`TweakError`] in the two cases BIP341 says fail.
pub fn output_key(
    internal: &XOnlyPublicKey,
    merkle_root: Option<&TapNodeHash>,
) -> Result<OutputKey, TweakError> {
    let mut e = HashEngine::tagged(b"TapTweak");
    e.update(&internal.to_bytes());
    if let Some(root) = merkle_root {
        e.update(root.as_byte_array());
    }
    let t = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(e.finalize())))
        .ok_or(TweakError::TweakOutOfRange)?;
    let q = *internal.point() + crate::generator::mul_g_vartime(&t);
    if bool::from(q.is_identity()) {
        return Err(TweakError::Infinity);
    }
    let odd_y = bool::from(q.to_affine().y_is_odd());
    Ok(OutputKey {
        key: XOnlyPublicKey::from_point(q),
        odd_y,
    })
}

/// A script-path control block: `leaf_version | parity`, the internal key, then the merkle path
/// (the sibling hashes from the leaf up).
pub fn control_block(
    leaf_version: u8,
    output: &OutputKey,
    internal: &XOnlyPublicKey,
    path: &[TapNodeHash],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len().saturating_mul(32).saturating_add(33));
    out.push((leaf_version & 0xfe) | u8::from(output.odd_y));
    out.extend_from_slice(&internal.to_bytes());
    for node in path {
        out.extend_from_slice(node.as_byte_array());
    }
    out
}

/// The P2TR scriptPubKey `OP_1 <32-byte output key>`.
pub fn p2tr_script_pubkey(output: &XOnlyPublicKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(34);
    out.extend_from_slice(&[0x51, 0x20]);
    out.extend_from_slice(&output.to_bytes());
    out
}

//! ECDSA over secp256k1 as segwit v0 uses it: compressed public keys, RFC 6979 deterministic
//! nonces, low-S signatures, and strict DER (BIP66) with the sighash byte appended in witnesses.
//!
//! Signing uses `k256`'s RFC 6979 implementation over the 32-byte sighash (no hashing of the
//! message: it already is a hash). Verification is written here so that it applies Bitcoin's
//! rules exactly: BIP66 encoding, `r` and `s` in `1..n`, and `s ≤ n/2` (BIP146 `LOW_S`, policy).

use crate::ErrorCode;
use crate::hex;
use crate::schnorr::{KeyError, SecretKey, XOnlyPublicKey};
use alloc::vec::Vec;
use core::fmt;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::elliptic_curve::ff::PrimeField;
use k256::elliptic_curve::group::Group;
use k256::elliptic_curve::ops::{MulByGeneratorVartime, Reduce};
use k256::elliptic_curve::point::{AffineCoordinates, DecompressPoint};
use k256::elliptic_curve::subtle::Choice;
use k256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};

const PUBLIC_KEY_LEN: &str = "a 33-byte compressed public key";

/// A compressed secp256k1 public key (SEC1, 33 bytes), as segwit v0 scripts carry them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    bytes: [u8; 33],
    point: ProjectivePoint,
}

impl PublicKey {
    /// The key from its 33-byte compressed encoding.
    ///
    /// # Errors
    /// [`KeyError::InvalidLength`] for another length (uncompressed keys are not standard in
    /// witness scripts), [`KeyError::InvalidPrefix`] for a first byte other than 0x02/0x03,
    /// [`KeyError::NotOnCurve`] if no point has this x.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let arr = <[u8; 33]>::try_from(bytes).map_err(|_| KeyError::InvalidLength {
            expected: PUBLIC_KEY_LEN,
            got: bytes.len(),
        })?;
        let (prefix, x) = arr.split_first().ok_or(KeyError::NotOnCurve)?;
        let odd = match prefix {
            0x02 => 0,
            0x03 => 1,
            &prefix => return Err(KeyError::InvalidPrefix { prefix }),
        };
        let x = <[u8; 32]>::try_from(x).map_err(|_| KeyError::NotOnCurve)?;
        Option::<AffinePoint>::from(AffinePoint::decompress(
            &FieldBytes::from(x),
            Choice::from(odd),
        ))
        .map(|p| Self {
            bytes: arr,
            point: p.into(),
        })
        .ok_or(KeyError::NotOnCurve)
    }

    /// The public key of a secret key.
    pub fn from_secret_key(secret: &SecretKey) -> Self {
        let point = crate::generator::mul_g(secret.scalar()).to_affine();
        let mut bytes = [0u8; 33];
        let (prefix, x) = bytes.split_at_mut(1);
        prefix.copy_from_slice(&[if bool::from(point.y_is_odd()) {
            0x03
        } else {
            0x02
        }]);
        x.copy_from_slice(&point.x());
        Self {
            bytes,
            point: point.into(),
        }
    }

    /// The 33 bytes.
    pub const fn to_bytes(&self) -> [u8; 33] {
        self.bytes
    }

    /// The x-only key with the same x coordinate (BIP340 keys have even y).
    pub fn x_only(&self) -> XOnlyPublicKey {
        XOnlyPublicKey::from_point(self.point)
    }

    /// Verifies a signature on a 32-byte message hash, requiring low S.
    ///
    /// # Errors
    /// [`EcdsaError::HighS`] if `s > n/2`, [`EcdsaError::Mismatch`] if it does not verify.
    pub fn verify(&self, message: &[u8; 32], signature: &Signature) -> Result<(), EcdsaError> {
        if !signature.is_low_s() {
            return Err(EcdsaError::HighS);
        }
        let z = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*message));
        let s_inv = Option::<Scalar>::from(signature.s.invert()).ok_or(EcdsaError::Mismatch)?;
        let u1 = z * s_inv;
        let u2 = signature.r * s_inv;
        let big_r = ProjectivePoint::mul_by_generator_and_mul_add_vartime(&u1, &u2, &self.point);
        if bool::from(big_r.is_identity()) {
            return Err(EcdsaError::Mismatch);
        }
        let x = <Scalar as Reduce<FieldBytes>>::reduce(&big_r.to_affine().x());
        if x == signature.r {
            Ok(())
        } else {
            Err(EcdsaError::Mismatch)
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicKey(")?;
        hex::write(f, &self.bytes, false)?;
        f.write_str(")")
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex::write(f, &self.bytes, false)
    }
}

impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PublicKey {
    /// By the compressed encoding, as `sortedmulti` sorts keys.
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.bytes.cmp(&other.bytes)
    }
}

/// An ECDSA signature: `r` and `s`, both in `1..n`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    r: Scalar,
    s: Scalar,
}

/// Half the group order, rounded down: the largest low `s`.
const HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

impl Signature {
    /// Signs a 32-byte message hash with an RFC 6979 nonce; the result has low S.
    ///
    /// # Errors
    /// [`EcdsaError::SigningFailed`] if k256 reports a failure (a zero `r` or `s`; probability
    /// about 2⁻²⁵⁶).
    pub fn sign(secret: &SecretKey, message: &[u8; 32]) -> Result<Self, EcdsaError> {
        let key = k256::ecdsa::SigningKey::from(*secret.scalar());
        let sig: k256::ecdsa::Signature = key
            .sign_prehash(message)
            .map_err(|_| EcdsaError::SigningFailed)?;
        let (r, s) = sig.split_scalars();
        let out = Self { r: *r, s: *s };
        // k256 normalizes S for secp256k1; normalize again so the invariant is local.
        Ok(if out.is_low_s() {
            out
        } else {
            Self {
                r: out.r,
                s: -out.s,
            }
        })
    }

    /// Whether `s ≤ n/2`.
    pub fn is_low_s(&self) -> bool {
        let s: [u8; 32] = self.s.to_repr().into();
        s <= HALF_ORDER
    }

    /// The strict DER encoding (without a sighash byte): at most 72 bytes.
    pub fn to_der(&self) -> Vec<u8> {
        let r = der_integer(&self.r.to_repr().into());
        let s = der_integer(&self.s.to_repr().into());
        let mut out = Vec::with_capacity(72);
        // Each integer is at most 33 bytes, so every length fits one byte.
        let body = r.len().saturating_add(s.len()).saturating_add(4);
        out.push(0x30);
        out.push(u8::try_from(body).unwrap_or(u8::MAX));
        for int in [r, s] {
            out.push(0x02);
            out.push(u8::try_from(int.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(&int);
        }
        out
    }

    /// Parses a DER signature (without its sighash byte) by Bitcoin Core's BIP66 rules
    /// (`IsValidSignatureEncoding`), then requires `r` and `s` in `1..n`.
    ///
    /// # Errors
    /// [`EcdsaError::NotStrictDer`] for an encoding BIP66 refuses, [`EcdsaError::OutOfRange`] for a
    /// zero value or one not below n.
    pub fn from_der(der: &[u8]) -> Result<Self, EcdsaError> {
        let (r, s) = strict_der_parts(der).ok_or(EcdsaError::NotStrictDer)?;
        let r = der_scalar(r).ok_or(EcdsaError::OutOfRange)?;
        let s = der_scalar(s).ok_or(EcdsaError::OutOfRange)?;
        Ok(Self { r, s })
    }

    /// `r || s`, 32 bytes each, big-endian.
    pub fn to_compact(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        let (r, s) = out.split_at_mut(32);
        r.copy_from_slice(&self.r.to_repr());
        s.copy_from_slice(&self.s.to_repr());
        out
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ecdsa::Signature(")?;
        hex::write(f, &self.to_der(), false)?;
        f.write_str(")")
    }
}

/// A big-endian unsigned integer as DER content: leading zeros dropped, one zero byte prepended
/// when the top bit is set.
fn der_integer(be: &[u8; 32]) -> Vec<u8> {
    let start = be.iter().position(|&b| b != 0).unwrap_or(31);
    let digits = be.get(start..).unwrap_or(&[]);
    let mut out = Vec::with_capacity(33);
    if digits.first().is_some_and(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(digits);
    out
}

/// A DER integer's content as a scalar in `1..n`.
fn der_scalar(content: &[u8]) -> Option<Scalar> {
    let start = content.iter().position(|&b| b != 0)?;
    let digits = content.get(start..)?;
    if digits.len() > 32 {
        return None;
    }
    let mut be = [0u8; 32];
    be.get_mut(32usize.checked_sub(digits.len())?..)?
        .copy_from_slice(digits);
    let scalar = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(be)))?;
    (!bool::from(scalar.is_zero())).then_some(scalar)
}

/// BIP66's `IsValidSignatureEncoding`, for a signature without its sighash byte: the contents
/// of `r` and `s` if the encoding is strict DER.
fn strict_der_parts(sig: &[u8]) -> Option<(&[u8], &[u8])> {
    // With the sighash byte Core requires 9..=73 bytes; without it, 8..=72.
    if !(8..=72).contains(&sig.len()) {
        return None;
    }
    let (&tag, rest) = sig.split_first()?;
    let (&total, rest) = rest.split_first()?;
    // A compound structure covering the rest exactly.
    if tag != 0x30 || usize::from(total) != rest.len() {
        return None;
    }
    let (r, rest) = der_int_field(rest)?;
    let (s, rest) = der_int_field(rest)?;
    rest.is_empty().then_some((r, s))
}

/// One `0x02 len content` field of a BIP66 signature: non-empty, not negative, no needless
/// leading zero.
fn der_int_field(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&len, rest) = rest.split_first()?;
    if tag != 0x02 || len == 0 || usize::from(len) > rest.len() {
        return None;
    }
    let (content, rest) = rest.split_at(usize::from(len));
    let first = *content.first()?;
    if first & 0x80 != 0 {
        return None;
    }
    if first == 0 && content.get(1).is_some_and(|&b| b & 0x80 == 0) {
        return None;
    }
    Some((content, rest))
}

/// Why an ECDSA signature cannot be made, read or accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcdsaError {
    /// The encoding is not strict DER as BIP66 defines it.
    NotStrictDer,
    /// `r` or `s` is zero or not below the group order.
    OutOfRange,
    /// `s` is above n/2 (BIP146 `LOW_S`).
    HighS,
    /// The signature does not match the key and message.
    Mismatch,
    /// k256 could not sign (a zero `r` or `s`).
    SigningFailed,
}

impl fmt::Display for EcdsaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotStrictDer => "ECDSA signature is not strict DER (BIP66)",
            Self::OutOfRange => "ECDSA signature r or s is zero or not below the curve order",
            Self::HighS => "ECDSA signature has a high S value (BIP146 LOW_S)",
            Self::Mismatch => "ECDSA signature does not match the public key and message",
            Self::SigningFailed => "ECDSA signing failed",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for EcdsaError {}

impl ErrorCode for EcdsaError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotStrictDer => "invalid_der",
            Self::OutOfRange | Self::HighS | Self::Mismatch => "invalid_signature",
            Self::SigningFailed => "signing_failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_round_trip_and_bip66_refusals() {
        let sk = SecretKey::from_bytes(&[7; 32]).unwrap();
        let pk = PublicKey::from_secret_key(&sk);
        for i in 0u8..50 {
            let msg = [i; 32];
            let sig = Signature::sign(&sk, &msg).unwrap();
            assert!(sig.is_low_s());
            let der = sig.to_der();
            assert!(der.len() <= 72);
            assert_eq!(Signature::from_der(&der).unwrap(), sig);
            pk.verify(&msg, &sig).unwrap();
            assert_eq!(pk.verify(&[i ^ 1; 32], &sig), Err(EcdsaError::Mismatch));
            let high = Signature {
                r: sig.r,
                s: -sig.s,
            };
            assert_eq!(pk.verify(&msg, &high), Err(EcdsaError::HighS));
        }
        // Needless leading zero in r; negative r; trailing garbage; wrong total length.
        let mut bad = alloc::vec![0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01];
        assert_eq!(Signature::from_der(&bad), Err(EcdsaError::NotStrictDer));
        bad = alloc::vec![0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01];
        assert_eq!(Signature::from_der(&bad), Err(EcdsaError::NotStrictDer));
        bad = alloc::vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00];
        assert_eq!(Signature::from_der(&bad), Err(EcdsaError::NotStrictDer));
        bad = alloc::vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00];
        assert_eq!(Signature::from_der(&bad), Err(EcdsaError::OutOfRange));
        let ok = alloc::vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
        assert!(Signature::from_der(&ok).is_ok());
    }
}

//! BIP340 Schnorr signatures over secp256k1, for messages of any length.
//!
//! Implemented from the BIP over `k256`'s group arithmetic (k256's own BIP340 entry point for
//! raw messages is `#[doc(hidden)]`). Signing takes the caller's 32 bytes of auxiliary
//! randomness; core never fetches randomness itself.

use crate::ErrorCode;
use crate::encode::LengthError;
use crate::hash::{HashEngine, tagged_hash};
use crate::hex;
use alloc::vec::Vec;
use core::fmt;
use k256::elliptic_curve::ff::PrimeField;
use k256::elliptic_curve::group::Group;
use k256::elliptic_curve::ops::{LinearCombination, MulByGeneratorVartime, Reduce};
use k256::elliptic_curve::point::{AffineCoordinates, DecompactPoint};
use k256::elliptic_curve::subtle::ConditionallySelectable;
use k256::{AffinePoint, FieldBytes, NonZeroScalar, ProjectivePoint, Scalar};
use zeroize::Zeroize;

/// The field prime p, big-endian: a signature's `r` must be below it.
const FIELD_P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xfc, 0x2f,
];

const SECRET_KEY_LEN: &str = "a 32-byte secret key";
const PUBLIC_KEY_LEN: &str = "a 32-byte x-only or 33-byte compressed public key";

const TAG_AUX: &[u8] = b"BIP0340/aux";
const TAG_NONCE: &[u8] = b"BIP0340/nonce";
const TAG_CHALLENGE: &[u8] = b"BIP0340/challenge";

/// Why bytes are not a usable key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// A key of the wrong byte length.
    InvalidLength {
        /// What was expected, with its length(s).
        expected: &'static str,
        /// Bytes given.
        got: usize,
    },
    /// A secret key that is zero or not below the group order n.
    SecretKeyOutOfRange,
    /// A 33-byte key whose first byte is not 0x02 or 0x03.
    InvalidPrefix {
        /// The first byte.
        prefix: u8,
    },
    /// An x coordinate that is not below p or has no point on the curve.
    NotOnCurve,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidLength { expected, got } => {
                write!(f, "expected {expected}, got {got} bytes")
            }
            Self::SecretKeyOutOfRange => {
                f.write_str("secret key is zero or not below the curve order")
            }
            Self::InvalidPrefix { prefix } => {
                write!(
                    f,
                    "compressed public key starts with 0x{prefix:02x}, not 0x02 or 0x03"
                )
            }
            Self::NotOnCurve => f.write_str("public key x coordinate is not on the curve"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for KeyError {}

impl ErrorCode for KeyError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidLength { .. } => "invalid_length",
            Self::SecretKeyOutOfRange => "invalid_secret_key",
            Self::InvalidPrefix { .. } | Self::NotOnCurve => "invalid_key",
        }
    }
}

/// Why a signature does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// `r` is not below the field prime p.
    ROutOfRange,
    /// `s` is not below the group order n.
    SOutOfRange,
    /// The verification equation does not hold.
    Mismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ROutOfRange => "signature r is not below the field size",
            Self::SOutOfRange => "signature s is not below the curve order",
            Self::Mismatch => "signature does not match the public key and message",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for VerifyError {}

impl ErrorCode for VerifyError {
    fn code(&self) -> &'static str {
        "invalid_signature"
    }
}

/// Signing failed: the derived nonce was zero (probability 2⁻²⁵⁶; BIP340 says fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The nonce derived from the key, message and aux randomness is zero.
    ZeroNonce,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("derived nonce is zero")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SignError {}

impl ErrorCode for SignError {
    fn code(&self) -> &'static str {
        "signing_failed"
    }
}

fn field_bytes(bytes: &[u8; 32]) -> FieldBytes {
    FieldBytes::from(*bytes)
}

/// A secp256k1 secret key: a scalar in `1..n`. It has no `Debug` or `Display`, and is zeroized
/// when dropped.
#[allow(missing_debug_implementations)] // secrets are never printed
pub struct SecretKey(NonZeroScalar);

impl SecretKey {
    /// The key from 32 big-endian bytes.
    ///
    /// # Errors
    /// [`KeyError::SecretKeyOutOfRange`] for zero or a value not below n.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        Option::from(NonZeroScalar::from_repr(field_bytes(bytes)))
            .map(Self)
            .ok_or(KeyError::SecretKeyOutOfRange)
    }

    /// The key from a 32-byte slice.
    ///
    /// # Errors
    /// [`KeyError::InvalidLength`] or [`KeyError::SecretKeyOutOfRange`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let arr = <&[u8; 32]>::try_from(bytes).map_err(|_| KeyError::InvalidLength {
            expected: SECRET_KEY_LEN,
            got: bytes.len(),
        })?;
        Self::from_bytes(arr)
    }

    /// The BIP340 key pair: the secret negated if needed so that its public point has even y.
    pub fn keypair(&self) -> Keypair {
        let point = crate::generator::mul_g(&self.0).to_affine();
        let odd = point.y_is_odd();
        let secret = Scalar::conditional_select(&self.0, &-*self.0, odd);
        let x: [u8; 32] = point.x().into();
        let even = AffinePoint::conditional_select(&point, &-point, odd);
        Keypair {
            secret,
            public: XOnlyPublicKey {
                x,
                point: even.into(),
            },
        }
    }

    /// The x-only public key.
    pub fn x_only_public_key(&self) -> XOnlyPublicKey {
        self.keypair().public
    }

    /// The secret scalar, for the other signature schemes of this crate.
    pub(crate) fn scalar(&self) -> &NonZeroScalar {
        &self.0
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A secret key prepared for BIP340 signing (its public point computed once). Not printable;
/// zeroized when dropped.
#[allow(missing_debug_implementations)] // holds a secret
pub struct Keypair {
    secret: Scalar,
    public: XOnlyPublicKey,
}

impl Drop for Keypair {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl Keypair {
    /// The x-only public key.
    pub fn public_key(&self) -> &XOnlyPublicKey {
        &self.public
    }

    /// Signs `message` (any length) with BIP340, using `aux_rand` as the auxiliary randomness.
    /// The same inputs always give the same signature.
    ///
    /// # Errors
    /// [`SignError::ZeroNonce`] if the derived nonce is zero (never seen in practice).
    pub fn sign(&self, message: &[u8], aux_rand: &[u8; 32]) -> Result<Signature, SignError> {
        let mut t: [u8; 32] = self.secret.to_repr().into();
        let mask = tagged_hash(TAG_AUX, aux_rand);
        t.iter_mut().zip(mask).for_each(|(a, b)| *a ^= b);
        let mut nonce = HashEngine::tagged(TAG_NONCE);
        nonce.update(&t);
        t.zeroize();
        nonce.update(&self.public.x);
        nonce.update(message);
        let mut rand = nonce.finalize();
        let mut k = <Scalar as Reduce<FieldBytes>>::reduce(&field_bytes(&rand));
        rand.zeroize();
        if bool::from(k.is_zero()) {
            return Err(SignError::ZeroNonce);
        }
        let r_point = crate::generator::mul_g(&k).to_affine();
        k.conditional_assign(&-k, r_point.y_is_odd());
        let r: [u8; 32] = r_point.x().into();
        let e = challenge(&r, &self.public.x, message);
        let s = k + e * self.secret;
        k.zeroize();
        let mut sig = [0u8; 64];
        let (r_out, s_out) = sig.split_at_mut(32);
        r_out.copy_from_slice(&r);
        s_out.copy_from_slice(&s.to_repr());
        Ok(Signature(sig))
    }
}

fn challenge(r: &[u8; 32], p: &[u8; 32], message: &[u8]) -> Scalar {
    let mut e = HashEngine::tagged(TAG_CHALLENGE);
    e.update(r);
    e.update(p);
    e.update(message);
    <Scalar as Reduce<FieldBytes>>::reduce(&field_bytes(&e.finalize()))
}

/// A BIP340 x-only public key: the point with this x coordinate and even y.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct XOnlyPublicKey {
    x: [u8; 32],
    point: ProjectivePoint,
}

impl XOnlyPublicKey {
    /// The key from its 32-byte x coordinate (`lift_x`).
    ///
    /// # Errors
    /// [`KeyError::NotOnCurve`] if x ≥ p or no point has this x.
    pub fn from_bytes(x: &[u8; 32]) -> Result<Self, KeyError> {
        Option::<AffinePoint>::from(AffinePoint::decompact(&field_bytes(x)))
            .map(|p| Self {
                x: *x,
                point: p.into(),
            })
            .ok_or(KeyError::NotOnCurve)
    }

    /// The key from 32 bytes (x-only) or 33 bytes (SEC1 compressed; the parity is dropped, as
    /// BIP340 keys have even y).
    ///
    /// # Errors
    /// [`KeyError::InvalidLength`], [`KeyError::InvalidPrefix`] or [`KeyError::NotOnCurve`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        match bytes.len() {
            32 => Self::from_bytes(bytes.try_into().map_err(|_| KeyError::NotOnCurve)?),
            33 => match bytes.split_first() {
                Some((&(0x02 | 0x03), x)) => {
                    Self::from_bytes(x.try_into().map_err(|_| KeyError::NotOnCurve)?)
                }
                Some((&prefix, _)) => Err(KeyError::InvalidPrefix { prefix }),
                None => Err(KeyError::InvalidLength {
                    expected: PUBLIC_KEY_LEN,
                    got: 0,
                }),
            },
            got => Err(KeyError::InvalidLength {
                expected: PUBLIC_KEY_LEN,
                got,
            }),
        }
    }

    /// The x-only key of a point: its x coordinate, with the point taken to even y.
    pub(crate) fn from_point(point: ProjectivePoint) -> Self {
        let affine = point.to_affine();
        let even = AffinePoint::conditional_select(&affine, &-affine, affine.y_is_odd());
        Self {
            x: affine.x().into(),
            point: even.into(),
        }
    }

    /// The point (even y).
    pub(crate) fn point(&self) -> &ProjectivePoint {
        &self.point
    }

    /// The 32-byte x coordinate.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.x
    }

    /// Verifies a BIP340 signature on `message` (any length).
    ///
    /// # Errors
    /// [`VerifyError::ROutOfRange`], [`VerifyError::SOutOfRange`], or [`VerifyError::Mismatch`].
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), VerifyError> {
        let (r, s) = signature.split();
        if r >= FIELD_P {
            return Err(VerifyError::ROutOfRange);
        }
        let s = Option::<Scalar>::from(Scalar::from_repr(field_bytes(&s)))
            .ok_or(VerifyError::SOutOfRange)?;
        let e = challenge(&r, &self.x, message);
        let big_r = ProjectivePoint::mul_by_generator_and_mul_add_vartime(&s, &-e, &self.point);
        if bool::from(big_r.is_identity()) {
            return Err(VerifyError::Mismatch);
        }
        let big_r = big_r.to_affine();
        let x: [u8; 32] = big_r.x().into();
        if bool::from(big_r.y_is_odd()) || x != r {
            return Err(VerifyError::Mismatch);
        }
        Ok(())
    }
}

/// One signature of a batch: the key, the message (any length) and the signature.
#[derive(Debug, Clone, Copy)]
pub struct BatchItem<'a> {
    /// The signer's key.
    pub key: &'a XOnlyPublicKey,
    /// The signed message.
    pub message: &'a [u8],
    /// The signature.
    pub signature: &'a Signature,
}

const TAG_BATCH: &[u8] = b"pegkit/batch-randomizer";

/// Verifies many BIP340 signatures at once ("Batch Verification" in BIP340): succeeds exactly
/// when every signature would verify on its own, except with probability about 2⁻¹²⁸ for an
/// adversary who does not control the randomizers.
///
/// The randomizers are derived deterministically from a hash of every key, message and signature
/// of the batch (BIP340 allows this: "seeding a CSPRNG with a hash of all inputs"), so core needs no
/// RNG. One multi-scalar multiplication replaces one double multiplication per signature, and
/// signatures by the same key share its term: a member's signatures over many inputs cost little
/// more than the nonces' points.
///
/// An empty batch succeeds. On failure the batch does not say which signature failed: verify
/// them one by one ([`XOnlyPublicKey::verify`]) to find it.
///
/// # Errors
/// [`VerifyError::ROutOfRange`] or [`VerifyError::SOutOfRange`] if some signature has a value out
/// of range, [`VerifyError::Mismatch`] if the batch equation does not hold (some `r` is not an x
/// coordinate on the curve, or some signature is invalid).
pub fn verify_batch(items: &[BatchItem<'_>]) -> Result<(), VerifyError> {
    let mut seed = HashEngine::tagged(TAG_BATCH);
    for item in items {
        seed.update(&item.key.x);
        seed.update(&item.signature.0);
        seed.update(&(item.message.len() as u64).to_le_bytes());
        seed.update(item.message);
    }
    let seed = seed.finalize();

    let mut terms: Vec<(ProjectivePoint, Scalar)> =
        Vec::with_capacity(items.len().saturating_add(1));
    // Keys' coefficients, one term per distinct key, placed after the nonces.
    let mut key_terms: Vec<(ProjectivePoint, Scalar)> = Vec::new();
    let mut key_slot = crate::keymap::KeyMap::new();
    let mut s_sum = Scalar::ZERO;
    for (i, item) in items.iter().enumerate() {
        let (r, s) = item.signature.split();
        if r >= FIELD_P {
            return Err(VerifyError::ROutOfRange);
        }
        let s = Option::<Scalar>::from(Scalar::from_repr(field_bytes(&s)))
            .ok_or(VerifyError::SOutOfRange)?;
        let big_r = Option::<AffinePoint>::from(AffinePoint::decompact(&field_bytes(&r)))
            .ok_or(VerifyError::Mismatch)?;
        let e = challenge(&r, &item.key.x, item.message);
        let a = if i == 0 {
            Scalar::ONE
        } else {
            let mut h = HashEngine::new();
            h.update(&seed);
            h.update(&(i as u64).to_le_bytes());
            let a = <Scalar as Reduce<FieldBytes>>::reduce(&field_bytes(&h.finalize()));
            if bool::from(a.is_zero()) {
                Scalar::ONE
            } else {
                a
            }
        };
        s_sum += a * s;
        terms.push((big_r.into(), a));
        let coefficient = a * e;
        match key_slot.get(&item.key.x) {
            Some(slot) => {
                let term = usize::try_from(slot)
                    .ok()
                    .and_then(|s| key_terms.get_mut(s));
                if let Some(term) = term {
                    term.1 += coefficient;
                }
            }
            None => {
                key_slot.insert_new(&item.key.x, key_terms.len() as u64);
                key_terms.push((item.key.point, coefficient));
            }
        }
    }
    terms.append(&mut key_terms);
    // Σ aᵢ·Rᵢ + Σ (Σ aᵢ·eᵢ)·P must equal (Σ aᵢ·sᵢ)·G.
    let rhs = ProjectivePoint::lincomb_vartime(terms.as_slice());
    let lhs = crate::generator::mul_g_vartime(&s_sum);
    if rhs == lhs {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

impl fmt::Debug for XOnlyPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("XOnlyPublicKey(")?;
        hex::write(f, &self.x, false)?;
        f.write_str(")")
    }
}

impl fmt::Display for XOnlyPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex::write(f, &self.x, false)
    }
}

/// A 64-byte BIP340 signature `r || s`. Any 64 bytes are accepted here; range checks happen in
/// verification.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature([u8; 64]);

impl Signature {
    /// The signature from its 64 bytes.
    pub const fn from_bytes(bytes: [u8; 64]) -> Self {
        Self(bytes)
    }

    /// The signature from a 64-byte slice.
    ///
    /// # Errors
    /// [`LengthError`] (code `invalid_length`) for any other length.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, LengthError> {
        <[u8; 64]>::try_from(bytes)
            .map(Self)
            .map_err(|_| LengthError {
                what: "a BIP340 signature",
                expected: 64,
                got: bytes.len(),
            })
    }

    /// The 64 bytes.
    pub const fn to_bytes(&self) -> [u8; 64] {
        self.0
    }

    fn split(&self) -> ([u8; 32], [u8; 32]) {
        let mut r = [0u8; 32];
        let mut s = [0u8; 32];
        let (a, b) = self.0.split_at(32);
        r.copy_from_slice(a);
        s.copy_from_slice(b);
        (r, s)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(")?;
        hex::write(f, &self.0, false)?;
        f.write_str(")")
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex::write(f, &self.0, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr<const N: usize>(h: &str) -> [u8; N] {
        hex::decode_array(h).unwrap()
    }

    #[test]
    fn bip340_vector_0_and_tamper() {
        // BIP340 test-vectors.csv row 0.
        let sk = SecretKey::from_bytes(&arr(
            "0000000000000000000000000000000000000000000000000000000000000003",
        ))
        .unwrap();
        let kp = sk.keypair();
        assert_eq!(
            kp.public_key().to_bytes(),
            arr::<32>("f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9")
        );
        let msg = [0u8; 32];
        let sig = kp.sign(&msg, &[0u8; 32]).unwrap();
        assert_eq!(
            sig.to_bytes(),
            arr::<64>(
                "e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca821525f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0"
            )
        );
        assert_eq!(kp.public_key().verify(&msg, &sig), Ok(()));
        let mut bad = sig.to_bytes();
        bad[63] ^= 1;
        assert_eq!(
            kp.public_key().verify(&msg, &Signature::from_bytes(bad)),
            Err(VerifyError::Mismatch)
        );
        assert!(SecretKey::from_bytes(&[0u8; 32]).is_err());
        assert!(SecretKey::from_bytes(&[0xffu8; 32]).is_err());
    }

    #[test]
    fn batch_accepts_valid_and_refuses_any_bad_signature() {
        let keys: Vec<Keypair> = (1u8..=5)
            .map(|i| SecretKey::from_bytes(&[i; 32]).unwrap().keypair())
            .collect();
        let messages: Vec<[u8; 32]> = (0u8..12).map(|i| [i; 32]).collect();
        // Each key signs several messages: shared key terms.
        let sigs: Vec<(usize, usize, Signature)> = (0..messages.len())
            .map(|m| {
                (
                    m % keys.len(),
                    m,
                    keys[m % keys.len()].sign(&messages[m], &[9; 32]).unwrap(),
                )
            })
            .collect();
        let items =
            |sigs: &[(usize, usize, Signature)]| -> Vec<(XOnlyPublicKey, [u8; 32], Signature)> {
                sigs.iter()
                    .map(|&(k, m, sig)| (*keys[k].public_key(), messages[m], sig))
                    .collect()
            };
        let run = |v: &[(XOnlyPublicKey, [u8; 32], Signature)]| {
            let batch: Vec<BatchItem<'_>> = v
                .iter()
                .map(|(key, message, signature)| BatchItem {
                    key,
                    message,
                    signature,
                })
                .collect();
            verify_batch(&batch)
        };
        assert_eq!(run(&[]), Ok(()));
        assert_eq!(run(&items(&sigs)), Ok(()));
        for victim in 0..sigs.len() {
            // A signature by another key, on another message, and with a flipped bit in s.
            let mut wrong_key = items(&sigs);
            wrong_key[victim].0 = *keys[(sigs[victim].0 + 1) % keys.len()].public_key();
            assert_eq!(run(&wrong_key), Err(VerifyError::Mismatch), "{victim}");
            let mut wrong_msg = items(&sigs);
            wrong_msg[victim].1[0] ^= 0x80;
            assert_eq!(run(&wrong_msg), Err(VerifyError::Mismatch), "{victim}");
            let mut flipped = items(&sigs);
            let mut b = flipped[victim].2.to_bytes();
            b[63] ^= 1;
            flipped[victim].2 = Signature::from_bytes(b);
            assert_eq!(run(&flipped), Err(VerifyError::Mismatch), "{victim}");
        }
        // Two wrong signatures that cancel in an unweighted sum are still caught: swap the s
        // values of two signatures by the same key (a plain sum of the equations would balance).
        let mut swapped = items(&sigs);
        let (a, b) = (swapped[0].2.to_bytes(), swapped[5].2.to_bytes());
        let mut a2 = a;
        let mut b2 = b;
        a2[32..].copy_from_slice(&b[32..]);
        b2[32..].copy_from_slice(&a[32..]);
        swapped[0].2 = Signature::from_bytes(a2);
        swapped[5].2 = Signature::from_bytes(b2);
        assert_eq!(run(&swapped), Err(VerifyError::Mismatch));
        // Out-of-range values are reported as such.
        let mut high_s = items(&sigs);
        let mut b = high_s[3].2.to_bytes();
        b[32..].copy_from_slice(&[0xff; 32]);
        high_s[3].2 = Signature::from_bytes(b);
        assert_eq!(run(&high_s), Err(VerifyError::SOutOfRange));
        let mut high_r = items(&sigs);
        let mut b = high_r[3].2.to_bytes();
        b[..32].copy_from_slice(&FIELD_P);
        high_r[3].2 = Signature::from_bytes(b);
        assert_eq!(run(&high_r), Err(VerifyError::ROutOfRange));
    }
}

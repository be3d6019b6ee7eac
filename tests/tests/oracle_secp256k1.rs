//! BIP340 against libsecp256k1 (through rust-bitcoin's `secp256k1`, 32-byte messages) and
//! against k256's own BIP340 code (messages of any length): random keys, messages and aux
//! randomness sign to identical signatures; valid, tampered and random signatures get the same
//! verdicts.

use bitcoin::secp256k1::{Keypair, Message, Secp256k1, XOnlyPublicKey as SecpXOnly, schnorr};
use pegkit_core::schnorr::{SecretKey, Signature, XOnlyPublicKey};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn sign_and_verify_match_libsecp256k1(sk in any::<[u8; 32]>(), msg in any::<[u8; 32]>(), aux in any::<[u8; 32]>(), flip in 0usize..512) {
        let secp = Secp256k1::new();
        let Ok(ours) = SecretKey::from_bytes(&sk) else {
            // Out of range for us: also for libsecp256k1.
            prop_assert!(Keypair::from_seckey_slice(&secp, &sk).is_err());
            return Ok(());
        };
        let kp = ours.keypair();
        let theirs = Keypair::from_seckey_slice(&secp, &sk).unwrap();
        prop_assert_eq!(kp.public_key().to_bytes(), theirs.x_only_public_key().0.serialize());
        let sig = kp.sign(&msg, &aux).unwrap();
        let ssig = secp.sign_schnorr_with_aux_rand(&Message::from_digest(msg), &theirs, &aux);
        prop_assert_eq!(sig.to_bytes(), ssig.serialize());

        // Flip one bit of the signature or the message: verdicts agree.
        let (mut sig_bytes, mut m) = (sig.to_bytes(), msg);
        if flip < 512 - 256 { sig_bytes[flip / 8 % 64] ^= 1 << (flip % 8); } else { m[flip % 32] ^= 1; }
        let ours_ok = kp.public_key().verify(&m, &Signature::from_bytes(sig_bytes)).is_ok();
        let spk = SecpXOnly::from_slice(&kp.public_key().to_bytes()).unwrap();
        let theirs_ok = schnorr::Signature::from_slice(&sig_bytes)
            .map(|s| secp.verify_schnorr(&s, &Message::from_digest(m), &spk).is_ok())
            .unwrap_or(false);
        prop_assert_eq!(ours_ok, theirs_ok);
        prop_assert!(!ours_ok);
    }

    #[test]
    fn random_keys_and_signatures_match_libsecp256k1(pk in any::<[u8; 32]>(), msg in any::<[u8; 32]>(), sig in any::<[u8; 64]>()) {
        let secp = Secp256k1::verification_only();
        let ours = XOnlyPublicKey::from_bytes(&pk);
        let theirs = SecpXOnly::from_slice(&pk);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "key parse");
        if let (Ok(a), Ok(b)) = (ours, theirs) {
            let ok_a = a.verify(&msg, &Signature::from_bytes(sig)).is_ok();
            let ok_b = secp.verify_schnorr(&schnorr::Signature::from_slice(&sig).unwrap(), &Message::from_digest(msg), &b).is_ok();
            prop_assert_eq!(ok_a, ok_b);
        }
    }

    #[test]
    fn any_length_messages_match_k256(sk in any::<[u8; 32]>(), msg in prop::collection::vec(any::<u8>(), 0..200), aux in any::<[u8; 32]>()) {
        let Ok(ours) = SecretKey::from_bytes(&sk) else { return Ok(()) };
        let kp = ours.keypair();
        let ksk = k256::schnorr::SigningKey::from_bytes(&sk.into()).unwrap();
        let ksig = ksk.sign_raw(&msg, &aux).unwrap();
        let sig = kp.sign(&msg, &aux).unwrap();
        prop_assert_eq!(sig.to_bytes(), ksig.to_bytes());
        prop_assert!(kp.public_key().verify(&msg, &sig).is_ok());
        prop_assert!(ksk.verifying_key().verify_raw(&msg, &ksig).is_ok());
    }
}

//! Peg-out destinations (`pegkit_core::address::parse_address`) against Bitcoin Core's
//! `key_io_valid.json` / `key_io_invalid.json`, the BIP173 and BIP350 vectors (all unchanged, see
//! `tests/vectors/PROVENANCE.md`), and rust-bitcoin 0.32 on random and mutated addresses.
//!
//! Deliberate refusals, documented on `parse_address`: valid BIP350 addresses of witness version
//! 2..16, or of version 1 with a program other than 32 bytes, are refused with
//! `unknown_witness_version` (anyone-can-spend today: a payment there burns the funds). Private
//! keys (WIF, in `key_io_valid.json`) are not addresses: `invalid_address_length` (their
//! base58check payload is 33 or 34 bytes).

use bitcoin::bech32::primitives::iter::{ByteIterExt, Fe32IterExt};
use bitcoin::bech32::{Bech32, Bech32m, Fe32, Hrp};
use pegkit_core::ErrorCode;
use pegkit_core::address::{AddressError, parse_address};
use pegkit_core::params::Network;
use std::collections::BTreeMap;
use std::str::FromStr;

const TEST_SEGWIT: [Network; 3] = [Network::Testnet3, Network::Testnet4, Network::Signet];
const TEST_BASE58: [Network; 4] = [
    Network::Testnet3,
    Network::Testnet4,
    Network::Signet,
    Network::Regtest,
];

/// The networks whose address format a vector's `chain` and address encoding name: Core's
/// testnet4, signet and regtest share base58 prefixes 0x6f/0xc4; testnet3, testnet4 and signet
/// share the segwit human-readable part `tb`; regtest's is `bcrt`.
fn networks_for(chain: &str, address: &str) -> Vec<Network> {
    let lower = address.to_ascii_lowercase();
    match chain {
        "main" => vec![Network::Mainnet],
        _ if lower.starts_with("tb1") => TEST_SEGWIT.to_vec(),
        _ if lower.starts_with("bcrt1") => vec![Network::Regtest],
        "testnet4" | "signet" | "regtest" => TEST_BASE58.to_vec(),
        other => panic!("chain {other}"),
    }
}

/// P2PKH, P2SH, P2WPKH, P2WSH or P2TR.
fn is_payable(script: &[u8]) -> bool {
    matches!(
        (script.len(), script.first(), script.get(1)),
        (25, Some(0x76), Some(0xa9))
            | (23, Some(0xa9), Some(0x14))
            | (22, Some(0x00), Some(0x14))
            | (34, Some(0x00), Some(0x20))
            | (34, Some(0x51), Some(0x20))
    )
}

fn code(network: Network, address: &str) -> &'static str {
    match parse_address(network, address) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

/// Flip the case of the first letter: a mixed-case bech32 string.
fn flip_one(address: &str) -> String {
    let mut done = false;
    address
        .chars()
        .map(|c| {
            if !done && c.is_ascii_alphabetic() {
                done = true;
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

#[test]
fn key_io_valid() {
    let rows = pegkit_tests::key_io_valid();
    assert_eq!(rows.len(), 70);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &rows {
        let s = row.string.as_str();
        if row.is_privkey {
            // WIF: a 33- or 34-byte payload (0x80/0xef, key, optional compression flag).
            for network in Network::ALL {
                assert_eq!(
                    parse_address(network, s),
                    Err(AddressError::InvalidLength {
                        length: row.payload.len() + 1 + usize::from(s.len() > 51)
                    }),
                    "{s} on {network}"
                );
            }
            *counts.entry("private key").or_default() += 1;
            continue;
        }
        let own = networks_for(&row.chain, s);
        let mut forms = vec![s.to_string()];
        if row.try_case_flip {
            // Core accepts the all-uppercase form too; one flipped letter is mixed case.
            forms.push(s.to_ascii_uppercase());
            assert_eq!(code(own[0], &flip_one(s)), "mixed_case", "{s}");
        }
        for form in &forms {
            for network in Network::ALL {
                let got = parse_address(network, form);
                if !own.contains(&network) {
                    assert_eq!(code(network, form), "wrong_network", "{form} on {network}");
                } else if is_payable(&row.payload) {
                    assert_eq!(
                        got.as_deref(),
                        Ok(row.payload.as_slice()),
                        "{form} on {network}"
                    );
                } else {
                    // Witness version 2..16, or version 1 with a program other than 32 bytes.
                    assert!(
                        matches!(got, Err(AddressError::UnknownWitnessVersion { .. })),
                        "{form} on {network}: {got:?}"
                    );
                }
            }
        }
        let kind = if is_payable(&row.payload) {
            "payable"
        } else {
            "future witness version"
        };
        *counts.entry(kind).or_default() += 1;
    }
    assert_eq!(counts["private key"], 16);
    assert_eq!(counts["future witness version"], 8);
    assert_eq!(counts["payable"], 46);
}

#[test]
fn key_io_invalid() {
    let rows = pegkit_tests::key_io_invalid();
    assert_eq!(rows.len(), 70);
    for s in &rows {
        for network in Network::ALL {
            let c = code(network, s);
            // Invalid on every chain: never "valid elsewhere" nor a future witness version.
            assert!(
                !matches!(c, "ok" | "wrong_network" | "unknown_witness_version"),
                "{s:?} on {network}: {c}"
            );
        }
    }
}

fn bip_networks(address: &str) -> Vec<Network> {
    let lower = address.to_ascii_lowercase();
    if lower.starts_with("bc1") {
        vec![Network::Mainnet]
    } else if lower.starts_with("tb1") {
        TEST_SEGWIT.to_vec()
    } else {
        panic!("{address}")
    }
}

#[test]
fn bip173_and_bip350_addresses() {
    let (bip173, bip350) = pegkit_tests::bech32_vectors();
    assert_eq!(bip173.valid_addresses.len(), 6);
    assert_eq!(bip350.valid_addresses.len(), 8);
    let mut payable = 0;
    for v in bip173.valid_addresses.iter().chain(&bip350.valid_addresses) {
        let script = v.script_pubkey.as_ref().unwrap();
        let own = bip_networks(&v.address);
        for network in Network::ALL {
            let got = parse_address(network, &v.address);
            if !v.valid_under_bip350 {
                // BIP173's version 1+ addresses carry a bech32 checksum: BIP350 replaced them.
                // Malformed on every network (the form is checked before the network).
                assert_eq!(
                    code(network, &v.address),
                    "wrong_checksum_variant",
                    "{}",
                    v.address
                );
            } else if !own.contains(&network) {
                assert_eq!(code(network, &v.address), "wrong_network", "{}", v.address);
            } else if is_payable(script) {
                assert_eq!(got.as_deref(), Ok(script.as_slice()), "{}", v.address);
                payable += 1;
            } else {
                assert_eq!(
                    code(network, &v.address),
                    "unknown_witness_version",
                    "{}",
                    v.address
                );
            }
        }
    }
    // (address, network) pairs. BIP173: 1 mainnet + 2 testnet v0 addresses (× 3 networks);
    // BIP350: 2 mainnet (v0, v1) + 3 testnet (two v0, one v1) addresses.
    assert_eq!(payable, (1 + 2 * 3) + (2 + 3 * 3));

    // Invalid addresses, each with the code its BIP's reason maps to. BIP173's list is read
    // under BIP350: its version 1+ strings fail on the checksum variant first.
    let expected_173 = [
        ("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "unknown_hrp"),
        (
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
            "invalid_checksum",
        ),
        (
            "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
            "invalid_address",
        ),
        ("bc1rw5uspcuh", "wrong_checksum_variant"),
        (
            "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
            "wrong_checksum_variant",
        ),
        ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "invalid_address"),
        (
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
            "mixed_case",
        ),
        (
            "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
            "wrong_checksum_variant",
        ),
        (
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
            "invalid_padding",
        ),
        ("bc1gmk9yu", "invalid_address_length"),
    ];
    let reasons_350 = [
        ("Invalid human-readable part", "unknown_hrp"),
        (
            "Invalid checksum (Bech32 instead of Bech32m)",
            "wrong_checksum_variant",
        ),
        (
            "Invalid checksum (Bech32m instead of Bech32)",
            "wrong_checksum_variant",
        ),
        ("Invalid character in checksum", "invalid_character"),
        ("Invalid witness version", "invalid_address"),
        ("Invalid program length (1 byte)", "invalid_address"),
        ("Invalid program length (41 bytes)", "invalid_address"),
        (
            "Invalid program length for witness version 0 (per BIP141)",
            "invalid_address",
        ),
        ("Mixed case", "mixed_case"),
        ("zero padding of more than 4 bits", "invalid_padding"),
        ("Non-zero padding in 8-to-5 conversion", "invalid_padding"),
        ("Empty data section", "invalid_address_length"),
    ];
    assert_eq!(bip173.invalid_addresses.len(), expected_173.len());
    for (v, (address, want)) in bip173.invalid_addresses.iter().zip(expected_173) {
        assert_eq!(v.address, address);
        for network in Network::ALL {
            assert_eq!(code(network, address), want, "{address} on {network}");
        }
    }
    assert_eq!(bip350.invalid_addresses.len(), 15);
    for v in &bip350.invalid_addresses {
        let reason = v.reason.as_deref().unwrap();
        let want = reasons_350
            .iter()
            .find(|(r, _)| *r == reason)
            .unwrap_or_else(|| panic!("reason {reason}"))
            .1;
        for network in Network::ALL {
            assert_eq!(
                code(network, &v.address),
                want,
                "{} on {network}",
                v.address
            );
        }
    }
}

#[test]
fn bip173_and_bip350_strings() {
    let (bip173, bip350) = pegkit_tests::bech32_vectors();
    for section in [&bip173, &bip350] {
        assert_eq!(section.valid_strings.len(), 7);
        // Valid checksummed strings of other human-readable parts: not Bitcoin addresses.
        for s in &section.valid_strings {
            for network in Network::ALL {
                assert_eq!(code(network, s), "unknown_hrp", "{s:?}");
            }
        }
        for v in &section.invalid_strings {
            for network in Network::ALL {
                let c = code(network, &v.address);
                assert!(
                    !matches!(
                        c,
                        "ok" | "wrong_network" | "unknown_witness_version" | "unknown_hrp"
                    ),
                    "{:?} ({}): {c}",
                    v.address,
                    v.reason.as_deref().unwrap()
                );
            }
        }
    }
    assert_eq!(bip173.invalid_strings.len(), 12);
    assert_eq!(bip350.invalid_strings.len(), 14);
}

#[test]
fn refusals_carry_the_offending_value() {
    let n = Network::Mainnet;
    assert_eq!(
        parse_address(
            n,
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"
        ),
        Err(AddressError::WrongNetwork {
            expected: n,
            found: "testnet3, testnet4 or signet"
        })
    );
    assert_eq!(
        parse_address(n, "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs"),
        Err(AddressError::UnknownWitnessVersion {
            version: 2,
            length: 16
        })
    );
    assert_eq!(
        parse_address(n, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 "),
        Err(AddressError::InvalidCharacter {
            character: ' ',
            position: 42
        })
    );
    // 'b' is not a bech32 data character (it is in the human-readable part).
    assert_eq!(
        parse_address(n, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3b4"),
        Err(AddressError::InvalidCharacter {
            character: 'b',
            position: 40
        })
    );
    // A non-ASCII character (its byte offset is `position_of`'s unit test): the message quotes it
    // escaped.
    let e = parse_address(n, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3\u{e9}4").unwrap_err();
    assert_eq!(
        e,
        AddressError::InvalidCharacter {
            character: '\u{e9}',
            position: 40
        }
    );
    assert_eq!(
        e.to_string(),
        r"invalid address character '\u{e9}' at position 40"
    );
    assert_eq!(
        parse_address(n, &"1".repeat(91)),
        Err(AddressError::InvalidLength { length: 91 })
    );
    // A Litecoin P2PKH address (version byte 0x30).
    assert_eq!(
        parse_address(n, "LaMT348PWRnrqeeWArpwQPbuanpXDZGEUz"),
        Err(AddressError::UnknownBase58Prefix { prefix: 0x30 })
    );
    // Regtest shares the test networks' base58 prefixes but not their segwit prefix.
    assert!(parse_address(Network::Regtest, "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ").is_ok());
    assert_eq!(
        code(
            Network::Regtest,
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"
        ),
        "wrong_network"
    );
}

// --- Differential against rust-bitcoin 0.32 ------------------------------------------------

fn rb_network(n: Network) -> bitcoin::Network {
    match n {
        Network::Mainnet => bitcoin::Network::Bitcoin,
        Network::Testnet3 => bitcoin::Network::Testnet,
        Network::Testnet4 => bitcoin::Network::Testnet4,
        Network::Signet => bitcoin::Network::Signet,
        Network::Regtest => bitcoin::Network::Regtest,
    }
}

/// rust-bitcoin's verdict: the script of an address valid for `network`.
fn rust_bitcoin(network: Network, s: &str) -> Option<Vec<u8>> {
    let unchecked = bitcoin::Address::from_str(s).ok()?;
    if !unchecked.is_valid_for_network(rb_network(network)) {
        return None;
    }
    Some(unchecked.assume_checked().script_pubkey().to_bytes())
}

/// Splitmix64: a fixed-seed generator, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A segwit-shaped string: any hrp of ours or another chain's, witness version 0..=31, program
/// of 0..=42 bytes, either checksum, lower- or uppercase.
fn random_segwit(rng: &mut Rng) -> String {
    let hrps = ["bc", "tb", "bcrt", "ltc", "tc"];
    let hrp = Hrp::parse(hrps[rng.below(hrps.len())]).unwrap();
    let version = if rng.below(4) == 0 {
        rng.below(32) as u8
    } else {
        rng.below(17) as u8
    };
    let length = match rng.below(4) {
        0 => rng.below(43),
        1 => 20,
        _ => 32,
    };
    let program = rng.bytes(length);
    let fe = Fe32::try_from(version).unwrap();
    // The checksum the version calls for, mostly.
    let bech32m = if rng.below(8) == 0 {
        version == 0
    } else {
        version != 0
    };
    let s: String = if bech32m {
        program
            .iter()
            .copied()
            .bytes_to_fes()
            .with_checksum::<Bech32m>(&hrp)
            .with_witness_version(fe)
            .chars()
            .collect()
    } else {
        program
            .iter()
            .copied()
            .bytes_to_fes()
            .with_checksum::<Bech32>(&hrp)
            .with_witness_version(fe)
            .chars()
            .collect()
    };
    if rng.below(4) == 0 {
        s.to_ascii_uppercase()
    } else {
        s
    }
}

/// A base58check string with a Bitcoin or other version byte and a payload of 18..=23 bytes.
fn random_base58(rng: &mut Rng) -> String {
    let prefix = if rng.below(5) == 0 {
        rng.next() as u8
    } else {
        *rng.pick(&[0x00, 0x05, 0x6f, 0xc4])
    };
    let length = if rng.below(4) == 0 {
        18 + rng.below(6)
    } else {
        20
    };
    let mut data = vec![prefix];
    data.extend(rng.bytes(length));
    bitcoin::base58::encode_check(&data)
}

const ALPHABET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl ?!é\u{7f}";

fn mutate(rng: &mut Rng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    for _ in 0..=rng.below(2) {
        if chars.is_empty() {
            break;
        }
        let at = rng.below(chars.len());
        match rng.below(6) {
            0 => chars[at] = *rng.pick(&alphabet),
            1 => {
                chars.remove(at);
            }
            2 => chars.insert(at, *rng.pick(&alphabet)),
            3 if at + 1 < chars.len() => chars.swap(at, at + 1),
            4 => {
                let c = chars[at];
                chars[at] = if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

/// True for a script rust-bitcoin accepts that we refuse on purpose: a segwit output of
/// version 2..16, or of version 1 with a program other than 32 bytes.
fn is_future_segwit(script: &[u8]) -> bool {
    let version = script.first().copied().unwrap_or(0xff);
    (0x51..=0x60).contains(&version) && !(version == 0x51 && script.len() == 34)
}

fn compare(s: &str, stats: &mut BTreeMap<&'static str, usize>) {
    for network in Network::ALL {
        let ours = parse_address(network, s);
        let theirs = rust_bitcoin(network, s);
        match (&ours, &theirs) {
            (Ok(a), Some(b)) => {
                assert_eq!(a, b, "{s:?} on {network}");
                *stats.entry("both accept").or_default() += 1;
            }
            (Err(AddressError::UnknownWitnessVersion { .. }), Some(b)) => {
                assert!(is_future_segwit(b), "{s:?} on {network}");
                *stats.entry("future version (refused by us)").or_default() += 1;
            }
            (Err(e), None) => {
                assert!(
                    !matches!(e, AddressError::UnknownWitnessVersion { .. }),
                    "{s:?} on {network}: rust-bitcoin refuses a future version"
                );
                *stats.entry("both refuse").or_default() += 1;
            }
            _ => panic!("{s:?} on {network}: ours {ours:?}, rust-bitcoin {theirs:?}"),
        }
    }
}

#[test]
fn differential_against_rust_bitcoin() {
    let mut rng = Rng(0x5eed_0005);
    let mut stats = BTreeMap::new();
    let mut seeds: Vec<String> = pegkit_tests::key_io_valid()
        .into_iter()
        .map(|r| r.string)
        .collect();
    let (bip173, bip350) = pegkit_tests::bech32_vectors();
    seeds.extend(
        bip173
            .valid_addresses
            .iter()
            .chain(&bip350.valid_addresses)
            .chain(&bip173.invalid_addresses)
            .chain(&bip350.invalid_addresses)
            .map(|v| v.address.clone()),
    );
    seeds.extend(pegkit_tests::key_io_invalid());
    for s in &seeds {
        compare(s, &mut stats);
    }
    for _ in 0..20_000 {
        let base = match rng.below(3) {
            0 => random_segwit(&mut rng),
            1 => random_base58(&mut rng),
            _ => rng.pick(&seeds).clone(),
        };
        compare(&base, &mut stats);
        compare(&mutate(&mut rng, &base), &mut stats);
    }
    eprintln!("{stats:?}");
    // The generators reach every outcome often.
    for outcome in [
        "both accept",
        "both refuse",
        "future version (refused by us)",
    ] {
        assert!(stats.get(outcome).copied().unwrap_or(0) > 1000, "{stats:?}");
    }
}

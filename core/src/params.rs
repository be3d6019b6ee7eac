//! Network parameters, as values: the five networks Bitcoin Core knows, and custom parameters
//! for tests (e.g. regtest's proof-of-work limit with mainnet's retarget rules, to mine synthetic
//! chains that retarget, fork and compare work with valid proof of work).

use crate::hash::{BlockHash, TxMerkleNode};
use crate::header::{CompactTarget, Header};
use crate::hex;
use crate::pow::U256;
use core::fmt;
use core::str::FromStr;

/// A Bitcoin network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    /// Mainnet.
    Mainnet,
    /// Testnet3 (BIP-less 20-minute minimum-difficulty rule).
    Testnet3,
    /// Testnet4 (BIP94).
    Testnet4,
    /// The default signet. Its headers carry little work: SPV alone proves little there.
    Signet,
    /// Regtest (no retargeting).
    Regtest,
}

impl Network {
    /// Every network.
    pub const ALL: [Network; 5] = [
        Self::Mainnet,
        Self::Testnet3,
        Self::Testnet4,
        Self::Signet,
        Self::Regtest,
    ];

    /// The CLI and JSON name: `mainnet`, `testnet3`, `testnet4`, `signet`, `regtest`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mainnet => "mainnet",
            Self::Testnet3 => "testnet3",
            Self::Testnet4 => "testnet4",
            Self::Signet => "signet",
            Self::Regtest => "regtest",
        }
    }

    /// The human-readable part of this network's segwit addresses (BIP173): `bc`, `tb` (both
    /// testnets and signet) or `bcrt`.
    pub fn bech32_hrp(self) -> &'static str {
        match self {
            Self::Mainnet => "bc",
            Self::Testnet3 | Self::Testnet4 | Self::Signet => "tb",
            Self::Regtest => "bcrt",
        }
    }

    /// This network's consensus parameters.
    pub fn params(self) -> Params {
        Params::new(self)
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown network name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownNetwork;

impl fmt::Display for UnknownNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown network; expected mainnet, testnet3, testnet4, signet or regtest")
    }
}

impl FromStr for Network {
    type Err = UnknownNetwork;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|n| n.name() == s)
            .ok_or(UnknownNetwork)
    }
}

/// Consensus parameters that header validation needs. Every field is public so tests can build
/// custom networks; [`Network::params`] gives Bitcoin Core's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// The network these parameters started from.
    pub network: Network,
    /// The genesis block header.
    pub genesis: Header,
    /// Highest allowed target (`powLimit`).
    pub pow_limit: U256,
    /// Target seconds between blocks (`nPowTargetSpacing`, 600).
    pub pow_target_spacing: u32,
    /// Seconds a retarget period should take (`nPowTargetTimespan`, two weeks).
    pub pow_target_timespan: u32,
    /// Testnet's minimum-difficulty rule: a block more than twice the spacing after its parent
    /// may use the proof-of-work limit (`fPowAllowMinDifficultyBlocks`).
    pub allow_min_difficulty_blocks: bool,
    /// Never retarget (`fPowNoRetargeting`, regtest).
    pub no_retargeting: bool,
    /// BIP94 (testnet4): retarget from the period's first block's nBits, and the first block of a
    /// period may not be more than 600 s older than its parent.
    pub enforce_bip94: bool,
    /// Heights from which block versions below 2, 3 and 4 are rejected (BIP34, BIP66, BIP65).
    pub bip34_height: u32,
    /// See `bip34_height`.
    pub bip66_height: u32,
    /// See `bip34_height`.
    pub bip65_height: u32,
    /// Headers alone are weak evidence on this network (signet: blocks are signed, and that
    /// signature is in the coinbase, not the header). Results are marked accordingly.
    pub weak_spv: bool,
}

/// Blocks per retarget period.
pub const RETARGET_INTERVAL: u32 = 2016;

/// Not inlined: one copy serves every network (inlined, each constant unrolls the decoder).
#[inline(never)]
fn hash_le(display_hex: &str) -> [u8; 32] {
    let mut b = hex::decode_array::<32>(display_hex).unwrap_or([0; 32]);
    b.reverse();
    b
}

fn genesis(time: u32, bits: u32, nonce: u32, merkle_root: &str) -> Header {
    Header {
        version: 1,
        prev_blockhash: BlockHash::from_byte_array([0; 32]),
        merkle_root: TxMerkleNode::from_byte_array(hash_le(merkle_root)),
        time,
        bits: CompactTarget(bits),
        nonce,
    }
}

/// The merkle root of the genesis coinbase shared by mainnet, testnet3, signet and regtest.
const GENESIS_MERKLE_ROOT: &str =
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";

impl Params {
    /// Bitcoin Core's parameters for `network` (chainparams.cpp).
    pub fn new(network: Network) -> Self {
        let limit_1d00ffff = U256::MAX.shift_right(32);
        let mainnet = Self {
            network,
            genesis: genesis(
                1_231_006_505,
                0x1d00_ffff,
                2_083_236_893,
                GENESIS_MERKLE_ROOT,
            ),
            pow_limit: limit_1d00ffff,
            pow_target_spacing: 600,
            pow_target_timespan: 14 * 24 * 60 * 60,
            allow_min_difficulty_blocks: false,
            no_retargeting: false,
            enforce_bip94: false,
            bip34_height: 227_931,
            bip66_height: 363_725,
            bip65_height: 388_381,
            weak_spv: false,
        };
        match network {
            Network::Mainnet => mainnet,
            Network::Testnet3 => Self {
                genesis: genesis(1_296_688_602, 0x1d00_ffff, 414_098_458, GENESIS_MERKLE_ROOT),
                allow_min_difficulty_blocks: true,
                bip34_height: 21_111,
                bip66_height: 330_776,
                bip65_height: 581_885,
                ..mainnet
            },
            Network::Testnet4 => Self {
                genesis: genesis(
                    1_714_777_860,
                    0x1d00_ffff,
                    393_743_547,
                    "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e",
                ),
                allow_min_difficulty_blocks: true,
                enforce_bip94: true,
                bip34_height: 1,
                bip66_height: 1,
                bip65_height: 1,
                ..mainnet
            },
            Network::Signet => Self {
                genesis: genesis(1_598_918_400, 0x1e03_77ae, 52_613_770, GENESIS_MERKLE_ROOT),
                // 00000377ae000000000000000000000000000000000000000000000000000000
                pow_limit: U256::from_be_bytes(&{
                    let mut b = [0u8; 32];
                    b[2] = 0x03;
                    b[3] = 0x77;
                    b[4] = 0xae;
                    b
                }),
                bip34_height: 1,
                bip66_height: 1,
                bip65_height: 1,
                weak_spv: true,
                ..mainnet
            },
            Network::Regtest => Self {
                genesis: genesis(1_296_688_602, 0x207f_ffff, 2, GENESIS_MERKLE_ROOT),
                // 7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
                pow_limit: U256::MAX.shift_right(1),
                allow_min_difficulty_blocks: true,
                no_retargeting: true,
                bip34_height: 1,
                bip66_height: 1,
                bip65_height: 1,
                ..mainnet
            },
        }
    }

    /// Blocks per retarget period (`DifficultyAdjustmentInterval`).
    pub fn retarget_interval(&self) -> u32 {
        self.pow_target_timespan
            .checked_div(self.pow_target_spacing)
            .unwrap_or(RETARGET_INTERVAL)
    }

    /// True at heights that start a retarget period.
    pub fn is_retarget_height(&self, height: u32) -> bool {
        height.checked_rem(self.retarget_interval()) == Some(0)
    }

    /// Height of the first block of the retarget period containing `height`.
    pub fn period_start(&self, height: u32) -> u32 {
        height.saturating_sub(height.checked_rem(self.retarget_interval()).unwrap_or(0))
    }

    /// The compact form of [`Self::pow_limit`].
    pub fn pow_limit_bits(&self) -> CompactTarget {
        CompactTarget::from_target(self.pow_limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn genesis_hashes_and_limits() {
        let want = [
            (
                Network::Mainnet,
                "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
                0x1d00_ffff,
            ),
            (
                Network::Testnet3,
                "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
                0x1d00_ffff,
            ),
            (
                Network::Testnet4,
                "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
                0x1d00_ffff,
            ),
            (
                Network::Signet,
                "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
                0x1e03_77ae,
            ),
            (
                Network::Regtest,
                "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
                0x207f_ffff,
            ),
        ];
        for (net, hash, limit_bits) in want {
            let p = net.params();
            assert_eq!(p.genesis.block_hash().to_string(), hash, "{net}");
            assert_eq!(p.pow_limit_bits().0, limit_bits, "{net}");
            assert_eq!(p.retarget_interval(), 2016);
            assert_eq!(net.name().parse::<Network>(), Ok(net));
            // Every genesis meets its own target.
            let target = p.genesis.bits.target_within(&p.pow_limit).unwrap();
            assert!(crate::pow::hash_meets_target(
                p.genesis.block_hash().as_byte_array(),
                &target
            ));
        }
    }
}

// SPDX-License-Identifier: MIT OR Apache-2.0
// A stand-in for the Alys bridge, for js/test/pegout_evm.test.mjs: the same two burn events,
// emitted from payable functions with the value sent (msg.value) burned — the contract has no
// way to send ether out again. `batch` emits several events in one transaction (burns of both
// kinds, a non-burn event, a burn of another deployment through a nested call, a raw log with a
// burn event's topic and malformed data), so the test covers event indexes within a transaction.
pragma solidity 0.8.37;

contract Bridge {
    // Alys: seeds 001 (RequestPegOut, bytes address) and 004 (BurnForBitcoin, string address).
    event RequestPegOut(address indexed _evmAddress, bytes _bitcoinAddress, uint256 _value);
    event BurnForBitcoin(address indexed burner, uint256 amount, string btcAddress);
    // Not a burn: a bridge log the decoder must reject, not count.
    event Note(address indexed from, uint256 value);

    uint8 constant REQUEST_PEG_OUT = 0;
    uint8 constant BURN_FOR_BITCOIN = 1;
    uint8 constant NOTE = 2;
    uint8 constant VIA_OTHER = 3;
    uint8 constant RAW_REQUEST_PEG_OUT = 4;

    function requestPegOut(bytes calldata _bitcoinAddress) external payable {
        emit RequestPegOut(msg.sender, _bitcoinAddress, msg.value);
    }

    function pegOut(string calldata btcAddress) external payable {
        emit BurnForBitcoin(msg.sender, msg.value, btcAddress);
    }

    /// One event per entry, in order. `amounts` must add up to msg.value. For BURN_FOR_BITCOIN
    /// the bytes become the string as they are (invalid UTF-8 included); VIA_OTHER forwards its
    /// amount to `other`'s requestPegOut, whose event then carries this contract as the sender;
    /// RAW_REQUEST_PEG_OUT emits a log with RequestPegOut's topics and the bytes as its whole data.
    function batch(address other, uint8[] calldata kinds, bytes[] calldata data, uint256[] calldata amounts)
        external
        payable
    {
        require(kinds.length == data.length && kinds.length == amounts.length, "lengths");
        uint256 total = 0;
        for (uint256 i = 0; i < kinds.length; i++) {
            uint8 kind = kinds[i];
            total += amounts[i];
            if (kind == REQUEST_PEG_OUT) {
                emit RequestPegOut(msg.sender, data[i], amounts[i]);
            } else if (kind == BURN_FOR_BITCOIN) {
                emit BurnForBitcoin(msg.sender, amounts[i], string(data[i]));
            } else if (kind == NOTE) {
                emit Note(msg.sender, amounts[i]);
            } else if (kind == VIA_OTHER) {
                Bridge(other).requestPegOut{value: amounts[i]}(data[i]);
            } else if (kind == RAW_REQUEST_PEG_OUT) {
                bytes32 topic0 = RequestPegOut.selector;
                bytes32 topic1 = bytes32(uint256(uint160(msg.sender)));
                bytes memory raw = data[i];
                assembly {
                    log2(add(raw, 32), mload(raw), topic0, topic1)
                }
            } else {
                revert("kind");
            }
        }
        require(total == msg.value, "value");
    }
}

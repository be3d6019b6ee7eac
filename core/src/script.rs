//! Script bytes: opcodes, Core's `GetOp` parsing, minimal pushes and number encoding.

use alloc::vec::Vec;

/// `OP_0` / `OP_FALSE`.
pub const OP_0: u8 = 0x00;
/// `OP_PUSHDATA1`.
pub const OP_PUSHDATA1: u8 = 0x4c;
/// `OP_PUSHDATA2`.
pub const OP_PUSHDATA2: u8 = 0x4d;
/// `OP_PUSHDATA4`.
pub const OP_PUSHDATA4: u8 = 0x4e;
/// `OP_1NEGATE`.
pub const OP_1NEGATE: u8 = 0x4f;
/// `OP_1` / `OP_TRUE`.
pub const OP_1: u8 = 0x51;
/// `OP_16`.
pub const OP_16: u8 = 0x60;
/// `OP_RETURN`.
pub const OP_RETURN: u8 = 0x6a;
/// `OP_EQUAL`.
pub const OP_EQUAL: u8 = 0x87;
/// `OP_NUMEQUAL`.
pub const OP_NUMEQUAL: u8 = 0x9c;
/// `OP_NUMEQUALVERIFY`.
pub const OP_NUMEQUALVERIFY: u8 = 0x9d;
/// `OP_CODESEPARATOR`.
pub const OP_CODESEPARATOR: u8 = 0xab;
/// `OP_CHECKSIG`.
pub const OP_CHECKSIG: u8 = 0xac;
/// `OP_CHECKMULTISIG`.
pub const OP_CHECKMULTISIG: u8 = 0xae;
/// `OP_CHECKSEQUENCEVERIFY`.
pub const OP_CHECKSEQUENCEVERIFY: u8 = 0xb2;
/// `OP_CHECKSIGADD` (BIP342).
pub const OP_CHECKSIGADD: u8 = 0xba;

/// One step of Bitcoin Core's `GetScriptOp`: the opcode at `*pos` and its push data, advancing
/// `*pos` past them. `None` at the end of the script or on a push that runs past it — in which
/// case, as in Core, `*pos` has already moved past the opcode (and any length bytes it read).
pub fn get_op<'a>(script: &'a [u8], pos: &mut usize) -> Option<(u8, Option<&'a [u8]>)> {
    let opcode = *script.get(*pos)?;
    *pos = pos.saturating_add(1);
    if opcode > OP_PUSHDATA4 {
        return Some((opcode, None));
    }
    let size_len = match opcode {
        OP_PUSHDATA1 => 1,
        OP_PUSHDATA2 => 2,
        OP_PUSHDATA4 => 4,
        _ => 0,
    };
    let size = if size_len == 0 {
        usize::from(opcode)
    } else {
        let bytes = script.get(*pos..pos.saturating_add(size_len))?;
        *pos = pos.saturating_add(size_len);
        let mut le = [0u8; 4];
        le.get_mut(..size_len)?.copy_from_slice(bytes);
        usize::try_from(u32::from_le_bytes(le)).ok()?
    };
    let data = script.get(*pos..pos.checked_add(size)?)?;
    *pos = pos.saturating_add(size);
    Some((opcode, Some(data)))
}

/// Appends the minimal push of `data` (direct push, `OP_PUSHDATA1/2/4`). Single small numbers are
/// not turned into `OP_n`: this pushes bytes (keys, signatures).
pub fn push_data(script: &mut Vec<u8>, data: &[u8]) {
    let len = data.len();
    if len < usize::from(OP_PUSHDATA1) {
        script.push(u8::try_from(len).unwrap_or(0));
    } else if let Ok(n) = u8::try_from(len) {
        script.extend_from_slice(&[OP_PUSHDATA1, n]);
    } else if let Ok(n) = u16::try_from(len) {
        script.push(OP_PUSHDATA2);
        script.extend_from_slice(&n.to_le_bytes());
    } else {
        script.push(OP_PUSHDATA4);
        script.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
    }
    script.extend_from_slice(data);
}

/// `CScriptNum` serialization of a non-negative number: little-endian, minimal, with a sign bit.
pub fn script_num(n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut v = n;
    while v > 0 {
        out.push((v & 0xff) as u8);
        v >>= 8;
    }
    if out.last().is_some_and(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out
}

/// Appends `n` as Core's `CScript << int64` does: `OP_0`, `OP_1`..`OP_16`, or a minimal number push.
pub fn push_int(script: &mut Vec<u8>, n: u64) {
    match n {
        0 => script.push(OP_0),
        1..=16 => script.push(
            OP_1.saturating_add(u8::try_from(n).unwrap_or(0))
                .saturating_sub(1),
        ),
        _ => push_data(script, &script_num(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_op_matches_core_on_truncation() {
        let s = [0x01, 0xaa, OP_PUSHDATA1, 0x05, 0x01];
        let mut pos = 0;
        assert_eq!(get_op(&s, &mut pos), Some((0x01, Some(&[0xaa][..]))));
        assert_eq!(get_op(&s, &mut pos), None);
        // Core advanced past the opcode and its length byte.
        assert_eq!(pos, 4);
        let mut v = Vec::new();
        push_int(&mut v, 3);
        push_int(&mut v, 1008);
        push_int(&mut v, 0x80);
        assert_eq!(v, [0x53, 0x02, 0xf0, 0x03, 0x02, 0x80, 0x00]);
    }
}

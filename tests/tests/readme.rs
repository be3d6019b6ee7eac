//! The README stays true to the code: every stable error code any `code()` implementation (core,
//! CLI, wasm) can return is listed in the README's error-code table, and the table lists nothing
//! that no code returns.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(fs::read_to_string(&path).unwrap());
        }
    }
}

/// String literals in positions where a code is produced: `=> "code"` in a `code()` match,
/// `"code"` as the first argument of `error(`/`reject(`, and `code: "..."`.
fn codes_in(source: &str) -> BTreeSet<String> {
    let collapsed: String = source.split_whitespace().collect::<Vec<_>>().join(" ");
    let source = collapsed.as_str();
    let mut out = BTreeSet::new();
    let is_code = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
    };
    for pattern in [
        "=> \"",
        "error(\"",
        "error( \"",
        "reject(\"",
        "reject( \"",
        "code: \"",
        "&'static str { \"",
    ] {
        let mut rest = source;
        while let Some(at) = rest.find(pattern) {
            rest = &rest[at + pattern.len()..];
            if let Some(end) = rest.find('"') {
                let lit = &rest[..end];
                if is_code(lit) {
                    out.insert(lit.to_string());
                }
            }
        }
    }
    out
}

#[test]
fn every_error_code_is_in_the_readme_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = Vec::new();
    for dir in ["core/src", "core/cli/src", "wasm/src"] {
        rust_files(&root.join(dir), &mut sources);
    }
    let mut codes = BTreeSet::new();
    for s in &sources {
        codes.extend(codes_in(s));
    }
    // Literals matched by the patterns that are not error codes.
    for not_a_code in [
        "mainnet",
        "testnet3",
        "testnet4",
        "signet",
        "regtest",
        "version",
        "amount",
        "sequence",
        "header",
        "lock_time",
        "input_count",
        "output_count",
        "prevout_txid",
        "prevout_vout",
        "script_sig",
        "script_pubkey",
        "segwit_flag",
        "witness_item_count",
        "witness_item",
        "tx_count",
        "merkle_hash_count",
        "merkle_hash",
        "merkle_flags",
        "chain_state",
        "partial_signature_key",
        "partial_signature_count",
        "partial_signature",
        "bc",
        "tb",
        "bcrt",
        "main",
        "recovery",
        "new",
        "already_had",
    ] {
        codes.remove(not_a_code);
    }
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    // The table of the "Error codes" section only (other tables may start a row with code).
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Error codes"))
        .expect("README has an \"Error codes\" section");
    let table: BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .filter(|c| {
            c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        })
        .collect();
    let missing: Vec<_> = codes.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "codes not in the README table: {missing:?}"
    );
    let stale: Vec<_> = table.difference(&codes).collect();
    assert!(
        stale.is_empty(),
        "README lists codes no code returns: {stale:?}"
    );
    assert!(codes.len() > 50, "{} codes found", codes.len());
}

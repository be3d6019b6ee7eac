//! The `pegkit` command-line contract: `pegkit NOUN VERB` reads one JSON request and prints one
//! JSON response (see `CLI-CONTRACT` in the README).
//!
//! This crate is the **one** implementation of request parsing, dispatch and response printing.
//! The native binary (`node-host`, `pegkit`) and the JavaScript twin (`js/bin/pegkit.mjs`, over
//! a small wasm build of this crate) both call [`run`], so their output is identical by
//! construction, errors included; comparing them compares core compiled natively with core
//! compiled to wasm.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod foundation;
mod pegout;
mod signing;
mod spv;
mod wire;

use serde::Serialize;
use serde_json::Value;

pub use wire::Failure;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the input was understood and rejected.
pub const EXIT_REJECTED: u8 = 1;
/// Exit status: usage error (unknown command, malformed JSON, missing/unknown/mistyped field,
/// malformed hex).
pub const EXIT_USAGE: u8 = 2;

/// What a run prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Process exit status ([`EXIT_OK`], [`EXIT_REJECTED`] or [`EXIT_USAGE`]).
    pub exit: u8,
    /// Everything to write to stdout, ending with a newline.
    pub stdout: String,
}

/// The commands this build implements, as `"noun verb"`.
pub const COMMANDS: &[&str] = &[
    "tx decode",
    "header decode",
    "schnorr sign",
    "schnorr verify",
    "headers verify",
    "merkle root",
    "merkle proof",
    "merkle verify",
    "txoutproof verify",
    "pegin verify",
    "sighash",
    "federation create",
    "sign",
    "finalize",
    "pegout decode",
    "pegout build",
    "pegout check",
];

const USAGE: &str =
    "usage: pegkit NOUN VERB [--pretty] < request.json | pegkit batch < requests.jsonl";

/// Whether `args` name something that reads stdin: every command, but not help or a missing
/// command (those print usage without waiting for input).
pub fn needs_stdin(args: &[String]) -> bool {
    args.iter().any(|a| a != "--pretty") && !args.iter().any(|a| a == "--help" || a == "-h")
}

/// Runs one invocation: `args` are the arguments after the program name, `stdin` the whole
/// standard input.
pub fn run(args: &[String], stdin: &str) -> Output {
    let pretty = args.iter().any(|a| a == "--pretty");
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--pretty")
        .collect();
    if words.is_empty() || words.iter().any(|w| *w == "--help" || *w == "-h") {
        return print_failure(
            &Failure::usage(format!("{USAGE}; commands: batch, {}", COMMANDS.join(", "))),
            pretty,
        );
    }
    let command = words.join(" ");
    if command == "batch" {
        return Output {
            exit: EXIT_OK,
            stdout: batch(stdin),
        };
    }
    let result = serde_json::from_str::<Value>(stdin)
        .map_err(|e| Failure::usage(format!("request is not JSON: {e}")))
        .and_then(|request| dispatch(&command, request));
    match result {
        Ok(response) => Output {
            exit: EXIT_OK,
            stdout: render(&response, pretty),
        },
        Err(failure) => print_failure(&failure, pretty),
    }
}

fn print_failure(failure: &Failure, pretty: bool) -> Output {
    Output {
        exit: failure.exit,
        stdout: render(&failure.to_json(), pretty),
    }
}

fn render(value: &Value, pretty: bool) -> String {
    let mut s = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .unwrap_or_else(|e| format!("{{\"error\":{{\"code\":\"internal\",\"message\":\"{e}\"}}}}"));
    s.push('\n');
    s
}

/// Runs JSON Lines: each line `{"command":"noun verb","request":{…}}` gives one line
/// `{"exit":N,"response":{…}}`, where `response` is what the single command prints.
pub fn batch(input: &str) -> String {
    #[derive(Serialize)]
    struct Line {
        exit: u8,
        response: Value,
    }
    let mut out = String::new();
    for line in input.lines() {
        let (exit, response) = match batch_line(line) {
            Ok(v) => (EXIT_OK, v),
            Err(f) => (f.exit, f.to_json()),
        };
        out.push_str(&render(
            &serde_json::to_value(Line { exit, response }).unwrap_or(Value::Null),
            false,
        ));
    }
    out
}

fn batch_line(line: &str) -> Result<Value, Failure> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Request {
        command: String,
        request: Value,
    }
    let req: Request =
        serde_json::from_str(line).map_err(|e| Failure::usage(format!("batch line: {e}")))?;
    if req.command == "batch" {
        return Err(Failure::usage("batch cannot be nested".into()));
    }
    dispatch(&req.command, req.request)
}

/// Runs one command on a parsed request.
///
/// # Errors
/// A [`Failure`] with the exit status and stable code.
pub fn dispatch(command: &str, request: Value) -> Result<Value, Failure> {
    match command {
        "tx decode" => wire::handle(request, foundation::tx_decode),
        "header decode" => wire::handle(request, foundation::header_decode),
        "schnorr sign" => wire::handle(request, foundation::schnorr_sign),
        "schnorr verify" => wire::handle(request, foundation::schnorr_verify),
        "headers verify" => wire::handle(request, spv::headers_verify),
        "merkle root" => wire::handle(request, spv::merkle_root_cmd),
        "merkle proof" => wire::handle(request, spv::merkle_proof),
        "merkle verify" => wire::handle(request, spv::merkle_verify),
        "txoutproof verify" => wire::handle(request, spv::txoutproof_verify),
        "pegin verify" => wire::handle(request, spv::pegin_verify),
        "sighash" => wire::handle(request, signing::sighash),
        "federation create" => wire::handle(request, signing::federation_create),
        "sign" => wire::handle(request, signing::sign),
        "finalize" => wire::handle(request, signing::finalize),
        "pegout decode" => wire::handle(request, pegout::decode),
        "pegout build" => wire::handle(request, pegout::build),
        "pegout check" => wire::handle(request, pegout::check),
        other => Err(Failure::usage(format!(
            "unknown command {other:?}; commands: batch, {}",
            COMMANDS.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn every_listed_command_dispatches() {
        for command in COMMANDS {
            let err = dispatch(command, Value::Null).unwrap_err();
            assert!(
                !err.message.starts_with("unknown command"),
                "{command}: {}",
                err.message
            );
        }
        assert!(
            dispatch("tx encode", Value::Null)
                .unwrap_err()
                .message
                .starts_with("unknown command")
        );
    }

    #[test]
    fn usage_errors() {
        let out = run(&args("tx frobnicate"), "{}");
        assert_eq!(out.exit, EXIT_USAGE);
        assert!(out.stdout.starts_with("{\"error\":{\"code\":\"usage\""));
        assert_eq!(run(&args("tx decode"), "not json").exit, EXIT_USAGE);
        assert_eq!(
            run(&args("tx decode"), "{\"tx\":\"00\",\"extra\":1}").exit,
            EXIT_USAGE
        );
        assert_eq!(run(&args("tx decode"), "{}").exit, EXIT_USAGE);
        assert_eq!(run(&args("tx decode"), "{\"tx\":\"0\"}").exit, EXIT_USAGE);
        assert_eq!(run(&args("tx decode"), "{\"tx\":\"zz\"}").exit, EXIT_USAGE);
        assert_eq!(run(&args("tx decode"), "{\"tx\":5}").exit, EXIT_USAGE);
        assert_eq!(run(&[], "").exit, EXIT_USAGE);
    }

    #[test]
    fn batch_matches_single_commands() {
        let reqs = [
            ("tx decode", "{\"tx\":\"01000000000000000000\"}"),
            ("tx decode", "{\"tx\":\"0100\"}"),
            ("header decode", "{\"header\":\"00\"}"),
            ("nope", "{}"),
        ];
        let input: String = reqs
            .iter()
            .map(|(c, r)| format!("{{\"command\":\"{c}\",\"request\":{r}}}\n"))
            .collect();
        let lines: Vec<Value> = batch(&input)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), reqs.len());
        for ((c, r), line) in reqs.iter().zip(&lines) {
            let single = run(&args(c), r);
            assert_eq!(line["exit"], u64::from(single.exit));
            assert_eq!(
                line["response"],
                serde_json::from_str::<Value>(&single.stdout).unwrap()
            );
        }
        assert_eq!(lines[1]["response"]["error"]["code"], "truncated");
        assert_eq!(lines[2]["response"]["error"]["code"], "invalid_length");
        assert_eq!(
            batch("{\"command\":\"batch\",\"request\":{}}\n")
                .lines()
                .count(),
            1
        );
    }
}

//! `pegkit`: the command-line contract (`pegkit NOUN VERB < request.json`), natively.
//!
//! All parsing, dispatch and printing is `pegkit_cli::run`, shared with `js/bin/pegkit.mjs`.

use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut stdin = String::new();
    if pegkit_cli::needs_stdin(&args) {
        if let Err(e) = std::io::stdin().read_to_string(&mut stdin) {
            eprintln!("pegkit: cannot read stdin: {e}");
            return ExitCode::from(pegkit_cli::EXIT_USAGE);
        }
    }
    let out = pegkit_cli::run(&args, &stdin);
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(out.stdout.as_bytes())
        .and_then(|()| stdout.flush())
    {
        eprintln!("pegkit: cannot write stdout: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::from(out.exit)
}

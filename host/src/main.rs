//! The `strategy-host` binary: parses the command line and reports errors; everything else is
//! in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    match strategy_host::cli::main() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

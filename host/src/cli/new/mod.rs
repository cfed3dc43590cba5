//! `strategy-host new NAME [--lang rust|python|js]`: scaffolds a strategy project that builds
//! to a component with the commands it prints, anywhere: the project carries its language's
//! SDK and the WIT package, copied from what this binary was built with, so it needs no
//! checkout of this repository.
//!
//! - `project`: the files and build commands of a project, and writing them;
//! - `embedded`: the SDK crate, WIT and lock file embedded by `host/build.rs`;
//! - `rust` and `guest` (Python and JavaScript): each fills a `Project` for its languages.

mod embedded;
mod guest;
mod project;
mod rust;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use project::Name;

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Name of the strategy (kebab-case, like `mean-revert`).
    name: String,
    /// Where to create the project [default: ./NAME]
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The language the strategy is written in.
    #[arg(long, value_enum, default_value_t = Lang::Rust)]
    lang: Lang,
}

/// A language `new` scaffolds in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    /// A crate against strategy-sdk, built by cargo.
    Rust,
    /// An `app.py` against the Python guest SDK, built by componentize-py.
    Python,
    /// An `app.js` against the JavaScript guest SDK, built by componentize-js.
    Js,
}

pub fn run(args: NewArgs) -> anyhow::Result<ExitCode> {
    let name = Name::parse(&args.name)?;
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(name.kebab()));
    let project = match args.lang {
        Lang::Rust => rust::project(&name),
        Lang::Python => guest::project(&guest::PYTHON, &name),
        Lang::Js => guest::project(&guest::JS, &name),
    };
    project.write(&dir)?;
    // One command a line, so each can be pasted (and a test can run the build as printed).
    println!("created {}", dir.display());
    if let Some(setup) = &project.setup {
        println!("once:      cd {} && {setup}", dir.display());
    }
    println!("build it:  cd {} && {}", dir.display(), project.build);
    println!(
        "then:      cp {} <strategies folder>/{}.wasm",
        project.component,
        name.kebab()
    );
    Ok(ExitCode::SUCCESS)
}

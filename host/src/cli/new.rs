//! `strategy-host new NAME`: scaffolds a strategy crate that builds to a component with one
//! command (`cargo build --release --target wasm32-wasip2`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;

/// The template files (strategy-sdk/template/) and where each goes in the new crate.
const TEMPLATE: [(&str, &str); 3] = [
    (
        "Cargo.toml",
        include_str!("../../../strategy-sdk/template/Cargo.toml.in"),
    ),
    ("src/lib.rs", include_str!("../../../strategy-sdk/template/lib.rs.in")),
    (
        ".gitignore",
        include_str!("../../../strategy-sdk/template/gitignore.in"),
    ),
];

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Name of the strategy (kebab-case, like `mean-revert`).
    name: String,
    /// Where to create the crate [default: ./NAME]
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Path to the strategy-sdk crate [default: the SDK next to this host's sources]
    #[arg(long)]
    sdk_path: Option<PathBuf>,
}

pub fn run(args: NewArgs) -> anyhow::Result<ExitCode> {
    let name = &args.name;
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        bail!("strategy name `{name}` is invalid: expected kebab-case, lowercase letters, digits and `-`, starting with a letter");
    }
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(name));
    if dir.exists() {
        bail!("{}: already exists; choose another name or --dir", dir.display());
    }
    let sdk = match args.sdk_path {
        Some(path) => path,
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../strategy-sdk"),
    };
    let sdk = sdk.canonicalize().with_context(|| {
        format!(
            "{}: strategy-sdk not found; pass --sdk-path to the strategy-sdk crate",
            sdk.display()
        )
    })?;
    let crate_name = name.replace('-', "_");
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{crate_name}}", &crate_name)
            .replace("{{sdk_path}}", &sdk.display().to_string())
    };
    std::fs::create_dir_all(dir.join("src")).with_context(|| format!("{}: cannot create", dir.display()))?;
    for (file, template) in TEMPLATE {
        let path = dir.join(file);
        std::fs::write(&path, fill(template)).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    println!("created {}", dir.display());
    println!(
        "build it:  cd {} && cargo build --release --target wasm32-wasip2",
        dir.display()
    );
    println!("then:      cp target/wasm32-wasip2/release/{crate_name}.wasm <strategies folder>/{name}.wasm");
    Ok(ExitCode::SUCCESS)
}

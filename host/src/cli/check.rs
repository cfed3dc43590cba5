//! `strategy-host check FILE.wasm`: validates a component against the strategy world and
//! prints its manifest and SHA-256.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use clap::Args;
use trading::brokers::{SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig};
use trading::orders::StrategyId;

use super::cache::CacheArgs;
use crate::metrics::Metrics;
use crate::runtime::{
    CpuBudget, RecoveryPolicy, Runner, Runtime, SandboxLimits, SessionShared, StrategyComponent, StrategyContext,
};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The component to check.
    file: PathBuf,
    /// Parameters (a JSON object) to try `init` with.
    #[arg(long, default_value = "{}")]
    params: String,
    #[command(flatten)]
    cache: CacheArgs,
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let limits = SandboxLimits {
        cpu: CpuBudget::deterministic(),
        ..SandboxLimits::default()
    };
    let mut runtime = Runtime::new(limits)?;
    // A component compiles once per version: checking it again (other params, say) loads it.
    if let Some(dir) = args.cache.dir() {
        runtime = runtime.with_component_cache(dir);
    }
    let runtime = Arc::new(runtime);
    let component = StrategyComponent::load_file(&runtime, &args.file)?;
    let hash = component.hash();
    let size = component.size_bytes();
    // Start it for real (describe + init) against a throwaway desk: a component that links but
    // cannot initialize is not one an operator can run.
    let id = StrategyId::new("check");
    let broker = SimBroker::new(SimConfig::default())?;
    let desk = Arc::new(Mutex::new(Desk::new(DeskConfig::default(), Box::new(broker), None)?));
    let ctx = StrategyContext::new(
        id,
        desk,
        &SessionShared::default(),
        Metrics::new().strategy("check", "none"),
    );
    let runner = Runner::start(
        runtime,
        Arc::new(component),
        args.params.clone(),
        ctx,
        RecoveryPolicy::deterministic(),
    )
    .context("the component does not start")?;
    let m = runner.manifest();
    println!("file:        {}", args.file.display());
    println!("sha256:      {hash}");
    println!("size:        {size} bytes");
    println!(
        "world:       {}/strategy@{}",
        crate::runtime::WIT_PACKAGE,
        crate::runtime::WIT_VERSION
    );
    println!("name:        {}", m.name);
    println!("version:     {}", m.version);
    println!("description: {}", m.description);
    println!("subscriptions:");
    for s in &m.subscriptions {
        println!("  - {s}");
    }
    println!("parameters:");
    for p in &m.params {
        println!(
            "  - {} ({}, default {}): {}",
            p.name, p.kind, p.default_value, p.description
        );
    }
    Ok(ExitCode::SUCCESS)
}

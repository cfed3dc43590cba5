//! The compiled-component cache options `backtest` and `check` share.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct CacheArgs {
    /// Keep compiled strategies here [default: ~/.cache/strategy-host/components]
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Compile the strategy even if a compiled copy is cached, and store none.
    #[arg(long)]
    no_cache: bool,
}

impl CacheArgs {
    /// The cache folder to use, if any.
    pub fn dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(crate::config::default_cache_dir)
        }
    }
}

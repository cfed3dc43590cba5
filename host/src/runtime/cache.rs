//! The on-disk cache of compiled components, so a restart (or the next backtest) does not run
//! cranelift again.
//!
//! An entry is keyed by the component's content hash and by the engine's precompile
//! compatibility hash (wasmtime version and every codegen setting: a fuel engine and an epoch
//! engine produce different code, hence different entries). It holds the SHA-256 of the
//! compiled bytes followed by the bytes, and is checked against that digest before wasmtime is
//! asked to trust it. Entries are written to a temporary name and renamed into place, so a
//! reader never sees half an entry. The cache is an optimization only: any failure to read or
//! write it is logged and the component is compiled as if there were no cache.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

use super::component::ContentHash;

/// Whether a load found the compiled component in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    Hit,
    /// Compiled now (and stored, when the cache could be written).
    Compiled,
}

#[derive(Debug, Clone)]
pub struct ComponentCache {
    dir: PathBuf,
    engine_key: String,
}

const DIGEST_LEN: usize = 32;

impl ComponentCache {
    pub fn new(dir: PathBuf, engine: &Engine) -> Self {
        // The std hasher with its fixed keys is stable for one build of the host, which is all
        // the key needs: another build may have another engine anyway.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Self {
            dir,
            engine_key: format!("{:016x}", hasher.finish()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The compiled form of `bytes` (whose hash is `hash`), from the cache or compiled now.
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        hash: ContentHash,
        bytes: &[u8],
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let path = self.dir.join(format!("{hash}-{}.cwasm", self.engine_key));
        if let Some(component) = self.read(engine, &path) {
            return Ok((component, CacheOutcome::Hit));
        }
        let component = Component::new(engine, bytes)?;
        if let Err(error) = self.write(&path, &component) {
            tracing::warn!(path = %path.display(), "cannot store the compiled component: {error:#}");
        }
        Ok((component, CacheOutcome::Compiled))
    }

    fn read(&self, engine: &Engine, path: &Path) -> Option<Component> {
        let entry = match std::fs::read(path) {
            Ok(entry) => entry,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => {
                tracing::warn!(path = %path.display(), "cannot read the compiled-component cache: {error}");
                return None;
            }
        };
        let (digest, compiled) = entry.split_at_checked(DIGEST_LEN)?;
        if Sha256::digest(compiled).as_slice() != digest {
            tracing::warn!(path = %path.display(), "compiled-component cache entry is corrupt; compiling again");
            return None;
        }
        match deserialize(engine, compiled) {
            Ok(component) => Some(component),
            Err(error) => {
                tracing::warn!(path = %path.display(), "cannot use the cached compiled component: {error:#}");
                None
            }
        }
    }

    fn write(&self, path: &Path, component: &Component) -> std::io::Result<()> {
        static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);
        let compiled = component
            .serialize()
            .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
        std::fs::create_dir_all(&self.dir)?;
        let temp = self.dir.join(format!(
            ".{}.{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id(),
            NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
        ));
        let mut entry = Vec::with_capacity(DIGEST_LEN + compiled.len());
        entry.extend_from_slice(&Sha256::digest(&compiled));
        entry.extend_from_slice(&compiled);
        std::fs::write(&temp, &entry)?;
        std::fs::rename(&temp, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })?;
        Ok(())
    }
}

/// Turns compiled bytes back into a component.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, compiled: &[u8]) -> wasmtime::Result<Component> {
    // SAFETY: `Component::deserialize` runs the bytes as native code, so they must come from
    // `Component::serialize` of a compatible engine. These bytes were written by this host into
    // its own cache folder, the entry's key includes the engine's compatibility hash (and
    // wasmtime checks compatibility again), and the SHA-256 written with them matched above, so
    // they are the bytes `serialize` produced.
    unsafe { Component::deserialize(engine, compiled) }
}

//! Loading a strategy component: read, identify, compile, and check it against the world this
//! host serves, with an error that names the file and what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use super::bindings::{self, WIT_PACKAGE, WIT_VERSION};
use super::cache::CacheOutcome;
use super::engine::Runtime;
use super::host_state::HostState;

/// The SHA-256 of a component's bytes: its version identity.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// The first 12 hex digits, enough to tell versions apart in logs and labels.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..6])
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.short())
    }
}

/// The exports every strategy component must have (the `strategy` world).
const REQUIRED_EXPORTS: [&str; 6] = ["describe", "init", "on-event", "on-order-update", "snapshot", "restore"];

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a WebAssembly file (expected the `\\0asm` header of a wasm component)")]
    NotWasm { path: PathBuf },
    /// The fix is named for each language the repository builds strategies in.
    #[error(
        "{path}: is a core wasm module, not a component: build a component of world \
         {WIT_PACKAGE}/strategy@{WIT_VERSION} (Rust: `cargo build --target wasm32-wasip2`; Python or \
         JavaScript: componentize-py or componentize-js, as scripts/build-guests.sh does)"
    )]
    CoreModule { path: PathBuf },
    #[error("{path}: not a valid wasm component: {detail}")]
    Invalid { path: PathBuf, detail: String },
    /// Whatever language the strategy is written in, the fix is the same: build it again
    /// against the SDK or WIT package of the version this host serves.
    #[error(
        "{path}: built for {found}, but this host serves {WIT_PACKAGE}@{WIT_VERSION}: rebuild it against the \
         strategy SDK (or the WIT package) of {WIT_PACKAGE}@{WIT_VERSION}"
    )]
    WrongVersion { path: PathBuf, found: String },
    #[error(
        "{path}: not a strategy: it does not export {missing}: build it for the world `strategy` of \
         {WIT_PACKAGE}@{WIT_VERSION} (wit/strategy.wit; each language's strategy SDK exports all of it)"
    )]
    WrongWorld { path: PathBuf, missing: String },
    /// wasi:http is named because componentize-js links it unless told not to.
    #[error(
        "{path}: cannot be linked: {detail} (a strategy may import only {WIT_PACKAGE}/host@{WIT_VERSION} and \
         WASI, not wasi:http: componentize-js leaves it out with `--disable http fetch-event`)"
    )]
    Link { path: PathBuf, detail: String },
}

/// A compiled, validated strategy component, ready to be instantiated any number of times.
pub struct StrategyComponent {
    path: PathBuf,
    hash: ContentHash,
    size_bytes: usize,
    /// Whether the compiled code came from the on-disk cache rather than the compiler.
    from_cache: bool,
    pre: bindings::StrategyPre<HostState>,
}

impl fmt::Debug for StrategyComponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StrategyComponent")
            .field("path", &self.path)
            .field("hash", &self.hash)
            .finish()
    }
}

impl StrategyComponent {
    /// Reads the whole file into memory first: a file in a drop folder can change under a
    /// memory map.
    pub fn load_file(runtime: &Runtime, path: &Path) -> Result<Self, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::load_bytes(runtime, path, &bytes)
    }

    /// Compiles `bytes` (named `path` in errors) and checks it against the strategy world.
    pub fn load_bytes(runtime: &Runtime, path: &Path, bytes: &[u8]) -> Result<Self, LoadError> {
        let path = path.to_owned();
        check_header(&path, bytes)?;
        let hash = ContentHash::of(bytes);
        let (component, cache) = runtime.compile(hash, bytes).map_err(|e| LoadError::Invalid {
            path: path.clone(),
            detail: first_line(&e),
        })?;
        check_world(runtime, &path, &component)?;
        let instance_pre = runtime
            .linker()
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Link {
                path: path.clone(),
                detail: first_line(&e),
            })?;
        let pre = bindings::StrategyPre::new(instance_pre).map_err(|e| LoadError::WrongWorld {
            path: path.clone(),
            missing: first_line(&e),
        })?;
        Ok(Self {
            path,
            hash,
            size_bytes: bytes.len(),
            from_cache: cache == CacheOutcome::Hit,
            pre,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn hash(&self) -> ContentHash {
        self.hash
    }

    pub fn size_bytes(&self) -> usize {
        self.size_bytes
    }

    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    pub(super) fn pre(&self) -> &bindings::StrategyPre<HostState> {
        &self.pre
    }
}

/// Tells garbage and core modules from components before handing bytes to the compiler, whose
/// messages for these cases do not say what the user should do.
fn check_header(path: &Path, bytes: &[u8]) -> Result<(), LoadError> {
    const MAGIC: &[u8; 4] = b"\0asm";
    const CORE_MODULE_VERSION: [u8; 4] = [1, 0, 0, 0];
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(LoadError::NotWasm { path: path.to_owned() });
    }
    if bytes[4..8] == CORE_MODULE_VERSION {
        return Err(LoadError::CoreModule { path: path.to_owned() });
    }
    Ok(())
}

/// Finds the package version the component was built against, and the exports it lacks.
fn check_world(runtime: &Runtime, path: &Path, component: &Component) -> Result<(), LoadError> {
    let engine = runtime.engine();
    let ty = component.component_type();
    let package_prefix = format!("{WIT_PACKAGE}/");
    for (name, _) in ty.imports(engine) {
        if let Some(rest) = name.strip_prefix(&package_prefix) {
            let version = rest.split_once('@').map(|(_, v)| v);
            if version != Some(WIT_VERSION) {
                return Err(LoadError::WrongVersion {
                    path: path.to_owned(),
                    found: format!("{WIT_PACKAGE}@{}", version.unwrap_or("(unversioned)")),
                });
            }
        } else if name.starts_with("strategy-host:") {
            return Err(LoadError::WrongVersion {
                path: path.to_owned(),
                found: name.to_owned(),
            });
        }
    }
    let exports: Vec<&str> = ty.exports(engine).map(|(name, _)| name).collect();
    let missing: Vec<String> = REQUIRED_EXPORTS
        .iter()
        .filter(|required| !exports.contains(required))
        .map(|name| format!("`{name}`"))
        .collect();
    if !missing.is_empty() {
        return Err(LoadError::WrongWorld {
            path: path.to_owned(),
            missing: missing.join(", "),
        });
    }
    Ok(())
}

fn first_line(error: &wasmtime::Error) -> String {
    let text = format!("{error:#}");
    text.lines().next().unwrap_or_default().to_owned()
}

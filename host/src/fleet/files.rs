//! The strategies folder's naming rules: `NAME.wasm` is strategy NAME's component and
//! `NAME.toml` its settings. Anything else (editor temp files, dot-files, backups) is ignored.

use std::path::Path;

use trading::orders::StrategyId;

/// What a file in the strategies folder is to its strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyFileKind {
    Component,
    Settings,
}

impl StrategyFileKind {
    /// The kind of `path` and the strategy name it belongs to, or `None` for a file the host
    /// ignores. The name is not checked yet ([`strategy_id_of`] does that).
    pub fn of(path: &Path) -> Option<(Self, &str)> {
        let file_name = path.file_name()?.to_str()?;
        if file_name.starts_with('.') || file_name.ends_with('~') {
            return None;
        }
        let kind = match path.extension()?.to_str()? {
            "wasm" => StrategyFileKind::Component,
            "toml" => StrategyFileKind::Settings,
            _ => return None,
        };
        Some((kind, path.file_stem()?.to_str()?))
    }
}

/// A strategy is known by its file name without `.wasm`: the name a new version keeps when it
/// is dropped over the old one.
pub fn strategy_id_of(path: &Path) -> Result<StrategyId, String> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let valid = !stem.is_empty()
        && stem.len() <= 64
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(StrategyId::new(stem))
    } else {
        Err(format!(
            "{}: file name must be 1-64 letters, digits, `-` or `_` followed by .wasm",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_settings_are_recognized_and_temp_files_ignored() {
        fn kind(name: &str) -> Option<(StrategyFileKind, &str)> {
            StrategyFileKind::of(Path::new(name))
        }
        assert_eq!(kind("dir/grid.wasm"), Some((StrategyFileKind::Component, "grid")));
        assert_eq!(kind("grid.toml"), Some((StrategyFileKind::Settings, "grid")));
        for ignored in [
            ".grid.wasm.swp",
            ".grid.wasm",
            "grid.wasm~",
            "grid.wasm.part",
            "notes.txt",
            "grid",
        ] {
            assert_eq!(kind(ignored), None, "{ignored}");
        }
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(
            strategy_id_of(Path::new("a/sma-cross_2.wasm")).unwrap().as_str(),
            "sma-cross_2"
        );
        let err = strategy_id_of(Path::new("a/my strategy.wasm")).unwrap_err();
        assert!(err.contains("my strategy.wasm"), "{err}");
    }
}

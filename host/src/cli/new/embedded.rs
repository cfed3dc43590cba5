//! The files `strategy-host new` copies into a project, embedded at build time by
//! `host/build.rs`: the strategy-sdk crate (with a standalone manifest), the WIT package and the
//! SDK's lock file. A project made from them needs no checkout of this repository.

include!(concat!(env!("OUT_DIR"), "/scaffold_files.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    fn text(files: &[(&str, &[u8])], path: &str) -> String {
        let (_, bytes) = files.iter().find(|(name, _)| *name == path).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn the_sdk_manifest_inherits_nothing_from_this_workspace() {
        let manifest: toml::Table = text(SDK_CRATE, "Cargo.toml").parse().unwrap();
        assert!(!text(SDK_CRATE, "Cargo.toml").contains("workspace"), "{manifest}");
        assert_eq!(manifest["package"]["name"].as_str(), Some("strategy-sdk"));
        let wit_bindgen = &manifest["dependencies"]["wit-bindgen"];
        assert_eq!(wit_bindgen["optional"].as_bool(), Some(true), "{wit_bindgen}");
        assert!(wit_bindgen["version"].is_str(), "{wit_bindgen}");
        let serde_json = manifest["dependencies"]["serde_json"]["features"].as_array().unwrap();
        assert!(
            serde_json.iter().any(|f| f.as_str() == Some("raw_value")),
            "{serde_json:?}"
        );
    }

    #[test]
    fn the_sources_the_wit_and_the_lock_are_all_there() {
        assert!(SDK_CRATE.iter().any(|(path, _)| *path == "src/lib.rs"));
        assert!(SDK_CRATE.iter().any(|(path, _)| *path == "src/guest/bindings.rs"));
        assert!(WIT.iter().any(|(path, _)| *path == "strategy.wit"));
        let lock: toml::Table = std::str::from_utf8(SDK_LOCK).unwrap().parse().unwrap();
        let names: Vec<&str> = lock["package"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|package| package["name"].as_str())
            .collect();
        for needed in ["strategy-sdk", "serde", "rust_decimal", "wit-bindgen"] {
            assert!(names.contains(&needed), "{needed} missing from {names:?}");
        }
        assert!(!names.contains(&"wasmtime"), "the host's own dependencies are left out");
    }
}

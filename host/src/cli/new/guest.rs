//! The Python and JavaScript scaffolds: the repository's sma-cross of the language (its
//! `app.py` or `app.js`, renamed) beside the language's guest SDK, the pins of its build tool and
//! the WIT package (`wit/`), so it builds where this repository is absent. One table per
//! language says what differs; `project` is the same for both.

use super::embedded;
use super::project::{Name, Project};

/// What one guest language's scaffold is made of.
#[derive(Debug)]
pub(super) struct Guest {
    /// The example's file name in the project, and its text in the repository.
    app: (&'static str, &'static str),
    /// The example's name in its manifest, replaced with the new strategy's.
    example_name: &'static str,
    /// Where the example imports the SDK from in the repository, and from where in the project
    /// (beside it).
    sdk_import: Option<(&'static str, &'static str)>,
    /// The SDK's files and the tool's pins, as `(name in the project, text)`.
    files: &'static [(&'static str, &'static str)],
    gitignore: &'static str,
    /// Installs the pinned tool into the project, once.
    setup: &'static str,
    /// Builds `{{crate_name}}.wasm` in the project's folder.
    build: &'static str,
}

pub(super) const PYTHON: Guest = Guest {
    app: ("app.py", include_str!("../../../../strategies/sma-cross-py/app.py")),
    example_name: "\"sma-cross-py\"",
    sdk_import: None,
    files: &[
        (
            "strategy_sdk.py",
            include_str!("../../../../guest-sdks/python/strategy_sdk.py"),
        ),
        (
            "requirements.txt",
            include_str!("../../../../guest-sdks/python/requirements.txt"),
        ),
    ],
    gitignore: "/*.wasm\n/.venv\n__pycache__/\n",
    setup: "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt",
    build: ".venv/bin/componentize-py -d wit -w strategy componentize app -p . -o {{crate_name}}.wasm",
};

pub(super) const JS: Guest = Guest {
    app: ("app.js", include_str!("../../../../strategies/sma-cross-js/app.js")),
    example_name: "\"sma-cross-js\"",
    sdk_import: Some(("\"../../guest-sdks/js/strategy-sdk.js\"", "\"./strategy-sdk.js\"")),
    files: &[
        ("strategy-sdk.js", include_str!("../../../../guest-sdks/js/strategy-sdk.js")),
        ("package.json", include_str!("../../../../guest-sdks/js/package.json")),
        ("package-lock.json", include_str!("../../../../guest-sdks/js/package-lock.json")),
    ],
    gitignore: "/*.wasm\n/node_modules\n",
    setup: "npm ci",
    // No wasi:http: the host links no HTTP, and a strategy reaches the world's host interface
    // alone (as scripts/build-guests.sh builds the examples).
    build: "node_modules/.bin/componentize-js app.js --wit wit --world-name strategy --disable http fetch-event --out {{crate_name}}.wasm",
};

pub(super) fn project(guest: &Guest, name: &Name) -> Project {
    let (app_file, app) = guest.app;
    let mut app = app.replace(guest.example_name, &format!("\"{}\"", name.kebab()));
    if let Some((from, to)) = guest.sdk_import {
        app = app.replace(from, to);
    }
    let mut project = Project::default();
    project.file(app_file, app);
    for (file, text) in guest.files {
        project.file(file, *text);
    }
    project.file(".gitignore", guest.gitignore);
    project.tree("wit", embedded::WIT);
    project.setup = Some(guest.setup.to_owned());
    project.build = name.fill(guest.build);
    project.component = format!("{}.wasm", name.snake());
    project
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_example_is_renamed_and_imports_the_sdk_beside_it() {
        for guest in [&PYTHON, &JS] {
            let (_, app) = guest.app;
            assert_eq!(app.matches(guest.example_name).count(), 1, "{}", guest.app.0);
            if let Some((from, _)) = guest.sdk_import {
                assert_eq!(app.matches(from).count(), 1, "{}", guest.app.0);
            }
        }
    }
}

//! A scaffolded project before it is written: its files, and the commands that build it. Each
//! language's module fills one; `write` puts it on disk.

use std::path::Path;

use anyhow::{bail, Context};

/// A strategy's name, checked: kebab-case for the manifest and the folder, snake_case for the
/// component's file.
#[derive(Debug)]
pub(super) struct Name {
    kebab: String,
    snake: String,
}

impl Name {
    pub(super) fn parse(name: &str) -> anyhow::Result<Name> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            bail!("strategy name `{name}` is invalid: expected kebab-case, lowercase letters, digits and `-`, starting with a letter");
        }
        Ok(Name {
            kebab: name.to_owned(),
            snake: name.replace('-', "_"),
        })
    }

    pub(super) fn kebab(&self) -> &str {
        &self.kebab
    }

    pub(super) fn snake(&self) -> &str {
        &self.snake
    }

    /// `template` with `{{name}}` and `{{crate_name}}` replaced.
    pub(super) fn fill(&self, template: &str) -> String {
        template
            .replace("{{name}}", &self.kebab)
            .replace("{{crate_name}}", &self.snake)
    }
}

/// The files of a project (paths relative to its folder) and how to build it.
#[derive(Debug, Default)]
pub(super) struct Project {
    files: Vec<(String, Vec<u8>)>,
    /// The command that installs the build's tools into the project, once, if it needs one.
    pub(super) setup: Option<String>,
    /// The command that builds the component, run in the project's folder.
    pub(super) build: String,
    /// Where the build leaves the component, relative to the project's folder.
    pub(super) component: String,
}

impl Project {
    pub(super) fn file(&mut self, path: &str, contents: impl Into<Vec<u8>>) {
        self.files.push((path.to_owned(), contents.into()));
    }

    /// Every file of an embedded tree, under `prefix`.
    pub(super) fn tree(&mut self, prefix: &str, files: &[(&str, &[u8])]) {
        for (path, contents) in files {
            self.file(&format!("{prefix}/{path}"), *contents);
        }
    }

    /// Writes every file under `dir`, which must not exist yet.
    pub(super) fn write(&self, dir: &Path) -> anyhow::Result<()> {
        if dir.exists() {
            bail!("{}: already exists; choose another name or --dir", dir.display());
        }
        for (rel, contents) in &self.files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("{}: cannot create", parent.display()))?;
            }
            std::fs::write(&path, contents).with_context(|| format!("{}: cannot write", path.display()))?;
        }
        Ok(())
    }
}

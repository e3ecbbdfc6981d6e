//! Templates for the EPUB writer: the stylesheet, the cover, title and chapter pages.
//!
//! Built-in copies of `templates/` are compiled into the binary so postbook works from anywhere;
//! `--templates DIR` replaces any subset of them (mdBook-style theme overrides). Templates use
//! minijinja; `.xhtml` templates auto-escape their variables, so a title can never break the XML.

use anyhow::{Context as _, Result};
use minijinja::{AutoEscape, Environment};
use std::path::Path;

/// The files a template folder may override, with their built-in contents.
pub const BUILTIN: &[(&str, &str)] = &[
    ("style.css", include_str!("../templates/style.css")),
    ("chapter.xhtml", include_str!("../templates/chapter.xhtml")),
    (
        "title-page.xhtml",
        include_str!("../templates/title-page.xhtml"),
    ),
    ("cover.xhtml", include_str!("../templates/cover.xhtml")),
];

/// The loaded, compiled templates.
pub struct Templates {
    env: Environment<'static>,
    /// SHA-256 of the sources in use, so a changed template file rebuilds the books.
    digest: String,
}

impl Templates {
    /// Loads the built-in templates, replaced by same-named files in `dir` when given.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".xhtml") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let mut sources = String::new();
        for (name, builtin) in BUILTIN {
            let source = match dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(p) => std::fs::read_to_string(&p)
                    .with_context(|| format!("cannot read template {}", p.display()))?,
                None => builtin.to_string(),
            };
            sources.push_str(&format!("{name}\0{source}\0"));
            env.add_template_owned(*name, source)
                .with_context(|| format!("template {name} does not compile"))?;
        }
        Ok(Templates {
            env,
            digest: crate::output::sha256_hex(sources.as_bytes()),
        })
    }

    /// The SHA-256 (hex) of the template sources in use.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// Renders template `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String> {
        let t = self.env.get_template(name)?;
        t.render(ctx)
            .with_context(|| format!("cannot render template {name}"))
    }
}

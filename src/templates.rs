//! Templates for the EPUB writer: the stylesheet, the cover, title, chapter and section index
//! pages.
//!
//! Built-in copies of `templates/` are compiled into the binary so postbook works from anywhere;
//! `--templates DIR` replaces any subset of them (mdBook-style theme overrides). Templates use
//! minijinja; `.xhtml` templates auto-escape their variables as XML ([`xml_formatter`]), so a
//! title can never break the XML.

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
    (
        "section-index.xhtml",
        include_str!("../templates/section-index.xhtml"),
    ),
];

/// minijinja's formatter for postbook's XML templates (these and the package files): strings
/// escaped as XML (`&amp; &lt; &gt; &quot;`, `'` as `&apos;` for a template that quotes an
/// attribute with it, and the characters XML cannot carry left out: `crate::xml::escape_into`).
/// minijinja's own HTML escaping would also turn every `/` of a URL into `&#x2f;`: valid, but
/// it bloats every link and shows in any source view. Values a template marked `|safe` and
/// non-strings go through minijinja's formatter unchanged.
pub fn xml_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(s) if !value.is_safe() && *state.auto_escape() != AutoEscape::None => {
            let mut escaped = String::with_capacity(s.len());
            crate::xml::escape_into(s, &mut escaped);
            if escaped.contains('\'') {
                escaped = escaped.replace('\'', "&apos;");
            }
            Ok(out.write_str(&escaped)?)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The environment the page templates are compiled in: `.xhtml` templates escape their
/// variables as XML ([`xml_formatter`]), the stylesheet not at all; an undefined variable is
/// an error rather than an empty string.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".xhtml") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_formatter(xml_formatter);
    env
}

/// The loaded, compiled templates.
pub struct Templates {
    env: Environment<'static>,
    /// The stylesheet, rendered once (it takes no variables), with `--css` added after it (a
    /// few rules of one's own without copying the whole file; not a template: minified CSS can
    /// hold `{#`, which minijinja would take for a comment).
    stylesheet: String,
    /// SHA-256 of the sources in use (templates and `--css`), so a changed file rebuilds the
    /// books.
    digest: String,
}

impl Templates {
    /// Loads the built-in templates, replaced by same-named files in `dir` when given; `css`
    /// is added after the stylesheet (a few rules of one's own without copying the whole file).
    pub fn load(dir: Option<&Path>, css: Option<&Path>) -> Result<Templates> {
        let mut env = environment();
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
        let extra_css = css
            .map(|p| {
                std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read stylesheet {}", p.display()))
            })
            .transpose()?;
        sources.push_str(&format!("--css\0{}\0", extra_css.as_deref().unwrap_or("")));
        let mut stylesheet = env
            .get_template("style.css")?
            .render(minijinja::context! {})
            .context("cannot render template style.css")?;
        if let Some(css) = extra_css {
            stylesheet.push_str("\n/* --css */\n");
            stylesheet.push_str(&css);
        }
        Ok(Templates {
            env,
            stylesheet,
            digest: crate::output::sha256_hex(sources.as_bytes()),
        })
    }

    /// The stylesheet with `--css` after it.
    pub fn stylesheet(&self) -> &str {
        &self.stylesheet
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Variables are escaped as XML in `.xhtml` templates, whichever quote an attribute uses;
    /// URLs keep their `/`; `|safe` and the stylesheet are left alone.
    #[test]
    fn xhtml_templates_escape_as_xml() {
        let mut env = environment();
        env.add_template(
            "t.xhtml",
            "<a href=\"{{ url }}\" title='{{ title }}'>{{ title }}</a>{{ raw|safe }}{{ n }}",
        )
        .unwrap();
        env.add_template("t.css", "{{ title }}").unwrap();
        let ctx = minijinja::context! {
            url => "https://example.org/a?b=1&c=2",
            title => "Tom's \"<b>\" \u{1}",
            raw => "<i>x</i>",
            n => 3,
        };
        assert_eq!(
            env.get_template("t.xhtml").unwrap().render(&ctx).unwrap(),
            "<a href=\"https://example.org/a?b=1&amp;c=2\" \
             title='Tom&apos;s &quot;&lt;b&gt;&quot; '>Tom&apos;s &quot;&lt;b&gt;&quot; </a><i>x</i>3"
        );
        assert_eq!(
            env.get_template("t.css").unwrap().render(&ctx).unwrap(),
            "Tom's \"<b>\" \u{1}"
        );
    }
}

//! Jekyll's tags with postbook's meaning for them: `include` and `include_relative` (the
//! site's `_includes/`, with parameters, nested), `highlight` (a fenced code block with its
//! language), `post_url` and `link` (links to the target post's file, made chapter links by
//! the writers), and the stand-in for a tag a site's plugin defines.
//!
//! Their arguments arrive as one quoted string (see [`super::scan`]).

use super::runtime::{first_line, Lenient, Notes, RELATIVE};
use super::scan::unquote_args;
use crate::read::prose::{fenced_code, figure_html, line_numbers, split_args, unquote};
use liquid_core::error::Error;
use liquid_core::parser::{BlockReflection, ParseBlock, ParseTag, TagBlock, TagReflection};
use liquid_core::runtime::{Expression, Renderable, Runtime, StackFrame, Template};
use liquid_core::{Language, Object, Result, TagTokenIter, Value, ValueView};
use std::io::Write;

/// Include parameters that name a picture, and those that describe it (in order of preference
/// for the caption): what a missing include's figure is made of.
const SRC_PARAMS: [&str; 6] = ["url", "src", "file", "image", "path", "img"];
const CAPTION_PARAMS: [&str; 4] = ["caption", "description", "title", "alt"];

/// How deep includes may include each other (Jekyll has no limit; a loop would not end).
const MAX_DEPTH: usize = 16;

/// Marks a `post_url`/`link` in the rendered text, resolved against the site afterwards
/// ([`super::resolve_links`]): tags cannot see the post being read.
pub const LINK_OPEN: char = '\u{E000}';
pub const LINK_SEP: char = '\u{E001}';
pub const LINK_CLOSE: char = '\u{E002}';

/// The free-form arguments of a tag (see [`super::scan::quote_args`]).
fn free_args(arguments: &mut TagTokenIter) -> String {
    let raw: String = arguments.map(|t| t.as_str().to_string()).collect();
    unquote_args(unquote(&raw))
}

/// An argument: literal text, text with Liquid in it, or a variable.
#[derive(Debug)]
enum Arg {
    Text(String),
    Template(Template),
    Var(Expression),
}

impl Arg {
    /// A quoted value is text (rendered when it holds `{{ }}`), an unquoted one a variable
    /// (Jekyll's `image=page.hero`), or text when it is not a variable's name.
    fn parse(s: &str, lang: &Language) -> Result<Arg> {
        let quoted = s.len() >= 2 && (s.starts_with(['"', '\'']));
        let text = if quoted { unquote(s) } else { s };
        if text.contains("{{") || text.contains("{%") {
            let parsed = liquid_core::parser::parse(text, lang)?;
            return Ok(Arg::Template(Template::new(parsed)));
        }
        if !quoted {
            if let Ok(var) = liquid_core::parser::parse_variable(text) {
                return Ok(Arg::Var(Expression::Variable(var)));
            }
        }
        Ok(Arg::Text(text.to_string()))
    }

    fn eval(&self, runtime: &dyn Runtime) -> Result<Value> {
        Ok(match self {
            Arg::Text(t) => Value::scalar(t.clone()),
            Arg::Template(t) => Value::scalar(t.render(runtime)?),
            Arg::Var(e) => e
                .try_evaluate(runtime)
                .map_or(Value::Nil, |v| v.into_owned()),
        })
    }
}

/// A file or post name: text, not a variable (`{% include toc.html %}`), unless it holds
/// `{{ }}` (`{% include {{ page.figure }} %}`).
fn name_arg(s: &str, lang: &Language) -> Result<Arg> {
    match Arg::parse(s, lang)? {
        Arg::Var(_) => Ok(Arg::Text(unquote(s).to_string())),
        arg => Ok(arg),
    }
}

/// `{% include name.html key="value" other=page.var %}`, and `include_relative`.
#[derive(Clone)]
pub struct IncludeTag {
    pub relative: bool,
}

impl TagReflection for IncludeTag {
    fn tag(&self) -> &str {
        if self.relative {
            "include_relative"
        } else {
            "include"
        }
    }
    fn description(&self) -> &str {
        "Jekyll's include"
    }
}

impl ParseTag for IncludeTag {
    fn parse(&self, mut arguments: TagTokenIter, lang: &Language) -> Result<Box<dyn Renderable>> {
        let args = free_args(&mut arguments);
        // `key = "v"` is `key="v"`.
        let mut parts: Vec<String> = Vec::new();
        for p in split_args(&args) {
            match parts.last_mut() {
                Some(last) if last.ends_with('=') || p.starts_with('=') => last.push_str(p),
                _ => parts.push(p.to_string()),
            }
        }
        let mut parts = parts.into_iter();
        let name = name_arg(&parts.next().unwrap_or_default(), lang)?;
        let mut params = Vec::new();
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                params.push((k.trim().to_string(), Arg::parse(v.trim(), lang)?));
            }
        }
        Ok(Box::new(Include {
            relative: self.relative,
            name,
            params,
        }))
    }
    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

#[derive(Debug)]
struct Include {
    relative: bool,
    name: Arg,
    params: Vec<(String, Arg)>,
}

impl Renderable for Include {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let name = self.name.eval(runtime)?.to_kstr().trim().to_string();
        let mut params = Object::new();
        for (k, a) in &self.params {
            params.insert(k.clone().into(), a.eval(runtime)?);
        }
        let key = match self.relative {
            true => format!("{RELATIVE}{name}"),
            false => name.clone(),
        };
        let partials = runtime.partials();
        if !partials.contains(&key) {
            // Not in the site: a picture include still gives its figure.
            let param = |keys: &[&str]| {
                keys.iter().find_map(|k| {
                    params
                        .get(*k)
                        .map(|v| v.to_kstr().trim().to_string())
                        .filter(|v| !v.is_empty())
                })
            };
            match param(&SRC_PARAMS) {
                Some(src) => {
                    let caption = param(&CAPTION_PARAMS).unwrap_or_default();
                    let alt = param(&["alt"]).unwrap_or_else(|| caption.clone());
                    write_str(writer, &figure_html(&src, &alt, &caption))?;
                }
                None => runtime
                    .registers()
                    .get_mut::<Notes>()
                    .missing_includes
                    .add(&name),
            }
            return Ok(());
        }
        {
            let mut notes = runtime.registers().get_mut::<Notes>();
            if notes.depth >= MAX_DEPTH {
                notes
                    .broken_includes
                    .add(&format!("{name} (included in itself)"));
                return Ok(());
            }
            notes.depth += 1;
        }
        let mut scope = Object::new();
        scope.insert("include".into(), Value::Object(params));
        let frame = Lenient(StackFrame::new(runtime, &scope));
        let mut out = Vec::new();
        let rendered = partials
            .get(&key)
            .and_then(|partial| partial.render_to(&mut out, &frame));
        let mut notes = runtime.registers().get_mut::<Notes>();
        notes.depth -= 1;
        match rendered {
            Ok(()) => {
                drop(notes);
                writer.write_all(&out).map_err(io_error)?;
            }
            Err(e) => notes
                .broken_includes
                .add(&format!("{name}: {}", first_line(&e))),
        }
        Ok(())
    }
}

fn io_error(e: std::io::Error) -> Error {
    Error::with_msg(e.to_string())
}

fn write_str(writer: &mut dyn Write, s: &str) -> Result<()> {
    writer.write_all(s.as_bytes()).map_err(io_error)
}

/// `{% highlight lang [linenos] %}…{% endhighlight %}`: a fenced code block.
#[derive(Clone)]
pub struct HighlightBlock;

impl BlockReflection for HighlightBlock {
    fn start_tag(&self) -> &str {
        "highlight"
    }
    fn end_tag(&self) -> &str {
        "endhighlight"
    }
    fn description(&self) -> &str {
        "Jekyll's highlight"
    }
}

impl ParseBlock for HighlightBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter,
        mut block: TagBlock,
        lang: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let args = free_args(&mut arguments);
        let (language, options) = args.trim().split_once(' ').unwrap_or((args.trim(), ""));
        let body = Template::new(block.parse_all(lang)?);
        block.assert_empty();
        Ok(Box::new(Highlight {
            language: language.to_string(),
            first_line: line_numbers(options),
            body,
        }))
    }
    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct Highlight {
    language: String,
    first_line: Option<u32>,
    body: Template,
}

impl Renderable for Highlight {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let code = self.body.render(runtime)?;
        write_str(writer, &fenced_code(&self.language, &code, self.first_line))
    }
}

/// `{% post_url name %}` and `{% link path %}`: a marker the reader resolves to the target
/// post's file ([`super::resolve_links`]).
#[derive(Clone)]
pub struct LinkTag {
    pub name: &'static str,
}

impl TagReflection for LinkTag {
    fn tag(&self) -> &str {
        self.name
    }
    fn description(&self) -> &str {
        "Jekyll's post_url or link"
    }
}

impl ParseTag for LinkTag {
    fn parse(&self, mut arguments: TagTokenIter, lang: &Language) -> Result<Box<dyn Renderable>> {
        let args = free_args(&mut arguments);
        let target = name_arg(split_args(&args).first().copied().unwrap_or(""), lang)?;
        Ok(Box::new(Link {
            tag: self.name,
            target,
        }))
    }
    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

#[derive(Debug)]
struct Link {
    tag: &'static str,
    target: Arg,
}

impl Renderable for Link {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let target = self.target.eval(runtime)?.to_kstr().to_string();
        write_str(
            writer,
            &format!("{LINK_OPEN}{}{LINK_SEP}{target}{LINK_CLOSE}", self.tag),
        )
    }
}

/// A stand-in for a tag the engine does not know (a site plugin's): renders nothing — the
/// text between a block's start and end tags stays — and is noted for a warning.
#[derive(Clone)]
pub struct StandIn {
    pub name: String,
}

impl TagReflection for StandIn {
    fn tag(&self) -> &str {
        &self.name
    }
    fn description(&self) -> &str {
        "a tag postbook does not know"
    }
}

impl ParseTag for StandIn {
    fn parse(&self, arguments: TagTokenIter, _: &Language) -> Result<Box<dyn Renderable>> {
        arguments.for_each(drop);
        Ok(Box::new(StandInTag(self.name.clone())))
    }
    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

#[derive(Debug)]
struct StandInTag(String);

impl Renderable for StandInTag {
    fn render_to(&self, _: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        runtime
            .registers()
            .get_mut::<Notes>()
            .unknown_tags
            .add(&self.0);
        Ok(())
    }
}

/// jekyll-gist's `{% gist parkr/5555251 [file] %}` (also `{% gist 5555251 %}`, and a variable
/// or `{{ }}` for either): the gist's embed, which the HTML reader makes a link to the gist's
/// page, as it does Hugo's `gist` shortcode and the `<script>` jekyll-gist writes.
#[derive(Clone)]
pub struct GistTag;

impl TagReflection for GistTag {
    fn tag(&self) -> &str {
        "gist"
    }
    fn description(&self) -> &str {
        "jekyll-gist's gist"
    }
}

impl ParseTag for GistTag {
    fn parse(&self, mut arguments: TagTokenIter, lang: &Language) -> Result<Box<dyn Renderable>> {
        let args = free_args(&mut arguments);
        let args = split_args(&args);
        let id = name_arg(args.first().copied().unwrap_or(""), lang)?;
        let file = args.get(1).map(|f| name_arg(f, lang)).transpose()?;
        Ok(Box::new(Gist { id, file }))
    }
    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

#[derive(Debug)]
struct Gist {
    id: Arg,
    file: Option<Arg>,
}

impl Renderable for Gist {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let id = self.id.eval(runtime)?.to_kstr().trim().to_string();
        if id.is_empty() {
            return Ok(());
        }
        let file = match &self.file {
            Some(f) => Some(f.eval(runtime)?.to_kstr().to_string()),
            None => None,
        };
        let url = format!("https://gist.github.com/{}", id.trim_matches('/'));
        write_str(writer, &crate::read::embed::frame(&url, file.as_deref()))
    }
}

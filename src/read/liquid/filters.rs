//! Jekyll's own filters (those liquid-lib does not have), and the pass-through that stands in
//! for a filter a site defines in `_plugins/` (Ruby postbook cannot run).
//!
//! Each is a plain function of its input and evaluated arguments, registered under its name
//! through one [`Simple`] adapter.

use super::runtime::Notes;
use liquid_core::model::{DateTime, ScalarCow, ValueView};
use liquid_core::parser::{FilterArguments, FilterReflection, ParameterReflection, ParseFilter};
use liquid_core::runtime::Renderable;
use liquid_core::runtime::{Expression, Runtime, StackFrame};
use liquid_core::{Filter, Language, Object, Result, Value};
use std::fmt;
use std::sync::Arc;

/// What the URL filters need from the site.
#[derive(Debug, Default)]
pub struct Urls {
    pub baseurl: String,
    pub origin: Option<String>,
}

type Func = fn(&Call) -> Result<Value>;

/// One filter application: its input, its evaluated arguments, and the render state.
pub struct Call<'a> {
    input: &'a dyn ValueView,
    args: Vec<Value>,
    urls: &'a Urls,
    runtime: &'a dyn Runtime,
    name: &'a str,
}

impl Call<'_> {
    fn text(&self) -> String {
        self.input.to_kstr().to_string()
    }

    fn arg_text(&self, i: usize) -> Option<String> {
        self.args
            .as_slice()
            .get(i)
            .filter(|v| !v.is_nil())
            .map(|v| v.to_kstr().to_string())
    }

    /// The input as a date, if it is one (a date value or a string Liquid reads as one).
    fn date(&self) -> Option<DateTime> {
        let s = self.input.as_scalar()?;
        s.to_date_time().or_else(|| {
            let text = s.to_kstr();
            let text = text.trim();
            // Jekyll's front matter forms: `2019-01-05`, `2019-01-05 10:00:00 +0100`,
            // `2019-01-05T10:00:00Z`.
            let fixed = chrono::DateTime::parse_from_rfc3339(text)
                .ok()
                .or_else(|| chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z").ok())
                .or_else(|| {
                    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(|d| d.and_utc().fixed_offset())
                })?;
            DateTime::from_str(&fixed.format("%Y-%m-%d %H:%M:%S %z").to_string())
        })
    }

    fn array(&self) -> Vec<Value> {
        match self.input.as_array() {
            Some(a) => a.values().map(|v| v.to_value()).collect(),
            None if self.input.is_nil() => Vec::new(),
            // Jekyll's array filters take a hash's values.
            None => match self.input.as_object() {
                Some(o) => o.values().map(|v| v.to_value()).collect(),
                None => vec![self.input.to_value()],
            },
        }
    }
}

/// A filter given by a function.
#[derive(Clone)]
pub struct Simple {
    name: Arc<str>,
    func: Func,
    urls: Arc<Urls>,
}

impl FilterReflection for Simple {
    fn name(&self) -> &str {
        &self.name
    }
    fn description(&self) -> &str {
        ""
    }
    fn positional_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
    fn keyword_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
}

impl ParseFilter for Simple {
    fn parse(&self, arguments: FilterArguments) -> Result<Box<dyn Filter>> {
        Ok(Box::new(Applied {
            name: self.name.clone(),
            func: self.func,
            urls: self.urls.clone(),
            args: arguments.positional.collect(),
        }))
    }
    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

struct Applied {
    name: Arc<str>,
    func: Func,
    urls: Arc<Urls>,
    args: Vec<Expression>,
}

impl fmt::Debug for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

impl Filter for Applied {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = self
            .args
            .iter()
            .map(|e| {
                e.try_evaluate(runtime)
                    .map_or(Value::Nil, |v| v.into_owned())
            })
            .collect();
        (self.func)(&Call {
            input,
            args,
            urls: &self.urls,
            runtime,
            name: &self.name,
        })
    }
}

/// Registers Jekyll's filters on `lang` (after liquid-lib's, whose `sort` they keep).
pub fn register(lang: &mut Language, urls: &Arc<Urls>) {
    let table: [(&'static str, Func); 24] = [
        ("relative_url", relative_url),
        ("absolute_url", absolute_url),
        ("markdownify", markdownify),
        ("smartify", identity),
        ("date_to_string", |c| date_format(c, "%d %b %Y")),
        ("date_to_long_string", |c| date_format(c, "%d %B %Y")),
        ("date_to_xmlschema", |c| {
            date_format(c, "%Y-%m-%dT%H:%M:%S%:z")
        }),
        ("date_to_rfc822", |c| {
            date_format(c, "%a, %d %b %Y %H:%M:%S %z")
        }),
        ("xml_escape", xml_escape),
        ("cgi_escape", cgi_escape),
        ("uri_escape", uri_escape),
        ("jsonify", jsonify),
        ("inspect", jsonify),
        ("number_of_words", number_of_words),
        ("normalize_whitespace", |c| {
            Ok(Value::scalar(
                c.text().split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        }),
        ("to_integer", |c| {
            let s = c.input.as_scalar();
            let n = s.as_ref().and_then(ScalarCow::to_integer).or_else(|| {
                s.as_ref()
                    .and_then(ScalarCow::to_float)
                    .map(|f| f.trunc() as i64)
            });
            Ok(Value::scalar(n.unwrap_or(0)))
        }),
        ("sample", |c| {
            Ok(c.array().into_iter().next().unwrap_or(Value::Nil))
        }),
        ("where_exp", where_exp),
        ("find", find),
        ("find_exp", find_exp),
        ("group_by", group_by),
        ("group_by_exp", group_by_exp),
        ("strip_index", |c| {
            Ok(Value::scalar(
                c.text().trim_end_matches("index.html").to_string(),
            ))
        }),
        ("slugify_url", identity),
    ];
    for (name, func) in table {
        lang.filters.register(
            name.to_string(),
            Box::new(Simple {
                name: name.into(),
                func,
                urls: urls.clone(),
            }),
        );
    }
}

/// A stand-in for a filter the engine does not know: its input passes through, and the name
/// is noted for a warning.
pub fn stand_in(lang: &mut Language, name: &str) {
    lang.filters.register(
        name.to_string(),
        Box::new(Simple {
            name: name.into(),
            func: |c| {
                c.runtime
                    .registers()
                    .get_mut::<Notes>()
                    .unknown_filters
                    .add(c.name);
                identity(c)
            },
            urls: Arc::default(),
        }),
    );
}

fn identity(c: &Call) -> Result<Value> {
    Ok(c.input.to_value())
}

/// Jekyll's `relative_url`: the path under `baseurl`.
fn relative_url(c: &Call) -> Result<Value> {
    Ok(Value::scalar(crate::site::relative_url(
        &c.urls.baseurl,
        &c.text(),
    )))
}

/// Jekyll's `absolute_url`: origin, `baseurl` and path (only the path without an origin).
fn absolute_url(c: &Call) -> Result<Value> {
    let path = crate::site::relative_url(&c.urls.baseurl, &c.text());
    Ok(Value::scalar(match &c.urls.origin {
        Some(origin) if !path.contains("://") && !path.starts_with("//") => {
            format!("{origin}{path}")
        }
        _ => path,
    }))
}

fn markdownify(c: &Call) -> Result<Value> {
    let text = c.text();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&text));
    Ok(Value::scalar(html))
}

fn date_format(c: &Call, format: &str) -> Result<Value> {
    Ok(match c.date().and_then(|d| d.format(format).ok()) {
        Some(s) => Value::scalar(s),
        None => c.input.to_value(),
    })
}

fn xml_escape(c: &Call) -> Result<Value> {
    Ok(Value::scalar(
        c.text()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;"),
    ))
}

/// Ruby's `CGI.escape`: everything but `*-._` and alphanumerics encoded, spaces as `+`.
fn cgi_escape(c: &Call) -> Result<Value> {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'*')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b' ');
    let text = c.text();
    let encoded = percent_encoding::utf8_percent_encode(&text, SET).to_string();
    Ok(Value::scalar(encoded.replace(' ', "+")))
}

/// Ruby's `Addressable::URI.normalize_component`: what a URI may not contain, encoded.
fn uri_escape(c: &Call) -> Result<Value> {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'|')
        .add(b'\\')
        .add(b'^');
    let text = c.text();
    Ok(Value::scalar(
        percent_encoding::utf8_percent_encode(&text, SET).to_string(),
    ))
}

fn jsonify(c: &Call) -> Result<Value> {
    let json = serde_json::to_string(&c.input.to_value()).unwrap_or_default();
    Ok(Value::scalar(json))
}

/// Words, as Jekyll counts them: runs of non-space, each CJK character one word.
fn number_of_words(c: &Call) -> Result<Value> {
    let text = c.text();
    let cjk = |ch: char| matches!(ch as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF);
    let n: usize = text
        .split_whitespace()
        .map(|w| {
            let k = w.chars().filter(|&ch| cjk(ch)).count();
            let rest = w.chars().any(|ch| !cjk(ch));
            k + usize::from(rest)
        })
        .sum();
    Ok(Value::scalar(n as i64))
}

/// The value of `item[property]` (a dotted path).
fn property(item: &Value, path: &str) -> Value {
    let mut v = item.clone();
    for key in path.split('.') {
        v = match v.as_object().and_then(|o| o.get(key)) {
            Some(x) => x.to_value(),
            None => return Value::Nil,
        };
    }
    v
}

/// Evaluates the Liquid expression `expr` with `var` bound to `item`: `{{ expr }}` for a
/// value, `{% if expr %}` for a condition.
fn eval_on(c: &Call, var: &str, item: &Value, expr: &str, condition: bool) -> Result<Value> {
    let mut lang = Language::default();
    lang.blocks
        .register("if".into(), Box::new(liquid_lib::stdlib::IfBlock));
    let text = if condition {
        format!("{{% if {expr} %}}true{{% endif %}}")
    } else {
        format!("{{{{ {expr} }}}}")
    };
    let template =
        liquid_core::parser::parse(&text, &lang).map(liquid_core::runtime::Template::new)?;
    let mut scope = Object::new();
    scope.insert(var.to_string().into(), item.clone());
    let frame = StackFrame::new(c.runtime, &scope);
    let out = template.render(&frame)?;
    Ok(match condition {
        true => Value::scalar(out == "true"),
        false => Value::scalar(out),
    })
}

fn var_and_expr(c: &Call) -> (String, String) {
    (
        c.arg_text(0).unwrap_or_default(),
        c.arg_text(1).unwrap_or_default(),
    )
}

/// Whether `expr` holds for `item` named `var` (`where_exp`, `find_exp`).
fn holds(c: &Call, var: &str, item: &Value, expr: &str) -> Result<bool> {
    let value = eval_on(c, var, item, expr, true)?;
    Ok(value.as_scalar().and_then(|s| s.to_bool()) == Some(true))
}

fn where_exp(c: &Call) -> Result<Value> {
    let (var, expr) = var_and_expr(c);
    let mut out = Vec::new();
    for item in c.array() {
        if holds(c, &var, &item, &expr)? {
            out.push(item);
        }
    }
    Ok(Value::array(out))
}

fn find_exp(c: &Call) -> Result<Value> {
    let (var, expr) = var_and_expr(c);
    for item in c.array() {
        if holds(c, &var, &item, &expr)? {
            return Ok(item);
        }
    }
    Ok(Value::Nil)
}

fn find(c: &Call) -> Result<Value> {
    let key = c.arg_text(0).unwrap_or_default();
    let want = c.args.as_slice().get(1).cloned().unwrap_or(Value::Nil);
    Ok(c.array()
        .into_iter()
        .find(|item| property(item, &key).to_kstr() == want.to_kstr())
        .unwrap_or(Value::Nil))
}

/// `[{name, items, size}]` in first-seen order of the names.
fn groups(pairs: Vec<(String, Value)>) -> Value {
    let mut order: Vec<(String, Vec<Value>)> = Vec::new();
    for (name, item) in pairs {
        match order.iter_mut().find(|(n, _)| *n == name) {
            Some((_, items)) => items.push(item),
            None => order.push((name, vec![item])),
        }
    }
    Value::array(order.into_iter().map(|(name, items)| {
        let mut o = Object::new();
        o.insert("name".into(), Value::scalar(name));
        o.insert("size".into(), Value::scalar(items.len() as i64));
        o.insert("items".into(), Value::array(items));
        Value::Object(o)
    }))
}

fn group_by(c: &Call) -> Result<Value> {
    let key = c.arg_text(0).unwrap_or_default();
    let pairs = c
        .array()
        .into_iter()
        .map(|item| (property(&item, &key).to_kstr().to_string(), item))
        .collect();
    Ok(groups(pairs))
}

fn group_by_exp(c: &Call) -> Result<Value> {
    let (var, expr) = var_and_expr(c);
    let mut pairs = Vec::new();
    for item in c.array() {
        let name = eval_on(c, &var, &item, &expr, false)?.to_kstr().to_string();
        pairs.push((name, item));
    }
    Ok(groups(pairs))
}

/// Filters whose input Ruby Liquid first turns into a number (`Utils.to_number`): `nil`, `""`
/// and text that is no number are 0 there, an error in the engine.
const NUMERIC: &[&str] = &[
    "abs",
    "ceil",
    "floor",
    "round",
    "plus",
    "minus",
    "times",
    "divided_by",
    "modulo",
    "at_least",
    "at_most",
];

/// Makes every filter of `lang` forgiving, as Jekyll's Ruby Liquid is where the engine is not:
/// a numeric filter reads its input as Ruby's `to_number` does (`"" | abs` is 0), and a filter
/// that still fails affects only its own expression — its input passes through and the failure
/// is noted for a `liquid-error` warning — instead of failing the whole post's render, which
/// took every Liquid tag of the post with it. Decision: the input passes through (as for a
/// filter a site plugin defines), since most of Ruby's filters return their input on what
/// they cannot read (`date` on a non-date).
pub fn make_forgiving(lang: &mut Language) {
    let names: Vec<String> = lang.filters.plugin_names().map(str::to_string).collect();
    for name in names {
        if let Some(inner) = lang.filters.get(&name).cloned() {
            lang.filters.register(name, Box::new(Forgiving { inner }));
        }
    }
}

#[derive(Clone)]
struct Forgiving {
    inner: Box<dyn ParseFilter>,
}

impl ParseFilter for Forgiving {
    fn parse(&self, arguments: FilterArguments) -> Result<Box<dyn Filter>> {
        let name = self.inner.reflection().name().to_string();
        Ok(Box::new(ForgivingFilter {
            numeric: NUMERIC.contains(&name.as_str()),
            inner: self.inner.parse(arguments)?,
        }))
    }
    fn reflection(&self) -> &dyn FilterReflection {
        self.inner.reflection()
    }
}

#[derive(Debug)]
struct ForgivingFilter {
    numeric: bool,
    inner: Box<dyn Filter>,
}

impl fmt::Display for ForgivingFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl Filter for ForgivingFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let error = match self.inner.evaluate(input, runtime) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if self.numeric {
            if let Ok(v) = self.inner.evaluate(&to_number(input), runtime) {
                return Ok(v);
            }
        }
        let what = format!("{} ({})", self.inner, super::runtime::first_line(&error));
        runtime
            .registers()
            .get_mut::<Notes>()
            .failed_filters
            .add(&what);
        Ok(input.to_value())
    }
}

/// Ruby Liquid's `Utils.to_number`: a number stays; text is a decimal when it reads
/// `-1.5`, else its leading integer (`"12px"` is 12, `""` and `"x"` are 0, as Ruby's
/// `String#to_i`); anything else is 0.
fn to_number(input: &dyn ValueView) -> Value {
    let Some(scalar) = input.as_scalar() else {
        return Value::scalar(0i64);
    };
    if let Some(i) = scalar.to_integer() {
        return Value::scalar(i);
    }
    if let Some(f) = scalar.to_float().filter(|_| !input.is_nil()) {
        return Value::scalar(f);
    }
    let text = scalar.to_kstr();
    let t = text.trim();
    if let Ok(f) = t.parse::<f64>() {
        if t.contains('.') && !t.contains(['e', 'E']) && f.is_finite() {
            return Value::scalar(f);
        }
    }
    let sign = usize::from(t.starts_with(['-', '+']));
    let digits = t[sign..].bytes().take_while(u8::is_ascii_digit).count();
    Value::scalar(t[..sign + digits].parse::<i64>().unwrap_or(0))
}

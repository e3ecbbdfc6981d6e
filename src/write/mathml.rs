//! TeX → MathML, built by postbook from `pulldown-latex`'s event stream.
//!
//! `pulldown-latex` parses TeX well, but its own MathML writer splices strings and writes
//! markup that is not XML (`<mo><</mo>`, `&nbsp;`, attributes run together, a `<munder>` with
//! three children), and one bad formula makes a whole EPUB unreadable. So only its parser is
//! used: the events become a small tree here, in which every element that takes a fixed number
//! of children (`msub`, `munderover`, `mfrac`, `mroot`, …) gets exactly one node per argument
//! (several are wrapped in an `<mrow>`), and the tree is serialized with every text and
//! attribute escaped and characters instead of entities (U+00A0, not `&nbsp;`). The TeX stays
//! in an `<annotation encoding="application/x-tex">` for readers that show or speak it.
//!
//! The structure follows `pulldown-latex`'s writer (its environments, fonts, atom spacing),
//! with MathML 3 attributes (`columnalign`, `rowlines`, `mathcolor`) where it used CSS classes
//! that only its own stylesheet knows.

use crate::xml::escape_into;
use pulldown_latex::event::{
    ArrayColumn, ColorTarget, ColumnAlignment, Content, DelimiterType, Dimension, DimensionUnit,
    EnvironmentFlow, Event, Font, Grouping, Line, ScriptPosition, ScriptType, StateChange, Style,
    Visual,
};
use pulldown_latex::{Parser, Storage};

/// How deep groups and scripts may nest before a formula is refused: far past any real
/// formula, well short of the stack (fuzzed input nests thousands deep).
const MAX_DEPTH: usize = 200;

/// `tex` as a `<math>` element, or why it cannot be one (the parser's message, first line).
pub fn render(tex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let parsed = super::tex_compat::compat(tex);
    let events = Parser::new(&parsed, &storage)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())?;
    let mut builder = Builder {
        events: events.into_iter().peekable(),
        display,
        depth: 0,
    };
    let (nodes, stop) = builder.sequence(State::default())?;
    if !matches!(stop, Stop::Eof) {
        return Err("unbalanced group or alignment outside an environment".into());
    }
    let mut out = String::with_capacity(tex.len() * 8);
    out.push_str("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"");
    out.push_str(if display { "block" } else { "inline" });
    out.push_str("\"><semantics>");
    Node::row(nodes).write(&mut out);
    out.push_str("<annotation encoding=\"application/x-tex\">");
    escape_into(tex, &mut out);
    out.push_str("</annotation></semantics></math>");
    Ok(out)
}

/// A MathML element: its name, attributes and either child elements or text.
#[derive(Debug, Clone, PartialEq)]
struct Node {
    tag: &'static str,
    attrs: Vec<(&'static str, String)>,
    kids: Kids,
}

#[derive(Debug, Clone, PartialEq)]
enum Kids {
    Nodes(Vec<Node>),
    Text(String),
}

impl Node {
    fn new(tag: &'static str, kids: Vec<Node>) -> Node {
        Node {
            tag,
            attrs: Vec::new(),
            kids: Kids::Nodes(kids),
        }
    }

    fn text(tag: &'static str, text: impl Into<String>) -> Node {
        Node {
            tag,
            attrs: Vec::new(),
            kids: Kids::Text(text.into()),
        }
    }

    fn attr(mut self, name: &'static str, value: impl Into<String>) -> Node {
        self.attrs.push((name, value.into()));
        self
    }

    /// One node for a run of nodes: itself when there is one, else an `<mrow>` around them.
    /// This is what keeps scripts, fractions and roots at their arity.
    fn row(mut nodes: Vec<Node>) -> Node {
        if nodes.len() == 1 {
            nodes.pop().expect("one node")
        } else {
            Node::new("mrow", nodes)
        }
    }

    fn is(&self, tag: &str) -> bool {
        self.tag == tag
    }

    /// Whether TeX treats the node as an ordinary atom (a thin space goes between it and a
    /// following function name).
    fn is_ordinary(&self) -> bool {
        matches!(
            self.tag,
            "mi" | "mn" | "mtext" | "mrow" | "msub" | "msup" | "msubsup" | "mfrac" | "msqrt"
        )
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(self.tag);
        for (name, value) in &self.attrs {
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            escape_into(value, out);
            out.push('"');
        }
        match &self.kids {
            Kids::Nodes(kids) if kids.is_empty() => out.push_str("/>"),
            Kids::Nodes(kids) => {
                out.push('>');
                for kid in kids {
                    kid.write(out);
                }
                self.close(out);
            }
            Kids::Text(text) => {
                out.push('>');
                escape_into(text, out);
                self.close(out);
            }
        }
    }

    fn close(&self, out: &mut String) {
        out.push_str("</");
        out.push_str(self.tag);
        out.push('>');
    }
}

/// What holds for the rest of a group: the font (`\mathbb`, `\mathrm`) and the style
/// (`\displaystyle`), which decides where movable limits go.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    font: Option<Font>,
    style: Option<Style>,
}

/// Why a run of elements ended.
enum Stop {
    /// The end of the formula.
    Eof,
    /// `}`, `\right`, `\end{…}`: the group's end, consumed.
    End,
    /// `&` in an environment.
    Alignment,
    /// `\\` in an environment, with the horizontal lines drawn after it.
    NewLine(Option<Line>),
}

struct Builder<'a, I: Iterator<Item = Event<'a>>> {
    events: std::iter::Peekable<I>,
    display: bool,
    depth: usize,
}

impl<'a, I: Iterator<Item = Event<'a>>> Builder<'a, I> {
    /// Elements up to the end of the current group, cell or formula. A style or colour change
    /// applies to the rest of the run, which goes into an `<mstyle>`.
    fn sequence(&mut self, mut st: State) -> Result<(Vec<Node>, Stop), String> {
        let mut nodes: Vec<Node> = Vec::new();
        loop {
            let stop = match self.events.peek() {
                None => Some(Stop::Eof),
                Some(Event::End) => Some(Stop::End),
                Some(Event::EnvironmentFlow(EnvironmentFlow::Alignment)) => Some(Stop::Alignment),
                Some(Event::EnvironmentFlow(EnvironmentFlow::NewLine {
                    horizontal_lines, ..
                })) => Some(Stop::NewLine(horizontal_lines.first().copied())),
                _ => None,
            };
            if let Some(stop) = stop {
                self.events.next();
                return Ok((nodes, stop));
            }
            match self.events.peek() {
                Some(Event::StateChange(StateChange::Font(font))) => {
                    st.font = *font;
                    self.events.next();
                    continue;
                }
                Some(Event::StateChange(StateChange::Style(style))) => {
                    let style = *style;
                    self.events.next();
                    let (level, display) = match style {
                        Style::Display => ("0", "true"),
                        Style::Text => ("0", "false"),
                        Style::Script => ("1", "false"),
                        Style::ScriptScript => ("2", "false"),
                    };
                    let (rest, stop) = self.sequence(State {
                        style: Some(style),
                        ..st
                    })?;
                    nodes.push(
                        Node::new("mstyle", rest)
                            .attr("displaystyle", display)
                            .attr("scriptlevel", level),
                    );
                    return Ok((nodes, stop));
                }
                Some(Event::StateChange(StateChange::Color(change))) => {
                    let change = *change;
                    self.events.next();
                    let (rest, stop) = self.sequence(st)?;
                    let (r, g, b) = change.color;
                    let color = format!("#{r:02x}{g:02x}{b:02x}");
                    let name = match change.target {
                        ColorTarget::Background => "mathbackground",
                        ColorTarget::Text | ColorTarget::Border => "mathcolor",
                    };
                    nodes.push(Node::new("mstyle", rest).attr(name, color));
                    return Ok((nodes, stop));
                }
                _ => {}
            }
            let (node, function) = self.element(&mut st)?;
            if function && node.is("mi") && nodes.last().is_some_and(Node::is_ordinary) {
                nodes.push(thin_space());
            }
            nodes.push(node);
            if function {
                self.function_application(&mut nodes);
            }
        }
    }

    /// After a function name (`\sin`, `\max_\theta`), the invisible function application
    /// operator and TeX's thin space, when an argument follows.
    fn function_application(&mut self, nodes: &mut Vec<Node>) {
        let next = match self.events.peek() {
            None | Some(Event::End | Event::EnvironmentFlow(_)) => return,
            Some(next) => next,
        };
        let tight = matches!(
            next,
            Event::Content(
                Content::Delimiter {
                    ty: DelimiterType::Open | DelimiterType::Close,
                    ..
                } | Content::Punctuation(_)
            ) | Event::Begin(Grouping::LeftRight(..))
        );
        nodes.push(Node::text("mo", "\u{2061}"));
        if !tight {
            nodes.push(thin_space());
        }
    }

    /// The next element, as one node, and whether it is a function name (possibly with
    /// scripts), after which an argument is expected.
    fn element(&mut self, st: &mut State) -> Result<(Node, bool), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("formula nested too deeply".into());
        }
        let result = self.element_inner(st);
        self.depth -= 1;
        result
    }

    fn element_inner(&mut self, st: &mut State) -> Result<(Node, bool), String> {
        loop {
            let event = self.events.next().ok_or("an argument is missing")?;
            return match event {
                Event::StateChange(change) => {
                    // In argument position (`x_\mathrm{a}`): it applies to what follows.
                    match change {
                        StateChange::Font(font) => st.font = font,
                        StateChange::Style(style) => st.style = Some(style),
                        StateChange::Color(_) => {}
                    }
                    continue;
                }
                Event::Content(content) => {
                    let function = matches!(content, Content::Function(_));
                    Ok((self.content(content, *st, false), function))
                }
                Event::Begin(grouping) => Ok((self.group(grouping, *st)?, false)),
                Event::End => Err("unbalanced group end".into()),
                Event::EnvironmentFlow(_) => Err("alignment outside an environment".into()),
                Event::Space {
                    width,
                    height,
                    depth,
                } => {
                    let mut node = Node::new("mspace", Vec::new());
                    for (name, dim) in [("width", width), ("height", height), ("depth", depth)] {
                        if let Some(length) = dim.and_then(length) {
                            node = node.attr(name, length);
                        }
                    }
                    Ok((node, false))
                }
                Event::Visual(visual) => Ok((self.visual(visual, st)?, false)),
                Event::Script { ty, position } => self.script(ty, position, st),
            };
        }
    }

    fn visual(&mut self, visual: Visual, st: &mut State) -> Result<Node, String> {
        Ok(match visual {
            Visual::SquareRoot => Node::new("msqrt", vec![self.element(st)?.0]),
            Visual::Root => {
                let radicand = self.element(st)?.0;
                let index = self.element(st)?.0;
                Node::new("mroot", vec![radicand, index])
            }
            Visual::Fraction(thickness) => {
                let num = self.element(st)?.0;
                let den = self.element(st)?.0;
                let node = Node::new("mfrac", vec![num, den]);
                match thickness.and_then(length) {
                    Some(t) => node.attr("linethickness", t),
                    None => node,
                }
            }
            Visual::Negation => match self.events.peek() {
                Some(Event::Content(
                    content @ (Content::Ordinary { .. }
                    | Content::Relation { .. }
                    | Content::BinaryOp { .. }
                    | Content::LargeOp { .. }
                    | Content::Delimiter { .. }
                    | Content::Punctuation(_)),
                )) => {
                    let content = *content;
                    self.events.next();
                    self.content(content, *st, true)
                }
                _ => Node::new("menclose", vec![self.element(st)?.0])
                    .attr("notation", "updiagonalstrike"),
            },
        })
    }

    fn script(
        &mut self,
        ty: ScriptType,
        position: ScriptPosition,
        st: &mut State,
    ) -> Result<(Node, bool), String> {
        let above_below = match position {
            ScriptPosition::Right => false,
            ScriptPosition::AboveBelow => true,
            ScriptPosition::Movable => match st.style {
                Some(style) => style == Style::Display,
                None => self.display,
            },
        };
        let (base, function) = self.element(st)?;
        let count = if ty == ScriptType::SubSuperscript {
            2
        } else {
            1
        };
        let mut kids = vec![base];
        let mut accent = false;
        for _ in 0..count {
            // An accent (`\hat`, `\vec`, `\underbrace`'s brace) is an operator over its base.
            let node = match self.events.peek() {
                Some(Event::Content(Content::Ordinary { content, stretchy }))
                    if above_below && !content.is_alphanumeric() =>
                {
                    let (c, stretchy) = (*content, *stretchy);
                    self.events.next();
                    accent = true;
                    Node::text("mo", c).attr("stretchy", bool_str(stretchy))
                }
                _ => self.element(&mut st.clone())?.0,
            };
            kids.push(node);
        }
        let tag = match (ty, above_below) {
            (ScriptType::Subscript, false) => "msub",
            (ScriptType::Superscript, false) => "msup",
            (ScriptType::SubSuperscript, false) => "msubsup",
            (ScriptType::Subscript, true) => "munder",
            (ScriptType::Superscript, true) => "mover",
            (ScriptType::SubSuperscript, true) => "munderover",
        };
        let mut node = Node::new(tag, kids);
        if accent {
            node = node.attr(
                if ty == ScriptType::Subscript {
                    "accentunder"
                } else {
                    "accent"
                },
                "true",
            );
        }
        Ok((node, function))
    }

    fn group(&mut self, grouping: Grouping, st: State) -> Result<Node, String> {
        match grouping {
            Grouping::Normal => {
                let nodes = self.until_end(st)?;
                Ok(Node::new("mrow", nodes))
            }
            Grouping::LeftRight(open, close) => {
                let mut nodes = Vec::new();
                if let Some(open) = open {
                    nodes.push(fence(open, "prefix"));
                }
                nodes.extend(self.until_end(st)?);
                if let Some(close) = close {
                    nodes.push(fence(close, "postfix"));
                }
                Ok(Node::new("mrow", nodes))
            }
            Grouping::Cases { left } => {
                let table = self.table(st, Layout::Cases)?;
                let brace = Node::text("mo", if left { "{" } else { "}" })
                    .attr("stretchy", "true")
                    .attr("fence", "true");
                Ok(Node::new(
                    "mrow",
                    if left {
                        vec![brace, table]
                    } else {
                        vec![table, brace]
                    },
                ))
            }
            Grouping::Array(cols) => self.table(st, Layout::Array(cols)),
            Grouping::Matrix { alignment } => self.table(st, Layout::Matrix(alignment)),
            Grouping::SubArray { alignment } => self.table(st, Layout::Matrix(alignment)),
            Grouping::Align { .. }
            | Grouping::Aligned
            | Grouping::Alignat { .. }
            | Grouping::Alignedat { .. }
            | Grouping::Split => self.table(st, Layout::Align),
            Grouping::Gather { .. } | Grouping::Gathered | Grouping::Multline => {
                self.table(st, Layout::Matrix(ColumnAlignment::Center))
            }
            Grouping::Equation { .. } => self.table(st, Layout::Equation),
        }
    }

    /// The elements of a group up to its end.
    fn until_end(&mut self, st: State) -> Result<Vec<Node>, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("formula nested too deeply".into());
        }
        let (nodes, stop) = self.sequence(st)?;
        self.depth -= 1;
        match stop {
            Stop::End => Ok(nodes),
            Stop::Eof => Err("a group is not closed".into()),
            Stop::Alignment | Stop::NewLine(_) => Err("alignment outside an environment".into()),
        }
    }

    /// An environment: cells split at `&`, rows at `\\`.
    fn table(&mut self, st: State, layout: Layout) -> Result<Node, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("formula nested too deeply".into());
        }
        // Environments start from the default font; the style carries on.
        let cell_state = State {
            font: None,
            style: st.style,
        };
        // An optional line at the top (`\hline` first) is not kept: MathML 3 has no frame
        // per side.
        if let Some(Event::EnvironmentFlow(EnvironmentFlow::StartLines { .. })) = self.events.peek()
        {
            self.events.next();
        }
        let mut rows: Vec<Vec<Vec<Node>>> = vec![Vec::new()];
        let mut lines: Vec<Option<Line>> = Vec::new();
        loop {
            let (cell, stop) = self.sequence(cell_state)?;
            let row = rows.last_mut().expect("a row");
            match (&layout, stop) {
                // `\\` in `equation` does nothing, as in LaTeX.
                (Layout::Equation, Stop::NewLine(_)) => {
                    row.push(cell);
                    continue;
                }
                (_, Stop::Alignment) => row.push(cell),
                (_, Stop::NewLine(line)) => {
                    row.push(cell);
                    rows.push(Vec::new());
                    lines.push(line);
                }
                (_, Stop::End) => {
                    row.push(cell);
                    break;
                }
                (_, Stop::Eof) => return Err("an environment is not closed".into()),
            }
        }
        self.depth -= 1;
        if let Layout::Equation = layout {
            let cells: Vec<Node> = rows.into_iter().flatten().flatten().collect();
            return Ok(Node::row(cells));
        }
        // A trailing `\\` leaves an empty last row.
        if rows.len() > 1 && rows.last().is_some_and(|r| r.iter().all(Vec::is_empty)) {
            rows.pop();
            lines.pop();
        }
        let columns = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut trs = Vec::with_capacity(rows.len());
        for row in rows {
            let mut tds = Vec::with_capacity(columns);
            for (i, mut cell) in row.into_iter().enumerate() {
                // `a &= b`: the relation opens its cell; an empty atom before it keeps it an
                // infix operator with its spacing.
                if matches!(layout, Layout::Align)
                    && i % 2 == 1
                    && cell.first().is_some_and(|n| n.is("mo"))
                {
                    cell.insert(0, Node::new("mi", Vec::new()));
                }
                tds.push(Node::new("mtd", cell));
            }
            trs.push(Node::new("mtr", tds));
        }
        let mut table = Node::new("mtable", trs);
        let align: Vec<&str> = match &layout {
            Layout::Align => (0..columns)
                .map(|i| if i % 2 == 0 { "right" } else { "left" })
                .collect(),
            Layout::Cases => vec!["left"; columns],
            Layout::Matrix(a) => vec![alignment(*a); columns],
            Layout::Array(cols) => {
                let mut align: Vec<&str> = cols
                    .iter()
                    .filter_map(|c| match c {
                        ArrayColumn::Column(a) => Some(alignment(*a)),
                        ArrayColumn::Separator(_) => None,
                    })
                    .collect();
                align.resize(columns.max(align.len()), "center");
                let mut between = Vec::new();
                let mut seen_column = false;
                let mut line = None;
                for c in cols.iter() {
                    match c {
                        ArrayColumn::Column(_) => {
                            if seen_column {
                                between.push(line.take());
                            }
                            seen_column = true;
                            line = None;
                        }
                        ArrayColumn::Separator(l) if seen_column => line = Some(*l),
                        ArrayColumn::Separator(_) => {}
                    }
                }
                if between.iter().any(Option::is_some) {
                    let value: Vec<&str> = between.into_iter().map(line_name).collect();
                    table = table.attr("columnlines", value.join(" "));
                }
                align
            }
            Layout::Equation => unreachable!("handled above"),
        };
        table = table.attr("columnalign", align.join(" "));
        if matches!(layout, Layout::Align) {
            table = table
                .attr("displaystyle", "true")
                .attr("columnspacing", "0em 1em");
        }
        if lines.iter().any(Option::is_some) {
            let value: Vec<&str> = lines.into_iter().map(line_name).collect();
            table = table.attr("rowlines", value.join(" "));
        }
        Ok(table)
    }

    /// One content event as a token element; `negate` adds the long solidus overlay (`\not`).
    fn content(&self, content: Content, st: State, negate: bool) -> Node {
        let not = if negate { "\u{0338}" } else { "" };
        match content {
            Content::Text(text) => {
                // The parser writes `\ `, `~` and `\nobreakspace` as an HTML entity.
                let text = text.replace("&nbsp;", "\u{A0}");
                // MathML trims the edges of `<mtext>`; `\text{ where }` keeps its spaces.
                let trimmed = text.trim();
                let mut s = String::with_capacity(text.len() + 4);
                if text.starts_with(char::is_whitespace) {
                    s.push('\u{A0}');
                }
                match st.font {
                    Some(font) => s.extend(trimmed.chars().map(|c| styled(font, c))),
                    None => s.push_str(trimmed),
                }
                if text.ends_with(char::is_whitespace) && !trimmed.is_empty() {
                    s.push('\u{A0}');
                }
                Node::text("mtext", s)
            }
            Content::Number(n) => {
                let font = match st.font {
                    Some(Font::BoldSymbol) => Some(Font::Bold),
                    f => f,
                };
                let s: String = match font {
                    Some(f) => n.chars().map(|c| styled(f, c)).collect(),
                    None => n.to_string(),
                };
                Node::text("mn", s)
            }
            Content::Function(name) => {
                let node = Node::text("mi", name);
                if name.chars().count() == 1 {
                    node.attr("mathvariant", "normal")
                } else {
                    node
                }
            }
            Content::Ordinary { content, stretchy } => {
                if stretchy {
                    return Node::text("mo", format!("{content}{not}")).attr("stretchy", "true");
                }
                // TeX sets capital Greek upright.
                let upright = content.is_uppercase() && !content.is_ascii_uppercase();
                match st.font {
                    Some(Font::UpRight) => {
                        Node::text("mi", format!("{content}{not}")).attr("mathvariant", "normal")
                    }
                    None if upright => {
                        Node::text("mi", format!("{content}{not}")).attr("mathvariant", "normal")
                    }
                    None => Node::text("mi", format!("{content}{not}")),
                    Some(Font::BoldSymbol) => {
                        let font = if upright {
                            Font::Bold
                        } else {
                            Font::BoldItalic
                        };
                        Node::text("mi", format!("{}{not}", styled(font, content)))
                    }
                    Some(font) => {
                        let mapped = styled(font, content);
                        let node = Node::text("mi", format!("{mapped}{not}"));
                        // A letter the font has no form for stays upright when the font is.
                        if mapped == content && !matches!(font, Font::Italic) {
                            node.attr("mathvariant", "normal")
                        } else {
                            node
                        }
                    }
                }
            }
            Content::LargeOp { content, small } => {
                let node =
                    Node::text("mo", format!("{content}{not}")).attr("movablelimits", "false");
                if small {
                    node.attr("largeop", "false")
                } else {
                    node
                }
            }
            Content::BinaryOp { content, small: _ } => Node::text("mo", format!("{content}{not}")),
            Content::Relation { content, small: _ } => {
                let mut buf = [0u8; 8];
                let s = std::str::from_utf8(content.encode_utf8_to_buf(&mut buf))
                    .unwrap_or_default()
                    .to_string();
                Node::text("mo", format!("{s}{not}"))
            }
            Content::Delimiter { content, size, ty } => {
                let stretchy = ty == DelimiterType::Fence || size.is_some();
                let mut node = Node::text("mo", format!("{content}{not}"))
                    .attr("stretchy", bool_str(stretchy))
                    .attr("symmetric", bool_str(stretchy));
                if let Some(size) = size {
                    use pulldown_latex::event::DelimiterSize as S;
                    let em = match size {
                        S::Big => "1.2em",
                        S::BIG => "1.8em",
                        S::Bigg => "2.4em",
                        S::BIGG => "3em",
                    };
                    node = node.attr("minsize", em).attr("maxsize", em);
                }
                node
            }
            Content::Punctuation(c) => Node::text("mo", format!("{c}{not}")),
        }
    }
}

/// How an environment lays out its columns.
enum Layout {
    /// `align`, `aligned`, `split`: right, left, right, left…
    Align,
    /// `cases`: left-aligned.
    Cases,
    /// Matrices, `gather`: one alignment for all.
    Matrix(ColumnAlignment),
    /// `array`: its column specification.
    Array(Box<[ArrayColumn]>),
    /// `equation`: one cell.
    Equation,
}

fn alignment(a: ColumnAlignment) -> &'static str {
    match a {
        ColumnAlignment::Left => "left",
        ColumnAlignment::Center => "center",
        ColumnAlignment::Right => "right",
    }
}

fn line_name(line: Option<Line>) -> &'static str {
    match line {
        None => "none",
        Some(Line::Solid) => "solid",
        Some(Line::Dashed) => "dashed",
    }
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn thin_space() -> Node {
    Node::new("mspace", Vec::new()).attr("width", "0.1667em")
}

/// A `\left`/`\right` delimiter; `.` (none) never reaches here.
fn fence(c: char, form: &'static str) -> Node {
    Node::text("mo", c)
        .attr("stretchy", "true")
        .attr("fence", "true")
        .attr("form", form)
}

/// A TeX dimension as a MathML length, or `None` when it is not a finite number.
fn length(d: Dimension) -> Option<String> {
    // TeX's units, in the ones MathML knows (`pulldown-latex` prints `mu`, which it does not).
    let (value, unit) = match d.unit {
        DimensionUnit::Em => (d.value, "em"),
        DimensionUnit::Mu => (d.value / 18.0, "em"),
        DimensionUnit::Ex => (d.value, "ex"),
        DimensionUnit::Mm => (d.value, "mm"),
        DimensionUnit::Cm => (d.value, "cm"),
        DimensionUnit::In => (d.value, "in"),
        DimensionUnit::Bp => (d.value, "pt"),
        DimensionUnit::Pt => (d.value * 72.0 / 72.27, "pt"),
        DimensionUnit::Pc => (d.value * 72.0 / 72.27, "pc"),
        DimensionUnit::Sp => (d.value / 65536.0 * 72.0 / 72.27, "pt"),
        DimensionUnit::Dd => (d.value * 1238.0 / 1157.0 * 72.0 / 72.27, "pt"),
        DimensionUnit::Cc => (d.value * 12.0 * 1238.0 / 1157.0 * 72.0 / 72.27, "pt"),
    };
    if !value.is_finite() {
        return None;
    }
    // Four decimals, without trailing zeros: `0.1667em`, `0em`, never an exponent.
    let s = format!("{value:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s == "-0" { "0" } else { s };
    Some(format!("{s}{unit}"))
}

/// `c` in a math font (`\mathbb{R}` → ℝ): the Unicode Mathematical Alphanumeric Symbols,
/// with the letters that Unicode placed earlier in Letterlike Symbols. A character the font
/// has no form for stays as it is.
fn styled(font: Font, c: char) -> char {
    // Where each font's A, a, 0, Α and α are in U+1D400…U+1D7FF (0: none).
    let (upper, lower, digit, greek_upper, greek_lower): (u32, u32, u32, u32, u32) = match font {
        Font::Bold => (0x1D400, 0x1D41A, 0x1D7CE, 0x1D6A8, 0x1D6C2),
        Font::Italic => (0x1D434, 0x1D44E, 0, 0x1D6E2, 0x1D6FC),
        Font::BoldItalic | Font::BoldSymbol => (0x1D468, 0x1D482, 0x1D7CE, 0x1D71C, 0x1D736),
        Font::Script => (0x1D49C, 0x1D4B6, 0, 0, 0),
        Font::BoldScript => (0x1D4D0, 0x1D4EA, 0, 0, 0),
        Font::Fraktur => (0x1D504, 0x1D51E, 0, 0, 0),
        Font::DoubleStruck => (0x1D538, 0x1D552, 0x1D7D8, 0, 0),
        Font::BoldFraktur => (0x1D56C, 0x1D586, 0, 0, 0),
        Font::SansSerif => (0x1D5A0, 0x1D5BA, 0x1D7E2, 0, 0),
        Font::BoldSansSerif => (0x1D5D4, 0x1D5EE, 0x1D7EC, 0x1D756, 0x1D770),
        Font::SansSerifItalic => (0x1D608, 0x1D622, 0, 0, 0),
        Font::SansSerifBoldItalic => (0x1D63C, 0x1D656, 0, 0x1D790, 0x1D7AA),
        Font::Monospace => (0x1D670, 0x1D68A, 0x1D7F6, 0, 0),
        Font::DoubleStruckItalic => {
            return match c {
                'D' => '\u{2145}',
                'd' => '\u{2146}',
                'e' => '\u{2147}',
                'i' => '\u{2148}',
                'j' => '\u{2149}',
                _ => c,
            }
        }
        Font::UpRight => return c,
    };
    // The holes of the block, filled in Letterlike Symbols.
    let hole = match (font, c) {
        (Font::Italic, 'h') => Some('\u{210E}'),
        (Font::Script, 'B') => Some('\u{212C}'),
        (Font::Script, 'E') => Some('\u{2130}'),
        (Font::Script, 'F') => Some('\u{2131}'),
        (Font::Script, 'H') => Some('\u{210B}'),
        (Font::Script, 'I') => Some('\u{2110}'),
        (Font::Script, 'L') => Some('\u{2112}'),
        (Font::Script, 'M') => Some('\u{2133}'),
        (Font::Script, 'R') => Some('\u{211B}'),
        (Font::Script, 'e') => Some('\u{212F}'),
        (Font::Script, 'g') => Some('\u{210A}'),
        (Font::Script, 'o') => Some('\u{2134}'),
        (Font::Fraktur, 'C') => Some('\u{212D}'),
        (Font::Fraktur, 'H') => Some('\u{210C}'),
        (Font::Fraktur, 'I') => Some('\u{2111}'),
        (Font::Fraktur, 'R') => Some('\u{211C}'),
        (Font::Fraktur, 'Z') => Some('\u{2128}'),
        (Font::DoubleStruck, 'C') => Some('\u{2102}'),
        (Font::DoubleStruck, 'H') => Some('\u{210D}'),
        (Font::DoubleStruck, 'N') => Some('\u{2115}'),
        (Font::DoubleStruck, 'P') => Some('\u{2119}'),
        (Font::DoubleStruck, 'Q') => Some('\u{211A}'),
        (Font::DoubleStruck, 'R') => Some('\u{211D}'),
        (Font::DoubleStruck, 'Z') => Some('\u{2124}'),
        _ => None,
    };
    if let Some(h) = hole {
        return h;
    }
    let code = c as u32;
    let mapped = match c {
        'A'..='Z' if upper != 0 => upper + (code - 'A' as u32),
        'a'..='z' if lower != 0 => lower + (code - 'a' as u32),
        '0'..='9' if digit != 0 => digit + (code - '0' as u32),
        // Capital Greek, without U+03A2 (no capital final sigma).
        '\u{0391}'..='\u{03A9}' if greek_upper != 0 && c != '\u{03A2}' => {
            greek_upper + (code - 0x391)
        }
        '\u{03B1}'..='\u{03C9}' if greek_lower != 0 => greek_lower + (code - 0x3B1),
        _ => return c,
    };
    char::from_u32(mapped).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The MathML of `tex`, checked to be well-formed XML with every fixed-arity element at
    /// its arity.
    fn mathml(tex: &str, display: bool) -> String {
        let out = render(tex, display).unwrap_or_else(|e| panic!("{tex}: {e}"));
        check(&out);
        out
    }

    pub(crate) fn check(xml: &str) {
        let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        for node in doc.descendants().filter(|n| n.is_element()) {
            let want = match node.tag_name().name() {
                "msub" | "msup" | "munder" | "mover" | "mfrac" | "mroot" => 2,
                "msubsup" | "munderover" => 3,
                "msqrt" => 1,
                _ => continue,
            };
            let got = node.children().filter(|c| c.is_element()).count();
            // `msqrt` takes any number (an inferred row); one is what is written.
            assert_eq!(got, want, "<{}> in {xml}", node.tag_name().name());
        }
    }

    #[test]
    fn less_than_is_escaped() {
        let out = mathml("N < P", true);
        assert!(out.contains("<mo>&lt;</mo>"), "{out}");
        assert!(out.contains("<annotation encoding=\"application/x-tex\">N &lt; P</annotation>"));
        let out = mathml("a > b \\text{ if } x < y \\text{a<b & c}", false);
        assert!(out.contains("<mtext>a&lt;b &amp; c</mtext>"), "{out}");
    }

    #[test]
    fn spaces_are_characters_not_entities() {
        for tex in [
            "f, \\text{ where } z",
            "a\\;b",
            "a\\ b",
            "a~b",
            "\\text{ }x",
        ] {
            let out = mathml(tex, false);
            assert!(!out.contains("&nbsp;"), "{out}");
        }
        let out = mathml("f, \\text{ where } z", false);
        assert!(out.contains("<mtext>\u{A0}where\u{A0}</mtext>"), "{out}");
        assert!(mathml("a\\ b", false).contains("<mtext>\u{A0}</mtext>"));
        assert!(mathml("a\\;b", false).contains("<mspace width=\"0.2778em\"/>"));
    }

    #[test]
    fn sized_delimiters_have_separate_attributes() {
        let out = mathml("\\Big( x \\Big)", true);
        assert!(out.contains(
            "<mo stretchy=\"true\" symmetric=\"true\" minsize=\"1.8em\" maxsize=\"1.8em\">(</mo>"
        ), "{out}");
        mathml(
            "\\bigl[ \\biggl\\{ \\Biggr\\} \\bigr] \\left( x \\middle| y \\right.",
            true,
        );
    }

    #[test]
    fn scripts_on_functions_keep_their_arity() {
        let out = mathml("\\theta = arg\\max_{\\theta} f", true);
        assert!(
            out.contains("<munder><mi>max</mi><mrow><mi>θ</mi></mrow></munder><mo>\u{2061}</mo>"),
            "{out}"
        );
        let out = mathml("\\theta = arg\\max_{\\theta} f", false);
        assert!(out.contains("<msub><mi>max</mi>"), "{out}");
        for tex in [
            "\\lim_{x\\to0} \\frac{\\sin x}{x} = 1",
            "\\sum_{i=1}^n i^2",
            "\\sin^2 x + \\cos^2 x",
            "\\operatorname*{argmin}_{w} \\|w\\|",
            "\\log_2 n",
            "\\hat{x} \\vec{v} \\overline{z} \\underbrace{a+b}_{n}",
            "\\sqrt[3]{x} + \\sqrt{y} + \\frac12 + \\binom{n}{k}",
            "x_{i_j}^{2^k}",
            "\\not= \\not\\in \\not{x}",
        ] {
            mathml(tex, true);
            mathml(tex, false);
        }
    }

    #[test]
    fn environments_become_tables() {
        let out = mathml(
            "\\begin{aligned} a &= b \\\\ c &< d \\\\ \\end{aligned}",
            true,
        );
        assert_eq!(out.matches("<mtr>").count(), 2, "{out}");
        assert!(out.contains("columnalign=\"right left\""), "{out}");
        let out = mathml(
            "f(x) = \\begin{cases} 0 & x < 0 \\\\ 1 & \\text{otherwise} \\end{cases}",
            true,
        );
        assert!(
            out.contains("<mo stretchy=\"true\" fence=\"true\">{</mo><mtable"),
            "{out}"
        );
        let out = mathml(
            "\\begin{array}{c|l} a & b \\\\ \\hline c & d \\end{array}",
            true,
        );
        assert!(out.contains("columnlines=\"solid\""), "{out}");
        assert!(out.contains("rowlines=\"solid\""), "{out}");
        for tex in [
            "\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}",
            "\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}",
            "\\begin{align*} x &= 1 & y &= 2 \\end{align*}",
            "\\begin{equation} E = mc^2 \\end{equation}",
            "\\begin{gather} a \\\\ b \\end{gather}",
        ] {
            mathml(tex, true);
        }
    }

    #[test]
    fn fonts_map_to_math_letters() {
        let out = mathml(
            "\\mathbb{R}^n \\mathcal{L} \\mathbf{x} \\mathfrak{g}",
            false,
        );
        for c in ["ℝ", "ℒ", "𝐱", "𝔤"] {
            assert!(out.contains(c), "{c} in {out}");
        }
        assert!(mathml("\\mathrm{d}x", false).contains("<mi mathvariant=\"normal\">d</mi>"));
    }

    #[test]
    fn styles_and_colours_are_attributes() {
        let out = mathml("\\displaystyle \\sum_i x_i", false);
        assert!(
            out.contains("<mstyle displaystyle=\"true\" scriptlevel=\"0\"><munder>"),
            "{out}"
        );
        let out = mathml("\\color{red} x + \\textcolor{blue}{y}", false);
        assert!(out.contains("mathcolor=\"#ff0000\""), "{out}");
    }

    #[test]
    fn broken_formulas_are_errors_not_markup() {
        for tex in [
            "\\frac{a",
            "a^",
            "\\begin{aligned} a",
            "}",
            "x_1_2",
            "\\unknowncommand",
        ] {
            assert!(render(tex, true).is_err(), "{tex}");
        }
        let deep = format!("{}x{}", "{".repeat(5000), "}".repeat(5000));
        assert!(render(&deep, true).is_err());
    }

    #[test]
    fn lengths_are_mathml_lengths() {
        use pulldown_latex::event::DimensionUnit as U;
        assert_eq!(length(Dimension::new(3.0, U::Mu)).unwrap(), "0.1667em");
        assert_eq!(length(Dimension::new(0.0, U::Em)).unwrap(), "0em");
        assert_eq!(length(Dimension::new(-1.5, U::Ex)).unwrap(), "-1.5ex");
        assert_eq!(length(Dimension::new(f32::NAN, U::Em)), None);
    }
}

//! Tables for formats that cannot span cells or hold blocks in them: GFM pipe tables and plain
//! text. One home for how postbook lays a [`Table`] out as a plain grid, so the Markdown and
//! text writers flatten the same way and say so with the same warnings.
//!
//! - A cell spanning several **rows** is repeated in each row it covers: a row then reads on
//!   its own (a category or date spanning rows is usually what each row is about), and
//!   filtering or sorting the note's table keeps it right.
//! - A cell spanning several **columns** is written once, in its first column, and the
//!   columns it covers are left empty: a heading over a group of columns, or a note across
//!   the row, repeated would read as a stutter (`Q1 Q1 Q1`).
//! - **Blocks** in a cell become one line: paragraphs and list items joined with `; `
//!   (ordered items keep their numbers), code as code, pictures as inline pictures.

use crate::inline::{normalize, trim};
use crate::model::{walk, Block, Cell, Document, Inline, Node, Table};
use crate::warning::{Warning, WarningKind};

/// What flattening a table changed, to warn about.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Flattening {
    /// Cells spanning rows or columns.
    pub spans: bool,
    /// Cells holding blocks (lists, several paragraphs) rather than a line of text.
    pub blocks: bool,
}

impl Flattening {
    /// What `t` loses in a format without spans and blocks in cells.
    pub fn of(t: &Table) -> Flattening {
        let mut f = Flattening::default();
        for c in t.header.iter().chain(t.rows.iter()).flatten() {
            f.spans |= c.spans();
            f.blocks |= c.inlines().is_none();
        }
        f
    }
}

/// The table as a plain grid: each position's content as one line of inlines, spans and
/// blocks flattened as the module says. Rows keep their width.
pub fn flatten(t: &Table) -> Table {
    let all: Vec<&Vec<Cell>> = t.header.iter().chain(t.rows.iter()).collect();
    let mut flat: Vec<Vec<Vec<Inline>>> = all
        .iter()
        .map(|row| row.iter().map(|c| cell_line(&c.blocks)).collect())
        .collect();
    for (r, row) in all.iter().enumerate() {
        for (c, cell) in row.iter().enumerate().filter(|(_, c)| c.rows > 1) {
            for dr in 1..usize::from(cell.rows) {
                // Only positions the span really covers (a malformed table may overlap).
                if all
                    .get(r + dr)
                    .and_then(|row| row.get(c))
                    .is_some_and(Cell::is_covered)
                {
                    flat[r + dr][c] = flat[r][c].clone();
                }
            }
        }
    }
    let mut rows = flat
        .into_iter()
        .map(|row| row.into_iter().map(Cell::inline).collect::<Vec<Cell>>());
    let header = t.header.as_ref().and_then(|_| rows.next());
    Table {
        header,
        rows: rows.collect(),
    }
}

/// A cell's blocks as one line (see the module's rules).
pub fn cell_line(blocks: &[Block]) -> Vec<Inline> {
    let mut pieces: Vec<Vec<Inline>> = Vec::new();
    collect(blocks, &mut pieces);
    let mut out: Vec<Inline> = Vec::new();
    for piece in pieces.into_iter().map(|p| trim(normalize(p))) {
        if piece.is_empty() {
            continue;
        }
        if !out.is_empty() {
            // After a lead-in (`Includes:`) or a finished sentence, a space is enough.
            let ends_clause = crate::model::plain_text(&out)
                .trim_end()
                .ends_with([':', '：', ';', '；', '.', '。', '!', '！', '?', '？']);
            out.push(Inline::Text(if ends_clause { " " } else { "; " }.into()));
        }
        out.extend(piece);
    }
    trim(normalize(out))
}

/// The lines of text `blocks` hold, in order.
fn collect(blocks: &[Block], pieces: &mut Vec<Vec<Inline>>) {
    for b in blocks {
        match b {
            Block::Heading { content, .. } | Block::Paragraph(content) => {
                pieces.push(content.clone())
            }
            Block::List {
                ordered,
                start,
                items,
                ..
            } => {
                for (i, item) in items.iter().enumerate() {
                    let mut line = cell_line(item);
                    if *ordered {
                        line.insert(0, Inline::Text(format!("{}. ", start + i as u64)));
                    }
                    pieces.push(line);
                }
            }
            Block::Quote(inner) => collect(inner, pieces),
            Block::Code { text, .. } => {
                let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
                pieces.push(vec![Inline::Code(one_line)]);
            }
            Block::Figure(img) => pieces.push(vec![Inline::Image(img.clone())]),
            // A table in a cell: its cells in a row joined with commas, its rows as pieces.
            Block::Table(t) => {
                let flat = flatten(t);
                for row in flat.header.iter().chain(flat.rows.iter()) {
                    let mut line = Vec::new();
                    for c in row.iter().filter_map(Cell::inlines) {
                        if c.is_empty() {
                            continue;
                        }
                        if !line.is_empty() {
                            line.push(Inline::Text(", ".into()));
                        }
                        line.extend(c.iter().cloned());
                    }
                    pieces.push(line);
                }
            }
            Block::Rule => {}
        }
    }
}

/// The warnings for the tables of `doc` a format without spans or blocks in cells flattens
/// (`format` names it: `Markdown`, `text`), one of each kind per post with how many tables.
pub fn warnings(doc: &Document, format: &str) -> Vec<Warning> {
    let (mut spans, mut blocks) = (0, 0);
    walk(&doc.blocks, &mut |node| {
        if let Node::Block(Block::Table(t)) = node {
            let f = Flattening::of(t);
            spans += usize::from(f.spans);
            blocks += usize::from(f.blocks);
        }
        true
    });
    let mut out = Vec::new();
    if spans > 0 {
        out.push(Warning::named(
            WarningKind::TableFlattened,
            "spanning cells",
            spans,
            format!(
                "{} with cells spanning rows or columns cannot span in {format}: a cell \
                 spanning rows is repeated in each row, one spanning columns is written once \
                 and the columns it covers are left empty",
                tables(spans)
            ),
        ));
    }
    if blocks > 0 {
        out.push(Warning::named(
            WarningKind::TableFlattened,
            "blocks in cells",
            blocks,
            format!(
                "{} with lists or paragraphs in cells: {format} cells are one line, so their \
                 items and paragraphs are joined with \"; \"",
                tables(blocks)
            ),
        ));
    }
    out
}

fn tables(n: usize) -> String {
    match n {
        1 => "a table".into(),
        n => format!("{n} tables"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    fn text(c: &Cell) -> String {
        crate::model::plain_text(c.inlines().unwrap())
    }

    #[test]
    fn rows_repeat_and_columns_stay_empty() {
        let span = |s: &str, rows, cols| Cell {
            blocks: vec![Block::Paragraph(vec![t(s)])],
            rows,
            cols,
        };
        let c = |s: &str| span(s, 1, 1);
        let table = Table {
            header: Some(vec![c("Year"), span("Sales", 1, 2), Cell::covered()]),
            rows: vec![
                vec![span("2023", 2, 1), c("Q1"), c("10")],
                vec![Cell::covered(), c("Q2"), c("12")],
            ],
        };
        let flat = flatten(&table);
        let grid: Vec<Vec<String>> = flat
            .header
            .iter()
            .chain(flat.rows.iter())
            .map(|r| r.iter().map(text).collect())
            .collect();
        assert_eq!(
            grid,
            [
                ["Year", "Sales", ""],
                ["2023", "Q1", "10"],
                ["2023", "Q2", "12"]
            ]
        );
        assert_eq!(
            Flattening::of(&table),
            Flattening {
                spans: true,
                blocks: false
            }
        );
        assert_eq!(Flattening::of(&flat), Flattening::default());
    }

    #[test]
    fn lists_in_cells_join_with_semicolons() {
        let p = |s: &str| Block::Paragraph(vec![t(s)]);
        let list = |ordered| Block::List {
            ordered,
            start: 1,
            items: vec![vec![p("北京")], vec![p("上海")]],
            tight: true,
        };
        assert_eq!(
            crate::model::plain_text(&cell_line(&[p("Cities:"), list(false)])),
            "Cities: 北京; 上海"
        );
        assert_eq!(
            crate::model::plain_text(&cell_line(&[p("a"), p("b"), list(true)])),
            "a; b; 1. 北京; 2. 上海"
        );
    }
}

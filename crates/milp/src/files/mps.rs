//! The strict MPS reader: sections in the standard order (NAME, OBJSENSE,
//! ROWS, COLUMNS, RHS, RANGES, BOUNDS, ENDATA), words separated by spaces
//! or tabs (free format, and fixed format whose names have no spaces).
//! Section names start in column 1; data lines are indented.

use super::numbers::parse_number;
use super::{check_coefficient, control_character, syntax, FileError, INFINITE_BOUND};
use crate::{Col, Model, Sense, VarType};
use std::collections::HashMap;

/// Sections other readers know but a MILP cannot hold (or mipnet does not
/// read): refused by name rather than skipped.
const UNSUPPORTED_SECTIONS: &[&str] = &[
    "QUADOBJ",
    "QMATRIX",
    "QSECTION",
    "QCMATRIX",
    "CSECTION",
    "SOS",
    "SETS",
    "INDICATORS",
    "DELAYEDROWS",
    "MODELCUTS",
    "USERCUTS",
    "GENCONS",
    "PWLOBJ",
    "PWLNAM",
    "PWLCON",
    "OBJSENSE",
    "OBJNAME",
    "BRANCH",
];

/// The sections read, in the order a file must give them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Start,
    Name,
    ObjSense,
    Rows,
    Columns,
    Rhs,
    Ranges,
    Bounds,
    End,
}

impl Section {
    fn from_keyword(upper: &str) -> Option<Section> {
        Some(match upper {
            "NAME" => Section::Name,
            "OBJSENSE" => Section::ObjSense,
            "ROWS" => Section::Rows,
            "COLUMNS" => Section::Columns,
            "RHS" => Section::Rhs,
            "RANGES" => Section::Ranges,
            "BOUNDS" => Section::Bounds,
            "ENDATA" => Section::End,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowKind {
    Equal,
    Less,
    Greater,
}

/// What a row name of the ROWS section stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum RowRef {
    Objective,
    /// A further N row: free, dropped from the model (standard MPS).
    Free,
    Constraint(usize),
}

struct RowDef {
    name: String,
    kind: RowKind,
    rhs: Option<(f64, usize)>,
    range: Option<(f64, usize)>,
}

/// An RHS or RANGES line: its set name, if given, and its (row, value)
/// word pairs.
type SetAndPairs<'w> = (Option<&'w str>, Vec<(&'w str, &'w str)>);

/// A bound side as set by the BOUNDS section, with its line.
type Side = Option<(f64, usize)>;

struct ColDef {
    name: String,
    line: usize,
    integer: bool,
    cost: f64,
    lower: Side,
    upper: Side,
}

#[derive(Default)]
struct Reader {
    sense: Option<(Sense, usize)>,
    rows: Vec<RowDef>,
    row_names: HashMap<String, (RowRef, usize)>,
    cols: Vec<ColDef>,
    col_names: HashMap<String, usize>,
    /// Entries of each constraint row, in column order.
    entries: Vec<Vec<(u32, f64)>>,
    /// (row, line) of each entry of the current column, for duplicates.
    current_entries: HashMap<RowRef, usize>,
    current_col: Option<usize>,
    /// Inside an INTORG … INTEND block: the line of its INTORG.
    integer_block: Option<usize>,
    offset: Option<(f64, usize)>,
    rhs_set: Option<String>,
    range_set: Option<String>,
    bound_set: Option<String>,
    seen_columns: bool,
    seen_rows: bool,
    has_objective: bool,
}

pub(crate) fn read(text: &str) -> Result<Model, FileError> {
    let mut r = Reader::default();
    let mut section = Section::Start;
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let content = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(c) = control_character(content) {
            return Err(syntax(
                line,
                format!("control character U+{:04X} in the line", c as u32),
            ));
        }
        if content.trim().is_empty() || content.starts_with('*') {
            continue;
        }
        let words: Vec<&str> = content.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
        let indented = content.starts_with([' ', '\t']);
        if section == Section::End {
            return Err(syntax(line, "text after ENDATA"));
        }
        if !indented {
            section = r.header(line, &words, section)?;
            continue;
        }
        match section {
            Section::Start | Section::Name => {
                return Err(syntax(
                    line,
                    format!("data line '{}' before any section that takes data", content.trim()),
                ))
            }
            Section::ObjSense => r.objsense_line(line, &words)?,
            Section::Rows => r.rows_line(line, &words)?,
            Section::Columns => r.columns_line(line, &words)?,
            Section::Rhs => r.rhs_line(line, &words)?,
            Section::Ranges => r.ranges_line(line, &words)?,
            Section::Bounds => r.bounds_line(line, &words)?,
            Section::End => unreachable!("handled above"),
        }
    }
    if section != Section::End {
        return Err(FileError::Whole("the file ends without ENDATA (truncated?)".into()));
    }
    r.finish()
}

impl Reader {
    /// A line starting in column 1: a section name.
    fn header(&mut self, line: usize, words: &[&str], current: Section) -> Result<Section, FileError> {
        let upper = words[0].to_ascii_uppercase();
        let Some(next) = Section::from_keyword(&upper) else {
            if UNSUPPORTED_SECTIONS.contains(&upper.as_str()) {
                return Err(syntax(
                    line,
                    format!("section {upper} is not supported (mipnet reads linear MILPs)"),
                ));
            }
            return Err(syntax(
                line,
                format!(
                    "unknown section '{}' (a line starting in column 1 names a section: NAME, OBJSENSE, ROWS, \
                     COLUMNS, RHS, RANGES, BOUNDS or ENDATA; data lines start with a space)",
                    words[0]
                ),
            ));
        };
        if next <= current {
            return Err(syntax(
                line,
                format!("section {upper} out of order or repeated (the order is NAME, OBJSENSE, ROWS, COLUMNS, RHS, RANGES, BOUNDS, ENDATA)"),
            ));
        }
        if current == Section::ObjSense && self.sense.is_none() {
            return Err(syntax(line, "OBJSENSE section without MAX or MIN"));
        }
        if current == Section::Columns {
            self.end_columns(line)?;
        }
        match next {
            Section::Name => {}
            Section::ObjSense => match words.len() {
                1 => {}
                2 => {
                    let sense = match words[1].to_ascii_uppercase().as_str() {
                        "MAX" => Sense::Maximize,
                        "MIN" => Sense::Minimize,
                        _ => {
                            return Err(syntax(
                                line,
                                format!("unknown objective sense '{}' (MAX or MIN)", words[1]),
                            ))
                        }
                    };
                    self.sense = Some((sense, line));
                }
                _ => return Err(syntax(line, "OBJSENSE takes at most one word, MAX or MIN")),
            },
            _ if words.len() > 1 => {
                return Err(syntax(line, format!("unexpected text after section name {upper}")));
            }
            _ => {}
        }
        if next > Section::Rows && current < Section::Rows {
            return Err(syntax(line, format!("section {upper} before ROWS")));
        }
        self.seen_columns |= next == Section::Columns;
        self.seen_rows |= next == Section::Rows;
        if next > Section::Columns && !self.seen_columns && next != Section::End {
            return Err(syntax(line, format!("section {upper} before COLUMNS")));
        }
        Ok(next)
    }

    fn objsense_line(&mut self, line: usize, words: &[&str]) -> Result<(), FileError> {
        if let Some((_, first)) = self.sense {
            return Err(syntax(
                line,
                format!("objective sense given twice (first on line {first})"),
            ));
        }
        let sense = match (words.len(), words[0].to_ascii_uppercase().as_str()) {
            (1, "MAX" | "MAXIMIZE") => Sense::Maximize,
            (1, "MIN" | "MINIMIZE") => Sense::Minimize,
            _ => {
                return Err(syntax(
                    line,
                    format!("expected MAX or MIN in OBJSENSE, found '{}'", words.join(" ")),
                ))
            }
        };
        self.sense = Some((sense, line));
        Ok(())
    }

    fn rows_line(&mut self, line: usize, words: &[&str]) -> Result<(), FileError> {
        if words.len() != 2 {
            return Err(syntax(
                line,
                format!(
                    "a ROWS line is a type (N, E, L, G) and a name, found {} words (names with spaces are not supported)",
                    words.len()
                ),
            ));
        }
        let (kind, name) = (words[0], words[1]);
        let row_ref = match kind {
            "N" if !self.has_objective => RowRef::Objective,
            "N" => RowRef::Free,
            "E" | "L" | "G" => RowRef::Constraint(self.rows.len()),
            _ => {
                return Err(syntax(
                    line,
                    format!("unknown row type '{kind}' of row '{name}' (N, E, L or G)"),
                ))
            }
        };
        if let Some((_, first)) = self.row_names.get(name) {
            return Err(syntax(
                line,
                format!("row '{name}' declared twice (first on line {first})"),
            ));
        }
        self.row_names.insert(name.to_string(), (row_ref, line));
        self.has_objective |= row_ref == RowRef::Objective;
        if let RowRef::Constraint(_) = row_ref {
            self.rows.push(RowDef {
                name: name.to_string(),
                kind: match kind {
                    "E" => RowKind::Equal,
                    "L" => RowKind::Less,
                    _ => RowKind::Greater,
                },
                rhs: None,
                range: None,
            });
            self.entries.push(Vec::new());
        }
        Ok(())
    }

    fn row(&self, line: usize, name: &str, section: &str) -> Result<RowRef, FileError> {
        self.row_names.get(name).map(|(r, _)| *r).ok_or_else(|| {
            syntax(
                line,
                format!("unknown row '{name}' in {section} (not declared in ROWS)"),
            )
        })
    }

    fn columns_line(&mut self, line: usize, words: &[&str]) -> Result<(), FileError> {
        if words.len() >= 2 && words[1] == "'MARKER'" {
            let marker = words.get(2).copied().unwrap_or("");
            if words.len() != 3 {
                return Err(syntax(
                    line,
                    "a MARKER line is a name, 'MARKER' and 'INTORG' or 'INTEND'",
                ));
            }
            match (marker, self.integer_block) {
                ("'INTORG'", None) => self.integer_block = Some(line),
                ("'INTEND'", Some(_)) => self.integer_block = None,
                ("'INTORG'", Some(first)) => {
                    return Err(syntax(
                        line,
                        format!("'INTORG' inside the integer block opened on line {first}"),
                    ))
                }
                ("'INTEND'", None) => return Err(syntax(line, "'INTEND' without an open 'INTORG'")),
                _ => return Err(syntax(line, format!("unknown marker {marker} ('INTORG' or 'INTEND')"))),
            }
            // A column continued across a marker would be ambiguous.
            self.current_col = None;
            self.current_entries.clear();
            return Ok(());
        }
        if words.len() != 3 && words.len() != 5 {
            return Err(syntax(
                line,
                format!(
                    "a COLUMNS line is a column name and one or two (row, value) pairs, found {} words \
                     (names with spaces are not supported)",
                    words.len()
                ),
            ));
        }
        let name = words[0];
        let col = match self.current_col {
            Some(j) if self.cols[j].name == name => j,
            _ => {
                if let Some(&j) = self.col_names.get(name) {
                    return Err(syntax(
                        line,
                        format!(
                            "column '{name}' continues after another column (its lines start on line {}; a column's lines must be together)",
                            self.cols[j].line
                        ),
                    ));
                }
                let j = self.cols.len();
                self.cols.push(ColDef {
                    name: name.to_string(),
                    line,
                    integer: self.integer_block.is_some(),
                    cost: 0.0,
                    lower: None,
                    upper: None,
                });
                self.col_names.insert(name.to_string(), j);
                self.current_col = Some(j);
                self.current_entries.clear();
                j
            }
        };
        for pair in words[1..].chunks(2) {
            let (row_name, word) = (pair[0], pair[1]);
            let row_ref = self.row(line, row_name, "COLUMNS")?;
            let value = parse_number(word)
                .map_err(|e| syntax(line, format!("coefficient of column '{name}' in row '{row_name}': {e}")))?;
            if !value.is_finite() {
                return Err(syntax(
                    line,
                    format!("coefficient of column '{name}' in row '{row_name}' is infinite"),
                ));
            }
            if let Some(first) = self.current_entries.insert(row_ref, line) {
                return Err(syntax(
                    line,
                    format!("column '{name}' has a second entry in row '{row_name}' (first on line {first})"),
                ));
            }
            match row_ref {
                RowRef::Objective => {
                    if value.abs() >= INFINITE_BOUND {
                        return Err(syntax(
                            line,
                            format!("objective coefficient {word} of column '{name}' is too large (at most {INFINITE_BOUND:e} in magnitude)"),
                        ));
                    }
                    self.cols[col].cost = value;
                }
                RowRef::Free => {}
                RowRef::Constraint(i) => {
                    check_coefficient(value)
                        .map_err(|e| syntax(line, format!("column '{name}' in row '{row_name}': {e}")))?;
                    if value != 0.0 {
                        self.entries[i].push((col as u32, value));
                    }
                }
            }
        }
        Ok(())
    }

    fn end_columns(&mut self, line: usize) -> Result<(), FileError> {
        if let Some(open) = self.integer_block {
            return Err(syntax(
                line,
                format!("the integer block opened on line {open} has no 'INTEND'"),
            ));
        }
        self.current_col = None;
        Ok(())
    }

    /// The set name and (row, value) pairs of an RHS or RANGES line. RHS
    /// lines may leave the set name out; RANGES lines may not.
    fn set_and_pairs<'w>(
        &self,
        line: usize,
        words: &[&'w str],
        section: &str,
        name_optional: bool,
    ) -> Result<SetAndPairs<'w>, FileError> {
        let first_is_row = self.row_names.contains_key(words[0]);
        let (set, rest) = match words.len() {
            3 | 5 if first_is_row && name_optional => {
                return Err(syntax(
                    line,
                    format!(
                        "'{}' in {section} is both a row and (here) the set name: ambiguous",
                        words[0]
                    ),
                ))
            }
            3 | 5 => (Some(words[0]), &words[1..]),
            2 | 4 if name_optional && first_is_row => (None, words),
            _ => {
                return Err(syntax(
                    line,
                    format!(
                        "a {section} line is {}one or two (row, value) pairs, found {} words",
                        if name_optional {
                            "an optional set name and "
                        } else {
                            "a set name and "
                        },
                        words.len()
                    ),
                ))
            }
        };
        Ok((set, rest.chunks(2).map(|p| (p[0], p[1])).collect()))
    }

    fn one_set(current: &mut Option<String>, set: Option<&str>, line: usize, section: &str) -> Result<(), FileError> {
        let set = set.unwrap_or("");
        match current {
            None => *current = Some(set.to_string()),
            Some(first) if first != set => {
                return Err(syntax(
                    line,
                    format!("a second {section} set '{set}' (the first is '{first}'; only one set is read)"),
                ))
            }
            _ => {}
        }
        Ok(())
    }

    fn rhs_line(&mut self, line: usize, words: &[&str]) -> Result<(), FileError> {
        let (set, pairs) = self.set_and_pairs(line, words, "RHS", true)?;
        Self::one_set(&mut self.rhs_set, set, line, "RHS")?;
        for (row_name, word) in pairs {
            let row_ref = self.row(line, row_name, "RHS")?;
            let value = parse_number(word).map_err(|e| syntax(line, format!("RHS of row '{row_name}': {e}")))?;
            if !value.is_finite() {
                return Err(syntax(line, format!("RHS of row '{row_name}' is infinite")));
            }
            match row_ref {
                RowRef::Objective => {
                    if let Some((_, first)) = self.offset {
                        return Err(syntax(
                            line,
                            format!("a second RHS of the objective row (first on line {first})"),
                        ));
                    }
                    // An RHS on the objective row is minus its constant term.
                    self.offset = Some((-value, line));
                }
                RowRef::Free => {
                    return Err(syntax(
                        line,
                        format!("RHS of the free row '{row_name}' (an N row other than the objective)"),
                    ))
                }
                RowRef::Constraint(i) => {
                    if let Some((_, first)) = self.rows[i].rhs {
                        return Err(syntax(
                            line,
                            format!("a second RHS of row '{row_name}' (first on line {first})"),
                        ));
                    }
                    self.rows[i].rhs = Some((value, line));
                }
            }
        }
        Ok(())
    }

    fn ranges_line(&mut self, line: usize, words: &[&str]) -> Result<(), FileError> {
        let (set, pairs) = self.set_and_pairs(line, words, "RANGES", false)?;
        Self::one_set(&mut self.range_set, set, line, "RANGES")?;
        for (row_name, word) in pairs {
            let row_ref = self.row(line, row_name, "RANGES")?;
            let RowRef::Constraint(i) = row_ref else {
                return Err(syntax(line, format!("range of the N row '{row_name}'")));
            };
            let value = parse_number(word).map_err(|e| syntax(line, format!("range of row '{row_name}': {e}")))?;
            if !value.is_finite() {
                return Err(syntax(line, format!("range of row '{row_name}' is infinite")));
            }
            if let Some((_, first)) = self.rows[i].range {
                return Err(syntax(
                    line,
                    format!("a second range of row '{row_name}' (first on line {first})"),
                ));
            }
            self.rows[i].range = Some((value, line));
        }
        Ok(())
    }

    fn bounds_line(&mut self, line: usize, words: &[&str]) -> Result<(), FileError> {
        let kind = words[0];
        let takes_value = match kind {
            "UP" | "LO" | "FX" | "LI" | "UI" => true,
            "MI" | "PL" | "BV" | "FR" => false,
            "SC" | "SI" => {
                return Err(syntax(
                    line,
                    format!("bound type {kind} (semi-continuous) is not supported (mipnet reads linear MILPs)"),
                ))
            }
            _ => {
                return Err(syntax(
                    line,
                    format!("unknown bound type '{kind}' (UP, LO, FX, FR, MI, PL, BV, LI, UI)"),
                ))
            }
        };
        let with_set = 3 + usize::from(takes_value);
        let second_is_col = words.len() > 1 && self.col_names.contains_key(words[1]);
        let (set, col_name, value_word) = if words.len() == with_set {
            if second_is_col {
                return Err(syntax(
                    line,
                    format!(
                        "'{}' in BOUNDS is both a column and (here) the bound set name: ambiguous",
                        words[1]
                    ),
                ));
            }
            (Some(words[1]), words[2], words.get(3).copied())
        } else if words.len() == with_set - 1 && second_is_col {
            (None, words[1], words.get(2).copied())
        } else {
            return Err(syntax(
                line,
                format!(
                    "a {kind} bound is the type, a bound set name, a column{}; found {} words",
                    if takes_value { " and a value" } else { " (no value)" },
                    words.len()
                ),
            ));
        };
        Self::one_set(&mut self.bound_set, set, line, "BOUNDS")?;
        let Some(&j) = self.col_names.get(col_name) else {
            return Err(syntax(
                line,
                format!("unknown column '{col_name}' in BOUNDS (not in COLUMNS)"),
            ));
        };
        let value = match value_word {
            Some(word) => {
                parse_number(word).map_err(|e| syntax(line, format!("{kind} bound of column '{col_name}': {e}")))?
            }
            None => 0.0,
        };
        let refuse = |what: &str| Err(syntax(line, format!("{kind} bound {what} of column '{col_name}'")));
        let (lower, upper) = match kind {
            "UP" | "UI" if value == f64::NEG_INFINITY => return refuse("-infinity as the upper bound"),
            "UP" | "UI" => (None, Some(value)),
            "LO" | "LI" if value == f64::INFINITY => return refuse("+infinity as the lower bound"),
            "LO" | "LI" => (Some(value), None),
            "FX" if !value.is_finite() => return refuse("infinite: a fixed value"),
            "FX" => (Some(value), Some(value)),
            "MI" => (Some(f64::NEG_INFINITY), None),
            "PL" => (None, Some(f64::INFINITY)),
            "BV" => (Some(0.0), Some(1.0)),
            _ => (Some(f64::NEG_INFINITY), Some(f64::INFINITY)), // FR
        };
        let col = &mut self.cols[j];
        for (side, new, which) in [(&mut col.lower, lower, "lower"), (&mut col.upper, upper, "upper")] {
            if let Some(v) = new {
                if let Some((_, first)) = side {
                    return Err(syntax(
                        line,
                        format!("a second {which} bound of column '{col_name}' (first on line {first})"),
                    ));
                }
                *side = Some((v, line));
            }
        }
        if matches!(kind, "BV" | "LI" | "UI") {
            col.integer = true;
        }
        Ok(())
    }

    fn finish(self) -> Result<Model, FileError> {
        if !self.seen_rows {
            return Err(FileError::Whole("no ROWS section".into()));
        }
        let sense = self.sense.map_or(Sense::Minimize, |(s, _)| s);
        let mut model = Model::with_capacity(sense, self.cols.len(), self.rows.len(), 0);
        model.set_offset(self.offset.map_or(0.0, |(v, _)| v));
        for c in &self.cols {
            if c.integer && c.lower.is_none() && c.upper.is_none() {
                return Err(syntax(
                    c.line,
                    format!(
                        "integer column '{}' has no bounds: readers differ on its default (HiGHS 0..1, CPLEX and \
                         Gurobi 0..infinity); give them in BOUNDS (e.g. 'UP BND {} 1' or 'BV BND {}')",
                        c.name, c.name, c.name
                    ),
                ));
            }
            if let (None, Some((u, line))) = (c.lower, c.upper) {
                if u < 0.0 {
                    return Err(syntax(
                        line,
                        format!(
                            "negative upper bound {u} of column '{}' without a lower bound: readers differ (some \
                             keep the lower bound 0, an empty range; some make it -infinity); give the lower bound",
                            c.name
                        ),
                    ));
                }
            }
            let lower = c.lower.map_or(0.0, |(v, _)| v);
            let upper = c.upper.map_or(f64::INFINITY, |(v, _)| v);
            let (lower, upper) =
                sides(lower, upper).map_err(|e| syntax(c.line, format!("column '{}': {e}", c.name)))?;
            let ty = if !c.integer {
                VarType::Continuous
            } else if lower >= 0.0 && upper <= 1.0 {
                VarType::Binary
            } else {
                VarType::Integer
            };
            let col = model.add_col(lower, upper, c.cost, ty);
            model.set_col_name(col, c.name.clone());
        }
        for (i, row) in self.rows.iter().enumerate() {
            let rhs = row.rhs.map_or(0.0, |(v, _)| v);
            let (mut lower, mut upper) = match row.kind {
                RowKind::Equal => (rhs, rhs),
                RowKind::Less => (f64::NEG_INFINITY, rhs),
                RowKind::Greater => (rhs, f64::INFINITY),
            };
            if let Some((range, _)) = row.range {
                match row.kind {
                    RowKind::Less => lower = upper - range.abs(),
                    RowKind::Greater => upper = lower + range.abs(),
                    RowKind::Equal if range > 0.0 => upper = lower + range,
                    RowKind::Equal if range < 0.0 => lower = upper + range,
                    RowKind::Equal => {}
                }
            }
            let line = row.range.or(row.rhs).map_or(0, |(_, l)| l);
            let (lower, upper) = sides(lower, upper).map_err(|e| syntax(line, format!("row '{}': {e}", row.name)))?;
            let r = model.add_row(
                lower,
                upper,
                self.entries[i].iter().map(|&(j, v)| (Col::from_index(j as usize), v)),
            );
            model.set_row_name(r, row.name.clone());
        }
        Ok(model)
    }
}

/// Bounds or sides with magnitudes of [`INFINITE_BOUND`] or more made
/// infinite; a lower side of +∞, an upper side of −∞ or a lower side
/// above the upper refused.
pub(crate) fn sides(lower: f64, upper: f64) -> Result<(f64, f64), String> {
    let lower = if lower <= -INFINITE_BOUND {
        f64::NEG_INFINITY
    } else {
        lower
    };
    let upper = if upper >= INFINITE_BOUND { f64::INFINITY } else { upper };
    if lower >= INFINITE_BOUND {
        return Err(format!("lower bound {lower} is infinite ({INFINITE_BOUND:e} or more)"));
    }
    if upper <= -INFINITE_BOUND {
        return Err(format!(
            "upper bound {upper} is minus infinity ({INFINITE_BOUND:e} or less)"
        ));
    }
    // An empty range is a mistake in the file, not a model to solve.
    if lower > upper {
        return Err(format!(
            "lower bound {lower} is above upper bound {upper}: the range is empty"
        ));
    }
    Ok((lower, upper))
}

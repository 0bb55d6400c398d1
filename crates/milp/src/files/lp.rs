//! The strict LP reader: the CPLEX LP format as HiGHS's reader defines it
//! (objective, `subject to`, `bounds`, `general`, `binary`, `end`; words and
//! numbers lexed exactly as HiGHS lexes them), refusing what HiGHS would
//! read with only a warning (a constant on a constraint's left-hand side,
//! which it drops) or silently (a misspelled variable in the bounds or
//! integer sections, which it adds as a new column; a bound given twice,
//! of which it keeps the last), and conventions readers differ on.

use super::mps::sides;
use super::{check_coefficient, control_character, syntax, FileError, INFINITE_BOUND};
use crate::{Col, Model, Sense, VarType};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Identifier,
    Number(f64),
    Plus,
    Minus,
    Times,
    Divide,
    Power,
    OpenBracket,
    CloseBracket,
    Colon,
    Less,
    Greater,
    Equal,
    Implies,
    End,
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    line: usize,
    line_start: bool,
}

/// Characters of a name: printable, not whitespace, not an operator.
fn is_identifier_char(c: u8) -> bool {
    c > 0x20 && c != 0x7F && !b"\\:+-*^<>=[]".contains(&c)
}

/// Splits the text into tokens, as HiGHS's lexer does.
fn lex(text: &str) -> Result<Vec<Token<'_>>, FileError> {
    for (i, l) in text.split('\n').enumerate() {
        if let Some(c) = control_character(l.strip_suffix('\r').unwrap_or(l)) {
            return Err(syntax(
                i + 1,
                format!("control character U+{:04X} in the line", c as u32),
            ));
        }
    }
    let b = text.as_bytes();
    let mut tokens = Vec::new();
    let (mut pos, mut line, mut line_start) = (0, 1, true);
    loop {
        while pos < b.len() {
            match b[pos] {
                b'\\' => {
                    while pos < b.len() && b[pos] != b'\n' {
                        pos += 1;
                    }
                    continue;
                }
                b'\n' => {
                    line += 1;
                    line_start = true;
                }
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            pos += 1;
        }
        if pos >= b.len() {
            tokens.push(Token {
                kind: Kind::End,
                text: "",
                line,
                line_start: true,
            });
            return Ok(tokens);
        }
        let c = b[pos];
        let next = b.get(pos + 1).copied().unwrap_or(0);
        let mut len = 1;
        let kind = if c.is_ascii_digit() || (c == b'.' && next.is_ascii_digit()) {
            let mut end = pos;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
            if end < b.len() && b[end] == b'.' {
                end += 1;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
            }
            if end < b.len() && matches!(b[end], b'e' | b'E') {
                let mut exponent = end + 1;
                if exponent < b.len() && matches!(b[exponent], b'+' | b'-') {
                    exponent += 1;
                }
                if exponent < b.len() && b[exponent].is_ascii_digit() {
                    end = exponent;
                    while end < b.len() && b[end].is_ascii_digit() {
                        end += 1;
                    }
                }
            }
            len = end - pos;
            let word = &text[pos..end];
            let value: f64 = word
                .parse()
                .map_err(|_| syntax(line, format!("'{word}' is not a number")))?;
            if !value.is_finite() {
                return Err(syntax(line, format!("'{word}' is beyond the range of a 64-bit float")));
            }
            Kind::Number(value)
        } else if is_identifier_char(c) && c != b'/' {
            while pos + len < b.len() && is_identifier_char(b[pos + len]) {
                len += 1;
            }
            Kind::Identifier
        } else {
            match c {
                b'+' => Kind::Plus,
                b'-' if next == b'>' => {
                    len = 2;
                    Kind::Implies
                }
                b'-' => Kind::Minus,
                b'*' => Kind::Times,
                b'/' => Kind::Divide,
                b'^' => Kind::Power,
                b'[' => Kind::OpenBracket,
                b']' => Kind::CloseBracket,
                b':' => Kind::Colon,
                b'<' | b'>' => {
                    if next == b'=' {
                        len = 2;
                    }
                    if c == b'<' {
                        Kind::Less
                    } else {
                        Kind::Greater
                    }
                }
                b'=' => {
                    if matches!(next, b'=' | b'<' | b'>') {
                        len = 2;
                    }
                    match next {
                        b'<' => Kind::Less,
                        b'>' => Kind::Greater,
                        _ => Kind::Equal,
                    }
                }
                _ => return Err(syntax(line, format!("unexpected character 0x{c:02X}"))),
            }
        };
        // Identifiers end at ASCII bytes, so slicing stays on characters.
        let Some(word) = text.get(pos..pos + len) else {
            return Err(syntax(line, "malformed text"));
        };
        tokens.push(Token {
            kind,
            text: word,
            line,
            line_start,
        });
        line_start = false;
        pos += len;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Minimize,
    Maximize,
    Constraints,
    Bounds,
    General,
    Binary,
    Semi,
    Sos,
    End,
}

/// HiGHS's one-word section keywords (case-insensitive).
const KEYWORDS: &[(&str, Section)] = &[
    ("minimize", Section::Minimize),
    ("minimise", Section::Minimize),
    ("minimum", Section::Minimize),
    ("min", Section::Minimize),
    ("maximize", Section::Maximize),
    ("maximise", Section::Maximize),
    ("maximum", Section::Maximize),
    ("max", Section::Maximize),
    ("st", Section::Constraints),
    ("s.t.", Section::Constraints),
    ("st.", Section::Constraints),
    ("bounds", Section::Bounds),
    ("bound", Section::Bounds),
    ("general", Section::General),
    ("generals", Section::General),
    ("gen", Section::General),
    ("integer", Section::General),
    ("integers", Section::General),
    ("binary", Section::Binary),
    ("binaries", Section::Binary),
    ("bin", Section::Binary),
    ("semi", Section::Semi),
    ("semis", Section::Semi),
    ("sos", Section::Sos),
    ("end", Section::End),
];

struct ColDef {
    name: String,
    cost: f64,
    lower: Option<(f64, usize)>,
    upper: Option<(f64, usize)>,
    integer: bool,
    binary: bool,
}

struct RowDef {
    name: String,
    lower: f64,
    upper: f64,
    entries: Vec<(u32, f64)>,
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    at: usize,
    cols: Vec<ColDef>,
    col_index: HashMap<&'a str, usize>,
    rows: Vec<RowDef>,
    row_names: HashMap<String, usize>,
    sense: Option<Sense>,
    offset: f64,
    /// The constraint being read: its entries, and each column's position
    /// among them ([`NO_SLOT`] if absent), so repeats add up in O(1).
    row_entries: Vec<(u32, f64)>,
    slot: Vec<usize>,
}

/// A column not (yet) in the constraint being read.
const NO_SLOT: usize = usize::MAX;

pub(crate) fn read(text: &str) -> Result<Model, FileError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        at: 0,
        cols: Vec::new(),
        col_index: HashMap::new(),
        rows: Vec::new(),
        row_names: HashMap::new(),
        sense: None,
        offset: 0.0,
        row_entries: Vec::new(),
        slot: Vec::new(),
    };
    p.parse()?;
    p.finish()
}

fn describe(t: &Token) -> String {
    if t.kind == Kind::End {
        "the end of the file".into()
    } else {
        format!("'{}'", t.text)
    }
}

impl<'a> Parser<'a> {
    fn peek(&self, n: usize) -> Token<'a> {
        let last = self.tokens.len() - 1;
        self.tokens[(self.at + n).min(last)]
    }

    fn next(&mut self) -> Token<'a> {
        let t = self.peek(0);
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        t
    }

    fn error<T>(&self, t: &Token, message: impl Into<String>) -> Result<T, FileError> {
        Err(syntax(t.line, message))
    }

    /// The section keyword at token `i` and its length in tokens.
    fn keyword_at(&self, i: usize) -> Option<(Section, usize)> {
        let t = self.peek(i);
        if t.kind != Kind::Identifier || !t.line_start {
            return None;
        }
        let second = self.peek(i + 1);
        if second.kind == Kind::Colon {
            return None;
        }
        let word = t.text.to_ascii_lowercase();
        let second_word = second.text.to_ascii_lowercase();
        if (word == "subject" && second_word == "to") || (word == "such" && second_word == "that") {
            return (!second.line_start).then_some((Section::Constraints, 2));
        }
        if word == "semi" && second.kind == Kind::Minus && !second.line_start {
            let third = self.peek(i + 2);
            if third.kind == Kind::Identifier && !third.line_start && third.text.eq_ignore_ascii_case("continuous") {
                return Some((Section::Semi, 3));
            }
        }
        KEYWORDS.iter().find(|(k, _)| *k == word).map(|&(_, s)| (s, 1))
    }

    fn at_section_end(&self) -> bool {
        self.peek(0).kind == Kind::End || self.keyword_at(0).is_some()
    }

    fn parse(&mut self) -> Result<(), FileError> {
        if self.peek(0).kind == Kind::End {
            return Err(FileError::Whole(
                "the file is empty (no objective, no constraints)".into(),
            ));
        }
        loop {
            let token = self.peek(0);
            let Some((section, len)) = self.keyword_at(0) else {
                if token.kind == Kind::End {
                    return self.error(&token, "the file ends without 'end'");
                }
                return self.error(
                    &token,
                    format!(
                        "expected a section keyword (minimize, maximize, subject to, bounds, general, binary, end) at the start of a line, found {}",
                        describe(&token)
                    ),
                );
            };
            for _ in 0..len {
                self.next();
            }
            match section {
                Section::Minimize | Section::Maximize => {
                    if self.sense.is_some() {
                        return self.error(&token, "a second objective");
                    }
                    self.sense = Some(if section == Section::Minimize {
                        Sense::Minimize
                    } else {
                        Sense::Maximize
                    });
                    self.parse_name();
                    self.parse_expression(true)?;
                }
                Section::Constraints => {
                    while !self.at_section_end() {
                        self.parse_constraint()?;
                    }
                }
                Section::Bounds => {
                    while !self.at_section_end() {
                        self.parse_bound()?;
                    }
                }
                Section::General | Section::Binary => {
                    while !self.at_section_end() {
                        let t = self.next();
                        let j = self.existing_column(&t, "the integer sections")?;
                        self.cols[j].integer = true;
                        self.cols[j].binary |= section == Section::Binary;
                    }
                }
                Section::Semi => {
                    // HiGHS's writer always writes the section, often empty.
                    if !self.at_section_end() {
                        return self.error(
                            &token,
                            "semi-continuous variables are not supported (mipnet reads linear MILPs)",
                        );
                    }
                }
                Section::Sos => {
                    return self.error(&token, "SOS constraints are not supported (mipnet reads linear MILPs)")
                }
                Section::End => {
                    let after = self.peek(0);
                    if after.kind != Kind::End {
                        return self.error(&after, format!("text after 'end': {}", describe(&after)));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// `name:` before an objective or constraint, if there is one.
    fn parse_name(&mut self) -> Option<Token<'a>> {
        let t = self.peek(0);
        if matches!(t.kind, Kind::Identifier | Kind::Number(_)) && self.peek(1).kind == Kind::Colon {
            self.next();
            self.next();
            return Some(t);
        }
        None
    }

    /// The column named by `t`, added if new (objective and constraints).
    fn column(&mut self, t: &Token<'a>) -> usize {
        if let Some(&j) = self.col_index.get(t.text) {
            return j;
        }
        let j = self.cols.len();
        self.cols.push(ColDef {
            name: t.text.to_string(),
            cost: 0.0,
            lower: None,
            upper: None,
            integer: false,
            binary: false,
        });
        self.col_index.insert(t.text, j);
        self.slot.push(NO_SLOT);
        j
    }

    /// A variable of the bounds or integer sections: it must appear in the
    /// objective or a constraint (HiGHS would silently add a new column,
    /// so a misspelled name would leave the intended variable unbounded).
    fn existing_column(&self, t: &Token<'a>, section: &str) -> Result<usize, FileError> {
        if t.kind != Kind::Identifier {
            return self.error(t, format!("expected a variable in {section}, found {}", describe(t)));
        }
        self.col_index.get(t.text).copied().ok_or_else(|| {
            syntax(
                t.line,
                format!(
                    "variable '{}' in {section} appears in no objective or constraint (misspelled?)",
                    t.text
                ),
            )
        })
    }

    /// Terms until the next section (objective) or comparison (constraint).
    fn parse_expression(&mut self, objective: bool) -> Result<(), FileError> {
        let mut first = true;
        loop {
            let token = self.peek(0);
            if token.kind == Kind::End
                || self.keyword_at(0).is_some()
                || (!objective && matches!(token.kind, Kind::Less | Kind::Greater | Kind::Equal))
            {
                return Ok(());
            }
            let mut sign = 1.0;
            let mut has_sign = false;
            while matches!(self.peek(0).kind, Kind::Plus | Kind::Minus) {
                if self.next().kind == Kind::Minus {
                    sign = -sign;
                }
                has_sign = true;
            }
            if !first && !has_sign {
                return self.error(&token, format!("expected '+' or '-' before {}", describe(&token)));
            }
            first = false;
            let t = self.peek(0);
            match t.kind {
                Kind::Number(value) => {
                    self.next();
                    let coef = sign * value;
                    let next = self.peek(0);
                    if next.kind == Kind::Times {
                        self.next();
                        let var = self.next();
                        if var.kind != Kind::Identifier || self.is_keyword_token(&var) {
                            return self
                                .error(&var, format!("expected a variable after '*', found {}", describe(&var)));
                        }
                        self.add_term(&var, coef, objective)?;
                    } else if next.kind == Kind::Identifier && self.keyword_at(0).is_none() {
                        let var = self.next();
                        self.add_term(&var, coef, objective)?;
                    } else if next.kind == Kind::OpenBracket {
                        return self.error(&next, "quadratic terms are not supported (mipnet reads linear MILPs)");
                    } else if objective {
                        self.offset += coef;
                    } else {
                        return self.error(
                            &t,
                            format!(
                                "a constant ({}) on the left-hand side of a constraint (HiGHS drops it): move it to the right-hand side",
                                coef
                            ),
                        );
                    }
                }
                Kind::Identifier if self.keyword_at(0).is_none() => {
                    let var = self.next();
                    self.add_term(&var, sign, objective)?;
                }
                Kind::OpenBracket => {
                    return self.error(&t, "quadratic terms are not supported (mipnet reads linear MILPs)")
                }
                _ => return self.error(&t, format!("expected a number or a variable, found {}", describe(&t))),
            }
        }
    }

    /// A keyword word at the start of a line (where it ends a section).
    fn is_keyword_token(&self, t: &Token) -> bool {
        t.line_start && KEYWORDS.iter().any(|(k, _)| t.text.eq_ignore_ascii_case(k))
    }

    fn add_term(&mut self, var: &Token<'a>, coef: f64, objective: bool) -> Result<(), FileError> {
        let j = self.column(var);
        if objective {
            self.cols[j].cost += coef;
        } else {
            // A variable repeated in a constraint: its coefficients add up.
            match self.slot[j] {
                NO_SLOT => {
                    self.slot[j] = self.row_entries.len();
                    self.row_entries.push((j as u32, coef));
                }
                k => self.row_entries[k].1 += coef,
            }
        }
        let next = self.peek(0);
        if matches!(next.kind, Kind::Times | Kind::Power) {
            return self.error(&next, "quadratic terms are not supported (mipnet reads linear MILPs)");
        }
        Ok(())
    }

    fn parse_number(&mut self, what: &str) -> Result<(f64, Token<'a>), FileError> {
        let mut sign = 1.0;
        while matches!(self.peek(0).kind, Kind::Plus | Kind::Minus) {
            if self.next().kind == Kind::Minus {
                sign = -sign;
            }
        }
        let t = self.next();
        match t.kind {
            Kind::Number(v) => Ok((sign * v, t)),
            Kind::Identifier if t.text.eq_ignore_ascii_case("inf") || t.text.eq_ignore_ascii_case("infinity") => {
                Ok((sign * f64::INFINITY, t))
            }
            _ => self.error(&t, format!("expected {what}, found {}", describe(&t))),
        }
    }

    fn check_new_line(&self, what: &str) -> Result<(), FileError> {
        let t = self.peek(0);
        if t.kind != Kind::End && !t.line_start {
            return self.error(&t, format!("expected a new line after {what}, found {}", describe(&t)));
        }
        Ok(())
    }

    fn parse_constraint(&mut self) -> Result<(), FileError> {
        let first = self.peek(0);
        if matches!(first.kind, Kind::Identifier | Kind::Number(_))
            && self.peek(1).kind == Kind::Colon
            && self.peek(2).kind == Kind::Colon
        {
            return self.error(&first, "SOS constraints are not supported (mipnet reads linear MILPs)");
        }
        let name = self.parse_name();
        let after_name = self.peek(0);
        if after_name.kind == Kind::Identifier
            && self.peek(1).kind == Kind::Equal
            && matches!(self.peek(2).kind, Kind::Number(_))
            && self.peek(3).kind == Kind::Implies
        {
            return self.error(
                &after_name,
                "indicator constraints are not supported (mipnet reads linear MILPs)",
            );
        }
        if let Some(n) = &name {
            if let Some(&first_row) = self.row_names.get(n.text) {
                return self.error(
                    n,
                    format!(
                        "constraint '{}' defined twice (first is constraint {})",
                        n.text,
                        first_row + 1
                    ),
                );
            }
        }
        self.parse_expression(false)?;
        let mut entries = std::mem::take(&mut self.row_entries);
        for &(j, _) in &entries {
            self.slot[j as usize] = NO_SLOT;
        }
        let cmp = self.next();
        if !matches!(cmp.kind, Kind::Less | Kind::Greater | Kind::Equal) {
            return self.error(&cmp, format!("expected '<=', '>=' or '=', found {}", describe(&cmp)));
        }
        let (rhs, rhs_token) = self.parse_number("the right-hand side")?;
        if !rhs.is_finite() || rhs.abs() >= INFINITE_BOUND {
            return self.error(&rhs_token, "the right-hand side of a constraint must be finite");
        }
        self.check_new_line("the constraint")?;
        let lower = if cmp.kind == Kind::Less { f64::NEG_INFINITY } else { rhs };
        let upper = if cmp.kind == Kind::Greater { f64::INFINITY } else { rhs };
        entries.retain(|&(_, v)| v != 0.0);
        for &(j, v) in &entries {
            check_coefficient(v).map_err(|e| syntax(cmp.line, format!("'{}': {e}", self.cols[j as usize].name)))?;
        }
        let row_name = name.map_or(String::new(), |n| n.text.to_string());
        if !row_name.is_empty() {
            self.row_names.insert(row_name.clone(), self.rows.len());
        }
        self.rows.push(RowDef {
            name: row_name,
            lower,
            upper,
            entries,
        });
        Ok(())
    }

    fn set_side(&mut self, j: usize, lower: bool, value: f64, t: &Token) -> Result<(), FileError> {
        let name = self.cols[j].name.clone();
        let (side, which) = if lower {
            (&mut self.cols[j].lower, "lower")
        } else {
            (&mut self.cols[j].upper, "upper")
        };
        if let Some((_, first)) = side {
            return Err(syntax(
                t.line,
                format!("a second {which} bound of '{name}' (first on line {first})"),
            ));
        }
        if (lower && value == f64::INFINITY) || (!lower && value == f64::NEG_INFINITY) {
            return Err(syntax(t.line, format!("{which} bound {value} of '{name}'")));
        }
        *side = Some((value, t.line));
        Ok(())
    }

    fn parse_bound(&mut self) -> Result<(), FileError> {
        let t = self.peek(0);
        let infinity = t.text.eq_ignore_ascii_case("inf") || t.text.eq_ignore_ascii_case("infinity");
        if t.kind == Kind::Identifier && !infinity {
            self.next();
            let j = self.existing_column(&t, "the bounds")?;
            let op = self.next();
            if op.kind == Kind::Identifier && op.text.eq_ignore_ascii_case("free") {
                self.set_side(j, true, f64::NEG_INFINITY, &t)?;
                self.set_side(j, false, f64::INFINITY, &t)?;
            } else if matches!(op.kind, Kind::Less | Kind::Greater | Kind::Equal) {
                let (value, _) = self.parse_number("the value of the bound")?;
                if op.kind != Kind::Less {
                    self.set_side(j, true, value, &t)?;
                }
                if op.kind != Kind::Greater {
                    self.set_side(j, false, value, &t)?;
                }
            } else {
                return self.error(
                    &op,
                    format!("expected 'free', '<=', '>=' or '=', found {}", describe(&op)),
                );
            }
        } else {
            if !matches!(t.kind, Kind::Plus | Kind::Minus | Kind::Number(_)) && !infinity {
                return self.error(&t, format!("expected a bound, found {}", describe(&t)));
            }
            let (value, _) = self.parse_number("a number")?;
            let op = self.next();
            if !matches!(op.kind, Kind::Less | Kind::Greater | Kind::Equal) {
                return self.error(&op, format!("expected '<=', '>=' or '=', found {}", describe(&op)));
            }
            let var = self.next();
            if self.is_keyword_token(&var) {
                return self.error(&var, format!("expected a variable, found {}", describe(&var)));
            }
            let j = self.existing_column(&var, "the bounds")?;
            let op2 = self.peek(0);
            if matches!(op2.kind, Kind::Less | Kind::Greater | Kind::Equal) {
                if op.kind == Kind::Equal || op2.kind != op.kind {
                    return self.error(&op2, "a bound on both sides of a variable needs two '<=' or two '>='");
                }
                self.next();
                let (value2, _) = self.parse_number("the value of the bound")?;
                let (lo, hi) = if op.kind == Kind::Less {
                    (value, value2)
                } else {
                    (value2, value)
                };
                self.set_side(j, true, lo, &var)?;
                self.set_side(j, false, hi, &var)?;
            } else {
                if op.kind != Kind::Greater {
                    self.set_side(j, true, value, &var)?;
                }
                if op.kind != Kind::Less {
                    self.set_side(j, false, value, &var)?;
                }
            }
        }
        self.check_new_line("the bound")
    }

    fn finish(self) -> Result<Model, FileError> {
        let mut model = Model::with_capacity(self.sense.unwrap_or_default(), self.cols.len(), self.rows.len(), 0);
        model.set_offset(self.offset);
        for c in &self.cols {
            if c.cost.abs() >= INFINITE_BOUND || !c.cost.is_finite() {
                return Err(FileError::Whole(format!(
                    "objective coefficient {} of '{}' is too large (at most {INFINITE_BOUND:e} in magnitude)",
                    c.cost, c.name
                )));
            }
            if let (None, Some((u, line))) = (c.lower, c.upper) {
                if u < 0.0 {
                    return Err(syntax(
                        line,
                        format!(
                            "negative upper bound {u} of '{}' without a lower bound: readers differ (some keep the \
                             lower bound 0, an empty range; some make it -infinity); give the lower bound",
                            c.name
                        ),
                    ));
                }
            }
            let lower = c.lower.map_or(0.0, |(v, _)| v);
            let mut upper = c.upper.map_or(f64::INFINITY, |(v, _)| v);
            if c.binary {
                let outside = c.lower.is_some_and(|(v, _)| !(0.0..=1.0).contains(&v))
                    || c.upper.is_some_and(|(v, _)| !(0.0..=1.0).contains(&v));
                if outside {
                    let line = c.lower.or(c.upper).map_or(0, |(_, l)| l);
                    return Err(syntax(
                        line,
                        format!(
                            "binary variable '{}' has a bound outside [0, 1]: readers differ on which wins",
                            c.name
                        ),
                    ));
                }
                if c.upper.is_none() {
                    upper = 1.0;
                }
            }
            let (lower, upper) = sides(lower, upper).map_err(|e| FileError::Whole(format!("'{}': {e}", c.name)))?;
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
        if self.offset.abs() >= INFINITE_BOUND {
            return Err(FileError::Whole(format!(
                "objective constant {} is too large",
                self.offset
            )));
        }
        for row in self.rows {
            let r = model.add_row(
                row.lower,
                row.upper,
                row.entries.iter().map(|&(j, v)| (Col::from_index(j as usize), v)),
            );
            model.set_row_name(r, row.name);
        }
        Ok(model)
    }
}

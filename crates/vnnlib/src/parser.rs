//! Text → S-expressions → DNF of [`Linear`] constraints.
//!
//! Every node keeps the position of its first character so that any error,
//! however deep in a term, points at the offending token.

use std::collections::BTreeMap;

use crate::{Linear, VnnlibError, MAX_DISJUNCTS};

/// Deeper nesting is refused rather than risking a stack overflow in the
/// recursive term translation; real properties nest a handful of levels.
const MAX_DEPTH: usize = 1000;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Pos {
    line: usize,
    column: usize,
}

pub(crate) enum Sexp {
    Atom(String, Pos),
    List(Vec<Sexp>, Pos),
}

impl Sexp {
    fn pos(&self) -> Pos {
        match self {
            Sexp::Atom(_, p) | Sexp::List(_, p) => *p,
        }
    }
}

fn err(pos: Pos, message: impl Into<String>) -> VnnlibError {
    VnnlibError::At {
        line: pos.line,
        column: pos.column,
        message: message.into(),
    }
}

/// Tokenizes and reads the top-level S-expressions.
pub(crate) fn read(text: &str) -> Result<Vec<Sexp>, VnnlibError> {
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut column) = (0, 1, 1);
    // `open[0]` collects the top level; each unclosed '(' adds a list being built.
    let mut open: Vec<(Vec<Sexp>, Pos)> = vec![(Vec::new(), Pos { line, column })];
    let token_len = |from: usize, end: &dyn Fn(char) -> bool| chars[from..].iter().position(|&c| end(c));
    while i < chars.len() {
        let pos = Pos { line, column };
        let mut len = 1;
        match chars[i] {
            '\n' => (line, column) = (line + 1, 0),
            ';' => len = token_len(i, &|c| c == '\n').unwrap_or(chars.len() - i),
            '(' if open.len() > MAX_DEPTH => return Err(err(pos, format!("nesting deeper than {MAX_DEPTH} levels"))),
            '(' => open.push((Vec::new(), pos)),
            ')' if open.len() == 1 => return Err(VnnlibError::Unopened { line, column }),
            ')' => {
                let (items, start) = open.pop().unwrap();
                open.last_mut().unwrap().0.push(Sexp::List(items, start));
            }
            c if c.is_whitespace() => {}
            _ => {
                len = token_len(i, &|c| c.is_whitespace() || "();".contains(c)).unwrap_or(chars.len() - i);
                open.last_mut()
                    .unwrap()
                    .0
                    .push(Sexp::Atom(chars[i..i + len].iter().collect(), pos));
            }
        }
        (i, column) = (i + len, column + len);
    }
    match open.get(1) {
        Some((_, p)) => Err(VnnlibError::Unclosed {
            line: p.line,
            column: p.column,
        }),
        None => Ok(open.pop().unwrap().0),
    }
}

/// A disjunction of conjunctions. `[]` is false, `[[]]` is true.
pub(crate) type Dnf = Vec<Vec<Linear>>;

/// An affine term: merged coefficients of X and Y plus a constant. Zero
/// coefficients are removed eagerly so "is this term constant?" is exact.
#[derive(Default, Clone)]
struct Affine {
    x: BTreeMap<usize, f64>,
    y: BTreeMap<usize, f64>,
    c: f64,
}

impl Affine {
    fn is_const(&self) -> bool {
        self.x.is_empty() && self.y.is_empty()
    }
    /// Finite numbers can sum or multiply to infinity (or NaN): `what`
    /// (e.g. "the product") is then refused at `pos`, since an infinite
    /// coefficient or constant would turn into a different property.
    fn finite(self, pos: Pos, what: &str) -> Result<Affine, VnnlibError> {
        let all_finite = self.x.values().chain(self.y.values()).all(|v| v.is_finite()) && self.c.is_finite();
        if all_finite {
            Ok(self)
        } else {
            Err(err(
                pos,
                format!("{what} is beyond the largest finite number (±{:.1e})", f64::MAX),
            ))
        }
    }
    fn scale(mut self, k: f64) -> Affine {
        for v in self.x.values_mut().chain(self.y.values_mut()) {
            *v *= k;
        }
        self.x.retain(|_, v| *v != 0.0);
        self.y.retain(|_, v| *v != 0.0);
        self.c *= k;
        self
    }
    fn add(mut self, other: Affine) -> Affine {
        for (map, terms) in [(&mut self.x, other.x), (&mut self.y, other.y)] {
            for (k, v) in terms {
                let sum = *map.get(&k).unwrap_or(&0.0) + v;
                if sum == 0.0 {
                    map.remove(&k);
                } else {
                    map.insert(k, sum);
                }
            }
        }
        self.c += other.c;
        self
    }
}

/// `a ≤ b` (`a < b` when `strict`) as a DNF: a single row, or true/false
/// when no variable remains; `pos` is where an overflow of `a − b` is
/// reported.
fn less_eq(a: Affine, b: Affine, strict: bool, pos: Pos) -> Result<Dnf, VnnlibError> {
    let d = a
        .add(b.scale(-1.0))
        .finite(pos, "the difference of the compared terms")?;
    if d.is_const() {
        let holds = if strict { d.c < 0.0 } else { d.c <= 0.0 };
        return Ok(if holds { vec![vec![]] } else { vec![] });
    }
    let row = Linear {
        inputs: d.x.into_iter().collect(),
        outputs: d.y.into_iter().collect(),
        rhs: -d.c + 0.0,
        strict,
    };
    Ok(vec![vec![row]])
}

fn blow_up(pos: Pos) -> VnnlibError {
    err(
        pos,
        format!("the disjunctive normal form would exceed {MAX_DISJUNCTS} disjuncts (too many nested or's)"),
    )
}

/// Most constraint rows the DNF may hold over all its disjuncts: every
/// disjunct repeats the rows asserted beside an `or`, so a 22 KB file (16
/// two-way `or`s and 1000 bounds) otherwise asks for 65 million rows, over
/// 5 GB. Real properties hold a few thousand.
const MAX_ROWS: usize = 1 << 22;

fn rows(d: &Dnf) -> usize {
    d.iter().map(Vec::len).sum()
}

fn too_many_rows(pos: Pos) -> VnnlibError {
    err(
        pos,
        format!(
            "the disjunctive normal form would hold more than {MAX_ROWS} constraints \
             (every disjunct repeats the constraints asserted beside an or)"
        ),
    )
}

/// Conjunction by cross product. Sizes are checked before anything is built,
/// and a false part makes the whole false even if the others are huge.
fn and_all(parts: Vec<(Dnf, Pos)>) -> Result<Dnf, VnnlibError> {
    if parts.iter().any(|(d, _)| d.is_empty()) {
        return Ok(vec![]);
    }
    let mut count = 1usize;
    for (d, pos) in &parts {
        count = count.saturating_mul(d.len());
        if count > MAX_DISJUNCTS {
            return Err(blow_up(*pos));
        }
    }
    // Each disjunct of a part is in `count / len` disjuncts of the result.
    let mut total = 0usize;
    for (d, pos) in &parts {
        total = total.saturating_add(rows(d).saturating_mul(count / d.len()));
        if total > MAX_ROWS {
            return Err(too_many_rows(*pos));
        }
    }
    let mut acc: Dnf = vec![vec![]];
    for (d, _) in parts {
        match d.as_slice() {
            // The common case (one assert per bound) appends in place: no quadratic copying.
            [only] => acc.iter_mut().for_each(|a| a.extend_from_slice(only)),
            _ => {
                acc = acc
                    .iter()
                    .flat_map(|a| d.iter().map(move |b| [a.as_slice(), b].concat()))
                    .collect()
            }
        }
    }
    Ok(acc)
}

/// Declared variables, by kind (0 = X, 1 = Y), with declaration positions.
struct Translator {
    declared: [BTreeMap<usize, Pos>; 2],
}

/// `X_3` → `Some(("X", 3))`: any `letters_digits` name, so that `Z_1` can be
/// reported as an unknown variable rather than as a bad number.
fn var_name(s: &str) -> Option<(&str, usize)> {
    let (prefix, digits) = s.rsplit_once('_')?;
    let prefix_ok = prefix.starts_with(|c: char| c.is_ascii_alphabetic()) && prefix.chars().all(char::is_alphanumeric);
    let digits_ok =
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    if prefix_ok && digits_ok {
        Some((prefix, digits.parse().ok()?))
    } else {
        None
    }
}

fn kind(prefix: &str) -> Option<usize> {
    ["X", "Y"].iter().position(|&p| p == prefix)
}

fn unknown(pos: Pos, name: &str) -> VnnlibError {
    err(
        pos,
        format!("unknown variable {name} (VNN-LIB variables are X_i and Y_j, declared with declare-const)"),
    )
}

/// Splits `(op args...)`.
fn head(items: &[Sexp], pos: Pos) -> Result<(&str, Pos, &[Sexp]), VnnlibError> {
    match items.split_first() {
        None => Err(err(pos, "empty list '()'")),
        Some((Sexp::Atom(op, p), args)) => Ok((op, *p, args)),
        Some((first, _)) => Err(err(first.pos(), "expected an operator, got a list")),
    }
}

const COMPARISONS: [&str; 5] = ["<=", ">=", "<", ">", "="];

impl Translator {
    fn boolean(&self, term: &Sexp) -> Result<Dnf, VnnlibError> {
        let (items, pos) = match term {
            Sexp::Atom(s, _) if s == "true" => return Ok(vec![vec![]]),
            Sexp::Atom(s, _) if s == "false" => return Ok(vec![]),
            Sexp::Atom(s, p) => {
                return Err(err(
                    *p,
                    format!("expected a boolean term (comparison, and, or), got '{s}'"),
                ))
            }
            Sexp::List(items, pos) => (items, *pos),
        };
        let (op, op_pos, args) = head(items, pos)?;
        match op {
            "and" => and_all(
                args.iter()
                    .map(|a| Ok((self.boolean(a)?, a.pos())))
                    .collect::<Result<_, _>>()?,
            ),
            "or" => {
                let (mut out, mut total) = (Vec::new(), 0usize);
                for a in args {
                    let d = self.boolean(a)?;
                    total += rows(&d);
                    out.extend(d);
                    if out.len() > MAX_DISJUNCTS {
                        return Err(blow_up(a.pos()));
                    }
                    if total > MAX_ROWS {
                        return Err(too_many_rows(a.pos()));
                    }
                }
                Ok(out)
            }
            _ if COMPARISONS.contains(&op) => {
                if args.len() < 2 {
                    return Err(err(op_pos, format!("'{op}' needs at least two arguments")));
                }
                let terms = args.iter().map(|a| self.arith(a)).collect::<Result<Vec<_>, _>>()?;
                let mut parts = Vec::new();
                for (pair, arg) in terms.windows(2).zip(&args[1..]) {
                    let (a, b, p) = (pair[0].clone(), pair[1].clone(), arg.pos());
                    match op {
                        "<=" | "<" => parts.push((less_eq(a, b, op == "<", p)?, p)),
                        ">=" | ">" => parts.push((less_eq(b, a, op == ">", p)?, p)),
                        _ => parts.extend([
                            (less_eq(a.clone(), b.clone(), false, p)?, p),
                            (less_eq(b, a, false, p)?, p),
                        ]),
                    }
                }
                and_all(parts)
            }
            "+" | "-" | "*" => Err(err(
                op_pos,
                format!("expected a boolean term (comparison, and, or), got arithmetic '{op}'"),
            )),
            _ => Err(err(op_pos, format!("unsupported operator '{op}'"))),
        }
    }

    fn arith(&self, term: &Sexp) -> Result<Affine, VnnlibError> {
        let (items, pos) = match term {
            Sexp::Atom(s, p) => return self.atom(s, *p),
            Sexp::List(items, pos) => (items, *pos),
        };
        let (op, op_pos, args) = head(items, pos)?;
        if matches!(op, "+" | "-" | "*") && args.is_empty() {
            return Err(err(op_pos, format!("'{op}' needs at least one argument")));
        }
        let mut terms = args.iter().map(|a| self.arith(a));
        let what = match op {
            "+" => "the sum",
            "-" => "the difference",
            _ => "the product",
        };
        let term = match op {
            "+" => terms.try_fold(Affine::default(), |acc, t| Ok(acc.add(t?))),
            "-" if args.len() == 1 => Ok(terms.next().unwrap()?.scale(-1.0)),
            "-" => {
                let first = terms.next().unwrap()?;
                terms.try_fold(first, |acc, t| Ok(acc.add(t?.scale(-1.0))))
            }
            "*" => {
                let first = terms.next().unwrap()?;
                terms.try_fold(first, |acc, t| {
                    let t = t?;
                    match (acc.is_const(), t.is_const()) {
                        (true, _) => Ok(t.scale(acc.c)),
                        (_, true) => Ok(acc.scale(t.c)),
                        _ => Err(err(
                            op_pos,
                            "nonlinear term: product of two variable terms (one factor must be a constant)",
                        )),
                    }
                })
            }
            _ if COMPARISONS.contains(&op) || op == "and" || op == "or" => {
                Err(err(op_pos, format!("expected an arithmetic term, got boolean '{op}'")))
            }
            _ => Err(err(op_pos, format!("unsupported operator '{op}'"))),
        }?;
        term.finite(pos, what)
    }

    fn atom(&self, s: &str, pos: Pos) -> Result<Affine, VnnlibError> {
        if let Some((prefix, index)) = var_name(s) {
            let k = kind(prefix).ok_or_else(|| unknown(pos, s))?;
            if !self.declared[k].contains_key(&index) {
                return Err(err(pos, format!("{s} is used but not declared")));
            }
            let mut t = Affine::default();
            [&mut t.x, &mut t.y][k].insert(index, 1.0);
            return Ok(t);
        }
        // Rust's float parser also takes "inf" and "NaN"; numbers here are digits only.
        let numeric =
            s.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) && s.contains(|c: char| c.is_ascii_digit());
        match s.parse::<f64>() {
            Ok(v) if numeric && v.is_finite() => Ok(Affine {
                c: v,
                ..Affine::default()
            }),
            Ok(_) if numeric => Err(err(pos, format!("number '{s}' is out of range"))),
            _ => Err(err(pos, format!("expected a number, got '{s}'"))),
        }
    }

    fn declare(&mut self, args: &[Sexp], pos: Pos) -> Result<(), VnnlibError> {
        let [Sexp::Atom(name, name_pos), sort] = args else {
            return Err(err(pos, "declare-const expects a name and a sort"));
        };
        let (prefix, index) = var_name(name).ok_or_else(|| unknown(*name_pos, name))?;
        let k = kind(prefix).ok_or_else(|| unknown(*name_pos, name))?;
        if !matches!(sort, Sexp::Atom(s, _) if s == "Real") {
            return Err(err(
                sort.pos(),
                format!("{name} must be declared Real (no other sort is supported)"),
            ));
        }
        if self.declared[k].insert(index, *name_pos).is_some() {
            return Err(err(*name_pos, format!("{name} is declared twice")));
        }
        Ok(())
    }
}

/// Runs the commands in file order; returns the input and output counts and
/// the DNF of the conjunction of all asserts.
pub(crate) fn translate(commands: &[Sexp]) -> Result<(usize, usize, Dnf), VnnlibError> {
    let mut t = Translator {
        declared: [BTreeMap::new(), BTreeMap::new()],
    };
    let mut asserts = Vec::new();
    for command in commands {
        let (items, pos) = match command {
            Sexp::Atom(s, p) => return Err(err(*p, format!("expected a command in parentheses, got '{s}'"))),
            Sexp::List(items, pos) => (items, *pos),
        };
        let (op, op_pos, args) = head(items, pos)?;
        match op {
            "declare-const" => t.declare(args, pos)?,
            "assert" => match args {
                [term] => asserts.push((t.boolean(term)?, pos)),
                _ => return Err(err(pos, "assert expects exactly one term")),
            },
            "check-sat" | "get-model" | "set-logic" => {}
            _ => {
                return Err(err(
                    op_pos,
                    format!("unknown command '{op}' (only declare-const and assert are supported)"),
                ))
            }
        }
    }
    for (k, name) in t.declared.iter().zip(["X", "Y"]) {
        if let Some((expected, (index, p))) = k.iter().enumerate().find(|(e, (i, _))| e != *i) {
            let msg = format!(
                "{name}_{index} is declared but {name}_{expected} is not (indices must run from 0 without gaps)"
            );
            return Err(err(*p, msg));
        }
    }
    Ok((t.declared[0].len(), t.declared[1].len(), and_all(asserts)?))
}

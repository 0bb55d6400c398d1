//! Solution files by column name: read the ones solvers write, and write a
//! MIP start each solver reads.
//!
//! Read ([`read_solution`], the format told from the file's first line):
//! - **HiGHS** (`writeSolution`, `--solution_file`): `Model status`, …,
//!   `# Columns N`, then N `name value` lines (the `# Rows` section and the
//!   duals after it are not needed);
//! - **MIPLIB** (`=obj= value`, then `name value`; columns left out are 0):
//!   what HiGHS's `readSolution` and SCIP read as a start;
//! - **SCIP** (`write solution`: `solution status:`, `objective value:`,
//!   then `name value (obj:c)`; columns left out are 0, as SCIP writes
//!   only nonzeros by default);
//! - **Gurobi** (`.sol`, and `.mst` starts: `name value`, `#` comments;
//!   every column listed);
//! - **mipnet solve** `--solution` CSV (`column,value` header; every
//!   column listed);
//! - **CPLEX** XML (`.sol`, and `.mst` starts: `<?xml` first, the header's
//!   `objectiveValue`, one `<variable name=… value=…/>` per column; every
//!   column listed; other elements, such as the rows' values, are not
//!   needed).
//!
//! Written (a value of every column, shortest text that reads back to the
//! same f64): [`write_gurobi_mst`], [`write_miplib_sol`],
//! [`write_cplex_mst`] (CPLEX's XML MIP start).
//!
//! A value that is not a finite number, an unknown or repeated name, and a
//! column left out of a format that lists every column are refused with
//! the line and the cause.

use super::{syntax, FileError};
use std::collections::HashMap;

/// The solution file formats [`read_solution`] tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SolutionFormat {
    /// HiGHS's own solution file (raw style).
    Highs,
    /// `=obj=` then `name value` (MIPLIB; HiGHS and SCIP read it).
    Miplib,
    /// SCIP's `write solution`.
    Scip,
    /// `name value` lines with `#` comments (Gurobi's .sol and .mst).
    NameValue,
    /// `mipnet solve --solution`'s `column,value` CSV.
    MipnetCsv,
    /// CPLEX's XML solution or MIP start (`<variable name= value=/>`).
    CplexXml,
}

impl SolutionFormat {
    /// The format's name in messages and reports.
    pub fn name(self) -> &'static str {
        match self {
            SolutionFormat::Highs => "HiGHS solution file",
            SolutionFormat::Miplib => "MIPLIB solution file (=obj=)",
            SolutionFormat::Scip => "SCIP solution file",
            SolutionFormat::NameValue => "name-value solution file (Gurobi .sol/.mst)",
            SolutionFormat::MipnetCsv => "mipnet solve CSV",
            SolutionFormat::CplexXml => "CPLEX XML solution file (.sol/.mst)",
        }
    }

    /// Whether columns the file leaves out are 0 by the format's
    /// convention (otherwise every column must be listed).
    pub fn omits_zeros(self) -> bool {
        matches!(self, SolutionFormat::Miplib | SolutionFormat::Scip)
    }
}

/// One `name value` entry and its line (1-based).
#[derive(Clone, Debug, PartialEq)]
pub struct SolutionEntry {
    pub name: String,
    pub value: f64,
    pub line: usize,
}

/// A solution file as read: its format, the objective it states (if any),
/// and its entries in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct SolutionFile {
    pub format: SolutionFormat,
    pub objective: Option<f64>,
    pub entries: Vec<SolutionEntry>,
}

/// A full point for a model's columns from a solution file.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnValues {
    /// One value per column, by index.
    pub values: Vec<f64>,
    /// Columns the file left out and its format sets to 0.
    pub zero_filled: usize,
}

/// How many names a message lists at most.
const NAMES_SHOWN: usize = 5;

/// Reads a solution file of any format in [`SolutionFormat`].
pub fn read_solution(text: &str) -> Result<SolutionFile, FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<(usize, &str)> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r').trim()))
        .collect();
    let first = lines
        .iter()
        .find(|(_, l)| !l.is_empty())
        .ok_or_else(|| FileError::Whole("the solution file is empty".into()))?
        .1;
    let lower = first.to_ascii_lowercase();
    if lower.starts_with("model status") {
        read_highs(&lines)
    } else if first.starts_with("=obj=") {
        read_pairs(&lines, SolutionFormat::Miplib)
    } else if lower.starts_with("solution status:") || lower.starts_with("objective value:") {
        read_pairs(&lines, SolutionFormat::Scip)
    } else if first.replace(' ', "") == "column,value" {
        read_csv(&lines)
    } else if first.starts_with("<?xml") {
        read_cplex_xml(&lines)
    } else {
        read_pairs(&lines, SolutionFormat::NameValue)
    }
}

/// A finite number, or why `word` is not one.
fn number(line: usize, word: &str, what: &str) -> Result<f64, FileError> {
    match word.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(syntax(line, format!("{what} '{word}' is not a finite number"))),
        Err(_) => Err(syntax(line, format!("{what} '{word}' is not a number"))),
    }
}

/// The value of `name` on `line`, as an entry.
fn entry(line: usize, name: &str, value: &str) -> Result<SolutionEntry, FileError> {
    Ok(SolutionEntry {
        name: name.to_string(),
        value: number(line, value, &format!("the value of '{name}'"))?,
        line,
    })
}

/// `name value` lines (MIPLIB, SCIP, Gurobi), with each format's header
/// lines and comments.
fn read_pairs(lines: &[(usize, &str)], format: SolutionFormat) -> Result<SolutionFile, FileError> {
    let mut objective = None;
    let mut entries = Vec::new();
    for &(n, l) in lines {
        if l.is_empty() {
            continue;
        }
        let lower = l.to_ascii_lowercase();
        if format == SolutionFormat::Miplib {
            if let Some(v) = l.strip_prefix("=obj=") {
                objective = Some(number(n, v.trim(), "the objective")?);
                continue;
            }
        }
        if format == SolutionFormat::Scip {
            if lower.starts_with("solution status:") {
                continue;
            }
            if let Some(v) = lower.strip_prefix("objective value:") {
                objective = Some(number(n, v.trim(), "the objective")?);
                continue;
            }
        }
        if format == SolutionFormat::NameValue && l.starts_with('#') {
            // Gurobi's solution files state the objective in a comment.
            if let Some(v) = lower.strip_prefix("# objective value =") {
                objective = Some(number(n, v.trim(), "the objective")?);
            }
            continue;
        }
        let words: Vec<&str> = l.split_whitespace().collect();
        match words.as_slice() {
            [name, value] => entries.push(entry(n, name, value)?),
            // SCIP adds each column's objective coefficient.
            [name, value, obj] if format == SolutionFormat::Scip && obj.starts_with("(obj:") => {
                entries.push(entry(n, name, value)?)
            }
            _ => {
                return Err(syntax(
                    n,
                    format!("expected a column name and its value, found '{l}' ({})", format.name()),
                ))
            }
        }
    }
    Ok(SolutionFile {
        format,
        objective,
        entries,
    })
}

/// HiGHS's solution file: the objective line and the `# Columns` section.
fn read_highs(lines: &[(usize, &str)]) -> Result<SolutionFile, FileError> {
    let format = SolutionFormat::Highs;
    let mut objective = None;
    let mut rest = lines.iter();
    let mut primal_seen = false;
    let count = loop {
        let Some(&(n, l)) = rest.next() else {
            return Err(FileError::Whole(
                "the HiGHS solution file has no '# Columns' section".into(),
            ));
        };
        if l == "# Primal solution values" {
            primal_seen = true;
            continue;
        }
        if primal_seen && l == "None" {
            return Err(FileError::Whole(
                "the HiGHS solution file holds no primal solution ('None')".into(),
            ));
        }
        if let Some(v) = l.strip_prefix("Objective ") {
            objective = Some(number(n, v.trim(), "the objective")?);
            continue;
        }
        if let Some(c) = l.strip_prefix("# Columns") {
            let c = c.trim();
            break match c.parse::<usize>() {
                Ok(c) => c,
                Err(_) => {
                    return Err(syntax(
                        n,
                        format!("'# Columns {c}': expected the number of columns (a sparse or partial HiGHS file is not read: write it in raw style)"),
                    ))
                }
            };
        }
    };
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let Some(&(n, l)) = rest.next().filter(|(_, l)| !l.is_empty()) else {
            return Err(FileError::Whole(format!(
                "the HiGHS solution file ends after {} of its {count} columns",
                entries.len()
            )));
        };
        match l.split_whitespace().collect::<Vec<_>>().as_slice() {
            [name, value] => entries.push(entry(n, name, value)?),
            _ => {
                return Err(syntax(
                    n,
                    format!("expected a column name and its value, found '{l}' ({})", format.name()),
                ))
            }
        }
    }
    Ok(SolutionFile {
        format,
        objective,
        entries,
    })
}

/// `mipnet solve --solution`: `column,value` then one `name,value` line per column.
fn read_csv(lines: &[(usize, &str)]) -> Result<SolutionFile, FileError> {
    let mut entries = Vec::new();
    for &(n, l) in lines.iter().skip_while(|(_, l)| l.is_empty()).skip(1) {
        if l.is_empty() {
            continue;
        }
        match l.rsplit_once(',') {
            Some((name, value)) => entries.push(entry(n, name.trim(), value.trim())?),
            None => return Err(syntax(n, format!("expected 'column,value', found '{l}'"))),
        }
    }
    Ok(SolutionFile {
        format: SolutionFormat::MipnetCsv,
        objective: None,
        entries,
    })
}

/// The `name="value"` attributes of one XML tag's text (after its element
/// name), with the five predefined entities resolved; anything else
/// (unquoted or repeated attributes, an unknown entity) is refused.
fn xml_attributes(line: usize, text: &str) -> Result<Vec<(String, String)>, FileError> {
    let mut rest = text.trim();
    let mut attributes: Vec<(String, String)> = Vec::new();
    while !rest.is_empty() {
        let Some((name, after)) = rest.split_once('=') else {
            return Err(syntax(line, format!("expected name=\"value\" in '{text}'")));
        };
        let name = name.trim();
        let after = after.trim_start();
        let Some(quote) = after.chars().next().filter(|&q| q == '"' || q == '\'') else {
            return Err(syntax(line, format!("the value of attribute '{name}' is not quoted")));
        };
        let Some(end) = after[1..].find(quote) else {
            return Err(syntax(line, format!("the value of attribute '{name}' is not closed")));
        };
        let raw = &after[1..1 + end];
        let value = xml_unescape(line, raw)?;
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(syntax(line, format!("expected an attribute name before '={raw}'")));
        }
        if attributes.iter().any(|(n, _)| n == name) {
            return Err(syntax(line, format!("attribute '{name}' is given twice")));
        }
        attributes.push((name.to_string(), value));
        rest = after[2 + end..].trim_start();
    }
    Ok(attributes)
}

/// An XML attribute value with the predefined entities resolved.
fn xml_unescape(line: usize, raw: &str) -> Result<String, FileError> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out += &rest[..at];
        let Some(end) = rest[at..].find(';') else {
            return Err(syntax(line, format!("'&' without ';' in '{raw}'")));
        };
        out.push(match &rest[at + 1..at + end] {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            other => return Err(syntax(line, format!("unknown XML entity '&{other};' in '{raw}'"))),
        });
        rest = &rest[at + end + 1..];
    }
    out += rest;
    Ok(out)
}

/// CPLEX's XML solution or MIP start: the header's `objectiveValue` and
/// every `<variable …/>` element (one per line, as CPLEX writes them);
/// other elements are not needed and skipped.
fn read_cplex_xml(lines: &[(usize, &str)]) -> Result<SolutionFile, FileError> {
    let mut objective = None;
    let mut entries = Vec::new();
    let mut header: Option<(usize, String)> = None;
    for &(n, l) in lines {
        // The header's attributes span lines until its "/>".
        if let Some((start, text)) = header.as_mut() {
            *text += " ";
            *text += l;
            if let Some(body) = text.strip_suffix("/>") {
                let start = *start;
                for (name, value) in xml_attributes(start, body)? {
                    if name == "objectiveValue" {
                        objective = Some(number(start, &value, "the objectiveValue")?);
                    }
                }
                header = None;
            }
            continue;
        }
        if let Some(rest) = l.strip_prefix("<header") {
            header = Some((n, rest.to_string()));
            if let Some(body) = rest.strip_suffix("/>") {
                for (name, value) in xml_attributes(n, body)? {
                    if name == "objectiveValue" {
                        objective = Some(number(n, &value, "the objectiveValue")?);
                    }
                }
                header = None;
            }
            continue;
        }
        let Some(rest) = l.strip_prefix("<variable ") else {
            continue;
        };
        let Some(body) = rest.strip_suffix("/>") else {
            return Err(syntax(
                n,
                format!("expected '<variable name=… value=…/>' on one line, found '{l}'"),
            ));
        };
        let attributes = xml_attributes(n, body)?;
        let get = |key: &str| attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        match (get("name"), get("value")) {
            (Some(name), Some(value)) => entries.push(entry(n, name, value)?),
            _ => return Err(syntax(n, format!("a variable without its name or value: '{l}'"))),
        }
    }
    if let Some((start, _)) = header {
        return Err(syntax(start, "the header element is not closed ('/>')"));
    }
    Ok(SolutionFile {
        format: SolutionFormat::CplexXml,
        objective,
        entries,
    })
}

/// The names in `names` as a short list for a message.
fn listed(names: &[&str]) -> String {
    let shown: Vec<&str> = names.iter().take(NAMES_SHOWN).copied().collect();
    let more = names.len().saturating_sub(NAMES_SHOWN);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

impl SolutionFile {
    /// The value of every column named in `names` (a model's column names,
    /// by index). Refused: a name the model does not have, a name given
    /// twice, and columns left out of a format that lists every column.
    pub fn column_values(&self, names: &[String]) -> Result<ColumnValues, FileError> {
        let index: HashMap<&str, usize> = names.iter().enumerate().map(|(j, n)| (n.as_str(), j)).collect();
        let mut values: Vec<Option<f64>> = vec![None; names.len()];
        let mut first_line: Vec<usize> = vec![0; names.len()];
        for e in &self.entries {
            let Some(&j) = index.get(e.name.as_str()) else {
                return Err(syntax(e.line, format!("the model has no column named '{}'", e.name)));
            };
            if values[j].is_some() {
                return Err(syntax(
                    e.line,
                    format!("column '{}' is given twice (first on line {})", e.name, first_line[j]),
                ));
            }
            values[j] = Some(e.value);
            first_line[j] = e.line;
        }
        let missing: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| n.as_str())
            .collect();
        if !missing.is_empty() && !self.format.omits_zeros() {
            return Err(FileError::Whole(format!(
                "{} of the model's {} columns have no value in the file ({}): a {} lists every column",
                missing.len(),
                names.len(),
                listed(&missing),
                self.format.name()
            )));
        }
        Ok(ColumnValues {
            zero_filled: missing.len(),
            values: values.into_iter().map(|v| v.unwrap_or(0.0)).collect(),
        })
    }
}

/// A value as the shortest text that reads back to the same f64 (no
/// exponent for ordinary magnitudes, so the files stay readable).
pub fn value_text(v: f64) -> String {
    // Zero keeps its sign ("-0"): a network read back from the file is then
    // the network written, to the bit.
    if v == 0.0 || (1e-4..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Gurobi's MIP start (.mst; also its .sol): a `#` comment, then
/// `name value` per column.
pub fn write_gurobi_mst(comment: &str, names: &[String], values: &[f64]) -> String {
    let mut text = String::new();
    for line in comment.lines() {
        text += &format!("# {line}\n");
    }
    for (n, &v) in names.iter().zip(values) {
        text += &format!("{n} {}\n", value_text(v));
    }
    text
}

/// A MIPLIB solution file: `=obj= objective`, then `name value` per
/// column (HiGHS's `readSolution` and SCIP's `read` take it as a start).
pub fn write_miplib_sol(objective: f64, names: &[String], values: &[f64]) -> String {
    let mut text = format!("=obj= {}\n", value_text(objective));
    for (n, &v) in names.iter().zip(values) {
        text += &format!("{n} {}\n", value_text(v));
    }
    text
}

/// Escapes the five XML special characters in an attribute value.
fn xml_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// CPLEX's MIP start (.mst, XML, version 1.2): every column by name and
/// index, for the problem `problem` (the model file's name).
pub fn write_cplex_mst(problem: &str, objective: f64, names: &[String], values: &[f64]) -> String {
    let mut text = String::from("<?xml version = \"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
    text += "<CPLEXSolutions version=\"1.2\">\n <CPLEXSolution version=\"1.2\">\n";
    text += &format!(
        "  <header\n    problemName=\"{}\"\n    solutionName=\"m1\"\n    solutionIndex=\"0\"\n    objectiveValue=\"{}\"\n    MIPStartEffortLevel=\"0\"\n    writeLevel=\"2\"/>\n",
        xml_attribute(problem),
        value_text(objective)
    );
    text += "  <variables>\n";
    for (j, (n, &v)) in names.iter().zip(values).enumerate() {
        text += &format!(
            "   <variable name=\"{}\" index=\"{j}\" value=\"{}\"/>\n",
            xml_attribute(n),
            value_text(v)
        );
    }
    text += "  </variables>\n </CPLEXSolution>\n</CPLEXSolutions>\n";
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_written_start_reads_back_to_the_same_values_to_the_bit() {
        let cols = names(&["W1_1_1", "u2_1_1_m1", "xi_1", "b2_1"]);
        let values = [0.1 + 0.2, -1.0, 1e-17, -0.0];
        for text in [
            write_gurobi_mst("mipnet's network\nobjective 0.3", &cols, &values),
            write_miplib_sol(0.3, &cols, &values),
        ] {
            let read = read_solution(&text).unwrap();
            let back = read.column_values(&cols).unwrap();
            assert_eq!(back.zero_filled, 0);
            for (a, b) in back.values.iter().zip(values) {
                assert_eq!(a.to_bits(), b.to_bits(), "{text}");
            }
        }
        let xml = write_cplex_mst("model.mps", 0.3, &cols, &values);
        assert!(
            xml.contains("<variable name=\"u2_1_1_m1\" index=\"1\" value=\"-1\"/>"),
            "{xml}"
        );
        let read = read_solution(&xml).unwrap();
        assert_eq!((read.format, read.objective), (SolutionFormat::CplexXml, Some(0.3)));
        let back = read.column_values(&cols).unwrap();
        for (a, b) in back.values.iter().zip(values) {
            assert_eq!(a.to_bits(), b.to_bits(), "{xml}");
        }
    }

    #[test]
    fn a_cplex_solution_is_read_with_entities_and_its_header() {
        let sol = "<?xml version = \"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<CPLEXSolution version=\"1.2\">\n <header\n   problemName=\"m&amp;1\"\n   objectiveValue=\"2.5\"/>\n <linearConstraints>\n  <constraint name=\"r0\" index=\"0\" slack=\"0\"/>\n </linearConstraints>\n <variables>\n  <variable name=\"a&lt;b\" index=\"0\" value=\"1.5\"/>\n  <variable name=\"y\" index=\"1\" value=\"-2\"/>\n </variables>\n</CPLEXSolution>\n";
        let r = read_solution(sol).unwrap();
        assert_eq!((r.format, r.objective), (SolutionFormat::CplexXml, Some(2.5)));
        let v = r.column_values(&names(&["a<b", "y"])).unwrap();
        assert_eq!(v.values, vec![1.5, -2.0]);
        let bad = sol.replace("value=\"-2\"", "value=\"x\"");
        let e = read_solution(&bad).unwrap_err().to_string();
        assert!(e.contains("line 11: the value of 'y' 'x' is not a number"), "{e}");
        let bad = sol.replace("&lt;", "&nbsp;");
        let e = read_solution(&bad).unwrap_err().to_string();
        assert!(e.contains("line 10: unknown XML entity '&nbsp;'"), "{e}");
        let bad = sol.replace("objectiveValue=\"2.5\"", "objectiveValue=\"two\"");
        let e = read_solution(&bad).unwrap_err().to_string();
        assert!(e.contains("line 3: the objectiveValue 'two' is not a number"), "{e}");
    }

    #[test]
    fn the_format_is_told_from_the_first_line() {
        let highs = "Model status\nOptimal\n\n# Primal solution values\nFeasible\nObjective 1.5\n# Columns 2\nx 1\ny 0.5\n# Rows 1\nr0 2\n";
        let r = read_solution(highs).unwrap();
        assert_eq!(
            (r.format, r.objective, r.entries.len()),
            (SolutionFormat::Highs, Some(1.5), 2)
        );
        let scip = "solution status: optimal solution found\nobjective value:                 1.5\nx                                  1 \t(obj:1)\n";
        let r = read_solution(scip).unwrap();
        assert_eq!((r.format, r.objective), (SolutionFormat::Scip, Some(1.5)));
        // SCIP leaves zeros out.
        let v = r.column_values(&names(&["x", "y"])).unwrap();
        assert_eq!((v.values, v.zero_filled), (vec![1.0, 0.0], 1));
        let gurobi = "# Solution for model m\n# Objective value = 1.5\nx 1\ny 0.5\n";
        let r = read_solution(gurobi).unwrap();
        assert_eq!((r.format, r.objective), (SolutionFormat::NameValue, Some(1.5)));
        // An objective line Gurobi's format cannot mean otherwise is read
        // or refused, as in the other formats.
        let e = read_solution("# Objective value = abc\nx 1\n").unwrap_err().to_string();
        assert!(e.contains("line 1: the objective 'abc' is not a number"), "{e}");
        let csv = "column,value\nx,1\ny,0.5\n";
        assert_eq!(read_solution(csv).unwrap().format, SolutionFormat::MipnetCsv);
    }

    #[test]
    fn bad_files_are_refused_with_the_line_and_cause() {
        let cols = names(&["x", "y"]);
        let cases: [(&str, &str); 7] = [
            ("x 1\nz 2\n", "line 2: the model has no column named 'z'"),
            ("x 1\ny abc\n", "line 2: the value of 'y' 'abc' is not a number"),
            ("x 1\ny inf\n", "line 2: the value of 'y' 'inf' is not a finite number"),
            ("x 1\nx 2\ny 0\n", "line 2: column 'x' is given twice (first on line 1)"),
            ("x 1\n", "1 of the model's 2 columns have no value in the file (y)"),
            ("x 1 2\n", "line 1: expected a column name and its value"),
            (
                "Model status\nOptimal\n\n# Primal solution values\nFeasible\nObjective 1\n# Columns 2\nx 1\n",
                "ends after 1 of its 2 columns",
            ),
        ];
        for (text, fragment) in cases {
            let e = read_solution(text)
                .and_then(|f| f.column_values(&cols))
                .unwrap_err()
                .to_string();
            assert!(e.contains(fragment), "{text:?}: {e}");
        }
        let e = read_solution("\n\n").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let none = "Model status\nInfeasible\n\n# Primal solution values\nNone\n";
        let e = read_solution(none).unwrap_err().to_string();
        assert!(e.contains("no primal solution"), "{e}");
    }
}

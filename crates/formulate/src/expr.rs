//! Linear expressions as (column, coefficient) pairs, and the few
//! operations the model's parts and the polish LP need on them.

use mipnet_milp::Col;

/// A linear expression: (column, coefficient) pairs.
pub(crate) type Expr = Vec<(Col, f64)>;

/// Terms of `a − b + coef·extra`, merging repeated columns.
pub(crate) fn diff_terms(a: &[(Col, f64)], b: &[(Col, f64)], extra: (Col, f64)) -> Expr {
    let mut terms: Expr = a.to_vec();
    terms.extend(negated(b));
    terms.push(extra);
    merge_terms(terms)
}

/// `−t`, term by term.
pub(crate) fn negated(t: &[(Col, f64)]) -> impl Iterator<Item = (Col, f64)> + '_ {
    t.iter().map(|&(c, v)| (c, -v))
}

/// Sums the coefficients of repeated columns and drops zeros.
pub(crate) fn merge_terms(mut terms: Expr) -> Expr {
    terms.sort_by_key(|t| t.0);
    let mut merged: Expr = Vec::with_capacity(terms.len());
    for (c, v) in terms {
        match merged.last_mut() {
            Some(last) if last.0 == c => last.1 += v,
            _ => merged.push((c, v)),
        }
    }
    merged.retain(|t| t.1 != 0.0);
    merged
}

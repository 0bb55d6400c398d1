//! A dense linear program in a few variables, solved by the primal
//! active-set method (the simplex method seen from the feasible region):
//! from a feasible point, move along the negative cost projected onto the
//! null space of the constraints held tight, stop at the first constraint
//! met and add it; when the projected direction vanishes, the multipliers
//! of the tight constraints say whether the point is optimal (all ≥ 0) or
//! which constraint to let go (the most negative).
//!
//! It is the attack's refinement LP ([`crate::attack_refine`]): at most
//! [`crate::attack_refine::MAX_REFINE_INPUTS`] + 1 variables and a few
//! hundred rows (one per ReLU), started from a point known to be feasible
//! (the attack's own point), and asked for the multipliers of the tight
//! rows at the optimum (they choose the ReLU to flip). A general solver
//! (HiGHS, as the MILPs use) would need a model, a session and a second
//! solve for the duals per call; this is a few microseconds. Its answer is
//! never trusted: the point it returns is replayed through the network like
//! every other candidate, so an inexact optimum costs a missed witness,
//! never a wrong one.

/// A row counts as met by the step when its slack, per unit of the step's
/// rate along it, is below this: rows are normalized to unit length, and
/// the attack's inputs are of order 1, so 1e-12 is rounding noise.
const RATE_TOLERANCE: f64 = 1e-12;

/// A projected direction shorter than this (relative to the cost's length)
/// is zero: the point is a vertex of the tight rows' null space.
const DIRECTION_TOLERANCE: f64 = 1e-11;

/// A multiplier above `−MULTIPLIER_TOLERANCE` counts as ≥ 0 (optimal);
/// letting go of a row whose multiplier is only rounding noise below 0
/// would cycle between degenerate vertices.
const MULTIPLIER_TOLERANCE: f64 = 1e-10;

/// A tight row whose normal is this close to the span of the others (the
/// length of what is left after projecting) is not added to the working
/// set: the triangular solve for the multipliers would divide by it.
const INDEPENDENCE_TOLERANCE: f64 = 1e-9;

/// The answer of [`minimize`].
#[derive(Clone, Debug)]
pub struct LpAnswer {
    /// The last point reached (feasible, up to rounding).
    pub point: Vec<f64>,
    /// The cost there.
    pub value: f64,
    /// The tight rows at the end and their multipliers (`c + Σ λ·a = 0`
    /// holds over them when [`LpAnswer::optimal`]).
    pub tight: Vec<(usize, f64)>,
    /// The multipliers proved the point optimal (not cut off by the
    /// iteration budget, nor unbounded).
    pub optimal: bool,
    /// Steps taken.
    pub iterations: usize,
}

/// Minimizes `cost · v` subject to `rows[i] · v ≤ rhs[i]`, starting from
/// the feasible `start`, in at most `max_iterations` steps. Rows must have
/// unit length (the tolerances are absolute).
pub fn minimize(cost: &[f64], rows: &[Vec<f64>], rhs: &[f64], start: Vec<f64>, max_iterations: usize) -> LpAnswer {
    let d = cost.len();
    let cost_norm = dot(cost, cost).sqrt().max(f64::MIN_POSITIVE);
    let mut v = start;
    // The working set: indices of tight rows with independent normals,
    // their Gram–Schmidt basis `q`, and `r[k][j] = rows[w[k]] · q[j]`.
    let mut working: Vec<usize> = Vec::new();
    let mut iterations = 0;
    let mut optimal = false;
    let mut multipliers: Vec<f64> = Vec::new();
    while iterations < max_iterations {
        iterations += 1;
        let (q, r) = orthonormalize(rows, &working, d);
        let neg_cost: Vec<f64> = cost.iter().map(|c| -c).collect();
        let mu: Vec<f64> = q.iter().map(|qj| dot(qj, &neg_cost)).collect();
        let mut p = neg_cost.clone();
        for (qj, m) in q.iter().zip(&mu) {
            axpy(&mut p, -m, qj);
        }
        if dot(&p, &p).sqrt() > DIRECTION_TOLERANCE * cost_norm {
            // Ratio test: the first row the step meets.
            let mut block: Option<(f64, usize)> = None;
            for (i, (a, &b)) in rows.iter().zip(rhs).enumerate() {
                if working.contains(&i) {
                    continue;
                }
                let rate = dot(a, &p);
                if rate <= RATE_TOLERANCE {
                    continue;
                }
                let step = (b - dot(a, &v)).max(0.0) / rate;
                if block.is_none_or(|(s, _)| step < s) {
                    block = Some((step, i));
                }
            }
            let Some((step, i)) = block else {
                // Unbounded along p: the caller's rows bound every variable,
                // so this is rounding; stop where we are.
                break;
            };
            axpy(&mut v, step, &p);
            if residual_norm(&rows[i], &q) > INDEPENDENCE_TOLERANCE {
                working.push(i);
            } else {
                break;
            }
            continue;
        }
        // Multipliers: A_Wᵀ λ = −c, i.e. Rᵀ λ = μ (R lower triangular).
        multipliers = solve_upper(&r, &mu);
        let worst = multipliers
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, &l)| (k, l));
        match worst {
            Some((k, l)) if l < -MULTIPLIER_TOLERANCE => {
                working.remove(k);
            }
            _ => {
                optimal = true;
                break;
            }
        }
    }
    if !optimal {
        // Multipliers for whatever set the budget left (for choosing a flip).
        let (q, r) = orthonormalize(rows, &working, d);
        let mu: Vec<f64> = q.iter().map(|qj| -dot(qj, cost)).collect();
        multipliers = solve_upper(&r, &mu);
    }
    let value = dot(cost, &v);
    LpAnswer {
        point: v,
        value,
        tight: working.into_iter().zip(multipliers).collect(),
        optimal,
        iterations,
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// The length of `a` minus its projection on the orthonormal `q`.
fn residual_norm(a: &[f64], q: &[Vec<f64>]) -> f64 {
    let mut res = a.to_vec();
    for qj in q {
        let c = dot(&res, qj);
        axpy(&mut res, -c, qj);
    }
    dot(&res, &res).sqrt()
}

/// Modified Gram–Schmidt over the working rows: the basis `q` and the
/// lower-triangular `r` with `rows[w[k]] = Σ_j r[k][j] q[j]`.
fn orthonormalize(rows: &[Vec<f64>], working: &[usize], d: usize) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(working.len());
    let mut r: Vec<Vec<f64>> = Vec::with_capacity(working.len());
    for &i in working {
        let mut res = rows[i].clone();
        let mut coef = vec![0.0; working.len()];
        for (j, qj) in q.iter().enumerate() {
            let c = dot(&res, qj);
            coef[j] = c;
            axpy(&mut res, -c, qj);
        }
        let norm = dot(&res, &res).sqrt();
        coef[q.len()] = norm;
        let inv = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        q.push(res.iter().map(|x| x * inv).collect());
        r.push(coef);
        debug_assert!(q.len() <= d);
    }
    (q, r)
}

/// Solves `Rᵀ λ = μ` for lower-triangular `r` (so `Rᵀ` is upper).
fn solve_upper(r: &[Vec<f64>], mu: &[f64]) -> Vec<f64> {
    let k = r.len();
    let mut lambda = vec![0.0; k];
    for j in (0..k).rev() {
        let mut s = mu[j];
        for (i, ri) in r.iter().enumerate().skip(j + 1) {
            s -= lambda[i] * ri[j];
        }
        lambda[j] = if r[j][j] != 0.0 { s / r[j][j] } else { 0.0 };
    }
    lambda
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(a: Vec<f64>, b: f64) -> (Vec<f64>, f64) {
        let n = dot(&a, &a).sqrt();
        (a.iter().map(|x| x / n).collect(), b / n)
    }

    #[test]
    fn finds_the_vertex_of_a_triangle_and_its_multipliers() {
        // min −x − 2y s.t. x ≥ 0, y ≥ 0, x + y ≤ 1: optimum (0, 1), −2.
        let rows_rhs = [
            unit(vec![-1.0, 0.0], 0.0),
            unit(vec![0.0, -1.0], 0.0),
            unit(vec![1.0, 1.0], 1.0),
        ];
        let rows: Vec<Vec<f64>> = rows_rhs.iter().map(|r| r.0.clone()).collect();
        let rhs: Vec<f64> = rows_rhs.iter().map(|r| r.1).collect();
        let a = minimize(&[-1.0, -2.0], &rows, &rhs, vec![0.2, 0.1], 50);
        assert!(a.optimal);
        assert!((a.value + 2.0).abs() < 1e-12, "{a:?}");
        assert!((a.point[0]).abs() < 1e-12 && (a.point[1] - 1.0).abs() < 1e-12, "{a:?}");
        // Both tight rows carry nonnegative multipliers and c + Σλa = 0.
        let mut g = vec![-1.0, -2.0];
        for &(i, l) in &a.tight {
            assert!(l >= -1e-12);
            axpy(&mut g, l, &rows[i]);
        }
        assert!(dot(&g, &g).sqrt() < 1e-12, "{a:?}");
    }

    #[test]
    fn minimizes_a_max_of_affine_pieces_over_a_box() {
        // min t s.t. t ≥ x − y, t ≥ y − x − 1, 0 ≤ x, y ≤ 1 (variables x, y, t):
        // the optimum is −0.5 (x − y = −0.5).
        let mut rows = Vec::new();
        let mut rhs = Vec::new();
        for (a, b) in [
            unit(vec![1.0, -1.0, -1.0], 0.0),
            unit(vec![-1.0, 1.0, -1.0], 1.0),
            unit(vec![1.0, 0.0, 0.0], 1.0),
            unit(vec![-1.0, 0.0, 0.0], 0.0),
            unit(vec![0.0, 1.0, 0.0], 1.0),
            unit(vec![0.0, -1.0, 0.0], 0.0),
        ] {
            rows.push(a);
            rhs.push(b);
        }
        let a = minimize(&[0.0, 0.0, 1.0], &rows, &rhs, vec![0.9, 0.1, 5.0], 100);
        assert!(a.optimal);
        assert!((a.value + 0.5).abs() < 1e-12, "{a:?}");
        let (x, y, t) = (a.point[0], a.point[1], a.point[2]);
        assert!(x - y <= t + 1e-12 && y - x - 1.0 <= t + 1e-12);
    }
}

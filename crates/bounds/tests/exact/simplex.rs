//! A dense two-phase primal simplex with Bland's rule for the tiny LPs of
//! the exact references (a few dozen rows and at most a few thousand
//! columns): min cost·x s.t. rows Σ a·x ≤ rhs, lo ≤ x ≤ hi, every lo finite
//! and every cost ≥ 0 (so the LP is bounded below). Written for the tests
//! so that no reference value depends on HiGHS.

/// Entries of magnitude below this are zero in pivoting and reduced-cost
/// tests: the LPs' data are O(1) (ω, s, margin ≤ 2, |x| ≤ 1.5), so an
/// exact zero computed in f64 is off by ~1e-15, far below it, while any
/// genuine coefficient is far above it.
const PIVOT_ZERO: f64 = 1e-11;

/// Phase 1 ends feasible when the artificials sum to at most this.
const FEASIBLE: f64 = 1e-9;

#[derive(Default)]
pub struct Lp {
    cost: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    rows: Vec<(Vec<(usize, f64)>, f64)>,
}

impl Lp {
    /// A variable in [lo, hi] (lo finite) costing `cost` ≥ 0 per unit.
    pub fn var(&mut self, lo: f64, hi: f64, cost: f64) -> usize {
        assert!(lo.is_finite() && hi >= lo && cost >= 0.0);
        self.cost.push(cost);
        self.lo.push(lo);
        self.hi.push(hi);
        self.cost.len() - 1
    }

    /// The row Σ a·x ≤ rhs.
    pub fn row(&mut self, terms: &[(usize, f64)], rhs: f64) {
        self.rows.push((terms.to_vec(), rhs));
    }

    /// cost·x.
    pub fn value(&self, x: &[f64]) -> f64 {
        self.cost.iter().zip(x).map(|(c, v)| c * v).sum()
    }

    /// An optimal x, or None when the rows cannot be met.
    pub fn solve(&self) -> Option<Vec<f64>> {
        // x = lo + x', x' ≥ 0; a finite hi becomes the row x' ≤ hi − lo.
        let nv = self.cost.len();
        let mut rows: Vec<(Vec<(usize, f64)>, f64)> = self
            .rows
            .iter()
            .map(|(t, r)| (t.clone(), r - t.iter().map(|&(j, a)| a * self.lo[j]).sum::<f64>()))
            .collect();
        for j in 0..nv {
            if self.hi[j].is_finite() {
                rows.push((vec![(j, 1.0)], self.hi[j] - self.lo[j]));
            }
        }
        let m = rows.len();
        // Columns: x' (nv), slacks (m), artificials (one per row with rhs < 0), rhs.
        let negative: Vec<usize> = (0..m).filter(|&i| rows[i].1 < 0.0).collect();
        let width = nv + m + negative.len() + 1;
        let rhs = width - 1;
        let mut t = vec![vec![0.0; width]; m];
        let mut basis = vec![0; m];
        for (i, (terms, r)) in rows.iter().enumerate() {
            let sign = if *r < 0.0 { -1.0 } else { 1.0 };
            for &(j, a) in terms {
                t[i][j] += sign * a;
            }
            t[i][nv + i] = sign;
            t[i][rhs] = sign * r;
            basis[i] = nv + i;
        }
        for (q, &i) in negative.iter().enumerate() {
            t[i][nv + m + q] = 1.0;
            basis[i] = nv + m + q;
        }
        let artificial = |j: usize| j >= nv + m && j < rhs;
        // Phase 1: min Σ artificials.
        let mut obj = vec![0.0; width];
        obj[nv + m..rhs].fill(1.0);
        price_out(&t, &basis, &mut obj);
        let all: Vec<bool> = (0..rhs).map(|_| true).collect();
        assert!(run(&mut t, &mut obj, &mut basis, &all), "phase 1 is bounded");
        if -obj[rhs] > FEASIBLE {
            return None;
        }
        // Artificials left in the basis at 0 leave it where a pivot exists.
        for i in 0..m {
            if artificial(basis[i]) {
                if let Some(j) = (0..nv + m).find(|&j| t[i][j].abs() > PIVOT_ZERO) {
                    pivot(&mut t, &mut obj, i, j);
                    basis[i] = j;
                }
            }
        }
        // Phase 2 over x' and slacks.
        let mut obj = vec![0.0; width];
        obj[..nv].copy_from_slice(&self.cost);
        price_out(&t, &basis, &mut obj);
        let allowed: Vec<bool> = (0..rhs).map(|j| !artificial(j)).collect();
        assert!(run(&mut t, &mut obj, &mut basis, &allowed), "costs ≥ 0 bound the LP");
        let mut x = self.lo.clone();
        for (i, &j) in basis.iter().enumerate() {
            if j < nv {
                x[j] += t[i][rhs].max(0.0);
            }
        }
        Some(x)
    }
}

/// Makes the reduced costs of the basic columns zero.
fn price_out(t: &[Vec<f64>], basis: &[usize], obj: &mut [f64]) {
    for (i, &j) in basis.iter().enumerate() {
        let f = obj[j];
        if f != 0.0 {
            for (o, v) in obj.iter_mut().zip(&t[i]) {
                *o -= f * v;
            }
        }
    }
}

fn pivot(t: &mut [Vec<f64>], obj: &mut [f64], r: usize, c: usize) {
    let p = t[r][c];
    for v in t[r].iter_mut() {
        *v /= p;
    }
    let row = t[r].clone();
    for (i, ti) in t.iter_mut().enumerate() {
        let f = ti[c];
        if i != r && f != 0.0 {
            for (v, rv) in ti.iter_mut().zip(&row) {
                *v -= f * rv;
            }
        }
    }
    let f = obj[c];
    if f != 0.0 {
        for (o, rv) in obj.iter_mut().zip(&row) {
            *o -= f * rv;
        }
    }
}

/// Bland's rule until no allowed column has a negative reduced cost
/// (true) or a column can grow without bound (false).
fn run(t: &mut [Vec<f64>], obj: &mut [f64], basis: &mut [usize], allowed: &[bool]) -> bool {
    let rhs = obj.len() - 1;
    loop {
        let Some(c) = (0..rhs).find(|&j| allowed[j] && obj[j] < -PIVOT_ZERO) else {
            return true;
        };
        let mut leave: Option<(usize, f64)> = None;
        for i in 0..t.len() {
            if t[i][c] > PIVOT_ZERO {
                let ratio = t[i][rhs].max(0.0) / t[i][c];
                let better = match leave {
                    None => true,
                    Some((l, best)) => ratio < best || (ratio == best && basis[i] < basis[l]),
                };
                if better {
                    leave = Some((i, ratio));
                }
            }
        }
        let Some((r, _)) = leave else {
            return false;
        };
        pivot(t, obj, r, c);
        basis[r] = c;
    }
}

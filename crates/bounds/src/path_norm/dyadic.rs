//! Hinge multipliers on a dyadic grid, made exactly feasible for the parts
//! of the dual the certificate relies on: π ≥ 0, Σ_k π_nk ≤ 1/N per sample,
//! and Σ_n λ_nk = 0 per class, all in integer arithmetic.
//!
//! π_nk = m_nk·2^−E with integers m_nk (k ≠ y_n). Then λ_nk = π_nk for
//! k ≠ y_n and λ_{n,y_n} = −Σ_k π_nk are integers times 2^−E too, every sum
//! is exact in i128, and every λ is exactly representable in f64 (|m| < 2^53),
//! so the pricing problem sees exactly the λ that the certificate uses.
//!
//! Balance: with F_ak = Σ_{n: y_n = a} m_nk (a flow from class a to class
//! k), Σ_n λ_nk = (inflow of k) − (outflow of k). While some class has a
//! surplus of outflow, a path of positive flow leads from it to a class with
//! a surplus of inflow (the classes reachable from the deficit classes along
//! positive edges have a net inflow ≥ 0 in total, and contain a deficit
//! class, so one of them has a positive net inflow); lowering the flow along
//! that path by the smallest of the edges and the two imbalances keeps
//! every other class's net, and ends with an edge at 0 or a class
//! balanced. Each edge's reduction is taken from its samples' m_nk. Every
//! step only lowers multipliers, so π ≥ 0 and the per-sample cap still hold.

/// The grid's exponent E: π = m·2^−E. With E = 50 and at most 2^50/N per
/// sample, every |λ| stays below 2^50 units, exactly representable in f64.
pub const DYADIC_EXPONENT: i32 = 50;

/// Exactly feasible hinge multipliers, π_nk = m_nk·2^−E.
#[derive(Clone, Debug, PartialEq)]
pub struct DyadicDual {
    /// m_nk per sample n and class k; m_{n,y_n} = 0 (no hinge row).
    units: Vec<Vec<i64>>,
    labels: Vec<usize>,
}

impl DyadicDual {
    /// The labels of the samples the multipliers belong to.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Rounds `pi` (per sample, per class; entries at the sample's own class,
    /// negative or non-finite ones are ignored) down to the grid, scales
    /// each sample down to its cap 1/N, and balances every class exactly.
    /// Only ever lowers a multiplier.
    pub fn repair(pi: &[Vec<f64>], labels: &[usize], classes: usize) -> DyadicDual {
        assert_eq!(pi.len(), labels.len(), "one row of multipliers per sample");
        let n = labels.len().max(1) as i128;
        let unit = 2f64.powi(DYADIC_EXPONENT);
        let cap = (1i128 << DYADIC_EXPONENT) / n;
        let mut units: Vec<Vec<i64>> = pi
            .iter()
            .zip(labels)
            .map(|(row, &y)| {
                let mut m: Vec<i128> = (0..classes)
                    .map(|k| {
                        let p = row.get(k).copied().unwrap_or(0.0);
                        if k == y || !p.is_finite() || p <= 0.0 {
                            0
                        } else {
                            // floor, clamped to the cap (a π above 1/N is an LP tolerance).
                            ((p * unit).floor() as i128).min(cap)
                        }
                    })
                    .collect();
                let total: i128 = m.iter().sum();
                if total > cap {
                    for v in &mut m {
                        *v = *v * cap / total;
                    }
                }
                m.into_iter().map(|v| v as i64).collect()
            })
            .collect();
        balance(&mut units, labels, classes);
        DyadicDual {
            units,
            labels: labels.to_vec(),
        }
    }

    /// m_nk, the multipliers in units of 2^−E.
    pub fn units(&self) -> &[Vec<i64>] {
        &self.units
    }

    /// π_nk as f64 (exact).
    pub fn pi(&self, n: usize, k: usize) -> f64 {
        self.units[n][k] as f64 * 2f64.powi(-DYADIC_EXPONENT)
    }

    /// Σ_n λ_nk in units of 2^−E, exactly (0 after [`DyadicDual::repair`]).
    pub fn class_residual(&self, k: usize) -> i128 {
        self.lambda_units(k).iter().sum()
    }

    /// λ_nk over the samples n, in units of 2^−E.
    pub fn lambda_units(&self, k: usize) -> Vec<i128> {
        self.units
            .iter()
            .zip(&self.labels)
            .map(|(m, &y)| {
                if y == k {
                    -m.iter().map(|&v| v as i128).sum::<i128>()
                } else {
                    m[k] as i128
                }
            })
            .collect()
    }

    /// λ_nk over the samples n, as f64 (exact: every |λ| < 2^53 units).
    pub fn lambda(&self, k: usize) -> Vec<f64> {
        let scale = 2f64.powi(-DYADIC_EXPONENT);
        self.lambda_units(k).into_iter().map(|v| v as f64 * scale).collect()
    }

    /// Σ π in units of 2^−E, exactly.
    pub fn total_units(&self) -> i128 {
        self.units.iter().flatten().map(|&v| v as i128).sum()
    }

    /// Σ π, rounded to f64 once.
    pub fn total(&self) -> f64 {
        self.total_units() as f64 * 2f64.powi(-DYADIC_EXPONENT)
    }
}

/// Lowers multipliers until every class's net Σ_n λ_nk is 0 (see the module
/// docs for why a path always exists).
fn balance(units: &mut [Vec<i64>], labels: &[usize], classes: usize) {
    // flow[a][k] = Σ over samples of class a of m_nk.
    let mut flow = vec![vec![0i128; classes]; classes];
    for (m, &a) in units.iter().zip(labels) {
        for k in 0..classes {
            flow[a][k] += m[k] as i128;
        }
    }
    let net = |flow: &Vec<Vec<i128>>, k: usize| -> i128 {
        (0..classes).map(|a| flow[a][k]).sum::<i128>() - flow[k].iter().sum::<i128>()
    };
    // How much to take off each class edge a → k, spread over its samples after.
    let mut cut = vec![vec![0i128; classes]; classes];
    loop {
        let deficit: Vec<usize> = (0..classes).filter(|&k| net(&flow, k) < 0).collect();
        if deficit.is_empty() {
            break; // Σ_k net = 0, so no deficit means no surplus either.
        }
        // Breadth-first search from the deficit classes along positive edges.
        let mut parent: Vec<Option<usize>> = vec![None; classes];
        let mut seen = vec![false; classes];
        let mut queue = std::collections::VecDeque::new();
        for &s in &deficit {
            seen[s] = true;
            queue.push_back(s);
        }
        let mut target = None;
        while let Some(a) = queue.pop_front() {
            if net(&flow, a) > 0 {
                target = Some(a);
                break;
            }
            for k in 0..classes {
                if !seen[k] && flow[a][k] > 0 {
                    seen[k] = true;
                    parent[k] = Some(a);
                    queue.push_back(k);
                }
            }
        }
        let target = target.expect("a deficit class always reaches a surplus class along positive flow");
        let mut path = vec![target];
        while let Some(p) = parent[*path.last().unwrap()] {
            path.push(p);
        }
        path.reverse(); // source (deficit) … target (surplus)
        let source = path[0];
        let mut amount = (-net(&flow, source)).min(net(&flow, target));
        for e in path.windows(2) {
            amount = amount.min(flow[e[0]][e[1]]);
        }
        for e in path.windows(2) {
            flow[e[0]][e[1]] -= amount;
            cut[e[0]][e[1]] += amount;
        }
    }
    for (m, &a) in units.iter_mut().zip(labels) {
        for k in 0..classes {
            let take = cut[a][k].min(m[k] as i128);
            m[k] -= take as i64;
            cut[a][k] -= take;
        }
    }
    debug_assert!(cut.iter().flatten().all(|&c| c == 0));
}

//! HiGHS-free references for one-feature training problems: the exact
//! training optimum by enumeration of activation patterns × grid patterns
//! (one small LP each), and the exact Dantzig–Wolfe master by its complete
//! set of columns. Every LP here is solved by [`simplex`], a dense two-phase
//! simplex written for these tests, so nothing depends on the solver the
//! bound itself trusts.
//!
//! The optimum is returned as the best enumerated network, re-evaluated
//! from its weights by [`Problem::objective`] (a forward pass): an upper
//! bound on the true optimum, equal to it up to the simplex's rounding.
//! A certified bound above it is therefore wrong, whatever the LPs' errors.

pub mod simplex;

use mipnet_data::Dataset;
use mipnet_formulate::{FormulationSettings, Rule};
use simplex::Lp;

/// A one-hidden-layer network of the formulation: unit j is (w_j, b_j, z_j).
#[derive(Clone, Debug)]
pub struct Net {
    pub w: Vec<f64>,
    pub b: Vec<f64>,
    pub z: Vec<Vec<i32>>,
    pub c: Vec<f64>,
}

/// A one-feature training problem of the dense formulation with one
/// hidden layer and the hinge loss.
pub struct Problem<'a> {
    pub x: Vec<f64>,
    pub y: Vec<usize>,
    pub classes: usize,
    pub s: &'a FormulationSettings,
    /// The loss cost of each sample: its class's weight / N.
    pub loss_cost: Vec<f64>,
    /// At most this many units with z ≠ 0 (a neuron-limit rule), else H.
    pub max_kept: usize,
}

impl<'a> Problem<'a> {
    pub fn new(data: &Dataset, s: &'a FormulationSettings) -> Self {
        assert_eq!(data.num_features(), 1, "one input feature");
        assert_eq!(s.hidden.len(), 1, "one hidden layer");
        let n = data.len();
        let names = &data.class_names;
        let loss_cost = (0..n)
            .map(|i| s.class_weights.get(&names[data.label(i)]).copied().unwrap_or(1.0) / n as f64)
            .collect();
        let mut max_kept = s.hidden[0];
        for r in &s.rules {
            match r {
                Rule::NeuronLimit { max_neurons } => max_kept = max_kept.min(*max_neurons),
                other => panic!("no enumeration for the rule {other:?}"),
            }
        }
        Problem {
            x: (0..n).map(|i| data.row(i)[0]).collect(),
            y: data.labels().to_vec(),
            classes: data.num_classes(),
            s,
            loss_cost,
            max_kept,
        }
    }

    fn prunable(&self) -> bool {
        self.s.prune_neurons || self.s.rules.iter().any(|r| matches!(r, Rule::NeuronLimit { .. }))
    }

    /// What the formulation charges a grid weight s·z: α·s|z| + λ[z ≠ 0] + γ·s²z².
    fn grid_cost(&self, z: i32) -> f64 {
        let (s, v) = (self.s, self.s.grid_step * z as f64);
        if z == 0 {
            0.0
        } else {
            s.l1 * v.abs() + s.l0 + s.l2 * v * v
        }
    }

    /// Everything a unit with pattern z ≠ 0 costs beyond its layer-1 weight.
    fn pattern_cost(&self, z: &[i32]) -> f64 {
        z.iter().map(|&v| self.grid_cost(v)).sum::<f64>() + if self.prunable() { self.s.neuron_penalty } else { 0.0 }
    }

    /// The formulation's objective of `net`, by its forward pass: the
    /// weighted mean hinge loss, α·ℓ1 + λ·ℓ0 + γ·(tangent ℓ2) of the
    /// layer-1 weight, the grid weights' costs, β per kept unit (z ≠ 0).
    pub fn objective(&self, net: &Net) -> f64 {
        let s = self.s;
        let mut total = 0.0;
        for (n, &xn) in self.x.iter().enumerate() {
            let h: Vec<f64> = (0..net.w.len()).map(|j| (net.w[j] * xn + net.b[j]).max(0.0)).collect();
            let o: Vec<f64> = (0..self.classes)
                .map(|k| {
                    net.c[k]
                        + (0..h.len())
                            .map(|j| s.grid_step * net.z[j][k] as f64 * h[j])
                            .sum::<f64>()
                })
                .collect();
            let y = self.y[n];
            let worst = (0..self.classes)
                .filter(|&k| k != y)
                .map(|k| s.margin - (o[y] - o[k]))
                .fold(0.0, f64::max);
            total += self.loss_cost[n] * worst;
        }
        for j in 0..net.w.len() {
            let w = net.w[j];
            total += s.l1 * w.abs() + s.l2 * s.l2_approx(w) + if w != 0.0 { s.l0 } else { 0.0 };
            if net.z[j].iter().any(|&v| v != 0) {
                total += self.pattern_cost(&net.z[j]);
            }
        }
        total
    }

    /// Every set of samples {x > t} and {x < t} over thresholds t (the
    /// active sets a unit w·x + b can have with one feature), "all" and
    /// "none" included.
    fn active_sets(&self) -> Vec<Vec<bool>> {
        let mut xs = self.x.clone();
        xs.sort_by(f64::total_cmp);
        let mut ts: Vec<f64> = xs.windows(2).map(|p| (p[0] + p[1]) / 2.0).collect();
        ts.push(xs[0] - 1.0);
        ts.push(xs[xs.len() - 1] + 1.0);
        let mut sets: Vec<Vec<bool>> = Vec::new();
        for t in ts {
            for set in [
                self.x.iter().map(|&v| v > t).collect::<Vec<_>>(),
                self.x.iter().map(|&v| v < t).collect(),
            ] {
                if !sets.contains(&set) {
                    sets.push(set);
                }
            }
        }
        sets
    }

    /// Grid patterns of a kept unit: z ≠ c·1 (a constant z moves every
    /// score alike, so it changes no hinge term and only costs).
    fn useful_patterns(&self) -> Vec<Vec<i32>> {
        all_patterns(self.classes, self.s.grid_levels as i32)
            .into_iter()
            .filter(|z| z.iter().any(|&v| v != z[0]))
            .collect()
    }

    /// The exact training optimum: the best network over every multiset
    /// of H units, each off or (active set, pattern, layer-1 weight zero
    /// or free), with at most `max_kept` units on, the weights solved by
    /// one LP per combination.
    pub fn optimum(&self) -> (f64, Net) {
        let sets = self.active_sets();
        let patterns = self.useful_patterns();
        // A unit choice: None is off; Some((set, pattern, weight free)).
        let mut choices: Vec<Option<(usize, usize, bool)>> = vec![None];
        for si in 0..sets.len() {
            for pi in 0..patterns.len() {
                choices.push(Some((si, pi, true)));
                if self.s.l0 > 0.0 {
                    choices.push(Some((si, pi, false)));
                }
            }
        }
        let h = self.s.hidden[0];
        let mut best = (f64::INFINITY, None);
        for combo in multisets(choices.len(), h) {
            let units: Vec<(usize, usize, bool)> = combo.iter().filter_map(|&i| choices[i]).collect();
            if units.len() > self.max_kept {
                continue;
            }
            let fixed: f64 = units
                .iter()
                .map(|&(_, pi, free)| self.pattern_cost(&patterns[pi]) + if free { self.s.l0 } else { 0.0 })
                .sum();
            if fixed >= best.0 {
                continue;
            }
            let picked: Vec<(&[bool], &[i32], bool)> = units
                .iter()
                .map(|&(si, pi, free)| (sets[si].as_slice(), patterns[pi].as_slice(), free))
                .collect();
            if let Some(net) = self.best_weights(&picked) {
                let v = self.objective(&net);
                if v < best.0 {
                    best = (v, Some(net));
                }
            }
        }
        (best.0, best.1.expect("the empty network is always a candidate"))
    }

    /// The LP over the weights of units with fixed active sets and patterns
    /// (a unit's layer-1 weight fixed at 0 when not free), rebuilt into a
    /// network (its weights clamped into the box; the LP's vertex may sit a
    /// rounding error outside it). The objective is continuous in the
    /// weights, so the vertex's rounding errors (≈ 1e-15) move the
    /// network's value by as little; [`Problem::objective`] prices it.
    fn best_weights(&self, units: &[(&[bool], &[i32], bool)]) -> Option<Net> {
        let s = self.s;
        let (om, k, n) = (s.omega, self.classes, self.x.len());
        let mut lp = Lp::default();
        let mut wv = Vec::new();
        let mut bv = Vec::new();
        for &(active, _, free) in units {
            let w = if free {
                lp.var(-om, om, 0.0)
            } else {
                lp.var(0.0, 0.0, 0.0)
            };
            let b = lp.var(-om, om, 0.0);
            let a = lp.var(0.0, om, s.l1);
            lp.row(&[(w, 1.0), (a, -1.0)], 0.0);
            lp.row(&[(w, -1.0), (a, -1.0)], 0.0);
            if s.l2 > 0.0 {
                let r = lp.var(0.0, om * om, s.l2);
                for t in s.l2_points() {
                    lp.row(&[(w, 2.0 * t), (r, -1.0)], t * t);
                }
            }
            for (i, &on) in active.iter().enumerate() {
                let sign = if on { -1.0 } else { 1.0 };
                lp.row(&[(w, sign * self.x[i]), (b, sign)], 0.0);
            }
            wv.push(w);
            bv.push(b);
        }
        let c: Vec<usize> = (0..k).map(|_| lp.var(-om, om, 0.0)).collect();
        let xi: Vec<usize> = (0..n).map(|i| lp.var(0.0, f64::INFINITY, self.loss_cost[i])).collect();
        for i in 0..n {
            let y = self.y[i];
            for other in (0..k).filter(|&o| o != y) {
                // ξ ≥ margin − (o_y − o_k) with o_k = c_k + Σ_j s z_jk (w_j x + b_j) on active units.
                let mut terms = vec![(xi[i], -1.0), (c[y], -1.0), (c[other], 1.0)];
                for (j, &(active, z, _)) in units.iter().enumerate() {
                    if active[i] {
                        let dz = s.grid_step * (z[other] - z[y]) as f64;
                        terms.push((wv[j], dz * self.x[i]));
                        terms.push((bv[j], dz));
                    }
                }
                lp.row(&terms, -s.margin);
            }
        }
        let sol = lp.solve()?;
        let clamp = |v: f64| v.clamp(-om, om);
        let net = Net {
            w: wv.iter().map(|&v| clamp(sol[v])).collect(),
            b: bv.iter().map(|&v| clamp(sol[v])).collect(),
            z: units.iter().map(|u| u.1.to_vec()).collect(),
            c: c.iter().map(|&v| clamp(sol[v])).collect(),
        };
        Some(net)
    }

    /// The exact optimum of the Dantzig–Wolfe master that the unit-columns
    /// method solves (module docs of `unit_columns`): loss at weight 1/N,
    /// a column per unit (w, b, z ≠ 0) costing α|w| + Σ_k grid cost + β,
    /// Σλ ≤ H, |c_k| ≤ ω. With one feature a unit's reduced cost for any
    /// multipliers is piecewise linear in (w, b) on the arrangement of the
    /// lines w·x_n + b = 0, w = 0 and the box's sides, so its minimum over
    /// the box is at one of their crossings: those crossings × every z ≠ 0
    /// are a complete set of columns.
    pub fn dantzig_wolfe(&self) -> f64 {
        let s = self.s;
        let (om, k, n) = (s.omega, self.classes, self.x.len());
        let mut lines: Vec<(f64, f64, f64)> = self.x.iter().map(|&xn| (xn, 1.0, 0.0)).collect();
        lines.extend([
            (1.0, 0.0, 0.0),
            (1.0, 0.0, om),
            (1.0, 0.0, -om),
            (0.0, 1.0, om),
            (0.0, 1.0, -om),
        ]);
        let mut vertices = Vec::new();
        for (i, &(a1, b1, c1)) in lines.iter().enumerate() {
            for &(a2, b2, c2) in &lines[i + 1..] {
                let det = a1 * b2 - a2 * b1;
                if det.abs() < 1e-12 {
                    continue;
                }
                let w = (c1 * b2 - c2 * b1) / det;
                let b = (a1 * c2 - a2 * c1) / det;
                if w.abs() <= om * (1.0 + 1e-12) && b.abs() <= om * (1.0 + 1e-12) {
                    vertices.push((w.clamp(-om, om), b.clamp(-om, om)));
                }
            }
        }
        let patterns: Vec<Vec<i32>> = all_patterns(k, s.grid_levels as i32)
            .into_iter()
            .filter(|z| z.iter().any(|&v| v != 0))
            .collect();
        let mut lp = Lp::default();
        let mut columns = Vec::new();
        for &(w, b) in &vertices {
            for z in &patterns {
                let v = lp.var(0.0, f64::INFINITY, s.l1 * w.abs() + self.pattern_cost(z));
                columns.push((v, w, b, z.clone()));
            }
        }
        let width: Vec<(usize, f64)> = columns.iter().map(|c| (c.0, 1.0)).collect();
        lp.row(&width, s.hidden[0] as f64);
        let c: Vec<usize> = (0..k).map(|_| lp.var(-om, om, 0.0)).collect();
        let xi: Vec<usize> = (0..n).map(|_| lp.var(0.0, f64::INFINITY, 1.0 / n as f64)).collect();
        for (i, &xi_i) in xi.iter().enumerate() {
            let y = self.y[i];
            for other in (0..k).filter(|&o| o != y) {
                let mut terms = vec![(xi_i, -1.0), (c[y], -1.0), (c[other], 1.0)];
                for (v, w, b, z) in &columns {
                    let h = (w * self.x[i] + b).max(0.0);
                    let dz = s.grid_step * (z[other] - z[y]) as f64;
                    if h * dz != 0.0 {
                        terms.push((*v, dz * h));
                    }
                }
                lp.row(&terms, -s.margin);
            }
        }
        let sol = lp.solve().expect("λ = 0 is feasible");
        lp.value(&sol)
    }
}

/// Every z ∈ {−P..P}^K.
fn all_patterns(k: usize, p: i32) -> Vec<Vec<i32>> {
    let mut out = vec![Vec::new()];
    for _ in 0..k {
        out = out
            .into_iter()
            .flat_map(|z: Vec<i32>| {
                (-p..=p).map(move |v| {
                    let mut z = z.clone();
                    z.push(v);
                    z
                })
            })
            .collect();
    }
    out
}

/// Every non-decreasing sequence of `len` indices below `count`.
fn multisets(count: usize, len: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for _ in 0..len {
        out = out
            .into_iter()
            .flat_map(|m: Vec<usize>| {
                let from = m.last().copied().unwrap_or(0);
                (from..count).map(move |i| {
                    let mut m = m.clone();
                    m.push(i);
                    m
                })
            })
            .collect();
    }
    out
}

/// (samples, classes, settings), one input feature: widths 1–2, 2–3
/// classes, P = 1–2, ω, s, α, margin, ℓ0/ℓ2 and the neuron penalty varied.
pub fn one_feature_cases() -> Vec<(usize, usize, FormulationSettings)> {
    vec![
        (
            6,
            2,
            FormulationSettings {
                hidden: vec![1],
                l1: 0.05,
                ..Default::default()
            },
        ),
        (
            5,
            3,
            FormulationSettings {
                hidden: vec![1],
                omega: 0.5,
                grid_step: 0.5,
                margin: 0.5,
                l1: 0.1,
                ..Default::default()
            },
        ),
        (
            6,
            3,
            FormulationSettings {
                hidden: vec![1],
                ..Default::default()
            },
        ),
        (
            5,
            2,
            FormulationSettings {
                hidden: vec![2],
                grid_step: 0.5,
                l1: 0.0,
                ..Default::default()
            },
        ),
        (
            4,
            2,
            FormulationSettings {
                hidden: vec![2],
                grid_levels: 2,
                grid_step: 0.5,
                l1: 0.05,
                prune_neurons: true,
                neuron_penalty: 0.01,
                ..Default::default()
            },
        ),
        (
            4,
            3,
            FormulationSettings {
                hidden: vec![2],
                omega: 0.5,
                l1: 0.05,
                ..Default::default()
            },
        ),
        (
            6,
            2,
            FormulationSettings {
                hidden: vec![1],
                margin: 0.5,
                l1: 0.05,
                l0: 0.01,
                l2: 0.02,
                ..Default::default()
            },
        ),
    ]
}

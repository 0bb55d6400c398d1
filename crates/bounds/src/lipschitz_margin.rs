//! The Lipschitz-margin LP: a lower bound on the training optimum that keeps
//! the weights shared by all samples (../shared/BOUNDS.md §1, re-derived
//! here).
//!
//! # Why it is a lower bound
//!
//! Take any network of the formulation: layer-1 weights W (|W| ≤ ω), later
//! weights on the grid s·{−P..P}, biases in [−ω, ω]. For two samples n, m
//! and an output k, ReLU is 1-Lipschitz and every grid weight is at most
//! s·P in magnitude, so with B_i = Σ_j |W_ji| (input column i's ℓ1 mass):
//!
//! - first hidden layer: Σ_j |h¹_j(x_n) − h¹_j(x_m)| ≤ Σ_j |W_j·(x_n − x_m)|
//!   ≤ Σ_i B_i·|x_ni − x_mi|;
//! - a hidden layer ℓ ≥ 2 of width n_ℓ: Σ_j |Δh^ℓ_j| ≤ n_ℓ·s·P·Σ_i |Δh^{ℓ−1}_i|
//!   (each of its n_ℓ neurons sums at most s·P times every input change);
//!   when the layer can be pruned to the identity, the factor is
//!   max(1, n_ℓ·s·P);
//! - the output: |Δo_k| ≤ s·P·Σ_j |Δh^{L−1}_j|.
//!
//! So |o_nk − o_mk| ≤ Λ·Σ_i B_i·|x_ni − x_mi| with Λ = s·P·Π_ℓ≥2 (factor ℓ).
//! The objective is at least (1/N)·Σ_n loss_n + α·Σ_i B_i: every other term
//! (the ℓ1 of later weights, ℓ0, the ℓ2 tangents, which are ≥ 0, neuron and
//! layer penalties) is ≥ 0 and dropped. Hence every network gives a point
//! of the LP
//!
//! min (1/N)·Σ_n loss_n + α·Σ_i B_i
//! s.t. the loss rows of the formulation on free outputs o_nk,
//!      o_mk − o_nk + Λ·Σ_i |x_ni − x_mi|·B_i ≥ 0 and the same with n, m
//!      swapped, for each selected pair and every class k,
//!      0 ≤ B_i ≤ n_1·ω, |o_nk| ≤ O_n (the formulation's interval bound on
//!      sample n's outputs), the loss variables in the formulation's boxes,
//!
//! whose value is at most the network's objective (o_nk = the network's
//! outputs, the losses at their minimum, which the MILP's optimum attains).
//! Dropping pairs only removes rows, so any selection of pairs is valid.
//! The losses: hinge (ξ_n ≥ margin − (o_{n,y} − o_{nk}), 0 ≤ ξ_n ≤ 2·O_n +
//! margin), misclassification (its binary relaxed to [0, 1] with the
//! formulation's big-M 2·O_n + margin) and ℓ1 (t_nk ≥ |o_nk − target|,
//! 0 ≤ t_nk ≤ O_n + 1).
//!
//! A convolutional first layer is not covered (a filter is shared by all
//! positions, so the ℓ1 mass per input is not B_i): the method says so.
//!
//! # Certified, whatever the LP solver did
//!
//! The LP's dual is solved (see [`crate::lp_dual`]) and its row multipliers
//! are turned into a bound by [`crate::safe::lower_bound`], which uses the
//! finite boxes above to absorb every residual and subtracts a rounding
//! margin: the reported bound never relies on the solver's tolerances.

use crate::lp_dual::LpDual;
use crate::safe::{lower_bound, SafeBound};
use crate::{BoundError, ProvenBound};
use mipnet_data::Dataset;
use mipnet_formulate::{FormulationSettings, Loss};
use mipnet_milp::{Col, Model, Sense, VarType};
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver};
use std::time::Instant;

/// The method's name in reports.
pub const METHOD: &str = "lipschitz-margin";

/// Relative outward rounding of the relaxation's constants (Λ·|Δx| and the
/// boxes O_n): they are computed in f64 and could round an ulp inside the
/// MILP's feasible set; widening them by this makes the relaxation contain
/// every network whatever the rounding (it only weakens the bound, by about
/// this relative amount).
pub const OUTWARD_ROUNDING: f64 = 1e-12;

/// How many sample pairs the LP gets. Every pair adds 2·K rows; the measured
/// cost on 2 cores is in docs/benchmarks.md.
#[derive(Clone, Debug, PartialEq)]
pub struct LipschitzMarginSettings {
    /// At most this many pairs (all pairs when the data has fewer). Default
    /// 3,000: measured on Iris, Wine and WDBC (3 splits each), the bound
    /// equals the one with all pairs (Iris 6,216, Wine 8,778) or with
    /// 10,000–30,000 (WDBC) to 4 digits, in a fifth to a half of the time.
    pub max_pairs: usize,
}

impl Default for LipschitzMarginSettings {
    fn default() -> Self {
        LipschitzMarginSettings { max_pairs: 3_000 }
    }
}

/// The relaxation of one training problem, ready to select pairs and solve.
#[derive(Clone, Debug)]
pub struct LipschitzMargin<'a> {
    data: &'a Dataset,
    settings: &'a FormulationSettings,
    /// Λ: |o_nk − o_mk| ≤ Λ·Σ_i B_i·|x_ni − x_mi|.
    lipschitz: f64,
    /// n_1·ω: the largest ℓ1 mass of one input column.
    mass_cap: f64,
    /// O_n: the formulation's bound on |o_nk|, per sample.
    output_bound: Vec<f64>,
}

impl<'a> LipschitzMargin<'a> {
    /// The relaxation of the training MILP of `settings` on `data` (the
    /// standardized training data, as the formulation sees it). Refuses,
    /// naming the reason, the formulations it does not cover.
    pub fn new(data: &'a Dataset, settings: &'a FormulationSettings) -> Result<Self, BoundError> {
        settings
            .validate()
            .map_err(|e| BoundError::NotApplicable(format!("the formulation itself is refused ({e})")))?;
        if data.num_classes() < 2 {
            return Err(BoundError::NotApplicable("fewer than two classes".into()));
        }
        if settings.conv.is_some() {
            return Err(BoundError::NotApplicable(
                "a convolutional first layer (a filter is shared by all positions; not derived yet)".into(),
            ));
        }
        if settings.hidden.is_empty() {
            return Err(BoundError::NotApplicable("a network without hidden layers".into()));
        }
        if data.is_empty() {
            return Err(BoundError::NotApplicable("no training samples".into()));
        }
        let step = settings.grid_step * settings.grid_levels as f64;
        let prunable = settings.prunable_layers();
        let mut lipschitz = step;
        for (l, &width) in settings.hidden.iter().enumerate().skip(1) {
            let factor = width as f64 * step;
            // Hidden layer l (0-based) as the formulation numbers layers: l + 1 ≥ 1.
            let identity_possible = settings.prune_layers && prunable.contains(&l);
            lipschitz *= if identity_possible { factor.max(1.0) } else { factor };
        }
        let omega = settings.omega;
        let lipschitz = lipschitz * (1.0 + OUTWARD_ROUNDING);
        let output_bound = (0..data.len())
            .map(|n| {
                // Layer 1: every neuron's activation is at most ω(Σ|x| + 1).
                let mut act = omega * (data.row(n).iter().map(|x| x.abs()).sum::<f64>() + 1.0);
                let mut width = settings.hidden[0] as f64;
                for (l, &w) in settings.hidden.iter().enumerate().skip(1) {
                    let next = step * width * act + omega;
                    act = if settings.prune_layers && prunable.contains(&l) {
                        next.max(act)
                    } else {
                        next
                    };
                    width = w as f64;
                }
                (step * width * act + omega) * (1.0 + OUTWARD_ROUNDING)
            })
            .collect();
        Ok(LipschitzMargin {
            data,
            settings,
            lipschitz,
            mass_cap: settings.hidden[0] as f64 * omega,
            output_bound,
        })
    }

    /// Λ, the Lipschitz constant of the outputs in the ℓ1 masses.
    pub fn lipschitz_constant(&self) -> f64 {
        self.lipschitz
    }

    /// O_n, the bound on |o_nk| the relaxation boxes outputs with.
    pub fn output_bound(&self, n: usize) -> f64 {
        self.output_bound[n]
    }

    /// Up to `max_pairs` pairs (n < m): all of them when they fit; else, in
    /// rounds, each sample's next nearest sample of another class and next
    /// nearest of any class (ℓ1 distance), because what limits the fit are
    /// close samples with different labels (and the chains between them).
    pub fn pairs(&self, max_pairs: usize) -> Vec<(usize, usize)> {
        let n = self.data.len();
        let all = n * n.saturating_sub(1) / 2;
        if all <= max_pairs {
            return (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).collect();
        }
        let distance = |a: usize, b: usize| -> f64 {
            self.data
                .row(a)
                .iter()
                .zip(self.data.row(b))
                .map(|(x, y)| (x - y).abs())
                .sum()
        };
        // Each round adds at most 2 pairs per sample, so no sample needs more
        // neighbours per list than the rounds that fit the budget.
        let needed = (max_pairs / n).saturating_add(2);
        // Per sample: its nearest samples of other classes, and of any class.
        let order: Vec<(Vec<usize>, Vec<usize>)> = (0..n)
            .map(|a| {
                let mut others: Vec<(f64, usize)> = (0..n).filter(|&b| b != a).map(|b| (distance(a, b), b)).collect();
                others.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                let other_class = others
                    .iter()
                    .filter(|&&(_, b)| self.data.label(b) != self.data.label(a))
                    .take(needed)
                    .map(|&(_, b)| b)
                    .collect();
                let any = others.iter().take(needed).map(|&(_, b)| b).collect();
                (other_class, any)
            })
            .collect();
        let mut chosen = std::collections::BTreeSet::new();
        let mut round = 0;
        while chosen.len() < max_pairs && round < needed {
            for (a, (other_class, any)) in order.iter().enumerate() {
                for list in [other_class, any] {
                    if let Some(&b) = list.get(round) {
                        if chosen.len() < max_pairs {
                            chosen.insert((a.min(b), a.max(b)));
                        }
                    }
                }
            }
            round += 1;
        }
        chosen.into_iter().collect()
    }

    /// The relaxation over `pairs`, as a minimizing LP.
    pub fn relaxation(&self, pairs: &[(usize, usize)]) -> Model {
        let (n_samples, k, d) = (self.data.len(), self.data.num_classes(), self.data.num_features());
        let s = self.settings;
        let inv_n = 1.0 / n_samples as f64;
        let mut m = Model::new(Sense::Minimize);
        let mass: Vec<Col> = (0..d)
            .map(|_| m.add_col(0.0, self.mass_cap, s.l1, VarType::Continuous))
            .collect();
        let outputs: Vec<Vec<Col>> = (0..n_samples)
            .map(|n| {
                let o = self.output_bound[n];
                (0..k).map(|_| m.add_col(-o, o, 0.0, VarType::Continuous)).collect()
            })
            .collect();
        for n in 0..n_samples {
            let (y, o, bound) = (self.data.label(n), &outputs[n], self.output_bound[n]);
            match s.loss {
                Loss::Hinge | Loss::Misclassification => {
                    let big = 2.0 * bound + s.margin;
                    let (upper, coef) = if s.loss == Loss::Hinge { (big, 1.0) } else { (1.0, big) };
                    let loss = m.add_col(0.0, upper, inv_n, VarType::Continuous);
                    for c in (0..k).filter(|&c| c != y) {
                        m.add_row(s.margin, f64::INFINITY, [(loss, coef), (o[y], 1.0), (o[c], -1.0)]);
                    }
                }
                Loss::L1 => {
                    for (c, &oc) in o.iter().enumerate() {
                        let target = if c == y { 1.0 } else { 0.0 };
                        let t = m.add_col(0.0, bound + 1.0, inv_n, VarType::Continuous);
                        m.add_row(-target, f64::INFINITY, [(t, 1.0), (oc, -1.0)]);
                        m.add_row(target, f64::INFINITY, [(t, 1.0), (oc, 1.0)]);
                    }
                }
            }
        }
        for &(a, b) in pairs {
            let budget: Vec<(Col, f64)> = (0..d)
                .filter_map(|i| {
                    let gap = (self.data.row(a)[i] - self.data.row(b)[i]).abs();
                    (gap > 0.0).then(|| (mass[i], self.lipschitz * gap * (1.0 + OUTWARD_ROUNDING)))
                })
                .collect();
            for c in 0..k {
                for (hi, lo) in [(outputs[a][c], outputs[b][c]), (outputs[b][c], outputs[a][c])] {
                    let mut row = vec![(lo, 1.0), (hi, -1.0)];
                    row.extend_from_slice(&budget);
                    m.add_row(0.0, f64::INFINITY, row);
                }
            }
        }
        m
    }

    /// Selects pairs, solves the LP's dual with `solver`, and certifies the
    /// bound from its multipliers. A solve that ends without a dual point
    /// (time limit, interrupt) is [`BoundError::NoBound`].
    pub fn solve(
        &self,
        solver: &dyn Solver,
        options: &SolveOptions,
        settings: &LipschitzMarginSettings,
    ) -> Result<ProvenBound, BoundError> {
        let started = Instant::now();
        let pairs = self.pairs(settings.max_pairs);
        let primal = self.relaxation(&pairs);
        let dual = LpDual::of(&primal);
        let result = solver
            .solve(SolveRequest::new(&dual.model, options), &mut NoObserver)
            .map_err(|e| BoundError::Solver(e.to_string()))?;
        let Some(solution) = result.solution else {
            return Err(BoundError::NoBound(format!(
                "the dual LP ended {} without a solution",
                result.status.as_str()
            )));
        };
        let y = dual.row_multipliers(&solution);
        // The pair rows come last, 2·K per pair (see `relaxation`).
        let per_pair = 2 * self.data.num_classes();
        let first = primal.num_rows() - per_pair * pairs.len();
        let mut weighted: Vec<(f64, (usize, usize))> = pairs
            .iter()
            .enumerate()
            .map(|(p, &pair)| {
                let rows = &y[first + p * per_pair..first + (p + 1) * per_pair];
                (rows.iter().map(|v| v.abs()).sum::<f64>(), pair)
            })
            .filter(|&(w, _)| w > 0.0)
            .collect();
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let active_pairs = weighted.into_iter().map(|(_, pair)| pair).collect();
        let SafeBound { value, margin, .. } = lower_bound(&primal, &y)
            .ok_or_else(|| BoundError::NoBound("the multipliers certify nothing (an unbounded side)".into()))?;
        Ok(ProvenBound {
            method: METHOD,
            // Every term of the objective is ≥ 0, so 0 is always a bound.
            value: value.max(0.0),
            lp_value: result.objective,
            rounding_margin: margin,
            seconds: started.elapsed().as_secs_f64(),
            rounds: 1,
            pairs: pairs.len(),
            rows: primal.num_rows(),
            active_pairs,
        })
    }
}

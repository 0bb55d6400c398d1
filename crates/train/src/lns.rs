//! Exact large-neighbourhood search around the incumbent.
//!
//! Each neighbourhood frees a few groups of integral columns (a hidden
//! unit's binaries, a sample's activation pattern, some grid weights, or a
//! random set) and fixes every other integral column at the incumbent; the
//! continuous weights stay free. The solver solves that sub-MIP from the
//! incumbent (one thread each, several at once on a rayon pool); a better
//! solution is LP-polished and certified before it counts (the search stage,
//! `stages/neighbourhood_search.rs`).
//!
//! Neighbourhood sizes adapt: a sub-MIP that the solver solves to optimality
//! without finding anything better means the neighbourhood was too small
//! (it grows by half); one that hits its time limit means too large (it
//! shrinks by a third). Kinds are drawn in proportion to their past
//! success, so the search spends its time where it has found something.

use mipnet_formulate::DenseFormulation;
use mipnet_milp::Col;
use mipnet_solver::{InterruptFlag, MipStart, NoObserver, SolveRequest, SolveResult, Solver, SolverError, Status};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

/// What a neighbourhood frees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Every binary of a few hidden units (ReLU binaries over all samples,
    /// indicators, incoming and outgoing grid weights).
    Units,
    /// The activation patterns (and loss binaries) of a few samples, those
    /// with a positive loss first.
    Samples,
    /// A few grid weights (all their value binaries) or layer indicators.
    Weights,
    /// Integral columns drawn at random.
    Random,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Units => "units",
            Kind::Samples => "samples",
            Kind::Weights => "weights",
            Kind::Random => "random",
        }
    }
}

/// How one kind of neighbourhood went.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindReport {
    pub kind: Kind,
    /// Sub-MIPs solved.
    pub tries: usize,
    /// Sub-MIPs whose network (after the polish) became the new incumbent.
    pub improvements: usize,
    /// Sub-MIPs the solver solved to optimality (nothing better in that
    /// neighbourhood).
    pub optimal: usize,
    /// Neighbourhood size at the start and at the end (units, samples,
    /// weights, or columns).
    pub first_size: usize,
    pub last_size: usize,
    /// Free integral columns per sub-MIP, averaged.
    pub mean_free_binaries: f64,
}

/// One kind's state: its size and its record.
struct Arm {
    report: KindReport,
    size: usize,
    min: usize,
    max: usize,
    free_sum: usize,
}

impl Arm {
    fn new(kind: Kind, size: usize, max: usize) -> Arm {
        let size = size.clamp(1, max.max(1));
        Arm {
            report: KindReport {
                kind,
                tries: 0,
                improvements: 0,
                optimal: 0,
                first_size: size,
                last_size: size,
                mean_free_binaries: 0.0,
            },
            size,
            min: 1,
            max: max.max(1),
            free_sum: 0,
        }
    }

    /// Grows after an optimal sub-MIP without gain, shrinks after a time-out.
    fn adapt(&mut self, status: Status, improved: bool) {
        if improved {
            return;
        }
        self.size = match status {
            Status::Optimal => (self.size + self.size.div_ceil(2)).min(self.max),
            Status::TimeLimit => (self.size * 2 / 3).max(self.min),
            _ => self.size,
        };
    }

    /// Drawing weight: the success rate with a prior of 1 in 2.
    fn weight(&self) -> f64 {
        (self.report.improvements as f64 + 1.0) / (self.report.tries as f64 + 2.0)
    }
}

/// A neighbourhood: which integral columns it frees.
pub struct Neighbourhood {
    pub kind: Kind,
    pub free: Vec<Col>,
}

/// The search's state across rounds.
pub struct Search {
    arms: Vec<Arm>,
    rng: ChaCha8Rng,
    units: Vec<(usize, usize)>,
    weights: Vec<Vec<Col>>,
    integral: Vec<Col>,
    pub rounds: usize,
}

impl Search {
    pub fn new(f: &DenseFormulation, seed: u64) -> Search {
        let units = f.hidden_units();
        let nv = f.settings.grid_values().len().max(1);
        let mut weights: Vec<Vec<Col>> = (1..=f.hidden_layers())
            .flat_map(|l| f.grid_binaries(l).chunks(nv).map(|c| c.to_vec()).collect::<Vec<_>>())
            .collect();
        weights.extend(f.layer_indicators().into_iter().map(|c| vec![c]));
        let integral = f.integral_columns();
        let arms = vec![
            Arm::new(Kind::Units, 2, units.len()),
            Arm::new(Kind::Samples, 10, f.samples()),
            Arm::new(Kind::Weights, 8, weights.len()),
            Arm::new(Kind::Random, integral.len() / 20, integral.len()),
        ];
        Search {
            arms,
            rng: ChaCha8Rng::seed_from_u64(seed),
            units,
            weights,
            integral,
            rounds: 0,
        }
    }

    /// Draws `count` neighbourhoods (kinds by past success) for the
    /// incumbent `x`; `losses` holds each sample's loss.
    pub fn draw(&mut self, f: &DenseFormulation, losses: &[f64], count: usize) -> Vec<Neighbourhood> {
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let total: f64 = self.arms.iter().map(Arm::weight).sum();
            let mut pick = self.rng.gen::<f64>() * total;
            let mut a = 0;
            while a + 1 < self.arms.len() && pick >= self.arms[a].weight() {
                pick -= self.arms[a].weight();
                a += 1;
            }
            let (kind, size) = (self.arms[a].report.kind, self.arms[a].size);
            let free = match kind {
                Kind::Units => {
                    let chosen: Vec<_> = self.units.choose_multiple(&mut self.rng, size).copied().collect();
                    chosen.into_iter().flat_map(|(l, u)| f.unit_binaries(l, u)).collect()
                }
                Kind::Samples => {
                    // Samples with a loss first (shuffled), then the rest.
                    let mut hurt: Vec<usize> = (0..losses.len()).filter(|&n| losses[n] > 0.0).collect();
                    let mut fine: Vec<usize> = (0..losses.len()).filter(|&n| losses[n] <= 0.0).collect();
                    hurt.shuffle(&mut self.rng);
                    fine.shuffle(&mut self.rng);
                    hurt.extend(fine);
                    hurt.truncate(size);
                    hurt.into_iter().flat_map(|n| f.sample_binaries(n)).collect()
                }
                Kind::Weights => self
                    .weights
                    .choose_multiple(&mut self.rng, size)
                    .flatten()
                    .copied()
                    .collect(),
                Kind::Random => self.integral.choose_multiple(&mut self.rng, size).copied().collect(),
            };
            out.push(Neighbourhood { kind, free });
        }
        out
    }

    /// Whether `n` frees every integral column: its sub-MIP is the full MILP.
    pub fn frees_everything(&self, n: &Neighbourhood) -> bool {
        n.free.len() >= self.integral.len()
    }

    /// Records how a neighbourhood's sub-MIP went.
    pub fn record(&mut self, n: &Neighbourhood, status: Status, improved: bool) {
        let arm = self
            .arms
            .iter_mut()
            .find(|a| a.report.kind == n.kind)
            .expect("every kind has an arm");
        arm.report.tries += 1;
        arm.free_sum += n.free.len();
        if improved {
            arm.report.improvements += 1;
        }
        if status == Status::Optimal {
            arm.report.optimal += 1;
        }
        arm.adapt(status, improved);
        arm.report.last_size = arm.size;
    }

    /// Every integral column of the model.
    pub fn integral(&self) -> &[Col] {
        &self.integral
    }

    pub fn kinds(&self) -> Vec<KindReport> {
        self.arms
            .iter()
            .map(|a| KindReport {
                mean_free_binaries: a.free_sum as f64 / a.report.tries.max(1) as f64,
                ..a.report.clone()
            })
            .collect()
    }
}

/// The sub-MIP of `n` around `x`: every integral column outside the
/// neighbourhood fixed at its (rounded) value in `x`.
pub fn sub_model(f: &DenseFormulation, integral: &[Col], x: &[f64], n: &Neighbourhood) -> mipnet_milp::Model {
    let mut model = f.model.clone();
    let mut free = vec![false; model.num_cols()];
    for c in &n.free {
        free[c.index()] = true;
    }
    for &c in integral.iter().filter(|c| !free[c.index()]) {
        let v = x[c.index()].round();
        model.set_col_bounds(c, v, v);
    }
    model
}

/// Solves the neighbourhoods' sub-MIPs at once with `solver`, one thread each, on
/// `pool`; each starts from `x`.
#[allow(clippy::too_many_arguments)]
pub fn solve_all(
    solver: &(dyn Solver + Sync),
    f: &DenseFormulation,
    integral: &[Col],
    x: &[f64],
    hoods: &[Neighbourhood],
    options: &[mipnet_solver::SolveOptions],
    interrupt: Option<&InterruptFlag>,
    pool: &rayon::ThreadPool,
) -> Vec<Result<SolveResult, SolverError>> {
    let start = MipStart::Full(x.to_vec());
    pool.install(|| {
        hoods
            .par_iter()
            .zip(options.par_iter())
            .map(|(n, opts)| {
                let model = sub_model(f, integral, x, n);
                let mut req = SolveRequest::new(&model, opts).start(&start);
                if let Some(flag) = interrupt {
                    req = req.interrupt(flag);
                }
                solver.solve(req, &mut NoObserver)
            })
            .collect()
    })
}

//! LP-tightened bounds rest on a certificate recomputed from the LP's
//! multipliers, never on the solver's optimal value: a backend that reports
//! optimal values tighter than the truth (and perturbed multipliers) leaves
//! bounds that still contain every sampled pre-activation, and with honest
//! multipliers the very same bounds as the honest backend.

use mipnet_milp::{Col, Model, Sense};
use mipnet_network::ReluNet;
use mipnet_solver::{
    LpOutcome, LpRelaxation, Observer, RelaxationSessions, SolveOptions, SolveRequest, SolveResult, Solver, SolverError,
};
use mipnet_verify::bounds::Bounds;
use mipnet_verify::{prepare, Region, VerifyOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

mod support;
use support::{options, random_net};

/// How far the lying backend moves each optimal value past the truth.
const LIE: f64 = 0.5;

/// HiGHS, except that LP sessions report each optimum `LIE` tighter than it
/// is, and multiply each row multiplier by `1 + dual_noise·(random in ±1)`.
#[derive(Debug)]
struct LyingSolver {
    dual_noise: f64,
}

struct LyingLp {
    inner: Box<dyn LpRelaxation>,
    dual_noise: f64,
    rng: ChaCha8Rng,
}

impl Solver for LyingSolver {
    fn name(&self) -> String {
        "lying HiGHS".into()
    }
    fn solve(&self, request: SolveRequest<'_>, observer: &mut dyn Observer) -> Result<SolveResult, SolverError> {
        mipnet_highs::HighsSolver.solve(request, observer)
    }
}

impl RelaxationSessions for LyingSolver {
    fn relaxation(&self, model: &Model, options: &SolveOptions) -> Result<Box<dyn LpRelaxation>, SolverError> {
        Ok(Box::new(LyingLp {
            inner: mipnet_highs::HighsSolver.relaxation(model, options)?,
            dual_noise: self.dual_noise,
            rng: ChaCha8Rng::seed_from_u64(3),
        }))
    }
}

impl LpRelaxation for LyingLp {
    fn optimize(&mut self, terms: &[(Col, f64)], sense: Sense) -> Result<LpOutcome, SolverError> {
        let mut out = self.inner.optimize(terms, sense)?;
        out.value = out.value.map(|v| match sense {
            Sense::Maximize => v - LIE,
            Sense::Minimize => v + LIE,
        });
        let noise = self.dual_noise;
        let rng = &mut self.rng;
        if let Some(y) = out.row_duals.as_mut() {
            for v in y.iter_mut() {
                *v *= 1.0 + noise * rng.gen_range(-1.0..1.0);
            }
        }
        Ok(out)
    }
    fn set_col_bounds(&mut self, col: Col, lower: f64, upper: f64) -> Result<(), SolverError> {
        self.inner.set_col_bounds(col, lower, upper)
    }
}

fn with_solver(solver: Arc<dyn mipnet_verify::VerifySolver>) -> VerifyOptions {
    let mut o = options();
    o.solver = solver;
    o.lp_tightening = true;
    o.linear_bounds = true;
    o.tighten_seconds = 60.0;
    o
}

fn assert_contains_samples(net: &ReluNet, region: &Region, b: &Bounds, what: &str) {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (lo, hi) = (&region.lower, &region.upper);
    for _ in 0..3000 {
        let x: Vec<f64> = (0..lo.len()).map(|i| rng.gen_range(lo[i]..=hi[i])).collect();
        for (k, v) in net.trace(&x).iter().enumerate() {
            for (i, val) in v.iter().enumerate() {
                assert!(
                    *val >= b.ops[k].lower[i] && *val <= b.ops[k].upper[i],
                    "{what}: op {k} unit {i}: {val} outside [{}, {}]",
                    b.ops[k].lower[i],
                    b.ops[k].upper[i]
                );
            }
        }
    }
}

#[test]
fn lp_bounds_never_rest_on_the_solvers_optimal_value() {
    let mut tightened_somewhere = false;
    for seed in 0..3 {
        let net = random_net(seed, &[4, 10, 10, 10, 2]);
        let region = Region::boxed(vec![-1.0; 4], vec![1.0; 4]);
        let mut no_lp = with_solver(Arc::new(mipnet_highs::HighsSolver));
        no_lp.lp_tightening = false;
        let (linear, _) = prepare(&net, &region, &no_lp).unwrap();
        let (honest, _) = prepare(&net, &region, &with_solver(Arc::new(mipnet_highs::HighsSolver))).unwrap();
        let (lied_to, _) = prepare(&net, &region, &with_solver(Arc::new(LyingSolver { dual_noise: 0.0 }))).unwrap();
        let (noisy, _) = prepare(&net, &region, &with_solver(Arc::new(LyingSolver { dual_noise: 1e-2 }))).unwrap();
        assert_contains_samples(&net, &region, &honest, "honest");
        assert_contains_samples(&net, &region, &lied_to, "false optimal values");
        assert_contains_samples(&net, &region, &noisy, "false values, perturbed multipliers");
        // The reported value is ignored: same multipliers, same bounds.
        assert_eq!(honest, lied_to, "net {seed}: a false optimal value changed the bounds");
        for (h, l) in honest.ops.iter().zip(&linear.ops) {
            for i in 0..h.lower.len() {
                tightened_somewhere |= h.upper[i] < l.upper[i] - 1e-6 || h.lower[i] > l.lower[i] + 1e-6;
            }
        }
    }
    assert!(
        tightened_somewhere,
        "LP tightening never tightened: the test shows nothing"
    );
}

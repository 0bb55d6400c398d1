//! The LP polish, the tool every stage certifies its networks with: every
//! integral column fixed at its rounded value in a solution, the LP left in
//! the continuous weights solved exactly (built small, see
//! `mipnet_formulate::PolishLp`).

use crate::budget::Budget;
use crate::error::TrainError;
use crate::incumbent::worth_another_round;
use crate::settings::TrainSettings;
use mipnet_data::Standardizer;
use mipnet_formulate::{DenseFormulation, Tolerances};
use mipnet_network::Network;
use mipnet_solver::{LpAlgorithm, NoObserver, SolveRequest, Solver, Status};
use std::time::Instant;

/// Polish LPs with more nonzeros than this go to the interior-point
/// solver (with crossover, so the solution is still a vertex): on digits
/// 64→8→10 (24k rows, 716k nonzeros) IPM took 14 s, dual simplex 71 s,
/// PDLP did not converge in 90 s. Below it simplex is fast.
const IPM_NONZEROS: usize = 100_000;

/// Most polish rounds of one solution (a round repeats while the polished
/// network implies other integral values).
const MAX_ROUNDS: usize = 5;

/// Polishes `start`: the network read from the LP gives the full model's
/// values; the polish repeats while those imply other integral values (a
/// loss or ℓ0 binary that is no longer needed), a few times, and while
/// `deadline` has not passed (each LP's time limit ends there).
pub(crate) fn polish(
    solver: &dyn Solver,
    f: &DenseFormulation,
    start: &[f64],
    standardizer: &Standardizer,
    settings: &TrainSettings,
    tol: &Tolerances,
    deadline: Instant,
) -> Result<Option<(Vec<f64>, Network)>, TrainError> {
    let ints = f.integral_columns();
    let mut x = start.to_vec();
    let mut best: Option<(Vec<f64>, Network, f64)> = None;
    for round in 0..MAX_ROUNDS {
        if round > 0 && Instant::now() >= deadline {
            break;
        }
        let lp = f.polish_lp(&x);
        let mut opts = settings.solver.options(Budget::solve_seconds_until(deadline));
        opts.log = false;
        if lp.model.num_nonzeros() > IPM_NONZEROS {
            opts.lp_algorithm = Some(LpAlgorithm::InteriorPoint);
        }
        let r = solver.solve(SolveRequest::new(&lp.model, &opts), &mut NoObserver)?;
        let Some(y) = r.solution.filter(|_| r.status == Status::Optimal) else {
            break;
        };
        let net = f.network_from_polish(&lp, &y, &x, standardizer, tol);
        let Ok(full) = f.start_values(&net) else {
            break;
        };
        // The LP's values and the network must agree: the forward pass can
        // only be better than the LP's value (a fixed loss or ℓ0 binary may
        // be slack), and equal when the network implies the same binaries.
        let (lp_value, forward) = (r.objective.unwrap_or(f64::NAN), f.objective_of(&net));
        let slack = tol.objective * (1.0 + forward.abs());
        let same = ints.iter().all(|c| full[c.index()].round() == x[c.index()].round());
        let agree = forward <= lp_value + slack && (!same || (lp_value - forward).abs() <= slack);
        if !agree {
            return Err(TrainError::Certificate(format!(
                "the polish LP's objective {lp_value} and the forward pass's {forward} disagree"
            )));
        }
        if best.as_ref().is_some_and(|(_, _, b)| !worth_another_round(forward, *b)) {
            break;
        }
        best = Some((full.clone(), net, forward));
        if same {
            break;
        }
        x = full;
    }
    Ok(best.map(|(x, net, _)| (x, net)))
}

//! The HiGHS backend of mipnet, embedded: `highs-sys` compiles HiGHS from
//! the source it ships, so a fresh machine needs no solver install.
//!
//! - [`HighsSolver`] implements [`mipnet_solver::Solver`]: options, full or
//!   partial MIP starts, progress and interrupts through HiGHS's callbacks,
//!   and a complete status; and the abilities HiGHS has: solutions offered
//!   while a MIP runs ([`TakesSolutions`], HiGHS's user-solution callback),
//!   LP relaxations re-solved for many objectives ([`RelaxationSessions`]),
//!   and option checks ([`ChecksOptions`]). HiGHS's option names are used
//!   here and nowhere else in mipnet.
//! - [`read_model`] and [`write_model`] use HiGHS's own MPS and LP reader
//!   and writer; a file HiGHS rejects becomes a [`FileError`] that names the
//!   file and repeats what HiGHS said (the line, where it says it).

mod files;
mod instance;
mod lp_session;

pub use files::{read_model, read_model_with_highs, write_model, FileError};
pub use instance::Instance;
use lp_session::LpSession;

use highs_sys as hs;
use instance::{CallbackState, HInt};
use mipnet_milp::Model;
use mipnet_solver::{
    ChecksOptions, LpAlgorithm, LpRelaxation, MipStart, Observer, RelaxationSessions, SolutionFeed, SolveOptions,
    SolveRequest, SolveResult, Solver, SolverError, Status, TakesSolutions,
};
use std::ffi::CStr;
use std::time::Instant;

/// The embedded HiGHS solver.
#[derive(Clone, Copy, Debug, Default)]
pub struct HighsSolver;

/// The version of the embedded HiGHS, e.g. `1.16.0`.
pub fn highs_version() -> String {
    // SAFETY: Highs_version returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(hs::Highs_version()) }
        .to_string_lossy()
        .into_owned()
}

/// Applies the solver-neutral options, then the pass-through ones.
fn apply_options(inst: &Instance, opts: &SolveOptions) -> Result<(), SolverError> {
    opts.validate()?;
    if let Some(t) = opts.time_limit {
        inst.set_raw("time_limit", &t.to_string())?;
    }
    if let Some(g) = opts.relative_gap {
        inst.set_raw("mip_rel_gap", &g.to_string())?;
    }
    if let Some(g) = opts.absolute_gap {
        inst.set_raw("mip_abs_gap", &g.to_string())?;
    }
    if let Some(algorithm) = opts.lp_algorithm {
        let name = match algorithm {
            LpAlgorithm::Simplex => "simplex",
            LpAlgorithm::InteriorPoint => "ipm",
        };
        inst.set_raw("solver", name)?;
    }
    let tolerances = [
        ("primal_feasibility_tolerance", opts.feasibility.primal),
        ("dual_feasibility_tolerance", opts.feasibility.dual),
        ("mip_feasibility_tolerance", opts.feasibility.integrality),
    ];
    for (name, value) in tolerances {
        if let Some(t) = value {
            inst.set_raw(name, &t.to_string())?;
        }
    }
    if let Some(n) = opts.threads {
        inst.set_raw("threads", &n.to_string())?;
    }
    if let Some(s) = opts.seed {
        inst.set_raw("random_seed", &s.to_string())?;
    }
    for (name, value) in &opts.extra {
        inst.set_raw(name, value)?;
    }
    Ok(())
}

fn apply_start(inst: &Instance, start: &MipStart, num_cols: usize) -> Result<(), SolverError> {
    let status = match start {
        MipStart::Full(values) => {
            if values.len() != num_cols {
                return Err(SolverError::BadStart(format!(
                    "{} values for {num_cols} columns",
                    values.len()
                )));
            }
            if let Some(j) = values.iter().position(|v| !v.is_finite()) {
                return Err(SolverError::BadStart(format!("value of column {j} is not finite")));
            }
            // SAFETY: `values` has one entry per column; other arrays omitted.
            unsafe {
                hs::Highs_setSolution(
                    inst.ptr(),
                    values.as_ptr(),
                    std::ptr::null(),
                    std::ptr::null(),
                    std::ptr::null(),
                )
            }
        }
        MipStart::Partial(pairs) => {
            let mut index = Vec::with_capacity(pairs.len());
            let mut value = Vec::with_capacity(pairs.len());
            for &(c, v) in pairs {
                if c.index() >= num_cols {
                    return Err(SolverError::BadStart(format!(
                        "column {} does not exist ({num_cols} columns)",
                        c.index()
                    )));
                }
                if !v.is_finite() {
                    return Err(SolverError::BadStart(format!(
                        "value of column {} is not finite",
                        c.index()
                    )));
                }
                index.push(c.index() as HInt);
                value.push(v);
            }
            // SAFETY: parallel arrays of `pairs.len()` entries.
            unsafe { hs::Highs_setSparseSolution(inst.ptr(), index.len() as HInt, index.as_ptr(), value.as_ptr()) }
        }
    };
    if status == hs::kHighsStatusError as HInt {
        return Err(SolverError::BadStart("HiGHS refused the start".into()));
    }
    Ok(())
}

fn map_status(code: HInt) -> Status {
    match code as u32 {
        x if x == hs::kHighsModelStatusOptimal as u32 => Status::Optimal,
        x if x == hs::kHighsModelStatusInfeasible as u32 => Status::Infeasible,
        x if x == hs::kHighsModelStatusUnbounded as u32 => Status::Unbounded,
        x if x == hs::kHighsModelStatusUnboundedOrInfeasible as u32 => Status::InfeasibleOrUnbounded,
        x if x == hs::kHighsModelStatusTimeLimit as u32 => Status::TimeLimit,
        x if x == hs::kHighsModelStatusInterrupt as u32 || x == hs::kHighsModelStatusHighsInterrupt as u32 => {
            Status::Interrupted
        }
        x if x == hs::kHighsModelStatusIterationLimit as u32 => Status::IterationLimit,
        x if x == hs::kHighsModelStatusSolutionLimit as u32 => Status::SolutionLimit,
        x if x == hs::kHighsModelStatusObjectiveBound as u32 || x == hs::kHighsModelStatusObjectiveTarget as u32 => {
            Status::ObjectiveLimit
        }
        x if x == hs::kHighsModelStatusMemoryLimit as u32 => Status::MemoryLimit,
        x if x == hs::kHighsModelStatusModelEmpty as u32 => Status::Empty,
        x if x == hs::kHighsModelStatusUnknown as u32 || x == hs::kHighsModelStatusNotset as u32 => Status::Unknown,
        _ => Status::NumericalTrouble,
    }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && x.abs() < 1e30)
}

impl Solver for HighsSolver {
    fn name(&self) -> String {
        format!("HiGHS {}", highs_version())
    }

    fn solve(&self, req: SolveRequest<'_>, observer: &mut dyn Observer) -> Result<SolveResult, SolverError> {
        run(req, observer, None)
    }
}

impl TakesSolutions for HighsSolver {
    fn solve_with_feed(
        &self,
        req: SolveRequest<'_>,
        observer: &mut dyn Observer,
        feed: &mut dyn SolutionFeed,
    ) -> Result<SolveResult, SolverError> {
        run(req, observer, Some(feed))
    }
}

impl RelaxationSessions for HighsSolver {
    fn relaxation(&self, model: &Model, options: &SolveOptions) -> Result<Box<dyn LpRelaxation>, SolverError> {
        Ok(Box::new(LpSession::new(model, options)?))
    }
}

impl ChecksOptions for HighsSolver {
    /// Checks the options as HiGHS would take them (names, types and ranges
    /// of the pass-through options too) on a fresh instance.
    fn check_options(&self, options: &SolveOptions) -> Result<(), SolverError> {
        apply_options(&Instance::new(), options)
    }
}

/// One solve, with or without a feed of solutions found elsewhere.
fn run<'a>(
    req: SolveRequest<'a>,
    observer: &'a mut dyn Observer,
    feed: Option<&'a mut dyn SolutionFeed>,
) -> Result<SolveResult, SolverError> {
    let model = req.model;
    let inst = Instance::new();
    let mut state = CallbackState::new(req.options.log);
    state.num_cols = model.num_cols();
    inst.install_callback(&mut state, model.is_mip());
    let outcome = (|| {
        apply_options(&inst, req.options)?;
        inst.pass_model(model)?;
        if let Some(start) = req.start {
            apply_start(&inst, start, model.num_cols())?;
        }
        Ok::<(), SolverError>(())
    })();
    if let Err(e) = outcome {
        inst.remove_callback();
        return Err(e);
    }
    state.observer = Some(observer);
    state.feed = feed;
    state.interrupt = req.interrupt;
    let clock = Instant::now();
    // The callback state lives on this stack frame until the callback
    // is removed below.
    inst.run();
    let seconds = clock.elapsed().as_secs_f64();
    inst.remove_callback();
    let user_solutions = state.user_solutions;
    drop(state);

    // SAFETY: valid instance.
    let status = map_status(unsafe { hs::Highs_getModelStatus(inst.ptr()) });
    let has_solution = inst.int_info(c"primal_solution_status") == Some(hs::kHighsSolutionStatusFeasible as i64);
    let solution = has_solution.then(|| inst.column_values());
    let objective = if has_solution {
        finite(inst.double_info(c"objective_function_value"))
    } else {
        None
    };
    let (dual_bound, gap, nodes) = if model.is_mip() {
        let bound = finite(inst.double_info(c"mip_dual_bound"));
        let gap = if has_solution {
            finite(inst.double_info(c"mip_gap"))
        } else {
            None
        };
        let nodes = inst.int64_info(c"mip_node_count").unwrap_or(0).max(0) as u64;
        (bound, gap, nodes)
    } else if status == Status::Optimal {
        (objective, Some(0.0), 0)
    } else {
        (None, None, 0)
    };
    Ok(SolveResult {
        status,
        objective,
        dual_bound,
        gap,
        nodes,
        seconds,
        user_solutions,
        solution,
    })
}

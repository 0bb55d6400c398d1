//! The HiGHS backend against problems whose answers are known independently:
//! optima by brute force, statuses by construction.

use mipnet_highs::HighsSolver;
use mipnet_milp::{Col, Model, Row, Sense, VarType};
use mipnet_solver::{ChecksOptions, FeasibilityTolerances, LpAlgorithm, TakesSolutions};
use mipnet_solver::{
    Control, InterruptFlag, MipStart, NoObserver, Progress, ProgressEvent, SolveOptions, SolveRequest, SolveResult,
    Solver, Status,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TOL: f64 = 1e-6;

fn quiet() -> SolveOptions {
    SolveOptions {
        threads: Some(1),
        seed: Some(0),
        ..Default::default()
    }
}

fn solve(model: &Model, options: &SolveOptions) -> SolveResult {
    HighsSolver
        .solve(SolveRequest::new(model, options), &mut NoObserver)
        .expect("solve runs")
}

/// A random 0/1 knapsack and its optimum by enumerating every subset.
fn knapsack(seed: u64, n: usize) -> (Model, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let w: Vec<f64> = (0..n).map(|_| rng.gen_range(1..50) as f64).collect();
    let v: Vec<f64> = (0..n).map(|_| rng.gen_range(1..80) as f64).collect();
    let cap = (w.iter().sum::<f64>() / 2.5).floor();
    let mut m = Model::new(Sense::Maximize);
    let cols: Vec<Col> = v.iter().map(|&vi| m.add_col(0.0, 1.0, vi, VarType::Binary)).collect();
    m.add_row(f64::NEG_INFINITY, cap, cols.iter().zip(&w).map(|(&c, &wi)| (c, wi)));
    let mut best = 0.0f64;
    for mask in 0u32..(1 << n) {
        let (mut ws, mut vs) = (0.0, 0.0);
        for i in 0..n {
            if mask >> i & 1 == 1 {
                ws += w[i];
                vs += v[i];
            }
        }
        if ws <= cap {
            best = best.max(vs);
        }
    }
    (m, best)
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for pos in 0..=p.len() {
            let mut q = p.clone();
            q.insert(pos, n - 1);
            out.push(q);
        }
    }
    out
}

/// A random assignment problem (n workers, n jobs) and its optimum over all
/// n! permutations.
fn assignment(seed: u64, n: usize) -> (Model, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cost: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..n).map(|_| rng.gen_range(1..100) as f64).collect())
        .collect();
    let mut m = Model::new(Sense::Minimize);
    let x: Vec<Vec<Col>> = (0..n)
        .map(|i| (0..n).map(|j| m.add_binary(cost[i][j])).collect())
        .collect();
    for (i, worker) in x.iter().enumerate() {
        m.add_row(1.0, 1.0, worker.iter().map(|&c| (c, 1.0)));
        m.add_row(1.0, 1.0, x.iter().map(|row| (row[i], 1.0)));
    }
    let best = permutations(n)
        .iter()
        .map(|p| (0..n).map(|i| cost[i][p[i]]).sum::<f64>())
        .fold(f64::INFINITY, f64::min);
    (m, best)
}

/// A market-split instance (Cornuéjols–Dawande): equality rows over binaries
/// that are very hard to satisfy. As a feasibility problem the solver finds
/// no solution in a short time; with penalized slacks (`with_slack`) the
/// all-zero point is feasible but the optimum is hard to prove.
fn market_split(seed: u64, rows: usize, n: usize, with_slack: bool) -> Model {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut m = Model::new(Sense::Minimize);
    let x: Vec<Col> = (0..n).map(|_| m.add_binary(0.0)).collect();
    for _ in 0..rows {
        let a: Vec<f64> = (0..n).map(|_| rng.gen_range(0..100) as f64).collect();
        let d = (a.iter().sum::<f64>() / 2.0).floor();
        let mut terms: Vec<(Col, f64)> = x.iter().zip(&a).map(|(&c, &v)| (c, v)).collect();
        if with_slack {
            let plus = m.add_col(0.0, f64::INFINITY, 1.0, VarType::Continuous);
            let minus = m.add_col(0.0, f64::INFINITY, 1.0, VarType::Continuous);
            terms.push((plus, 1.0));
            terms.push((minus, -1.0));
        }
        m.add_row(d, d, terms);
    }
    m
}

#[test]
fn random_knapsacks_reach_their_brute_force_optimum() {
    for seed in 0..8 {
        let (m, best) = knapsack(seed, 14);
        let r = solve(&m, &quiet());
        assert_eq!(r.status, Status::Optimal, "seed {seed}");
        assert!(
            (r.objective.unwrap() - best).abs() < TOL,
            "seed {seed}: {:?} vs {best}",
            r.objective
        );
        assert!((r.dual_bound.unwrap() - best).abs() < TOL);
        let check = m.evaluate(r.solution.as_ref().unwrap(), TOL);
        assert!(check.is_feasible(), "seed {seed}: {check:?}");
        assert!((check.objective - best).abs() < TOL);
    }
}

#[test]
fn assignment_problems_reach_their_brute_force_optimum() {
    for seed in 0..5 {
        let (m, best) = assignment(seed, 5);
        let r = solve(&m, &quiet());
        assert_eq!(r.status, Status::Optimal);
        assert!((r.objective.unwrap() - best).abs() < TOL, "seed {seed}");
        assert!(m.evaluate(r.solution.as_ref().unwrap(), TOL).is_feasible());
    }
}

#[test]
fn an_infeasible_model_says_so() {
    let mut m = Model::new(Sense::Minimize);
    let x = m.add_binary(1.0);
    let y = m.add_binary(1.0);
    m.add_row(3.0, f64::INFINITY, [(x, 1.0), (y, 1.0)]);
    let r = solve(&m, &quiet());
    assert_eq!(r.status, Status::Infeasible);
    assert!(!r.has_solution());
    assert_eq!(r.objective, None);
}

#[test]
fn an_unbounded_model_says_so() {
    // An LP: unbounded below along x.
    let mut m = Model::new(Sense::Minimize);
    let x = m.add_col(f64::NEG_INFINITY, f64::INFINITY, 1.0, VarType::Continuous);
    let y = m.add_col(0.0, 1.0, 0.0, VarType::Continuous);
    m.add_row(f64::NEG_INFINITY, 5.0, [(x, 1.0), (y, 1.0)]);
    let r = solve(&m, &quiet());
    assert_eq!(r.status, Status::Unbounded);
    // A MIP: the solver may only prove "infeasible or unbounded".
    m.set_col_type(y, VarType::Binary);
    m.add_col(f64::NEG_INFINITY, f64::INFINITY, -1.0, VarType::Integer);
    let r = solve(&m, &quiet());
    assert!(
        matches!(r.status, Status::Unbounded | Status::InfeasibleOrUnbounded),
        "{:?}",
        r.status
    );
}

#[test]
fn a_time_limit_without_an_incumbent_returns_no_solution() {
    let m = market_split(3, 5, 40, false);
    let opts = SolveOptions {
        time_limit: Some(0.5),
        ..quiet()
    };
    let r = solve(&m, &opts);
    assert_eq!(r.status, Status::TimeLimit);
    assert!(!r.has_solution());
    assert_eq!(r.objective, None);
}

#[test]
fn a_time_limit_with_an_incumbent_keeps_it() {
    let m = market_split(4, 5, 40, true);
    let zero = MipStart::Partial((0..40).map(|j| (Col::from_index(j), 0.0)).collect());
    let opts = SolveOptions {
        time_limit: Some(0.5),
        ..quiet()
    };
    let r = HighsSolver
        .solve(SolveRequest::new(&m, &opts).start(&zero), &mut NoObserver)
        .unwrap();
    assert_eq!(r.status, Status::TimeLimit);
    let x = r.solution.as_ref().expect("incumbent kept");
    let check = m.evaluate(x, TOL);
    assert!(check.is_feasible());
    assert!((check.objective - r.objective.unwrap()).abs() < 1e-6);
    assert!(r.dual_bound.unwrap() <= r.objective.unwrap() + TOL);
}

/// Records every progress report.
#[derive(Default)]
struct Recorder {
    reports: Vec<Progress>,
    interrupt_on_first_improvement: bool,
}

impl mipnet_solver::Observer for Recorder {
    fn on_progress(&mut self, p: &Progress) -> Control {
        self.reports.push(*p);
        if self.interrupt_on_first_improvement && p.event == ProgressEvent::Improvement {
            Control::Interrupt
        } else {
            Control::Continue
        }
    }
}

#[test]
fn a_full_mip_start_shows_as_the_first_incumbent() {
    let m = market_split(5, 4, 30, true);
    // Start: a fixed pattern of ones, slacks set to balance each row.
    let mut x = vec![0.0; m.num_cols()];
    for j in (0..30).step_by(3) {
        x[j] = 1.0;
    }
    let act = m.row_activities(&x);
    for (r, a) in act.iter().enumerate() {
        let d = m.row_lower()[r] - a;
        let (plus, minus) = (30 + 2 * r, 31 + 2 * r);
        x[plus] = d.max(0.0);
        x[minus] = (-d).max(0.0);
    }
    let start_obj = m.evaluate(&x, TOL).objective;
    assert!(m.evaluate(&x, TOL).is_feasible());
    let opts = SolveOptions {
        time_limit: Some(2.0),
        extra: vec![("mip_heuristic_effort".into(), "0".into())],
        ..quiet()
    };
    let start = MipStart::Full(x);
    let mut rec = Recorder::default();
    let r = HighsSolver
        .solve(SolveRequest::new(&m, &opts).start(&start), &mut rec)
        .unwrap();
    let first = rec
        .reports
        .iter()
        .find(|p| p.event == ProgressEvent::Improvement)
        .expect("an incumbent was reported");
    assert!(
        (first.primal_bound.unwrap() - start_obj).abs() < 1e-6,
        "first incumbent {:?}, start {start_obj}",
        first.primal_bound
    );
    assert!(r.objective.unwrap() <= start_obj + TOL);
}

#[test]
fn a_partial_start_is_completed_by_an_lp() {
    // max Σ v_i x_i + y  s.t. Σ w_i x_i + y ≤ cap, y ≤ 3: given the binaries,
    // the best y is min(3, cap − Σ w_i x_i), so the start's value is known.
    let (mut m, _) = knapsack(11, 10);
    let y = m.add_col(0.0, 3.0, 1.0, VarType::Continuous);
    let cap = m.row_upper()[0];
    let mut m2 = Model::new(Sense::Maximize);
    for j in 0..m.num_cols() {
        m2.add_col(m.col_lower()[j], m.col_upper()[j], m.col_cost()[j], m.col_types()[j]);
    }
    let (idx, val) = m.row_entries(mipnet_milp::Row::from_index(0));
    let mut terms: Vec<(Col, f64)> = idx
        .iter()
        .zip(val)
        .map(|(&j, &v)| (Col::from_index(j as usize), v))
        .collect();
    terms.push((y, 1.0));
    m2.add_row(f64::NEG_INFINITY, cap, terms);
    // Take the first three items.
    let chosen = [0usize, 1, 2];
    let pairs: Vec<(Col, f64)> = (0..10)
        .map(|j| (Col::from_index(j), if chosen.contains(&j) { 1.0 } else { 0.0 }))
        .collect();
    let used: f64 = chosen.iter().map(|&j| val[j]).sum();
    assert!(used <= cap);
    let value: f64 = chosen.iter().map(|&j| m2.col_cost()[j]).sum::<f64>() + (cap - used).min(3.0);
    let opts = SolveOptions {
        extra: vec![
            ("mip_heuristic_effort".into(), "0".into()),
            ("presolve".into(), "off".into()),
        ],
        ..quiet()
    };
    let start = MipStart::Partial(pairs);
    let mut rec = Recorder::default();
    let r = HighsSolver
        .solve(SolveRequest::new(&m2, &opts).start(&start), &mut rec)
        .unwrap();
    let first = rec
        .reports
        .iter()
        .find(|p| p.event == ProgressEvent::Improvement)
        .expect("an incumbent was reported");
    assert!(
        (first.primal_bound.unwrap() - value).abs() < 1e-6,
        "{:?} vs {value}",
        first.primal_bound
    );
    assert_eq!(r.status, Status::Optimal);
}

#[test]
fn a_start_with_the_wrong_length_is_refused() {
    let (m, _) = knapsack(1, 5);
    let start = MipStart::Full(vec![0.0; 3]);
    let err = HighsSolver
        .solve(SolveRequest::new(&m, &quiet()).start(&start), &mut NoObserver)
        .unwrap_err();
    assert!(err.to_string().contains("3 values for 5 columns"), "{err}");
}

#[test]
fn an_observer_interrupt_ends_the_solve_and_keeps_the_incumbent() {
    let m = market_split(6, 5, 40, true);
    let opts = SolveOptions {
        time_limit: Some(30.0),
        ..quiet()
    };
    let mut rec = Recorder {
        interrupt_on_first_improvement: true,
        ..Default::default()
    };
    let r = HighsSolver.solve(SolveRequest::new(&m, &opts), &mut rec).unwrap();
    assert_eq!(r.status, Status::Interrupted);
    let x = r.solution.as_ref().expect("incumbent kept");
    assert!(m.evaluate(x, TOL).is_feasible());
    assert!(r.seconds < 30.0);
}

#[test]
fn a_raised_interrupt_flag_ends_the_solve() {
    let m = market_split(7, 5, 40, true);
    let opts = SolveOptions {
        time_limit: Some(30.0),
        ..quiet()
    };
    let flag = InterruptFlag::new();
    let raiser = flag.clone();
    let handle = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        raiser.raise();
    });
    let r = HighsSolver
        .solve(SolveRequest::new(&m, &opts).interrupt(&flag), &mut NoObserver)
        .unwrap();
    handle.join().unwrap();
    assert_eq!(r.status, Status::Interrupted);
    assert!(r.seconds < 30.0);
}

#[test]
fn an_unknown_option_is_refused_by_name() {
    let (m, _) = knapsack(1, 5);
    let opts = SolveOptions {
        extra: vec![("no_such_option".into(), "1".into())],
        ..quiet()
    };
    let err = HighsSolver
        .solve(SolveRequest::new(&m, &opts), &mut NoObserver)
        .unwrap_err();
    assert!(err.to_string().contains("no option named 'no_such_option'"), "{err}");
    let opts = SolveOptions {
        extra: vec![("presolve".into(), "sometimes".into())],
        ..quiet()
    };
    let err = HighsSolver
        .solve(SolveRequest::new(&m, &opts), &mut NoObserver)
        .unwrap_err();
    assert!(err.to_string().contains("presolve"), "{err}");
}

#[test]
fn an_lp_reports_its_optimum_as_the_bound() {
    // max x + y  s.t. x + 2y ≤ 4, 3x + y ≤ 6: optimum at (1.6, 1.2), value 2.8.
    let mut m = Model::new(Sense::Maximize);
    let x = m.add_col(0.0, f64::INFINITY, 1.0, VarType::Continuous);
    let y = m.add_col(0.0, f64::INFINITY, 1.0, VarType::Continuous);
    m.add_row(f64::NEG_INFINITY, 4.0, [(x, 1.0), (y, 2.0)]);
    m.add_row(f64::NEG_INFINITY, 6.0, [(x, 3.0), (y, 1.0)]);
    let r = solve(&m, &quiet());
    assert_eq!(r.status, Status::Optimal);
    assert!((r.objective.unwrap() - 2.8).abs() < 1e-9);
    assert_eq!(r.dual_bound, r.objective);
    let s = r.solution.unwrap();
    assert!((s[0] - 1.6).abs() < 1e-9 && (s[1] - 1.2).abs() < 1e-9);
}

/// Offers one solution the first time the solver asks, and counts the asks.
struct Offer {
    solution: Option<Vec<f64>>,
    asked: usize,
}

impl mipnet_solver::SolutionFeed for Offer {
    fn next_solution(&mut self) -> Option<Vec<f64>> {
        self.asked += 1;
        self.solution.take()
    }
}

/// A market-split model with slacks whose rows a planted 0/1 pattern meets
/// exactly: that pattern with zero slacks is optimal (objective 0).
fn planted_market_split(seed: u64, rows: usize, n: usize) -> (Model, Vec<f64>) {
    let mut m = market_split(seed, rows, n, true);
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 100);
    let mut x = vec![0.0; m.num_cols()];
    for v in x.iter_mut().take(n) {
        *v = f64::from(rng.gen_range(0..2u8));
    }
    // Move each row's right-hand side onto the pattern's activity (the
    // slack columns are 0 in x, so they do not count).
    for (r, a) in m.row_activities(&x).into_iter().enumerate() {
        m.set_row_bounds(Row::from_index(r), a, a);
    }
    assert!(m.evaluate(&x, TOL).is_feasible());
    (m, x)
}

#[test]
fn a_solution_from_the_feed_becomes_the_incumbent() {
    let (m, x) = planted_market_split(6, 5, 40);
    let opts = SolveOptions {
        time_limit: Some(1.0),
        extra: vec![
            ("mip_heuristic_effort".into(), "0".into()),
            ("presolve".into(), "off".into()),
        ],
        ..quiet()
    };
    let mut offer = Offer {
        solution: Some(x.clone()),
        asked: 0,
    };
    let r = HighsSolver
        .solve_with_feed(SolveRequest::new(&m, &opts), &mut NoObserver, &mut offer)
        .unwrap();
    assert!(offer.asked >= 1, "HiGHS never asked for a solution");
    assert_eq!(r.user_solutions, 1);
    // Objective 0 is the optimum (slacks ≥ 0): the offered solution or one
    // as good, proven.
    assert!(r.objective.unwrap().abs() < TOL, "{:?}", r.objective);
    assert_eq!(r.status, Status::Optimal);
    assert!(m.evaluate(r.solution.as_ref().unwrap(), TOL).is_feasible());

    // An infeasible offer (slacks forced off balance) is checked and
    // ignored; one of the wrong length is not handed over at all.
    let mut bad = x.clone();
    bad[0] = 1.0 - bad[0];
    for (offered, handed) in [(bad, 1), (vec![0.0; 3], 0)] {
        let mut offer = Offer {
            solution: Some(offered),
            asked: 0,
        };
        let opts = SolveOptions {
            time_limit: Some(0.5),
            ..opts.clone()
        };
        let r = HighsSolver
            .solve_with_feed(SolveRequest::new(&m, &opts), &mut NoObserver, &mut offer)
            .unwrap();
        assert_eq!(r.user_solutions, handed);
        if let Some(sol) = &r.solution {
            assert!(m.evaluate(sol, TOL).is_feasible());
        }
    }
}

#[test]
fn one_thread_may_solve_with_different_thread_counts_in_turn() {
    // HiGHS keeps one scheduler per OS thread and refuses a run with
    // another thread count unless the backend resets it.
    let (m, best) = knapsack(11, 12);
    for threads in [2, 1, 2, 1] {
        let opts = SolveOptions {
            threads: Some(threads),
            ..quiet()
        };
        let r = solve(&m, &opts);
        assert_eq!(r.status, Status::Optimal, "threads {threads}");
        assert!((r.objective.unwrap() - best).abs() < TOL);
    }
}

#[test]
fn typed_options_reach_highs_and_bad_values_are_refused() {
    // x + y ≤ 1.5, x − y ≤ 0.5, x, y ∈ [0, 1]; maximize x + y = 1.5.
    let mut m = Model::new(Sense::Maximize);
    let x = m.add_col(0.0, 1.0, 1.0, VarType::Continuous);
    let y = m.add_col(0.0, 1.0, 1.0, VarType::Continuous);
    m.add_row(f64::NEG_INFINITY, 1.5, [(x, 1.0), (y, 1.0)]);
    m.add_row(f64::NEG_INFINITY, 0.5, [(x, 1.0), (y, -1.0)]);
    for algorithm in [LpAlgorithm::Simplex, LpAlgorithm::InteriorPoint] {
        let opts = SolveOptions {
            lp_algorithm: Some(algorithm),
            absolute_gap: Some(0.0),
            feasibility: FeasibilityTolerances {
                primal: Some(1e-7),
                dual: Some(1e-7),
                integrality: Some(1e-6),
            },
            ..quiet()
        };
        HighsSolver.check_options(&opts).unwrap();
        let r = HighsSolver
            .solve(SolveRequest::new(&m, &opts), &mut NoObserver)
            .unwrap();
        assert_eq!(r.status, Status::Optimal, "{algorithm:?}");
        assert!((r.objective.unwrap() - 1.5).abs() < 1e-7, "{algorithm:?}");
    }
    let refused = |opts: SolveOptions, fragment: &str| {
        let err = HighsSolver.check_options(&opts).unwrap_err().to_string();
        assert!(err.contains(fragment), "{err}");
    };
    refused(
        SolveOptions {
            absolute_gap: Some(-1.0),
            ..quiet()
        },
        "absolute gap",
    );
    refused(
        SolveOptions {
            feasibility: FeasibilityTolerances {
                dual: Some(0.0),
                ..Default::default()
            },
            ..quiet()
        },
        "dual feasibility tolerance",
    );
}

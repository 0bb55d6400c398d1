//! The attack's refinement on linear pieces: a witness region far too small
//! for random points and signed gradient steps is found exactly by the LP
//! over the point's piece (walking over ReLU boundaries when the optimum
//! lies beyond them), the witness replays, and where no witness exists the
//! refinement reaches the violation's true minimum and still returns none.

use mipnet_network::{generated_names, Affine, Op, ReluNet};
use mipnet_verify::attack::{attack, AttackSettings, Combine, Goal, Piece};
use mipnet_verify::attack_refine::{refinable, refine, Visited, REFINE_STARTS};
use std::time::{Duration, Instant};

/// Where the bowl's bottom is (irrational-looking, so no gradient step
/// schedule lands on it by accident).
const A: f64 = 0.314_159_265_358_979_3;
const B: f64 = 0.271_828_182_845_904_5;

/// The witness region's size: `|x0 − A| + |x1 − B| ≤ RADIUS`, a diamond of
/// area 2·RADIUS² = 2e-18 in the unit box. Signed gradient steps end with
/// steps of 1e-5 of the width, four orders of magnitude too coarse.
const RADIUS: f64 = 1e-9;

/// Boundaries between the start and the bottom: ReLUs of `x0 − c` that the
/// output does not read (weight 0) but that cut the box into pieces the
/// walk must cross.
const WALLS: [f64; 4] = [0.5, 0.6, 0.7, 0.8];

/// `y0 = |x0 − A| + |x1 − B|` through four ReLUs, plus the walls' ReLUs.
fn bowl() -> ReluNet {
    let mut w = vec![vec![1.0, 0.0], vec![-1.0, 0.0], vec![0.0, 1.0], vec![0.0, -1.0]];
    let mut b = vec![-A, A, -B, B];
    for c in WALLS {
        w.push(vec![1.0, 0.0]);
        b.push(-c);
    }
    let mut out = vec![1.0, 1.0, 1.0, 1.0];
    out.extend(WALLS.iter().map(|_| 0.0));
    let net = ReluNet {
        inputs: 2,
        ops: vec![
            Op::Affine(Affine::dense(&w, &b)),
            Op::Relu,
            Op::Affine(Affine::dense(&[out], &[0.0])),
        ],
        input_names: generated_names("x", 2),
        output_names: generated_names("y", 1),
    };
    net.check().unwrap();
    net
}

/// The row `y0 − level ≤ 0` and its replay rule (strictly below the level
/// for a witness: a point must pass the f64 forward pass).
fn below(level: f64) -> (Vec<Piece>, impl Fn(&[f64], &[f64]) -> bool) {
    let pieces = vec![Piece {
        inputs: vec![],
        outputs: vec![(0, 1.0)],
        rhs: level,
    }];
    (pieces, move |_x: &[f64], y: &[f64]| y[0] <= level)
}

fn far() -> Instant {
    Instant::now() + Duration::from_secs(60)
}

#[test]
fn a_tiny_witness_region_is_found_by_the_refinement_and_replays() {
    let net = bowl();
    assert!(refinable(&net));
    let (pieces, accept) = below(RADIUS);
    let goal = Goal {
        pieces,
        combine: Combine::All,
        accept: &accept,
    };
    let (lo, hi) = (vec![0.0, 0.0], vec![1.0, 1.0]);
    for seed in 0..5 {
        let settings = AttackSettings {
            seed,
            ..AttackSettings::default()
        };
        let (hit, report) = attack(&net, &lo, &hi, &goal, &settings, far(), None);
        let (x, y) = hit.unwrap_or_else(|| panic!("seed {seed}: no witness: {report:?}"));
        // Sampling and every gradient step ran and missed: the refinement
        // runs only after them.
        assert_eq!(report.samples, settings.samples, "{report:?}");
        assert_eq!(report.pgd_steps, settings.pgd_starts * settings.pgd_steps, "{report:?}");
        assert!(report.lp_refinements >= 1, "{report:?}");
        assert!(report.found);
        // The witness replays: the forward pass puts it in the diamond.
        assert_eq!(net.forward(&x), y);
        assert!(y[0] <= RADIUS, "{y:?}");
        assert!((x[0] - A).abs() + (x[1] - B).abs() <= RADIUS * 1.01, "{x:?}");
        assert!((0..2).all(|i| lo[i] <= x[i] && x[i] <= hi[i]));
    }
}

#[test]
fn the_walk_crosses_relu_boundaries_to_the_optimum() {
    let net = bowl();
    let (pieces, accept) = below(RADIUS);
    let goal = Goal {
        pieces,
        combine: Combine::All,
        accept: &accept,
    };
    let (lo, hi) = (vec![0.0, 0.0], vec![1.0, 1.0]);
    // From x0 = 0.9 the bottom lies beyond all four walls: each piece's LP
    // stops at the next wall, and only the flips lead on.
    let mut tried = 0;
    let mut replay = |x: Vec<f64>| {
        tried += 1;
        let y = net.forward(&x);
        accept(&x, &y).then_some((x, y))
    };
    let (hit, walk) = refine(
        &net,
        (&lo, &hi),
        &goal,
        &[0.9, 0.9],
        16,
        &mut Visited::default(),
        &|| false,
        &mut replay,
    );
    let (x, y) = hit.expect("the walk reaches the bowl's bottom");
    assert!(y[0] <= RADIUS && (x[0] - A).abs() < 1e-9, "{x:?} {y:?}");
    // Every wall is crossed (a flip of the bowl's own ReLUs may come too,
    // where the LP stops on one of them first).
    assert!(walk.flips >= WALLS.len(), "{walk:?}");
    assert_eq!(walk.lps, walk.flips + 1, "{walk:?}");
    assert_eq!(tried, walk.lps);
    // With a budget that ends before the last wall, no witness.
    let mut replay = |x: Vec<f64>| {
        let y = net.forward(&x);
        accept(&x, &y).then_some((x, y))
    };
    let mut visited = Visited::default();
    let (hit, walk) = refine(
        &net,
        (&lo, &hi),
        &goal,
        &[0.9, 0.9],
        WALLS.len(),
        &mut visited,
        &|| false,
        &mut replay,
    );
    assert!(hit.is_none());
    assert_eq!(walk.lps, WALLS.len());
    // A second walk from a piece the first one solved ends at once.
    let (hit, walk) = refine(
        &net,
        (&lo, &hi),
        &goal,
        &[0.95, 0.95],
        16,
        &mut visited,
        &|| false,
        &mut replay,
    );
    assert!(hit.is_none());
    assert_eq!(walk.lps, 0);
}

#[test]
fn where_no_witness_exists_the_refinement_reaches_the_minimum_and_returns_none() {
    // y0 ≥ 0 everywhere, so y0 ≤ −RADIUS has no witness.
    let net = bowl();
    let (pieces, accept) = below(-RADIUS);
    let goal = Goal {
        pieces,
        combine: Combine::All,
        accept: &accept,
    };
    let (lo, hi) = (vec![0.0, 0.0], vec![1.0, 1.0]);
    for seed in 0..5 {
        let settings = AttackSettings {
            seed,
            ..AttackSettings::default()
        };
        let (hit, report) = attack(&net, &lo, &hi, &goal, &settings, far(), None);
        assert!(hit.is_none(), "seed {seed}: a witness where none exists: {hit:?}");
        assert!(!report.found);
        assert!(report.lp_refinements >= 1, "{report:?}");
        // The refinement got to the true minimum (y0 = 0 at the bottom):
        // the violation y0 + RADIUS fell to RADIUS, within rounding.
        let best = report.best_violation.unwrap();
        assert!((RADIUS..=RADIUS + 1e-15).contains(&best), "{report:?}");
    }
}

#[test]
fn a_disjunction_is_refined_on_its_deciding_row() {
    // Robustness-style goal: one of two rows below 0 is enough; only the
    // second can be (y0 ≤ RADIUS), the first never is (−y0 ≤ −2).
    let net = bowl();
    let pieces = vec![
        Piece {
            inputs: vec![],
            outputs: vec![(0, -1.0)],
            rhs: -2.0,
        },
        Piece {
            inputs: vec![],
            outputs: vec![(0, 1.0)],
            rhs: RADIUS,
        },
    ];
    let accept = |_x: &[f64], y: &[f64]| y[0] <= RADIUS || y[0] >= 2.0;
    let goal = Goal {
        pieces,
        combine: Combine::Any,
        accept: &accept,
    };
    let settings = AttackSettings::default();
    let (hit, report) = attack(&net, &[0.0, 0.0], &[1.0, 1.0], &goal, &settings, far(), None);
    let (_, y) = hit.unwrap_or_else(|| panic!("no witness: {report:?}"));
    assert!(y[0] <= RADIUS, "{y:?}");
    assert!(report.lp_refinements >= 1, "{report:?}");
}

#[test]
fn refinement_is_left_out_where_its_lp_would_be_too_large() {
    use mipnet_verify::attack_refine::{MAX_REFINE_INPUTS, MAX_REFINE_WORK};
    let layer = |inputs: usize, outputs: usize| {
        Op::Affine(Affine::dense(&vec![vec![1.0; inputs]; outputs], &vec![0.0; outputs]))
    };
    let net = |inputs: usize, hidden: usize| ReluNet {
        inputs,
        ops: vec![
            layer(inputs, hidden),
            Op::Relu,
            layer(hidden, hidden),
            Op::Relu,
            layer(hidden, 1),
        ],
        input_names: generated_names("x", inputs),
        output_names: generated_names("y", 1),
    };
    assert!(refinable(&net(MAX_REFINE_INPUTS, 50)));
    assert!(!refinable(&net(MAX_REFINE_INPUTS + 1, 50)));
    // Wide enough that one piece's affine maps exceed the work limit.
    let wide = (MAX_REFINE_WORK / MAX_REFINE_INPUTS).isqrt() + 1;
    assert!(!refinable(&net(MAX_REFINE_INPUTS, wide)));
    let pooled = ReluNet {
        inputs: 2,
        ops: vec![
            layer(2, 4),
            Op::MaxPool {
                inputs: 4,
                windows: vec![vec![0, 1], vec![2, 3]],
            },
        ],
        input_names: generated_names("x", 2),
        output_names: generated_names("y", 2),
    };
    assert!(!refinable(&pooled));
}

/// `y0 = min(a, b)`: `a = 0.1·(|x0 − 0.8| + |x1 − 0.8|) + 0.01`, a broad
/// basin whose floor (0.01) is no witness, where the best random points
/// and every descent from them end; `b = 10·(|x0 − 0.2| + |x1 − 0.2|) −
/// RADIUS`, a steep cone whose tip (below 0 within 1e-10 of (0.2, 0.2)) no
/// random point or gradient step reaches. From a point with both inputs
/// below 0.2, the LP of `a`'s piece stops where `a = b`, and the flip onto
/// `b`'s piece leads to the tip.
fn basin_and_cone() -> ReluNet {
    let w = vec![
        vec![1.0, 0.0],
        vec![-1.0, 0.0],
        vec![0.0, 1.0],
        vec![0.0, -1.0],
        vec![1.0, 0.0],
        vec![-1.0, 0.0],
        vec![0.0, 1.0],
        vec![0.0, -1.0],
    ];
    let b = vec![-0.8, 0.8, -0.8, 0.8, -0.2, 0.2, -0.2, 0.2];
    let a_row = [0.1, 0.1, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0];
    let b_row = [0.0, 0.0, 0.0, 0.0, 10.0, 10.0, 10.0, 10.0];
    let a_minus_b: Vec<f64> = a_row.iter().zip(&b_row).map(|(p, q)| p - q).collect();
    let net = ReluNet {
        inputs: 2,
        ops: vec![
            Op::Affine(Affine::dense(&w, &b)),
            Op::Relu,
            // relu(a) = a (a ≥ 0.01) and relu(a − b).
            Op::Affine(Affine::dense(&[a_row.to_vec(), a_minus_b], &[0.01, 0.01 + RADIUS])),
            Op::Relu,
            Op::Affine(Affine::dense(&[vec![1.0, -1.0]], &[0.0])),
        ],
        input_names: generated_names("x", 2),
        output_names: generated_names("y", 1),
    };
    net.check().unwrap();
    net
}

#[test]
fn walks_from_random_points_find_a_witness_no_descent_reaches() {
    let net = basin_and_cone();
    let (pieces, accept) = below(0.0);
    let goal = Goal {
        pieces,
        combine: Combine::All,
        accept: &accept,
    };
    let (lo, hi) = (vec![0.0, 0.0], vec![1.0, 1.0]);
    for seed in 0..5 {
        let settings = AttackSettings {
            seed,
            ..AttackSettings::default()
        };
        let (hit, report) = attack(&net, &lo, &hi, &goal, &settings, far(), None);
        let (x, y) = hit.unwrap_or_else(|| panic!("seed {seed}: no witness: {report:?}"));
        // Every descent ran and missed, and so did their refinement (at
        // most REFINE_STARTS walks of REFINE_LPS_PER_START LPs).
        assert_eq!(report.pgd_steps, settings.pgd_starts * settings.pgd_steps, "{report:?}");
        assert!(report.lp_refinements > REFINE_STARTS, "{report:?}");
        assert_eq!(net.forward(&x), y);
        assert!(y[0] <= 0.0, "{y:?}");
        assert!((x[0] - 0.2).abs() + (x[1] - 0.2).abs() <= 1e-10, "{x:?}");
    }
}

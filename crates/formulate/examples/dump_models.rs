//! A fingerprint of everything the formulation produces, for checking that
//! a refactoring changes no behaviour: run it before and after and `diff`
//! the outputs (they must be byte-identical).
//!
//! ```text
//! cargo run --release -p mipnet-formulate --example dump_models > before.txt
//! # … change the code …
//! cargo run --release -p mipnet-formulate --example dump_models > after.txt
//! diff before.txt after.txt
//! ```
//!
//! For a set of configurations (dense with one and two hidden layers, every
//! loss, ℓ1/ℓ0/ℓ2, neuron and layer pruning, symmetry breaking on and off,
//! an objective cutoff, convolutions with max, average and no pooling) it
//! prints: the model (every column's bounds, cost and type, every row's
//! bounds and terms, as hashes of their bit patterns; `--full` prints them
//! in full), the statistics, the estimate, the column groups and Lipschitz
//! cuts, the start values of a network, the network read back, the
//! certificate (passing, and failing on another network's point), the
//! objective, flip candidates, the exact point of a point with loss slack,
//! the polish LP, and for tiny instances the MIP and the polish LP solved
//! by HiGHS (one thread, zero gaps: deterministic) with the networks and
//! certificates read from their solutions. Floats are printed with `{:?}`,
//! which gives back every bit.

#[path = "../tests/common/mod.rs"]
mod common;

use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{project, sort_neurons, DenseFormulation, FormulationSettings, Loss, ModelEstimate, Tolerances};
use mipnet_highs::HighsSolver;
use mipnet_milp::{Model, Row};
use mipnet_network::{Conv, Layer, Network, PoolKind, FORMAT_VERSION};
use mipnet_solver::{NoObserver, SolveRequest, Solver};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// FNV-1a over 64-bit words: a stable hash (std's is randomly seeded).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn word(&mut self, w: u64) {
        for b in w.to_le_bytes() {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn f(&mut self, v: f64) {
        self.word(v.to_bits());
    }
    fn text(&mut self, s: &str) {
        s.bytes().for_each(|b| self.word(b as u64));
    }
}

fn hash_f64s(v: &[f64]) -> String {
    let mut h = Fnv::new();
    h.word(v.len() as u64);
    v.iter().for_each(|&x| h.f(x));
    format!("{:016x}", h.0)
}

fn hash_text(s: &str) -> String {
    let mut h = Fnv::new();
    h.text(s);
    format!("{:016x}", h.0)
}

/// Columns and rows hashed separately, so that a difference says where.
fn model_fingerprint(m: &Model, full: bool) -> String {
    let mut cols = Fnv::new();
    for j in 0..m.num_cols() {
        cols.f(m.col_lower()[j]);
        cols.f(m.col_upper()[j]);
        cols.f(m.col_cost()[j]);
        cols.text(&format!("{:?}", m.col_types()[j]));
    }
    let mut rows = Fnv::new();
    for r in 0..m.num_rows() {
        rows.f(m.row_lower()[r]);
        rows.f(m.row_upper()[r]);
        let (idx, val) = m.row_entries(Row::from_index(r));
        for (&c, &v) in idx.iter().zip(val) {
            rows.word(c as u64);
            rows.f(v);
        }
        rows.word(u64::MAX);
    }
    let mut out = format!(
        "model {:?} offset {:?} cols {} rows {} nonzeros {} integral {} colhash {:016x} rowhash {:016x}",
        m.sense(),
        m.offset(),
        m.num_cols(),
        m.num_rows(),
        m.num_nonzeros(),
        m.num_integral(),
        cols.0,
        rows.0
    );
    if full {
        for j in 0..m.num_cols() {
            out += &format!(
                "\n  col {j} [{:?}, {:?}] cost {:?} {:?}",
                m.col_lower()[j],
                m.col_upper()[j],
                m.col_cost()[j],
                m.col_types()[j]
            );
        }
        for r in 0..m.num_rows() {
            let (idx, val) = m.row_entries(Row::from_index(r));
            out += &format!(
                "\n  row {r} [{:?}, {:?}] {:?}",
                m.row_lower()[r],
                m.row_upper()[r],
                idx.iter().zip(val).collect::<Vec<_>>()
            );
        }
    }
    out
}

fn net_fingerprint(net: &Network) -> String {
    hash_text(&serde_json::to_string(&net.layers).expect("layers serialize"))
}

fn data(seed: u64, n: usize, d: usize, k: usize) -> Dataset {
    // Some exact zeros: they change which terms a layer-1 row has.
    common::data_with_zeros(seed, n, d, k, 0.15)
}

/// A random real-valued network of the formulation's shape, projected
/// into its feasible set; with layer pruning, the first prunable layer
/// becomes the identity.
fn feasible_network(seed: u64, d: usize, k: usize, s: &FormulationSettings) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut layers = Vec::new();
    let mut inp = d;
    if let Some(spec) = s.conv {
        let shape = spec.shape(d).expect("conv fits");
        let filters = (0..shape.params()).map(|_| rng.gen_range(-2.0..2.0)).collect();
        let bias: Vec<f64> = (0..shape.channels).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let first = Layer::convolution(Conv { shape, filters }, &bias, spec.pool);
        inp = first.output_len();
        layers.push(first);
    }
    let widths: Vec<usize> = s.hidden.iter().copied().chain([k]).collect();
    for (l, &out) in widths.iter().enumerate() {
        layers.push(Layer {
            weights: (0..out)
                .map(|_| (0..inp).map(|_| rng.gen_range(-2.0..2.0)).collect())
                .collect(),
            bias: (0..out).map(|_| rng.gen_range(-1.0..1.0)).collect(),
            kept: vec![true; out],
            relu: l + 1 < widths.len(),
            identity: false,
            grid: None,
            conv: None,
            pool: None,
        });
        inp = out;
    }
    let raw = Network {
        format_version: FORMAT_VERSION,
        feature_names: (0..d).map(|i| format!("f{i}")).collect(),
        class_names: (0..k).map(|c| format!("c{c}")).collect(),
        standardizer: Standardizer::identity(d),
        layers,
        settings: serde_json::Value::Null,
    };
    let mut net = project(&raw, s);
    if s.prune_layers {
        if let Some(&l) = s.prunable_layers().first() {
            let layer = &mut net.layers[l];
            layer.identity = true;
            layer.weights.iter_mut().flatten().for_each(|w| *w = 0.0);
            layer.bias.iter_mut().for_each(|b| *b = 0.0);
            layer.kept.iter_mut().for_each(|k| *k = true);
        }
    }
    if s.symmetry_breaking {
        sort_neurons(&mut net);
    }
    net
}

fn solve(m: &Model) -> (String, Option<Vec<f64>>) {
    let opts = common::exact_options();
    let r = HighsSolver
        .solve(SolveRequest::new(m, &opts), &mut NoObserver)
        .expect("HiGHS runs");
    (format!("{:?} objective {:?}", r.status, r.objective), r.solution)
}

use common::conv_spec as conv;

/// (name, settings, samples, features, classes, solve the MIP).
fn configurations() -> Vec<(&'static str, FormulationSettings, usize, usize, usize, bool)> {
    let dense = FormulationSettings::default();
    vec![
        (
            "dense-1-hinge-default",
            FormulationSettings {
                hidden: vec![3],
                ..dense.clone()
            },
            9,
            3,
            3,
            false,
        ),
        (
            "dense-1-tiny-solved",
            FormulationSettings {
                hidden: vec![2],
                ..dense.clone()
            },
            6,
            2,
            2,
            true,
        ),
        (
            "dense-1-misclassification-l0-l2-neurons",
            FormulationSettings {
                hidden: vec![3],
                loss: Loss::Misclassification,
                l0: 0.01,
                l2: 0.02,
                l2_tangents: 5,
                prune_neurons: true,
                neuron_penalty: 0.03,
                ..dense.clone()
            },
            8,
            3,
            2,
            false,
        ),
        (
            "dense-1-l1loss-no-l1-no-symmetry",
            FormulationSettings {
                hidden: vec![2],
                loss: Loss::L1,
                l1: 0.0,
                l2: 0.05,
                symmetry_breaking: false,
                ..dense.clone()
            },
            7,
            3,
            3,
            false,
        ),
        (
            "dense-2-hinge-layers-neurons-grid2",
            FormulationSettings {
                hidden: vec![3, 3],
                grid_levels: 2,
                grid_step: 0.5,
                omega: 1.5,
                margin: 0.5,
                prune_neurons: true,
                neuron_penalty: 0.01,
                prune_layers: true,
                layer_penalty: 0.02,
                l0: 0.005,
                ..dense.clone()
            },
            8,
            3,
            3,
            false,
        ),
        (
            "dense-2-misclassification-layers-tiny-solved",
            FormulationSettings {
                hidden: vec![2, 2],
                loss: Loss::Misclassification,
                prune_layers: true,
                layer_penalty: 0.01,
                ..dense.clone()
            },
            5,
            2,
            2,
            true,
        ),
        (
            "dense-2-l1loss-l2",
            FormulationSettings {
                hidden: vec![3, 2],
                loss: Loss::L1,
                l2: 0.01,
                ..dense.clone()
            },
            6,
            4,
            2,
            false,
        ),
        (
            "conv-max-pool",
            FormulationSettings {
                conv: Some(conv(2, 3, 1, 0, Some((PoolKind::Max, 2, 2)))),
                hidden: vec![],
                ..dense.clone()
            },
            6,
            25,
            2,
            false,
        ),
        (
            "conv-average-pool-l1loss-l2-grid2",
            FormulationSettings {
                conv: Some(conv(2, 2, 1, 0, Some((PoolKind::Average, 2, 1)))),
                hidden: vec![],
                loss: Loss::L1,
                l2: 0.05,
                grid_levels: 2,
                grid_step: 0.5,
                ..dense.clone()
            },
            5,
            16,
            2,
            false,
        ),
        (
            "conv-no-pool-dense-misclassification-filters-l0",
            FormulationSettings {
                conv: Some(conv(3, 3, 2, 1, None)),
                hidden: vec![2],
                prune_neurons: true,
                neuron_penalty: 0.02,
                loss: Loss::Misclassification,
                l0: 0.01,
                ..dense.clone()
            },
            5,
            16,
            3,
            false,
        ),
        (
            "conv-max-pool-filters-tiny-solved",
            FormulationSettings {
                conv: Some(conv(2, 2, 1, 0, Some((PoolKind::Max, 2, 2)))),
                hidden: vec![],
                prune_neurons: true,
                neuron_penalty: 0.01,
                omega: 2.0,
                ..dense
            },
            4,
            9,
            2,
            true,
        ),
    ]
}

fn dump(name: &str, s: &FormulationSettings, n: usize, d: usize, k: usize, solve_mip: bool, full: bool) {
    println!("== {name}");
    let data = data(n as u64 * 31 + d as u64, n, d, k);
    let tol = Tolerances::default();
    println!("estimate {:?}", ModelEstimate::of(&data, s));
    let mut f = match DenseFormulation::build(&data, s) {
        Ok(f) => f,
        Err(e) => {
            println!("build error {e}");
            return;
        }
    };
    println!("{}", model_fingerprint(&f.model, full));
    println!("stats {:?}", f.stats());
    println!("convolution {:?}", f.convolution());
    let ints: Vec<usize> = f.integral_columns().iter().map(|c| c.index()).collect();
    println!(
        "integral columns {} hash {}",
        ints.len(),
        hash_text(&format!("{ints:?}"))
    );
    println!(
        "hidden units {:?} layers {} samples {}",
        f.hidden_units(),
        f.hidden_layers(),
        f.samples()
    );
    for (l, u) in f.hidden_units() {
        let cols: Vec<usize> = f.unit_binaries(l, u).iter().map(|c| c.index()).collect();
        println!("  unit ({l}, {u}) binaries {}", hash_text(&format!("{cols:?}")));
    }
    for m in 0..f.samples() {
        let cols: Vec<usize> = f.sample_binaries(m).iter().map(|c| c.index()).collect();
        println!("  sample {m} binaries {cols:?}");
    }
    for l in 0..=f.hidden_layers() {
        let cols: Vec<usize> = f.grid_binaries(l).iter().map(|c| c.index()).collect();
        println!("  grid {l} binaries {}", hash_text(&format!("{cols:?}")));
    }
    println!("  layer indicators {:?}", f.layer_indicators());
    println!(
        "  widths {:?}",
        (0..f.hidden_layers()).map(|l| f.hidden_width(l)).collect::<Vec<_>>()
    );
    let aux = f
        .l1_auxiliaries()
        .map(|a| a.iter().map(|c| c.index()).collect::<Vec<_>>());
    println!("  l1 auxiliaries {}", hash_text(&format!("{aux:?}")));
    if f.convolution().is_none() {
        let acts: Vec<Option<usize>> = (0..f.samples())
            .flat_map(|m| (0..f.hidden_width(0)).map(move |j| (m, j)))
            .map(|(m, j)| f.activation(0, m, j).map(|c| c.index()))
            .collect();
        println!("  activations {}", hash_text(&format!("{acts:?}")));
        if f.hidden_layers() >= 1 {
            let prods: Vec<Option<usize>> = (0..f.samples())
                .flat_map(|m| (0..f.hidden_width(0)).map(move |j| (m, j)))
                .flat_map(|(m, j)| f.products_of(m, j))
                .map(|c| c.map(|c| c.index()))
                .collect();
            println!("  products {}", hash_text(&format!("{prods:?}")));
        }
        let pairs = f.cut_pairs(2);
        println!("  cut pairs {pairs:?}");
        let mut cuts = Vec::new();
        for &(a, b) in &pairs {
            cuts.extend(f.lipschitz_cuts(a, b));
        }
        println!("  cuts {} hash {}", cuts.len(), hash_text(&format!("{cuts:?}")));
    }

    let net = feasible_network(7 + n as u64, d, k, s);
    println!("network {}", net_fingerprint(&net));
    for l in 0..net.layers.len().saturating_sub(1) {
        println!(
            "  symmetric order {l}: {:?}",
            DenseFormulation::symmetric_order(&net.layers[l])
        );
    }
    println!("objective_of {:?}", f.objective_of(&net));
    for m in 0..f.samples() {
        let o = net.scores_standardized(data.row(m));
        print!(" {:?}", f.sample_loss(data.label(m), &o));
    }
    println!();
    let x = match f.start_values(&net) {
        Ok(x) => x,
        Err(e) => {
            println!("start values error {e}");
            return;
        }
    };
    println!("start values {}", hash_f64s(&x));
    let back = f.network_from(&x, &Standardizer::identity(d), &tol);
    println!(
        "network_from {} same {}",
        net_fingerprint(&back),
        back.layers == net.layers
    );
    println!("certify {:?}", f.certify(&x, &back, &tol));
    println!("flips {:?}", f.flip_candidates(&x, &back, 5));

    // Another network's point: a failing certificate.
    let other = feasible_network(1000 + n as u64, d, k, s);
    if let Ok(y) = f.start_values(&other) {
        println!("certify other {:?}", f.certify(&y, &back, &tol));
        println!("flips other {:?}", f.flip_candidates(&y, &back, 4));
    }
    // Slack in the loss columns (continuous, cost 1/N): the exact point.
    let mut slack = x.clone();
    let inv_n = 1.0 / f.samples() as f64;
    for (j, v) in slack.iter_mut().enumerate() {
        if f.model.col_cost()[j] == inv_n && !f.model.col_types()[j].is_integral() {
            *v += 0.003;
        }
    }
    println!("certify slack {:?}", f.certify(&slack, &back, &tol));
    println!("exact point {}", hash_f64s(&f.exact_point(&slack, &back, &tol)));
    // A corrupted point (every value nudged): exact_point keeps it.
    let nudged: Vec<f64> = x.iter().map(|v| v + 0.01).collect();
    println!("exact point nudged {}", hash_f64s(&f.exact_point(&nudged, &back, &tol)));

    let lp = f.polish_lp(&x);
    println!("polish {}", model_fingerprint(&lp.model, full));
    let (status, y) = solve(&lp.model);
    println!("polish solved {status}");
    if let Some(y) = y {
        let polished = f.network_from_polish(&lp, &y, &x, &Standardizer::identity(d), &tol);
        println!(
            "polished network {} objective {:?}",
            net_fingerprint(&polished),
            f.objective_of(&polished)
        );
        if let Ok(z) = f.start_values(&polished) {
            println!("polished certify {:?}", f.certify(&z, &polished, &tol));
        }
    }
    if solve_mip {
        let (status, sol) = solve(&f.model);
        println!("mip solved {status}");
        if let Some(sol) = sol {
            let net = f.network_from(&sol, &Standardizer::identity(d), &tol);
            println!("mip network {}", net_fingerprint(&net));
            println!("mip certify {:?}", f.certify(&sol, &net, &tol));
            println!("mip exact point {}", hash_f64s(&f.exact_point(&sol, &net, &tol)));
            println!("mip flips {:?}", f.flip_candidates(&sol, &net, 3));
        }
    }
    if f.convolution().is_none() {
        if let Some(cut) = f
            .cut_pairs(1)
            .first()
            .and_then(|&(a, b)| f.lipschitz_cuts(a, b).into_iter().next())
        {
            println!("cut violation at start {:?}", cut.violation(&x));
            f.add_cut(&cut);
            println!("with cut {}", model_fingerprint(&f.model, false));
        }
    }

    // The objective cutoff of the start network (with α > 0).
    if s.l1 > 0.0 {
        let cutoff = f.objective_of(&net);
        match DenseFormulation::build_with_cutoff(&data, s, Some(cutoff)) {
            Ok(g) => {
                println!("cutoff {}", model_fingerprint(&g.model, full));
                println!("cutoff stats {:?}", g.stats());
                println!("cutoff start values {:?}", g.start_values(&net).map(|x| hash_f64s(&x)));
            }
            Err(e) => println!("cutoff error {e}"),
        }
    }
    println!(
        "cutoff refused {:?}",
        DenseFormulation::build_with_cutoff(&data, s, Some(f64::NAN)).err()
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--full");
    for (name, s, n, d, k, solve_mip) in configurations() {
        dump(name, &s, n, d, k, solve_mip, full);
    }
    // Refusals by name.
    let data = data(3, 6, 4, 2);
    let bad = [
        FormulationSettings {
            hidden: vec![],
            ..Default::default()
        },
        FormulationSettings {
            conv: Some(conv(2, 9, 1, 0, None)),
            ..Default::default()
        },
        FormulationSettings {
            prune_layers: true,
            hidden: vec![2, 3],
            ..Default::default()
        },
    ];
    for s in bad {
        println!(
            "refused {:?} / {:?}",
            DenseFormulation::build(&data, &s).err(),
            ModelEstimate::of(&data, &s).err()
        );
    }
    let one_class = Dataset::new("one", vec!["a".into()], vec!["c".into()], vec![0.5, 1.0], vec![0, 0]);
    println!(
        "one class {:?}",
        DenseFormulation::build(&one_class, &FormulationSettings::default()).err()
    );
    // A network the formulation cannot start from.
    let s = FormulationSettings {
        hidden: vec![2],
        ..Default::default()
    };
    let f = DenseFormulation::build(&data, &s).expect("builds");
    let mut net = feasible_network(5, 4, 2, &s);
    net.layers[1].weights[0][0] = 0.3;
    println!("off grid {:?}", f.start_values(&net).err());
    net.layers[0].weights[0][0] = 3.0;
    println!("outside box {:?}", f.start_values(&net).err());
    let wrong = feasible_network(
        5,
        4,
        2,
        &FormulationSettings {
            hidden: vec![3],
            ..s.clone()
        },
    );
    println!("wrong shape {:?}", f.start_values(&wrong).err());
}

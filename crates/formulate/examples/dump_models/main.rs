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

#[path = "../../tests/common/mod.rs"]
mod common;
mod configurations;
mod fingerprint;

use common::conv_spec as conv;
use configurations::configurations;
use fingerprint::{hash_f64s, hash_text, model_fingerprint, net_fingerprint};
use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{project, sort_neurons, DenseFormulation, FormulationSettings, ModelEstimate, Tolerances};
use mipnet_highs::HighsSolver;
use mipnet_milp::Model;
use mipnet_network::{Conv, Layer, Network, FORMAT_VERSION};
use mipnet_solver::{NoObserver, SolveRequest, Solver};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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

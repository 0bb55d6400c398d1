//! The path-norm bound of a bundled dataset's training problem at the
//! default formulation (4→8→K, α = 0.01), as `mipnet train` builds it:
//!
//! cargo run --release -p mipnet-bounds --example path_norm -- iris 0 [SECONDS]
//!
//! prints the certified bound, the last certified master's value, rows and
//! seconds.

use mipnet_bounds::{PathNorm, PathNormSettings};
use mipnet_data::{Bundled, Standardizer};
use mipnet_formulate::FormulationSettings;
use mipnet_highs::HighsSolver;
use mipnet_solver::SolveOptions;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map(String::as_str).unwrap_or("iris");
    let split_seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut settings = PathNormSettings::default();
    if let Some(t) = args.get(2).and_then(|s| s.parse().ok()) {
        settings.seconds = t;
    }
    let all = Bundled::from_name(name).expect("a bundled dataset").load();
    let (train, _) = all.split_stratified(0.25, split_seed).expect("a split");
    let data = train.standardized(&Standardizer::fit(&train));
    let s = FormulationSettings::default();
    let options = SolveOptions {
        threads: Some(1),
        ..Default::default()
    };
    let bound = PathNorm::new(&data, &s)
        .expect("the method applies")
        .solve(&HighsSolver, &options, &settings)
        .expect("a bound");
    println!(
        "{name} split {split_seed}: bound {:.5} (master {:.5}), {} rows, {:.2} s",
        bound.value,
        bound.lp_value.unwrap_or(f64::NAN),
        bound.rows,
        bound.seconds
    );
}

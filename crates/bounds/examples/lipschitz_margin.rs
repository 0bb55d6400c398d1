//! The Lipschitz-margin bound of a bundled dataset's training problem at the
//! default formulation (4→8→K, α = 0.01), as `mipnet train` builds it:
//!
//! cargo run --release -p mipnet-bounds --example lipschitz_margin -- iris 0 [MAX_PAIRS]
//!
//! prints the certified bound, the LP's own value, pairs, rows and seconds.

use mipnet_bounds::{LipschitzMargin, LipschitzMarginSettings};
use mipnet_data::{Bundled, Standardizer};
use mipnet_formulate::FormulationSettings;
use mipnet_highs::HighsSolver;
use mipnet_solver::SolveOptions;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map(String::as_str).unwrap_or("iris");
    let split_seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut settings = LipschitzMarginSettings::default();
    if let Some(p) = args.get(2).and_then(|s| s.parse().ok()) {
        settings.max_pairs = p;
    }
    let all = Bundled::from_name(name).expect("a bundled dataset").load();
    let (train, _) = all.split_stratified(0.25, split_seed).expect("a split");
    let data = train.standardized(&Standardizer::fit(&train));
    let s = FormulationSettings::default();
    let bound = LipschitzMargin::new(&data, &s)
        .expect("the method applies")
        .solve(&HighsSolver, &SolveOptions::default(), &settings)
        .expect("a bound");
    println!(
        "{name} split {split_seed}: bound {:.5} (LP {:.5}), {} pairs, {} rows, {:.2} s",
        bound.value,
        bound.lp_value.unwrap_or(f64::NAN),
        bound.pairs,
        bound.rows,
        bound.seconds
    );
}

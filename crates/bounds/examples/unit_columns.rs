//! The unit-columns bound of a bundled dataset's training problem at the
//! default formulation (4→H→K, α = 0.01), as `mipnet train` builds it:
//!
//! cargo run --release -p mipnet-bounds --example unit_columns -- iris 0 [SECONDS] [HIDDEN]
//!
//! prints every certified round (bound, master value, columns, seconds),
//! then the best certified bound, the rounds and whether it converged.

use mipnet_bounds::{UnitColumns, UnitColumnsSettings};
use mipnet_data::{Bundled, Standardizer};
use mipnet_formulate::FormulationSettings;
use mipnet_highs::HighsSolver;
use mipnet_solver::SolveOptions;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map(String::as_str).unwrap_or("iris");
    let split_seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut settings = UnitColumnsSettings::default();
    if let Some(t) = args.get(2).and_then(|s| s.parse().ok()) {
        settings.seconds = t;
    }
    let mut s = FormulationSettings::default();
    if let Some(h) = args.get(3).and_then(|s| s.parse().ok()) {
        s.hidden = vec![h];
    }
    let all = Bundled::from_name(name).expect("a bundled dataset").load();
    let (train, _) = all.split_stratified(0.25, split_seed).expect("a split");
    let data = train.standardized(&Standardizer::fit(&train));
    let run = UnitColumns::new(&data, &s)
        .expect("the method applies")
        .solve_observed(&HighsSolver, &SolveOptions::default(), &settings, &mut |r| {
            if let Some(b) = r.certified {
                println!(
                    "round {:3}: certified {b:.5}, master {:.5}, {} columns, {:.2} s",
                    r.round, r.master_value, r.columns, r.seconds
                );
            }
        })
        .expect("a bound");
    println!(
        "{name} split {split_seed}: bound {:.5}, {} rounds ({} certified), {} columns, {:.2} s{}",
        run.bound.value,
        run.rounds,
        run.certified_rounds,
        run.columns,
        run.bound.seconds,
        if run.converged { ", converged" } else { "" }
    );
}

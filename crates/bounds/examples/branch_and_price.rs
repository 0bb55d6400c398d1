//! The branch-and-price bound of a bundled dataset's training problem at
//! the default formulation (4→H→K, α = 0.01), as `mipnet train` builds it:
//!
//! cargo run --release -p mipnet-bounds --example branch_and_price -- DATA SPLIT SECONDS HIDDEN [PER_CLASS [INCUMBENT]]
//!
//! PER_CLASS = 0 keeps the whole training split (`--train-per-class N`
//! otherwise); INCUMBENT is a known objective to prune against. Prints the
//! tree's progress every 2 s, then the bound, the root's and the tree's
//! size.

use mipnet_bounds::unit_columns::branch::BranchSettings;
use mipnet_bounds::UnitColumns;
use mipnet_data::{Bundled, Standardizer};
use mipnet_formulate::FormulationSettings;
use mipnet_highs::HighsSolver;
use mipnet_solver::SolveOptions;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let name = arg(0).unwrap_or("iris");
    let split_seed: u64 = arg(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut settings = BranchSettings::default();
    if let Some(t) = arg(2).and_then(|s| s.parse().ok()) {
        settings.seconds = t;
    }
    let mut s = FormulationSettings::default();
    if let Some(h) = arg(3).and_then(|s| s.parse().ok()) {
        s.hidden = vec![h];
    }
    let per_class: usize = arg(4).and_then(|s| s.parse().ok()).unwrap_or(0);
    let incumbent: Option<f64> = arg(5).and_then(|s| s.parse().ok());
    let all = Bundled::from_name(name).expect("a bundled dataset").load();
    let (mut train, _) = all.split_stratified(0.25, split_seed).expect("a split");
    if per_class > 0 {
        train = train.balanced_subset(per_class, split_seed).expect("a subset");
    }
    let data = train.standardized(&Standardizer::fit(&train));
    let mut last = 0.0;
    let run = UnitColumns::new(&data, &s)
        .expect("the method applies")
        .branch_and_price(&HighsSolver, &SolveOptions::default(), &settings, incumbent, &mut |r| {
            if r.seconds - last >= 2.0 || r.nodes == 1 {
                last = r.seconds;
                println!(
                    "{:7.1} s: {} nodes, {} open, bound {:.6} (node {:.6} at depth {})",
                    r.seconds, r.nodes, r.open, r.bound, r.node_bound, r.depth
                );
            }
        })
        .expect("a bound");
    println!(
        "{name} split {split_seed}, {} samples, H = {}: bound {:.6} (root {:.6}), {} nodes ({} pruned, {} settled, {} open, depth {}), {} masters, {:.1} s{}",
        data.len(),
        s.hidden[0],
        run.bound.value,
        run.root_bound,
        run.counts.nodes,
        run.counts.pruned,
        run.counts.settled,
        run.open,
        run.counts.depth,
        run.bound.rounds,
        run.bound.seconds,
        if run.finished { ", finished" } else { "" }
    );
    if let Some(leaf) = &run.best_leaf {
        println!("best settled network: master value {:.6}", leaf.master_value);
    }
}

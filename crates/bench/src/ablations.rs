//! The ablations: each an edit of the run's settings that removes or adds
//! stages (checked against the stage list by a test).

use mipnet_train::{StageName, TrainSettings};

/// One part of the pipeline switched off (or, for parts that are off by
/// default, on), to show what it buys at the same budget: an edit of the
/// settings that removes stages from the run's list or adds them (checked
/// by a test against [`mipnet_train::stage_names`]), or changes one stage's or the
/// formulation's settings.
#[derive(Clone, Copy, Debug)]
pub struct Ablation {
    pub name: &'static str,
    /// The stages it takes out of the list, and those it puts in.
    pub removes: &'static [StageName],
    pub adds: &'static [StageName],
    pub(crate) apply: fn(&mut TrainSettings),
}

/// The ablations of `--ablate`, each changing one thing. LP-based bound
/// tightening is not among them: with one hidden layer under the ω box the
/// LP bound of a pre-activation is its interval bound (docs/training.md),
/// and mipnet does not run it.
pub const ABLATIONS: &[Ablation] = &[
    Ablation {
        name: "no polish",
        removes: &[StageName::SearchRounds, StageName::NeighbourhoodSearch],
        adds: &[],
        apply: |s| s.stages.polish = false,
    },
    Ablation {
        name: "no search rounds",
        removes: &[StageName::SearchRounds],
        adds: &[],
        apply: |s| s.stages.search_rounds = 0,
    },
    Ablation {
        // The full MIP gets the search's share of the time limit.
        name: "no neighbourhood search",
        removes: &[StageName::NeighbourhoodSearch],
        adds: &[],
        apply: |s| s.stages.lns_share = 0.0,
    },
    Ablation {
        name: "one gradient start",
        removes: &[],
        adds: &[],
        apply: |s| s.stages.gradient_starts = 1,
    },
    Ablation {
        name: "no cutoff tightening",
        removes: &[StageName::CutoffTightening],
        adds: &[],
        apply: |s| s.stages.cutoff_tightening = false,
    },
    Ablation {
        name: "no full MIP",
        removes: &[
            StageName::IntervalBounds,
            StageName::CutoffTightening,
            StageName::FullMip,
        ],
        adds: &[],
        apply: |s| s.stages.mip = false,
    },
    Ablation {
        name: "no lower bounds",
        removes: &[StageName::LowerBounds],
        adds: &[],
        apply: |s| s.stages.lower_bounds = false,
    },
    Ablation {
        name: "no symmetry breaking",
        removes: &[],
        adds: &[],
        apply: |s| s.formulation.symmetry_breaking = false,
    },
    Ablation {
        name: "with Lipschitz cuts",
        removes: &[],
        adds: &[StageName::CutLoop],
        apply: |s| s.stages.lipschitz_cuts = true,
    },
    Ablation {
        name: "with pattern flips",
        removes: &[],
        adds: &[StageName::PatternFlips],
        apply: |s| s.stages.flip_rounds = 3,
    },
];

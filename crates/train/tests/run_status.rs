//! The run tells its observer where it is: every stage as it starts, in
//! pipeline order, with the best certified objective so far, which only
//! falls and ends at the returned network's.

use mipnet_data::Dataset;
use mipnet_highs::HighsSolver;
use mipnet_solver::{NoObserver, Observer};
use mipnet_train::{train, Job, RunStage, RunStatus, TrainEvent, TrainObserver, TrainSettings};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn toy_data(seed: u64, n: usize, d: usize, k: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f64> = (0..n * d).map(|_| rng.gen_range(-1.5..1.5)).collect();
    let y: Vec<usize> = (0..n).map(|i| i % k).collect();
    Dataset::new(
        "toy",
        (0..d).map(|i| format!("f{i}")).collect(),
        (0..k).map(|c| format!("c{c}")).collect(),
        x,
        y,
    )
}

#[derive(Default)]
struct Recorder {
    statuses: Vec<RunStatus>,
    solver: Option<NoObserver>,
}

impl TrainObserver for Recorder {
    fn event(&mut self, event: &TrainEvent) {
        self.statuses.push(*event.status());
    }
    fn solver(&mut self) -> &mut dyn Observer {
        self.solver.get_or_insert(NoObserver)
    }
}

#[test]
fn the_observer_sees_each_stage_in_order_with_a_falling_incumbent() {
    let data = toy_data(9, 24, 3, 3);
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![3];
    settings.gradient.epochs = 200;
    settings.stages.finetune_epochs = 100;
    settings.stages.gradient_starts = 2;
    settings.stages.lns_sub_seconds = 1.0;
    settings.solver.time_limit = 4.0;
    settings.solver.threads = Some(2);
    let job = Job {
        dataset: "toy".into(),
        train: &data,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    let mut rec = Recorder::default();
    let out = train(&job, &mut rec, None).unwrap();
    let s = &rec.statuses;
    assert!(s.iter().all(|st| st.time_limit == 4.0));
    assert_eq!(s[0].stage, RunStage::Building);
    assert_eq!(s[0].incumbent, None);
    // Stages in pipeline order (a stage may report more than once).
    let rank = |stage: RunStage| match stage {
        RunStage::Building => 0,
        RunStage::GradientStart { index, .. } => index,
        RunStage::SearchRounds => 10,
        RunStage::PatternFlips => 11,
        RunStage::NeighbourhoodSearch => 12,
        RunStage::Bounds => 13,
        RunStage::FullMip | RunStage::FullMipAlongsideSearch => 14,
        RunStage::Finishing => 15,
    };
    let ranks: Vec<usize> = s.iter().map(|st| rank(st.stage)).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "out of order: {s:?}");
    for needed in [
        RunStage::GradientStart { index: 1, of: 2 },
        RunStage::NeighbourhoodSearch,
        RunStage::Bounds,
        RunStage::FullMip,
    ] {
        assert!(
            s.iter().any(|st| st.stage == needed),
            "{needed:?} never reported: {s:?}"
        );
    }
    let last = s.last().unwrap();
    assert_eq!(last.stage, RunStage::Finishing);
    // Once there is a network, the incumbent only falls, to the returned one.
    let incumbents: Vec<f64> = s.iter().filter_map(|st| st.incumbent).collect();
    assert!(!incumbents.is_empty());
    assert!(incumbents.windows(2).all(|w| w[1] <= w[0]), "{incumbents:?}");
    assert_eq!(last.incumbent, Some(out.report.objective));
    let first_with = s.iter().position(|st| st.incumbent.is_some()).unwrap();
    assert!(s[first_with..].iter().all(|st| st.incumbent.is_some()));
}

//! The objective-cutoff tightening: the incumbent's objective f* bounds the
//! layer-1 ℓ1 norm by f*/α, so the MILP is rebuilt with that cutoff
//! (`DenseFormulation::build_with_cutoff`) and kept when some big-M shrank,
//! the incumbent moved onto it and re-certified there. The rebuild cannot
//! be interrupted, so it runs only when the budget says the MIP's time
//! pays for it.

use crate::error::TrainError;
use crate::events::TrainObserver;
use crate::relaxation::record_bound_stage;
use crate::report::Tightening;
use crate::run::Run;
use crate::settings::TrainSettingError;
use crate::stage::{Partner, Stage, StageName};
use mipnet_formulate::DenseFormulation;
use std::time::Instant;

/// A model counts as tighter when its mean big-M is below the first's by
/// more than this share: smaller changes are rounding in the bounds.
const TIGHTER_SHARE: f64 = 1e-9;

/// The tightening (no settings of its own beyond being on).
pub(crate) struct CutoffTightening;

impl Stage for CutoffTightening {
    fn name(&self) -> StageName {
        StageName::CutoffTightening
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        if !run.budget.rebuild_pays(run.findings.build_seconds) {
            obs.stage("cutoff tightening skipped: the time left would not pay for rebuilding the MILP");
            return Ok(());
        }
        let Some(best) = run.best.as_ref() else {
            return Ok(());
        };
        let t = Instant::now();
        let cutoff = best.objective();
        let f = DenseFormulation::build_with_standardizer(
            &run.train,
            &run.settings.formulation,
            &run.standardizer,
            Some(cutoff),
        )
        .map_err(TrainSettingError::from)?;
        let (before, after) = (run.f.stats(), f.stats());
        let applied =
            after.mean_big_m < before.mean_big_m * (1.0 - TIGHTER_SHARE) || after.relu_binaries < before.relu_binaries;
        if applied {
            let x = f.start_values(&best.network).map_err(|e| {
                TrainError::Certificate(format!("the incumbent is not feasible in the tightened MILP: {e}"))
            })?;
            let certificate = f.certify(&x, &best.network, &run.tol);
            if !certificate.passed {
                return Err(TrainError::Certificate(format!(
                    "the incumbent fails its certificate in the tightened MILP: {}",
                    certificate.failure.unwrap_or_default()
                )));
            }
            let best = run.best.as_mut().expect("checked above");
            best.x = x;
            best.certificate = certificate;
            run.f = f;
        }
        let r = Tightening {
            cutoff,
            l1_budget: cutoff / run.settings.formulation.l1,
            applied,
            relu_binaries_before: before.relu_binaries,
            relu_binaries_after: after.relu_binaries,
            mean_big_m_before: before.mean_big_m,
            mean_big_m_after: after.mean_big_m,
            seconds: t.elapsed().as_secs_f64(),
        };
        obs.stage(&format!(
            "cutoff tightening (ℓ1 of layer 1 ≤ {:.3}): {}; mean big-M {:.3} → {:.3}, ReLU binaries {} → {}",
            r.l1_budget,
            if applied { "applied" } else { "nothing to tighten" },
            r.mean_big_m_before,
            r.mean_big_m_after,
            r.relu_binaries_before,
            r.relu_binaries_after
        ));
        let seconds = r.seconds;
        run.findings.tightening = Some(r);
        if applied {
            record_bound_stage(run, "cutoff", seconds, obs)?;
        }
        Ok(())
    }
}

//! The machine's memory against the MILP's estimated size: a model that
//! would not fit is refused before anything is built, and the search runs
//! only as many sub-MIPs at once as fit.

use crate::error::TrainError;
use crate::settings::{TrainSettingError, TrainSettings};
use mipnet_data::Dataset;
use mipnet_formulate::ModelEstimate;

/// Share of the available memory a run may plan to use: the rest is left
/// to the operating system, the data and the solver's own working sets.
const USABLE_SHARE: f64 = 0.8;

/// Memory the kernel says is available (Linux `/proc/meminfo`), in bytes.
fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// Refuses a model whose estimated memory exceeds [`USABLE_SHARE`] of what
/// is available, with the estimate and what to change.
pub(crate) fn check_fits(train: &Dataset, s: &TrainSettings) -> Result<ModelEstimate, TrainError> {
    let e = ModelEstimate::of(train, &s.formulation).map_err(TrainSettingError::from)?;
    let gib = |b: f64| b / (1u64 << 30) as f64;
    let need = if s.stages.mip { e.bytes } else { e.bytes_without_mip };
    if let Some(avail) = available_memory() {
        if need > USABLE_SHARE * avail {
            return Err(TrainError::TooLarge(format!(
                "the training MILP would not fit in memory: about {} columns ({} binaries), {} rows and {} \
                 nonzeros, needing about {:.1} GiB, with {:.1} GiB available; train on fewer samples \
                 (--train-per-class), fewer inputs (--image-pool for MNIST) or fewer hidden neurons{}",
                e.columns,
                e.binaries,
                e.rows,
                e.nonzeros,
                gib(need),
                gib(avail),
                if s.stages.mip {
                    " (or --no-mip: HiGHS's MIP needs most of that memory)"
                } else {
                    ""
                }
            )));
        }
    }
    Ok(e)
}

/// How many copies of a model of `model_bytes` fit in the memory available.
pub(crate) fn copies_that_fit(model_bytes: f64) -> usize {
    available_memory().map_or(usize::MAX, |a| (USABLE_SHARE * a / model_bytes.max(1.0)) as usize)
}

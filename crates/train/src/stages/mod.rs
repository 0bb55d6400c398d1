//! The pipeline's stages, one file each. A stage imports the run's shared
//! state and tools (`run`, `budget`, `incumbent`, `polish`, `relaxation`,
//! `report`), never another stage.

pub(crate) mod branch_and_price;
pub(crate) mod cut_loop;
pub(crate) mod cutoff_tightening;
pub(crate) mod full_mip;
pub(crate) mod interval_bounds;
pub(crate) mod lower_bounds;
pub(crate) mod neighbourhood_search;
pub(crate) mod pattern_flips;
pub(crate) mod search_rounds;
pub(crate) mod warm_starts;

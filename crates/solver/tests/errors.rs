//! An invalid model is said once: its error is part of the message, not a
//! source that chained printing (`{:#}`, as the CLI prints) would repeat.

use mipnet_milp::ModelError;
use mipnet_solver::SolverError;
use std::error::Error;

#[test]
fn an_invalid_model_is_said_once() {
    let e = SolverError::from(ModelError::BadOffset);
    assert_eq!(e.to_string(), "invalid model: the objective offset is not finite");
    assert!(e.source().is_none());
}

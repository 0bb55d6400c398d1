//! One module per subcommand.

pub mod predict;
pub mod show;
pub mod solve;
pub mod train;

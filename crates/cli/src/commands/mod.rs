//! One module per subcommand.

pub mod bench;
pub mod predict;
pub mod show;
pub mod solve;
pub mod train;

#!/usr/bin/env bash
# Quick start, step 2: every check CI runs. One build profile (release) for
# clippy, tests and the binary, so HiGHS compiles once.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prereqs.sh
cargo fmt --all --check
cargo clippy --release --locked --all-targets -- -D warnings
cargo test --release --locked

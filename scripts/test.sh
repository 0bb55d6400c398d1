#!/usr/bin/env bash
# Quick start, step 2: every check CI runs: Rust (format, lints, tests) and
# the Python package's tests (pytest, in .venv, made or refreshed here). One
# build profile (release) for clippy, tests, the binary and the package, so
# HiGHS compiles once.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prereqs.sh
cargo fmt --all --check
cargo clippy --release --locked --all-targets -- -D warnings
cargo test --release --locked
# The Python tests compare with the CLI's binary; cargo test built it.
cargo build --release --locked -p mipnet
./scripts/python_env.sh
.venv/bin/python -m pytest -q python/tests

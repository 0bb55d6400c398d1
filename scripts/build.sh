#!/usr/bin/env bash
# Quick start, step 1: build everything (HiGHS included, compiled from source
# once) and run mipnet's main job on a bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prereqs.sh
cargo build --release --locked
./target/release/mipnet solve examples/knapsack.mps

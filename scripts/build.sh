#!/usr/bin/env bash
# Quick start, step 1: build everything (HiGHS included, compiled from source
# once): the CLI, and the Python package in the virtual environment .venv;
# then run mipnet's main job on a bundled example: exact training on Iris,
# then the trained network printed as equations.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prereqs.sh
cargo build --release --locked
./scripts/python_env.sh
./target/release/mipnet train --dataset iris --hidden 8 --time-limit 60 --out runs/iris --force
./target/release/mipnet show runs/iris/network.json

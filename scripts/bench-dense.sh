#!/usr/bin/env bash
# The dense benchmark of docs/benchmarks.md: Iris, Wine, WDBC, 4→8→K,
# 75/25 stratified split (seed 0), 60 s of MIP, seeds 0..2 (gradient and
# HiGHS seed alike). Writes one report per run into bench-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-out
for ds in iris wine wdbc; do
  for s in 0 1 2; do
    ./target/release/mipnet train --dataset "$ds" --hidden 8 --time-limit 60 --threads 2 \
      --seed "$s" --gradient-seed "$s" --json -q > "bench-out/$ds-$s.json"
  done
done

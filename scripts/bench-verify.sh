#!/usr/bin/env bash
# Reproduces the result tables of docs/verification.md (summary lines only).
# Needs the two mipnet-trained networks first:
#   mipnet train --dataset iris --hidden 8 --time-limit 20 --out runs/iris
#   mipnet train --dataset digits --hidden 10 --time-limit 60 --out runs/digits
set -euo pipefail
cd "$(dirname "$0")/.."
m=./target/release/mipnet
run() { echo "$* -> $("$m" "$@" --quiet | tail -1)"; }
for e in 0.05 0.1 0.2 0.5; do run verify --model runs/iris/network.json --data runs/iris/test.csv --eps $e; done
for e in 0.25 0.5 1 2; do run verify --model runs/digits/network.json --data runs/digits/test.csv --eps $e --domain 0,16; done
mlp=(--model examples/verify/digits_mlp.onnx --data examples/verify/digits_mlp_test.csv --domain 0,16)
for e in 0.25 0.5 1; do run verify "${mlp[@]}" --eps $e --limit 100; done
run verify "${mlp[@]}" --eps 1 --limit 100 --no-lp-tightening
for e in 0.5 1; do run verify "${mlp[@]}" --eps $e; done
cnn=(--model crates/onnx/tests/fixtures/small_cnn.onnx --data examples/verify/small_cnn_inputs.csv --domain 0,1)
for e in 0.01 0.05 0.1 0.2; do run verify "${cnn[@]}" --eps $e; done
run verify "${cnn[@]}" --eps 0.2 --no-lp-tightening
for i in 1 2 3 4 5 6; do
  echo "prop_$i -> $("$m" verify --model examples/acasxu-like/net.onnx --property examples/acasxu-like/prop_$i.vnnlib --quiet 2>&1 | tr '\n' ' ' | grep -o '^[a-z]*') $( { /usr/bin/time -f '%e s' "$m" verify --model examples/acasxu-like/net.onnx --property examples/acasxu-like/prop_$i.vnnlib --quiet >/dev/null; } 2>&1 | tail -1)"
done
"$m" verify --model runs/iris/network.json --data runs/iris/test.csv --eps 2 --radius --quiet | tail -1

#!/usr/bin/env bash
# Fuzzes every parser mipnet owns or fronts with cargo-fuzz (libFuzzer), one
# target after another, each for a fixed time. Not part of CI.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 600). TARGETs default to all of them:
#   vnnlib        VNN-LIB properties       (mipnet_vnnlib::Property::parse)
#   onnx          ONNX import, raw bytes   (mipnet_onnx::import_bytes)
#   onnx_graph    ONNX import, structure-aware: chains of operators built from the bytes
#   network_json  network.json             (mipnet_network::Network::load, render, forward pass)
#   mps_lp        the strict MPS/LP check  (mipnet_milp::files)
#   csv           CSV loading              (mipnet_data::Dataset::from_csv, from_csv_like)
#   train_toml    --config TOML            (mipnet_train::TrainSettings::from_run_config, validate;
#                                           its first build compiles HiGHS into fuzz/target)
#
# Each target's corpus (fuzz/corpus/TARGET) is seeded from the repository's
# own files and kept between runs; findings go to fuzz/artifacts/TARGET,
# libFuzzer's log to fuzz/logs/TARGET.log. The summary at the end gives, per
# target: seconds, executions, corpus size, and findings. Exit status 1 when
# any target found a crash, panic, timeout or out-of-memory input.
#
# Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass
# its -Z flags. No sanitizer (-s none): the code under test is safe Rust, and
# panics, overflows (debug assertions and overflow checks are on), timeouts
# and memory blow-ups are what is looked for. One fuzzing process at a time.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/fuzz"
seconds="${1:-600}"
shift || true
all_targets=(vnnlib onnx onnx_graph network_json mps_lp csv train_toml)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# An input slower than this is a finding (seconds): every parser here reads
# a file in well under a second.
timeout_seconds=10
# An input needing more memory than this is a finding (MB): 2 GB is far
# beyond what any file of the fuzzer's sizes should need.
rss_limit_mb=2048
# Largest input tried (bytes): room for every seed file and then some.
max_len=65536

if ! command -v cargo-fuzz >/dev/null; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
fi

# Copies the repository files that seed TARGET's corpus.
seed() {
    local target="$1" dir="$fuzz/corpus/$1"
    mkdir -p "$dir"
    local files=()
    case "$target" in
        vnnlib) files=("$root"/examples/acasxu-like/*.vnnlib "$fuzz"/seeds/vnnlib/*) ;;
        onnx_graph) files=() ;;
        onnx) files=("$root"/examples/*/*.onnx "$root"/crates/onnx/tests/fixtures/*.onnx) ;;
        network_json) files=("$fuzz"/seeds/network_json/*) ;;
        mps_lp) files=("$root"/examples/*.mps "$root"/examples/*.lp "$fuzz"/seeds/mps_lp/*) ;;
        # The first byte of an input chooses the options (label, dropped column, missing values).
        csv) files=("$fuzz"/seeds/csv/*) ;;
        train_toml) files=("$root"/examples/*.toml "$fuzz"/seeds/train_toml/*) ;;
        *) echo "unknown target '$target' (targets: ${all_targets[*]})" >&2; exit 2 ;;
    esac
    if [ "$target" = csv ]; then
        # The repository's tables with an options byte: label = column 2, column 1 dropped
        # (penguins.csv's unnamed index), rows with a missing value dropped.
        for f in "$root"/crates/cli/tests/fixtures/*.csv "$root"/examples/verify/*.csv; do
            [ -f "$f" ] && { printf '\x91'; head -c "$max_len" "$f"; } >"$dir/seed-$(basename "$f")"
        done
    fi
    local f
    for f in "${files[@]}"; do
        # A seed larger than max_len would be cut: take its head, as the fuzzer would.
        [ -f "$f" ] && head -c "$max_len" "$f" >"$dir/seed-$(basename "$f")"
    done
    return 0
}

# train_toml is built in its own target dir: its HiGHS build (C++, minutes)
# neither blocks nor is invalidated by the other targets' builds.
build_args() {
    if [ "$1" = train_toml ]; then
        echo "--features train --target-dir $fuzz/target/with-train"
    fi
}
bin_dir() {
    if [ "$1" = train_toml ]; then
        echo "$fuzz/target/with-train/x86_64-unknown-linux-gnu/release"
    else
        echo "$fuzz/target/x86_64-unknown-linux-gnu/release"
    fi
}

cd "$fuzz"
mkdir -p logs
summary=()
found=0
for t in "${targets[@]}"; do
    seed "$t"
    echo "== $t: building" >&2
    # shellcheck disable=SC2046
    if ! RUSTC_BOOTSTRAP=1 cargo fuzz build -s none $(build_args "$t") "$t"; then
        found=1
        summary+=("$t: BUILD FAILED")
        continue
    fi
    bin="$(bin_dir "$t")/$t"
    mkdir -p "artifacts/$t"
    dict=()
    [ -f "dicts/$t.dict" ] && dict=("-dict=dicts/$t.dict")
    echo "== $t: fuzzing for ${seconds}s (log: fuzz/logs/$t.log)" >&2
    status=0
    touch "logs/$t.start"
    started=$SECONDS
    "$bin" "corpus/$t" "${dict[@]}" \
        -max_total_time="$seconds" -timeout="$timeout_seconds" -rss_limit_mb="$rss_limit_mb" \
        -max_len="$max_len" -artifact_prefix="artifacts/$t/" -print_final_stats=1 \
        >"logs/$t.log" 2>&1 || status=$?
    elapsed=$((SECONDS - started))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' || echo "?")
    corpus=$(find "corpus/$t" -type f | wc -l)
    # Only this run's findings: older ones stay until their regression test lands.
    new=$(find "artifacts/$t" -type f -newer "logs/$t.start")
    findings=$(printf '%s' "$new" | grep -c . || true)
    if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
        found=1
        verdict="FOUND: exit $status, $(echo $new)"
    else
        verdict="no finding"
    fi
    summary+=("$t: ${elapsed}s, $execs executions, corpus $corpus files, $verdict")
done

echo "== summary ($(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$root" rev-parse --short HEAD))"
printf '%s\n' "${summary[@]}"
exit "$found"

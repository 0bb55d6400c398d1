#!/usr/bin/env python3
"""Runs `mipnet verify` on VNN-COMP 2021's ACAS Xu instances and tabulates
the answers beside the competition's known answers and best times.

The benchmark is not part of mipnet (its repositories state no licence):
take it from github.com/stanleybak/vnncomp2021 (benchmarks/acasxu: 45
ONNX networks, prop_1..10.vnnlib, acasxu_instances.csv) and the results
from github.com/stanleybak/vnncomp2021_results (output_singleoverhead.txt).

usage: acasxu_bench.py BENCH_DIR RESULTS_TXT OUT_DIR [--limit S]
                       [--only NET:PROP ...] [--mipnet PATH]

BENCH_DIR is benchmarks/acasxu; every instance of acasxu_instances.csv runs
(or those named by --only, e.g. 1_1:prop_3), each with
`--total-time-limit` = the csv's timeout, or --limit S when smaller. Writes
OUT_DIR/results.csv (one line per instance: net, prop, answer, seconds,
known answer, best tool, best time, limit, the machine's 1-minute load
average when it ended) and OUT_DIR/table.md, and prints the summary:
answered, wrong (an answer that contradicts the known one), median time of
answered instances, the median ratio to the best tool, and the load.
"""
import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import time

TOOLS = ["RPM", "nnv", "nnenum", "venus2", "VeriNet", "DNNF", "Debona", "a-b-CROWN", "oval",
         "Marabou", "ERAN", "NV.jl", "randgen"]


def known_answers(results_txt):
    """instance -> (answer, best tool, best seconds) from the acasxu rows of
    output_singleoverhead.txt: '(h)' holds = unsat, '(v)' violated = sat;
    the answer most tools gave (the competition resolved conflicts the same way)."""
    known = {}
    row = re.compile(r"^(ACASXU_run2a_(\d_\d)_batch_2000-(prop_\d+)), (.*)$")
    with open(results_txt) as f:
        for line in f:
            m = row.match(line.strip())
            if not m:
                continue
            cells = [c.strip() for c in m.group(4).split(",")][: len(TOOLS)]
            votes, best = {}, (None, float("inf"))
            for tool, cell in zip(TOOLS, cells):
                t = re.match(r"([\d.]+) \((h|v)\)", cell)
                if not t:
                    continue
                ans = "unsat" if t.group(2) == "h" else "sat"
                votes[ans] = votes.get(ans, 0) + 1
                if float(t.group(1)) < best[1]:
                    best = (tool, float(t.group(1)))
            if votes:
                known[(m.group(2), m.group(3))] = (max(votes, key=votes.get), best[0], best[1])
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench_dir")
    ap.add_argument("results_txt")
    ap.add_argument("out_dir")
    ap.add_argument("--limit", type=float, default=None)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--mipnet", default="target/release/mipnet")
    a = ap.parse_args()
    known = known_answers(a.results_txt)
    os.makedirs(a.out_dir, exist_ok=True)
    instances = []
    with open(os.path.join(a.bench_dir, "acasxu_instances.csv")) as f:
        for onnx, prop, timeout in csv.reader(f):
            net = re.search(r"run2a_(\d_\d)_", onnx).group(1)
            prop = prop.replace(".vnnlib", "")
            if a.only is None or f"{net}:{prop}" in a.only:
                instances.append((net, prop, onnx, float(timeout)))
    rows = []
    for net, prop, onnx, timeout in instances:
        limit = min(timeout, a.limit) if a.limit else timeout
        result = os.path.join(a.out_dir, f"{net}_{prop}.result")
        cmd = [a.mipnet, "verify", "--model", os.path.join(a.bench_dir, onnx),
               "--property", os.path.join(a.bench_dir, prop + ".vnnlib"), "--quiet",
               "--time-limit", str(limit), "--total-time-limit", str(limit), "--result-file", result]
        start = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.time() - start
        load = os.getloadavg()[0]
        answer = open(result).readline().strip() if p.returncode == 0 and os.path.exists(result) else f"error {p.returncode}"
        k = known.get((net, prop), ("?", "-", float("nan")))
        rows.append([net, prop, answer, round(seconds, 2), k[0], k[1], k[2], limit, round(load, 2)])
        print(f"{net} {prop}: {answer} in {seconds:.1f} s (known {k[0]}, {k[1]} {k[2]} s; load {load:.1f})",
              flush=True)
    with open(os.path.join(a.out_dir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["net", "prop", "mipnet", "seconds", "known", "best_tool", "best_seconds", "limit", "load"])
        w.writerows(rows)
    answered = [r for r in rows if r[2] in ("sat", "unsat")]
    wrong = [r for r in answered if r[4] in ("sat", "unsat") and r[2] != r[4]]
    ratios = [r[3] / r[6] for r in answered if r[6] == r[6] and r[6] > 0]
    with open(os.path.join(a.out_dir, "table.md"), "w") as f:
        f.write("| network | property | mipnet | seconds | known | best tool (s) |\n|---|---|---|---|---|---|\n")
        for r in rows:
            f.write(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} ({r[6]}) |\n")
    print(f"{len(rows)} instances: {len(answered)} answered, {len(wrong)} wrong, "
          f"{len(rows) - len(answered)} not answered; median time of answered "
          f"{statistics.median([r[3] for r in answered]) if answered else float('nan'):.2f} s; "
          f"median ratio to the best tool {statistics.median(ratios) if ratios else float('nan'):.2f}; "
          f"load average (1 min) at the instances' ends {min(r[8] for r in rows) if rows else 0:.1f}–"
          f"{max(r[8] for r in rows) if rows else 0:.1f}, median "
          f"{statistics.median([r[8] for r in rows]) if rows else 0:.1f}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Solve the model `mipnet train --write-model DIR` wrote with SCIP, from
mipnet's MIP start, and certify SCIP's solution with `mipnet certify`.

    pip install pyscipopt        # SCIP comes with it (wheels)
    python3 scripts/certify_scip.py DIR [--time-limit 60] [--seed 0]
        [--solution DIR.scip.sol] [--mipnet target/release/mipnet] [--out RUN_DIR]

Steps: SCIP reads DIR/model.mps and DIR/start.sol (MIPLIB format: =obj=,
then name value) as a start, solves within the time limit (one thread,
SCIP's defaults otherwise), writes its best solution in SCIP's own format
(`write solution`, zeros included), then `mipnet certify DIR SOLUTION
--bound <SCIP's dual bound>` (only when SCIP has one: below its
infinity) rebuilds the network and checks it. Prints
one JSON object: SCIP's version, settings, status, objective, dual bound,
gap, seconds, whether the start was taken, and mipnet's verdict (exit code,
certified objective, external gap, or the error). Exits with mipnet's
exit code.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import pyscipopt


def bound_args(dual_bound: float, infinity: float) -> list:
    """certify's `--bound B` for SCIP's dual bound, or nothing: SCIP's "no
    bound" is a finite number (±infinity(), 1e20 by default), a bound in
    SCIP's sense only when its magnitude is below that."""
    if abs(dual_bound) < infinity:
        return ["--bound", repr(dual_bound)]
    return []


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="the directory mipnet train --write-model wrote")
    p.add_argument("--time-limit", type=float, default=60.0, help="SCIP's time limit in seconds (default 60)")
    p.add_argument("--seed", type=int, default=0, help="SCIP's random seed shift (default 0)")
    p.add_argument("--solution", help="where SCIP's solution goes (default DIR.scip.sol beside DIR)")
    p.add_argument("--mipnet", default=os.path.join("target", "release", "mipnet"), help="the mipnet binary")
    p.add_argument("--out", help="give certify --out RUN_DIR (network.json, report.json)")
    args = p.parse_args()

    model_dir = args.dir.rstrip("/")
    solution = args.solution or model_dir + ".scip.sol"
    m = pyscipopt.Model()
    m.hideOutput()
    m.readProblem(os.path.join(model_dir, "model.mps"))
    m.setParam("limits/time", args.time_limit)
    m.setParam("randomization/randomseedshift", args.seed)
    m.setParam("parallel/maxnthreads", 1)
    start = m.readSolFile(os.path.join(model_dir, "start.sol"))
    start_objective = m.getSolObjVal(start, original=True)
    start_taken = m.addSol(start, free=True)
    t = time.monotonic()
    m.optimize()
    seconds = time.monotonic() - t
    result = {
        "scip": str(m.version()),
        "pyscipopt": pyscipopt.__version__,
        "settings": {"time_limit": args.time_limit, "seed": args.seed, "threads": 1, "other": "SCIP defaults"},
        "columns": m.getNVars(transformed=False),
        "rows": m.getNConss(transformed=False),
        "start_objective": start_objective,
        "start_taken": bool(start_taken),
        "status": m.getStatus(),
        "objective": m.getPrimalbound() if m.getNSols() > 0 else None,
        "dual_bound": m.getDualbound() if bound_args(m.getDualbound(), m.infinity()) else None,
        "gap": m.getGap() if m.getNSols() > 0 else None,
        "seconds": round(seconds, 3),
        "nodes": m.getNNodes(),
        "solution_file": solution,
    }
    if m.getNSols() == 0:
        result["mipnet"] = {"exit_code": None, "error": "SCIP found no solution: nothing to certify"}
        print(json.dumps(result, indent=2))
        return 3
    m.writeBestSol(solution, write_zeros=True)
    command = [args.mipnet, "certify", model_dir, solution, "--json"]
    command += bound_args(m.getDualbound(), m.infinity())
    if args.out:
        command += ["--out", args.out]
    run = subprocess.run(command, capture_output=True, text=True)
    verdict = {"exit_code": run.returncode, "command": " ".join(command)}
    if run.returncode == 0:
        report = json.loads(run.stdout)
        verdict.update(
            certified_objective=report["objective"],
            certificate_passed=report["certificate"]["passed"],
            max_constraint_violation=report["certificate"]["max_constraint_violation"],
            external_bound=report["external_bound"],
            external_gap=report["external_gap"],
            solution_format=report["solution"]["format"],
            train_accuracy=report["train_accuracy"],
            test_accuracy=report["test_accuracy"],
        )
    else:
        verdict["error"] = run.stderr.strip()
    result["mipnet"] = verdict
    print(json.dumps(result, indent=2))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())

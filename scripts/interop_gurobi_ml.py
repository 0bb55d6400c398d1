"""Interop check: gurobi-machinelearning reads mipnet's ONNX export.

Run once by hand (needs `pip install gurobipy gurobi-machinelearning onnx`
in .venv; gurobipy's size-limited licence is enough for this small network):

    .venv/bin/python scripts/interop_gurobi_ml.py

It fits a small network with mipnet on Iris and exports it as ONNX with the
standardization folded into the first layer (`to_onnx(...,
fold_standardizer=True)`, `mipnet export --fold-standardizer`): gurobi-ml's
ONNX reader takes only Gemm, MatMul, Add and Relu, and refuses the default
export's Sub and Div nodes (the script reports what it says of those). Then, for each
precision (float32, float64):

1. predictions: the ONNX graph embedded in a Gurobi model by gurobi-ml's
   `add_onnx_constr`, the inputs fixed to test points; Gurobi's output values
   against mipnet's scores, and their argmax against mipnet's class;
2. decisions: over an ℓ∞ box around each test point, Gurobi maximizes and
   minimizes every output of the embedded network; against the proven ranges
   of `mipnet.verify.output_bounds` on the same box; and Gurobi's robustness
   verdict (each other class's score maximized against the predicted one's)
   against `mipnet.verify.robustness`.

Prints one line per check with timings; exits 1 on a mismatch or a refusal.

Result (gurobi-ml 1.7.0, gurobipy 13.0.3 size-limited licence, onnx 1.23.2;
2026-12-01, one thread): the unfolded export is refused ("Unsupported ONNX op
Sub"); the folded one (Gemm → Relu → Gemm) is read in both precisions. At 10
Iris points Gurobi's outputs differ from mipnet's scores by 4.4e-16 (float64)
and 9.7e-08 (float32), same class at 10/10. Over ±0.5 cm boxes around them,
Gurobi's output ranges lie inside mipnet's proven ones (float64: 0 outside,
at most 2.6e-08 relative inside; float32: 1.1e-07 outside, its weights being
rounded) and the robustness verdicts agree at 10/10 (6 robust, 4 not).
Times: 0.06 s for the 10 fixed-input solves; 0.2 s in Gurobi and 0.4 s in
mipnet for the 10 boxes (6 range solves and the robustness check each).
"""

import sys
import tempfile
import time

import gurobipy as gp
import numpy as np
import onnx
from gurobi_ml.exceptions import ModelConfigurationError
from gurobi_ml.onnx import add_onnx_constr
from sklearn.datasets import load_iris

from mipnet import MIPNetClassifier, verify

# Largest difference allowed between Gurobi's output values and mipnet's
# scores at fixed inputs: float32 weights differ from mipnet's float64 ones
# by a relative 6e-8 (scores of a few units: about 1e-6), and Gurobi's
# feasibility tolerance, set to 1e-9 below, bounds the rest; the fold's own
# rounding is far below both.
SCORE_TOLERANCE = {"float32": 1e-4, "float64": 1e-6}

# mipnet's output ranges are proven bounds from a MILP solved to HiGHS's
# default relative gap (1e-4): a bound may lie outside the true extreme by
# that fraction of it, never inside. Gurobi's ranges (MIPGap 0 below) must
# therefore lie inside mipnet's, up to the score tolerance, and be at most
# this fraction of the value (at least 1) plus the score tolerance away.
MIPNET_RELATIVE_GAP = 1e-4

# Radius of the ℓ∞ balls (boxes) of the decision check, in the data's units
# (cm; Iris's features have standard deviations from 0.4 to 1.8), as
# `verify.robustness` takes it: wide enough that some points are not robust.
BOX_RADIUS = 0.5

GUROBI_PARAMS = {"OutputFlag": 0, "FeasibilityTol": 1e-9, "IntFeasTol": 1e-9, "MIPGap": 0.0, "MIPGapAbs": 1e-9,
                 "Threads": 1}


def embedded(env, model, lower, upper, k):
    """A Gurobi model with the ONNX network over the box `lower <= x <= upper`."""
    m = gp.Model(env=env)
    xv = m.addMVar((1, len(lower)), lb=lower[None, :], ub=upper[None, :])
    yv = m.addMVar((1, k), lb=-gp.GRB.INFINITY)
    add_onnx_constr(m, model, xv, yv)
    return m, yv


def predictions(env, model, points, scores, classes, precision):
    """Check 1: Gurobi's outputs at fixed inputs against mipnet's scores."""
    worst, same, start = 0.0, 0, time.perf_counter()
    for x, want in zip(points, scores):
        m, yv = embedded(env, model, x, x, len(want))
        m.optimize()
        got = yv.X[0]
        m.dispose()
        worst = max(worst, float(np.max(np.abs(got - want))))
        same += int(np.argmax(got) == np.argmax(want))
    seconds = time.perf_counter() - start
    ok = worst <= SCORE_TOLERANCE[precision] and same == len(points)
    print(f"{precision} predictions: {len(points)} points, largest |gurobi-ml − mipnet| = {worst:.2e} "
          f"(tolerance {SCORE_TOLERANCE[precision]:g}), same class at {same}/{len(points)}; "
          f"{seconds:.2f} s ({'ok' if ok else 'MISMATCH'})")
    return ok


def gurobi_ranges(env, model, lower, upper, k):
    """Gurobi's minimum and maximum of every output over the box."""
    m, yv = embedded(env, model, lower, upper, k)
    lo, hi = np.empty(k), np.empty(k)
    for j in range(k):
        for sense, out in ((gp.GRB.MINIMIZE, lo), (gp.GRB.MAXIMIZE, hi)):
            m.setObjective(yv[0, j], sense)
            m.optimize()
            if m.Status != gp.GRB.OPTIMAL:
                raise RuntimeError(f"Gurobi status {m.Status} for output {j}")
            out[j] = m.ObjVal
    m.dispose()
    return lo, hi


def gurobi_robust(env, model, lower, upper, predicted, k):
    """Whether every other class scores below `predicted` on the whole box,
    by maximizing each difference with Gurobi."""
    m, yv = embedded(env, model, lower, upper, k)
    worst = -np.inf
    for j in range(k):
        if j != predicted:
            m.setObjective(yv[0, j] - yv[0, predicted], gp.GRB.MAXIMIZE)
            m.optimize()
            worst = max(worst, m.ObjVal)
    m.dispose()
    return worst < 0, worst


def decisions(env, model, est, points, precision):
    """Check 2: output ranges and robustness over boxes, Gurobi against mipnet."""
    k, tol = len(est.classes_), SCORE_TOLERANCE[precision]
    outside, loosest, agree, gurobi_s, mipnet_s = 0.0, 0.0, 0, 0.0, 0.0
    verdicts = []
    ok = True
    for x in points:
        lower, upper = x - BOX_RADIUS, x + BOX_RADIUS
        t = time.perf_counter()
        g_lo, g_hi = gurobi_ranges(env, model, lower, upper, k)
        predicted = int(np.argmax(est.decision_function(x[None, :])[0]))
        g_robust, _ = gurobi_robust(env, model, lower, upper, predicted, k)
        gurobi_s += time.perf_counter() - t
        t = time.perf_counter()
        m_lo, m_hi, _ = verify.output_bounds(est, lower, upper, time_limit=60, threads=1)
        rob = verify.robustness(est, x[None, :], eps=BOX_RADIUS, time_limit=60, threads=1)
        mipnet_s += time.perf_counter() - t
        # How far Gurobi's extremes lie outside mipnet's proven range (0 when inside) ...
        outside = max(outside, float(np.max(m_lo - g_lo)), float(np.max(g_hi - m_hi)), 0.0)
        # ... and how far inside, relative to the value.
        scale = np.maximum(1.0, np.maximum(np.abs(g_lo), np.abs(g_hi)))
        gap = np.maximum(g_lo - m_lo, m_hi - g_hi) / scale
        loosest = max(loosest, float(np.max(gap)))
        ok &= bool(np.all(gap <= MIPNET_RELATIVE_GAP + tol))
        verdict = str(rob["verdict"][0])
        verdicts.append(verdict)
        agree += int(verdict == ("robust" if g_robust else "not_robust"))
    ok &= outside <= tol and agree == len(points)
    counts = {v: verdicts.count(v) for v in sorted(set(verdicts))}
    print(f"{precision} decisions: {len(points)} boxes of ±{BOX_RADIUS} cm; Gurobi's output ranges lie outside "
          f"mipnet's proven ones by at most {outside:.2e} (tolerance {tol:g}) and inside by at most "
          f"{loosest:.2e} relative (mipnet's MIP gap {MIPNET_RELATIVE_GAP:g}); robustness verdict agrees at "
          f"{agree}/{len(points)} (mipnet: {counts}); Gurobi {gurobi_s:.2f} s, mipnet {mipnet_s:.2f} s "
          f"({'ok' if ok else 'MISMATCH'})")
    return ok


def main():
    X, y = load_iris(return_X_y=True)
    t = time.perf_counter()
    est = MIPNetClassifier(hidden=(4,), time_limit=10, threads=1, mip=False, lns_share=0.0).fit(X, y)
    print(f"fit: 4 → 4 → 3 on Iris in {time.perf_counter() - t:.1f} s, train accuracy {est.score(X, y):.3f}")
    points = X[::15]
    scores = est.decision_function(points)
    ok = True
    with gp.Env(params=GUROBI_PARAMS) as env:
        with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
            est.to_onnx(f.name, precision="float64")
            try:
                embedded(env, onnx.load(f.name), points[0], points[0], len(est.classes_))[0].dispose()
                print("unfolded export: read by gurobi-ml (it refused it before)")
            except ModelConfigurationError as e:
                print(f"unfolded export: refused as expected: {e}")
        for precision in SCORE_TOLERANCE:
            with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
                est.to_onnx(f.name, precision=precision, fold_standardizer=True)
                model = onnx.load(f.name)
            ops = [n.op_type for n in model.graph.node]
            print(f"{precision} folded export: {' → '.join(ops)}")
            try:
                ok &= predictions(env, model, points, scores, est.classes_, precision)
                ok &= decisions(env, model, est, points, precision)
            except ModelConfigurationError as e:
                print(f"{precision}: gurobi-ml refuses the folded export: {e}")
                return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Build the ACAS-Xu-*style* verification benchmark in this folder.

Writes net.onnx, prop_1.vnnlib ... prop_6.vnnlib and expected.json next to
this script. Seeded and deterministic; needs numpy, scikit-learn, onnx and
onnxruntime (pip install numpy scikit-learn onnx onnxruntime). Run once:

    python3 make.py

This is NOT the VNN-COMP ACAS Xu benchmark: the advisory rule below is a small
hand-written stand-in for the ACAS Xu lookup tables, and the network is a
5-20-20-20-5 ReLU MLP trained on it here.
"""

import os

# One BLAS/onnxruntime thread: light on a small machine, and reproducible.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import json
import warnings

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 2024
N_TRAIN, N_TEST = 16_000, 4_000
N_SAMPLES = 200_000  # random points per property box when looking for a witness

# ---------------------------------------------------------------------------
# The task. Inputs are normalized like ACAS Xu's:
#   X_0 rho   distance to intruder      [-0.3035, 0.6799]  (0 .. ~60760 ft)
#   X_1 theta bearing of intruder       [-0.5, 0.5]        (times 2*pi rad; > 0 = on the left)
#   X_2 psi   intruder heading, relative [-0.5, 0.5]       (times 2*pi rad; +-0.5 = head-on)
#   X_3 v_own ownship speed             [-0.5, 0.5]
#   X_4 v_int intruder speed            [-0.5, 0.5]
# Outputs are scores of the 5 advisories; as in ACAS Xu the advisory is the
# output with the MINIMAL score.
# ---------------------------------------------------------------------------
LOWER = np.array([-0.3035311561, -0.5, -0.5, -0.5, -0.5])
UPPER = np.array([0.6798577687, 0.5, 0.5, 0.5, 0.5])
INPUTS = ["rho", "theta", "psi", "v_own", "v_int"]
ADVISORIES = ["COC", "weak left", "weak right", "strong left", "strong right"]
COC, WL, WR, SL, SR = range(5)


def advisory(x):
    """The hand-written rule: index of the advisory for each row of x."""
    rho, theta, psi, v_own, v_int = x.T
    d = rho - LOWER[0]  # distance, 0 .. 0.98
    # Threat radius: larger when both are fast and when flying head-on (|psi| -> 0.5).
    radius = 0.40 + 0.12 * (v_own + v_int) - 0.08 * np.cos(2 * np.pi * psi)
    threat = (np.abs(theta) < 0.35) & (d < radius)  # close and not behind
    strong = d < 0.5 * radius
    right = theta + 0.25 * psi >= 0  # intruder (heading) on the left: turn right
    out = np.full(len(x), COC)
    out[threat & ~strong & ~right] = WL
    out[threat & ~strong & right] = WR
    out[threat & strong & ~right] = SL
    out[threat & strong & right] = SR
    return out


# ---------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------
def train(rng):
    x = rng.uniform(LOWER, UPPER, size=(N_TRAIN + N_TEST, 5))
    y = advisory(x)
    clf = MLPClassifier(
        hidden_layer_sizes=(20, 20, 20),
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size=128,
        learning_rate_init=3e-3,
        max_iter=400,
        tol=1e-6,
        n_iter_no_change=30,
        random_state=SEED,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x[:N_TRAIN], y[:N_TRAIN])
    assert list(clf.classes_) == list(range(5))
    # Negate the logits so that the chosen advisory is the MINIMAL output.
    weights = [w.T.astype(np.float32) for w in clf.coefs_]  # [out, in] for Gemm(transB=1)
    biases = [b.astype(np.float32) for b in clf.intercepts_]
    weights[-1], biases[-1] = -weights[-1], -biases[-1]
    stats = {
        "epochs": int(clf.n_iter_),
        "train_accuracy": float((forward(weights, biases, x[:N_TRAIN]).argmin(1) == y[:N_TRAIN]).mean()),
        "test_accuracy": float((forward(weights, biases, x[N_TRAIN:]).argmin(1) == y[N_TRAIN:]).mean()),
    }
    yt, pt = y[N_TRAIN:], forward(weights, biases, x[N_TRAIN:]).argmin(1)
    stats["test_per_advisory"] = {
        ADVISORIES[c]: {"share": float((yt == c).mean()), "accuracy": float((pt[yt == c] == c).mean())}
        for c in range(5)
    }
    return weights, biases, stats


def forward(weights, biases, x):
    h = np.asarray(x, dtype=np.float32)
    for i, (w, b) in enumerate(zip(weights, biases)):
        h = h @ w.T + b
        if i < len(weights) - 1:
            h = np.maximum(h, 0)
    return h


def to_onnx(weights, biases, batch=1):
    nodes, inits, prev = [], [], "X"
    for i, (w, b) in enumerate(zip(weights, biases)):
        last = i == len(weights) - 1
        inits += [numpy_helper.from_array(w, f"W{i}"), numpy_helper.from_array(b, f"B{i}")]
        gemm_out = "Y" if last else f"G{i}"
        nodes.append(helper.make_node("Gemm", [prev, f"W{i}", f"B{i}"], [gemm_out], name=f"gemm{i}", transB=1))
        if not last:
            nodes.append(helper.make_node("Relu", [gemm_out], [f"H{i}"], name=f"relu{i}"))
            prev = f"H{i}"
    graph = helper.make_graph(
        nodes,
        "acasxu_like",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [batch, 5])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [batch, 5])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="acasxu-like/make.py")
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    return model


def session(model):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


# ---------------------------------------------------------------------------
# Properties. Each is a list of disjuncts (box, output constraints); the
# unsafe set is their union. An output constraint is (coefficients c, rhs r)
# meaning sum_j c_j * Y_j <= r. The text of each file is rendered from this
# same data, so sampling checks exactly what the file says.
# ---------------------------------------------------------------------------
FULL = list(zip(LOWER, UPPER))


def box(**ranges):
    b = list(FULL)
    for name, r in ranges.items():
        b[INPUTS.index(name)] = r
    return b


def le(i, j):
    """Y_i <= Y_j."""
    c = [0.0] * 5
    c[i], c[j] = 1.0, -1.0
    return (c, 0.0)


def minimal(i):
    """Output i is (one of the) minimal: advisory i is chosen."""
    return [le(i, j) for j in range(5) if j != i]


PROPERTIES = [
    {
        "meaning": "intruder far away (rho >= 0.6, any angle and speed): some advisory other than COC scores at least as well as COC",
        "style": "ACAS Xu property-2 like: one input box, output disjunction (or (and (<= Y_j Y_0)) ...)",
        "disjuncts": [(box(rho=(0.6, 0.6798577687)), [le(j, COC)]) for j in (WL, WR, SL, SR)],
        "form": "box_then_or",
    },
    {
        "meaning": "intruder on the right around the edge of the threat radius (the rule gives COC in part of the box and weak left in the rest): COC is the advisory",
        "style": "one input box, output conjunction (COC minimal)",
        "disjuncts": [(box(rho=(0.0, 0.1), theta=(-0.2, -0.1), psi=(-0.1, 0.1)), minimal(COC))],
        "form": "box_then_and",
    },
    {
        "meaning": "intruder close on either side (two boxes): a strong turn TOWARD the intruder is the advisory",
        "style": "VNN-COMP style: the whole property is one (assert (or (and box... outputs...) (and box... outputs...)))",
        "disjuncts": [
            (box(rho=(-0.3035311561, -0.2), theta=(0.1, 0.3), psi=(-0.1, 0.1)), minimal(SL)),
            (box(rho=(-0.3035311561, -0.2), theta=(-0.3, -0.1), psi=(-0.1, 0.1)), minimal(SR)),
        ],
        "form": "or_of_boxes",
    },
    {
        "meaning": "intruder very close on the left, nearly parallel, speeds >= -0.4 (the rule gives strong right on the whole box): weak right is the advisory",
        "style": "one input box, output conjunction (weak right minimal)",
        "disjuncts": [
            (box(rho=(-0.3035311561, -0.2), theta=(0.02, 0.3), psi=(-0.05, 0.05), v_own=(-0.4, 0.5), v_int=(-0.4, 0.5)), minimal(WR))
        ],
        "form": "box_then_and",
    },
    {
        "meaning": "intruder at medium range on the right, slow aircraft (the rule gives weak left on the whole box): COC beats weak left by a margin of 0.01 (Y_0 - Y_1 <= -0.01)",
        "style": "linear output comparison with (+ ...) and (* ...) terms",
        "disjuncts": [
            (box(rho=(-0.16, -0.11), theta=(-0.2, -0.05), psi=(-0.1, 0.1), v_own=(-0.5, -0.2), v_int=(-0.5, -0.2)), [([1.0, -1.0, 0, 0, 0], -0.01)])
        ],
        "form": "box_then_and",
    },
    {
        "meaning": "intruder close on the left, slow aircraft (the rule gives strong right on ~93% of the box, weak right on the rest): strong right scores no better than the mean of COC and weak right (Y_0 + Y_2 - 2*Y_4 <= 0)",
        "style": "linear output comparison with (+ ...) and (* ...) terms",
        "disjuncts": [
            (box(rho=(-0.25, -0.18), theta=(0.05, 0.25), psi=(-0.1, 0.1), v_own=(-0.5, -0.2), v_int=(-0.5, -0.2)), [([1.0, 0, 1.0, 0, -2.0], 0.0)])
        ],
        "form": "box_then_and",
    },
]


def num(v):
    return f"{v:.10f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.1f}"


def term(c):
    parts = []
    for j, a in enumerate(c):
        if a == 0:
            continue
        parts.append(f"Y_{j}" if a == 1 else f"(* {num(a)} Y_{j})")
    return parts[0] if len(parts) == 1 else "(+ " + " ".join(parts) + ")"


def out_atom(con):
    c, rhs = con
    nz = [(j, a) for j, a in enumerate(c) if a != 0]
    if rhs == 0 and len(nz) == 2 and sorted(a for _, a in nz) == [-1.0, 1.0]:
        i = next(j for j, a in nz if a == 1.0)
        k = next(j for j, a in nz if a == -1.0)
        return f"(<= Y_{i} Y_{k})"
    return f"(<= {term(c)} {num(rhs)})"


def box_atoms(b):
    out = []
    for i, (lo, hi) in enumerate(b):
        out += [f"(<= X_{i} {num(hi)})", f"(>= X_{i} {num(lo)})"]
    return out


def render(n, prop):
    lines = [f"; prop_{n}.vnnlib -- ACAS-Xu-STYLE property for examples/acasxu-like/net.onnx (not a VNN-COMP file)"]
    lines.append(f"; Unsafe if: {prop['meaning']}")
    lines.append("; Outputs: Y_0 COC, Y_1 weak left, Y_2 weak right, Y_3 strong left, Y_4 strong right; the advisory is the minimal output.")
    lines.append("")
    lines += [f"(declare-const X_{i} Real)" for i in range(5)]
    lines.append("")
    lines += [f"(declare-const Y_{j} Real)" for j in range(5)]
    lines.append("")
    ds = prop["disjuncts"]
    if prop["form"] == "or_of_boxes":
        lines.append("(assert (or")
        for b, cons in ds:
            lines.append("    (and " + " ".join(box_atoms(b) + [out_atom(c) for c in cons]) + ")")
        lines.append("))")
    else:
        b = ds[0][0]
        assert all(d[0] == b for d in ds)
        for i, (lo, hi) in enumerate(b):
            lines.append(f"; Input constraints ({INPUTS[i]}):")
            lines.append(f"(assert (<= X_{i} {num(hi)}))")
            lines.append(f"(assert (>= X_{i} {num(lo)}))")
            lines.append("")
        lines.append("; Unsafe output:")
        if prop["form"] == "box_then_and":
            assert len(ds) == 1
            lines += [f"(assert {out_atom(c)})" for c in ds[0][1]]
        else:
            lines.append("(assert (or")
            for _, cons in ds:
                lines.append("    (and " + " ".join(out_atom(c) for c in cons) + ")")
            lines.append("))")
    return "\n".join(lines) + "\n"


def holds(y, cons):
    ok = np.ones(len(y), dtype=bool)
    for c, rhs in cons:
        ok &= y.astype(np.float64) @ np.array(c, dtype=np.float64) <= rhs
    return ok


def search(sess_batch, sess_file, prop, rng):
    """Dense uniform sampling of each disjunct's box; the first point found
    (re-run through net.onnx itself) is the witness."""
    for k, (b, cons) in enumerate(prop["disjuncts"]):
        lo, hi = np.array(b).T
        x = rng.uniform(lo, hi, size=(N_SAMPLES, 5)).astype(np.float32)
        x = np.clip(x, lo.astype(np.float32), hi.astype(np.float32))
        x = x[(x >= lo).all(1) & (x <= hi).all(1)]  # stay inside after rounding to f32
        y = sess_batch.run(["Y"], {"X": x})[0]
        hit = np.flatnonzero(holds(y, cons))
        if len(hit):
            xw = x[hit[0] : hit[0] + 1]
            yw = sess_file.run(["Y"], {"X": xw})[0]
            assert holds(yw, cons)[0]
            return {
                "sampling": "sat",
                "disjunct": k,
                "hits": f"{len(hit)} of {len(x)} samples",
                "witness_X": [float(v) for v in xw[0]],
                "witness_Y": [float(v) for v in yw[0]],
                "advisory_at_witness": ADVISORIES[int(yw[0].argmin())],
                "rule_advisory_at_witness": ADVISORIES[int(advisory(xw.astype(np.float64))[0])],
            }
    return {"sampling": f"no witness in {N_SAMPLES // 1000}k samples" + (" per disjunct box" if len(prop["disjuncts"]) > 1 and prop["form"] == "or_of_boxes" else "")}


def main():
    rng = np.random.default_rng(SEED)
    weights, biases, stats = train(rng)
    print(f"trained {stats['epochs']} epochs: train accuracy {stats['train_accuracy']:.4f}, test accuracy {stats['test_accuracy']:.4f}")
    for name, s in stats["test_per_advisory"].items():
        print(f"  {name:12s} share {s['share']:.3f}  accuracy {s['accuracy']:.3f}")

    model = to_onnx(weights, biases)
    path = os.path.join(HERE, "net.onnx")
    onnx.save(model, path)
    onnx.checker.check_model(path, full_check=True)
    sess_file = session(onnx.load(path))
    probe = rng.uniform(LOWER, UPPER, size=(100, 5)).astype(np.float32)
    diff = max(float(np.abs(sess_file.run(["Y"], {"X": p[None]})[0] - forward(weights, biases, p[None])).max()) for p in probe)
    print(f"net.onnx: {os.path.getsize(path)} bytes, onnx.checker ok, max |onnxruntime - numpy| on 100 inputs = {diff:.3g}")
    sess_batch = session(to_onnx(weights, biases, batch="N"))  # same weights, any batch size

    expected = {
        "note": "ACAS-Xu-style benchmark made by make.py; NOT the VNN-COMP ACAS Xu networks. "
        "'sat' = sampling found a point satisfying the property (a true counterexample); "
        "'no witness' = none of the random samples did (likely unsat, not proven).",
        "seed": SEED,
        "network": {"file": "net.onnx", "layers": [5, 20, 20, 20, 5], **stats, "max_abs_diff_onnxruntime_vs_numpy": diff},
        "properties": {},
    }
    for n, prop in enumerate(PROPERTIES, 1):
        name = f"prop_{n}.vnnlib"
        with open(os.path.join(HERE, name), "w") as f:
            f.write(render(n, prop))
        res = search(sess_batch, sess_file, prop, rng)
        expected["properties"][name] = {"meaning": prop["meaning"], "style": prop["style"], **res}
        extra = f" disjunct {res['disjunct']}, {res['hits']}, X={res['witness_X']}" if res["sampling"] == "sat" else ""
        print(f"{name}: {res['sampling']}{extra}")
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()

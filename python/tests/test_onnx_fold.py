"""``MIPNetClassifier.to_onnx(path, fold_standardizer=True)``: the input
standardization folded into the first layer, so the graph is Gemm and Relu
only (what gurobi-machinelearning's ONNX reader takes); onnxruntime runs it
and gets the estimator's scores and classes; a fold that would change the
network raises ValueError naming the reason, and writes nothing."""

import json

import numpy as np
import pytest
from sklearn.datasets import load_iris

from mipnet import MIPNetClassifier

ort = pytest.importorskip("onnxruntime")

# How far onnxruntime's scores may lie from the estimator's, relative to the
# scores' size (at least 1): a float32 file computes in float32 (about 6e-8
# relative per operation, a few dozen operations per score here), a float64
# file in float64; the fold adds its own f64 rounding, far below either.
SCORE_TOLERANCE = {"float32": 1e-4, "float64": 1e-9}

NUMPY_TYPE = {"float32": np.float32, "float64": np.float64}


@pytest.fixture(scope="module")
def fitted():
    """A network on all of Iris (reproducible settings: no time-limited stage)."""
    X, y = load_iris(return_X_y=True)
    est = MIPNetClassifier(
        hidden=(4,), epochs=200, gradient_starts=1, finetune_epochs=100, time_limit=4.0,
        threads=1, seed=0, mip=False, lns_share=0.0,
    ).fit(X, y)
    return est, X


def random_inputs(X, count=500, seed=0):
    """Points over ±3 standard deviations around the data's mean."""
    rng = np.random.default_rng(seed)
    return X.mean(axis=0) + 3.0 * rng.uniform(-1.0, 1.0, (count, X.shape[1])) * X.std(axis=0)


def run(path, x, precision):
    sess = ort.InferenceSession(str(path))
    name = sess.get_inputs()[0].name
    return sess.run(None, {name: x.astype(NUMPY_TYPE[precision])})[0].astype(np.float64)


@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_a_folded_export_gives_the_estimator_s_scores_and_classes_in_onnxruntime(fitted, tmp_path, precision):
    est, X = fitted
    path = tmp_path / f"folded_{precision}.onnx"
    assert est.to_onnx(path, precision=precision, fold_standardizer=True) == 5
    x = np.vstack([X, random_inputs(X)])
    got, want = run(path, x, precision), est.decision_function(x)
    scale = np.maximum(1.0, np.abs(want).max(axis=1, keepdims=True))
    assert np.all(np.abs(got - want) <= SCORE_TOLERANCE[precision] * scale), np.abs(got - want).max()
    # The same class wherever the two best scores are further apart than the tolerance allows to swap.
    top2 = np.sort(want, axis=1)[:, -2:]
    decided = (top2[:, 1] - top2[:, 0]) > 2 * SCORE_TOLERANCE[precision] * scale[:, 0]
    assert decided.sum() >= 0.95 * len(x)
    assert np.array_equal(est.classes_[got.argmax(axis=1)][decided], est.predict(x)[decided])


def test_the_folded_graph_has_no_sub_or_div_nodes(fitted, tmp_path):
    onnx = pytest.importorskip("onnx")
    est, _ = fitted
    est.to_onnx(tmp_path / "folded.onnx", fold_standardizer=True)
    est.to_onnx(tmp_path / "plain.onnx")
    ops = lambda name: [n.op_type for n in onnx.load(str(tmp_path / name)).graph.node]  # noqa: E731
    assert ops("folded.onnx") == ["Gemm", "Relu", "Gemm"]
    assert ops("plain.onnx") == ["Sub", "Div", "Gemm", "Relu", "Gemm"]


def padded_convolution_network():
    """A network.json: a 2-filter 3×3 convolution with zero padding over a
    1×4×4 image whose pixels' mean is 0.3, then a dense output layer."""
    conv = {
        "weights": [], "bias": [0.1] * 16 + [-0.2] * 16, "kept": [True] * 32, "relu": True,
        "identity": False, "grid": None,
        "conv": {
            "shape": {"input": [1, 4, 4], "channels": 2, "kernel": 3, "stride": 1, "padding": 1},
            "filters": [(i % 5) * 0.5 - 1.0 for i in range(18)],
        },
    }
    head = {
        "weights": [[((j + k) % 3) - 1.0 for j in range(32)] for k in range(2)], "bias": [0.0, 0.5],
        "kept": [True, True], "relu": False, "identity": False, "grid": None,
    }
    return {
        "format_version": 2, "feature_names": [f"p{i}" for i in range(16)], "class_names": ["a", "b"],
        "standardizer": {"mean": [0.3] * 16, "std": [0.25] * 16}, "layers": [conv, head],
    }


def test_a_fold_that_would_change_the_network_raises_and_writes_nothing(tmp_path):
    path = tmp_path / "network.json"
    path.write_text(json.dumps(padded_convolution_network()))
    est = MIPNetClassifier.load(path)
    out = tmp_path / "cnn.onnx"
    with pytest.raises(ValueError) as e:
        est.to_onnx(out, fold_standardizer=True)
    message = str(e.value)
    assert "cannot fold the standardization into the first layer" in message
    assert "pads with 1 zeros" in message
    assert "nothing was written" in message
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["network.json"]
    # Unfolded, the same network exports.
    assert est.to_onnx(out) == 5

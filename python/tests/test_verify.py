"""Verification from Python: answers that replay, bounds that hold."""

import numpy as np
import pytest

from mipnet import MIPNetClassifier, verify


@pytest.fixture(scope="module")
def fitted(iris_small):
    X, y = iris_small
    est = MIPNetClassifier(hidden=(2,), epochs=200, gradient_starts=1, finetune_epochs=100, time_limit=4.0,
                           threads=1).fit(X, y)
    return est, X


def test_robustness_answers_replay(fitted):
    est, X = fitted
    res = verify.robustness(est, X[:6], eps=0.5, time_limit=20)
    assert set(res["verdict"]) <= {"robust", "not_robust", "unknown"}
    scores = est.decision_function(X[:6])
    assert list(res["predicted"]) == list(np.argmax(scores, axis=1))
    for row, verdict, cex in zip(X[:6], res["verdict"], res["counterexamples"]):
        if verdict == "not_robust":
            # The counterexample lies in the ball and changes the class.
            assert np.max(np.abs(cex - row)) <= 0.5 + 1e-9
            assert est.predict(cex[None, :])[0] != est.predict(row[None, :])[0]
    # A radius of 0 changes nothing.
    assert set(verify.robustness(est, X[:3], eps=0.0)["verdict"]) == {"robust"}


def test_radius_is_proven_below_and_refuted_above(fitted):
    est, X = fitted
    res = verify.radius(est, X[:2], eps_max=2.0, resolution=0.05, time_limit=20)
    for row, r, cex, undecided in zip(X[:2], res["certified"], res["counterexamples"], res["undecided"]):
        assert 0.0 <= r <= 2.0
        if r > 0:
            assert set(verify.robustness(est, row[None, :], eps=r, time_limit=20)["verdict"]) <= {"robust", "unknown"}
        if cex is not None:
            # The counterexample changes the class, farther out than the proof.
            assert est.predict(cex[None, :])[0] != est.predict(row[None, :])[0]
            assert np.max(np.abs(cex - row)) >= r - 1e-9
        elif not undecided:
            assert r == 2.0


def test_output_bounds_contain_sampled_outputs(fitted, tmp_path):
    est, X = fitted
    lo_box, hi_box = X.min(axis=0), X.max(axis=0)
    lo, hi, report = verify.output_bounds(est, lo_box, hi_box, time_limit=20)
    rng = np.random.default_rng(0)
    samples = lo_box + rng.random((500, X.shape[1])) * (hi_box - lo_box)
    scores = est.decision_function(samples)
    assert np.all(scores >= lo - 1e-7) and np.all(scores <= hi + 1e-7)
    # The same answers from the ONNX file and from network.json.
    onnx = tmp_path / "net.onnx"
    est.to_onnx(onnx, precision="float64")
    lo2, hi2, _ = verify.output_bounds(onnx, lo_box, hi_box, time_limit=20)
    assert np.allclose(lo, lo2, atol=1e-6) and np.allclose(hi, hi2, atol=1e-6)
    path = tmp_path / "network.json"
    est.save(path)
    lo3, hi3, _ = verify.output_bounds(path, lo_box, hi_box, time_limit=20)
    assert np.allclose(lo, lo3) and np.allclose(hi, hi3)


def test_bad_questions_raise_value_error(fitted):
    est, X = fitted
    with pytest.raises(ValueError) as e:
        verify.output_bounds(est, [0.0], [1.0])
    assert "inputs" in str(e.value)
    with pytest.raises(ValueError) as e:
        verify.robustness(est, X[:1], eps=-1.0)
    assert "eps" in str(e.value) or "radius" in str(e.value)

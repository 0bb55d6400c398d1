"""The estimator: fit/predict against the CLI, pickling, pipelines,
errors, saving and ONNX."""

import json
import pickle
import subprocess

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from mipnet import MIPNetClassifier


def test_fit_gives_a_certified_network_with_a_proven_bound(iris_small, fast):
    X, y = iris_small
    est = MIPNetClassifier(**fast).fit(X, y)
    r = est.report_
    assert est.certificate_["passed"] is True
    assert r["train_accuracy"] == pytest.approx(np.mean(est.predict(X) == y))
    # The proven bound never exceeds the certified objective.
    assert est.dual_bound_ is not None
    assert est.dual_bound_ <= r["objective"] + 1e-9
    assert list(est.classes_) == [0, 1, 2]
    assert est.n_features_in_ == 4
    assert not est.interrupted_
    # The report records the settings the parameters made.
    assert r["settings"]["formulation"]["hidden"] == [2]
    assert r["settings"]["solver"]["threads"] == 1


def test_prove_seconds_add_the_branch_and_price_bound(iris_small, fast):
    X, y = iris_small
    est = MIPNetClassifier(**fast, prove_seconds=10.0).fit(X, y)
    tree = est.report_["lower_bounds"][-1]
    assert tree["method"] == "branch-and-price"
    assert tree["bound"] is not None and tree["bound"] <= est.report_["objective"] + 1e-9
    assert est.dual_bound_ >= tree["bound"]
    assert est.report_["settings"]["stages"]["prove_seconds"] == 10.0


def _toml(doc):
    """A settings dict as TOML (numbers, booleans, text, lists; one level of
    tables), for the CLI's --config."""
    lines = []
    for section, table in doc.items():
        lines.append(f"[{section}]")
        for k, v in table.items():
            lines.append(f"{k} = {json.dumps(v)}")
    return "\n".join(lines) + "\n"


def test_fit_matches_the_cli_for_the_same_settings_and_seeds(iris_small, reproducible, cli, tmp_path):
    X, y = iris_small
    est = MIPNetClassifier(**reproducible).fit(X, y)
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    data = tmp_path / "train.csv"
    with open(data, "w") as f:
        f.write(",".join(names + ["label"]) + "\n")
        for row, label in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + f",{label}\n")
    config = tmp_path / "run.toml"
    config.write_text(_toml(json.loads(est._settings_document())))
    out = tmp_path / "run"
    done = subprocess.run(
        [cli, "train", "--data", str(data), "--label", "label", "--test-data", str(data),
         "--config", str(config), "--out", str(out)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["objective"] == pytest.approx(est.report_["objective"], rel=1e-12, abs=1e-12)
    cli_net = json.loads((out / "network.json").read_text())
    assert cli_net["layers"] == est.network_["layers"]
    # `mipnet predict` of the training rows with the CLI's network.
    done = subprocess.run(
        [cli, "predict", "--model", str(out / "network.json"), "--data", str(data)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    col = rows[0].split(",").index("predicted")
    predicted = [int(line.split(",")[col]) for line in rows[1:]]
    assert predicted == list(est.predict(X))


def test_pickle_round_trip_predicts_the_same(iris_small, fast):
    X, y = iris_small
    est = MIPNetClassifier(**fast).fit(X, y)
    back = pickle.loads(pickle.dumps(est))
    assert np.array_equal(back.predict(X), est.predict(X))
    assert np.array_equal(back.decision_function(X), est.decision_function(X))
    assert back.get_params() == est.get_params()


def test_save_and_load_keep_the_network(iris_small, fast, tmp_path):
    X, y = iris_small
    est = MIPNetClassifier(**fast).fit(X, y)
    path = tmp_path / "network.json"
    est.save(path)
    back = MIPNetClassifier.load(path)
    assert json.loads(path.read_text())["format_version"] >= 1
    assert list(back.predict(X)) == [str(c) for c in est.predict(X)]


def test_works_in_a_pipeline_and_with_a_data_frame(iris_small, fast):
    pd = pytest.importorskip("pandas")
    X, y = iris_small
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    pipe = make_pipeline(FunctionTransformer(lambda d: d * 1.0), MIPNetClassifier(**fast))
    pipe.fit(frame, labels)
    est = pipe[-1]
    assert list(est.feature_names_in_) == ["sl", "sw", "pl", "pw"]
    assert est.network_["feature_names"] == ["sl", "sw", "pl", "pw"]
    assert est.network_["class_names"] == ["setosa", "versicolor", "virginica"]
    assert set(pipe.predict(frame)) <= set(labels)
    assert pipe.score(frame, labels) == pytest.approx(est.report_["train_accuracy"])


def test_show_and_onnx(iris_small, fast, tmp_path):
    X, y = iris_small
    est = MIPNetClassifier(**fast).fit(X, y)
    text = est.show()
    assert "petal" in text or "x0" in text
    assert "<pre>" in est._repr_html_()
    ort = pytest.importorskip("onnxruntime")
    path = tmp_path / "net.onnx"
    est.to_onnx(path, precision="float64")
    sess = ort.InferenceSession(str(path))
    name = sess.get_inputs()[0].name
    out = sess.run(None, {name: X.astype(np.float64)})[0]
    assert np.allclose(out, est.decision_function(X), atol=1e-9)


@pytest.mark.parametrize(
    "params, fragment",
    [
        (dict(loss="cubic"), "cubic"),
        (dict(time_limit=-1.0), "time"),
        (dict(prove_seconds=-1.0), "prove_seconds"),
        (dict(omega=float("nan")), "omega"),
        (dict(settings={"stages": {"no_such_key": 1}}), "no_such_key"),
        (dict(settings={"stages": 3}), "settings['stages']"),
    ],
)
def test_bad_settings_raise_value_error_naming_the_cause(iris_small, params, fragment):
    X, y = iris_small
    with pytest.raises(ValueError, match=None) as e:
        MIPNetClassifier(**params).fit(X, y)
    assert fragment in str(e.value)


def test_bad_data_raises_value_error_naming_the_cell(iris_small, fast):
    X, y = iris_small
    X = X.copy()
    X[3, 2] = np.nan
    with pytest.raises(ValueError) as e:
        MIPNetClassifier(**fast).fit(X, y)
    assert "X[3, 2] is NaN" in str(e.value)
    with pytest.raises(ValueError) as e:
        MIPNetClassifier(**fast).fit(iris_small[0], np.zeros(len(y)))
    assert "class" in str(e.value)


def test_predict_refuses_the_wrong_number_of_features(iris_small, fast):
    X, y = iris_small
    est = MIPNetClassifier(**fast).fit(X, y)
    with pytest.raises(ValueError) as e:
        est.predict(X[:, :3])
    assert "features" in str(e.value)

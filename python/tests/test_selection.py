"""mipnet.select: the plan, table and choice from the Rust core, the runs
in this process or on a local Ray instance, the same results either way."""

import json

import numpy as np
import pytest

import mipnet

# 3 folds of the 36 flowers: 4 held out of each class per fold.
FOLDS = 3

# Deterministic fold runs (no MIP, no neighbourhood search) with time to
# spare: 2 settings × 3 folds = 6 runs of 0.75 × 20 / 6 = 2.5 s at most
# each, one at a time (threads=1), and a refit of 5 s.
TIME_LIMIT = 20.0

# α = 100 makes every weight cost more than any loss it could remove: the
# network is zeroed, predicts one class, and cannot win against α = 0.
PLANTED = {"l1": [0.0, 100.0]}


def _select(data, reproducible, **kw):
    X, y = data
    params = dict(reproducible, time_limit=TIME_LIMIT)
    params.update(kw.pop("params", {}))
    return mipnet.select(X, y, PLANTED, folds=FOLDS, fold_seed=0, **params, **kw)


def _comparable(runs):
    """The runs without their wall times."""
    return [{k: v for k, v in r.items() if k != "seconds"} for r in runs]


def _table_without_times(table):
    return [{k: v for k, v in r.items() if k != "fold_seconds"} for r in table]


@pytest.fixture(scope="module")
def serial(iris_small):
    from conftest import REPRODUCIBLE

    return _select(iris_small, dict(REPRODUCIBLE), backend="serial")


def test_the_planted_best_wins_and_is_refit_certified(serial, iris_small):
    X, y = iris_small
    assert [s["l1"] for s in serial.settings] == [0.0, 100.0]
    assert serial.best_index_ == 0
    assert serial.best_params_["l1"] == 0.0 and serial.best_params_["hidden"] == (2,)
    rows = serial.table
    assert all(r["folds_finished"] == FOLDS for r in rows)
    assert rows[0]["validation_accuracy_mean"] > rows[1]["validation_accuracy_mean"]
    # The penalty prunes: the α = 100 network keeps fewer parameters.
    assert rows[1]["params_kept_mean"] < rows[0]["params_kept_mean"]
    assert "highest mean validation accuracy" in serial.rule
    # The plan's split: each run 0.75 of the limit over 6 runs, one thread.
    plan = serial.plan
    assert (plan["runs"], plan["parallel"], plan["threads_per_run"]) == (6, 1, 1)
    assert plan["run_seconds"] == pytest.approx(0.75 * TIME_LIMIT / 6)
    assert plan["refit_seconds"] == pytest.approx(0.25 * TIME_LIMIT)
    est = serial.best_estimator_
    assert isinstance(est, mipnet.MIPNetClassifier)
    assert est.l1 == 0.0 and est.time_limit == pytest.approx(plan["refit_seconds"])
    assert est.certificate_ is not None and est.report_["status"] != "interrupted"
    assert est.score(X, y) > 0.8
    # cv_results_ follows scikit-learn's columns.
    cv = serial.cv_results_
    assert list(cv["rank_test_score"]) == [1, 2]
    assert cv["mean_test_score"][0] == rows[0]["validation_accuracy_mean"]
    assert [cv[f"split{k}_test_score"][0] for k in range(FOLDS)] == rows[0]["fold_validation_accuracy"]


def test_folds_are_stratified_disjoint_and_cover_the_data(serial, iris_small):
    _, y = iris_small
    held = serial.validation
    assert len(held) == FOLDS
    everything = sorted(i for fold in held for i in fold)
    assert everything == list(range(len(y)))
    for fold in held:
        # 12 flowers of each class over 3 folds: 4 of each class per fold.
        assert np.bincount(y[fold], minlength=3).tolist() == [4, 4, 4]
    for run in serial.runs:
        assert run["n_validation"] == len(held[run["fold"]])
        assert run["n_train"] == len(y) - run["n_validation"]


def test_each_run_gets_its_time_share_and_threads(serial):
    plan = json.loads(
        mipnet._native.select_plan(
            np.zeros((6, 1)),
            np.array([0, 0, 0, 1, 1, 1]),
            ["x0"],
            ["a", "b"],
            json.dumps({"solver": {"time_limit": 40.0, "threads": 4}}),
            json.dumps({"l1": [0.0, 0.1]}),
            3,
            0,
            0.25,
        )
    )
    # 6 runs, 4 threads: 4 at a time with 1 thread each, 2 waves of 15 s.
    assert (plan["plan"]["parallel"], plan["plan"]["threads_per_run"], plan["plan"]["waves"]) == (4, 1, 2)
    for run in plan["runs"]:
        s = json.loads(run["settings"])
        assert s["solver"]["threads"] == 1
        assert s["solver"]["time_limit"] == pytest.approx(15.0)
        assert s["formulation"]["l1"] == plan["settings"][run["setting"]]["l1"]
        assert not set(run["training"]) & set(plan["validation"][run["fold"]])
    refit = json.loads(plan["refit_settings"])["solver"]
    assert (refit["threads"], refit["time_limit"]) == (4, pytest.approx(10.0))


def test_ray_gives_the_serial_table_choice_and_refit(serial, iris_small, reproducible):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        # threads=1 as the serial run: the same plan (each run's time and
        # threads), Ray running two tasks of one CPU at once.
        distributed = _select(iris_small, reproducible, backend="ray")
    finally:
        ray.shutdown()
    assert distributed.plan == serial.plan
    assert distributed.validation == serial.validation
    assert _comparable(distributed.runs) == _comparable(serial.runs)
    assert _table_without_times(distributed.table) == _table_without_times(serial.table)
    assert distributed.best_params_ == serial.best_params_
    assert distributed.best_estimator_.network_ == serial.best_estimator_.network_
    assert distributed.best_estimator_.certificate_ == serial.best_estimator_.certificate_


@pytest.mark.parametrize(
    "grid, message",
    [
        ({"l1": [0.01, -0.1]}, "grid α (--l1-values, l1): -0.1 is negative; α must be zero or positive"),
        ({"l1": []}, "grid α (--l1-values, l1): empty list; give at least one value"),
        ({"l1": [0.01, 0.01]}, "grid α (--l1-values, l1): lists 0.01 twice"),
        ({"hidden": [(4, 0)]}, "grid hidden widths (--hidden-values, hidden): [4, 0] has a layer of width 0"),
        ({"grid_levels": [65]}, "grid P (--grid-levels-values, grid_levels): 65 is not within 1..=64"),
        ({"alpha": [0.1]}, "grid: unknown field `alpha`"),
        ({"margin": [1.0, float("nan")]}, "grid margin: nan is not a finite number"),
    ],
)
def test_a_bad_grid_is_refused_with_the_clis_message(iris_small, reproducible, grid, message):
    X, y = iris_small
    with pytest.raises(ValueError) as e:
        mipnet.select(X, y, grid, folds=FOLDS, **reproducible)
    assert message in str(e.value)


def test_too_many_folds_and_too_short_a_time_are_refused(iris_small, reproducible):
    X, y = iris_small
    with pytest.raises(ValueError, match="13 folds need at least 13 training samples of each class"):
        mipnet.select(X, y, PLANTED, folds=13, **reproducible)
    with pytest.raises(ValueError, match="6 cross-validation runs, 1 at a time"):
        mipnet.select(X, y, PLANTED, folds=FOLDS, **dict(reproducible, time_limit=2.0))
    with pytest.raises(ValueError, match="backend must be one of serial, ray"):
        mipnet.select(X, y, PLANTED, backend="dask", **reproducible)


def test_the_cli_gives_the_same_folds_table_choice_and_refit(serial, iris_small, reproducible, cli, tmp_path):
    import subprocess

    from test_estimator import _toml

    X, y = iris_small
    data = tmp_path / "train.csv"
    with open(data, "w") as f:
        f.write(",".join([f"x{i}" for i in range(X.shape[1])] + ["label"]) + "\n")
        for row, label in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + f",{label}\n")
    config = tmp_path / "run.toml"
    settings = mipnet.MIPNetClassifier(**dict(reproducible, time_limit=TIME_LIMIT))._settings_document()
    config.write_text(_toml(json.loads(settings)))
    out = tmp_path / "select"
    done = subprocess.run(
        [cli, "select", "--data", str(data), "--label", "label", "--test-data", str(data),
         "--config", str(config), "--l1-values", "0,100", "--folds", str(FOLDS), "--fold-seed", "0",
         "--no-baselines", "--out", str(out)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    selection = json.loads((out / "report.json").read_text())["selection"]
    assert selection["plan"] == serial.plan
    assert _comparable(selection["runs"]) == _comparable(serial.runs)
    assert _table_without_times(selection["table"]) == _table_without_times(serial.table)
    assert selection["chosen"] == serial.best_index_
    cli_net = json.loads((out / "network.json").read_text())
    assert cli_net["layers"] == serial.best_estimator_.network_["layers"]


def test_a_data_frame_keeps_its_names_through_the_runs_and_the_refit(serial, iris_small, reproducible):
    pd = pytest.importorskip("pandas")
    X, y = iris_small
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    frame = pd.DataFrame(X, columns=names)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    framed = _select((frame, labels), reproducible)
    # Same rows, same class order: the same runs as with arrays.
    assert _comparable(framed.runs) == _comparable(serial.runs)
    est = framed.best_estimator_
    assert list(est.feature_names_in_) == names
    assert list(est.classes_) == ["setosa", "versicolor", "virginica"]
    assert est.network_["layers"] == serial.best_estimator_.network_["layers"]
    assert _select(iris_small, reproducible, refit=False).best_estimator_ is None


def test_the_table_reads_runs_by_mipnet_selects_own_type_and_refuses_malformed_ones(serial, reproducible):
    settings = mipnet.MIPNetClassifier(**dict(reproducible, time_limit=TIME_LIMIT))._settings_document()
    grid = json.dumps(PLANTED)
    # The runs as fold_run wrote them read back into the same table and choice.
    again = json.loads(mipnet._native.select_table(settings, grid, FOLDS, json.dumps(serial.runs)))
    assert again["table"] == serial.table and again["chosen"] == serial.best_index_
    run = dict(serial.runs[0])
    del run["seconds"]
    with pytest.raises(ValueError, match="runs: missing field `seconds`"):
        mipnet._native.select_table(settings, grid, FOLDS, json.dumps([run]))
    with pytest.raises(ValueError, match="runs: unknown variant `done`"):
        mipnet._native.select_table(settings, grid, FOLDS, json.dumps([dict(serial.runs[0], status="done")]))
    with pytest.raises(ValueError, match="runs: unknown field `extra`"):
        mipnet._native.select_table(settings, grid, FOLDS, json.dumps([dict(serial.runs[0], extra=1)]))

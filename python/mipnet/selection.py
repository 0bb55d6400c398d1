"""Model selection by stratified K-fold cross-validation, as ``mipnet select``.

:func:`select` asks mipnet's Rust core for the plan (the grid checked and
expanded, the folds, the time and threads of every run), runs each
(setting, fold) as one exact training run -- in this process or as Ray tasks
-- and asks the core for the table and the choice, so folds, time split and
rule are the CLI's. The chosen setting is then refit on all the data.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from . import _native
from ._estimator import MIPNetClassifier

# The grid's dimensions: the keys of a `--grid` file's [select] section
# that vary (and the MIPNetClassifier parameters they set).
GRID_KEYS = ("l1", "hidden", "margin", "grid_levels", "loss")

BACKENDS = ("serial", "ray")


@dataclass
class Selection:
    """What :func:`select` found.

    ``settings``: the grid's combinations in the CLI's order (dicts with the
    grid's keys); ``plan``: the time and threads split (``run_seconds``,
    ``threads_per_run``, ``refit_seconds``, ...); ``validation``: each
    fold's held-out row indices; ``runs``: one dict per (setting, fold)
    (``validation_accuracy``, ``params_kept``, ``objective``, ``status``,
    ...); ``table``: one row per setting (means over the folds);
    ``best_index_``/``best_params_``: the chosen setting (None when no
    setting finished every fold); ``best_estimator_``: the chosen setting
    refit on all the data (a fitted :class:`MIPNetClassifier`; None without
    a refit); ``rule``: the choice rule in words.
    """

    settings: list
    grid: dict
    plan: dict
    rule: str
    validation: list
    runs: list
    table: list
    best_index_: int | None
    best_params_: dict | None
    best_estimator_: MIPNetClassifier | None = None
    backend: str = "serial"
    cv_results_: dict = field(default_factory=dict)


def _grid_document(grid) -> str:
    if not isinstance(grid, dict):
        raise ValueError(f"grid must be a dict of lists (keys {', '.join(GRID_KEYS)}), got {type(grid).__name__}")
    doc = {}
    for key, values in grid.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ValueError(f"grid {key}: must be a list of values, got {values!r}")
        values = list(values)
        if key == "hidden":
            values = [[int(w)] if np.ndim(w) == 0 else [int(v) for v in w] for w in values]
        else:
            values = [v.item() if isinstance(v, np.generic) else v for v in values]
        doc[key] = values
    try:
        return json.dumps(doc, allow_nan=False)
    except ValueError:
        key, v = next((k, v) for k, vs in doc.items() for v in vs if isinstance(v, float) and not np.isfinite(v))
        raise ValueError(f"grid {key}: {v} is not a finite number") from None


def _params_of(setting: dict) -> dict:
    """MIPNetClassifier parameters of one of the grid's settings."""
    return {
        "l1": setting["l1"],
        "hidden": tuple(setting["hidden"]),
        "margin": setting["margin"],
        "grid_levels": setting["grid_levels"],
        "loss": setting["loss"],
    }


def _run_locally(data, runs, validation, parallel):
    X, y, feature_names, class_names = data

    def one(run):
        return _native.fold_run(
            X,
            y,
            feature_names,
            class_names,
            run["training"],
            validation[run["fold"]],
            run["settings"],
            run["setting"],
            run["fold"],
        )

    # `fold_run` releases the GIL: `parallel` runs at once, as the plan
    # (and `mipnet select`) has them. An exception (a failed run, Ctrl-C)
    # cancels the runs not started; the runs in flight end at their time
    # limits.
    pool = ThreadPoolExecutor(max_workers=max(1, parallel))
    try:
        futures = [pool.submit(one, run) for run in runs]
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ray_fold_run(X, y, feature_names, class_names, training, validation, settings, setting, fold):
    """A Ray task: one (setting, fold) run in a worker; its thread count is
    in ``settings`` (``solver.threads``, the plan's threads per run)."""
    from mipnet import _native as native

    return native.fold_run(X, y, feature_names, class_names, training, validation, settings, setting, fold)


def _run_on_ray(data, runs, validation, threads_per_run):
    import ray

    X, y, feature_names, class_names = data
    task = ray.remote(num_cpus=threads_per_run)(_ray_fold_run)
    X_ref, y_ref = ray.put(X), ray.put(y)
    futures = [
        task.remote(
            X_ref,
            y_ref,
            feature_names,
            class_names,
            run["training"],
            validation[run["fold"]],
            run["settings"],
            run["setting"],
            run["fold"],
        )
        for run in runs
    ]
    try:
        return ray.get(futures)
    except BaseException:
        # A failed run or Ctrl-C: the other tasks are cancelled.
        for f in futures:
            ray.cancel(f)
        raise


def _ray_threads() -> int:
    """The CPUs of the Ray cluster this process is connected to (started
    locally by Ray when none is)."""
    import ray

    if not ray.is_initialized():
        ray.init()
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def select(
    X,
    y,
    grid,
    *,
    folds=5,
    fold_seed=0,
    refit_share=0.25,
    refit=True,
    backend="serial",
    **params,
) -> Selection:
    """Chooses the grid's best setting by stratified ``folds``-fold
    cross-validation on ``X``, ``y`` and refits it on all of them.

    ``grid`` maps ``l1``, ``hidden``, ``margin``, ``grid_levels``, ``loss``
    to lists of values (a key left out takes ``params``' value); ``params``
    are :class:`MIPNetClassifier` parameters for everything else.
    ``time_limit`` is the whole selection's (cross-validation and refit;
    ``refit_share`` of it for the refit) and ``threads`` all its threads:
    by default the cores, or with ``backend="ray"`` the Ray cluster's
    CPUs. The plan runs ``threads / threads_per_run`` runs at once:
    ``backend="serial"`` runs them in this process (one at a time when
    ``threads=1``), ``backend="ray"`` as Ray tasks of
    ``threads_per_run`` CPUs each (``ray.init(address=...)`` first to use a
    cluster). The choice is ``mipnet select``'s rule: the best mean
    validation accuracy over the folds, ties to fewer parameters kept.

    Bad input (grid, folds, time limit) raises ``ValueError`` with the
    CLI's message before any run.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if "threads" not in params and backend == "ray":
        params["threads"] = _ray_threads()
    scratch = MIPNetClassifier(**params)
    X, y = validate_data(scratch, X, y, dtype=np.float64, ensure_all_finite=False, y_numeric=False)
    check_classification_targets(y)
    classes, y_index = np.unique(y, return_inverse=True)
    names = getattr(scratch, "feature_names_in_", None)
    feature_names = [str(n) for n in names] if names is not None else [f"x{i}" for i in range(X.shape[1])]
    class_names = [str(c) for c in classes]
    X = np.ascontiguousarray(X, dtype=np.float64)
    y_index = np.ascontiguousarray(y_index, dtype=np.int64)
    settings_doc = scratch._settings_document()
    grid_doc = _grid_document(grid)
    for name, value in (("folds", folds), ("fold_seed", fold_seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a whole number, zero or more, got {value!r}")
    plan = json.loads(
        _native.select_plan(
            X, y_index, feature_names, class_names, settings_doc, grid_doc, int(folds), int(fold_seed), float(refit_share)
        )
    )
    data = (X, y_index, feature_names, class_names)
    if backend == "ray":
        texts = _run_on_ray(data, plan["runs"], plan["validation"], plan["plan"]["threads_per_run"])
    else:
        texts = _run_locally(data, plan["runs"], plan["validation"], plan["plan"]["parallel"])
    runs = [json.loads(t) for t in texts]
    k = len(plan["validation"])
    chosen = json.loads(_native.select_table(settings_doc, grid_doc, k, json.dumps(runs)))
    best = chosen["chosen"]
    result = Selection(
        settings=plan["settings"],
        grid=plan["grid"],
        plan=plan["plan"],
        rule=chosen["rule"],
        validation=plan["validation"],
        runs=runs,
        table=chosen["table"],
        best_index_=best,
        best_params_=_params_of(chosen["chosen_setting"]) if best is not None else None,
        backend=backend,
    )
    result.cv_results_ = _cv_results(result.table, k)
    if refit and best is not None:
        est = MIPNetClassifier(**params).set_params(
            **result.best_params_,
            time_limit=plan["plan"]["refit_seconds"],
            threads=plan["plan"]["threads"],
        )
        # The original X (a data frame keeps its column names).
        result.best_estimator_ = est.fit(_original(X, names), y)
    return result


def _original(X, names):
    if names is None:
        return X
    import pandas as pd

    return pd.DataFrame(X, columns=list(names))


def _cv_results(table, k):
    """The table as scikit-learn's ``cv_results_`` columns."""
    out = {
        "params": [_params_of(r["values"]) for r in table],
        "mean_test_score": np.array([_nan(r["validation_accuracy_mean"]) for r in table]),
        "std_test_score": np.array([_nan(r["validation_accuracy_std"]) for r in table]),
        "mean_params_kept": np.array([_nan(r["params_kept_mean"]) for r in table]),
    }
    for f in range(k):
        out[f"split{f}_test_score"] = np.array([_nan(r["fold_validation_accuracy"][f]) for r in table])
    for key in GRID_KEYS:
        out[f"param_{key}"] = [p[key] for p in out["params"]]
    scores = out["mean_test_score"]
    # scikit-learn's ranks: 1 + the settings with a strictly better mean
    # (ties share a rank; a setting with no mean ranks last).
    filled = np.where(np.isnan(scores), -np.inf, scores)
    out["rank_test_score"] = np.array([1 + int(np.sum(filled > s)) for s in filled])
    return out


def _nan(v):
    return np.nan if v is None else v

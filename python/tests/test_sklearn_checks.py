"""scikit-learn's estimator checks, and GridSearchCV serial and on Ray."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import check_estimator

from mipnet import MIPNetClassifier

# Fits in about a second (the checks fit dozens of times), without the
# time-limited stages (full MIP, neighbourhood search), so that refits give
# the same network, as the checks of invariances need.
QUICK = dict(hidden=(2,), epochs=50, gradient_starts=1, finetune_epochs=0, time_limit=3.0,
             threads=1, mip=False, lns_share=0.0)

# Checks that do not apply, and why (each is listed in docs/python.md).
SKIPPED = {}


def test_scikit_learn_estimator_checks():
    results = check_estimator(MIPNetClassifier(**QUICK), on_fail=None, expected_failed_checks=SKIPPED)
    failed = [r for r in results if r["status"] == "failed"]
    assert not failed, "\n".join(f"{r['check_name']}: {r['exception']}" for r in failed)


def _grid():
    return GridSearchCV(
        MIPNetClassifier(hidden=(2,), epochs=100, gradient_starts=1, finetune_epochs=50, time_limit=5.0,
                         threads=1, mip=False, lns_share=0.0),
        {"l1": [0.0, 0.01, 10.0]},
        cv=3,
    )


def test_grid_search_serial_and_on_ray_choose_the_same(iris_small):
    ray = pytest.importorskip("ray")
    joblib = pytest.importorskip("joblib")
    from ray.util.joblib import register_ray

    X, y = iris_small
    serial = _grid().fit(X, y)
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    try:
        register_ray()
        with joblib.parallel_backend("ray"):
            on_ray = _grid().set_params(n_jobs=2).fit(X, y)
    finally:
        ray.shutdown()
    assert on_ray.best_params_ == serial.best_params_
    assert np.allclose(on_ray.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"])
    assert on_ray.best_estimator_.network_["layers"] == serial.best_estimator_.network_["layers"]

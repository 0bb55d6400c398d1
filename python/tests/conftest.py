"""Shared fixtures: small, fast settings and the bundled data."""

import os
import pathlib

import numpy as np
import pytest
from sklearn.datasets import load_iris

ROOT = pathlib.Path(__file__).resolve().parents[2]

# A fit in seconds: a tiny network, short gradient phases, one thread. The
# full MIP of even this tiny problem runs to its time limit, so the network
# depends on timing only through the MIP and the neighbourhood search.
FAST = dict(
    hidden=(2,),
    epochs=200,
    gradient_starts=1,
    finetune_epochs=100,
    time_limit=4.0,
    threads=1,
    seed=0,
)

# FAST without the time-limited stages (full MIP, neighbourhood search):
# the same network on every machine, for comparisons with the CLI.
REPRODUCIBLE = dict(FAST, mip=False, lns_share=0.0)


@pytest.fixture
def fast():
    return dict(FAST)


@pytest.fixture
def reproducible():
    return dict(REPRODUCIBLE)


@pytest.fixture(scope="session")
def iris_small():
    """12 Iris flowers of each class (the bundled data, as sklearn ships it)."""
    X, y = load_iris(return_X_y=True)
    idx = np.concatenate([np.flatnonzero(y == k)[:12] for k in range(3)])
    return X[idx], y[idx]


@pytest.fixture(scope="session")
def cli():
    """The mipnet binary the README's build command makes."""
    path = ROOT / "target" / "release" / "mipnet"
    if not path.exists():
        pytest.fail(f"{path} is missing: run ./scripts/build.sh first")
    return str(path)


@pytest.fixture(autouse=True)
def _quiet_threads(monkeypatch):
    monkeypatch.setenv("RAYON_NUM_THREADS", os.environ.get("RAYON_NUM_THREADS", "1"))

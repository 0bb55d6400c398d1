"""Verification of mipnet networks and ONNX files: the questions of
``mipnet verify`` and ``mipnet bounds``, answered by the same code.

``model`` is a fitted :class:`~mipnet.MIPNetClassifier`, a path to a
``network.json``, or a path to an ``.onnx`` file. Every ``robust`` and every
bound rests on a solved MILP or a certified bound; every counterexample was
replayed in an f64 forward pass.
"""

from __future__ import annotations

import json
import os

import numpy as np

from . import _native


def _model(model):
    """(network text, onnx path) for the native calls."""
    text = getattr(model, "_network_text", None)
    if text is not None:
        return text, None
    path = os.fspath(model)
    if path.lower().endswith(".onnx"):
        return None, path
    with open(path, encoding="utf-8") as f:
        return f.read(), None


def _per_row(native, model, X, domain, time_limit, threads, seed, *args, **kwargs):
    """Asks ``native`` about each row of ``X``; its JSON answers as a list."""
    network, onnx = _model(model)
    X = np.ascontiguousarray(np.atleast_2d(np.asarray(X, dtype=np.float64)))
    return json.loads(
        native(
            X,
            *args,
            network=network,
            onnx=onnx,
            domain=tuple(domain) if domain is not None else None,
            time_limit=float(time_limit),
            threads=threads,
            seed=int(seed),
            **kwargs,
        )
    )


def robustness(model, X, eps, domain=None, time_limit=60.0, threads=None, seed=0):
    """Is each row's prediction the same on the ℓ∞ ball of radius ``eps``
    (clipped to ``domain=(lo, hi)``)? Returns a dict: ``verdict`` (array of
    ``"robust"``, ``"not_robust"``, ``"unknown"``), ``predicted`` (class
    indices), ``counterexamples`` (one array per row, or ``None``) and
    ``reports`` (the full per-row reports)."""
    reports = _per_row(_native.robustness, model, X, domain, time_limit, threads, seed, float(eps))
    return {
        "verdict": np.array([r["verdict"] for r in reports]),
        "predicted": np.array([r["predicted"] for r in reports]),
        "counterexamples": [
            np.array(r["counterexample"]["input"]) if r.get("counterexample") else None for r in reports
        ],
        "reports": reports,
    }


def radius(model, X, eps_max, resolution=1e-3, domain=None, time_limit=60.0, threads=None, seed=0):
    """The largest ℓ∞ radius (up to ``eps_max``, within ``resolution``) at
    which each row's prediction is proven to stay, by bisection. Returns a
    dict: ``certified`` (array of radii), ``undecided`` (array: a step ended
    unknown, so the true radius may be larger), ``counterexamples`` (the
    smallest-radius counterexample per row, or ``None``) and ``reports``."""
    reports = _per_row(
        _native.radius, model, X, domain, time_limit, threads, seed, float(eps_max), resolution=float(resolution)
    )
    return {
        "certified": np.array([r["certified"] for r in reports]),
        "undecided": np.array([r["undecided"] for r in reports]),
        "counterexamples": [
            np.array(r["counterexample"][1]["input"]) if r.get("counterexample") else None for r in reports
        ],
        "reports": reports,
    }


def output_bounds(model, lower, upper, time_limit=60.0, threads=None, seed=0):
    """Proven ranges of every output over the box ``lower <= x <= upper``:
    returns ``(lower_bounds, upper_bounds, report)``; ``report["outputs"]``
    has the witnesses reaching the ends found."""
    network, onnx = _model(model)
    report = json.loads(
        _native.output_bounds(
            [float(v) for v in lower],
            [float(v) for v in upper],
            network=network,
            onnx=onnx,
            time_limit=float(time_limit),
            threads=threads,
            seed=int(seed),
        )
    )
    lo = np.array([o["lower"] for o in report["outputs"]])
    hi = np.array([o["upper"] for o in report["outputs"]])
    return lo, hi, report

"""Pictures of a fit with matplotlib: the run's trace and the weights."""

from __future__ import annotations

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError("plotting needs matplotlib: pip install matplotlib") from e
    return plt


def plot_progress(report, ax=None):
    """The best certified objective over time, coloured by the stage that
    found it, and the proven lower bound (when the run proved one), from
    ``report.json``'s ``trace``. Returns the axes."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    trace = (report or {}).get("trace") or []
    if not trace:
        raise ValueError("the report has no trace (it was written by a mipnet without one)")
    stages = []
    for point in trace:
        if point["stage"] not in stages:
            stages.append(point["stage"])
    colours = plt.get_cmap("tab10")
    for i, stage in enumerate(stages):
        pts = [(p["seconds"], p["incumbent"]) for p in trace if p["stage"] == stage and p.get("incumbent") is not None]
        if pts:
            t, v = zip(*pts)
            ax.scatter(t, v, color=colours(i % 10), label=stage, s=18, zorder=3)
    inc = [(p["seconds"], p["incumbent"]) for p in trace if p.get("incumbent") is not None]
    if inc:
        t, v = zip(*inc)
        ax.step(t, v, where="post", color="black", linewidth=1, label="best network")
    bound = [(p["seconds"], p["bound"]) for p in trace if p.get("bound") is not None]
    if bound:
        t, v = zip(*bound)
        ax.step(t, v, where="post", color="tab:red", linestyle="--", linewidth=1, label="proven lower bound")
    ax.set_xlabel("seconds")
    ax.set_ylabel("training objective")
    ax.set_title("exact training: best network and proven bound")
    ax.legend(fontsize="small")
    return ax


def plot_weights(network, axes=None):
    """Each layer's weight matrix (outputs × inputs) as a mask: nonzero
    weights dark by magnitude, zero weights white, pruned units grey.
    Returns the figure."""
    plt = _pyplot()
    layers = network["layers"]
    if axes is None:
        fig, axes = plt.subplots(1, len(layers), figsize=(3.2 * len(layers), 3.2), squeeze=False)
        axes = axes[0]
    else:
        fig = axes[0].figure
    for k, (layer, ax) in enumerate(zip(layers, axes)):
        w = np.asarray(layer["weights"], dtype=float)
        if w.size == 0:  # a convolution stores filters, not the matrix
            ax.set_title(f"layer {k + 1}: convolution")
            ax.axis("off")
            continue
        mag = np.abs(w)
        shown = np.where(mag > 0, mag / (mag.max() or 1.0), 0.0)
        ax.imshow(shown, cmap="Greys", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        kept = layer.get("kept") or [True] * w.shape[0]
        for i, keep in enumerate(kept):
            if not keep:
                ax.axhspan(i - 0.5, i + 0.5, color="tab:grey", alpha=0.5)
        zero = int((w == 0).sum())
        ax.set_title(f"layer {k + 1}: {zero}/{w.size} zero")
        ax.set_xlabel("input")
        ax.set_ylabel("unit")
    fig.tight_layout()
    return fig

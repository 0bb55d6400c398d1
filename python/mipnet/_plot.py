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
    """The best certified objective over time (a dot where a step found a
    better network) and the proven lower bound (a triangle where a method
    proved a better one), from ``report.json``'s ``trace``. Returns the axes."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    trace = (report or {}).get("trace") or []
    if not trace:
        raise ValueError("the report has no trace (it was written by a mipnet without one)")
    # Each point changed the incumbent (a new network, by a step of the
    # pipeline) or the bound (a new proof, by a method).
    marks = []
    prev = None
    for p in trace:
        if p.get("incumbent") is not None and (prev is None or prev.get("incumbent") != p["incumbent"]):
            marks.append((p["stage"], False, p["seconds"], p["incumbent"]))
        if p.get("bound") is not None and (prev is None or prev.get("bound") != p["bound"]):
            marks.append((p["stage"], True, p["seconds"], p["bound"]))
        prev = p
    kinds = []
    for stage, is_bound, _, _ in marks:
        if (stage, is_bound) not in kinds:
            kinds.append((stage, is_bound))
    colours = plt.get_cmap("tab10")
    for i, (stage, is_bound) in enumerate(kinds):
        pts = [(t, v) for s, b, t, v in marks if s == stage and b == is_bound]
        t, v = zip(*pts)
        ax.scatter(t, v, color=colours(i % 10), marker="^" if is_bound else "o", s=24, zorder=3,
                   label=f"bound: {stage}" if is_bound else stage)
    end = max([p["seconds"] for p in trace] + [report.get("total_seconds") or 0.0])
    inc = [(p["seconds"], p["incumbent"]) for p in trace if p.get("incumbent") is not None]
    if inc:
        inc.append((end, inc[-1][1]))
        t, v = zip(*inc)
        ax.step(t, v, where="post", color="black", linewidth=1, label="best network")
    bound = [(p["seconds"], p["bound"]) for p in trace if p.get("bound") is not None]
    if bound:
        bound.append((end, bound[-1][1]))
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

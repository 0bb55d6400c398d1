"""The pictures: files written, with the expected axes and series."""

import pytest

from mipnet import MIPNetClassifier

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_progress_and_weights_are_drawn(iris_small, fast, tmp_path):
    X, y = iris_small
    est = MIPNetClassifier(**fast).fit(X, y)
    ax = est.plot_progress()
    assert ax.get_xlabel() == "seconds" and ax.get_ylabel() == "training objective"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "best network" in labels and "proven lower bound" in labels
    ax.figure.savefig(tmp_path / "progress.png")
    fig = est.plot_weights()
    assert len(fig.axes) == len(est.network_["layers"])
    assert all("zero" in a.get_title() for a in fig.axes)
    fig.savefig(tmp_path / "weights.svg")
    assert (tmp_path / "progress.png").stat().st_size > 1000
    assert (tmp_path / "weights.svg").stat().st_size > 1000

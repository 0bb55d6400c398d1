"""The scikit-learn estimator over mipnet's exact trainer."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _native

# Constructor parameters by the section of mipnet's settings (the sections
# and keys of `mipnet train --config`, see examples/train.toml) they fill.
_FORMULATION = {
    "hidden": "hidden",
    "omega": "omega",
    "grid_step": "grid_step",
    "grid_levels": "grid_levels",
    "loss": "loss",
    "margin": "margin",
    "l1": "l1",
    "l0": "l0",
    "l2": "l2",
    "prune_neurons": "prune_neurons",
    "neuron_penalty": "neuron_penalty",
    "prune_layers": "prune_layers",
    "layer_penalty": "layer_penalty",
    "symmetry_breaking": "symmetry_breaking",
}
_GRADIENT = {"epochs": "epochs", "gradient_seed": "seed"}
_SOLVER = {"time_limit": "time_limit", "gap": "gap", "threads": "threads", "seed": "seed"}
_STAGES = {
    "gradient_starts": "gradient_starts",
    "finetune_epochs": "finetune_epochs",
    "polish": "polish",
    "mip": "mip",
    "lns_share": "lns_share",
    "lower_bounds": "lower_bounds",
    "mip_alongside_search": "mip_alongside_search",
    "prove_seconds": "prove_seconds",
}


class MIPNetClassifier(ClassifierMixin, BaseEstimator):
    """A ReLU network classifier trained exactly, as a mixed-integer program.

    Every fit returns a network whose training objective is checked by an
    f64 forward pass (``certificate_``) and, when the bound stages and the
    full MIP run, a proven lower bound on the best objective of the
    architecture (``dual_bound_``, ``gap_``).

    Parameters are mipnet's settings (``mipnet train --help``): the
    formulation (``hidden`` .. ``symmetry_breaking``), the gradient start
    (``epochs``, ``gradient_seed``), the solver (``time_limit`` is the whole
    fit's wall time in seconds, ``gap``, ``threads``, ``seed``) and the
    pipeline's stages (``prove_seconds``: branch-and-price after the fit,
    on top of ``time_limit``, proving a bound against the fitted network;
    0 = off). ``settings`` takes any other key of the settings file
    as a nested dict, e.g. ``{"stages": {"search_rounds": 2}}``; keys given
    as parameters win. ``verbose`` prints the stages to stderr.

    Fitted attributes: ``classes_``, ``n_features_in_``,
    ``feature_names_in_`` (for data frames), ``network_`` (the
    ``network.json`` content as a dict), ``report_`` (the ``report.json``
    content), ``certificate_``, ``dual_bound_``, ``gap_``, ``interrupted_``.
    """

    def __init__(
        self,
        hidden=(8,),
        omega=1.0,
        grid_step=1.0,
        grid_levels=1,
        loss="hinge",
        margin=1.0,
        l1=0.01,
        l0=0.0,
        l2=0.0,
        prune_neurons=False,
        neuron_penalty=0.0,
        prune_layers=False,
        layer_penalty=0.0,
        symmetry_breaking=True,
        epochs=3000,
        gradient_seed=0,
        time_limit=60.0,
        gap=None,
        threads=None,
        seed=0,
        gradient_starts=3,
        finetune_epochs=2000,
        polish=True,
        mip=True,
        lns_share=0.5,
        lower_bounds=True,
        mip_alongside_search=False,
        prove_seconds=0.0,
        settings=None,
        verbose=False,
    ):
        self.hidden = hidden
        self.omega = omega
        self.grid_step = grid_step
        self.grid_levels = grid_levels
        self.loss = loss
        self.margin = margin
        self.l1 = l1
        self.l0 = l0
        self.l2 = l2
        self.prune_neurons = prune_neurons
        self.neuron_penalty = neuron_penalty
        self.prune_layers = prune_layers
        self.layer_penalty = layer_penalty
        self.symmetry_breaking = symmetry_breaking
        self.epochs = epochs
        self.gradient_seed = gradient_seed
        self.time_limit = time_limit
        self.gap = gap
        self.threads = threads
        self.seed = seed
        self.gradient_starts = gradient_starts
        self.finetune_epochs = finetune_epochs
        self.polish = polish
        self.mip = mip
        self.lns_share = lns_share
        self.lower_bounds = lower_bounds
        self.mip_alongside_search = mip_alongside_search
        self.prove_seconds = prove_seconds
        self.settings = settings
        self.verbose = verbose

    # -- settings ---------------------------------------------------------

    def _settings_document(self) -> str:
        """The settings as the JSON mipnet reads: ``settings``' sections
        overlaid by the parameters."""
        doc = {}
        extra = self.settings or {}
        if not isinstance(extra, dict):
            raise ValueError(f"settings must be a dict of sections, got {type(extra).__name__}")
        for section, table in extra.items():
            if not isinstance(table, dict):
                raise ValueError(f"settings['{section}'] must be a dict of keys, got {type(table).__name__}")
            doc[section] = dict(table)
        for section, names in (
            ("formulation", _FORMULATION),
            ("gradient", _GRADIENT),
            ("solver", _SOLVER),
            ("stages", _STAGES),
        ):
            table = doc.setdefault(section, {})
            for param, key in names.items():
                value = getattr(self, param)
                if value is None:
                    table.pop(key, None)
                    continue
                if param == "hidden":
                    value = [value] if isinstance(value, (int, np.integer)) else list(value)
                    value = [int(v) for v in value]
                elif isinstance(value, np.generic):
                    value = value.item()
                if isinstance(value, float) and not np.isfinite(value):
                    raise ValueError(f"{param} must be a finite number, got {value}")
                table[key] = value
        try:
            return json.dumps(doc, allow_nan=False)
        except ValueError as e:
            raise ValueError(f"settings: {e} (every number must be finite)") from None

    # -- fitting ----------------------------------------------------------

    def fit(self, X, y):
        """Trains the network exactly on ``X``, ``y``. Ctrl-C ends the fit
        early and keeps the best certified network so far (with a warning
        and ``interrupted_ = True``), as the CLI does."""
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite=False, y_numeric=False)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        names = getattr(self, "feature_names_in_", None)
        feature_names = [str(n) for n in names] if names is not None else [f"x{i}" for i in range(X.shape[1])]
        class_names = [str(c) for c in self.classes_]
        network, report, interrupted = _native.fit(
            np.ascontiguousarray(X, dtype=np.float64),
            np.ascontiguousarray(y_index, dtype=np.int64),
            feature_names,
            class_names,
            self._settings_document(),
            verbose=bool(self.verbose),
        )
        self._set_fitted(network, json.loads(report), interrupted)
        if interrupted:
            warnings.warn("fit interrupted: kept the best certified network found so far", RuntimeWarning)
        return self

    def _set_fitted(self, network_text, report, interrupted):
        self._network_text = network_text
        self.network_ = json.loads(network_text)
        self.report_ = report
        self.certificate_ = report.get("certificate") if report else None
        self.dual_bound_ = report.get("dual_bound") if report else None
        self.gap_ = report.get("mip_gap") if report else None
        self.interrupted_ = interrupted

    # -- using the network ------------------------------------------------

    def decision_function(self, X):
        """Class scores: ``(n, K)``; for two classes ``(n,)``, the second
        class's score minus the first's (positive means the second class)."""
        scores = self._scores(X)
        if len(self.classes_) == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def _scores(self, X):
        check_is_fitted(self, "network_")
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite=False, reset=False)
        return _native.scores(self._network_text, np.ascontiguousarray(X, dtype=np.float64))

    def predict(self, X):
        """The class of each row: the first largest score, as ``mipnet predict``."""
        scores = self._scores(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def show(self) -> str:
        """The network as equations, as ``mipnet show`` prints them."""
        check_is_fitted(self, "network_")
        return _native.show(self._network_text)

    def _repr_html_(self):
        if not hasattr(self, "network_"):
            return super()._repr_html_()
        import html

        r = self.report_ or {}
        head = (
            f"<b>MIPNetClassifier</b> — objective {r.get('objective', float('nan')):.6g}, "
            f"proven bound {r.get('dual_bound')}, train accuracy {r.get('train_accuracy', float('nan')):.3f}, "
            f"{r.get('params_kept')} of {r.get('params_total')} parameters kept"
        )
        return f"<div>{head}<pre>{html.escape(self.show())}</pre></div>"

    def to_onnx(self, path, precision="float32", fold_standardizer=False):
        """Writes the network as ONNX and reads it back to check it; returns
        how many inputs the check compared.

        ``precision`` is ``"float32"`` (what most runtimes expect) or
        ``"float64"`` (exactly the certified network). With
        ``fold_standardizer=True`` the input standardization is folded into
        the first layer (weights / std, bias − weights·mean/std) instead of
        written as ``Sub`` and ``Div`` nodes, so a dense network is ``Gemm``
        and ``Relu`` only, what gurobi-machinelearning's ONNX reader takes;
        the file then computes the network up to rounding (checked within a
        rounding bound), not bit for bit. A fold that would change the
        network (a convolution with zero padding) raises ``ValueError``.
        """
        check_is_fitted(self, "network_")
        return _native.to_onnx(self._network_text, os.fspath(path), precision, fold_standardizer)

    def save(self, path):
        """Writes the network in mipnet's own format (``network.json``,
        versioned; ``mipnet predict``/``show``/``verify`` read it)."""
        check_is_fitted(self, "network_")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self._network_text)

    @classmethod
    def load(cls, path):
        """An estimator that predicts with the network in ``path`` (a
        ``network.json`` from :meth:`save` or ``mipnet train``). Its
        ``classes_`` are the network's class names (text); the settings it
        was trained with are in ``report.json`` beside it when there is one."""
        with open(path, encoding="utf-8") as f:
            text = _native.check_network(f.read())
        net = json.loads(text)
        est = cls()
        report_path = os.path.join(os.path.dirname(os.fspath(path)), "report.json")
        report = None
        if os.path.exists(report_path):
            with open(report_path, encoding="utf-8") as f:
                report = json.load(f)
        est._set_fitted(text, report, False)
        est.classes_ = np.array(net["class_names"])
        names = net.get("feature_names") or []
        est.n_features_in_ = len(net["standardizer"]["mean"])
        if names and not all(n == f"x{i}" for i, n in enumerate(names)):
            est.feature_names_in_ = np.array(names, dtype=object)
        return est

    # -- pictures ---------------------------------------------------------

    def plot_progress(self, ax=None):
        """The training objective after each stage of the fit, and the
        proven lower bound: matplotlib axes."""
        from ._plot import plot_progress

        check_is_fitted(self, "network_")
        return plot_progress(self.report_, ax=ax)

    def plot_weights(self, axes=None):
        """Each layer's weight matrix as a sparsity mask (zero weights
        white, pruned units hatched): a matplotlib figure."""
        from ._plot import plot_weights

        check_is_fitted(self, "network_")
        return plot_weights(self.network_, axes=axes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The full MIP and the neighbourhood search stop at time limits, so
        # with them the network depends on the machine's speed; without
        # them a fit is a function of the data, settings and seeds.
        tags.non_deterministic = bool(self.mip) or (self.lns_share or 0.0) > 0.0
        return tags

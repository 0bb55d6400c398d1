"""mipnet from Python: exact MILP training of small ReLU networks.

The package is a front on mipnet's Rust crates (the same code the ``mipnet``
command runs), so a network fitted here is the network ``mipnet train`` gives
for the same settings and seeds.

- :class:`MIPNetClassifier` -- a scikit-learn estimator (``fit``, ``predict``,
  ``decision_function``, ``score``, ``get_params``/``set_params``), with the
  certificate and the proven bound of every fit.
- :func:`select` -- model selection by stratified K-fold cross-validation,
  as ``mipnet select``, run in this process or on a Ray cluster.
- :mod:`mipnet.verify` -- robustness and output bounds of mipnet networks and
  ONNX files.
"""

from ._native import NETWORK_FORMAT_VERSION, __version__
from ._estimator import MIPNetClassifier
from . import verify
from .selection import Selection, select

__all__ = ["MIPNetClassifier", "select", "Selection", "verify", "NETWORK_FORMAT_VERSION", "__version__"]

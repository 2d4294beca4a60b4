"""The classifiers of the workbook.

As CS231n's ``classifiers`` package, this one re-exports the k-nearest-neighbour and the
linear classifiers, so ``from cs231n_utils.classifiers import KNearestNeighbor, LinearSVM,
Softmax`` works. The networks are imported from their modules
(``cs231n_utils.classifiers.fc_net``, ``.cnn``, ``.rnn``), as in CS231n.

The re-exported names are imported on first use (PEP 562), not when the package is
imported: importing ``cs231n_utils.classifiers.rnn`` does not import the modules of
01 and 02, so an unfinished module of one assignment never breaks another's imports.
"""

from __future__ import annotations

import importlib
from typing import Any

#: The re-exported names and the module of each.
_EXPORTS = {
    "KNearestNeighbor": "k_nearest_neighbor",
    "LinearClassifier": "linear_classifier",
    "LinearSVM": "linear_classifier",
    "Softmax": "linear_classifier",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a re-exported class from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    """The package's names, with the re-exported ones."""
    return sorted({*globals(), *_EXPORTS})

"""CS231n's module name for its data loaders: ``from cs231n_utils.data_utils import ...``.

The loaders live in :mod:`cs231n_utils.data`; this module only re-exports the ones CS231n's
``data_utils`` has under the same names, so an import line written for CS231n works with
``cs231n.`` renamed to ``cs231n_utils.``.
"""

from cs231n_utils.data import get_CIFAR10_data, load_CIFAR10

__all__ = ["get_CIFAR10_data", "load_CIFAR10"]

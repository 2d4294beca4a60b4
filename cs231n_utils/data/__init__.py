"""Image data for the workbook: CIFAR-10 when downloaded, Fashion-MNIST otherwise.

Nothing here touches the network. The real CIFAR-10 is fetched once by
``bash datasets/get_datasets.sh``; until then the notebooks run on a balanced
Fashion-MNIST subset committed as ``datasets/fashion_mnist_subset.npz``.

The usual entry point is :func:`load_image_data`, which picks the data, splits off a
validation set and says in one line what it uses. The lower-level readers
(:func:`load_CIFAR10`, :func:`load_fashion_mnist_idx`, :func:`load_embedded_fashion_mnist`,
:func:`read_idx`) check what they read and raise :class:`DatasetError` naming the file
and the fix when a file is truncated or corrupt.

The modules of this package:

- :mod:`~cs231n_utils.data.paths`: :func:`datasets_dir`, :class:`DatasetError`;
- :mod:`~cs231n_utils.data.cifar10`: the CIFAR-10 pickles, read with a restricted unpickler,
  and CS231n's :func:`get_CIFAR10_data` (split, mean-subtracted, channels first);
- :mod:`~cs231n_utils.data.fashion_mnist`: idx files and the embedded Fashion-MNIST subset;
- :mod:`~cs231n_utils.data.splits`: :func:`load_image_data`, which picks a source and splits it.
- :mod:`~cs231n_utils.data.digits`: scikit-learn's 8x8 digits enlarged to 28x28 (06);
- :mod:`~cs231n_utils.data.transfer_tasks`: the source and target tasks of 06.
- :mod:`~cs231n_utils.data.text`: the Shakespeare text and character batches (07);
- :mod:`~cs231n_utils.data.scenes`: generated captioned scenes and their features (07).

Everything is imported from here: ``from cs231n_utils.data import load_image_data``.
"""

from .cifar10 import CIFAR10_CLASSES, get_CIFAR10_data, load_CIFAR10, load_CIFAR10_class_names
from .digits import DIGITS_CLASSES, load_digits_images
from .fashion_mnist import (
    FASHION_MNIST_CLASSES,
    load_embedded_fashion_mnist,
    load_fashion_mnist_idx,
    read_idx,
)
from .paths import DatasetError, datasets_dir
from .scenes import (
    CLASS_WORDS,
    build_vocab,
    decode_captions,
    encode_captions,
    feature_statistics,
    load_scene_captions,
    make_scenes,
    sample_coco_minibatch,
    scene_features,
)
from .splits import SOURCES, load_image_data
from .text import CharVocab, char_batches, load_shakespeare, split_text
from .transfer_tasks import (
    SOURCE_CLASSES,
    TARGET_A_CLASSES,
    load_transfer_task,
    take_per_class,
)

# Public as well, though outside __all__ as before the split: the file and folder names
# and DATASETS_ENV (datasets/make_embedded_subset.py imports some of them).
from .cifar10 import CIFAR10_DIRNAME as CIFAR10_DIRNAME  # isort: skip
from .cifar10 import CIFAR10_META_FILE as CIFAR10_META_FILE  # isort: skip
from .cifar10 import CIFAR10_TEST_FILE as CIFAR10_TEST_FILE  # isort: skip
from .cifar10 import CIFAR10_TRAIN_FILES as CIFAR10_TRAIN_FILES  # isort: skip
from .fashion_mnist import DEBIAN_FASHION_MNIST as DEBIAN_FASHION_MNIST  # isort: skip
from .fashion_mnist import EMBEDDED_FILENAME as EMBEDDED_FILENAME  # isort: skip
from .fashion_mnist import FASHION_MNIST_DIRNAME as FASHION_MNIST_DIRNAME  # isort: skip
from .fashion_mnist import FASHION_MNIST_FILES as FASHION_MNIST_FILES  # isort: skip
from .paths import DATASETS_ENV as DATASETS_ENV  # isort: skip

__all__ = [
    "CIFAR10_CLASSES",
    "CLASS_WORDS",
    "CharVocab",
    "DIGITS_CLASSES",
    "DatasetError",
    "FASHION_MNIST_CLASSES",
    "SOURCES",
    "SOURCE_CLASSES",
    "TARGET_A_CLASSES",
    "build_vocab",
    "char_batches",
    "datasets_dir",
    "decode_captions",
    "encode_captions",
    "feature_statistics",
    "get_CIFAR10_data",
    "load_CIFAR10",
    "load_CIFAR10_class_names",
    "load_digits_images",
    "load_embedded_fashion_mnist",
    "load_fashion_mnist_idx",
    "load_image_data",
    "load_scene_captions",
    "load_shakespeare",
    "load_transfer_task",
    "make_scenes",
    "read_idx",
    "sample_coco_minibatch",
    "scene_features",
    "split_text",
    "take_per_class",
]

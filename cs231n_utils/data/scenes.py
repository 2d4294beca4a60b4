"""Generated scenes for the image captioning of 07_rnn: two Fashion-MNIST items and a caption.

A scene is a 56 x 56 grey canvas with two items of the embedded Fashion-MNIST subset
(:func:`~cs231n_utils.data.load_embedded_fashion_mnist`), either side by side or one above
the other. Each item is drawn at full size (28 x 28) or, with probability ``p_small``
(0.25 by default), at half size (14 x 14, "small"). The caption says what is where, always
naming the left (or top) item first::

    "a sneaker left of a bag"          side by side
    "a small shirt above a dress"      one above the other, the top one small

Class words (:data:`CLASS_WORDS`): t-shirt, trouser, pullover, dress, coat, sandal, shirt,
sneaker, bag, boot. The two items are always of different classes. Captions have 5 to 8
words; the vocabulary of all scenes has 15 words (plus the special tokens).

Placement: side by side, a full-size left item touches the left edge of the canvas or is
up to 2 pixels to the right of it, a full-size right item the same on the right (so they
overlap by at most 4 pixel columns, where the brighter pixel wins); a small item is
centred in its half, up to 3 pixels off. On the other axis every item is centred, up to 3
pixels off. One above the other is the same turned by 90 degrees. The positions vary
little on purpose: the features of :func:`scene_features` pool a coarse grid, and an item
that wanders over the canvas is much harder to recognise from them (a linear probe of the
left item's class from the features fell from about 0.7 to 0.6 when the items could be
anywhere across the canvas).

Scenes are deterministic: the same ``(n, seed, split)`` gives the same scenes. The items
of each split come from different source images: ``"train"`` from the 10,000 training
images of the subset, ``"val"`` and ``"test"`` from its 2,000 test images (``"val"`` the
first 100 of each class in file order, ``"test"`` the other 100), so held-out scenes show
items the captioner has never seen.

- :func:`make_scenes`: images and captions (and what was drawn where);
- :func:`build_vocab`, :func:`encode_captions`, :func:`decode_captions`: words to indices
  and back, with ``<NULL>`` = 0, ``<START>``, ``<END>`` as CS231n's captioning data;
- :func:`load_scene_captions`: all of the above as CS231n's captioning data dict
  (``train_captions``, ``train_image_idxs``, ``train_features``, ``word_to_idx``, ...),
  and :func:`sample_coco_minibatch`, CS231n's minibatch sampler over such a dict;
- :func:`scene_features`: image features from the pretrained CNN of 06
  (:func:`cs231n_utils.pretrained.load_pretrained`), average-pooled to a small spatial grid
  so that "left of" and "above" can be read from them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .fashion_mnist import EMBEDDED_FILENAME, load_embedded_fashion_mnist
from .paths import datasets_dir
from .transfer_tasks import PIXEL_MEAN, PIXEL_STD

if TYPE_CHECKING:  # torch is imported where it is used: `cs231n_utils.data` stays light
    from torch import nn

__all__ = [
    "CANVAS_SIZE",
    "CLASS_WORDS",
    "FEATURE_GRID",
    "ITEM_SIZE",
    "NULL",
    "P_SMALL",
    "RELATIONS",
    "REFERENCE_SCENES",
    "REFERENCE_SEED",
    "SCENE_SPLITS",
    "SMALL_SIZE",
    "SPECIAL_TOKENS",
    "START",
    "END",
    "UNK",
    "build_vocab",
    "decode_captions",
    "encode_captions",
    "feature_statistics",
    "load_scene_captions",
    "make_scenes",
    "sample_coco_minibatch",
    "scene_features",
]

#: Side of the square canvas, pixels.
CANVAS_SIZE = 56
#: Side of a full-size and of a small item, pixels.
ITEM_SIZE = 28
SMALL_SIZE = 14
#: The caption word of each Fashion-MNIST class 0-9.
CLASS_WORDS = ("t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "boot")
#: The two layouts, as they appear in the captions: side by side, one above the other.
RELATIONS = ("left of", "above")
#: Values of ``make_scenes(split=...)``.
SCENE_SPLITS = ("train", "val", "test")
#: Probability that an item is drawn small (default of ``make_scenes``).
P_SMALL = 0.25
#: The special tokens: padding, start and end of a caption, unknown word.
NULL, START, END, UNK = "<NULL>", "<START>", "<END>", "<UNK>"
SPECIAL_TOKENS = (NULL, START, END, UNK)
#: Default side of the grid of pooled features (3: F = 64 * 9 = 576).
FEATURE_GRID = 3
#: The scenes whose features give the normalisation of :func:`scene_features`.
REFERENCE_SCENES = 500
REFERENCE_SEED = 12345

# How far (pixels) a small item may be off the centre of its half, and any item off the
# centre on the other axis (a full-size item moves 0-2 pixels inwards from the edge).
_JITTER = 3


# ----------------------------------------------------------------------------- scenes


@functools.lru_cache(maxsize=2)
def _source_images(path: str) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per split: (images of the source array, their labels, positions usable by the split)."""
    Xtr, ytr, Xte, yte = load_embedded_fashion_mnist(path)
    # "val": the first half of each class of the test images in file order; "test": the rest.
    val = np.zeros(len(yte), dtype=bool)
    for c in np.unique(yte):
        members = np.flatnonzero(yte == c)
        val[members[: len(members) // 2]] = True
    return {
        "train": (Xtr, ytr, np.arange(len(ytr))),
        "val": (Xte, yte, np.flatnonzero(val)),
        "test": (Xte, yte, np.flatnonzero(~val)),
    }


def _check_count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}.")
    return int(value)


def _place(rng: np.random.Generator, size: int, half: int) -> tuple[int, int]:
    """(along, across) of an item's top-left corner.

    ``along`` is on the axis that separates the two items: a full-size item touches the
    outer edge of its half (0 or 1) of the canvas or is up to 2 pixels closer to the middle;
    a small one is centred in its half, up to ``_JITTER`` pixels off. ``across`` is on the
    other axis: centred, up to ``_JITTER`` pixels off.
    """
    if size == ITEM_SIZE:
        inward = int(rng.integers(0, 3))
        along = inward if half == 0 else CANVAS_SIZE - size - inward
    else:
        along = half * (CANVAS_SIZE // 2) + (CANVAS_SIZE // 2 - size) // 2
        along += int(rng.integers(-_JITTER, _JITTER + 1))
    across = (CANVAS_SIZE - size) // 2 + int(rng.integers(-_JITTER, _JITTER + 1))
    return along, across


def make_scenes(n: int, seed: int, split: str = "train",
                p_small: float = P_SMALL) -> dict[str, Any]:
    """Draw ``n`` captioned scenes (see the module docstring).

    Parameters
    ----------
    n : int
        Number of scenes, >= 0.
    seed : int
        Seed (>= 0); the same ``(n, seed, split, p_small)`` always gives the same scenes,
        and the first ``k`` scenes of ``n`` are those of ``k``.
    split : {"train", "val", "test"}, default "train"
        Which source images the items come from: the subset's training images, or one of
        two disjoint halves of its test images.
    p_small : float, default 0.25
        Probability that an item is drawn at half size (each item independently).

    Returns
    -------
    dict
        ``"images"``: float32 ``(n, 1, 56, 56)``, values in [0, 1];
        ``"captions"``: list of ``n`` str;
        ``"classes"``: int64 ``(n, 2)``, the Fashion-MNIST class of the first-named
        (left or top) and the second-named item;
        ``"relations"``: list of ``n`` str, ``"left of"`` or ``"above"``;
        ``"small"``: bool ``(n, 2)``;
        ``"corners"``: int64 ``(n, 2, 2)``, the (row, column) of each item's top-left pixel;
        ``"source_index"``: int64 ``(n, 2)``, each item's position in the source array;
        ``"source"``: ``"train"`` or ``"test"``, the array of the embedded subset that
        ``source_index`` points into (``"test"`` for the splits ``"val"`` and ``"test"``);
        ``"split"``: the split.

    Raises
    ------
    ValueError
        If ``n``, ``seed``, ``split`` or ``p_small`` is not accepted.
    FileNotFoundError, DatasetError
        If the embedded Fashion-MNIST file is missing or corrupt (the message says how to
        restore it).
    """
    n = _check_count("n", n, 0)
    seed = _check_count("seed", seed, 0)
    if split not in SCENE_SPLITS:
        raise ValueError(f"split must be one of {', '.join(map(repr, SCENE_SPLITS))}; "
                         f"got {split!r}.")
    if isinstance(p_small, bool) or not isinstance(p_small, float | int) or not (
            0 <= p_small <= 1):
        raise ValueError(f"p_small must be a probability in [0, 1], got {p_small!r}.")
    X, y, usable = _source_images(str(datasets_dir() / EMBEDDED_FILENAME))[split]
    pools = [usable[y[usable] == c] for c in range(len(CLASS_WORDS))]
    rng = np.random.default_rng([seed, SCENE_SPLITS.index(split)])

    images = np.zeros((n, 1, CANVAS_SIZE, CANVAS_SIZE), dtype=np.float32)
    classes = np.zeros((n, 2), dtype=np.int64)
    small = np.zeros((n, 2), dtype=bool)
    corners = np.zeros((n, 2, 2), dtype=np.int64)
    source_index = np.zeros((n, 2), dtype=np.int64)
    relations: list[str] = []
    captions: list[str] = []
    for i in range(n):
        # Everything of scene i is drawn in this fixed order, so scene i depends only on
        # the draws before it: prefixes of n scenes are the scenes of smaller n.
        vertical = bool(rng.integers(2))
        pair = rng.choice(len(CLASS_WORDS), size=2, replace=False)
        words = []
        for k in range(2):
            c = int(pair[k])
            pos = int(pools[c][rng.integers(len(pools[c]))])
            is_small = bool(rng.random() < p_small)
            item = X[pos].astype(np.float32) / np.float32(255.0)
            if is_small:  # 2 x 2 average pooling: 28 x 28 -> 14 x 14
                item = item.reshape(SMALL_SIZE, 2, SMALL_SIZE, 2).mean(axis=(1, 3))
            size = item.shape[0]
            along, across = _place(rng, size, k)
            row, col = (along, across) if vertical else (across, along)
            window = images[i, 0, row:row + size, col:col + size]
            np.maximum(window, item, out=window)
            classes[i, k], small[i, k], source_index[i, k] = c, is_small, pos
            corners[i, k] = (row, col)
            words.append(f"a {'small ' if is_small else ''}{CLASS_WORDS[c]}")
        relation = RELATIONS[int(vertical)]
        relations.append(relation)
        captions.append(f"{words[0]} {relation} {words[1]}")
    return {
        "images": images,
        "captions": captions,
        "classes": classes,
        "relations": relations,
        "small": small,
        "corners": corners,
        "source_index": source_index,
        "source": "train" if split == "train" else "test",
        "split": split,
    }


# ----------------------------------------------------------------------------- words


def _words(caption: object, i: int) -> list[str]:
    if not isinstance(caption, str):
        raise ValueError(f"captions must be strings; caption {i} is a "
                         f"{type(caption).__name__}: {caption!r:.60}.")
    words = caption.split()
    specials = [w for w in words if w in SPECIAL_TOKENS]
    if specials:
        raise ValueError(f"caption {i} ({caption!r}) holds the special token {specials[0]!r}; "
                         f"captions are plain words, the tokens are added by encode_captions.")
    return words


def build_vocab(captions: Iterable[str], add_unk: bool = False) -> dict[str, int]:
    """Number the words of some captions.

    Words are what ``str.split()`` gives (the captions of :func:`make_scenes` are lower
    case, without punctuation).

    Parameters
    ----------
    captions : iterable of str
    add_unk : bool, default False
        Add ``"<UNK>"``: :func:`encode_captions` then writes it for words outside the
        vocabulary instead of raising an error.

    Returns
    -------
    dict of str to int
        ``word_to_idx``: ``"<NULL>"`` = 0, ``"<START>"`` = 1, ``"<END>"`` = 2,
        (``"<UNK>"`` = 3,) then the words in sorted order.

    Raises
    ------
    ValueError
        If a caption is not a str or holds a special token.
    """
    words: set[str] = set()
    for i, caption in enumerate(captions):
        words.update(_words(caption, i))
    tokens = [NULL, START, END] + ([UNK] if add_unk else [])
    return {w: i for i, w in enumerate(tokens + sorted(words))}


def _check_vocab(word_to_idx: Mapping[str, int], needed: Sequence[str]) -> None:
    if not isinstance(word_to_idx, Mapping):
        raise ValueError(f"word_to_idx must be a dict of word to index (build_vocab), got "
                         f"{type(word_to_idx).__name__}.")
    missing = [t for t in needed if t not in word_to_idx]
    if missing:
        raise ValueError(f"word_to_idx lacks {', '.join(missing)}; make it with build_vocab.")


def encode_captions(captions: Sequence[str], word_to_idx: Mapping[str, int],
                    max_length: int) -> np.ndarray:
    """Captions as rows of word indices: ``<START>``, the words, ``<END>``, ``<NULL>``...

    Parameters
    ----------
    captions : sequence of str
        ``N`` captions.
    word_to_idx : dict of str to int
        The vocabulary (:func:`build_vocab`), with ``<NULL>``, ``<START>`` and ``<END>``.
        If it has ``<UNK>``, unknown words become ``<UNK>``; otherwise they are an error.
    max_length : int
        The most words a caption may have (>= 1).

    Returns
    -------
    numpy.ndarray of int64, shape (N, max_length + 2)
        As the ``captions`` of :meth:`CaptioningRNN.loss
        <cs231n_utils.classifiers.rnn.CaptioningRNN.loss>`.

    Raises
    ------
    ValueError
        If a caption has more than ``max_length`` words (naming the caption and the
        longest length), holds a word not in ``word_to_idx`` (naming the word) and there
        is no ``<UNK>``, or an argument is of the wrong kind.
    """
    max_length = _check_count("max_length", max_length, 1)
    _check_vocab(word_to_idx, (NULL, START, END))
    if isinstance(captions, str):
        raise ValueError("captions must be a sequence of str; wrap a single caption in a "
                         "list.")
    tokenised = [_words(c, i) for i, c in enumerate(captions)]
    too_long = [i for i, w in enumerate(tokenised) if len(w) > max_length]
    if too_long:
        i = too_long[0]
        longest = max(len(w) for w in tokenised)
        raise ValueError(
            f"caption {i} ({captions[i]!r}) has {len(tokenised[i])} words, more than "
            f"max_length={max_length} ({len(too_long)} caption(s) are too long; the longest "
            f"has {longest} words): pass max_length={longest} or more.")
    unk = word_to_idx.get(UNK)
    out = np.full((len(tokenised), max_length + 2), word_to_idx[NULL], dtype=np.int64)
    for i, words in enumerate(tokenised):
        row = [word_to_idx[START]]
        for w in words:
            index = word_to_idx.get(w, unk)
            if index is None:
                raise ValueError(
                    f"caption {i} ({captions[i]!r}) has the word {w!r}, which is not in "
                    f"word_to_idx; build the vocabulary from captions that contain it "
                    f"(build_vocab), or with add_unk=True to map unknown words to {UNK}.")
            row.append(index)
        row.append(word_to_idx[END])
        out[i, :len(row)] = row
    return out


def decode_captions(captions: np.ndarray,
                    vocab: Mapping[str, int] | Mapping[int, str] | Sequence[str]
                    ) -> list[str] | str:
    """Rows of word indices back to sentences.

    Each row is read up to its first ``<END>``; ``<NULL>`` and ``<START>`` are left out.

    Parameters
    ----------
    captions : array-like of int, shape (N, L) or (L,)
    vocab : dict of str to int, dict of int to str, or sequence of str
        ``word_to_idx`` (:func:`build_vocab`) or its inverse ``idx_to_word``.

    Returns
    -------
    list of str, or str
        One sentence per row; a single str for a 1-D input.

    Raises
    ------
    ValueError
        If ``captions`` is not 1-D or 2-D integer data or holds an index that is not a word.
    """
    if isinstance(vocab, Mapping) and vocab and all(isinstance(k, str) for k in vocab):
        idx_to_word = {int(i): w for w, i in vocab.items()}
    elif isinstance(vocab, Mapping):
        idx_to_word = {int(i): str(w) for i, w in vocab.items()}
    elif isinstance(vocab, Sequence) and not isinstance(vocab, str):
        idx_to_word = dict(enumerate(vocab))
    else:
        raise ValueError(f"vocab must be word_to_idx or idx_to_word, got "
                         f"{type(vocab).__name__}.")
    arr = np.asarray(captions)
    if arr.ndim not in (1, 2) or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"captions must be integer indices of shape (N, L) or (L,), got "
                         f"{arr.dtype} of shape {arr.shape}.")
    sentences = []
    for row in np.atleast_2d(arr):
        words = []
        for index in row.tolist():
            word = idx_to_word.get(index)
            if word is None:
                raise ValueError(f"captions hold {index}, which is not a word index of vocab "
                                 f"({len(idx_to_word)} words).")
            if word == END:
                break
            if word not in (NULL, START):
                words.append(word)
        sentences.append(" ".join(words))
    return sentences[0] if arr.ndim == 1 else sentences


# ----------------------------------------------------------------------------- features


@functools.lru_cache(maxsize=2)
def _default_model(path: str) -> nn.Module:
    from ..pretrained import MissingCheckpointError, load_pretrained

    try:
        return load_pretrained(path)
    except MissingCheckpointError as err:
        raise MissingCheckpointError(
            f"scene_features needs the pretrained network of 06_transfer_learning: {err}"
        ) from err


def _raw_features(images: np.ndarray, model: nn.Module, grid: int,
                  batch_size: int = 100) -> np.ndarray:
    """Pooled, flattened body features, float32 (N, 64 * grid * grid); not normalised."""
    import torch
    from torch.nn import functional as F

    X = np.asarray(images, dtype=np.float32)
    was_training = model.training
    model.eval()
    out = []
    try:
        with torch.inference_mode():
            # An empty input still goes through once, to learn the number of channels.
            for start in range(0, max(len(X), 1), batch_size):
                x = X[start:start + batch_size] if len(X) else np.zeros((1, *X.shape[1:]))
                x = torch.from_numpy(((x - PIXEL_MEAN) / PIXEL_STD).astype(np.float32))
                f = F.adaptive_avg_pool2d(model.features(x), grid)
                out.append(f.flatten(1).numpy())
    finally:
        model.train(was_training)
    feats = np.concatenate(out)[:len(X)]
    return np.ascontiguousarray(feats, dtype=np.float32)


def _check_images(images: object) -> np.ndarray:
    X = np.asarray(images)
    if X.ndim != 4 or X.shape[1] != 1 or X.shape[2] < 8 or X.shape[3] < 8:
        raise ValueError(f"images must have shape (N, 1, H, W) with H, W >= 8, as "
                         f"make_scenes gives them; got shape {X.shape}.")
    if not np.issubdtype(X.dtype, np.floating):
        raise ValueError(f"images must be floats in [0, 1] (make_scenes), got {X.dtype}; "
                         f"divide 0..255 pixels by 255.")
    if X.size and (not np.isfinite(X).all() or X.min() < -0.01 or X.max() > 1.01):
        raise ValueError(f"images must hold values in [0, 1] (make_scenes), got values in "
                         f"[{X.min():.3g}, {X.max():.3g}]; divide 0..255 pixels by 255.")
    return X.astype(np.float32, copy=False)


def _check_grid(grid: object) -> int:
    if isinstance(grid, bool) or not isinstance(grid, int | np.integer) or not 1 <= grid <= 7:
        raise ValueError(f"grid must be an int from 1 to 7 (the body's output is 7 x 7 for a "
                         f"56 x 56 scene), got {grid!r}.")
    return int(grid)


@functools.lru_cache(maxsize=8)
def _default_statistics(path: str, grid: int, data_path: str) -> tuple[np.ndarray, np.ndarray]:
    return _statistics(_default_model(path), grid)


def _statistics(model: nn.Module, grid: int) -> tuple[np.ndarray, np.ndarray]:
    scenes = make_scenes(REFERENCE_SCENES, REFERENCE_SEED, split="train")
    feats = _raw_features(scenes["images"], model, grid).astype(np.float64)
    mean = feats.mean(axis=0)
    std = feats.std(axis=0)
    std[std < 1e-6] = 1.0  # a feature that never changes (a dead channel) stays at 0
    return mean.astype(np.float32), std.astype(np.float32)


def feature_statistics(model: nn.Module | None = None,
                       grid: int = FEATURE_GRID) -> tuple[np.ndarray, np.ndarray]:
    """The mean and standard deviation that :func:`scene_features` normalises with.

    They are the per-feature mean and standard deviation of the raw features of a fixed
    set of scenes: ``make_scenes(REFERENCE_SCENES, REFERENCE_SEED, split="train")``
    (500 training scenes). Fixed statistics treat every set of scenes the same way
    (training, validation, a single scene), unlike statistics of the scenes at hand.

    Parameters
    ----------
    model : SmallCNN, optional
        The network; by default the pretrained one (its statistics are computed once per
        process and cached). For another model they are computed at every call (about
        a second).
    grid : int, default 3
        Side of the pooling grid.

    Returns
    -------
    mean, std : numpy.ndarray of float32, shape (64 * grid * grid,)
        ``std`` is 1 for features that are constant on the reference scenes.
    """
    grid = _check_grid(grid)
    if model is None:
        from ..pretrained import default_checkpoint_path

        data_path = str(datasets_dir() / EMBEDDED_FILENAME)
        mean, std = _default_statistics(str(default_checkpoint_path()), grid, data_path)
        return mean.copy(), std.copy()
    return _statistics(model, grid)


def scene_features(images: np.ndarray, model: nn.Module | None = None,
                   grid: int = FEATURE_GRID, normalise: bool = True) -> np.ndarray:
    """Image features of scenes for the captioner: CNN features on a coarse spatial grid.

    The scenes go through the convolutional body of the pretrained network of 06
    (``model.features``: three conv-ReLU-pool blocks; the pixels normalised as in its
    pretraining, ``(x - 0.311) / 0.361``). For a 56 x 56 scene the body gives 64 channels on
    a 7 x 7 grid; an adaptive average pooling reduces it to ``grid x grid`` cells (for
    ``grid=3``, rows and columns 0-2, 2-4 and 4-6 of the 7 x 7 grid: left, middle, right
    by top, middle, bottom), and the result is flattened channel by channel (feature
    ``k * grid * grid + cell``). Unlike a global average, the cells keep where things are,
    so "a bag left of a coat" and "a coat left of a bag" get different features.

    With ``normalise=True`` every feature is standardised with the fixed statistics of
    :func:`feature_statistics`, so features are about zero-mean and unit-variance on
    training scenes.

    Parameters
    ----------
    images : numpy.ndarray, shape (N, 1, H, W)
        Scenes with values in [0, 1], as :func:`make_scenes` gives them.
    model : SmallCNN, optional
        A network with a ``features`` body; by default the pretrained one
        (:func:`cs231n_utils.pretrained.load_pretrained`, loaded once per process).
    grid : int, default 3
        Side of the pooling grid; ``F = 64 * grid * grid`` (576 for 3, 256 for 2). With
        the scenes of :func:`make_scenes`, 3 captioned held-out scenes a little better than
        2 (BLEU-4 0.71 against 0.68 for an LSTM captioner on 3,000 scenes).
    normalise : bool, default True
        Standardise with :func:`feature_statistics`.

    Returns
    -------
    numpy.ndarray of float32, shape (N, F)

    Raises
    ------
    ValueError
        If ``images`` is not float data of shape (N, 1, H, W) in [0, 1] or ``grid`` is
        not an int from 1 to 7.
    MissingCheckpointError
        If the pretrained checkpoint is missing: run ``make pretrain``.
    PretrainedError
        If it is corrupt (the message names the file and ``make pretrain``).
    """
    X = _check_images(images)
    grid = _check_grid(grid)
    if model is None:
        from ..pretrained import default_checkpoint_path

        net = _default_model(str(default_checkpoint_path()))
    else:
        net = model
    feats = _raw_features(X, net, grid)
    if normalise:
        mean, std = feature_statistics(model, grid)
        feats = (feats - mean) / std
    return feats.astype(np.float32, copy=False)


# ----------------------------------------------------------------------------- CS231n's data dict


def load_scene_captions(num_train: int = 2000, num_val: int = 500, *, seed: int = 0,
                        val_split: str = "val", verbose: bool = True) -> dict[str, Any]:
    """Captioned scenes as CS231n's captioning data dict (its ``load_coco_data``'s keys).

    Draws ``make_scenes(num_train, seed, "train")`` and ``make_scenes(num_val, seed,
    val_split)``, numbers the words of the training captions (:func:`build_vocab`),
    encodes both (:func:`encode_captions`, ``max_length`` the longest training caption)
    and computes their :func:`scene_features`. Each scene has one caption, so
    ``<split>_image_idxs`` is ``0 .. N - 1``. There are no image URLs: the images
    themselves are under ``<split>_images`` (:func:`sample_coco_minibatch` returns them
    where CS231n returns URLs).

    Parameters
    ----------
    num_train : int, default 2000
        Training scenes, >= 1.
    num_val : int, default 500
        Validation scenes, >= 0.
    seed : int, default 0
        Seed of both :func:`make_scenes` calls.
    val_split : {"val", "test"}, default "val"
        Which held-out items the ``val`` scenes are drawn from.
    verbose : bool, default True
        Print one line saying what the data are (generated scenes, not COCO).

    Returns
    -------
    dict
        ``train_captions``, ``val_captions``: int64 ``(N, T)`` (``<START>`` ... ``<END>``,
        ``<NULL>`` padding); ``train_image_idxs``, ``val_image_idxs``: int64 ``(N,)``;
        ``train_features``, ``val_features``: float32 ``(N, 576)``; ``train_images``,
        ``val_images``: float32 ``(N, 1, 56, 56)``; ``word_to_idx``: dict of str to int;
        ``idx_to_word``: list of str (index to word, as CS231n's).

    Raises
    ------
    ValueError
        If a count, the seed or ``val_split`` is not accepted (naming it).
    MissingCheckpointError
        If the pretrained network of 06 is missing (``make pretrain``).
    """
    num_train = _check_count("num_train", num_train, 1)
    num_val = _check_count("num_val", num_val, 0)
    if val_split not in ("val", "test"):
        raise ValueError(f"val_split must be 'val' or 'test', got {val_split!r}.")
    train = make_scenes(num_train, seed, split="train")
    val = make_scenes(num_val, seed, split=val_split)
    word_to_idx = build_vocab(train["captions"], add_unk=True)
    max_length = max(len(c.split()) for c in train["captions"])
    data: dict[str, Any] = {"word_to_idx": word_to_idx,
                            "idx_to_word": [w for w, _ in sorted(word_to_idx.items(),
                                                                 key=lambda item: item[1])]}
    for name, scenes in (("train", train), ("val", val)):
        longest = max((len(c.split()) for c in scenes["captions"]), default=0)
        data[f"{name}_captions"] = encode_captions(scenes["captions"], word_to_idx,
                                                   max(max_length, longest))
        data[f"{name}_image_idxs"] = np.arange(len(scenes["captions"]), dtype=np.int64)
        data[f"{name}_features"] = scene_features(scenes["images"])
        data[f"{name}_images"] = scenes["images"]
    width = max(data["train_captions"].shape[1], data["val_captions"].shape[1])
    for name in ("train", "val"):  # one caption length for both splits
        caps = data[f"{name}_captions"]
        pad = np.full((len(caps), width - caps.shape[1]), word_to_idx[NULL], dtype=np.int64)
        data[f"{name}_captions"] = np.concatenate([caps, pad], axis=1)
    if verbose:
        print(f"Generated caption scenes (not COCO): {num_train} train, {num_val} {val_split} "
              f"scenes, {len(word_to_idx)} words, captions of {width} tokens, features "
              f"{data['train_features'].shape[1]}.")
    return data


def sample_coco_minibatch(data: Mapping[str, Any], batch_size: int = 100,
                          split: str = "train") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random minibatch of captions and their images' features, as CS231n's sampler.

    ``batch_size`` captions are drawn with replacement with ``np.random`` (so
    ``np.random.seed`` makes it reproducible, as in CS231n).

    Parameters
    ----------
    data : dict
        With ``<split>_captions``, ``<split>_image_idxs``, ``<split>_features`` and
        ``<split>_urls`` or ``<split>_images`` (:func:`load_scene_captions`).
    batch_size : int, default 100
        Captions to draw, >= 1.
    split : str, default "train"
        ``"train"`` or ``"val"`` (any split whose keys ``data`` has).

    Returns
    -------
    captions : numpy.ndarray of int, shape (batch_size, T)
    features : numpy.ndarray, shape (batch_size, D)
        The features of each caption's image.
    urls : numpy.ndarray
        The image URLs when ``data`` has ``<split>_urls`` (CS231n's COCO), else the
        images themselves, shape (batch_size, 1, 56, 56) for the scenes.

    Raises
    ------
    ValueError
        If ``split`` has no captions in ``data`` (naming the splits it has) or
        ``batch_size`` is not a positive integer.
    """
    batch_size = _check_count("batch_size", batch_size, 1)
    splits = sorted(k[:-len("_captions")] for k in data if str(k).endswith("_captions"))
    if split not in splits:
        raise ValueError(f"split must be one of {splits} (the splits data has captions for), "
                         f"got {split!r}.")
    missing = [f"{split}_{k}" for k in ("image_idxs", "features") if f"{split}_{k}" not in data]
    if missing:
        raise ValueError(f"data lacks {', '.join(missing)}; make it with load_scene_captions.")
    captions = np.asarray(data[f"{split}_captions"])
    mask = np.random.choice(len(captions), batch_size)
    image_idxs = np.asarray(data[f"{split}_image_idxs"])[mask]
    features = np.asarray(data[f"{split}_features"])[image_idxs]
    where = f"{split}_urls" if f"{split}_urls" in data else f"{split}_images"
    urls = np.asarray(data[where])[image_idxs] if where in data else np.array([])
    return captions[mask], features, urls

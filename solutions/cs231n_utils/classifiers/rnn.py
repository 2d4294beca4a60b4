"""An image captioning network: image features in, a sentence out, one word at a time.

The image's feature vector (from a CNN) is projected to the recurrent network's initial
hidden state; the caption's words, turned into vectors by a word embedding, are the
inputs of the recurrent network; at every time step a temporal affine layer scores the
vocabulary for the next word::

    h0 = features @ W_proj + b_proj                        (N, H)
    x = W_embed[captions_in]                               (N, T, W)
    h = rnn_forward(x, h0, Wx, Wh, b)   (or lstm / gru)    (N, T, H)
    scores = h @ W_vocab + b_vocab                         (N, T, V)

Trained with "teacher forcing": the network reads the true caption shifted by one word
(``<START> a bag ...``) and must predict each next word (``a bag ... <END>``); positions
after ``<END>`` are ``<NULL>`` padding and are masked out of the loss.

Assignment 07_rnn.
"""

from __future__ import annotations

import os

import numpy as np

# CS231n's notebooks star-import the layers and the recurrent layers through this module
# (`from cs231n_utils.classifiers.rnn import *`), hence the star imports and the __all__
# below. The names imported by name are what the answers use (the student's stub does not
# use them until it is filled in).
from cs231n_utils import layers as _layers
from cs231n_utils import rnn_layers as _rnn_layers
from cs231n_utils.layers import *  # noqa: F403
from cs231n_utils.model_io import ModelFileError, load_arrays, load_model, save_model, take
from cs231n_utils.rnn_layers import *  # noqa: F403
from cs231n_utils.rnn_layers import (  # noqa: F401
    gru_backward,
    gru_forward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_forward,
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)

__all__ = sorted({"CELL_TYPES", "CaptioningRNN", *_layers.__all__, *_rnn_layers.__all__})

#: The recurrent cells a CaptioningRNN can use, and their number of gate blocks.
CELL_TYPES = {"rnn": 1, "lstm": 4, "gru": 3}


class CaptioningRNN:
    """A recurrent network that writes captions for image features.

    Parameters
    ----------
    word_to_idx : dict of str to int
        The vocabulary: ``V`` words numbered 0 to V - 1, with ``"<NULL>"`` (padding) and,
        to sample captions, ``"<START>"`` and ``"<END>"``.
    input_dim : int, default 512
        ``D``, the length of an image's feature vector.
    wordvec_dim : int, default 128
        ``W``, the length of a word vector.
    hidden_dim : int, default 128
        ``H``, the size of the hidden state.
    cell_type : {"rnn", "lstm", "gru"}, default "rnn"
        The recurrent cell ("gru" goes beyond CS231n).
    dtype : numpy dtype, default numpy.float32
        Of every parameter; float64 for gradient checks.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``W_proj`` (D, H), ``b_proj`` (H,), ``W_embed`` (V, W), ``Wx`` (W, G * H),
        ``Wh`` (H, G * H), ``b`` (G * H,), ``W_vocab`` (H, V), ``b_vocab`` (V,), with
        ``G`` = 1 (rnn), 4 (lstm) or 3 (gru). Drawn as CS231n does: ``W_embed`` from
        ``randn / 100``, every other matrix from ``randn / sqrt(rows)``, biases 0.
    word_to_idx, idx_to_word : dict
    cell_type : str
    dtype : numpy dtype
    """

    def __init__(
        self,
        word_to_idx: dict[str, int],
        input_dim: int = 512,
        wordvec_dim: int = 128,
        hidden_dim: int = 128,
        cell_type: str = "rnn",
        dtype: type = np.float32,
    ) -> None:
        if cell_type not in CELL_TYPES:
            raise ValueError(f"cell_type must be one of {tuple(CELL_TYPES)}, got {cell_type!r}")
        if "<NULL>" not in word_to_idx:
            raise ValueError("word_to_idx must contain '<NULL>', the padding word (and "
                             "'<START>' and '<END>' to sample captions)")
        for name, value in (("input_dim", input_dim), ("wordvec_dim", wordvec_dim),
                            ("hidden_dim", hidden_dim)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.cell_type = cell_type
        self.dtype = dtype
        self.word_to_idx = dict(word_to_idx)
        self.idx_to_word = {i: w for w, i in word_to_idx.items()}
        self._null = word_to_idx["<NULL>"]
        self._start = word_to_idx.get("<START>")
        self._end = word_to_idx.get("<END>")
        V, G = len(word_to_idx), CELL_TYPES[cell_type]
        D, W, H = input_dim, wordvec_dim, hidden_dim
        self.params: dict[str, np.ndarray] = {
            "W_proj": np.random.randn(D, H) / np.sqrt(D),
            "b_proj": np.zeros(H),
            "W_embed": np.random.randn(V, W) / 100,
            "Wx": np.random.randn(W, G * H) / np.sqrt(W),
            "Wh": np.random.randn(H, G * H) / np.sqrt(H),
            "b": np.zeros(G * H),
            "W_vocab": np.random.randn(H, V) / np.sqrt(H),
            "b_vocab": np.zeros(V),
        }
        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(
        self, features: np.ndarray, captions: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Loss and gradients of one minibatch, with teacher forcing.

        Parameters
        ----------
        features : numpy.ndarray, shape (N, D)
            Image features.
        captions : numpy.ndarray of int, shape (N, T + 1)
            Word indices of the true captions: ``<START>``, the words, ``<END>``, then
            ``<NULL>`` padding.

        Returns
        -------
        loss : float
            :func:`~cs231n_utils.rnn_layers.temporal_softmax_loss` of the scores for
            ``captions[:, 1:]`` given ``captions[:, :-1]``, positions whose target is
            ``<NULL>`` masked out.
        grads : dict of str to numpy.ndarray
            The gradient of ``loss`` for every entry of ``self.params``.

        Raises
        ------
        ValueError
            If ``features`` is not (N, D), or ``captions`` not (N, T + 1) with T >= 1.
        """
        self._check_features(features)
        if np.ndim(captions) != 2 or np.shape(captions)[0] != len(features) \
                or np.shape(captions)[1] < 2:
            raise ValueError(f"captions must have shape (N, T + 1) = ({len(features)}, >= 2): "
                             f"<START>, words, <END>, padding; got shape {np.shape(captions)}")
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        mask = captions_out != self._null
        p = self.params
        ### BEGIN SOLUTION (07_rnn, section 9 "Image captioning")
        forward, backward = {"rnn": (rnn_forward, rnn_backward),
                             "lstm": (lstm_forward, lstm_backward),
                             "gru": (gru_forward, gru_backward)}[self.cell_type]
        h0 = features @ p["W_proj"] + p["b_proj"]
        x, embed_cache = word_embedding_forward(captions_in, p["W_embed"])
        h, rnn_cache = forward(x, h0, p["Wx"], p["Wh"], p["b"])
        scores, vocab_cache = temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
        loss, dscores = temporal_softmax_loss(scores, captions_out, mask)

        grads = {}
        dh, grads["W_vocab"], grads["b_vocab"] = temporal_affine_backward(dscores, vocab_cache)
        dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = backward(dh, rnn_cache)
        grads["W_embed"] = word_embedding_backward(dx, embed_cache)
        grads["W_proj"] = features.T @ dh0
        grads["b_proj"] = dh0.sum(axis=0)
        ### END SOLUTION
        return loss, grads

    def sample(self, features: np.ndarray, max_length: int = 30) -> np.ndarray:
        """Greedy captions: at each step feed back the highest-scoring word.

        Starts from the projected features and ``<START>``; the word chosen at step ``t``
        is the input of step ``t + 1``. Every caption gets ``max_length`` words (what comes
        after an ``<END>`` is meaningless and ignored by :meth:`decode`).

        Parameters
        ----------
        features : numpy.ndarray, shape (N, D)
        max_length : int, default 30
            Words to generate, at least 1.

        Returns
        -------
        captions : numpy.ndarray of int, shape (N, max_length)
            Word indices (``<START>`` not included).

        Raises
        ------
        ValueError
            If ``features`` is not (N, D) or ``max_length`` not a positive integer.
        """
        self._check_features(features)
        if isinstance(max_length, bool) or not isinstance(max_length, int | np.integer) \
                or max_length < 1:
            raise ValueError(f"max_length must be a positive integer, got {max_length!r}")
        if self._start is None:
            raise ValueError("word_to_idx has no '<START>': sample() needs it to begin")
        N = len(features)
        captions = np.full((N, max_length), self._null, dtype=np.int64)
        p = self.params
        ### BEGIN SOLUTION (07_rnn, section 9 "Image captioning")
        h = features @ p["W_proj"] + p["b_proj"]
        c = np.zeros_like(h)
        words = np.full(N, self._start)
        for t in range(max_length):
            x = p["W_embed"][words]
            if self.cell_type == "rnn":
                h, _ = rnn_step_forward(x, h, p["Wx"], p["Wh"], p["b"])
            elif self.cell_type == "lstm":
                h, c, _ = lstm_step_forward(x, h, c, p["Wx"], p["Wh"], p["b"])
            else:
                h, _ = gru_step_forward(x, h, p["Wx"], p["Wh"], p["b"])
            scores = h @ p["W_vocab"] + p["b_vocab"]
            words = np.argmax(scores, axis=1)
            captions[:, t] = words
        ### END SOLUTION
        return captions

    def decode(self, captions: np.ndarray) -> list[str]:
        """Word indices to sentences: up to the first ``<END>``, without ``<NULL>`` and
        ``<START>`` (given).

        Raises
        ------
        ValueError
            If an index is not a word of the vocabulary.
        """
        sentences = []
        for row in np.atleast_2d(captions):
            words = []
            for index in row:
                word = self.idx_to_word.get(int(index))
                if word is None:
                    raise ValueError(f"captions hold {int(index)}, not a word index of this "
                                     f"vocabulary (0 to {len(self.idx_to_word) - 1})")
                if word == "<END>":
                    break
                if word not in ("<NULL>", "<START>"):
                    words.append(word)
            sentences.append(" ".join(words))
        return sentences

    def save(self, fname: str | os.PathLike[str]) -> None:
        """Write the network to the ``.npz`` archive ``fname`` (no pickle).

        Saved: ``params``, ``cell_type`` and the vocabulary (the words in index order).

        Parameters
        ----------
        fname : str or path-like
            The file to write, exactly as given; its folder must exist.
        """
        words = [w for _, w in sorted(self.idx_to_word.items())]
        save_model(fname, self, {"meta:cell_type": self.cell_type,
                                 "meta:words": np.array(words, dtype=str)})

    def load(self, fname: str | os.PathLike[str]) -> bool:
        """Read a network written by :meth:`save` into this one.

        Build the network with the vocabulary, sizes and cell type it was saved with,
        then load.

        Parameters
        ----------
        fname : str or path-like
            The file given to :meth:`save`.

        Returns
        -------
        bool
            True (as CS231n's ``load``); a missing file raises instead of returning False.

        Raises
        ------
        FileNotFoundError
            If ``fname`` does not exist.
        ModelFileError
            If the file is damaged, was saved by another class, with another cell type
            or vocabulary, or a parameter is missing or of another shape (the message
            names the file and the key).
        """
        arrays = load_arrays(fname, type(self).__name__)
        cell_type = str(take(arrays, "meta:cell_type", fname, ()))
        if cell_type != self.cell_type:
            raise ModelFileError(f"{fname}: 'meta:cell_type' is {cell_type!r}, but this "
                                 f"network's cell_type is {self.cell_type!r}")
        words = [str(w) for w in take(arrays, "meta:words", fname)]
        mine = [w for _, w in sorted(self.idx_to_word.items())]
        if words != mine:
            raise ModelFileError(f"{fname}: 'meta:words' ({len(words)} words) is not this "
                                 f"network's vocabulary ({len(mine)} words): build it with "
                                 f"the word_to_idx it was saved with")
        load_model(fname, self)
        return True

    def _check_features(self, features: np.ndarray) -> None:
        D = self.params["W_proj"].shape[0]
        if np.ndim(features) != 2 or np.shape(features)[1] != D:
            raise ValueError(f"features must have shape (N, D) = (N, {D}); got shape "
                             f"{np.shape(features)}")

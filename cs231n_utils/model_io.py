"""Saving and loading trained models as ``.npz`` archives, without pickle.

The models' ``save(fname)`` and ``load(fname)`` methods (the names CS231n uses to hand in
trained models) call :func:`save_arrays` and :func:`load_arrays`. A file holds only NumPy
arrays of numbers and strings, written with :func:`numpy.savez` and read with
``allow_pickle=False``, so opening a model file can never run code.

A file records what wrote it (``__model__``, the class name) and a format version
(``__format__``); everything else is the model's arrays under names such as
``param:W1`` (a parameter), ``meta:reg`` (a setting) or ``bn0:running_mean`` (state).

The file is written at exactly ``fname``: ``model.save("best_net.npy")`` writes an ``.npz``
archive named ``best_net.npy`` (NumPy recognises the format by its content), so the same
name works for ``load``.

Errors name the file and, for a missing or mismatched array, its key:

- :class:`FileNotFoundError` for a file that does not exist;
- :class:`ModelFileError` (a :class:`ValueError`) for a file that is truncated, not an
  ``.npz`` archive, holds pickled objects, was written by another model class, or lacks
  a key or has an array of another shape than the model expects.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = [
    "FORMAT",
    "ModelFileError",
    "load_arrays",
    "load_model",
    "load_params",
    "save_arrays",
    "save_model",
    "take",
]

#: Written under ``__format__``; a file with another value is refused.
FORMAT = "cs231n_utils.model/1"


class ModelFileError(ValueError):
    """A model file exists but cannot be loaded into this model (the message says why)."""


def save_arrays(fname: str | os.PathLike[str], model_name: str,
                arrays: Mapping[str, np.ndarray | float | int | str]) -> Path:
    """Write ``arrays`` and the model's class name to the ``.npz`` archive ``fname``.

    Parameters
    ----------
    fname : str or path-like
        The file to write, exactly as given (no suffix is added); its folder must exist.
    model_name : str
        The class of the model, checked by :func:`load_arrays`.
    arrays : mapping of str to array-like
        What to store. Values become NumPy arrays; object arrays are refused (they would
        need pickle to be read back).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        If a value is not numbers, booleans or strings, or a key starts with ``__``.
    FileNotFoundError
        If the folder of ``fname`` does not exist.
    """
    path = Path(fname).expanduser()
    payload: dict[str, np.ndarray] = {"__format__": np.array(FORMAT),
                                      "__model__": np.array(model_name)}
    for key, value in arrays.items():
        if key.startswith("__"):
            raise ValueError(f"array names may not start with '__', got {key!r}")
        array = np.asarray(value)
        if array.dtype.kind not in "biufcU":
            raise ValueError(f"{key} has dtype {array.dtype}; only numbers, booleans and "
                             f"strings can be saved without pickle")
        payload[key] = array
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: the folder {path.parent} does not "
                                f"exist")
    with open(path, "wb") as f:
        np.savez(f, **payload)  # a file object: NumPy adds no ".npz" to the name
    return path


def load_arrays(fname: str | os.PathLike[str], model_name: str) -> dict[str, np.ndarray]:
    """Read a file written by :func:`save_arrays` for a ``model_name``.

    Parameters
    ----------
    fname : str or path-like
        The file, as given to ``save``.
    model_name : str
        The class of the model loading it; a file of another class is refused.

    Returns
    -------
    dict of str to numpy.ndarray
        Every array of the file except ``__format__`` and ``__model__``.

    Raises
    ------
    FileNotFoundError
        If ``fname`` does not exist.
    ModelFileError
        If the file is truncated or corrupt, is not such an archive, holds pickled
        objects, or was saved by another class of model.
    """
    path = Path(fname).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"model file {path} does not exist: save the model first "
                                f"(model.save({str(fname)!r}))")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x93NUMPY"):
        raise ModelFileError(f"{path} is a single .npy array, not a model file written by "
                             f"save(): save the model again")
    if not magic.startswith(b"PK"):
        raise ModelFileError(f"{path} is not a model file written by save() (not an .npz "
                             f"archive; empty or another format): save the model again")
    arrays: dict[str, np.ndarray] = {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            for key in archive.files:
                arrays[key] = archive[key]
    except ValueError as err:  # NumPy refuses object arrays without pickle
        if "pickle" in str(err):
            raise ModelFileError(f"{path} holds pickled objects, which are never loaded (they "
                                 f"could run code); save the model again with save()") from err
        raise ModelFileError(f"{path} is not a model file written by save() ({err})") from err
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ModelFileError(f"{path} is truncated or corrupt ({type(err).__name__}: {err}); "
                             f"save the model again") from err
    fmt = arrays.pop("__format__", None)
    saved_by = arrays.pop("__model__", None)
    if fmt is None or str(fmt) != FORMAT:
        raise ModelFileError(f"{path} is not a model file written by save() (key "
                             f"'__format__' is {None if fmt is None else str(fmt)!r}, "
                             f"expected {FORMAT!r})")
    if saved_by is None or str(saved_by) != model_name:
        what = "no model name" if saved_by is None else f"a {saved_by}"
        raise ModelFileError(f"{path} holds {what} (key '__model__'), not a {model_name}: "
                             f"load it into the class that saved it")
    return arrays


def take(arrays: Mapping[str, np.ndarray], key: str, path: str | os.PathLike[str],
         shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``arrays[key]``, checking it is there and (when given) of shape ``shape``.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        What :func:`load_arrays` returned.
    key : str
        The array wanted.
    path : str or path-like
        The file the arrays came from (for the message).
    shape : tuple of int, optional
        The shape the array must have.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ModelFileError
        Naming ``path`` and ``key`` when the key is missing or the shape differs.
    """
    if key not in arrays:
        raise ModelFileError(f"{path} has no array {key!r}: it was saved from a model of "
                             f"another architecture or is damaged")
    value = arrays[key]
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ModelFileError(f"{path}: {key!r} has shape {tuple(value.shape)}, but this model's "
                             f"is {tuple(shape)}: build the model with the architecture it was "
                             f"saved from")
    return value


def load_params(arrays: Mapping[str, np.ndarray], path: str | os.PathLike[str],
                params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The saved ``param:<name>`` arrays, checked against a model's ``params``.

    Every parameter of the model must be in the file with its shape, and the file may
    hold no other parameter. The values keep each current parameter's dtype.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        What :func:`load_arrays` returned.
    path : str or path-like
        The file the arrays came from (for the message).
    params : mapping of str to numpy.ndarray
        The model's current parameters.

    Returns
    -------
    dict of str to numpy.ndarray
        The saved parameters, under the model's names.

    Raises
    ------
    ModelFileError
        Naming ``path`` and the first key that is missing, extra or of another shape.
    """
    saved = {k[len("param:"):] for k in arrays if k.startswith("param:")}
    extra = sorted(saved - set(params))
    if extra:
        raise ModelFileError(f"{path} has the parameter 'param:{extra[0]}', which this model "
                             f"does not have (its parameters: {sorted(params)}): build the "
                             f"model with the architecture it was saved from")
    return {name: take(arrays, f"param:{name}", path, value.shape).astype(value.dtype)
            for name, value in params.items()}


def save_model(fname: str | os.PathLike[str], model: object,
               extra: Mapping[str, np.ndarray | float | int | str] | None = None) -> Path:
    """Save a network's ``params`` (as ``param:<name>``), its ``reg`` and ``extra`` arrays.

    Parameters
    ----------
    fname : str or path-like
        The file to write, exactly as given.
    model : object
        A network with ``params`` (dict of arrays) and ``reg``.
    extra : mapping of str to array-like, optional
        More arrays to store (state such as batch normalisation's running averages).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    arrays: dict[str, np.ndarray | float | int | str] = {
        f"param:{name}": value for name, value in model.params.items()}
    arrays["meta:reg"] = float(getattr(model, "reg", 0.0))
    arrays.update(extra or {})
    path = save_arrays(fname, type(model).__name__, arrays)
    print(f"{type(model).__name__} saved to {path}")
    return path


def load_model(fname: str | os.PathLike[str], model: object) -> dict[str, np.ndarray]:
    """Load a file of :func:`save_model` into ``model``: its ``params`` and ``reg``.

    The model must have the architecture the file was saved from: every parameter is
    checked by name and shape before any is replaced, so a failed load leaves the model
    as it was.

    Parameters
    ----------
    fname : str or path-like
        The file given to ``save``.
    model : object
        A network of the class that saved the file, with ``params`` and ``reg``.

    Returns
    -------
    dict of str to numpy.ndarray
        All the file's arrays, for the model's own state (``extra`` of :func:`save_model`).

    Raises
    ------
    FileNotFoundError
        If ``fname`` does not exist.
    ModelFileError
        If the file is damaged, of another class, or a parameter is missing, extra or of
        another shape (the message names the file and the key).
    """
    arrays = load_arrays(fname, type(model).__name__)
    params = load_params(arrays, fname, model.params)
    reg = float(take(arrays, "meta:reg", fname, ()))
    model.params = params
    if hasattr(model, "reg"):
        model.reg = reg
    print(f"{type(model).__name__} loaded from {fname}")
    return arrays


class SavesParams:
    """``save(fname)`` / ``load(fname)`` for a network whose state is its ``params`` and
    ``reg`` (CS231n's methods of the same names, here as ``.npz`` without pickle)."""

    def save(self, fname: str | os.PathLike[str]) -> None:
        """Write ``params`` and ``reg`` to the ``.npz`` archive ``fname`` (no pickle).

        Parameters
        ----------
        fname : str or path-like
            The file to write, exactly as given (``"net.npy"`` is an ``.npz`` archive
            named so); its folder must exist.
        """
        save_model(fname, self)

    def load(self, fname: str | os.PathLike[str]) -> bool:
        """Read ``params`` and ``reg`` written by :meth:`save` into this network.

        Build the network with the sizes it was saved with, then load.

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
            If the file is damaged, was saved by another class, or a parameter is missing
            or of another shape (the message names the file and the key).
        """
        load_model(fname, self)
        return True

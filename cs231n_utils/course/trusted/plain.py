"""Plain data across the trust boundary: arrays, numbers and strings, never code.

What a sandboxed worker sends back to the trusted side is written with :func:`save_plain`
and read with :func:`load_plain`: an ``.npz`` file read with ``allow_pickle=False`` after its
headers were checked, so a hostile file can neither run code (no pickle, no object arrays)
nor make the reader allocate more than the file holds. Keys are ``"<case>/<name>"``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

#: The array kinds that may cross: booleans, integers, floats, complex, text.
PLAIN_KINDS = frozenset("biufcU")
#: The most one result file may hold, uncompressed.
MAX_BYTES = 256 * 2**20
MAX_ARRAYS = 10_000
_CASE = "_case"
_KEY = re.compile(r"^(\d{1,4})/([A-Za-z0-9_.:-]{1,100})$")


class NotPlainData(ValueError):
    """A file or a value that is not plain data; the message says what is wrong."""


def to_plain(value: Any) -> np.ndarray:
    """``value`` as a plain NumPy array, or :class:`NotPlainData`.

    Accepts what a graded function returns: arrays, numbers, strings, booleans, nested
    lists of them, and PyTorch tensors (detached, moved to the CPU).
    """
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch.Tensor
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in PLAIN_KINDS:
        raise NotPlainData(f"a value of type {type(value).__name__} is not plain data "
                           f"(array kind {array.dtype.kind!r})")
    return np.array(array, order="C", copy=True)


def save_plain(path: Path, cases: list[dict[str, Any]]) -> None:
    """Write one dict of values per case to ``path`` (an ``.npz``, uncompressed)."""
    arrays = {}
    for index, case in enumerate(cases):
        arrays[f"{index}/{_CASE}"] = np.array(index)  # so that a case with no values counts
        for name, value in case.items():
            key = f"{index}/{name}"
            if not _KEY.match(key) or name == _CASE:
                raise NotPlainData(f"the name {name!r} cannot be sent (letters, digits, _.:-)")
            arrays[key] = to_plain(value)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _check_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a member whose header asks for more bytes than it holds, or a non-plain kind."""
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise NotPlainData(f"{info.filename}: unknown array format {version}")
    if dtype.kind not in PLAIN_KINDS or dtype.hasobject or dtype.fields:
        raise NotPlainData(f"{info.filename}: array kind {dtype.str!r} is not plain data")
    if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize > info.file_size:
        raise NotPlainData(f"{info.filename}: the header asks for more data than the file has")


def load_plain(path: Path) -> list[dict[str, np.ndarray]]:
    """Read a file written by :func:`save_plain`; :class:`NotPlainData` if it is anything
    else (too large, not an npz, object arrays, bad names)."""
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise NotPlainData(f"{path.name} is larger than {MAX_BYTES >> 20} MB")
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if len(members) > MAX_ARRAYS:
                raise NotPlainData(f"{path.name} holds {len(members)} arrays")
            if sum(m.file_size for m in members) > MAX_BYTES:
                raise NotPlainData(f"{path.name} unpacks to more than {MAX_BYTES >> 20} MB")
            for info in members:
                _check_member(zf, info)
        cases: dict[int, dict[str, np.ndarray]] = {}
        with np.load(path, allow_pickle=False) as data:
            for key in data.files:
                match = _KEY.match(key)
                if not match:
                    raise NotPlainData(f"{path.name}: unexpected entry {key!r}")
                cases.setdefault(int(match[1]), {})[match[2]] = np.array(data[key])
    except NotPlainData:
        raise
    except Exception as error:  # a truncated or forged file: whatever numpy/zipfile says
        raise NotPlainData(f"{path.name} is not a readable result file "
                           f"({type(error).__name__}: {error})") from None
    if sorted(cases) != list(range(len(cases))):
        raise NotPlainData(f"{path.name}: cases {sorted(cases)} are not numbered 0, 1, ...")
    for case in cases.values():
        case.pop(_CASE, None)
    return [cases[i] for i in range(len(cases))]

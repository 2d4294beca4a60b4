"""Where the workbook's data live, and the error the readers raise for a bad file.

:func:`datasets_dir` finds the data folder (the environment variable, an overlay's
``_overlay.json``, or the repository's ``datasets/``); :class:`DatasetError` is what every
reader in :mod:`cs231n_utils.data` raises when a file exists but is truncated or corrupt.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: Environment variable that points the loaders (and get_datasets.sh) at another folder.
DATASETS_ENV = "CS231N_DATASETS"

# ``_overlay.json`` lives in the ``cs231n_utils`` package folder, one level above this
# subpackage: cs231n_utils/course/overlay.py writes it there.
_OVERLAY_FILE = Path(__file__).parent.parent / "_overlay.json"


class DatasetError(ValueError):
    """A data file exists but is truncated, corrupt or not in the expected format.

    The message names the file and says how to get a good copy.
    """


def datasets_dir() -> Path:
    """Return the folder that holds the workbook's data.

    Resolution order:

    1. the environment variable ``CS231N_DATASETS`` when it is set and not empty;
    2. the key ``"datasets_dir"`` of ``_overlay.json`` in the ``cs231n_utils`` package
       folder, when that file exists (a relative path is taken relative to that folder);
    3. ``datasets/`` next to the package, i.e. the repository's own ``datasets/``.

    Returns
    -------
    pathlib.Path
        The folder. It is not checked to exist: the loaders say what is missing.

    Raises
    ------
    DatasetError
        If ``_overlay.json`` exists but is not a JSON object with a string value for
        ``"datasets_dir"`` (when the key is present).
    """
    from_env = os.environ.get(DATASETS_ENV)
    if from_env:
        return Path(from_env).expanduser()
    if _OVERLAY_FILE.is_file():
        try:
            overlay = json.loads(_OVERLAY_FILE.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise DatasetError(
                f"{_OVERLAY_FILE} is not valid JSON ({err}); fix or delete it."
            ) from err
        if not isinstance(overlay, dict):
            raise DatasetError(f"{_OVERLAY_FILE} must hold a JSON object; fix or delete it.")
        if "datasets_dir" in overlay:
            value = overlay["datasets_dir"]
            if not isinstance(value, str) or not value:
                raise DatasetError(
                    f'{_OVERLAY_FILE}: "datasets_dir" must be a non-empty string path, '
                    f"got {value!r}; fix or delete the file."
                )
            return (_OVERLAY_FILE.parent / Path(value).expanduser()).resolve()
    return Path(__file__).resolve().parents[2] / "datasets"

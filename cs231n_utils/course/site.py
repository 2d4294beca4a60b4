"""The walkthrough site for self-learners: every solution notebook, executed, as a website.

``python -m cs231n_utils.course.site`` (``make site``) executes every solution notebook with
the solutions overlaid, as ``make walkthroughs`` does (into ``walkthroughs/<assignment>/``),
then builds a static website from them with Sphinx, MyST-NB and the Furo theme
(configuration in ``site_conf/``): a home page with the assignments table of the README, a
page per notebook with its outputs and pictures, navigation and search. The site is
``walkthroughs/site/index.html``; it builds offline and works opened from disk.
``CS231N_QUICK=1`` executes the notebooks in quick mode (minutes instead of ten), and
``--from DIR`` builds from notebooks executed before (``DIR/<assignment>/*.ipynb``).

:func:`check_site` checks every page's internal links and images; ``make site`` runs it
after building and fails on any problem.
"""

from __future__ import annotations

import argparse
import html
import html.parser
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import nbformat

from cs231n_utils.course import REPO_ROOT
from cs231n_utils.course.walkthroughs import WALKTHROUGHS_DIR, run_walkthroughs

#: The Sphinx configuration folder (``conf.py``).
CONF_DIR = Path(__file__).resolve().parent / "site_conf"
#: Where ``make site`` writes the website.
SITE_DIR = WALKTHROUGHS_DIR / "site"
README = REPO_ROOT / "README.md"
QUICK_NOTE = ("These pages were built in quick mode (`CS231N_QUICK=1`): every experiment ran "
              "on smaller sizes, so their numbers are lower and noisier than the table's.")


@dataclass
class AssignmentsTable:
    """The README's table of assignments ("## The assignments"), cells as written there."""

    header: list[str]
    rows: list[list[str]]

    def ids(self) -> list[str]:
        """The assignment ids of the first column, without their backticks."""
        return [row[0].strip("`") for row in self.rows]


def readme_assignments(readme: str) -> AssignmentsTable:
    """Read the assignments table from the README's text.

    Parameters
    ----------
    readme : str
        The text of ``README.md``.

    Returns
    -------
    AssignmentsTable
        Its header and rows, each cell stripped but otherwise as written.

    Raises
    ------
    ValueError
        If the README has no "## The assignments" section with a table.
    """
    match = re.search(r"^## The assignments\s*$(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    lines = [line.strip() for line in (match.group(1) if match else "").splitlines()]
    table = []
    for line in lines:
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip("|").split("|")])
        elif table:
            break
    if len(table) < 3 or not set("".join(table[1])) <= set("-: "):
        raise ValueError("README.md has no table under '## The assignments'")
    return AssignmentsTable(header=table[0], rows=table[2:])


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def home_page(table: AssignmentsTable, notebooks: dict[str, str],
              seconds: dict[str, float], quick: bool) -> str:
    """The home page (MyST Markdown): the assignments table with a link to each notebook.

    Parameters
    ----------
    table : AssignmentsTable
        The README's table; every cell but the first is copied as written.
    notebooks : dict
        Assignment id -> the notebook's document path in the site (``01_knn/01_knn.ipynb``).
    seconds : dict
        Assignment id -> how long its notebook ran for this build (may be empty).
    quick : bool
        Whether the notebooks ran in quick mode (the page says so).

    Returns
    -------
    str
        The page's Markdown.
    """
    header = [f"{table.header[0]} (walkthrough)", *table.header[1:]]
    if seconds:
        header.insert(3, "this build" + (" (quick mode)" if quick else ""))
    lines = [
        "# CS231n-style workbook: the walkthroughs",
        "",
        "Every notebook of the workbook, run top to bottom with the complete solutions: the "
        "explanations, the code, its outputs and its pictures. Work through a notebook "
        "yourself first (`make lab`); come here to compare, or to read ahead.",
        "",
        *([f"```{{note}}\n{QUICK_NOTE}\n```", ""] if quick else []),
        "| " + " | ".join(_md_cell(h) for h in header) + " |",
        "|" + "---|" * len(header),
    ]
    for row, ident in zip(table.rows, table.ids(), strict=True):
        cells = list(row)
        cells[0] = f"[{ident}]({notebooks[ident]})" if ident in notebooks else cells[0]
        if seconds:
            cells.insert(3, f"{seconds[ident]:.0f} s" if ident in seconds else "not run")
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    missing = [i for i in notebooks if i not in table.ids()]
    for ident in missing:  # a notebook that the README does not list yet
        cells = [f"[{ident}]({notebooks[ident]})"] + [""] * (len(header) - 1)
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "The run times and results above are the README's, measured on two cores "
              "in full mode; CS231n's figures for CIFAR-10 are in parentheses.", "",
              "```{toctree}", ":hidden:", ":caption: Notebooks", "",
              *notebooks.values(), "```", ""]
    return "\n".join(lines)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def freeze_progress_bars(nb: nbformat.NotebookNode) -> int:
    """Replace tqdm's progress-bar widgets by static HTML of their final state.

    A widget needs JavaScript that would come from a CDN, and its text form is the bar as
    it was drawn first (0%). The notebook keeps each widget's last state in its metadata:
    a tqdm bar is an HBox of a label, a progress bar and a label. Each such output becomes
    ``<div class="progress-bar">label <progress> label</div>`` (and the same as text);
    outputs of widgets without a saved state (bars closed by ``leave=False``) are removed.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook, changed in place (its widget state is dropped).

    Returns
    -------
    int
        How many bars were frozen.
    """
    state = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    frozen = 0

    def model(ref: str) -> dict:
        return state.get(ref.removeprefix("IPY_MODEL_"), {})

    for cell in nb.cells:
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(output)
                continue
            box = model(view.get("model_id", ""))
            parts = [model(child) for child in box.get("state", {}).get("children", [])]
            names = [part.get("model_name") for part in parts]
            if names[1:2] not in (["FloatProgressModel"], ["IntProgressModel"]) or len(parts) != 3:
                continue  # closed, or not a progress bar: nothing to show without JavaScript
            left, bar, right = (part["state"] for part in parts)
            texts = [html.unescape(str(s.get("value", ""))).replace("\u2007", " ").strip()
                     for s in (left, right)]
            value, top = bar.get("value", 0), bar.get("max", 100)
            filled = "\u2588" * round(10 * min(max(value / (top or 1), 0), 1))
            style = html.escape(str(bar.get("bar_style") or ""), quote=True)
            output["data"] = {
                "text/html": (f'<div class="progress-bar {style}">'
                              f"<span>{html.escape(texts[0])}</span> "
                              f'<progress value="{value}" max="{top}"></progress> '
                              f"<span>{html.escape(texts[1])}</span></div>"),
                "text/plain": f"{texts[0]}|{filled:<10}|{texts[1]}",
            }
            frozen += 1
            outputs.append(output)
        if "outputs" in cell:
            cell.outputs = outputs
    return frozen


def mark_answers(nb: nbformat.NotebookNode) -> None:
    """Turn nbgrader's answer markers into plain text for readers.

    In the solution notebooks an inline question's answer sits between nbgrader's begin-
    and end-solution marker lines, which Markdown shows as headings: the first
    becomes "**Our answer.**", the second goes (in code cells both go).
    """
    for cell in nb.cells:
        lines = []
        for line in cell.source.splitlines():
            marker = re.fullmatch(r"\s*#+\s*(BEGIN|END) SOLUTION\s*", line)
            if marker is None:
                lines.append(line)
            elif marker.group(1) == "BEGIN" and cell.cell_type == "markdown":
                lines.append("**Our answer.**")
        cell.source = "\n".join(lines)


def write_sources(executed: dict[str, Path], src_dir: Path, *, seconds: dict[str, float],
                  quick: bool, readme: Path = README) -> dict[str, str]:
    """Lay out the Sphinx source folder: the executed notebooks and the home page.

    Parameters
    ----------
    executed : dict
        Assignment id -> its executed ``.ipynb``.
    src_dir : Path
        The source folder (emptied first).
    seconds : dict
        Assignment id -> run time for this build (may be empty).
    quick : bool
        Whether the notebooks ran in quick mode.
    readme : Path
        The README whose assignments table the home page shows.

    Returns
    -------
    dict
        Assignment id -> the notebook's document path in the site.
    """
    if src_dir.exists():
        shutil.rmtree(src_dir)
    src_dir.mkdir(parents=True)
    docs = {}
    for ident, notebook in executed.items():
        (src_dir / ident).mkdir()
        nb = nbformat.read(notebook, as_version=4)
        freeze_progress_bars(nb)
        mark_answers(nb)
        nbformat.write(nb, src_dir / ident / notebook.name)
        docs[ident] = f"{ident}/{notebook.name}"
    page = home_page(readme_assignments(readme.read_text()), docs, seconds, quick)
    (src_dir / "index.md").write_text(page)
    return docs


def build_html(src_dir: Path, out_dir: Path, doctree_dir: Path) -> None:
    """Build the site with Sphinx (warnings are errors; nothing is fetched).

    Parameters
    ----------
    src_dir : Path
        The folder from :func:`write_sources`.
    out_dir : Path
        Where the HTML goes (emptied first).
    doctree_dir : Path
        Sphinx's cache (emptied first).

    Raises
    ------
    RuntimeError
        If Sphinx fails or warns; the message has its output.
    """
    for folder in (out_dir, doctree_dir):
        if folder.exists():
            shutil.rmtree(folder)
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(CONF_DIR), "-d",
         str(doctree_dir), "-W", "--keep-going", "-q", "-j", "auto", str(src_dir),
         str(out_dir)],
        capture_output=True, text=True, env=dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1"))
    if proc.returncode != 0:
        raise RuntimeError(f"sphinx-build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")


class _Refs(html.parser.HTMLParser):
    """Collects a page's ids and the URLs of its links, images, scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        for name in ("id", "name") if tag == "a" else ("id",):
            if name in values:
                self.ids.add(values[name])
        for name in ("href", "src"):
            if name in values:
                self.refs.append((tag, name, values[name]))


def _parse(page: Path) -> _Refs:
    parser = _Refs()
    parser.feed(page.read_text(errors="replace"))
    return parser


def is_picture(path: Path) -> bool:
    """Whether a file is a non-empty PNG, JPEG, GIF or SVG image (by its content)."""
    try:
        head = path.read_bytes()[:512]
    except OSError:
        return False
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return True
    text = head.lstrip().lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in path.read_bytes()


def check_site(site: Path) -> list[str]:
    """Check every page of a built site: links, anchors, images, no remote assets.

    Every ``href``/``src`` without a scheme must name an existing file inside the site, and
    its ``#fragment`` (also on same-page links) an ``id`` of the target page; every ``<img>``
    must be a real picture file (:func:`is_picture`); no page may load a script, style
    sheet or image from the network (``<script src>``, ``<link href>`` of a style sheet,
    ``<img src>`` with a scheme): the site must work opened from disk.

    Parameters
    ----------
    site : Path
        The site's folder (``index.html`` in it).

    Returns
    -------
    list of str
        One line per problem, ``page: what``; empty when all is well.
    """
    site = Path(site).resolve()
    problems = []
    if not (site / "index.html").is_file():
        return [f"{site}: no index.html"]
    parsed: dict[Path, _Refs] = {}

    def page_ids(path: Path) -> set[str]:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path].ids

    for page in sorted(site.rglob("*.html")):
        refs = parsed.setdefault(page, _parse(page))
        where = page.relative_to(site)
        for tag, attribute, url in refs.refs:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme or url.startswith("//"):
                remote_asset = tag in ("script", "img", "iframe") or (
                    tag == "link" and attribute == "href" and url.split("?")[0].endswith(".css"))
                if remote_asset and parts.scheme in ("http", "https", ""):
                    problems.append(f"{where}: loads <{tag}> from the network: {url}")
                continue
            target = page if not parts.path else (
                page.parent / urllib.parse.unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(site):
                problems.append(f"{where}: {url} points outside the site")
                continue
            if not target.is_file():
                problems.append(f"{where}: {url}: no such file")
                continue
            if tag == "img" and not is_picture(target):
                problems.append(f"{where}: image {url} is not a picture (or empty)")
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in page_ids(target):
                problems.append(f"{where}: {url}: no anchor #{fragment} in "
                                f"{target.relative_to(site)}")
    return problems


def build_site(executed: dict[str, Path], out_dir: Path, *, work_dir: Path,
               seconds: dict[str, float] | None = None, quick: bool = False) -> Path:
    """Build the site from executed notebooks.

    Parameters
    ----------
    executed : dict
        Assignment id -> its executed ``.ipynb``.
    out_dir : Path
        The site's folder.
    work_dir : Path
        Folder for Sphinx's sources and cache (``work_dir/src``, ``work_dir/doctrees``).
    seconds : dict or None
        Assignment id -> run time, shown on the home page.
    quick : bool
        Whether the notebooks ran in quick mode.

    Returns
    -------
    Path
        The home page, ``out_dir/index.html``.
    """
    src = Path(work_dir) / "src"
    write_sources(executed, src, seconds=seconds or {}, quick=quick)
    build_html(src, Path(out_dir), Path(work_dir) / "doctrees")
    return Path(out_dir) / "index.html"


def executed_notebooks(folder: Path) -> dict[str, Path]:
    """The executed notebooks of a walkthroughs folder, ``folder/<assignment>/<name>.ipynb``."""
    found = {}
    for notebook in sorted(Path(folder).glob("*/*.ipynb")):
        if notebook.stem == notebook.parent.name:
            found[notebook.parent.name] = notebook
    return found


def quick_mode() -> bool:
    """Whether ``CS231N_QUICK`` asks for quick mode (as the notebooks read it)."""
    return os.environ.get("CS231N_QUICK", "") not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--from", dest="source", type=Path, metavar="DIR",
                        help="build from notebooks executed before, DIR/<assignment>/*.ipynb")
    parser.add_argument("--out", type=Path, default=SITE_DIR, help=f"default: {SITE_DIR}")
    args = parser.parse_args(argv)
    seconds: dict[str, float] = {}
    if args.source:
        executed = {k: v for k, v in executed_notebooks(args.source).items()
                    if not args.assignments or k in args.assignments}
        if not executed:
            print(f"no executed notebook in {args.source}/<assignment>/", file=sys.stderr)
            return 2
    else:
        try:
            done = run_walkthroughs(args.assignments, html=False)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        executed = {k: path for k, (path, _) in done.items()}
        seconds = {k: s for k, (_, s) in done.items()}
    home = build_site(executed, args.out, work_dir=args.out.parent / ".site-build",
                      seconds=seconds, quick=quick_mode())
    problems = check_site(args.out)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"the site: {home.resolve().as_uri()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

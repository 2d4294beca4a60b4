"""Sphinx configuration of the walkthrough site (``make site``; :mod:`cs231n_utils.course.site`).

The pages are the executed solution notebooks, read by MyST-NB without running them again;
the theme is Furo. Everything the pages load is copied into the site, MathJax included
(from the ``jupyter-server-mathjax`` package), so the site builds without a network and
works opened from disk.
"""

import shutil
from pathlib import Path

import jupyter_server_mathjax

project = "CS231n-style workbook: walkthroughs"
author = "the workbook's authors"
copyright = "the workbook's authors"

extensions = ["myst_nb"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks are executed beforehand (with the solutions overlaid); never again here.
nb_execution_mode = "off"
# tqdm draws its bars as widgets; their JavaScript would come from a CDN. The site shows
# each bar's final text instead (the widget's text/plain), so it needs no network.
nb_ipywidgets_js: dict = {}
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("html", "application/vnd.jupyter.widget-state+json", None),
]
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
smartquotes = False  # code names and the README's table as written
myst_heading_anchors = 3

# MathJax 2 from the jupyter-server-mathjax package, copied into _static/mathjax/.
MATHJAX_DIR = Path(jupyter_server_mathjax.__file__).parent / "static"
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"]],
                               "displayMath": [["\\[", "\\]"]], "processEscapes": True},
                   # the package ships the STIX-Web fonts only (as Jupyter configures it)
                   "HTML-CSS": {"availableFonts": [], "preferredFont": None,
                                "webFont": "STIX-Web", "imageFont": None},
                   "SVG": {"font": "STIX-Web"},
                   "showMathMenu": False, "messageStyle": "none"}
myst_update_mathjax = False

html_theme = "furo"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_title = "CS231n-style workbook: walkthroughs"
html_copy_source = False
html_show_sourcelink = False
# The search box works from disk; its result snippets would fetch each page, which
# browsers refuse for file:// pages.
html_show_search_summary = False
html_last_updated_fmt = None
suppress_warnings = ["mystnb.unknown_mime_type"]


def copy_mathjax(app, exception) -> None:
    """After a successful HTML build, copy MathJax into ``_static/mathjax``."""
    if exception is None and app.builder.format == "html":
        shutil.copytree(MATHJAX_DIR, Path(app.outdir) / "_static" / "mathjax",
                        dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))


def setup(app) -> None:
    app.connect("build-finished", copy_mathjax)

"""`make site`: the walkthrough website. Built here from the solution notebooks executed in
quick mode, without a network; then every page's internal links, anchors and images are
checked, each notebook has its page with pictures, the home page shows the README's
assignments table with a link to each page, and the pages link to each other and are
searchable."""

import html
import html.parser
import os
import re
import shutil
import subprocess
import sys
import warnings
import zlib

import nbformat
import pytest

from cs231n_utils.course import REPO_ROOT
from cs231n_utils.course.notebooks import ipynb_path, notebook_sources
from cs231n_utils.course.site import (
    check_site,
    executed_notebooks,
    freeze_progress_bars,
    mark_answers,
    readme_assignments,
)
from cs231n_utils.course.walkthroughs import run_walkthroughs

SOURCES = notebook_sources(REPO_ROOT / "solutions")
IDS = [s.parent.name for s in SOURCES]


def tiny_png() -> bytes:
    """A valid 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


class Page(html.parser.HTMLParser):
    """A page's text, links (href of <a>), images (src of <img>) and elements by class."""

    def __init__(self, path):
        super().__init__()
        self.text, self.links, self.images, self.classes = [], [], [], []
        self.forms = []
        self.feed(path.read_text())

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append((values.get("class") or "", values["href"]))
        if tag == "form":
            self.forms.append(values.get("action"))
        if tag == "img":
            self.images.append(values.get("src"))
        self.classes += (values.get("class") or "").split()

    def handle_data(self, data):
        self.text.append(data)

    def plain(self) -> str:
        return re.sub(r"\s+", " ", html.unescape("".join(self.text)))


# ---- the parts, on small inputs ---------------------------------------------------------

def test_the_readme_table_lists_every_notebook_in_order():
    table = readme_assignments((REPO_ROOT / "README.md").read_text())
    assert table.ids() == IDS
    assert "CS231n" in table.header[-1]
    assert all(len(row) == len(table.header) for row in table.rows)
    with pytest.raises(ValueError):
        readme_assignments("# a README\n\n## The assignments\n\nno table yet\n")


def test_check_site_finds_each_broken_link_and_image(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "_images").mkdir()
    (site / "_images" / "ok.png").write_bytes(tiny_png())
    (site / "_images" / "empty.png").write_bytes(b"")
    (site / "_images" / "text.png").write_text("not a picture")
    (site / "_images" / "ok.svg").write_text('<?xml version="1.0"?>\n<svg xmlns="x"></svg>')
    (site / "a" / "page.html").write_text(
        '<h1 id="top">A</h1><a href="../index.html#intro">home</a><a href="#top">top</a>'
        '<img src="../_images/ok.png"><img src="../_images/ok.svg">'
        '<a href="https://cs231n.github.io/">the course</a>')
    good = ('<p id="intro"></p><a href="a/page.html">A</a><a href="a/page.html#top">A</a>'
            '<a href="a/">A folder</a><img src="_images/ok.png">')
    (site / "a" / "index.html").write_text("<p>the folder's page</p>")
    (site / "index.html").write_text(good)
    assert check_site(site) == []

    (site / "index.html").write_text(
        good + '<a href="missing.html">x</a><a href="a/page.html#nowhere">y</a>'
        '<a href="#gone">z</a><img src="_images/empty.png"><img src="_images/text.png">'
        '<img src="_images/none.png"><script src="https://cdn.example.org/x.js"></script>'
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">'
        '<a href="../outside.html">o</a>')
    (tmp_path / "outside.html").write_text("")
    problems = check_site(site)
    expected = ["missing.html: no such file", "no anchor #nowhere in a/page.html",
                "#gone: no anchor #gone in index.html", "_images/empty.png is not a picture",
                "_images/text.png is not a picture", "_images/none.png: no such file",
                "loads <script> from the network", "loads <link> from the network",
                "../outside.html points outside the site"]
    for what in expected:
        assert sum(what in p for p in problems) == 1, (what, problems)
    assert len(problems) == len(expected), problems
    assert all(p.startswith("index.html: ") for p in problems)
    assert check_site(tmp_path / "nothing") == [f"{tmp_path / 'nothing'}: no index.html"]


def test_progress_bars_are_frozen_at_their_last_state_and_answer_markers_go():
    state = {
        "box": {"model_name": "HBoxModel",
                "state": {"children": ["IPY_MODEL_l", "IPY_MODEL_b", "IPY_MODEL_r"]}},
        "l": {"model_name": "HTMLModel", "state": {"value": "grid\u2007search:\u2007100%"}},
        "b": {"model_name": "FloatProgressModel",
              "state": {"value": 8.0, "max": 8.0, "bar_style": "success"}},
        "r": {"model_name": "HTMLModel", "state": {"value": "\u20078/8\u2007[00:01&lt;00:00]"}},
    }
    view = "application/vnd.jupyter.widget-view+json"
    nb = nbformat.v4.new_notebook(metadata={"widgets": {
        "application/vnd.jupyter.widget-state+json": {"state": state}}})
    nb.cells = [
        nbformat.v4.new_code_cell("for ...", outputs=[
            nbformat.v4.new_output("display_data", {view: {"model_id": "box"},
                                                    "text/plain": "grid search: 0%"}),
            nbformat.v4.new_output("display_data", {view: {"model_id": "closed"},
                                                    "text/plain": "gone: 0%"}),
            nbformat.v4.new_output("stream", name="stdout", text="done\n")]),
        nbformat.v4.new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
    ]
    assert freeze_progress_bars(nb) == 1
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "stream"]
    bar = "\u2588" * 10
    assert outputs[0].data["text/plain"] == f"grid search: 100%|{bar}|8/8 [00:01<00:00]"
    page = outputs[0].data["text/html"]
    assert '<progress value="8.0" max="8.0">' in page and "success" in page
    assert "grid search: 100%" in page and "[00:01&lt;00:00]" in page
    assert "widgets" not in nb.metadata
    mark_answers(nb)
    assert nb.cells[1].source == "Why?\n\n**Our answer.**\nBecause."


# ---- the whole site, built from the notebooks executed in quick mode --------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Execute every solution notebook in quick mode, then build the site with no network
    (in a network namespace of its own where one can be made: CI runs as root)."""
    work = tmp_path_factory.mktemp("site")
    run_walkthroughs(None, work / "notebooks", html=False, env={"CS231N_QUICK": "1"})
    command = [sys.executable, "-m", "cs231n_utils.course.site", "--from",
               str(work / "notebooks"), "--out", str(work / "site")]
    offline = shutil.which("unshare") and subprocess.run(
        ["unshare", "--net", "--map-root-user", "true"], capture_output=True).returncode == 0
    if offline:
        command = ["unshare", "--net", "--map-root-user", *command]
    elif os.environ.get("CI"):
        pytest.fail("CI must build the site without a network (unshare --net failed)")
    else:
        warnings.warn("unshare --net failed: the site is built with the network reachable",
                      stacklevel=1)
    proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True,
                          env=dict(os.environ, CS231N_QUICK="1"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert "the site: file://" in proc.stdout
    return work / "site"


def notebook_page(site, source):
    return site / source.parent.name / ipynb_path(source).with_suffix(".html").name


@pytest.mark.slow
def test_every_link_anchor_and_image_of_the_site_works(site, tmp_path):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= len(SOURCES) + 3  # + home, search, index
    assert check_site(site) == []
    # and the check is not vacuous on this site: break a picture and an anchor of a copy
    site = shutil.copytree(site, tmp_path / "site")
    image = next((site / "_images").glob("*.png"))
    image.write_bytes(b"")
    home = (site / "index.html").read_text()
    (site / "index.html").write_text(home.replace('href="01_knn/01_knn.html"',
                                                  'href="01_knn/01_knn.html#no-such-part"'))
    problems = check_site(site)
    assert any(f"_images/{image.name} is not a picture" in p for p in problems), problems
    assert any("no anchor #no-such-part" in p for p in problems), problems


@pytest.mark.slow
def test_each_notebook_has_a_page_with_pictures_and_outputs(site):
    for source in SOURCES:
        page_file = notebook_page(site, source)
        assert page_file.is_file(), page_file
        page = Page(page_file)
        pictures = [src for src in page.images if src and "_images/" in src]
        assert pictures, f"{page_file.name}: no picture"
        assert "cell_output" in page.classes, f"{page_file.name}: no outputs"
        assert "PASS" in page.plain(), f"{page_file.name}: no check verdict"
        assert "BEGIN SOLUTION" not in page.plain()
        assert "Traceback" not in page.plain()


@pytest.mark.slow
def test_the_home_page_shows_the_readme_table_and_links_every_notebook(site):
    table = readme_assignments((REPO_ROOT / "README.md").read_text())
    home = Page(site / "index.html")
    text = home.plain()
    for row in table.rows:
        for cell in row[1:]:  # topic, run time, accuracy next to CS231n's figure
            assert re.sub(r"\s+", " ", cell.replace("`", "")) in text, cell
    assert "quick mode" in text
    targets = {href.split("#")[0] for _, href in home.links}
    for source in SOURCES:
        assert notebook_page(site, source).relative_to(site).as_posix() in targets


@pytest.mark.slow
def test_pages_link_to_each_other_in_order_and_are_searchable(site):
    pages = [notebook_page(site, s) for s in SOURCES]
    for i, page_file in enumerate(pages):
        page = Page(page_file)
        hrefs = {href.split("#")[0] for _, href in page.links}
        for other in pages:  # the navigation lists every notebook
            if other != page_file:
                assert os.path.relpath(other, page_file.parent) in hrefs
        following = [href for cls, href in page.links if "next-page" in cls]
        if i + 1 < len(pages):
            assert following == [os.path.relpath(pages[i + 1], page_file.parent)]
        assert "../search.html" in page.forms  # the search box
    index = (site / "searchindex.js").read_text()
    for source in SOURCES:
        title = nbformat.read(executed_notebooks(site.parent / "notebooks")[
            source.parent.name], as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        assert json_string(title) in index, title
    assert "searchindex.js" in (site / "search.html").read_text()


def json_string(text: str) -> str:
    import json

    return json.dumps(text)

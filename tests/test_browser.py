"""The notebooks as a person meets them: JupyterLab in a real browser.

The student's JupyterLab (``make lab``) is started on loopback on a throw-away folder and
Debian's Chromium, driven by Playwright (no browser download), opens each notebook, runs
all cells from the Run menu, saves the notebook and looks at what was shown:

- each assignment's STUDENT notebook (a copy of ``assignments/<id>/<id>.ipynb``) stops at
  its first stub, whose ``NotImplementedError`` message names the function, shown on the
  page; no other error comes before it;
- each SOLUTION notebook, with the solutions overlaid beside it (quick mode: the server's
  kernels get ``CS231N_QUICK=1``), runs with no error output, shows its pictures (image
  outputs present and decoded by the browser) and its tqdm progress bars (widgets or text);
- a copy of a student notebook whose first cell is broken on purpose is reported as broken.

Screenshots are kept as test artefacts in ``test-artifacts/browser/`` (gitignored),
``<student|solutions|broken>-<id>.png``. Where Chromium or Playwright cannot run (not
root, no apt-get: ``make browser-tools`` installs Debian's ``chromium``), the tests are
skipped with a warning; under ``CI=true`` that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from lab_support import free_port, stop_group

from cs231n_utils.course import ASSIGNMENTS_DIR, REPO_ROOT, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.notebooks import ipynb_path, notebook_sources, text_to_notebook
from cs231n_utils.course.overlay import build_overlay

pytestmark = pytest.mark.slow

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STUDENT = sorted(ASSIGNMENTS_DIR.glob("*/*.ipynb"))
SOLUTIONS = notebook_sources(REPO_ROOT / "solutions")
# Seconds a whole notebook may take in the browser (quick mode; 04_cnn takes about 2 min).
RUN_TIMEOUT = 420
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
STUB_MESSAGE = re.compile(r"^([A-Za-z_][\w.]*) is not written yet: fill it in, guided by "
                          r"(\d\d_\w+), section \d+")


def chromium_problem() -> str | None:
    """Why Playwright cannot drive Debian's Chromium here, or None."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        return f"playwright is not importable ({e}); it is a dependency: pip install -e ."
    if not Path(CHROMIUM).is_file():
        return (f"{CHROMIUM} is not installed: `make browser-tools` installs it as root, "
                "or apt-get install chromium")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            browser.close()
    except Exception as e:  # noqa: BLE001 (any launch failure is the reason to report)
        return f"Chromium does not start under Playwright: {str(e).splitlines()[0]}"
    return None


@pytest.fixture(scope="module")
def chromium_works() -> bool:
    """Skip with a warning where Chromium cannot run, except under CI: a failure there."""
    problem = chromium_problem()
    if problem and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {problem}")
    if problem:
        warnings.warn(f"browser tests skipped: {problem}", stacklevel=1)
        pytest.skip(problem)
    return True


@dataclass
class Lab:
    """A running student's JupyterLab serving ``root``."""

    base: str
    token: str
    root: Path
    proc: subprocess.Popen = field(repr=False)

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.base}{path}?token={self.token}",
                                         method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        for kernel in self.api("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}", method="DELETE")


def lay_out(root: Path) -> None:
    """The served folder: student copies, solution notebooks with the overlay, a broken one."""
    for notebook in STUDENT:
        (root / "student" / notebook.parent.name).mkdir(parents=True)
        shutil.copyfile(notebook, root / "student" / notebook.parent.name / notebook.name)
    for source in SOLUTIONS:
        folder = root / "solutions" / source.parent.name
        folder.mkdir(parents=True)
        nbformat.write(text_to_notebook(source), folder / ipynb_path(source).name)
        build_overlay(folder, SOLUTION_PACKAGE_DIR)
    nb = nbformat.read(STUDENT[0], as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = "import cs231n_utils_no_such_module  # broken on purpose\n" + first.source
    (root / "broken" / STUDENT[0].parent.name).mkdir(parents=True)
    nbformat.write(nb, root / "broken" / STUDENT[0].parent.name / STUDENT[0].name)


@pytest.fixture(scope="module")
def lab(chromium_works, tmp_path_factory):
    """``make lab`` (the student's JupyterLab) on a throw-away folder; kernels in quick mode."""
    tmp = tmp_path_factory.mktemp("browser")
    root = tmp / "root"
    lay_out(root)
    # No news toast over the screenshots (and no request for it).
    news = tmp / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    port, token = free_port(), secrets.token_hex(16)
    # The test's own settings and workspaces: nothing read from or written to the home folder.
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} "
            f"--LabApp.user_settings_dir={tmp / 'settings'} "
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}")
    if os.geteuid() == 0:
        args += " --allow-root"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), CS231N_QUICK="1",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    log = open(tmp / "lab.log", "w")
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ROOT={root}",
                             f"LAB_ARGS={args}"],
                            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, root, proc)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                server.api("/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start:\n" + (tmp / "lab.log").read_text()[-3000:])
        yield server
    finally:
        stop_group(proc)
        log.close()


@pytest.fixture(scope="module")
def browser(lab, tmp_path_factory):
    """One Chromium with a fresh profile, shared by the module's tests (a page per notebook)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"), executable_path=CHROMIUM,
            args=CHROMIUM_ARGS, headless=True, viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()


@dataclass
class BrowserRun:
    """What one Run All showed: the saved notebook and what the page displayed."""

    notebook: nbformat.NotebookNode
    seconds: float
    images_shown: int = 0          # <img> outputs the browser decoded (naturalWidth > 0)
    progress_widgets: int = 0      # rendered ipywidgets progress bars
    page_text: str = ""            # text of all output areas
    focus_text: str = ""           # visible text of the output the screenshot shows

    def errors(self) -> list[tuple[int, dict]]:
        """(cell index, output) of every error output, in notebook order."""
        return [(i, o) for i, c in enumerate(self.notebook.cells) if c.cell_type == "code"
                for o in c.get("outputs", []) if o.output_type == "error"]


def ready_for_run_all(page, timeout: float = 90) -> None:
    """Wait until the notebook's kernel is idle and no dialog is open.

    On a fresh server the kernel list may come after the notebook: JupyterLab then asks
    which kernel to start ("Select Kernel"); accept its choice (Python 3), as a person would.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            text = dialog.first.inner_text()
            assert "Select Kernel" in text, f"JupyterLab shows a dialog: {text}"
            dialog.locator(".jp-mod-accept").first.click()
        elif page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
            return
        time.sleep(0.5)
    raise AssertionError("the notebook's kernel did not become idle")


def run_all_in_browser(context, lab: Lab, path: str, screenshot: Path,
                       focus: str = ".jp-OutputArea-output") -> BrowserRun:
    """Open ``path`` (relative to the served root) in a new page, Run All, save, inspect.

    The screenshot shows the first error output, else the last element matching ``focus``
    (or the page as it was when something went wrong); ``BrowserRun.focus_text`` is that
    element's visible text.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = context.new_page()
    start = time.monotonic()
    try:
        page.goto(f"{lab.base}/lab/tree/{path}?reset&token={lab.token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        prompts = "[...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')]"
        ready_for_run_all(page)
        # started (a cell queued or run; the kernel may be slow to start on a busy machine,
        # and a click on a page still settling can be lost: click Run All again), then
        # finished (nothing queued)
        started = f"() => {prompts}.some(e => /\\[[*0-9]/.test(e.textContent))"
        for attempt in range(4):
            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
            try:
                page.wait_for_function(started, timeout=60_000)
                break
            except PlaywrightTimeout:
                if attempt == 3:
                    raise
                page.keyboard.press("Escape")  # close a menu left open
        page.wait_for_function(f"() => !{prompts}.some(e => e.textContent.includes('*'))",
                               timeout=RUN_TIMEOUT * 1000, polling=500)
        seconds = time.monotonic() - start
        page.locator(".lm-MenuBar-item", has_text="File").first.click()
        page.locator(".lm-Menu-item[data-command='docmanager:save']").click()
        page.wait_for_function(
            "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
            timeout=30_000)
        images = page.evaluate("() => [...document.querySelectorAll("
                               "'.jp-OutputArea-output img')].filter(i => i.complete && "
                               "i.naturalWidth > 0).length")
        widgets = page.locator(".jp-OutputArea-output .widget-hprogress .progress-bar").count()
        # textContent: cells out of view are not rendered (content-visibility), innerText is ""
        text = "\n".join(page.evaluate("() => [...document.querySelectorAll("
                                        "'.jp-OutputArea-output')].map(e => e.textContent)"))
        notebook = nbformat.read(lab.root / path, as_version=4)
        run = BrowserRun(notebook, seconds, images, widgets, text)
        shown = page.locator(focus).last
        if run.errors():  # show the first error
            first_line = run.errors()[0][1].evalue.splitlines()[0][:80]
            shown = page.locator(STDERR, has_text=first_line).first
        if shown.count():
            shown.scroll_into_view_if_needed()
            try:  # rendered once in view
                page.wait_for_function("e => e.innerText.trim() || e.tagName === 'IMG'",
                                       arg=shown.element_handle(), timeout=10_000)
            except PlaywrightTimeout:
                pass
            run.focus_text = shown.inner_text()
        page.screenshot(path=screenshot)
        return run
    except Exception:
        page.screenshot(path=screenshot)
        raise
    finally:
        page.close()
        lab.shut_down_kernels()


def assert_stops_at_first_stub(run: BrowserRun) -> None:
    """The run's first error is a stub's message naming a graded function, shown on the page,
    and every code cell above it ran.

    Errors after it are not looked at: Run All stops there, but on a busy machine ipykernel
    may still run a cell whose request came in after it aborted the queue.
    """
    errors = run.errors()
    assert errors, "no error: the notebook did not stop at a stub"
    index, error = errors[0]
    assert error.ename == "NotImplementedError", f"{error.ename}: {error.evalue}"
    match = STUB_MESSAGE.match(error.evalue)
    assert match, error.evalue
    function = match.group(1).rsplit(".", 1)[-1]
    defined = any(re.search(rf"\bdef {re.escape(function)}\(", p.read_text())
                  for p in SOLUTION_PACKAGE_DIR.rglob("*.py"))
    assert defined, f"the stub names {match.group(1)}, which no graded module defines"
    # the page shows the message, and every code cell above the stub ran
    assert f"{match.group(1)} is not written yet" in run.focus_text, run.focus_text[-500:]
    code_above = [c for c in run.notebook.cells[:index] if c.cell_type == "code"]
    assert code_above and all(c.execution_count for c in code_above)


@pytest.mark.parametrize("notebook", STUDENT, ids=lambda p: p.parent.name)
def test_student_notebook_in_the_browser_stops_at_its_first_stub(lab, browser, notebook):
    name = notebook.parent.name
    run = run_all_in_browser(browser, lab, f"student/{name}/{notebook.name}",
                             ARTIFACTS / f"student-{name}.png")
    print(f"student {name}: {run.seconds:.1f} s")
    assert_stops_at_first_stub(run)


@pytest.mark.parametrize("source", SOLUTIONS, ids=lambda p: p.parent.name)
def test_solution_notebook_in_the_browser_shows_everything(lab, browser, source):
    name = source.parent.name
    run = run_all_in_browser(browser, lab, f"solutions/{name}/{ipynb_path(source).name}",
                             ARTIFACTS / f"solutions-{name}.png",
                             focus=".jp-OutputArea-output img")
    print(f"solutions {name}: {run.seconds:.1f} s, {run.images_shown} pictures, "
          f"{run.progress_widgets} progress bars")
    assert not run.errors(), [f"{o.ename}: {o.evalue}"[:300] for _, o in run.errors()]
    code = [c for c in run.notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "Run All stopped before the last cell"
    png = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert png > 0 and run.images_shown >= png, (png, run.images_shown)
    if "tqdm(" in source.read_text():
        widget_outputs = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                             for c in code for o in c.outputs)
        text_bars = re.findall(r"\d+%\|.*\| \d+/\d+", run.page_text)
        assert run.progress_widgets > 0 or text_bars, "no progress bar was displayed"
        assert run.progress_widgets > 0 or not widget_outputs, "progress widgets not rendered"
    assert "Error displaying widget" not in run.page_text


def test_a_broken_first_cell_fails_the_browser_check(lab, browser):
    name = STUDENT[0].parent.name
    run = run_all_in_browser(browser, lab, f"broken/{name}/{STUDENT[0].name}",
                             ARTIFACTS / f"broken-{name}.png")
    # the check the student notebooks pass reports it
    with pytest.raises(AssertionError, match="ModuleNotFoundError"):
        assert_stops_at_first_stub(run)
    # as the first code cell's error, shown on the page
    index, error = run.errors()[0]
    first_code = next(i for i, c in enumerate(run.notebook.cells) if c.cell_type == "code")
    assert index == first_code and error.ename == "ModuleNotFoundError"
    assert "cs231n_utils_no_such_module" in run.focus_text


def test_the_students_nbgrader_menu_has_only_the_assignment_list(lab, browser):
    page = browser.new_page()
    try:
        page.goto(f"{lab.base}/lab/tree/student/{STUDENT[0].parent.name}/{STUDENT[0].name}"
                  f"?reset&token={lab.token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        # the notebook's toolbar has nbgrader's Validate button
        validate = page.locator(".jp-Toolbar .jp-ToolbarButtonComponent", has_text="Validate")
        validate.first.wait_for(timeout=30_000)
        assert validate.count() == 1
        page.locator(".lm-MenuBar-item", has_text="Nbgrader").first.click()
        items = page.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel")
        items.first.wait_for(timeout=10_000)
        labels = [label.strip() for label in items.all_inner_texts()]
        page.screenshot(path=ARTIFACTS / "student-nbgrader-menu.png")
    finally:
        page.close()
        lab.shut_down_kernels()
    assert labels == ["Assignment List"], labels

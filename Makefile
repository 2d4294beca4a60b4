# The workbook's two commands (see README.md):
#   make lab    set everything up, then start JupyterLab on assignments/
#   make test   set everything up, then run the whole test suite
# Everything is installed into .venv by the project's own files; only Python 3 and make
# are needed beforehand.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?= -n 2 --dist loadfile
LAB_ARGS    ?=
LAB_ROOT    ?= assignments

.PHONY: setup sandbox-tools lab lab-instructor browser-tools test check submit grade lint release student-edition walkthroughs site bench pretrain clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The student's JupyterLab: nbgrader's Validate button and assignment list, without the
# instructor's parts (Create Assignment, Formgrader, course list), through the config
# folder jupyter/student/ (added to the config path of this server only).
# make lab-instructor: the same JupyterLab with all of nbgrader.
lab: setup
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter/student$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	  $(BIN)/jupyter lab --ServerApp.root_dir=$(LAB_ROOT) $(LAB_ARGS)

lab-instructor: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=$(LAB_ROOT) $(LAB_ARGS)

# bubblewrap runs the grading sandbox. Installed where we may (root with apt-get, as in
# CI); elsewhere the sandbox tests are skipped with a warning (and fail under CI=true).
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (the grading sandbox)"; \
	    (apt-get update -qq && apt-get install -y -qq bubblewrap) >/dev/null 2>&1 \
	      || echo "WARNING: could not install bubblewrap"; \
	  else \
	    echo "WARNING: bubblewrap (bwrap) is not installed: the grading sandbox cannot run;" \
	         "install it with your package manager (Debian/Ubuntu: bubblewrap)"; \
	  fi; }

# Debian's chromium, driven by Playwright in tests/test_browser.py (never a browser
# download). Installed where we may (root with apt-get, as in CI); elsewhere the browser
# tests are skipped with a warning (and fail under CI=true).
browser-tools:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (the browser tests)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	      >/dev/null 2>&1 || echo "WARNING: could not install chromium"; \
	  else \
	    echo "WARNING: chromium is not installed: the browser tests cannot run;" \
	         "install it with your package manager (Debian: chromium)"; \
	  fi; }

# pytest exits 5 when it collected no test: that is a failure here, never a pass.
# Two workers on two cores: one BLAS thread each (kernels inherit it), or they trample.
test: setup sandbox-tools browser-tools
	@OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	  $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# A student's self-check: the visible checks of one assignment, as a table.
check: setup
	@if [ -z "$(A)" ]; then echo "usage: make check A=01_knn"; exit 2; fi
	@$(BIN)/python -m cs231n_utils.selfcheck $(A)

# A student's submission zip of one assignment: submissions/<A>.zip
submit: setup
	@if [ -z "$(A)" ]; then echo "usage: make submit A=01_knn"; exit 2; fi
	@$(BIN)/python -m cs231n_utils.submit $(A)

# The instructor's grading of a class: make grade A=01_knn ZIPS=path/to/zips [JOBS=2]
# On a Dask cluster: SCHEDULER=tcp://HOST:8786 (or local:N to try it on this machine).
JOBS ?= 1
SCHEDULER ?=
grade: setup
	@if [ -z "$(A)" ] || [ -z "$(ZIPS)" ]; then echo "usage: make grade A=01_knn ZIPS=folder [JOBS=2] [SCHEDULER=tcp://HOST:8786]"; exit 2; fi
	$(BIN)/python -m cs231n_utils.course.grade $(A) $(ZIPS) --jobs $(JOBS)$(if $(SCHEDULER), --scheduler $(SCHEDULER))

lint: setup
	$(BIN)/ruff check .

# Regenerate the student copy (stubs in cs231n_utils/, notebooks in assignments/).
release: setup
	$(BIN)/python -m cs231n_utils.course.release

# What an instructor hands out: dist/student-edition/ and its zips (no answers).
student-edition: setup
	$(BIN)/python -m cs231n_utils.course.edition

# Execute every solution notebook with the solutions overlaid, into walkthroughs/.
walkthroughs: setup
	$(BIN)/python -m cs231n_utils.course.walkthroughs

# The walkthrough site for self-learners: execute every solution notebook (as
# make walkthroughs does), build walkthroughs/site/ with Sphinx and check its links and
# images. Offline; open walkthroughs/site/index.html. CS231N_QUICK=1 make site: quick mode.
site: setup
	$(BIN)/python -m cs231n_utils.course.site

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Retrain the source network of 06_transfer_learning (datasets/pretrained/small_cnn_source.pt
# and its .json log); seeded and deterministic, about a minute on 2 cores.
pretrain: setup
	$(BIN)/python -m cs231n_utils.pretrain

clean:
	rm -rf grading walkthroughs dist .pytest_cache test-artifacts

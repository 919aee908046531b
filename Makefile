# AUTOOS Checkout — the two commands a newcomer needs:
#   make run    set up .venv, install, initialise the database, open the staff window
#   make test   set up .venv with the test extra and run the whole suite headless
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# Debian packages Qt's xcb platform (make run) and the offscreen tests need.
QT_DEBS := libxcb-cursor0 libxkbcommon-x11-0 libxkbcommon0 libegl1 libgl1 libfontconfig1 \
           libdbus-1-3 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
           libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core
# and what the kiosk's test on a real X server uses (tests/gui/test_kiosk_on_x.py), and
# PostgreSQL for the integration tests' second engine (tests/pg_cluster.py starts a throwaway
# cluster from its initdb)
TEST_DEBS := xvfb xdotool x11-utils postgresql
DEBS ?= $(QT_DEBS)

.PHONY: run test test-stress venv install install-test sysdeps lint format screenshots bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(PY)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed-test

install-test: $(VENV)/.installed-test

sysdeps:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Some system packages are missing. Run:"; \
	    echo "  sudo apt-get install -y $$missing"; \
	  fi; \
	fi

run: sysdeps $(VENV)/.installed-test
	$(PY) -m backend.cli init
	$(PY) -m app.main

# one pytest worker per core, at most 4 (each starts its own throwaway PostgreSQL)
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
test: $(VENV)/.installed-test
	$(MAKE) --no-print-directory sysdeps DEBS="$(QT_DEBS) $(TEST_DEBS)"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n $(JOBS)

# The GUI tests N times beside two CPU-burning processes; prints "N passed, M failed".
# Not part of `make test` (CI stays short); run it before you push GUI changes.
N ?= 10
test-stress: $(VENV)/.installed-test
	$(MAKE) --no-print-directory sysdeps DEBS="$(QT_DEBS) $(TEST_DEBS)"
	$(PY) -m tests.stress $(N)

# style (ruff), types of the backend (mypy) and the layering (import-linter contracts
# in pyproject.toml, drawn in docs/architecture.md)
lint: $(VENV)/.installed-test
	$(PY) -m ruff check app backend resources tests benchmarks
	$(PY) -m ruff format --check app backend resources tests benchmarks
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-test
	$(PY) -m ruff format app backend resources tests benchmarks
	$(PY) -m ruff check --fix app backend resources tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# every screen as a person sees it: on an X server (Xvfb) at the two common sizes
screenshots: $(VENV)/.installed-test
	$(MAKE) --no-print-directory sysdeps DEBS="$(QT_DEBS) $(TEST_DEBS)"
	xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \
	  $(PY) -m tests.screenshots --size 1366x768
	xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \
	  $(PY) -m tests.screenshots --size 1920x1080 --out docs/screenshots/1920x1080

# One command per habit; the same commands locally and in CI.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Debian's Chromium: the catalog test opens each release's index.html in it, headless
CHROMIUM ?= /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench check schemas score clean help browser check-unxml

# the UN's Akoma Ntoso files to check a build against (a clone of its repository)
UNXML ?= ../shared/corpus/unxml/SCresolutions

help:
	@echo "make run     create .venv, install, build and publish a release from corpus/ into outputs/"
	@echo "make test    the test suite (what CI runs)"
	@echo "make bench   benchmarks and slow tests (print figures)"
	@echo "make check   ruff + schema drift check"
	@echo "make score   score outputs/latest against ../shared/gold"
	@echo "make check-unxml  build from UNXML=<folder of UN AKN XML> (timed), check the release against the files"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=/path/to/python3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m flows.cli build --input corpus --output outputs

$(CHROMIUM):
	@echo "installing Debian's chromium package (headless browser for the catalog test)"
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	@test -x $(CHROMIUM) || { echo "chromium was not installed at $(CHROMIUM)"; exit 2; }

browser: $(CHROMIUM)

test: $(STAMP) $(CHROMIUM)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) -m pytest -q -m "bench or slow" -s

check: $(STAMP)
	$(PY) -m ruff check flows tests
	$(PY) -m flows.cli schemas --check

schemas: $(STAMP)
	$(PY) -m flows.cli schemas

check-unxml: $(STAMP)
	$(PY) -m flows.cli check-unxml --input $(UNXML) --output outputs/unxml-check --no-cache --json outputs/unxml-check.json

score:
	$(PY) ../shared/tools/score.py --release outputs/latest --gold ../shared/gold

clean:
	rm -rf outputs/releases outputs/latest outputs/quarantine outputs/rejected outputs/.staging

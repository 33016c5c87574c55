# nianbao-audit — every target creates the venv first (idempotent).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
# Debian packages the tests and the PDF path use: headless Chromium (Data Docs tests), LibreOffice and
# CJK fonts (PDF fixtures), Tesseract (optional OCR), poppler-utils (pdftoppm).
DEB_PACKAGES := chromium fonts-noto-cjk libreoffice-writer-nogui tesseract-ocr tesseract-ocr-chi-sim poppler-utils poppler-data

.PHONY: setup sysdeps demo test test-all bench lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	@touch $@

# Installs missing Debian packages when running as root (CI, fresh machines); otherwise says what is missing.
sysdeps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "warning: missing Debian packages:$$missing (run as root: apt-get install$$missing)"; fi; \
	fi

demo: setup
	$(PY) -m testkit.demo

test: setup sysdeps
	$(PY) -m pytest -q

test-all: setup sysdeps
	$(PY) -m pytest -q -m ''

bench: setup sysdeps
	$(PY) -m tests.bench

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .nianbao

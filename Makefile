# The two set-up commands of the README: `make run` (the demo job) and `make test`.
# Each creates the virtual environment when it is missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test test-py312 lint clean image browser

$(BIN)/.installed: setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,gcp]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/guillemet run --config configs/demo.yaml

# The report's browser test (tests/test_report.py) drives Debian's chromium through playwright.
# As root (CI on a fresh Debian machine) chromium is installed here and the test must find it
# (GUILLEMET_REQUIRE_BROWSER=1: a missing browser fails); otherwise a missing one is reported and
# the test skips, saying why.
ROOT_USER := $(shell test "$$(id -u)" = 0 && echo 1)

browser:
ifeq ($(ROOT_USER),1)
	command -v chromium >/dev/null || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }
else
	@command -v chromium >/dev/null || echo "chromium missing (apt-get install chromium chromium-driver as root): the browser test will skip"
endif

test: $(BIN)/.installed browser
	GUILLEMET_REQUIRE_BROWSER=$(ROOT_USER) $(BIN)/python -m pytest

# The same tests on another supported Python (README, "Supported Pythons"), in their own .venv312
# built from that interpreter: `make test-py312 PY312=/path/to/python3.12` (or a python3.13).
PY312 ?= python3.12
test-py312:
	$(MAKE) test PYTHON=$(PY312) VENV=.venv312

lint: $(BIN)/.installed
	$(BIN)/ruff check guillemet transforms pipeline tests
	$(BIN)/ruff format --check guillemet transforms pipeline tests

# The Dataflow worker and Flex Template launcher image (docs/deploy.md); needs a Docker daemon.
IMAGE ?= guillemet:$(shell sed -n 's/.*version="\(.*\)".*/\1/p' setup.py)
image:
	docker build --tag $(IMAGE) .

clean:
	rm -rf $(VENV) output .pytest_cache

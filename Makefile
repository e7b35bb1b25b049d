# AssetTrack developer entry points. Every target sets up what it needs:
# system build prerequisites, then .venv with the project and its dev tools.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= data
# Test workers: the suite is I/O- and subprocess-heavy, two cores suffice.
# loadgroup: tests sharing one booted container or one PostgreSQL server
# (xdist_group) stay on one worker.
JOBS   ?= 2
XDIST  := -n $(JOBS) --dist loadgroup

.PHONY: run test bench torture mutate lint clean venv

$(STAMP): pyproject.toml scripts/prereqs.sh
	PYTHON=$(PYTHON) sh scripts/prereqs.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Start the kiosk with simulated hardware and seeded demo cases.
run: $(STAMP)
	$(BIN)/assettrack --db $(DATA)/assettrack.db demo seed --if-empty
	$(BIN)/assettrack --db $(DATA)/assettrack.db run --sim --socket $(DATA)/control.sock

## The whole test suite (what CI runs): the layer contract and types first.
test: $(STAMP)
	PYTHON=$(PYTHON) sh scripts/prereqs.sh test
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest $(XDIST) -m "not bench" tests

## Benchmarks: figures as ratios to a baseline measured in the same run.
bench: $(STAMP)
	$(BIN)/python -m pytest -p no:xdist -m bench tests -s

## The whole suite with fault injection, fuzzing and soak at full counts.
torture: $(STAMP)
	ASSETTRACK_TORTURE=1 $(BIN)/python -m pytest $(XDIST) -m "not bench" tests

## Mutation testing of the core against each module's focused tests (see docs/testing.md).
## Fails when a module's killed share is below 90%. MODULES=sanitize scanner ... for a subset.
mutate: $(STAMP)
	$(BIN)/python -m pip install -q 'mutmut>=2.5,<3'
	$(BIN)/python scripts/mutate.py -j $(JOBS) $(MODULES)

## Style, the layer contract (import-linter) and mypy --strict on the core.
lint: $(STAMP)
	$(BIN)/ruff check kiosk hw tests scripts
	$(BIN)/ruff format --check kiosk hw tests scripts
	$(BIN)/lint-imports
	$(BIN)/mypy
	@if command -v shellcheck >/dev/null 2>&1; then \
		echo "shellcheck -x deploy/*.sh scripts/*.sh .ci/run"; \
		shellcheck -x deploy/*.sh scripts/*.sh .ci/run; \
	else echo "lint: shellcheck not installed, shell scripts not checked (apt-get install shellcheck)"; fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .benchmarks .mypy_cache .import_linter_cache

# Two commands on a fresh machine with only python3: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: test quick demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# The inner loop: stops at the first failure and leaves out the suites that
# start servers, browsers or Spark, fuzz, or time things (`make test` runs all).
quick: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -x \
		--ignore=tests/test_web_browser.py --ignore=tests/test_sql_engines.py \
		--ignore=tests/test_fuzz.py --ignore=tests/test_bench.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# The Ngọc Đào 2021 example that misses one criterion: `antq eval` exits 1 (FAIL).
demo: $(VENV)/.installed
	$(BIN)/antq eval rulesets/plans/ngoc_dao_2021.antq \
		rulesets/examples/ngoc_dao_2021_fail_tc3.json --lang vi || [ $$? -eq 1 ]

# Speed against hand-written Python; prints a table and writes benchmarks/results.md.
# Peer engines come from the `bench` extra; without them the run leaves them out.
bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench,testing,sql,spark]' \
		|| echo "peer engines not installed: the benchmark leaves them out"
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO ?= examples/lambda-and-worker.yaml
OUT := .out

.PHONY: install test lint format demo golden bench sam-check clean

$(STAMP): pyproject.toml macro/requirements.txt custom_resource/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/pytest

# Expand the blog-style example, lint the result with cfn-lint, print what would be deployed.
demo: $(STAMP)
	@mkdir -p $(OUT)
	@$(BIN)/serverless-fargate expand $(DEMO) --output $(OUT)/demo.yaml
	@echo "Expanded $(DEMO) -> $(OUT)/demo.yaml"
	@$(BIN)/cfn-lint $(OUT)/demo.yaml && echo "cfn-lint: no problems"
	@echo
	@$(BIN)/serverless-fargate plan $(DEMO)

# Rewrite the golden files after an intended change (review the diff: IDs are a contract).
golden: $(STAMP)
	UPDATE_GOLDEN=1 $(BIN)/pytest tests/test_examples.py -q

bench: $(STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(OUT) .aws-sam .pytest_cache

# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO ?= examples/lambda-and-worker.yaml
OUT := .out

PARITY := tests/parity
PARITY_STAMP := $(PARITY)/node_modules/.installed
MERMAID := tests/mermaid
MERMAID_STAMP := $(MERMAID)/node_modules/.installed
CHECKOV_VENV ?= .checkov-venv
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
SAM_VENV ?= .sam-venv
SAM_STAMP := $(SAM_VENV)/.installed
# sam build finds python3.13 on PATH; with pyenv, name both versions so both shims resolve.
PYENV_VERSION ?= $(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.11' | tail -1):$(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.13' | tail -1)
export PYENV_VERSION
export SAM_CLI_TELEMETRY = 0
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: install test check lint format demo golden docs timezones bench sam-check security deploy publish clean

# First runs install; pip shows each package as it goes (a few minutes on a small machine).
$(STAMP): pyproject.toml macro/requirements.txt custom_resource/requirements.txt
	@echo "==> $(VENV): the project and its development tools (first run only)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# pytest runs on WORKERS processes (pytest-xdist): 2 fits the 2-core machine the guide targets
# and more cores too; WORKERS=auto takes one per CPU, WORKERS=0 runs in this process (for pdb).
# Slow tests are handed out first (tests/conftest.py), so that both finish close together.
WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(WORKERS)

# Everything, as CI runs it: the slow end-to-end tests too (marker `slow`, see pyproject.toml).
test: lint sam-check security $(PARITY_STAMP) $(MERMAID_STAMP)
	$(PYTEST)

# The quick loop while developing: lint and every test not marked slow (no installs beyond .venv).
check: lint
	$(PYTEST) -m "not slow"

# The Serverless Framework and the original plugin, pinned, for tests/test_parity.py (needs npm).
$(PARITY_STAMP): $(PARITY)/package.json $(PARITY)/package-lock.json
	@echo "==> $(PARITY): serverless@3 and serverless-fargate@1, pinned (first run only)"
	cd $(PARITY) && npm ci --no-audit --no-fund --loglevel=error
	touch $(PARITY_STAMP)

# Mermaid itself, pinned, for tests/test_diagram.py: the charts `plan --format mermaid` draws
# must parse (in node, with jsdom for the DOM; offline once installed).
$(MERMAID_STAMP): $(MERMAID)/package.json $(MERMAID)/package-lock.json
	cd $(MERMAID) && npm ci --no-audit --no-fund --loglevel=error
	touch $(MERMAID_STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	@echo "==> $(CHECKOV_VENV): checkov (first run only)"
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

# checkov over every expanded example and the SAM application; accepted checks: .checkov.yaml.
security: $(STAMP) $(CHECKOV_STAMP)
	@rm -rf $(OUT)/security && mkdir -p $(OUT)/security
	@for f in examples/*.yaml; do \
	  $(BIN)/serverless-fargate expand $$f --format json --output $(OUT)/security/$$(basename $$f .yaml).json || exit 1; \
	done
	@cp template.yaml $(OUT)/security/application.yaml
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml -d $(OUT)/security

$(SAM_STAMP): requirements-sam.txt
	@echo "==> $(SAM_VENV): the SAM CLI (first run only)"
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off -r requirements-sam.txt
	touch $(SAM_STAMP)

# `sam validate --lint` and `sam build` of the application (offline; no Docker).
sam-check: $(SAM_STAMP)
	@python3.13 --version >/dev/null 2>&1 || { \
	  echo "sam-check: sam build needs a python3.13 interpreter on PATH (the Lambda runtime)."; \
	  echo "  Install one: 'pyenv install 3.13' (then PYENV_VERSION=<3.11>:<3.13>), or your OS's python3.13."; \
	  exit 1; }
	$(SAM_VENV)/bin/sam validate --lint
	$(SAM_VENV)/bin/sam build --build-dir .aws-sam/build

# Install the application in your account with samconfig.toml's settings (GUIDED=1 to be asked).
deploy: sam-check
	$(SAM_VENV)/bin/sam deploy $(if $(GUIDED),--guided,)

# Publish to the Serverless Application Repository: the metadata checks first, then package and
# publish. SAR_BUCKET: an S3 bucket serverlessrepo.amazonaws.com may read.
publish: $(STAMP) sam-check
	$(BIN)/pytest -q tests/test_application.py
	@test -n "$(SAR_BUCKET)" || { echo "publish: set SAR_BUCKET=<bucket serverlessrepo.amazonaws.com may read>"; exit 2; }
	$(SAM_VENV)/bin/sam package --template-file .aws-sam/build/template.yaml \
	  --s3-bucket $(SAR_BUCKET) --output-template-file .aws-sam/packaged.yaml
	$(SAM_VENV)/bin/sam publish --template .aws-sam/packaged.yaml

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

# Regenerate docs/reference.md and schema/*.json from the transform's schema.
docs: $(STAMP)
	$(BIN)/python scripts/generate_reference.py

# Regenerate the IANA time-zone list the schedule rule checks (from the pinned tzdata package).
timezones: $(STAMP)
	$(BIN)/python scripts/generate_timezones.py

# Speed against SAM's transform, cold start of the built package, package size; pass/fail.
bench: $(STAMP) sam-check
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(OUT) .aws-sam .pytest_cache

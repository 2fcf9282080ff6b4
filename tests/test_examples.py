"""Every example expands, passes cfn-lint, and matches its golden file.

Golden files make every change of a generated logical ID or property visible in review.
`make golden` rewrites them after an intended change.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import EXAMPLES, ROOT, first_null, lint, load
from serverless_fargate.transform import expand_template

GOLDEN = ROOT / "tests" / "golden"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def expanded(path):
    return expand_template(load(path))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_matches_golden_file(path):
    result = json.dumps(expanded(path), indent=2) + "\n"
    golden = GOLDEN / f"{path.stem}.json"
    if UPDATE:
        golden.write_text(result)
    assert golden.exists(), f"no golden file for {path.name}: run `make golden` and review it"
    assert result == golden.read_text(), (
        f"{path.name} now expands differently from {golden.name}. If intended, run `make golden` "
        "and review the diff: a changed logical ID replaces live resources."
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_passes_cfn_lint(path):
    assert lint(expanded(path)) == []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_generated_names_are_stable(path):
    """Logical IDs and output names are a contract: a change replaces live resources."""
    result = expanded(path)
    names = {"Resources": sorted(result["Resources"]), "Outputs": sorted(result.get("Outputs", {}))}
    record = GOLDEN / "names" / f"{path.stem}.json"
    if UPDATE:
        record.parent.mkdir(exist_ok=True)
        record.write_text(json.dumps(names, indent=2) + "\n")
    known = json.loads(record.read_text())
    removed = {k: sorted(set(known[k]) - set(names[k])) for k in known}
    assert not any(removed.values()), (
        f"{path.name} no longer generates {removed}. Generated logical IDs and outputs are a "
        "contract: on the next deploy CloudFormation deletes the old resources and creates new "
        "ones (services restart, log groups and their logs are deleted, names change). Keep the "
        "old names, or make this a documented breaking change."
    )


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_has_no_null_value(path):
    """CloudFormation refuses any template holding a JSON null, wherever it is (a state
    machine's Definition included): "[/Resources/X/Type/Definition/States/Y/ResultPath] 'null'
    values are not allowed in templates" (aws/serverless-application-model#1618,
    aws/aws-cdk#29164, aws-cloudformation/cfn-lint#1657). cfn-lint does not catch it."""
    found = first_null(expanded(path))
    assert found is None, f"{path.name} expands to a null at {found}: the deploy would fail"

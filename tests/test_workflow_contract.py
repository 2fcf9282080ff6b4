"""The workflow's contract (resources/workflow_contract.py): what ops and the CLI read."""

from __future__ import annotations

import subprocess
import sys

from serverless_fargate.resources import workflow_contract as contract


def test_a_group_gives_copy_and_attempt_counted_from_one():
    name = contract.execution_name("worker", "d32c5kddcf5bb8c3")
    group = contract.GROUP_FORMAT.format(name, 2, 0)
    assert group.startswith(contract.group_prefix(name))
    assert contract.copy_and_attempt(group) == (2, 1)
    assert contract.copy_and_attempt("family:jobs") is None
    assert contract.copy_and_attempt("") is None


def test_execution_names_keep_at_most_40_characters_of_the_key():
    assert contract.execution_name("a" * 60, "x") == "a" * 40 + "-x"
    assert contract.execution_name("a" * 60, "x").startswith(contract.execution_prefix("a" * 60))


def test_spot_is_short_on_either_of_ecs_reasons():
    assert contract.capacity_short("Capacity is unavailable at this time. Please try again")
    assert contract.capacity_short("RESOURCE:FARGATE")
    assert not contract.capacity_short("AccessDeniedException")


def test_no_timeout_sentinel_reads_as_none():
    assert contract.timeout_of({"timeoutSeconds": str(contract.NO_TIMEOUT)}) is None
    assert contract.timeout_of({"timeoutSeconds": "600"}) == 600
    assert contract.timeout_of({}) is None


def test_the_contract_imports_neither_boto3_nor_typing():
    code = (
        "import sys; import serverless_fargate.resources.workflow_contract; "
        "print(sorted(m for m in ('boto3', 'typing', 'botocore') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

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


def _settings(fields: dict | None = None, **schedule: object) -> dict:
    """The settings a generated workflow runs one task with (as ops reads them): the task has
    `fields`, its Schedule `schedule`."""
    from conftest import expand

    template = {
        "Transform": "ServerlessFargate",
        "Parameters": {"Tries": {"Type": "Number", "Default": 0}},
        "Resources": {
            "Jobs": {
                "Type": "Fargate::Tasks",
                "Properties": {
                    "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
                    "Tasks": {
                        "job": {
                            "Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a@sha256:"
                            + "0" * 64,
                            "Schedule": {"Expression": "rate(1 hour)", **schedule},
                            **(fields or {}),
                        }
                    },
                },
            }
        },
    }
    resources = expand(template)["Resources"]
    machine = next(r for k, r in resources.items() if k.endswith("JobWorkflow"))
    return contract.task_settings(machine["Properties"]["Definition"])["job"]


def test_a_failed_attempt_is_the_run_s_last_only_when_the_settings_allow_no_other():
    assert contract.no_other_attempt(_settings())
    assert not contract.no_other_attempt(_settings(Retries=1))
    assert not contract.no_other_attempt(_settings(Retries={"Ref": "Tries"}))  # not known
    assert not contract.no_other_attempt(_settings({"Spot": True}))  # falls back to on-demand
    assert not contract.no_other_attempt({})  # settings not in the template: not known

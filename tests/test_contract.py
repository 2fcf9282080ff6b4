"""The declaration contract (v3), pinned here from the project's own files.

The contract is the user interface: these are its property names, where each may stand, and its
defaults. The schema the transform validates with (and docs/reference.md, generated from it)
must offer each of them; a rename or a changed default fails here, in review.
"""

from __future__ import annotations

from conftest import ROOT
from serverless_fargate.declaration.schema import (
    DECLARATION_PROPERTIES,
    SCHEDULE,
    SERVICE,
    SPOT,
    TASK_PROPERTIES,
)

# Declaration-wide properties of contract v2 (plus `Outputs`, `LogKmsKeyArn` and
# `RetainLogGroup`, this project's additions: docs/decisions.md).
DECLARATION = {
    "Tasks",
    "Cluster",
    "ClusterName",
    "ContainerInsights",
    "LogGroupName",
    "LogRetentionInDays",
    "Network",
    "InheritGlobals",
    "Outputs",
    "LogKmsKeyArn",
    "RetainLogGroup",
}
# Task properties of contract v3 (plus `Volumes`, `SecretsKmsKeyArns`, and `Retries`,
# `DeadLetterQueueArn` and `DeadLetterQueueKmsKeyArn` for every watched run, this project's
# additions). Each may also be written at the declaration level.
TASK = {
    "Image",
    "Command",
    "EntryPoint",
    "Cpu",
    "Memory",
    "Architecture",
    "Environment",
    "Secrets",
    "Policies",
    "TaskRoleArn",
    "ExecutionRoleArn",
    "PermissionsBoundary",
    "Tags",
    "Spot",
    "StopTimeout",
    "EphemeralStorage",
    "ReadonlyRootFilesystem",
    "PortMappings",
    "HealthCheck",
    "Sidecars",
    "DependsOn",
    "Network",
    "Timeout",
    "Service",
    "Schedule",
    "Events",
    "Callers",
    "Overrides",
    "Volumes",
    "SecretsKmsKeyArns",
    "Retries",
    "DeadLetterQueueArn",
    "DeadLetterQueueKmsKeyArn",
}
DEFAULTS = {
    "Cpu": 256,
    "Memory": 512,
    "Architecture": "X86_64",
    "LogRetentionInDays": 30,
    "InheritGlobals": True,
    "Outputs": True,
    "ReadonlyRootFilesystem": False,
    "Callers": [],
}
SERVICE_DEFAULTS = {
    "DesiredCount": 1,
    "MinimumHealthyPercent": 100,
    "MaximumPercent": 200,
    "CircuitBreaker": True,
    "EnableExecuteCommand": False,
}
SCHEDULE_DEFAULTS = {"Timezone": "UTC", "Enabled": True, "Retries": 0, "TaskCount": 1}
SPOT_DEFAULTS = {
    "OnDemandBase": 0,
    "OnDemandWeight": 0,
    "SpotWeight": 1,
    "Fallback": True,
    "RerunOnInterruption": False,
}


def _object_branch(schema: dict) -> dict:
    return next(b for b in schema["anyOf"] if b.get("type") == "object")["properties"]


def test_every_contract_property_is_offered_where_the_contract_puts_it():
    declaration_level = set(DECLARATION_PROPERTIES) | set(TASK_PROPERTIES)
    assert declaration_level >= DECLARATION
    assert set(TASK_PROPERTIES) >= TASK


def test_nothing_beyond_the_contract_is_offered():
    assert set(DECLARATION_PROPERTIES) | set(TASK_PROPERTIES) <= DECLARATION | TASK


def test_contract_defaults():
    properties = DECLARATION_PROPERTIES | TASK_PROPERTIES
    for name, default in DEFAULTS.items():
        assert properties[name].get("default") == default, name
    for schema, defaults in (
        (SERVICE, SERVICE_DEFAULTS),
        (SCHEDULE, SCHEDULE_DEFAULTS),
        (SPOT, SPOT_DEFAULTS),
    ):
        branch = _object_branch(schema)
        for name, default in defaults.items():
            assert branch[name].get("default") == default, name


def test_reference_shows_every_contract_property():
    text = (ROOT / "docs" / "reference.md").read_text()
    for name in DECLARATION | TASK:
        assert f"| `{name}` |" in text, name


def test_no_project_file_reads_or_names_anything_beside_the_repository():
    """A user's clone has nothing beside it: no test, doc or script may point there."""
    import subprocess

    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in files:
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".yaml", ".yml", ".toml", ".json", ""}:
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, IsADirectoryError):
            continue
        # Spelled in parts, so this test names nothing outside the repository itself.
        for needle in (".." + "/shared", "shared" + "/spec", "ROOT" + ".parent"):
            if needle in text:
                offenders.append(f"{name}: {needle}")
    assert not offenders


def test_contract_bounds_of_retries_and_timeout():
    schedule = _object_branch(TASK_PROPERTIES["Schedule"])
    retries = next(b for b in schedule["Retries"]["anyOf"] if b.get("type") == "integer")
    assert (retries["minimum"], retries["maximum"]) == (0, 10)
    seconds = next(b for b in TASK_PROPERTIES["Timeout"]["anyOf"] if b.get("type") == "integer")
    assert (seconds["minimum"], seconds["maximum"]) == (60, 1_209_600)

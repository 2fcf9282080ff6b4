"""The reference and the editor schemas are generated from the transform's schema, and agree
with the contract in shared/spec/declaration.md."""

from __future__ import annotations

import json
import re
import sys

from conftest import ROOT
from serverless_fargate.declaration.schema import (
    DECLARATION_PROPERTIES,
    SCHEDULE,
    SCHEMA,
    SERVICE,
    SPOT,
    TASK_PROPERTIES,
)

sys.path.insert(0, str(ROOT / "scripts"))
import generate_reference  # noqa: E402

CONTRACT = ROOT.parent / "shared" / "spec" / "declaration.md"
# Properties this project adds to contract v1 (each in docs/reference.md and the closing notes).
EXTENSIONS = {"Outputs", "Volumes", "HealthCheckGracePeriodSeconds"}


def test_checked_in_files_match_the_generator():
    for path, text in generate_reference.outputs().items():
        assert path.read_text() == text, f"{path.relative_to(ROOT)} is stale: run `make docs`"


def test_published_schema_is_the_transforms_own():
    published = json.loads((ROOT / "schema" / "fargate-tasks.schema.json").read_text())
    assert published == json.loads(json.dumps(SCHEMA))


def test_reference_documents_every_property():
    text = (ROOT / "docs" / "reference.md").read_text()
    for name in [*DECLARATION_PROPERTIES, *TASK_PROPERTIES]:
        assert f"| `{name}` |" in text, name


def _contract_names(section: str) -> list[str]:
    body = CONTRACT.read_text().split(section, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Za-z]+)`", body, flags=re.M)


def test_every_contract_property_is_in_the_schema():
    declaration = _contract_names("## Properties of the declaration")
    task = _contract_names("## Properties of a task")
    assert {"Tasks", "Cluster", "Network", "InheritGlobals"} <= set(declaration)
    assert {"Image", "Cpu", "Memory", "Overrides"} <= set(task)
    assert set(declaration) <= set(DECLARATION_PROPERTIES)
    # The contract's table joins some names in one row (`Command`, `EntryPoint`).
    assert set(task) <= set(TASK_PROPERTIES)
    text = CONTRACT.read_text()
    for name in [*DECLARATION_PROPERTIES, *TASK_PROPERTIES]:
        assert f"`{name}`" in text or name in EXTENSIONS, (
            f"{name} is neither in the contract nor a known extension"
        )


def test_contract_maps_are_in_the_schema():
    text = CONTRACT.read_text()
    service = next(b for b in SERVICE["anyOf"] if b.get("type") == "object")["properties"]
    schedule = next(b for b in SCHEDULE["anyOf"] if b.get("type") == "object")["properties"]
    spot = next(b for b in SPOT["anyOf"] if b.get("type") == "object")["properties"]
    for names, where in ((service, "Service"), (schedule, "Scheduled"), (spot, "## Spot")):
        for name in names:
            assert f"`{name}`" in text or name in EXTENSIONS, (
                f"{where}: {name} is not in the contract"
            )

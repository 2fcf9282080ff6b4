"""The reference and the editor schemas are generated from the transform's schema."""

from __future__ import annotations

import json
import sys

from conftest import ROOT
from serverless_fargate.declaration.schema import (
    DECLARATION_PROPERTIES,
    SCHEMA,
    TASK_PROPERTIES,
)

sys.path.insert(0, str(ROOT / "scripts"))
import generate_reference  # noqa: E402


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

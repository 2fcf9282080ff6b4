"""Reserved tag keys: `aws:` (AWS's) and `serverless-fargate:` (what this transform marks, and
what the Spot fallback and `status` trust). `Tags` refuses them by its schema; these rules
refuse them wherever else a tag reaches a generated resource: Overrides and SAM Globals.
"""

from __future__ import annotations

from ...errors import Problem, join_path
from ...intrinsics import UNKNOWN, is_intrinsic, resolve
from ..messages import show
from . import rule
from .overrides import dig, origin, sections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from ..merge import DeclarationInput, TaskInput

RESERVED_TAG_PREFIXES = ("aws:", "serverless-fargate:")


def _reserved(key: Any, at: str, d: DeclarationInput) -> Iterator[Problem]:
    value = resolve(key, d.parameters)
    if value is UNKNOWN:
        yield Problem(
            at,
            f"{show(key)} cannot be checked before deploy: write the tag key out, so the "
            "transform can tell it is not reserved",
        )
    elif isinstance(value, str) and value.lower().startswith(RESERVED_TAG_PREFIXES):
        yield Problem(
            at,
            f"{show(value)}: tag keys may not start with 'aws:' (reserved by AWS) or "
            "'serverless-fargate:' (reserved for what this transform marks)",
        )


@rule(
    "tags.overrides",
    "Overrides use no reserved tag key (aws:, serverless-fargate:)",
    reads=("Overrides",),
)
def reserved_tags(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    overrides = t.get("Overrides")
    if not overrides or not isinstance(overrides, dict):  # most tasks override nothing
        return
    for section in sections(t):
        tags = dig(overrides, (section, "Tags"))
        if tags is None:
            continue
        at = origin(t, d, section, "Tags")  # a list is replaced whole
        if is_intrinsic(tags):  # a map of tags would read Fn::If as a tag key
            yield _undecidable(tags, at)
            continue
        if isinstance(tags, list):  # ECS: [{Key, Value}]
            for index, tag in enumerate(tags):
                if is_intrinsic(tag):
                    yield _undecidable(tag, join_path(at, index))
                elif isinstance(tag, dict):
                    yield from _reserved(tag.get("Key"), join_path(at, index, "Key"), d)
        elif isinstance(tags, dict):  # resources that take a map
            for key in tags:
                yield from _reserved(key, join_path(at, key), d)


def _undecidable(value: Any, at: str) -> Problem:
    return Problem(
        at,
        f"{show(value)} cannot be checked before deploy: write the tags out, so the "
        "transform can tell no key is reserved",
    )


@rule(
    "tags.globals",
    "SAM Globals.Function Tags taken by InheritGlobals use no reserved tag key",
    "declaration",
)
def globals_tags(d: DeclarationInput) -> Iterator[Problem]:
    tags = d.inherited.get("Tags")
    for key in tags if isinstance(tags, dict) else {}:
        yield from _reserved(key, join_path("Globals.Function.Tags", key), d)

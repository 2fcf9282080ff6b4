"""How the resources of an expanded template refer to one another, read from the template
itself: `Ref`, `Fn::GetAtt` and `Fn::Sub`, and which declaration made each resource. `plan`'s
cost estimate and diagram both read the template through this, not through logical-ID
patterns, so they follow whatever the builders generate. Pure; the macro does not import it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from .settings import METADATA_KEY

_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


class Reference(NamedTuple):
    """`source` refers to `target`; `path` is the chain of keys (and list indexes as
    strings) from `source`'s Properties to where the reference is."""

    source: str
    target: str
    path: tuple[str, ...]


def references(resources: dict[str, Any]) -> list[Reference]:
    """Every reference from one resource's Properties to another resource, in template
    order; references to parameters and pseudo parameters are not resources and are left out."""
    found: list[Reference] = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        for target, path in _walk(resource.get("Properties"), ()):
            if target in resources and target != logical_id:
                found.append(Reference(str(logical_id), target, path))
    return found


def _walk(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, tuple[str, ...]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, str(index)))
        return
    if not isinstance(value, dict):
        return
    if len(value) == 1:
        [(key, argument)] = value.items()
        if key == "Ref" and isinstance(argument, str):
            yield argument, path
            return
        if key == "Fn::GetAtt":
            name = argument[0] if isinstance(argument, list) and argument else argument
            if isinstance(name, str):
                yield name.split(".", 1)[0], path
            return
        if key == "Fn::Sub":
            text, local = (
                (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})
            )
            local = local if isinstance(local, dict) else {}
            if isinstance(text, str):
                for name in _SUB_NAME.findall(text):
                    if name not in local:
                        yield name, path
            yield from _walk(local, path)
            return
    for key, item in value.items():
        yield from _walk(item, (*path, str(key)))


def task_metadata(resource: Any) -> dict[str, Any]:
    """What the transform wrote on a generated resource about its declaration and task
    ({Declaration, Task, Kind}), or {}."""
    metadata = resource.get("Metadata") if isinstance(resource, dict) else None
    ours = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    return ours if isinstance(ours, dict) else {}


def declarations(original: dict[str, Any]) -> list[str]:
    """The Fargate::Tasks declarations of the template as written."""
    from . import RESOURCE_TYPE

    return [
        str(k)
        for k, r in original.items()
        if isinstance(r, dict) and r.get("Type") == RESOURCE_TYPE
    ]


def owners(processed: dict[str, Any], original: dict[str, Any]) -> dict[str, str | None]:
    """Each resource of the expanded template and the declaration that made it (None: the
    template's own). The transform names everything a declaration makes after it and writes
    the declaration into each task definition's metadata; the longest declaration name a
    generated logical ID starts with wins, so `Jobs` and `JobsNightly` stay apart."""
    names = sorted(declarations(original), key=len, reverse=True)
    found: dict[str, str | None] = {}
    for logical_id, resource in processed.items():
        if logical_id in original:
            found[logical_id] = None
            continue
        written = task_metadata(resource).get("Declaration")
        if isinstance(written, str) and written in names:
            found[logical_id] = written
            continue
        found[logical_id] = next((n for n in names if logical_id.startswith(n)), None)
    return found

"""Small shapes several builders share."""

from __future__ import annotations

from ..declaration.merge import deep_merge
from ..settings import MANAGED_TAG

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def with_overrides(properties: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A builder's own, freshly made `properties` with an Overrides section merged in; without
    one, the same dict: nothing else holds it, so the copy deep_merge makes is not needed."""
    return deep_merge(properties, override) if override else properties


def tag_list(tags: dict[str, Any]) -> list[dict[str, Any]]:
    """CloudFormation's [{Key, Value}] form of a tag map."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def with_tags(properties: dict[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    if tags:
        properties["Tags"] = tag_list(tags)
    return properties


def with_managed_tags(
    properties: dict[str, Any], tags: dict[str, Any] | list[Any], *extra: dict[str, Any]
) -> dict[str, Any]:
    """The user's tags (a map, or already [{Key, Value}]) plus the one marking what this
    project created (for IAM conditions)."""
    given = tags if isinstance(tags, list) else tag_list(tags)
    properties["Tags"] = [*given, {"Key": MANAGED_TAG, "Value": "true"}, *extra]
    return properties


def policy_document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def text(value: Any) -> Any:
    """A number written as text, an intrinsic as written: a `Ref` to a Number parameter
    resolves to text too, so both read the same (tag values, the workflow's settings)."""
    return value if isinstance(value, dict) else str(value)


def enabled(value: Any) -> Any:
    """ENABLED/DISABLED from a boolean; an intrinsic is passed through as written."""
    if isinstance(value, bool):
        return "ENABLED" if value else "DISABLED"
    return value

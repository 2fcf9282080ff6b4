"""`plan --format mermaid`: a Mermaid flowchart of what an expanded template creates. Every
resource is a node (its logical ID and type), every reference between two resources an edge
labelled with what it means (starts, runs, assumes, may pass, logs to ...), and what each
declaration made is grouped in a subgraph. Read from the template's types and references only
(template_graph), so it draws whatever the builders generate. Pure.

The subset of Mermaid written here (tests/mermaid_grammar.py checks it):
    flowchart LR
    subgraph <id>["<text>"]        ... end
    <id>["<text>"] | <id>("<text>") | <id>[("<text>")]
    <id> -->|<label>| <id>
Node ids are `r_` + the logical ID (letters and digits), so no id is a Mermaid keyword.
"""

from __future__ import annotations

import re
from typing import Any

from .template_graph import Reference, owners, references

# Shapes: stores (logs, queues, buckets) as cylinders, roles rounded, the rest as boxes.
_STORES = ("AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::SNS::Topic")
_ROLES = ("AWS::IAM::Role",)
_RUN_KEYS = {"TaskDefinition", "taskDefinition", "Definition", "DefinitionString"}


def mermaid(processed: dict[str, Any], original: dict[str, Any] | None = None) -> str:
    """The flowchart; `original` (the resources as written) tells the template's own resources
    from those a declaration made."""
    resources = {k: r for k, r in (processed.get("Resources") or {}).items() if isinstance(r, dict)}
    made_by = owners(resources, original or {})
    lines = ["flowchart LR"]
    groups: dict[str | None, list[str]] = {}
    for logical_id in resources:
        groups.setdefault(made_by[logical_id], []).append(logical_id)
    for declaration, members in groups.items():
        indent = "    "
        if declaration is not None:
            lines.append(f'    subgraph d_{declaration}["{declaration} (Fargate::Tasks)"]')
            indent = "        "
        for logical_id in members:
            lines.append(indent + _node(logical_id, resources[logical_id]))
        if declaration is not None:
            lines.append("    end")
    for (source, target), labels in _edges(resources).items():
        lines.append(f"    r_{source} -->|{', '.join(labels)}| r_{target}")
    return "\n".join(lines) + "\n"


def _node(logical_id: str, resource: dict[str, Any]) -> str:
    kind = str(resource.get("Type", "?"))
    text = f"{logical_id}<br/>{kind}".replace('"', "'")
    if kind in _STORES:
        return f'r_{logical_id}[("{text}")]'
    if kind in _ROLES:
        return f'r_{logical_id}("{text}")'
    return f'r_{logical_id}["{text}"]'


def _edges(resources: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for ref in references(resources):
        label = _label(ref, resources)
        if label is None:
            continue
        labels = edges.setdefault((ref.source, ref.target), [])
        if label not in labels:
            labels.append(label)
    return edges


def _label(ref: Reference, resources: dict[str, Any]) -> str | None:
    """What a reference means, from where it sits and what it points at; None for one that
    only names (a tag naming a resource, an ARN used in a condition)."""
    source_type = resources[ref.source].get("Type")
    target_type = resources[ref.target].get("Type")
    path = ref.path
    if "Statement" in path:
        statement = _at(
            resources[ref.source].get("Properties"), path[: path.index("Statement") + 2]
        )
        actions = statement.get("Action") if isinstance(statement, dict) else None
        actions = [actions] if isinstance(actions, str) else actions or []
        if "Condition" in path:
            return None
        if "iam:PassRole" in actions:
            return "may pass"
        return "may act on"
    if target_type == "AWS::IAM::Role":
        last = path[-1] if path else ""
        if last == "ExecutionRoleArn":
            return "execution role"
        if last == "TaskRoleArn":
            return "task role"
        return "assumes"
    if source_type == target_type == "AWS::ECS::Service":
        return "falls back to"
    if "DeadLetterConfig" in path or any("deadLetter" in key for key in path):
        return "failures to"
    if target_type == "AWS::ECS::TaskDefinition" and any(key in _RUN_KEYS for key in path):
        return "runs"
    if target_type == "AWS::Logs::LogGroup":
        return "logs to"
    if ("Target" in path or "Targets" in path) and not resources[ref.target].get(
        "Type", ""
    ).startswith("AWS::IAM::"):
        return "starts"
    return _key(path)


def _key(path: tuple[str, ...]) -> str:
    """The property a reference sits in: the last key that is a name (not an index, not a
    plain `Value`)."""
    names = [k for k in path if not k.isdigit() and k not in ("Value", "Values") and "::" not in k]
    return re.sub(r"[^A-Za-z0-9 _.-]", "", names[-1]) if names else "refers to"


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if isinstance(value, list):
            value = value[int(key)] if key.isdigit() and int(key) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value

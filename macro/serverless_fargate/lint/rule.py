"""The cfn-lint rules (loaded by cfn-lint through rules/serverless_fargate_rules.py).

E9100 runs the same validation as `serverless-fargate validate` and reports every problem at
the line of the property it names. E9101 expands a valid declaration and runs cfn-lint's own
rules on the result, reporting what they find at the declaration: a mistake in `Overrides`
shows up there instead of at deploy time.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from .. import RESOURCE_TYPE
from ..errors import InvalidTemplate, Problem

_SEGMENT = re.compile(r"\[(\d+)\]")


def _plain(value: Any) -> Any:
    """cfn-lint's nodes (dict and str subclasses with line marks) as plain JSON values."""
    return json.loads(json.dumps(value, default=str))


def split_path(path: str, template: Any) -> list[str | int]:
    """A problem's dotted path as cfn-lint's list, matching keys that contain dots (tag keys,
    `Fn::GetAtt`) against the template itself; a missing key ends the walk."""
    out: list[str | int] = []
    rest = path
    node = template
    while rest:
        index = _SEGMENT.match(rest)
        if index:
            position = int(index.group(1))
            out.append(position)
            rest = rest[index.end() :].removeprefix(".")
            node = node[position] if isinstance(node, list) and position < len(node) else None
            continue
        keys = (
            sorted((k for k in node if isinstance(k, str)), key=len, reverse=True)
            if isinstance(node, dict)
            else []
        )
        key = next(
            (k for k in keys if rest == k or rest.startswith((k + ".", k + "["))),
            None,
        )
        if key is None:
            if out and isinstance(out[-1], int) and isinstance(node, dict) and node:
                # cfn-lint places a list item at its list's key; its first key is its own line.
                out.append(next(iter(node)))
            else:
                out.append(re.split(r"[.\[]", rest, maxsplit=1)[0])
            break
        out.append(key)
        node = node[key]
        rest = rest[len(key) :].removeprefix(".")
    return out


def _expand(cfn: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    from ..transform import expand_template

    template = _plain(cfn.template)
    globals_ = (getattr(cfn, "transform_pre", None) or {}).get("Globals")
    if globals_ and "Globals" not in template:
        template["Globals"] = _plain(globals_)  # SAM's Globals, which our tasks inherit
    regions = getattr(cfn, "regions", None) or ["us-east-1"]
    try:
        return expand_template(template, region=regions[0]), []
    except InvalidTemplate as error:
        return None, list(error.problems)


def _declarations(cfn: Any) -> list[str]:
    resources = cfn.template.get("Resources")
    if not isinstance(resources, dict):
        return []
    return [
        k for k, r in resources.items() if isinstance(r, dict) and r.get("Type") == RESOURCE_TYPE
    ]


class FargateTasksValid(CloudFormationLintRule):
    """Every problem `serverless-fargate validate` finds, at its line."""

    id = "E9100"
    shortdesc = "Fargate::Tasks declarations are valid"
    description = (
        "Runs ServerlessFargate's validation (the same as `serverless-fargate validate`) and "
        "reports each problem at the property it names"
    )
    source_url = (
        "https://github.com/serverless-fargate/serverless-fargate/blob/main/docs/reference.md"
    )
    tags = ["resources", "serverless-fargate"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        from ..transform import near_misses

        if not _declarations(cfn) and not near_misses(cfn.template):
            return []
        _, problems = _expand(cfn)
        return [RuleMatch(split_path(p.path, cfn.template), str(p)) for p in problems]


class FargateTasksExpansion(CloudFormationLintRule):
    """cfn-lint's own rules on what a valid declaration becomes."""

    id = "E9101"
    shortdesc = "What Fargate::Tasks expands to passes cfn-lint"
    description = (
        "Expands the template with ServerlessFargate and lints the result with cfn-lint's own "
        "rules; findings in generated resources are reported at their declaration"
    )
    source_url = (
        "https://github.com/serverless-fargate/serverless-fargate/blob/main/docs/reference.md"
    )
    tags = ["resources", "serverless-fargate"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        declarations = _declarations(cfn)
        if not declarations:
            return []
        expanded, problems = _expand(cfn)
        if expanded is None:
            return []  # E9100 reports why
        from cfnlint.api import ManualArgs, lint

        own = set(cfn.template.get("Resources", {}))
        regions = list(getattr(cfn, "regions", None) or ["us-east-1"])
        found = lint(json.dumps(expanded), config=ManualArgs(regions=regions))
        matches = []
        for finding in found:
            path = list(finding.path or [])
            generated = path[1] if len(path) > 1 and path[0] == "Resources" else None
            if generated is None or generated in own:
                continue  # about the user's own resources: cfn-lint reports those itself
            owner = next((d for d in declarations if str(generated).startswith(d)), declarations[0])
            message = f"{generated} (generated): {finding.rule.id} {finding.message}"
            matches.append(RuleMatch(["Resources", owner], message))
        return matches

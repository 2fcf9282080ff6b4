"""Template fragment in → processed fragment out, or every problem found. Pure: no AWS, no I/O.

Everything outside the `Fargate::Tasks` resources is returned as it came in; each declaration
is replaced, at its place among the resources, by what it generates.
"""

from __future__ import annotations

import gc
import json

from . import RESOURCE_TYPE
from .declaration import Context, parse_declaration
from .errors import InvalidTemplate, Problem
from .resources import build_declaration
from .settings import SPOT_FUNCTION_NAME, application_function_arn

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

MAX_RESOURCES = 500
MAX_OUTPUTS = 200
MAX_TEMPLATE_BYTES = 1_048_576  # a template in S3 may be at most 1 MB


def transform(
    fragment: Any,
    *,
    parameters: dict[str, Any] | None = None,
    service_token: Any,
    nonce: str,
    spot_function: Any = None,
    region: str | None = None,
    account: str | None = None,
) -> dict[str, Any]:
    """The processed fragment; raises InvalidTemplate listing every problem.

    `service_token` is the ARN of the deploy-time lookup Lambda, `spot_function` that of the
    application's Spot function (Spot services' fallback); `nonce` must differ on every
    deploy (the macro passes CloudFormation's request ID) so that lookups run again. `region`
    and `account` resolve the pseudo parameters for validation.
    """
    # Templates are trees: the cyclic garbage collector finds nothing to free here, yet runs
    # again and again while thousands of small maps are made. Paused, expansion is faster.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _transform(
            fragment, parameters, service_token, nonce, spot_function, region, account
        )
    finally:
        if was_enabled:
            gc.enable()


def _transform(
    fragment: Any,
    parameters: dict[str, Any] | None,
    service_token: Any,
    nonce: str,
    spot_function: Any,
    region: str | None,
    account: str | None,
) -> dict[str, Any]:
    if not isinstance(fragment, dict):
        raise InvalidTemplate([Problem("Template", "must be a map (a JSON object)")])
    resources = fragment.get("Resources")
    if not isinstance(resources, dict):
        raise InvalidTemplate([Problem("Resources", "must be a map of logical IDs to resources")])
    declarations = [
        k for k, r in resources.items() if isinstance(r, dict) and r.get("Type") == RESOURCE_TYPE
    ]
    if not declarations:
        return fragment
    _refuse_certainly_too_many(resources, declarations)

    pseudo = {"AWS::Region": region, "AWS::AccountId": account}
    values = {k: v for k, v in pseudo.items() if v} | _parameters(fragment, parameters or {})
    context = Context(fragment, values)
    problems: list[Problem] = []
    new_resources: dict[str, Any] = {}
    new_outputs: dict[str, Any] = {}
    outputs_in = fragment.get("Outputs")
    existing_outputs: dict[str, Any] = outputs_in if isinstance(outputs_in, dict) else {}
    taken = {k for k in resources if k not in declarations}

    for logical_id, resource in resources.items():
        if logical_id not in declarations:
            new_resources[logical_id] = resource
            continue
        try:
            model = parse_declaration(logical_id, resource, context)
        except InvalidTemplate as error:
            problems.extend(error.problems)
            continue
        try:
            built, outputs = build_declaration(
                model,
                service_token,
                spot_function or application_function_arn(SPOT_FUNCTION_NAME),
                nonce,
                resource.get("Metadata"),
            )
        except InvalidTemplate as error:
            problems.extend(error.problems)
            continue
        for generated in built:
            if generated in taken or generated in resources:
                problems.append(_collision(logical_id, generated, "resource"))
        for output in outputs:
            if output in existing_outputs or output in new_outputs:
                problems.append(_collision(logical_id, output, "output"))
        taken.update(built)
        new_resources.update(built)
        new_outputs.update(outputs)

    if problems:
        raise InvalidTemplate(problems)
    result = {k: v for k, v in fragment.items()}
    result["Resources"] = new_resources
    if new_outputs:
        result["Outputs"] = {**existing_outputs, **new_outputs}
    check_limits(result, declarations)
    return result


def _collision(declaration: str, logical_id: str, what: str) -> Problem:
    return Problem(
        f"Resources.{declaration}",
        f"would generate the {what} {logical_id!r}, which already exists in this template; "
        f"rename the declaration, the task, or the existing {what}",
    )


def _parameters(fragment: dict[str, Any], given: Any) -> dict[str, Any]:
    """Parameter values for validation: those given, else each parameter's Default.

    Only string and list values are kept (CloudFormation's kinds); anything else is unknown.
    """
    declared = fragment.get("Parameters")
    values: dict[str, Any] = {}
    if isinstance(declared, dict):
        for name, spec in declared.items():
            if isinstance(name, str) and isinstance(spec, dict) and "Default" in spec:
                values[name] = spec["Default"]
    if isinstance(given, dict):
        values.update((k, v) for k, v in given.items() if isinstance(k, str))
    return {k: v for k, v in values.items() if _parameter_value(v)}


def _parameter_value(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    return isinstance(value, (str, bool)) or (
        isinstance(value, (int, float)) and abs(value) < 2**53
    )


def _refuse_certainly_too_many(resources: dict[str, Any], declarations: list[str]) -> None:
    """Refuse before any per-task work a template that must exceed the resource limit: every
    task generates at least its task definition. Thousands of tasks then cost a count, not a
    validation and expansion of each (which could outlast the macro function's timeout)."""
    tasks = 0
    for logical_id in declarations:
        properties = resources[logical_id].get("Properties")
        given = properties.get("Tasks") if isinstance(properties, dict) else None
        if isinstance(given, dict):
            tasks += sum(isinstance(t, dict) for t in given.values())
    least = len(resources) - len(declarations) + tasks
    if least > MAX_RESOURCES:
        raise InvalidTemplate(
            [
                Problem(
                    _where(declarations),
                    f"the processed template would have at least {least} resources (one task "
                    f"definition per task), {least - MAX_RESOURCES} over CloudFormation's limit "
                    f"of {MAX_RESOURCES}: split the tasks over several stacks (nested stacks work)",
                )
            ]
        )


def _where(declarations: list[str]) -> str:
    """Where a template-wide limit is reported: the declaration, when there is only one."""
    return "Resources." + declarations[0] if len(declarations) == 1 else "Template"


def check_limits(template: dict[str, Any], declarations: list[str]) -> None:
    """CloudFormation's quotas, checked on the result so a deploy does not fail later."""
    where = _where(declarations)
    problems = []
    count = len(template["Resources"])
    if count > MAX_RESOURCES:
        problems.append(
            Problem(
                where,
                f"the processed template has {count} resources, {count - MAX_RESOURCES} over "
                f"CloudFormation's limit of {MAX_RESOURCES}: split the tasks over several "
                "stacks (nested stacks work)",
            )
        )
    outputs = template.get("Outputs")
    count = len(outputs) if isinstance(outputs, dict) else 0
    if count > MAX_OUTPUTS:
        problems.append(
            Problem(
                where,
                f"the processed template has {count} outputs, {count - MAX_OUTPUTS} over "
                f"CloudFormation's limit of {MAX_OUTPUTS}: set `Outputs: false` on a declaration "
                "or split it",
            )
        )
    # check_circular=False: parsed templates have no cycles (scan bounds their depth). The
    # dump is ASCII (ensure_ascii), so its length is its size in bytes: no encoding needed.
    size = len(json.dumps(template, separators=(",", ":"), check_circular=False))
    if size > MAX_TEMPLATE_BYTES:
        problems.append(
            Problem(
                where,
                f"the processed template is {size} bytes, {size - MAX_TEMPLATE_BYTES} over "
                f"CloudFormation's limit of {MAX_TEMPLATE_BYTES} (1 MB): split the tasks over "
                "several stacks",
            )
        )
    if problems:
        raise InvalidTemplate(problems)

"""Template fragment in → processed fragment out, or every problem found. Pure: no AWS, no I/O.

Everything outside the `Fargate::Tasks` resources is returned as it came in; each declaration
is replaced, at its place among the resources, by what it generates.
"""

from __future__ import annotations

import gc
import json

from . import RESOURCE_TYPE, TRANSFORM_NAME
from .declaration import Context, parse_declaration
from .declaration.callers import variable
from .errors import InvalidTemplate, Problem
from .resources import build_declaration, invocations
from .settings import application_function_arn

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

MAX_RESOURCES = 500
MAX_OUTPUTS = 200
# "Troubleshoot the processed template" (size limitation): a processed template may be at most
# 1 MB from S3, 51,200 bytes when given in the request (TemplateBody). AWS does not say how the
# JSON it counts is written, nor 1 MB in bytes, so the tools (expand_template) refuse only what
# is over 1,048,576 bytes of compact JSON with text in UTF-8, and the CLI notes what may be
# over 1,000,000 or 51,200 (the macro cannot tell which way a template came). The macro counts
# only when its answer could come near Lambda's limit (ANSWER_BOUND): below that, CloudFormation
# judges the size itself, while it makes the change set, after every macro has run ("Perform
# custom processing on CloudFormation templates with template macros"), so before any resource
# changes (our reading of that order; AWS does not say it of this check).
MAX_TEMPLATE_BYTES = 1_048_576
MAX_INLINE_TEMPLATE_BYTES = 51_200
# "Template may not exceed 1000000 bytes in size" (CloudFormation's error, as quoted in public
# reports) and cfn-lint's limit of 1,000,000: what the CLI notes as possibly refused.
LIKELY_TEMPLATE_BYTES = 1_000_000
# The macro's answer must reach CloudFormation: "For synchronous invocations, the maximum
# payload size is 6 MB" (Lambda's Invoke API reference), and the Python runtime writes the
# answer with spaces after , and : (at most half again as many bytes as compact; 4 MB so written
# is 6,000,000 bytes) and text in UTF-8 (never longer than the \u escapes size_bound counts).
# Shared values are copied into every task, so a small template can expand past that; the macro
# counts the bytes exactly whenever size_bound, cheap to take, cannot keep its answer under this.
ANSWER_BOUND = 4_000_000
LOCAL_NONCE = "local"  # the macro uses CloudFormation's request ID, new on every deploy


def transform(
    fragment: Any,
    *,
    parameters: dict[str, Any] | None = None,
    service_token: Any,
    nonce: str,
    region: str | None = None,
    account: str | None = None,
    bound_size: bool = True,
) -> dict[str, Any]:
    """The processed fragment; raises InvalidTemplate listing every problem.

    `service_token` is the ARN of the deploy-time lookup Lambda; `nonce` must differ on every
    deploy (the macro passes CloudFormation's request ID) so that lookups run again. `region`
    and `account` resolve the pseudo parameters for validation. `bound_size=False`: the caller
    counts the bytes itself (expand_template), so neither the bound nor the count is taken here.
    """
    # Templates are trees: the cyclic garbage collector finds nothing to free here, yet runs
    # again and again while thousands of small maps are made. Paused, expansion is faster.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _transform(fragment, parameters, service_token, nonce, region, account, bound_size)
    finally:
        if was_enabled:
            gc.enable()


def _transform(
    fragment: Any,
    parameters: dict[str, Any] | None,
    service_token: Any,
    nonce: str,
    region: str | None,
    account: str | None,
    bound_size: bool,
) -> dict[str, Any]:
    if not isinstance(fragment, dict):
        raise InvalidTemplate([Problem("Template", "must be a map (a JSON object)")])
    resources = fragment.get("Resources")
    if not isinstance(resources, dict):
        raise InvalidTemplate([Problem("Resources", "must be a map of logical IDs to resources")])
    declarations = _declarations(resources)
    near = near_misses(fragment)
    if near:
        raise InvalidTemplate(near)
    if not declarations:
        return fragment
    _refuse_certainly_too_many(resources, declarations)

    pseudo = {"AWS::Region": region, "AWS::AccountId": account}
    values = {k: v for k, v in pseudo.items() if v} | parameter_values(fragment, parameters or {})
    context = Context(fragment, values)
    problems: list[Problem] = allowed_values(fragment, values)
    new_resources: dict[str, Any] = {}
    new_outputs: dict[str, Any] = {}
    outputs_in = fragment.get("Outputs")
    existing_outputs: dict[str, Any] = outputs_in if isinstance(outputs_in, dict) else {}
    taken = {k for k in resources if k not in declarations}
    models = []

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
        models.append(model)

    problems += _grant_callers(models, new_resources)
    if problems:
        raise InvalidTemplate(problems)
    result = {k: v for k, v in fragment.items()}
    result["Resources"] = new_resources
    if new_outputs:
        result["Outputs"] = {**existing_outputs, **new_outputs}
    check_limits(result, declarations)
    if bound_size and size_bound(fragment, result, declarations) > ANSWER_BOUND:
        check_size(result, declarations)
    return result


def expand_template(
    template: Any,
    *,
    parameters: dict[str, Any] | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
    service_token: Any = None,
    require_transform: bool = False,
) -> dict[str, Any]:
    """What the macro returns for this template, with the Transform list CloudFormation keeps
    (the CLI, cfn-lint's rule and the tests expand templates this way). `require_transform`:
    a declaration in a template that does not list this transform is a problem (the CLI's).

    CloudFormation hands a macro the template without its Transform section; the transforms
    still to run (SAM's, after ours) are kept so the output can be fed to `sam` or cfn-lint.
    """
    missing = missing_transform(template) if require_transform else []
    fragment = dict(template) if isinstance(template, dict) else template
    remaining = None
    if isinstance(fragment, dict) and "Transform" in fragment:
        names = fragment.pop("Transform")
        names = names if isinstance(names, list) else [names]
        remaining = [n for n in names if n != TRANSFORM_NAME]
    try:
        processed = transform(
            fragment,
            parameters=parameters or {},
            service_token=service_token or application_function_arn(),
            nonce=LOCAL_NONCE,
            region=region,
            account=account,
            bound_size=False,  # counted below, always
        )
    except InvalidTemplate as error:
        raise InvalidTemplate(missing + error.problems) from None
    if missing:
        raise InvalidTemplate(missing)
    check_size(processed, _declarations(fragment["Resources"]))
    if remaining:
        processed = {"Transform": remaining if len(remaining) > 1 else remaining[0], **processed}
    return processed


def near_misses(template: Any) -> list[Problem]:
    """Resource types that look like a misspelt Fargate::Tasks (Fargate::Task, fargate::tasks):
    CloudFormation would only say the type is unknown, at deploy time."""
    resources = template.get("Resources") if isinstance(template, dict) else None
    problems = []
    for logical_id, resource in resources.items() if isinstance(resources, dict) else ():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if not isinstance(kind, str) or kind == RESOURCE_TYPE:
            continue
        if kind.startswith(_OTHER_TYPES) and "fargate" not in kind.lower():
            continue  # AWS's own types are many: only one naming Fargate is compared
        if _close(kind.lower(), RESOURCE_TYPE.lower()):
            problems.append(
                Problem(
                    f"Resources.{logical_id}.Type",
                    f"{kind!r} is not a resource type; did you mean {RESOURCE_TYPE!r}?",
                )
            )
    return problems


# Types of CloudFormation, SAM and custom resources: a misspelt Fargate::Tasks names Fargate.
_OTHER_TYPES = ("AWS::", "Custom::", "Alexa::")


def _close(word: str, target: str) -> bool:
    import difflib  # only types outside AWS's and custom ones are compared

    return difflib.SequenceMatcher(None, word, target).ratio() >= 0.8


def missing_transform(template: Any) -> list[Problem]:
    """A problem at each declaration of a template that does not list this transform: without
    it, CloudFormation refuses Fargate::Tasks as an unknown type."""
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        return []
    names = template.get("Transform")
    if TRANSFORM_NAME in (names if isinstance(names, list) else [names]):
        return []
    return [
        Problem(
            f"Resources.{logical_id}.Type",
            f"{RESOURCE_TYPE} needs the {TRANSFORM_NAME} transform, which this template does "
            f"not list: add `Transform: {TRANSFORM_NAME}` (with SAM: "
            f"`Transform: [{TRANSFORM_NAME}, AWS::Serverless-2016-10-31]`)",
        )
        for logical_id, resource in template["Resources"].items()
        if isinstance(resource, dict) and resource.get("Type") == RESOURCE_TYPE
    ]


def _grant_callers(models: list[Any], resources: dict[str, Any]) -> list[Problem]:
    """Each caller function, in `resources`, gets its tasks' variables and grants; a variable
    two declarations would both set (the same task key) is a problem."""
    problems = []
    set_by: dict[tuple[str, str], str] = {}
    for model in models:
        for function, tasks in invocations.callers_of(model).items():
            for t in tasks:
                key = (function, variable(t.key))
                if key in set_by:
                    problems.append(
                        Problem(
                            f"Resources.{model.logical_id}.Properties.Tasks.{t.key}.Callers",
                            f"{function!r} is also a caller of task {t.key!r} of "
                            f"{set_by[key]}: both would set {key[1]}; rename one task",
                        )
                    )
                set_by[key] = model.logical_id
            resources[function] = invocations.patch(model, function, resources[function])
    return problems


def _collision(declaration: str, logical_id: str, what: str) -> Problem:
    return Problem(
        f"Resources.{declaration}",
        f"would generate the {what} {logical_id!r}, which already exists in this template; "
        f"rename the declaration, the task, or the existing {what}",
    )


def parameter_values(fragment: dict[str, Any], given: Any) -> dict[str, Any]:
    """Parameter values for validation: those given, else each parameter's Default.

    Only string and list values are kept (CloudFormation's kinds); anything else is unknown.
    So is an SSM-typed parameter's: its value names a Systems Manager parameter, and what that
    holds is read at deploy time (AWS does not say which of the two a macro is handed).
    """
    declared = fragment.get("Parameters")
    values: dict[str, Any] = {}
    deploy_time = set()
    if isinstance(declared, dict):
        for name, spec in declared.items():
            if not (isinstance(name, str) and isinstance(spec, dict)):
                continue
            if str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value<"):
                deploy_time.add(name)
            elif "Default" in spec:
                values[name] = spec["Default"]
    if isinstance(given, dict):
        values.update((k, v) for k, v in given.items() if isinstance(k, str))
    return {k: v for k, v in values.items() if k not in deploy_time and _parameter_value(v)}


def allowed_values(fragment: dict[str, Any], values: dict[str, Any]) -> list[Problem]:
    """A parameter value (given, else the Default) outside the parameter's AllowedValues:
    CloudFormation refuses it before anything runs."""
    declared = fragment.get("Parameters")
    problems = []
    for name, spec in declared.items() if isinstance(declared, dict) else ():
        allowed = spec.get("AllowedValues") if isinstance(spec, dict) else None
        value = values.get(name)
        if not isinstance(allowed, list) or value is None or isinstance(value, list):
            continue
        if _text(value) not in [_text(a) for a in allowed]:
            listed = ", ".join(map(_text, allowed))
            problems.append(
                Problem(
                    f"Parameters.{name}",
                    f"{_text(value)} is not one of its AllowedValues: {listed}",
                )
            )
    return problems


def _text(value: Any) -> str:
    """A value as CloudFormation passes parameters: text (YAML's true is "true")."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def unknown_parameters(template: Any, given: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The names in `given` the template declares no parameter for, and those it declares."""
    declared = template.get("Parameters") if isinstance(template, dict) else None
    names = [str(n) for n in declared] if isinstance(declared, dict) else []
    return [n for n in given if n not in names], names


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


def _declarations(resources: dict[str, Any]) -> list[str]:
    return [
        k for k, r in resources.items() if isinstance(r, dict) and r.get("Type") == RESOURCE_TYPE
    ]


# check_circular=False: parsed templates have no cycles (scan bounds their depth).
# ensure_ascii=False: a character counts its UTF-8 bytes, as the shortest JSON writes it.
_ENCODE = json.JSONEncoder(separators=(",", ":"), check_circular=False, ensure_ascii=False).encode


def template_size(template: dict[str, Any]) -> int:
    """The bytes of the template as compact JSON with text in UTF-8, not \\u escapes (numbers
    as Python writes them, which a shorter JSON could write in a byte or two less); counted a
    section and a resource at a time: no megabyte string is made, and each piece stays small
    enough to stay in the processor's cache, so the count grows with the template and no
    faster."""
    return _map_size(template, depth=2)


def _map_size(value: Any, depth: int) -> int:
    if not isinstance(value, dict) or depth == 0:
        return _bytes(_ENCODE(value))
    if not value:
        return 2
    # {"k":v,"k":v}: braces, a colon each, a comma between
    return (
        2 * len(value) + 1 + sum(_key_size(k) + _map_size(v, depth - 1) for k, v in value.items())
    )


def _bytes(text: str) -> int:
    # isascii is a flag CPython keeps: only text with other characters is encoded to count it.
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _key_size(key: Any) -> int:
    """A key as JSON writes it: a number or true/false/null as a string (YAML may give them)."""
    return _bytes(_ENCODE(key)) if isinstance(key, str) else len(_ENCODE({key: 0})) - 4


def check_limits(template: dict[str, Any], declarations: list[str]) -> None:
    """CloudFormation's quotas of resources and outputs, checked on the result so a deploy does
    not fail later (counting them costs nothing; the bytes are counted by the tools only)."""
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
    if problems:
        raise InvalidTemplate(problems)


# What one generated resource holds besides the values of the template it copies: a task's
# workflow is about 8 KB and a declaration's Recovery machine about 20 KB, any other resource
# about 1.2 KB at most; and what each task adds to its declaration's shared resources (its roles'
# ARNs in PassRole, its images and secrets in the execution role, a Spot service's states in the
# fallback workflow). tests/test_hardening.py checks the bound on every example, on generated
# declarations and on templates made to copy large values many times (a review's included).
_MOST_OWN_BYTES = {"AWS::StepFunctions::StateMachine": 24_000}
_MOST_OTHER_BYTES = 3_000
_MOST_SHARED_BYTES_PER_TASK = 4_000
# The most times one generated resource copies a value of its declaration (its Metadata,
# Condition and DependsOn, its default Tags, its logical ID in names and references).
_MOST_COPIES_PER_RESOURCE = 8
# The most times one task's resources copy a value written for the task (its Network into its
# workflow's states, a dead-letter queue's ARN into the parts of its URL, its key into names,
# texts and filters), with room to spare; and again for each rule of its Events (a rule copies
# the task's dead-letter queue and names).
_MOST_COPIES_PER_TASK = 32
_MOST_COPIES_PER_EVENT = 4
_ASCII = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def size_bound(fragment: dict[str, Any], result: dict[str, Any], declarations: list[str]) -> int:
    """More bytes than the processed template `result` of `fragment` can take written compact
    with \\u escapes, cheaply: everything not generated as it is in `result` (the template's own
    resources, callers' policies and variables included, and the outputs); for each generated
    resource, its own bytes and each declaration value it can copy; for each task, what it adds
    to shared resources and each of its values as often as its resources can copy it."""
    resources = fragment["Resources"]
    generated = result["Resources"].keys() - (resources.keys() - set(declarations))
    rest = {k: v for k, v in result["Resources"].items() if k not in generated}
    total = len(_ASCII({**result, "Resources": rest}))
    shared_globals = len(_ASCII(fragment.get("Globals") or {}))
    most_shared = 0
    for logical_id in declarations:
        declaration = resources[logical_id]
        properties = declaration["Properties"]
        shared = {k: v for k, v in properties.items() if k != "Tasks"}
        attributes = {k: v for k, v in declaration.items() if k != "Properties"}
        most_shared = max(
            most_shared,
            len(_ASCII(shared)) + len(_ASCII(attributes)) + shared_globals + len(logical_id),
        )
        tasks = properties.get("Tasks") or {}
        # Every task's map and key (one dump of them all: the map's bytes include each key)...
        total += _MOST_SHARED_BYTES_PER_TASK * len(tasks)
        total += _MOST_COPIES_PER_TASK * (len(_ASCII(tasks)) + sum(map(len, tasks)))
        # ...and again for each event rule, and an image function's bytes, per task that has them.
        shared_events = _count(shared.get("Events"))
        for key, task in tasks.items():
            events = shared_events + _count(task.get("Events") if isinstance(task, dict) else None)
            image = _function_image_bytes(task, shared, resources)
            if events or image:
                copies = _MOST_COPIES_PER_TASK + _MOST_COPIES_PER_EVENT * events
                total += _MOST_COPIES_PER_EVENT * events * (len(_ASCII(task)) + len(key))
                total += copies * image
    kinds = [result["Resources"][k]["Type"] for k in generated]
    total += sum(_MOST_OWN_BYTES.get(kind, _MOST_OTHER_BYTES) for kind in kinds)
    total += len(kinds) * _MOST_COPIES_PER_RESOURCE * most_shared
    return total


def _count(value: Any) -> int:
    return len(value) if isinstance(value, dict) else 0


def _function_image_bytes(task: Any, shared: dict[str, Any], resources: dict[str, Any]) -> int:
    """`Image: {Function: F}` copies F's image URI, which may be any intrinsic: F's bytes bound
    it."""
    image = task.get("Image", shared.get("Image")) if isinstance(task, dict) else None
    if not isinstance(image, dict) or not isinstance(image.get("Function"), str):
        return 0
    return len(_ASCII(resources.get(image["Function"])))


def check_size(template: dict[str, Any], declarations: list[str]) -> None:
    """The check of CloudFormation's 1 MB (the tools', and the macro's when its answer could be
    large): a template over 1,048,576 bytes of compact UTF-8 JSON cannot deploy, however
    CloudFormation writes it to count and whichever of 1,000,000 or 1,048,576 it means."""
    size = template_size(template)
    if size > MAX_TEMPLATE_BYTES:
        raise InvalidTemplate(
            [
                Problem(
                    _where(declarations),
                    f"the processed template is {size} bytes, {size - MAX_TEMPLATE_BYTES} over "
                    f"CloudFormation's limit of {MAX_TEMPLATE_BYTES} (1 MB): split the tasks "
                    "over several stacks",
                )
            ]
        )

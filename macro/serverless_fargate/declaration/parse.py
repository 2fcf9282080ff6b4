"""From a `Fargate::Tasks` resource to the typed model, as a short pipeline:

    scan (bounds) → shape (JSON schema) → merge (Globals, declaration, task) →
    rules (registered checks) → assemble (defaults, resolved flags, the model)

Every problem is collected; none stops the others, except that a declaration whose bounds or
declaration-level shape are broken goes no further (every task would inherit the damage).
"""

from __future__ import annotations

from ..errors import InvalidTemplate, Problem, join_path
from ..resources.names import pascal_case
from . import assemble, fields, rules
from .merge import DeclarationInput, merge_task
from .messages import did_you_mean
from .resolve import Flags, known_flag
from .scan import scan
from .schema_check import parameter_problems, schema_problems

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

    from .model import Declaration

RESOURCE_ATTRIBUTES = ("Type", "Properties", "Condition", "DependsOn", "Metadata")


class Context:
    """What parsing reads besides the declaration: the template and parameter values."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, Any]):
        resources = template.get("Resources")
        self.resources: dict[str, Any] = resources if isinstance(resources, dict) else {}
        self.parameters = parameters
        globals_ = template.get("Globals")
        function = globals_.get("Function") if isinstance(globals_, dict) else None
        self.globals_function: dict[str, Any] = function if isinstance(function, dict) else {}
        declared = template.get("Parameters")
        # List-typed parameters: CloudFormation passes their value as comma-separated text.
        self.list_parameters = frozenset(
            name
            for name, spec in (declared.items() if isinstance(declared, dict) else ())
            if isinstance(spec, dict)
            and ("List<" in str(spec.get("Type")) or spec.get("Type") == "CommaDelimitedList")
        )


def parse_declaration(logical_id: str, resource: dict[str, Any], context: Context) -> Declaration:
    """The model of one declaration, or InvalidTemplate listing every problem in it."""
    base = f"Resources.{logical_id}"
    path = join_path(base, "Properties")
    problems = _attribute_problems(base, resource)
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        raise InvalidTemplate([*problems, Problem(path, "is required: a map with at least Tasks")])
    bounds = scan(properties, path)
    if bounds:
        raise InvalidTemplate(sorted(set(problems + bounds)))
    shape = schema_problems(properties, path)
    tasks_path = join_path(path, "Tasks") + "."
    if any(not p.path.startswith(tasks_path) for p in shape):
        raise InvalidTemplate(sorted(set(problems + shape)))  # every task would inherit it
    problems += shape
    # Tasks with shape problems still go through the rules, for a complete list, but are not
    # assembled; a rule's word on a value the schema already refused is left out.
    malformed = {p.path[len(tasks_path) :].split(".")[0] for p in shape}

    inherit = known_flag(
        properties.get("InheritGlobals"),
        context.parameters,
        fields.DECLARATION_ONLY["InheritGlobals"].default,
    )
    inherited = _globals_defaults(context.globals_function) if inherit else {}
    bounds = scan(inherited, "Globals.Function")
    if bounds:
        raise InvalidTemplate(sorted(set(problems + bounds)))
    defaults = {k: v for k, v in properties.items() if k not in fields.DECLARATION_ONLY}
    tasks_in = properties.get("Tasks") or {}
    table_defaults = fields.defaults(fields.TASK)  # once, for every task's merged view
    merged_tasks = []
    for key, own in tasks_in.items():
        if not isinstance(own, dict):
            continue
        at = join_path(path, "Tasks", key)
        merged_tasks.append(
            merge_task(
                key,
                pascal_case(key),
                at,
                [(inherited, "Globals.Function"), (defaults, path), (own, at)],
                own,
                (defaults, path) if own.keys().isdisjoint(fields.KIND_KEYS) else (own, at),
                table_defaults,
            )
        )
    merged = tuple(merged_tasks)
    d = DeclarationInput(
        logical_id,
        path,
        properties,
        merged,
        context.resources,
        context.parameters,
        inherited,
        frozenset(t.name for t in merged),
    )
    problems += rules.run("declaration", d)
    refused = tuple(p.path for p in shape)
    for t in merged:
        found = rules.run("task", t, d)
        if t.key in malformed:
            found = [p for p in found if not p.path.startswith(refused)]
        problems += found
    # Values fed by parameters, checked like literals where no rule already spoke of them.
    spoken = {p.path for p in problems}
    problems += [
        p
        for p in parameter_problems(properties, path, context.parameters, context.list_parameters)
        if p.path not in spoken
    ]
    flags = Flags(context.parameters, problems)
    flags.flag(
        properties.get("InheritGlobals"),
        join_path(path, "InheritGlobals"),
        fields.DECLARATION_ONLY["InheritGlobals"].default,
    )
    if problems:
        raise InvalidTemplate(sorted(set(problems)))
    tasks = [m for t in merged if (m := assemble.task(t, d, flags)) is not None]
    model = assemble.declaration(d, tasks, resource, flags)
    if problems:  # a flag that cannot be known
        raise InvalidTemplate(sorted(set(problems)))
    return model


def _attribute_problems(base: str, resource: dict[str, Any]) -> list[Problem]:
    """Resource attributes: only those that make sense for every generated resource."""
    problems = []
    for key in resource:
        if key not in RESOURCE_ATTRIBUTES:
            hint = did_you_mean(str(key), list(RESOURCE_ATTRIBUTES))
            problems.append(
                Problem(join_path(base, str(key)), f"not supported on Fargate::Tasks{hint}")
            )
    condition = resource.get("Condition")
    if condition is not None and not isinstance(condition, str):
        problems.append(
            Problem(join_path(base, "Condition"), "must be the name of a condition (a string)")
        )
    depends_on = resource.get("DependsOn")
    if depends_on is not None and not (
        isinstance(depends_on, str)
        or (isinstance(depends_on, list) and all(isinstance(x, str) for x in depends_on))
    ):
        problems.append(
            Problem(join_path(base, "DependsOn"), "must be a logical ID or a list of logical IDs")
        )
    return problems


def _globals_defaults(function: dict[str, Any]) -> dict[str, Any]:
    """SAM Globals.Function settings that become task defaults (InheritGlobals)."""
    out: dict[str, Any] = {}
    env = function.get("Environment")
    if isinstance(env, dict) and isinstance(env.get("Variables"), dict):
        out["Environment"] = env["Variables"]
    if isinstance(function.get("Tags"), dict):
        out["Tags"] = function["Tags"]
    if function.get("PermissionsBoundary") is not None:
        out["PermissionsBoundary"] = function["PermissionsBoundary"]
    if isinstance(function.get("VpcConfig"), dict):
        out["VpcConfig"] = function["VpcConfig"]  # a network default, not a task field
    return out

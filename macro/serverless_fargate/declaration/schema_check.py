"""Shape validation (jsonschema), turned into one clear problem per mistake, each with its path."""

from __future__ import annotations

from functools import lru_cache

from ..errors import Problem, join_path
from . import fastcheck, schema_parts
from .messages import did_you_mean, show
from .schema import SCHEMA
from .schema_parts import for_python

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


@lru_cache(maxsize=1)
def _validator() -> Any:
    # Imported here: jsonschema is the heaviest import of the macro and only validation needs it.
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(SCHEMA)
    return Draft202012Validator(for_python(SCHEMA))


def schema_problems(properties: Any, base: str) -> list[Problem]:
    """Every shape problem in a declaration's Properties, sorted by path."""
    if fastcheck.is_valid(properties):
        return []  # the usual case, without jsonschema's cost
    problems: list[Problem] = []
    for error in _validator().iter_errors(properties):
        problems.extend(_explain(error, base))
    return sorted(set(problems))


_NAME_RULES = {
    for_python({"pattern": p})["pattern"]: why
    for p, why in (
        (
            schema_parts.TASK_KEY_PATTERN,
            "a task key starts with a letter and has only letters, digits, '-' and '_'",
        ),
        (
            schema_parts.ENV_NAME_PATTERN,
            "a name starts with a letter or '_' and has only letters, digits and '_'",
        ),
        (
            schema_parts.TAG_KEY_PATTERN,
            "tag keys have 1 to 128 characters and may not start with 'aws:' (reserved by AWS) "
            "or 'serverless-fargate:' (reserved for what this transform marks)",
        ),
        ("^[A-Za-z0-9_-]{1,255}$", "1 to 255 letters, digits, '-' and '_'"),
    )
}


def _expected(error: Any) -> str | None:
    while error is not None:
        if isinstance(error.schema, dict) and "x-expected" in error.schema:
            return error.schema["x-expected"]
        error = error.parent
    return None


def _looks_intrinsic(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) == 1
        and any(k == "Ref" or k.startswith("Fn::") for k in value)
    )


def _branch_for(instance: Any, branches: list[dict]) -> int | None:
    """The anyOf branch the user evidently meant, so its precise errors can be shown."""
    if isinstance(instance, dict) and not _looks_intrinsic(instance):
        best, best_score = None, 0
        for i, branch in enumerate(branches):
            props = branch.get("properties")
            if branch.get("type") != "object" or props is None:
                continue
            score = len(set(instance) & set(props)) + 1
            if any(k in instance for k in branch.get("required", [])):
                score += 10
            if score > best_score:
                best, best_score = i, score
        return best
    wanted = {list: "array", str: "string", int: "integer"}.get(type(instance))
    for i, branch in enumerate(branches):
        # Descend only where the branch says more than its type (a range, a pattern, items).
        if branch.get("type") == wanted and len(branch) > 1:
            return i
    return None


def _sections_with(key: str, properties: dict[str, Any]) -> list[str]:
    """The properties of this level whose map (or a map branch of whose shape) takes `key`:
    where a key written one level too high belongs."""
    found = []
    for name, shape in properties.items():
        branches = [shape, *shape.get("anyOf", [])] if isinstance(shape, dict) else []
        if any(key in (b.get("properties") or {}) for b in branches if isinstance(b, dict)):
            found.append(name)
    return found


def _explain(error: Any, base: str) -> list[Problem]:
    path = join_path(base, *error.absolute_path)
    kind = error.validator
    instance = error.instance
    expected = _expected(error)

    if kind in ("anyOf", "oneOf"):
        branch = _branch_for(instance, error.validator_value)
        if branch is not None:
            inner = [e for e in error.context if e.relative_schema_path[0] == branch]
            if inner:
                return [p for e in inner for p in _explain(e, base)]
        return [Problem(path, f"{show(instance)} is not valid: expected {expected}")]

    if kind == "additionalProperties":
        properties = error.schema.get("properties", {})
        known = list(properties)
        extras = [k for k in instance if k not in known]
        out = []
        for key in extras:
            sections = _sections_with(key, properties)
            if sections:
                where = " or ".join(sections)
                out.append(
                    Problem(
                        join_path(path, key),
                        f"unknown property here: it belongs under {where} "
                        f"({sections[0]}: {{{key}: ...}})",
                    )
                )
                continue
            hint = did_you_mean(key, known) or f" (valid: {', '.join(known)})"
            out.append(Problem(join_path(path, key), f"unknown property{hint}"))
        return out

    if kind == "required":
        missing = [k for k in error.validator_value if k not in instance]
        return [Problem(join_path(path, k), "is required") for k in missing]

    if "propertyNames" in error.absolute_schema_path:
        # jsonschema reports a bad key as a failed pattern on the key, at the map's path.
        name = str(instance)
        pattern = error.schema.get("pattern")
        why = _NAME_RULES.get(pattern, "it does not match " + str(pattern))
        return [Problem(join_path(path, name), f"{show(name)} is not a valid name: {why}")]

    if kind == "minProperties" and path.endswith(".Tasks"):
        return [Problem(path, "must declare at least one task")]
    if kind in ("minItems", "minProperties", "minLength"):
        return [Problem(path, f"must not be empty: expected {expected or error.message}")]
    if kind in ("minimum", "maximum"):
        return [Problem(path, f"{show(instance)} is out of range: expected {expected}")]
    if kind == "enum":
        allowed = expected or ", ".join(map(str, error.validator_value))
        return [Problem(path, f"{show(instance)} is not one of: {allowed}")]
    if kind in ("type", "pattern", "maxProperties", "const"):
        return [
            Problem(path, f"{show(instance)} is not valid: expected {expected or error.message}")
        ]
    return [Problem(path, error.message)]


def parameter_problems(
    properties: Any, base: str, parameters: dict[str, Any], lists: Any = ()
) -> list[Problem]:
    """Shape problems of the values that `Ref`s to template parameters take, as for literals.

    Each Ref (not one inside another intrinsic) is replaced by its parameter's value; a
    value is refused only where neither its text nor its number passes (CloudFormation
    passes every parameter as text and converts it for numeric properties). `lists` names the
    list-typed parameters, whose comma-separated text is a list.
    """
    if all(name.startswith("AWS::") for name in parameters):
        return []  # pseudo parameters only: nothing of the template's to read
    fed: dict[tuple[Any, ...], str] = {}
    as_text = _substitute(properties, (), parameters, lists, fed, numbers=False)
    if not fed:
        return []
    as_number = _substitute(properties, (), parameters, lists, {}, numbers=True)
    text_paths = {p.path for p in schema_problems(as_text, base)}
    out = []
    # A flag's parameter is explained by resolve.Flags, which says what the flag takes.
    flag = f"expected {schema_parts.BOOL['x-expected']}"
    for problem in schema_problems(as_number, base):
        if problem.path not in text_paths or problem.message.endswith(flag):
            continue
        name = next(
            (n for at, n in fed.items() if _under(problem.path, join_path(base, *at))), None
        )
        if name is not None:
            out.append(Problem(problem.path, f"{problem.message} (the parameter {name}'s value)"))
    return out


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def _substitute(
    value: Any,
    at: tuple[Any, ...],
    parameters: dict[str, Any],
    lists: Any,
    fed: dict[tuple[Any, ...], str],
    numbers: bool,
) -> Any:
    if isinstance(value, dict):
        if _looks_intrinsic(value):
            name = value.get("Ref")
            if not isinstance(name, str) or name.startswith("AWS::") or name not in parameters:
                return value  # another function, a pseudo parameter or no value: unknown now
            fed[at] = name
            given = parameters[name]
            if name in lists and isinstance(given, str):
                return given.split(",")
            return _number(given) if numbers else given
        return {
            k: _substitute(v, (*at, k), parameters, lists, fed, numbers) for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            _substitute(v, (*at, i), parameters, lists, fed, numbers) for i, v in enumerate(value)
        ]
    return value


def _number(value: Any) -> Any:
    """A parameter's text as the number or boolean CloudFormation would convert it to."""
    if value in ("true", "false"):
        return value == "true"
    if isinstance(value, str) and len(value) < 16:
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value

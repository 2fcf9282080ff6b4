"""What a task's execution role must be allowed to read: which secrets, which repositories.

Worked out while parsing, because it needs the template (a Ref may name a secret resource).
"""

from __future__ import annotations

import re

from ..intrinsics import escape, is_intrinsic, resolve, sub
from . import images

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

SSM = "ssm"
SECRETS_MANAGER = "secretsmanager"
EITHER = "either"  # an intrinsic that may evaluate to either kind of ARN

_SSM_PARAMETER = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/"


def secret_grant(
    value: Any, resources: dict[str, Any], parameters: dict[str, Any]
) -> tuple[str, Any]:
    """(service, ARN or list of ARNs to grant) for an ECS secret's ValueFrom."""
    literal = resolve(value, parameters)
    if isinstance(literal, str):
        return _from_text(literal, value if is_intrinsic(value) else None)
    if is_intrinsic(value):
        ((name, argument),) = value.items()
        if name == "Ref" and isinstance(resources.get(argument), dict):
            kind = resources[argument].get("Type")
            if kind == "AWS::SecretsManager::Secret":
                return SECRETS_MANAGER, value  # Ref of a secret is its ARN
            if kind == "AWS::SSM::Parameter":  # Ref of a parameter is its name
                return SSM, _parameter_arn_of_name(value)
        if name == "Fn::Sub":
            text, variables = (argument, None) if isinstance(argument, str) else argument
            if text.startswith("arn:"):
                return _from_text(text, value, variables)
            name_text = _parameter_name(text, variables, parameters)
            if name_text is not None:
                # "/app/${Env}/db" is an SSM parameter's name, not an ARN: IAM takes the ARN.
                return _from_text(name_text, value)
            head = _LEADING_VARIABLE.match(text)
            if head and not (variables and head.group(1) in variables):
                # "${Secret}:password::": the secret is the variable; the rest picks a key.
                return _from_variable(head.group(1), value, resources, parameters)
    return EITHER, value


_LEADING_VARIABLE = re.compile(r"^\$\{([A-Za-z0-9]+)\}(?::|$)")


def _parameter_name(text: str, variables: Any, parameters: dict[str, Any]) -> str | None:
    """A Fn::Sub's text with its first variable read, when it is an SSM parameter's name (an
    ARN starts with `arn:`): literal text first, or a template parameter whose value is known
    and no ARN. None when it may be an ARN."""
    first = _FIRST_VARIABLE.match(text)
    if first is None:
        return None if text.startswith("${") else text
    name = first.group(1)
    known = None if variables and name in variables else parameters.get(name)
    if isinstance(known, str) and not known.startswith("arn:"):
        return known + text[first.end() :]
    return None


_FIRST_VARIABLE = re.compile(r"^\$\{([A-Za-z0-9]+)\}")


def _from_variable(
    name: str, written: Any, resources: dict[str, Any], parameters: dict[str, Any]
) -> tuple[str, Any]:
    target = resources.get(name)
    if isinstance(target, dict) and target.get("Type") == "AWS::SecretsManager::Secret":
        return SECRETS_MANAGER, {"Ref": name}
    known = parameters.get(name)
    if isinstance(known, str) and known.startswith("arn:"):
        # The parameter holds the secret's ARN; the value is read again on every deploy.
        return _from_text(known, {"Ref": name})
    return EITHER, written


def arn_parts(text: str) -> list[str]:
    """An ARN's colon-separated parts, where `${AWS::Partition}` and the like count as one."""
    parts, current, depth = [], "", 0
    for i, c in enumerate(text):
        if c == "$" and text[i + 1 : i + 2] == "{":
            depth += 1
        elif c == "}" and depth:
            depth -= 1
        if c == ":" and not depth:
            parts.append(current)
            current = ""
        else:
            current += c
    return [*parts, current]


def _from_text(text: str, written: Any, variables: Any = None) -> tuple[str, Any]:
    """`text` is literal, or the template of an Fn::Sub (`written`) with `variables`."""
    if text.startswith("arn:"):
        parts = arn_parts(text)
        if len(parts) > 2 and parts[2] == SECRETS_MANAGER:
            # ValueFrom may end in :json-key:version-stage:version-id; IAM wants the secret.
            base = ":".join(parts[:7])
            if base == text:
                return SECRETS_MANAGER, written if written is not None else text
            from_sub = isinstance(written, dict) and "Fn::Sub" in written
            return SECRETS_MANAGER, sub(base, variables) if from_sub else base
        return SSM, written if written is not None else text
    if written is not None:
        # The name comes from a parameter whose value is known now; the macro runs again
        # on every deploy, so the ARN follows the value.
        variables = {"Name": written}
        prefix = _SSM_PARAMETER.rstrip("/") + ("" if text.startswith("/") else "/")
        return SSM, sub(prefix + "${Name}", variables)
    return SSM, sub(_SSM_PARAMETER + escape(text.lstrip("/")))


def _parameter_arn_of_name(name: Any) -> list[Any]:
    # "/app/db" has the ARN ...:parameter/app/db, "db" has ...:parameter/db. Which one is only
    # known at deploy time, so both exact forms are granted.
    prefix = _SSM_PARAMETER.rstrip("/")
    return [sub(prefix + "${Name}", {"Name": name}), sub(prefix + "/${Name}", {"Name": name})]


def repository_arns(uris: list[Any], parameters: dict[str, Any]) -> list[Any]:
    """ECR repositories a task's containers pull from (main image excluded), deduplicated."""
    out: list[Any] = []
    for uri in uris:
        arn = images.classify(uri, parameters).ecr_repository_arn if uri is not None else None
        if arn is not None and arn not in out:
            out.append(arn)
    return out

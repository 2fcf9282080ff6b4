"""No wildcard becomes a grant by accident.

A Secrets value is what ECS reads into one variable: one SSM parameter or one secret, whose
names cannot hold `*` or `?`. An EFS volume mounts one file system (and access point). A KMS key
is one key. So a wildcard in any of them is never a value that works, only a grant on every
parameter, secret, file system or key of the account. Wide access is written explicitly, as an
IAM statement in Policies (docs/security.md), where the Resource says what it covers, and
`plan` lists every wildcard grant. A dead-letter queue has one key too.
"""

from __future__ import annotations

import re

from ...errors import Problem, join_path
from ...intrinsics import is_intrinsic, resolve
from ..messages import show
from . import rule
from .invocations import QUEUE_KEY, run_setting

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from ..merge import DeclarationInput, TaskInput

# `${Name}` in a Fn::Sub; `${!Name}` is literal text, not a variable.
_VARIABLE = re.compile(r"\$\{(?!!)([^}]*)\}")
# Intrinsics whose value is one resource's (an attribute, another stack's export): no
# wildcard the transform could see. Any other (Fn::Join, Fn::Select, Fn::If, ...) could
# assemble one, so it is refused as undecidable (docs/decisions.md, #24).
_OPAQUE = ("Fn::GetAtt", "Fn::ImportValue")


class _Undecidable(Exception):
    def __init__(self, function: str) -> None:
        self.function = function


def wildcard(value: Any, parameters: dict[str, Any]) -> str | None:
    """The text of `value` when it holds an IAM wildcard (`*` or `?`) that would reach a grant:
    a literal, a parameter's value, or a Fn::Sub's text with its variables and the parameters
    it names replaced by their values. Raises _Undecidable for a value built by an intrinsic
    whose result cannot be seen now."""
    text = _text(value, parameters)
    return text if "*" in text or "?" in text else None


def _text(value: Any, parameters: dict[str, Any]) -> str:
    """`value`'s text as far as it can be known now; what only deploy time knows (a resource's
    Ref or attribute, a pseudo parameter) counts as empty: it names one thing."""
    if isinstance(value, str):
        return value
    if not is_intrinsic(value):
        return ""  # not text: the schema refuses it
    ((function, argument),) = value.items()
    if function == "Ref":
        known = resolve(value, parameters)
        return known if isinstance(known, str) else ""
    if function in _OPAQUE:
        return ""
    if function != "Fn::Sub":
        raise _Undecidable(function)
    if isinstance(argument, str):
        argument = [argument, {}]
    text, variables = (argument + [{}])[:2] if isinstance(argument, list) else (None, None)
    if not (isinstance(text, str) and isinstance(variables, dict)):
        return ""  # malformed: the intrinsic checks refuse it

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            return _text(variables[name], parameters)
        known = parameters.get(name)  # a template parameter used as a variable
        return known if isinstance(known, str) else ""

    return _VARIABLE.sub(variable, text)


@rule(
    "wildcards.grants",
    "Secrets, EFS volumes and KMS keys name one thing, never a wildcard",
    reads=("Secrets", "Sidecars", "Volumes", "SecretsKmsKeyArns", "Schedule", QUEUE_KEY),
)
def no_wildcards(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    found: list[tuple[str, Any, str]] = []
    secrets = t.get("Secrets")
    for name, value in (secrets if isinstance(secrets, dict) else {}).items():
        found.append((join_path(t.where("Secrets"), name), value, "secret"))
    sidecars = t.get("Sidecars")
    for index, sidecar in enumerate(sidecars if isinstance(sidecars, list) else []):
        entries = sidecar.get("Secrets") if isinstance(sidecar, dict) else None
        for number, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                where = join_path(t.where("Sidecars"), index, "Secrets", number, "ValueFrom")
                found.append((where, entry.get("ValueFrom"), "secret"))
    volumes = t.get("Volumes")
    for name, volume in (volumes if isinstance(volumes, dict) else {}).items():
        for key in ("FileSystemId", "AccessPointId"):
            if isinstance(volume, dict) and key in volume:
                found.append((join_path(t.where("Volumes"), name, key), volume[key], "volume"))
    keys = t.get("SecretsKmsKeyArns")
    for index, arn in enumerate(keys if isinstance(keys, list) else []):
        found.append((join_path(t.where("SecretsKmsKeyArns"), index), arn, "key"))
    if (queue_key := run_setting(t, QUEUE_KEY)) is not None:
        found.append((queue_key[1], queue_key[0], "queue key"))
    for at, value, kind in found:
        try:
            text = wildcard(value, d.parameters)
        except _Undecidable as undecidable:
            yield Problem(
                at,
                f"{show(value)} cannot be checked before deploy: {undecidable.function} can "
                "build any text, a wildcard too, and the grant would follow it. Write the "
                "value out, a Ref to a template parameter, or a Fn::Sub of parameters and "
                "attributes",
            )
            continue
        if text is not None:
            yield Problem(at, f"{show(text)} is a wildcard: {_WHY[kind]}")


_WHY = {
    "secret": "ECS reads one SSM parameter or secret into a variable, and the execution role "
    "may read exactly that one. To let the task read many at run time, grant them in Policies "
    "with a statement whose Resource says so (see docs/security.md)",
    "volume": "an EFS volume mounts one file system (fs-...) through one access point, and the "
    "task role may mount exactly those. For wider access, grant it in Policies with a "
    "statement whose Resource says so (see docs/security.md)",
    "key": "the execution role may decrypt with exactly the keys named here: give each key's "
    "ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)",
    "queue key": "SQS encrypts the queue with one key, and the roles that send to it may use "
    "exactly that one: give the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)",
}

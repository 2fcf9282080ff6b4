"""No wildcard becomes a grant by accident.

A Secrets value is what ECS reads into one variable: one SSM parameter or one secret, whose
names cannot hold `*` or `?`. An EFS volume mounts one file system (and access point). A KMS key
is one key. So a wildcard in any of them is never a value that works, only a grant on every
parameter, secret, file system or key of the account. Wide access is written explicitly, as an
IAM statement in Policies (docs/security.md), where the Resource says what it covers, and
`plan` lists every wildcard grant.
"""

from __future__ import annotations

import re

from ...errors import Problem, join_path
from ...intrinsics import resolve
from ..messages import show
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from ..merge import DeclarationInput, TaskInput

_VARIABLE = re.compile(r"\$\{[^}]*\}")


def wildcard(value: Any, parameters: dict[str, Any]) -> str | None:
    """The text of `value` when it holds an IAM wildcard (`*` or `?`) that would reach a grant:
    a literal, a parameter's value, or a Fn::Sub's literal text or literal variables."""
    known = resolve(value, parameters)
    if isinstance(known, str):
        return known if _wild(known) else None
    sub = value.get("Fn::Sub") if isinstance(value, dict) else None
    if isinstance(sub, str):
        sub = [sub, {}]
    if not (isinstance(sub, list) and sub and isinstance(sub[0], str)):
        return None
    variables = sub[1] if len(sub) > 1 and isinstance(sub[1], dict) else {}
    texts = [_VARIABLE.sub("", sub[0])] + [v for v in variables.values() if isinstance(v, str)]
    return sub[0] if any(_wild(text) for text in texts) else None


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


@rule("wildcards.grants", "Secrets, EFS volumes and KMS keys name one thing, never a wildcard")
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
    for at, value, kind in found:
        text = wildcard(value, d.parameters)
        if text is None:
            continue
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
}

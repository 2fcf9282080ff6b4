"""Runs started by events and by callers (`Events`, `Callers`), and the settings every watched
run shares (`Retries`, `DeadLetterQueueArn` and its key, `DeadLetterQueueKmsKeyArn`)."""

from __future__ import annotations

import re

from ...errors import Problem, join_path
from ...intrinsics import is_intrinsic, resolve
from .. import callers
from ..messages import did_you_mean, show
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from ..merge import DeclarationInput, TaskInput

RUN_KEYS = ("Retries", "DeadLetterQueueArn", "DeadLetterQueueKmsKeyArn")
QUEUE_KEY = "DeadLetterQueueKmsKeyArn"
# arn:<partition>:kms:<region>:<account>:key/<id>, and an alias's arn:...:kms:...:alias/<name>.
_KEY = re.compile(r"^arn:([a-z-]+):kms:([a-z0-9-]+):[0-9]{12}:key/[A-Za-z0-9-]+$")
_ALIAS = re.compile(r"^arn:[^:]*:kms:[^:]*:[^:]*:alias/")
# arn:<partition>:sqs:<region>:<account>:<name>
_QUEUE = re.compile(r"^arn:([^:]*):sqs:([^:]*):")


@rule(
    "events.pattern",
    "An event's Pattern is a map of event fields, not an intrinsic",
    reads=("Events",),
)
def pattern(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    for name, event in _events(t):
        properties = event.get("Properties")
        value = properties.get("Pattern") if isinstance(properties, dict) else None
        if is_intrinsic(value):
            yield Problem(
                join_path(t.where("Events"), name, "Properties", "Pattern"),
                f"{show(value)} is not valid: expected a map, an EventBridge event pattern "
                "such as {source: [aws.s3], detail-type: [Object Created]} (intrinsics may "
                "stand for values inside it)",
            )


@rule("callers.function", "Each caller is a Lambda function of this template", reads=("Callers",))
def caller_functions(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    given = t.get("Callers")
    if not isinstance(given, list) or not given:
        return
    functions = [
        k
        for k, r in d.resources.items()
        if isinstance(r, dict) and r.get("Type") in callers.FUNCTION_TYPES
    ]
    listing = f" (functions here: {', '.join(functions)})" if functions else " (there are none)"
    for i, logical_id in enumerate(given):
        at = join_path(t.where("Callers"), str(i))
        resource = d.resources.get(logical_id) if isinstance(logical_id, str) else None
        if not isinstance(resource, dict):
            hint = did_you_mean(str(logical_id), functions) or listing
            yield Problem(at, f"no resource {logical_id!r} in this template{hint}")
            continue
        kind = resource.get("Type")
        if kind not in callers.FUNCTION_TYPES:
            yield Problem(
                at,
                f"{logical_id!r} is of type {kind}, not a function: a caller is an "
                f"AWS::Serverless::Function or AWS::Lambda::Function{listing}",
            )
            continue
        yield from _caller_problems(at, logical_id, resource, t, d)


def _caller_problems(
    at: str, logical_id: str, resource: dict[str, Any], t: TaskInput, d: DeclarationInput
) -> Iterator[Problem]:
    properties = resource.get("Properties")
    properties = properties if isinstance(properties, dict) else {}
    if callers.uses_policies(resource):
        if is_intrinsic(properties.get("Policies")):
            yield Problem(
                at,
                f"{logical_id!r} has Policies given by an intrinsic function, to which the "
                "permission to start this task cannot be added: write them as a list",
            )
    elif callers.role_name(resource, d.resources) is None:
        yield Problem(
            at,
            f"the role of {logical_id!r} cannot be named, so the permission to start this "
            "task cannot be attached: give its Role as Fn::GetAtt of an AWS::IAM::Role of "
            "this template, or as a literal role ARN",
        )
    environment = properties.get("Environment")
    variables = environment.get("Variables") if isinstance(environment, dict) else None
    if is_intrinsic(environment) or is_intrinsic(variables):
        yield Problem(
            at,
            f"{logical_id!r} has Environment given by an intrinsic function, to which the "
            f"variable {callers.variable(t.key)} cannot be added: write Variables as a map",
        )
    elif isinstance(variables, dict) and callers.variable(t.key) in variables:
        yield Problem(
            at,
            f"{logical_id!r} already sets {callers.variable(t.key)}, which this transform "
            "sets to the task's workflow ARN: remove it from the function",
        )


@rule(
    "runs.once",
    "Retries and the dead-letter queue are written once: on the task or its Schedule",
    reads=("Schedule",),
)
def written_once(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    schedule = t.get("Schedule")
    if not isinstance(schedule, dict):
        return
    for key in RUN_KEYS:
        if key in schedule and t.given(key):
            yield Problem(
                join_path(t.where("Schedule"), key),
                f"{key} is also written at {t.where(key)}; it applies to every run of the task "
                "(its workflow's one setting): write it in one place",
            )


@rule(
    "runs.kind",
    "Retries and the dead-letter queue are for watched runs, not services",
    reads=RUN_KEYS,
)
def run_settings_kind(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    # A declaration-level value is the default of the tasks it fits; a task's own must fit.
    if t.kind in ("schedule", "invoked"):
        return
    for key in RUN_KEYS:
        if t.own.get(key) is not None:
            yield Problem(
                join_path(t.path, key),
                f"only runs the task's workflow watches have {key}: a {t.kind} task has none; "
                "give it Schedule, Events or Callers, or remove this",
            )


@rule(
    "runs.queue-key",
    "A dead-letter queue's key is a KMS key ARN of the queue's region, not an alias",
    reads=("Schedule", QUEUE_KEY),
)
def queue_key(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.kind not in ("schedule", "invoked"):
        return  # runs.kind: a task's own key on a service; a declaration's is a default only
    written = run_setting(t, QUEUE_KEY)
    if written is None:
        return
    value, at = written
    queue = run_setting(t, "DeadLetterQueueArn")
    if queue is None:
        yield Problem(
            at,
            f"{QUEUE_KEY} is the key of the dead-letter queue, and the task has none: add "
            "DeadLetterQueueArn (on the task or in its Schedule), or remove this",
        )
        return
    key = resolve(value, d.parameters)
    if not isinstance(key, str) or "*" in key or "?" in key:
        return  # known at deploy time only; a wildcard is rules/wildcards.py's
    if message := _key_problem(key, resolve(queue[0], d.parameters)):
        yield Problem(at, f"{show(key)} {message}")


def _key_problem(key: str, queue: Any) -> str | None:
    """What keeps `key` from being the customer managed key of `queue`, if anything."""
    if _ALIAS.match(key):
        # "When an alias is the value of a resource element, the policy applies to the alias
        # resource, not to any KMS key that might be associated with it" (KMS developer guide,
        # "Use aliases to control access to KMS keys").
        return (
            "is an alias: an IAM grant on an alias does not cover the key it names, and SQS "
            "uses the key; give the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID, as `aws kms "
            "describe-key --key-id alias/NAME` shows it)"
        )
    parts = _KEY.match(key)
    if parts is None:
        return (
            "is not the ARN of a KMS key: expected arn:<partition>:kms:<region>:<account>:key/<id>"
        )
    queue_parts = _QUEUE.match(queue) if isinstance(queue, str) else None
    if queue_parts is None:
        return None  # the queue is known at deploy time only
    # KMS keys are regional and partitions are apart: SQS encrypts a queue with a key of its own
    # region (a multi-Region key has a replica, with its own ARN, in each region).
    for index, what, label in ((1, "partition", "partition "), (2, "region", "")):
        mine, theirs = parts.group(index), queue_parts.group(index)
        if mine != theirs:
            return (
                f"is in {label}{mine} and the queue in {theirs}: SQS encrypts a queue with a "
                f"key of its own {what}; give the ARN of the queue's key in {theirs}"
            )
    return None


def run_setting(t: TaskInput, name: str) -> tuple[Any, str] | None:
    """A watched run's setting (one of RUN_KEYS) and where it is written: in a scheduled task's
    Schedule map, else on the task or the declaration (runs.once: never both)."""
    schedule = t.get("Schedule")
    if t.kind == "schedule" and isinstance(schedule, dict) and name in schedule:
        return schedule[name], join_path(t.where("Schedule"), name)
    if t.given(name):
        return t.get(name), t.where(name)
    return None


def _events(t: TaskInput) -> Iterator[tuple[str, dict[str, Any]]]:
    events = t.get("Events")
    if isinstance(events, dict) and not is_intrinsic(events):
        for name, event in events.items():
            if isinstance(event, dict):
                yield str(name), event

"""Schedules: rate(), cron() and at() expressions, and IANA time zones."""

from __future__ import annotations

from ...errors import Problem, join_path
from ...intrinsics import resolve
from ..messages import did_you_mean, show
from ..schedule_expressions import check as check_schedule_expression
from ..timezones import TIMEZONES
from . import rule
from .invocations import run_setting

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


def check_timezone(name: str) -> str | None:
    if name in TIMEZONES:
        return None
    hint = did_you_mean(name, sorted(TIMEZONES))
    return f"{show(name)} is not an IANA time zone name such as Europe/Paris or UTC{hint}"


@rule(
    "schedule.expression",
    "Schedule expressions are valid rate(), cron() or at() expressions",
    reads=("Schedule",),
)
def expression(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.kind != "schedule":
        return
    schedule = t.get("Schedule")
    written = schedule.get("Expression") if isinstance(schedule, dict) else schedule
    value = resolve(written, d.parameters)
    if isinstance(value, str) and (message := check_schedule_expression(value)):
        path = t.where("Schedule")
        yield Problem(
            join_path(path, "Expression") if isinstance(schedule, dict) else path, message
        )


@rule("schedule.timezone", "Schedule time zones are IANA names", reads=("Schedule",))
def timezone(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    schedule = t.get("Schedule")
    if t.kind != "schedule" or not isinstance(schedule, dict):
        return
    zone = resolve(schedule.get("Timezone"), d.parameters)
    if isinstance(zone, str) and (message := check_timezone(zone)):
        yield Problem(join_path(t.where("Schedule"), "Timezone"), message)


@rule(
    "schedule.queue",
    "A dead-letter queue is a standard SQS queue, written on the task or in Schedule",
    reads=("Schedule", "DeadLetterQueueArn"),
)
def dead_letter_queue(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.kind not in ("schedule", "invoked"):
        return  # runs.kind: only watched runs have a dead-letter queue
    written = run_setting(t, "DeadLetterQueueArn")
    if written is None:
        return
    value, at = written
    queue = resolve(value, d.parameters)
    if not (isinstance(queue, str) and queue.endswith(".fifo")):
        return
    if t.kind == "schedule":
        # "Configuring a dead-letter queue for EventBridge Scheduler": a standard queue only;
        # a FIFO queue also needs a MessageGroupId the workflow's report does not give.
        why = "EventBridge Scheduler sends failed starts only to a standard SQS queue"
    else:
        # SendMessage (SQS API reference): a FIFO queue refuses a message without one.
        why = "the workflow's report gives no MessageGroupId, which SQS requires of a FIFO queue"
    yield Problem(at, f"{show(queue)} is a FIFO queue: {why}; give the ARN of a standard queue")

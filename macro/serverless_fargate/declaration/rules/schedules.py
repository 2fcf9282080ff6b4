"""Schedules: rate(), cron() and at() expressions, and IANA time zones."""

from __future__ import annotations

import re

from ...errors import Problem, join_path
from ...intrinsics import resolve
from ..messages import did_you_mean, show
from ..timezones import TIMEZONES
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput

# --- schedule expressions -------------------------------------------------------------------

_RATE = re.compile(r"^rate\(\s*(\d+)\s+([a-z]+)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((.*)\)$")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$")
_UNITS = {"minute", "minutes", "hour", "hours", "day", "days"}
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
_CRON_FIELDS = [
    ("minutes", re.compile(r"^(\*|[0-5]?\d)([-/,][0-5]?\d)*$|^\*$"), 0, 59),
    ("hours", re.compile(r"^(\*|[01]?\d|2[0-3])([-/,]([01]?\d|2[0-3]))*$"), 0, 23),
    ("day-of-month", re.compile(r"^(\?|\*|L|LW|\d{1,2}W?)([-/,]\d{1,2}W?)*$"), 1, 31),
    ("month", re.compile(rf"^(\*|\d{{1,2}}|{_MONTHS})([-/,](\d{{1,2}}|{_MONTHS}))*$", re.I), 1, 12),
    (
        "day-of-week",
        re.compile(rf"^(\?|\*|[1-7]L?|{_DAYS}L?)([-/,#]([1-7]|{_DAYS}))*$", re.I),
        1,
        7,
    ),
    ("year", re.compile(r"^(\*|\d{4})([-/,]\d{1,4})*$"), 1970, 2199),
]
_CRON_EXAMPLE = "cron(0 2 * * ? *)"


def check_schedule_expression(expression: str) -> str | None:
    text = expression.strip()
    if match := _RATE.match(text):
        count, unit = int(match.group(1)), match.group(2)
        if unit not in _UNITS:
            return f"{show(expression)}: the unit of rate() is minute(s), hour(s) or day(s)"
        if count < 1:
            return f"{show(expression)}: rate() needs a value of at least 1"
        singular = unit.rstrip("s")
        if count == 1 and unit != singular:
            return f"{show(expression)}: write rate(1 {singular}) (singular for a value of 1)"
        if count > 1 and unit == singular:
            return f"{show(expression)}: write rate({count} {singular}s) (plural above 1)"
        return None
    if match := _CRON.match(text):
        return _check_cron(expression, match.group(1).split())
    if match := _AT.match(text):
        if not _valid_datetime(match.group(1)):
            return f"{show(expression)}: at() takes a date and time as yyyy-mm-ddThh:mm:ss"
        return None
    return f"{show(expression)} is not a rate(), cron() or at() expression"


def _valid_datetime(text: str) -> bool:
    """yyyy-mm-ddThh:mm:ss naming a real moment (datetime costs the cold start 3 ms)."""
    match = _DATETIME.match(text)
    if not match:
        return False
    year, month, day, hour, minute, second = map(int, match.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return (
        1 <= month <= 12
        and 1 <= day <= days[month - 1]
        and hour < 24
        and minute < 60
        and second < 60
    )


def _check_cron(expression: str, fields: list[str]) -> str | None:
    names = " ".join(name for name, *_ in _CRON_FIELDS)
    if len(fields) != 6:
        return (
            f"{show(expression)} has {len(fields)} fields; cron() needs 6 ({names}), "
            f"for example {_CRON_EXAMPLE}"
        )
    for (name, pattern, low, high), value in zip(_CRON_FIELDS, fields, strict=True):
        numbers = [int(n) for n in re.findall(r"(?<![#/])\b\d+\b", value)]
        if not pattern.match(value) or any(not low <= n <= high for n in numbers):
            return f"{show(expression)}: {show(value)} is not a valid {name} field"
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return (
            f"{show(expression)}: exactly one of day-of-month and day-of-week must be '?', "
            f"for example {_CRON_EXAMPLE}"
        )
    return None


def check_timezone(name: str) -> str | None:
    if name in TIMEZONES:
        return None
    hint = did_you_mean(name, sorted(TIMEZONES))
    return f"{show(name)} is not an IANA time zone name such as Europe/Paris or UTC{hint}"


@rule("schedule.expression", "Schedule expressions are valid rate(), cron() or at() expressions")
def expression(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.kind != "schedule":
        return
    schedule, path = t.get("Schedule"), t.where("Schedule")
    written = schedule.get("Expression") if isinstance(schedule, dict) else schedule
    at = join_path(path, "Expression") if isinstance(schedule, dict) else path
    value = resolve(written, d.parameters)
    if isinstance(value, str) and (message := check_schedule_expression(value)):
        yield Problem(at, message)


@rule("schedule.timezone", "Schedule time zones are IANA names")
def timezone(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    schedule = t.get("Schedule")
    if t.kind != "schedule" or not isinstance(schedule, dict):
        return
    zone = resolve(schedule.get("Timezone"), d.parameters)
    if isinstance(zone, str) and (message := check_timezone(zone)):
        yield Problem(join_path(t.where("Schedule"), "Timezone"), message)


@rule("schedule.queue", "A dead-letter queue is a standard SQS queue (Scheduler refuses FIFO)")
def dead_letter_queue(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    schedule = t.get("Schedule")
    if t.kind != "schedule" or not isinstance(schedule, dict):
        return
    queue = resolve(schedule.get("DeadLetterQueueArn"), d.parameters)
    if isinstance(queue, str) and queue.endswith(".fifo"):
        # "Configuring a dead-letter queue for EventBridge Scheduler": a standard queue only;
        # a FIFO queue also needs a MessageGroupId the workflow's report does not give.
        yield Problem(
            join_path(t.where("Schedule"), "DeadLetterQueueArn"),
            f"{show(queue)} is a FIFO queue: EventBridge Scheduler sends failed starts only to "
            "a standard SQS queue; give the ARN of a standard queue",
        )

"""EventBridge Scheduler's schedule expressions, one grammar: rate(), cron() and at().

`validate` checks an expression with `check` (rules/schedules.py); `status` works out the next
run from what `parse` finds (ops/schedules.py). Pure and light (re only): the macro imports it.
The syntax: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
"""

from __future__ import annotations

import re

from ..record import record
from .messages import show

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]  # AWS: 1 = SUN ... 7 = SAT
# A rate() value longer than this is beyond any schedule (and int() of thousands of digits
# raises ValueError: Python limits the conversion).
MAX_RATE_DIGITS = 9

_RATE = re.compile(r"^rate\(\s*(\d+)\s+([a-z]+)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((.*)\)$")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$")
_MONTH_NAMES = "|".join(MONTHS)
_DAY_NAMES = "|".join(DAYS)


@record
class CronField:
    name: str
    pattern: Any  # what the field may say; every number in it has at most 4 digits
    low: int
    high: int
    names: list[str] | None = None  # JAN..DEC, SUN..SAT, numbered from `low`


CRON_FIELDS = [
    CronField("minutes", re.compile(r"^(\*|[0-5]?\d)([-/,][0-5]?\d)*$|^\*$"), 0, 59),
    CronField("hours", re.compile(r"^(\*|[01]?\d|2[0-3])([-/,]([01]?\d|2[0-3]))*$"), 0, 23),
    CronField("day-of-month", re.compile(r"^(\?|\*|L|LW|\d{1,2}W?)([-/,]\d{1,2}W?)*$"), 1, 31),
    CronField(
        "month",
        re.compile(rf"^(\*|\d{{1,2}}|{_MONTH_NAMES})([-/,](\d{{1,2}}|{_MONTH_NAMES}))*$", re.I),
        1,
        12,
        MONTHS,
    ),
    CronField(
        "day-of-week",
        re.compile(rf"^(\?|\*|[1-7]L?|{_DAY_NAMES}L?)([-/,#]([1-7]|{_DAY_NAMES}))*$", re.I),
        1,
        7,
        DAYS,
    ),
    CronField("year", re.compile(r"^(\*|\d{4})([-/,]\d{1,4})*$"), 1970, 2199),
]
CRON_EXAMPLE = "cron(0 2 * * ? *)"


class ExpressionError(ValueError):
    """What is wrong with an expression, as a sentence that quotes it."""


def parse(expression: str) -> tuple[str, Any]:
    """("rate", seconds), ("cron", its six fields) or ("at", (year, month, day, hour, minute,
    second)); raises ExpressionError saying what is wrong."""
    text = expression.strip()
    if match := _RATE.match(text):
        return "rate", _rate(expression, match.group(1), match.group(2))
    if match := _CRON.match(text):
        fields = match.group(1).split()
        _check_cron(expression, fields)
        return "cron", fields
    if match := _AT.match(text):
        moment = _datetime(match.group(1))
        if moment is None:
            raise ExpressionError(
                f"{show(expression)}: at() takes a date and time as yyyy-mm-ddThh:mm:ss"
            )
        return "at", moment
    raise ExpressionError(f"{show(expression)} is not a rate(), cron() or at() expression")


def check(expression: str) -> str | None:
    """What is wrong with the expression, or None when Scheduler takes it."""
    try:
        parse(expression)
    except ExpressionError as error:
        return str(error)
    return None


def _rate(expression: str, digits: str, unit: str) -> int:
    if unit not in RATE_UNITS:
        raise ExpressionError(
            f"{show(expression)}: the unit of rate() is minute(s), hour(s) or day(s)"
        )
    if len(digits.lstrip("0")) > MAX_RATE_DIGITS:
        raise ExpressionError(
            f"{show(expression)}: the value of rate() has more than {MAX_RATE_DIGITS} digits"
        )
    count = int(digits)
    if count < 1:
        raise ExpressionError(f"{show(expression)}: rate() needs a value of at least 1")
    singular = unit.rstrip("s")
    if count == 1 and unit != singular:
        raise ExpressionError(
            f"{show(expression)}: write rate(1 {singular}) (singular for a value of 1)"
        )
    if count > 1 and unit == singular:
        raise ExpressionError(
            f"{show(expression)}: write rate({count} {singular}s) (plural above 1)"
        )
    return count * RATE_UNITS[unit]


def _datetime(text: str) -> tuple[int, ...] | None:
    """yyyy-mm-ddThh:mm:ss naming a real moment (datetime costs the cold start 3 ms)."""
    match = _DATETIME.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = moment = tuple(map(int, match.groups()))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    valid = (
        1 <= month <= 12
        and 1 <= day <= days[month - 1]
        and hour < 24
        and minute < 60
        and second < 60
    )
    return moment if valid else None


def _check_cron(expression: str, fields: list[str]) -> None:
    names = " ".join(f.name for f in CRON_FIELDS)
    if len(fields) != len(CRON_FIELDS):
        raise ExpressionError(
            f"{show(expression)} has {len(fields)} fields; cron() needs {len(CRON_FIELDS)} "
            f"({names}), for example {CRON_EXAMPLE}"
        )
    for field, value in zip(CRON_FIELDS, fields, strict=True):
        # The pattern first: it bounds every number's digits before int() reads them.
        valid = field.pattern.match(value) and all(
            field.low <= int(n) <= field.high for n in re.findall(r"(?<![#/])\b\d+\b", value)
        )
        if not valid:
            raise ExpressionError(
                f"{show(expression)}: {show(value)} is not a valid {field.name} field"
            )
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ExpressionError(
            f"{show(expression)}: exactly one of day-of-month and day-of-week must be '?', "
            f"for example {CRON_EXAMPLE}"
        )

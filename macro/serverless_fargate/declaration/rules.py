"""Rules JSON Schema cannot say: Fargate sizes, schedule expressions, time zones, names.

Each check returns a message (what is wrong and what would be valid) or None.
"""

from __future__ import annotations

import re

from .timezones import TIMEZONES
from .validate import did_you_mean, show

# Fargate's CPU → valid memory (MiB) table.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}


def memory_choices(cpu: int) -> tuple[int, ...]:
    return FARGATE_MEMORY[cpu]


def describe_choices(cpu: int) -> str:
    choices = memory_choices(cpu)
    if len(choices) <= 4:
        return ", ".join(map(str, choices))
    step = choices[1] - choices[0]
    return f"{choices[0]} to {choices[-1]} in steps of {step}"


def smallest_cpu_for(memory: int) -> int | None:
    return next((c for c in FARGATE_MEMORY if memory in memory_choices(c)), None)


_MEMORY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([MmGg][Ii]?[Bb])?\s*$")


def parse_memory(value: object) -> int | None:
    """MiB from 512, "512", "0.5GB", "2 GB", "3072MB"; None if it is not a whole MiB count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    match = _MEMORY.match(value)
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or "MB").upper()
    mib = number * 1024 if unit.startswith("G") else number
    return int(mib) if mib == int(mib) else None


def parse_cpu(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def check_cpu_memory(cpu: int, memory: int) -> str | None:
    if cpu not in FARGATE_MEMORY:
        return None  # the schema reports the CPU itself
    if memory in memory_choices(cpu):
        return None
    return f"{memory} MiB is not valid with Cpu {cpu} (allowed: {describe_choices(cpu)})"


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


def pascal_case(key: str) -> str:
    """queue-worker → QueueWorker; nightly_report → NightlyReport (the rest of each part kept)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", key) if part)

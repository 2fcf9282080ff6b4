"""When a schedule runs next: EventBridge Scheduler's rate(), cron() and at() expressions,
evaluated in the schedule's time zone. Pure: `status` hands it the clock.

cron() takes AWS's six fields (minutes hours day-of-month month day-of-week year) with `*`,
`?`, lists, ranges, steps and names; `L`, `W` and `#` are not evaluated (None: "unknown").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..declaration.schedule_expressions import CRON_FIELDS, CronField, ExpressionError, parse

LOOK_AHEAD_DAYS = 366 * 5
# minutes, hours, days of the month (None: `?`), months, weekdays (None: `?`), years
_Cron = tuple[set[int], set[int], set[int] | None, set[int], set[int] | None, set[int]]


def next_run(
    expression: str, zone: str | None, now: datetime, start: datetime | None = None
) -> datetime | None:
    """The next time after `now` (aware) the expression fires, or None when it never will or
    cannot be worked out here. `start`: the schedule's StartDate, else its creation (a rate()
    counts from it; nothing fires before it)."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return None
    try:
        kind, value = parse(expression)
    except ExpressionError:
        return None
    if kind == "rate":
        anchor = start or now
        if anchor > now:
            return anchor
        periods = int((now - anchor).total_seconds() // value) + 1
        return anchor + timedelta(seconds=periods * value)
    if start is not None and start > now:
        now = start - timedelta(microseconds=1)  # the first time at or after the start
    if kind == "at":
        year, month, day, hour, minute, second = value
        when = datetime(year, month, day, hour, minute, second, tzinfo=tz)
        return when if when > now else None
    return _next_cron(value, tz, now)


def _cron_values(fields: list[str]) -> _Cron | None:
    """The values each cron() field allows (None for `?`), or None when it cannot be worked
    out here: last day (L), nearest weekday (W), nth weekday (#), or a field out of range."""
    minute, hour, dom, month, dow, year = fields
    # Names such as JUL or WED contain the same letters, so only the day fields' own tokens count.
    if re.search(r"[LW]", dom) or re.search(r"#|(^|[\d,/-])L", dow.upper()):
        return None
    in_minutes, in_hours, in_days, in_months, in_weekdays, in_years = CRON_FIELDS
    try:
        return (
            _values(minute, in_minutes),
            _values(hour, in_hours),
            None if dom == "?" else _values(dom, in_days),
            _values(month, in_months),
            None if dow == "?" else _values(dow, in_weekdays),
            _values(year, in_years),
        )
    except ValueError:
        return None


def _next_cron(fields: list[str], tz: ZoneInfo, now: datetime) -> datetime | None:
    allowed = _cron_values(fields)
    if allowed is None:
        return None
    minutes, hours, days, months, weekdays, years = allowed
    local_now = now.astimezone(tz)
    day = local_now.date()
    for _ in range(LOOK_AHEAD_DAYS):
        if _day_matches(day, days, months, weekdays, years):
            for h in sorted(hours):
                for m in sorted(minutes):
                    when = datetime(day.year, day.month, day.day, h, m, tzinfo=tz)
                    if when > local_now:
                        return when
        day += timedelta(days=1)
    return None


def _day_matches(
    day: date,
    days: set[int] | None,
    months: set[int],
    weekdays: set[int] | None,
    years: set[int],
) -> bool:
    if day.year not in years or day.month not in months:
        return False
    if days is not None and day.day not in days:
        return False
    aws_weekday = (day.isoweekday() % 7) + 1  # Sunday 1 ... Saturday 7
    return weekdays is None or aws_weekday in weekdays


def _values(text: str, field: CronField) -> set[int]:
    low, high = field.low, field.high
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _number(a, field), _number(b, field)
        else:
            first = _number(part, field)
            last = high if step != 1 else first
        if not low <= first <= high or not low <= last <= high or step < 1:
            raise ValueError(text)
        values.update(range(first, last + 1, step))
    return values


def _number(text: str, field: CronField) -> int:
    if field.names and text.upper() in field.names:
        return field.names.index(text.upper()) + field.low
    return int(text)


def utc_now() -> datetime:
    return datetime.now(UTC)


def cron_runs_in_year(fields: list[str], year: int) -> int | None:
    """How many times cron() fires in the calendar year `year` (in its own time zone), or None
    when it cannot be worked out here (`L`, `W`, `#`, or a field this grammar refuses)."""
    allowed = _cron_values(fields)
    if allowed is None:
        return None
    minutes, hours, days, months, weekdays, years = allowed
    day, count = date(year, 1, 1), 0
    while day.year == year:
        if _day_matches(day, days, months, weekdays, years):
            count += len(minutes) * len(hours)
        day += timedelta(days=1)
    return count

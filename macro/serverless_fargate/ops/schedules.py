"""When a schedule runs next: EventBridge Scheduler's rate(), cron() and at() expressions,
evaluated in the schedule's time zone. Pure: `status` hands it the clock.

cron() takes AWS's six fields (minutes hours day-of-month month day-of-week year) with `*`,
`?`, lists, ranges, steps and names; `L`, `W` and `#` are not evaluated (None: "unknown").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]  # AWS: 1 = SUN ... 7 = SAT
LOOK_AHEAD_DAYS = 366 * 5


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
    if match := re.fullmatch(r"rate\((\d+)\s+(\w+)\)", expression.strip()):
        period = int(match[1]) * UNITS.get(match[2], 0)
        if not period:
            return None
        anchor = start or now
        if anchor > now:
            return anchor
        periods = int((now - anchor).total_seconds() // period) + 1
        return anchor + timedelta(seconds=periods * period)
    if start is not None and start > now:
        now = start - timedelta(microseconds=1)  # the first time at or after the start
    if match := re.fullmatch(r"at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)", expression.strip()):
        when = datetime.fromisoformat(match[1]).replace(tzinfo=tz)
        return when if when > now else None
    if match := re.fullmatch(r"cron\((.*)\)", expression.strip()):
        return _next_cron(match[1].split(), tz, now)
    return None


def _next_cron(fields: list[str], tz: ZoneInfo, now: datetime) -> datetime | None:
    if len(fields) != 6:
        return None
    minute, hour, dom, month, dow, year = fields
    # Last day (L), nearest weekday (W), nth weekday (#): not worked out here. Names such as
    # JUL or WED contain the same letters, so only the day fields' own tokens count.
    if re.search(r"[LW]", dom) or re.search(r"#|(^|[\d,/-])L", dow.upper()):
        return None
    try:
        minutes = _values(minute, 0, 59)
        hours = _values(hour, 0, 23)
        days = None if dom == "?" else _values(dom, 1, 31)
        months = _values(month, 1, 12, MONTHS)
        weekdays = None if dow == "?" else _values(dow, 1, 7, DAYS)
        years = _values(year, 1970, 2199)
    except ValueError:
        return None
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


def _values(field: str, low: int, high: int, names: list[str] | None = None) -> set[int]:
    values: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _number(a, low, names), _number(b, low, names)
        else:
            first = _number(part, low, names)
            last = high if step != 1 else first
        if not low <= first <= high or not low <= last <= high or step < 1:
            raise ValueError(field)
        values.update(range(first, last + 1, step))
    return values


def _number(text: str, low: int, names: list[str] | None) -> int:
    if names and text.upper() in names:
        return names.index(text.upper()) + low
    return int(text)


def utc_now() -> datetime:
    return datetime.now(UTC)

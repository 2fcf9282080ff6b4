"""Durations written as seconds or as `90m`, `2h`, `1d` (the task property Timeout)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Timeout's bounds: a minute, and 14 days (what the contract allows; a standard workflow may
# run a year, but a run longer than two weeks is a service, not a job).
TIMEOUT_MIN = 60
TIMEOUT_MAX = 1_209_600
# A duration string: digits (at most 7, as seconds' bounds need) and a unit.
PATTERN = f"^[0-9]{{1,7}}({'|'.join(UNITS)})$"
UNIT_NAMES = ", ".join(list(UNITS)[:-1]) + " or " + list(UNITS)[-1]  # "s, m, h or d"


def short(count: int) -> str:
    """Seconds in the largest unit that divides them: 60 → 1m, 1209600 → 14d."""
    unit = max((u for u, size in UNITS.items() if count % size == 0), key=UNITS.__getitem__)
    return f"{count // UNITS[unit]}{unit}"


def seconds(value: Any) -> int | None:
    """Seconds of an int or a duration string; None for anything else (intrinsics included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    # At most 16 characters: int() of thousands of digits raises, and none is a duration.
    if (
        isinstance(value, str)
        and 1 < len(value) <= 16
        and value[-1] in UNITS
        and value[:-1].isdigit()
    ):
        return int(value[:-1]) * UNITS[value[-1]]
    return None

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


def seconds(value: Any) -> int | None:
    """Seconds of an int or a duration string; None for anything else (intrinsics included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and len(value) > 1 and value[-1] in UNITS and value[:-1].isdigit():
        return int(value[:-1]) * UNITS[value[-1]]
    return None

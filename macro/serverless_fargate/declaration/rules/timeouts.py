"""Timeout: for scheduled and standalone tasks, within the bounds durations.py sets."""

from __future__ import annotations

from ...errors import Problem
from ...intrinsics import UNKNOWN, resolve_number
from .. import durations
from ..messages import show
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule(
    "timeout.kind",
    "Timeout is for scheduled and standalone tasks, not services",
    reads=("Timeout",),
)
def timeout_kind(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    # A declaration-level Timeout is the default of the tasks it fits; a task's own must fit.
    if t.kind == "service" and t.own.get("Timeout") is not None:
        yield Problem(
            t.where("Timeout"),
            "a service runs until it is replaced, so it has no Timeout: remove it, or make the "
            "task scheduled (Schedule), invoked (Events, Callers) or standalone "
            "(Service: false)",
        )


@rule(
    "timeout.range",
    f"Timeout is from {durations.short(durations.TIMEOUT_MIN)} to "
    f"{durations.short(durations.TIMEOUT_MAX)}",
    reads=("Timeout",),
)
def timeout_range(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    value = resolve_number(t.get("Timeout"), d.parameters)
    if value is None or value is UNKNOWN or t.kind == "service":
        return
    seconds = durations.seconds(value)
    low, high = durations.TIMEOUT_MIN, durations.TIMEOUT_MAX
    if seconds is None:
        yield Problem(
            t.where("Timeout"),
            f"{show(value)} is not a duration: write seconds ({low} to {high}) or a number "
            f"with {durations.UNIT_NAMES}, such as 90m or 2h",
        )
    elif not low <= seconds <= high:
        what = f"{show(value)} is {seconds} seconds" if isinstance(value, str) else f"{seconds} s"
        yield Problem(
            t.where("Timeout"),
            f"{what} is too {'short' if seconds < low else 'long'}: Timeout "
            f"is from {low} seconds ({durations.short(low)}) to {high} seconds "
            f"({durations.short(high)})",
        )

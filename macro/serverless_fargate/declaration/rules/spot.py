"""Spot: which tasks may carry it, and a strategy that can place tasks."""

from __future__ import annotations

from ...errors import Problem, join_path
from ...intrinsics import resolve_number
from .. import fields
from ..model import WATCHED_KINDS
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule(
    "spot.kind",
    "Spot applies to services and watched (scheduled or invoked) tasks",
    reads=("Spot",),
)
def spot_kind(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.kind == "standalone" and "Spot" in t.own and t.own["Spot"] not in (None, False):
        yield Problem(
            t.where("Spot"),
            "Spot applies to services and to tasks with Schedule, Events or Callers; a "
            "standalone task's caller "
            "chooses its capacity provider in RunTask",
        )


@rule(
    "spot.weights",
    "Spot weights leave some capacity provider able to place tasks",
    reads=("Spot",),
)
def spot_weights(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    spot = t.get("Spot")
    if t.kind == "standalone" or not isinstance(spot, dict):
        return
    weights = fields.values(fields.SPOT, spot)
    on_demand, on_spot = (
        resolve_number(weights[k], d.parameters) for k in ("on_demand_weight", "spot_weight")
    )
    if on_demand == 0 and on_spot == 0:
        yield Problem(
            t.where("Spot"), "OnDemandWeight and SpotWeight are both 0: no task could be placed"
        )


@rule(
    "spot.schedule-weights",
    "A watched task's Spot numbers are written as numbers",
    reads=("Spot",),
)
def schedule_weights(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    # The workflow passes its strategy to RunTask as JSON, where an intrinsic would arrive as
    # text ("1") and RunTask refuses it; services and schedules' own fields convert it.
    spot = t.get("Spot")
    if t.kind not in WATCHED_KINDS or not isinstance(spot, dict):
        return
    for key in ("OnDemandBase", "OnDemandWeight", "SpotWeight"):
        if isinstance(spot.get(key), dict):
            yield Problem(
                join_path(t.where("Spot"), key),
                "a watched task's Spot strategy is written into its workflow, where an "
                "intrinsic would arrive as text: write a number",
            )

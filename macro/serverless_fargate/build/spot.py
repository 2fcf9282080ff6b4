"""Capacity provider strategies: on-demand FARGATE, or FARGATE_SPOT with an on-demand base."""

from __future__ import annotations

from ..declaration.model import Task

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

ON_DEMAND = [{"CapacityProvider": "FARGATE", "Weight": 1}]


def strategy(t: Task) -> list[dict[str, Any]]:
    """Always a strategy, never a launch type: switching Spot on or off then updates in place."""
    if t.spot is None:
        return [dict(item) for item in ON_DEMAND]
    spot = t.spot
    items: list[dict[str, Any]] = []
    if spot.on_demand_base != 0 or spot.on_demand_weight != 0:
        items.append(
            {
                "CapacityProvider": "FARGATE",
                "Base": spot.on_demand_base,
                "Weight": spot.on_demand_weight,
            }
        )
    items.append({"CapacityProvider": "FARGATE_SPOT", "Weight": spot.spot_weight})
    return items

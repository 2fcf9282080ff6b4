"""Services: deployments that can finish, and autoscaling that has something to scale on."""

from __future__ import annotations

from ...errors import Problem, join_path
from ...intrinsics import resolve_number
from .. import fields
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule(
    "service.deployment",
    "Deployment limits leave ECS room to replace a task",
    reads=("Service",),
)
def deployment_room(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.kind != "service":
        return
    service = t.get("Service")
    given = service if isinstance(service, dict) else {}
    # The three values it checks, each as fields.values gives it (without making the others:
    # this runs for every service).
    count, low, high = (
        resolve_number(fields.value(fields.SERVICE, given, name), d.parameters)
        for name in ("DesiredCount", "MinimumHealthyPercent", "MaximumPercent")
    )
    for v in (count, low, high):
        if not isinstance(v, int) or isinstance(v, bool):
            return
    may_stop = count - -(-count * low // 100)  # count - ceil(count * low%)
    may_start = count * high // 100 - count
    if count > 0 and may_stop <= 0 and may_start <= 0:
        yield Problem(
            t.where("Service"),
            f"MinimumHealthyPercent {low} and MaximumPercent {high} with DesiredCount {count} "
            "leave ECS no room to replace a task, so no deployment could finish: lower "
            "MinimumHealthyPercent or raise MaximumPercent",
        )


@rule(
    "service.autoscaling",
    "Autoscaling has a metric and MinCount is not above MaxCount",
    reads=("Service",),
)
def autoscaling(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    service = t.get("Service")
    scaling = service.get("Autoscaling") if isinstance(service, dict) else None
    if t.kind != "service" or not isinstance(scaling, dict):
        return
    at = join_path(t.where("Service"), "Autoscaling")
    low = resolve_number(
        scaling.get("MinCount", fields.AUTOSCALING["MinCount"].default), d.parameters
    )
    high = resolve_number(scaling.get("MaxCount"), d.parameters)
    if isinstance(low, int) and isinstance(high, int) and low > high:
        yield Problem(join_path(at, "MinCount"), f"MinCount {low} is above MaxCount {high}")
    if not (scaling.get("CpuTarget") or scaling.get("MemoryTarget") or scaling.get("Queue")):
        yield Problem(at, "says nothing to scale on: add CpuTarget, MemoryTarget or Queue")

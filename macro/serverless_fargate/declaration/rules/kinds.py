"""Kinds of task (service, scheduled, standalone) and what each may carry: Spot, deployments,
autoscaling, Overrides sections."""

from __future__ import annotations

from ...errors import Problem, join_path
from ...intrinsics import UNKNOWN, resolve
from .. import durations, fields
from ..messages import show
from ..model import WATCHED_KINDS
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


# What makes a task's runs watched: each is refused beside a Service.
STARTERS = ("Schedule", "Events", "Callers")


@rule("kind.one", "A task is a service, or started by a Schedule, Events or Callers: not both")
def one_kind(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    starters = [k for k in STARTERS if t.values.get(k)]
    if starters and t.values.get("Service") not in (None, False):
        yield Problem(
            t.where("Service"),
            f"a task with {' and '.join(starters)} runs "
            f"{'on its schedule' if starters == ['Schedule'] else 'when started'}, not as a "
            "service: remove Service or set it to false",
        )


@rule(
    "kind.defaults",
    "Declaration-level defaults do not set both Service and Schedule, Events or Callers",
    "declaration",
)
def one_default_kind(d: DeclarationInput) -> Iterator[Problem]:
    if d.properties.get("Service") in (None, False):
        return
    for key in STARTERS:
        if d.properties.get(key):
            yield Problem(
                join_path(d.path, key),
                f"the declaration-level defaults set both Service and {key}; a task is a "
                f"service or started by its {key}, not both",
            )


@rule("kind.overrides", "A task's own Overrides sections fit its kind")
def overrides_fit(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    # The declaration's Overrides apply to the tasks they fit; a task's own must fit it.
    overrides = t.own.get("Overrides")
    if not isinstance(overrides, dict):
        return
    for section, wanted in (("Service", "service"), ("Schedule", "schedule")):
        if section in overrides and t.kind != wanted:
            article = "an" if t.kind[0] in "aeiou" else "a"
            yield Problem(
                join_path(t.path, "Overrides", section),
                f"this task is {article} {t.kind} task, so there is no {section.lower()} to "
                "override",
            )


@rule("spot.kind", "Spot applies to services and watched (scheduled or invoked) tasks")
def spot_kind(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.kind == "standalone" and "Spot" in t.own and t.own["Spot"] not in (None, False):
        yield Problem(
            t.where("Spot"),
            "Spot applies to services and to tasks with Schedule, Events or Callers; a "
            "standalone task's caller "
            "chooses its capacity provider in RunTask",
        )


@rule("spot.weights", "Spot weights leave some capacity provider able to place tasks")
def spot_weights(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    spot = t.get("Spot")
    if t.kind == "standalone" or not isinstance(spot, dict):
        return
    weights = fields.values(fields.SPOT, spot)
    if weights["on_demand_weight"] == 0 and weights["spot_weight"] == 0:
        yield Problem(
            t.where("Spot"), "OnDemandWeight and SpotWeight are both 0: no task could be placed"
        )


@rule("service.deployment", "Deployment limits leave ECS room to replace a task")
def deployment_room(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.kind != "service":
        return
    service = t.get("Service")
    config = fields.values(fields.SERVICE, service if isinstance(service, dict) else {})
    count, low, high = (
        resolve(config[k], d.parameters)
        for k in ("desired_count", "minimum_healthy_percent", "maximum_percent")
    )
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (count, low, high)):
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


@rule("service.autoscaling", "Autoscaling has a metric and MinCount is not above MaxCount")
def autoscaling(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    service = t.get("Service")
    scaling = service.get("Autoscaling") if isinstance(service, dict) else None
    if t.kind != "service" or not isinstance(scaling, dict):
        return
    at = join_path(t.where("Service"), "Autoscaling")
    low = resolve(scaling.get("MinCount", fields.AUTOSCALING["MinCount"].default), d.parameters)
    high = resolve(scaling.get("MaxCount"), d.parameters)
    if isinstance(low, int) and isinstance(high, int) and low > high:
        yield Problem(join_path(at, "MinCount"), f"MinCount {low} is above MaxCount {high}")
    if not (scaling.get("CpuTarget") or scaling.get("MemoryTarget") or scaling.get("Queue")):
        yield Problem(at, "says nothing to scale on: add CpuTarget, MemoryTarget or Queue")


@rule(
    "cluster.insights",
    "Queue-based autoscaling has the Container Insights metric it reads",
    "declaration",
)
def insights_for_queues(d: DeclarationInput) -> Iterator[Problem]:
    if (
        d.properties.get("ContainerInsights") not in ("disabled", False)
        or "Cluster" in d.properties
    ):
        return
    queued = [t.key for t in d.tasks if _queue(t)]
    if queued:
        yield Problem(
            join_path(d.path, "ContainerInsights"),
            f"queue-based Autoscaling of {', '.join(queued)} reads the service's running "
            "task count from Container Insights: enable it or leave this out",
        )


def _queue(t: TaskInput) -> bool:
    service = t.get("Service")
    scaling = service.get("Autoscaling") if isinstance(service, dict) else None
    return t.kind == "service" and isinstance(scaling, dict) and scaling.get("Queue") is not None


@rule(
    "cluster.existing",
    "Settings of a created cluster are not given with an existing Cluster",
    "declaration",
)
def existing_cluster(d: DeclarationInput) -> Iterator[Problem]:
    if "Cluster" not in d.properties:
        return
    for key in ("ClusterName", "ContainerInsights"):
        if key in d.properties:
            yield Problem(
                join_path(d.path, key),
                f"applies to a created cluster only; with Cluster the existing cluster's "
                f"settings are used: remove {key} or Cluster",
            )


@rule("spot.schedule-weights", "A watched task's Spot numbers are written as numbers")
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


@rule("timeout.kind", "Timeout is for scheduled and standalone tasks, not services")
def timeout_kind(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    # A declaration-level Timeout is the default of the tasks it fits; a task's own must fit.
    if t.kind == "service" and t.own.get("Timeout") is not None:
        yield Problem(
            t.where("Timeout"),
            "a service runs until it is replaced, so it has no Timeout: remove it, or make the "
            "task scheduled (Schedule), invoked (Events, Callers) or standalone "
            "(Service: false)",
        )


@rule("timeout.range", "Timeout is from a minute to 14 days")
def timeout_range(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    value = resolve(t.get("Timeout"), d.parameters)
    if value is None or value is UNKNOWN or t.kind == "service":
        return
    if isinstance(value, str) and value.isdigit():  # a parameter's value arrives as text
        value = int(value)
    seconds = durations.seconds(value)
    if seconds is None:
        yield Problem(
            t.where("Timeout"),
            f"{show(value)} is not a duration: write seconds (60 to 1209600) or a number with "
            "s, m, h or d, such as 90m or 2h",
        )
    elif not durations.TIMEOUT_MIN <= seconds <= durations.TIMEOUT_MAX:
        what = f"{show(value)} is {seconds} seconds" if isinstance(value, str) else f"{seconds} s"
        yield Problem(
            t.where("Timeout"),
            f"{what} is too {'short' if seconds < durations.TIMEOUT_MIN else 'long'}: Timeout "
            "is from 60 seconds (1m) to 1209600 seconds (14d)",
        )

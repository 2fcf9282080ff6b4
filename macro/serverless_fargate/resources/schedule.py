"""EventBridge Scheduler schedules that start a scheduled task's runs."""

from __future__ import annotations

from ..declaration.merge import deep_merge
from ..declaration.model import Declaration, Task
from ..intrinsics import get_att, ref
from . import cluster, names, network, spot
from .common import enabled

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def resources(d: Declaration, t: Task, spot_function: Any) -> dict[str, Any]:
    config = t.schedule
    assert config is not None
    ecs: dict[str, Any] = {
        "TaskDefinitionArn": ref(names.task_definition(d, t)),
        "TaskCount": config.task_count,
        "CapacityProviderStrategy": spot.strategy(t),
        "PlatformVersion": "LATEST",
        "NetworkConfiguration": network.awsvpc(d, t),
        "EnableECSManagedTags": True,
        "PropagateTags": "TASK_DEFINITION",
    }
    retry: dict[str, Any] = {"MaximumRetryAttempts": config.retries}
    if config.max_event_age_seconds is not None:
        retry["MaximumEventAgeInSeconds"] = config.max_event_age_seconds
    target: dict[str, Any] = {"RoleArn": get_att(names.schedule_role(d), "Arn")}
    if spot.uses_runner(t):
        # The runner starts the run on Spot and falls back to on-demand (see resources/spot.py).
        target.update({"Arn": spot_function, "Input": spot.runner_input(d, t)})
    else:
        target.update({"Arn": cluster.arn(d), "EcsParameters": ecs})
    target["RetryPolicy"] = retry
    if config.dead_letter_queue_arn is not None:
        target["DeadLetterConfig"] = {"Arn": config.dead_letter_queue_arn}
    window = (
        {"Mode": "OFF"}
        if config.flexible_window_minutes is None
        else {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": config.flexible_window_minutes}
    )
    properties: dict[str, Any] = {
        "Description": f"Runs task {t.key} of {d.logical_id} (ServerlessFargate)",
        "ScheduleExpression": config.expression,
        "ScheduleExpressionTimezone": config.timezone,
        "State": enabled(config.enabled),
        "FlexibleTimeWindow": window,
        "Target": target,
    }
    properties = deep_merge(properties, t.overrides.get("Schedule", {}))
    return {names.schedule(d, t): {"Type": "AWS::Scheduler::Schedule", "Properties": properties}}

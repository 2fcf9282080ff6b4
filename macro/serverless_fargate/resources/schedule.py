"""EventBridge Scheduler schedules: each starts its task's runs through the workflow
(resources/workflow.py), which watches them to their end."""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from . import names, workflow
from .common import enabled, with_overrides

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


# Scheduler's own retries of StartExecution (throttling, a service error). The task's Retries
# are fresh runs inside the workflow; these only make sure the workflow starts.
DELIVERY_RETRIES = 10


def resources(d: Declaration, t: Task) -> dict[str, Any]:
    config = t.schedule
    assert config is not None
    target = workflow.schedule_target(d, t)
    retry: dict[str, Any] = {"MaximumRetryAttempts": DELIVERY_RETRIES}
    if config.max_event_age_seconds is not None:
        retry["MaximumEventAgeInSeconds"] = config.max_event_age_seconds
    target["RetryPolicy"] = retry
    if config.dead_letter_queue_arn is not None:
        # Where Scheduler puts a run it could not start at all (the workflow reports the rest).
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
    properties = with_overrides(properties, t.overrides.get("Schedule", {}))
    return {names.schedule(d, t): {"Type": "AWS::Scheduler::Schedule", "Properties": properties}}

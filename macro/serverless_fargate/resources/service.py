"""The long-running ECS service of a service task."""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import ref
from . import cluster, names, network, spot
from .common import with_managed_tags, with_overrides

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def resources(d: Declaration, t: Task) -> dict[str, Any]:
    config = t.service
    assert config is not None
    properties: dict[str, Any] = {
        "Cluster": cluster.reference(d),
        "TaskDefinition": ref(names.task_definition(d, t)),
        "CapacityProviderStrategy": spot.strategy(t),
        "PlatformVersion": "LATEST",
        "NetworkConfiguration": network.awsvpc(d, t),
        "DeploymentConfiguration": {
            "MinimumHealthyPercent": config.minimum_healthy_percent,
            "MaximumPercent": config.maximum_percent,
            "DeploymentCircuitBreaker": {
                "Enable": config.circuit_breaker,
                "Rollback": config.circuit_breaker,
            },
        },
        "EnableExecuteCommand": config.enable_execute_command,
        "PropagateTags": "SERVICE",
        "EnableECSManagedTags": True,
    }
    if config.autoscaling is None:
        properties["DesiredCount"] = config.desired_count
    # else no DesiredCount: CloudFormation then keeps the running count on updates (a new
    # service starts at 1 and the scalable target moves it to MinCount).
    if config.health_check_grace_period_seconds is not None:
        properties["HealthCheckGracePeriodSeconds"] = config.health_check_grace_period_seconds
    properties = with_overrides(
        with_managed_tags(properties, t.tags, *spot.primary_tags(d, t)),
        t.overrides.get("Service", {}),
    )
    return {names.service(d, t): {"Type": "AWS::ECS::Service", "Properties": properties}}

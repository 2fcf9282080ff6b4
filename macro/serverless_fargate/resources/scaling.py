"""Application Auto Scaling of a service: CPU and memory target tracking, and queue backlog per
task, including scaling to and from zero.

The ECS service-linked role does the scaling, so no role is created. With autoscaling the
service has no DesiredCount, so a deploy never resets the running count.
"""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import get_att, ref, sub
from . import cluster, names

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

SCALE_IN_COOLDOWN = 120
SCALE_OUT_COOLDOWN = 60


def resources(d: Declaration, t: Task) -> dict[str, Any]:
    scaling = t.service.autoscaling if t.service else None
    if scaling is None:
        return {}
    target_id = names.scalable_target(d, t)
    service_name = get_att(names.service(d, t), "Name")
    out: dict[str, Any] = {
        target_id: {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                "MinCapacity": scaling.min_count,
                "MaxCapacity": scaling.max_count,
                "ResourceId": sub(
                    "service/${Cluster}/${Service}",
                    {"Cluster": cluster.cluster_name(d), "Service": service_name},
                ),
                "ScalableDimension": "ecs:service:DesiredCount",
                "ServiceNamespace": "ecs",
            },
        }
    }
    for metric, target, predefined in (
        ("Cpu", scaling.cpu_target, "ECSServiceAverageCPUUtilization"),
        ("Memory", scaling.memory_target, "ECSServiceAverageMemoryUtilization"),
    ):
        if target is not None:
            policy = names.scaling_policy(d, t, metric)
            out[policy] = _tracking(
                d,
                t,
                policy,
                {"PredefinedMetricSpecification": {"PredefinedMetricType": predefined}},
                target,
            )
    if scaling.queue_arn is not None:
        out.update(_queue(d, t, scaling.queue_arn, scaling.messages_per_task, service_name))
    return out


def _tracking(
    d: Declaration, t: Task, policy: str, metric: dict[str, Any], target: Any
) -> dict[str, Any]:
    return {
        "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Properties": {
            "PolicyName": sub("${AWS::StackName}-" + policy),
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": ref(names.scalable_target(d, t)),
            "TargetTrackingScalingPolicyConfiguration": {
                **metric,
                "TargetValue": target,
                "ScaleInCooldown": SCALE_IN_COOLDOWN,
                "ScaleOutCooldown": SCALE_OUT_COOLDOWN,
            },
        },
    }


def _queue(d: Declaration, t: Task, queue_arn: Any, per_task: Any, service_name: Any) -> dict:
    queue_name = {"Fn::Select": [5, {"Fn::Split": [":", queue_arn]}]}
    visible = {
        "Namespace": "AWS/SQS",
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": queue_name}],
    }
    running = {
        "Namespace": "ECS/ContainerInsights",
        "MetricName": "RunningTaskCount",
        "Dimensions": [
            {"Name": "ClusterName", "Value": cluster.cluster_name(d)},
            {"Name": "ServiceName", "Value": service_name},
        ],
    }
    backlog = {
        "CustomizedMetricSpecification": {
            "Metrics": [
                _query("visible", visible, {"Stat": "Average"}),
                _query("running", running, {"Stat": "Average"}),
                {
                    "Id": "backlog",
                    "Label": "Visible messages per running task",
                    "Expression": "visible / running",
                    "ReturnData": True,
                },
            ]
        }
    }
    step_id = names.scaling_policy(d, t, "FromZero")
    tracking_id = names.scaling_policy(d, t, "Queue")
    return {
        # Among running tasks: keep the backlog per task at MessagesPerTask (scales in to MinCount,
        # zero included, when the queue is empty).
        tracking_id: _tracking(d, t, tracking_id, backlog, per_task),
        # From zero there is no running task to divide by: start one when messages wait.
        step_id: {
            "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Properties": {
                "PolicyName": sub("${AWS::StackName}-" + step_id),
                "PolicyType": "StepScaling",
                "ScalingTargetId": ref(names.scalable_target(d, t)),
                "StepScalingPolicyConfiguration": {
                    "AdjustmentType": "ChangeInCapacity",
                    "Cooldown": SCALE_OUT_COOLDOWN,
                    "MetricAggregationType": "Maximum",
                    "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
                },
            },
        },
        names.queue_alarm(d, t): {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": f"Messages wait and no task of {t.key} runs",
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "Threshold": 1,
                "EvaluationPeriods": 1,
                "TreatMissingData": "notBreaching",
                "Metrics": [
                    _query("visible", visible, {"Period": 60, "Stat": "Maximum"}),
                    _query("running", running, {"Period": 60, "Stat": "Maximum"}),
                    {
                        "Id": "waiting",
                        "Label": "Messages wait with no task running",
                        "Expression": "IF(visible > 0 AND FILL(running, 0) == 0, 1, 0)",
                        "ReturnData": True,
                    },
                ],
                "AlarmActions": [ref(step_id)],
            },
        },
    }


def _query(query_id: str, metric: dict[str, Any], stat: dict[str, Any]) -> dict[str, Any]:
    """A metric-math input that feeds an expression rather than being returned itself."""
    return {"Id": query_id, "MetricStat": {"Metric": metric, **stat}, "ReturnData": False}

"""Fargate Spot: capacity provider strategies, and the pieces its fallback needs.

- Services with `Fallback`: an on-demand twin service (same task definition, FARGATE only).
  The declaration's own rule and small workflow (no code shared between stacks) scale the
  twin up by the tasks the Spot service cannot place (SERVICE_TASK_PLACEMENT_FAILURE) and back
  to zero once the Spot service is steady; a second rule runs it every 10 minutes for every
  Spot service (ECS may send no event: the twin's first task, waves of losses). Only that
  workflow's role may change the twins' count, by ARN. The twin has no DesiredCount in the
  template, so a deploy never resets what the workflow set.
- Scheduled tasks: the workflow (resources/workflow.py) runs on Spot, runs again on FARGATE in
  the same execution when Spot capacity is short (`Fallback`), and reruns an interrupted run on
  FARGATE once it has stopped (`RerunOnInterruption`).
"""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import get_att, ref, sub
from ..settings import FALLBACK_FOR_TAG, FALLBACK_SERVICE_TAG, SERVICE_ID_TAG
from . import cluster, names, roles
from .common import tag_list

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


def has_fallback_service(t: Task) -> bool:
    return t.kind == "service" and t.spot is not None and t.spot.fallback


def primary_tags(d: Declaration, t: Task) -> list[dict[str, Any]]:
    """Tags on the Spot service naming its twin (the twin's FALLBACK_FOR_TAG names it back):
    labels for people and tools; no permission depends on them."""
    if not has_fallback_service(t):
        return []
    return [
        {
            "Key": FALLBACK_SERVICE_TAG,
            "Value": {"Fn::GetAtt": [names.fallback_service(d, t), "Name"]},
        },
        {"Key": SERVICE_ID_TAG, "Value": names.service(d, t)},
    ]


# The ECS Service Action events the fallback acts on
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html).
PLACEMENT_FAILURE = "SERVICE_TASK_PLACEMENT_FAILURE"
STEADY = "SERVICE_STEADY_STATE"
# The scheduled check's own event name: both rules apply (raise to what Spot misses, back to 0
# when Spot is full).
CHECK = "CHECK"
# ECS reports steady state only "periodically" and omits repeated service messages for up to
# six hours, and the rule exists only after the Spot service is stable (its first event may be
# missed): the check puts every twin right within this period whatever ECS sends.
CHECK_EVERY = "rate(10 minutes)"
# Retried on every ECS call: ServiceName.ErrorName is how the aws-sdk integration names an
# error (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html);
# ServerException is ECS's documented server error, ThrottlingException its common throttling
# error; Ecs.EcsException is the name an error ECS does not model gets. Every call is
# idempotent (a read, or setting a count), so a retry changes nothing twice.
_RETRY = [
    {
        "ErrorEquals": ["Ecs.ThrottlingException", "Ecs.ServerException", "Ecs.EcsException"],
        "IntervalSeconds": 1,
        "BackoffRate": 2,
        "MaxAttempts": 6,
        "JitterStrategy": "FULL",
    }
]
_UPDATE = "aws-sdk:ecs:updateService"
_DESCRIBE = "aws-sdk:ecs:describeServices"


def _fallback_services(d: Declaration) -> list[Task]:
    return [t for t in d.tasks if has_fallback_service(t)]


def _describe_state(i: int, t: Task) -> str:
    """`Describe <n>: <task key>`, cut to the 80 characters Step Functions allows a state name
    (https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html); the
    number keeps names distinct when keys are cut."""
    return f"Describe {i + 1}: {t.key}"[:80]


def fallback_rule(d: Declaration) -> dict[str, Any]:
    """The ECS events of exactly this declaration's Spot services, from ECS in this stack's
    account and region, to this declaration's own fallback workflow.

    The pattern names the services' ARNs, the source `aws.ecs`, the account and the region;
    placement failures count only when FARGATE_SPOT is the provider that failed. The target
    gets only the service's ARN and the event's name (an input transformer): the workflow
    reads every count itself.
    """
    services = _fallback_services(d)
    if not services:
        return {}
    rule, role = names.spot_fallback_rule(d), names.spot_fallback_rule_role(d)
    return {
        rule: {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": f"Spot services of {d.logical_id} to their on-demand twins "
                "(ServerlessFargate)",
                "EventPattern": {
                    "source": ["aws.ecs"],
                    "detail-type": ["ECS Service Action"],
                    "account": [ref("AWS::AccountId")],
                    "region": [ref("AWS::Region")],
                    "resources": [ref(names.service(d, t)) for t in services],
                    "detail": {
                        "$or": [
                            {"eventName": [STEADY]},
                            {
                                "eventName": [PLACEMENT_FAILURE],
                                # Any of the providers named is FARGATE_SPOT (its ARN ends so).
                                "capacityProviderArns": [{"suffix": "/FARGATE_SPOT"}],
                            },
                        ]
                    },
                },
                "State": "ENABLED",
                "Targets": [
                    {
                        "Id": "SpotFallback",
                        "Arn": ref(names.spot_fallback(d)),
                        "RoleArn": get_att(role, "Arn"),
                        "InputTransformer": {
                            "InputPathsMap": {
                                "service": "$.resources[0]",
                                "event": "$.detail.eventName",
                            },
                            # In quotes: the values are inserted as text (an ARN, a name).
                            "InputTemplate": '{"services": ["<service>"], "event": "<event>"}',
                        },
                    }
                ],
            },
        },
        names.spot_fallback_check(d): {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": f"Every Spot service of {d.logical_id} checked against its "
                "on-demand twin (ServerlessFargate)",
                "ScheduleExpression": CHECK_EVERY,
                "State": "ENABLED",
                "Targets": [
                    {
                        "Id": "SpotFallback",
                        "Arn": ref(names.spot_fallback(d)),
                        "RoleArn": get_att(role, "Arn"),
                        "Input": _check_input(d, services),
                    }
                ],
            },
        },
        role: roles._role(
            # The rule's own ARN would be a circular reference (the rule names this role).
            roles.trusting_within("events.amazonaws.com", "rule/*"),
            [
                {
                    "Effect": "Allow",
                    "Action": "states:StartExecution",
                    "Resource": ref(names.spot_fallback(d)),
                }
            ],
            d.permissions_boundary,
            d.tags,
        ),
    }


def _check_input(d: Declaration, services: list[Task]) -> dict[str, Any]:
    """`{"services": [<every Spot service's ARN>], "event": "CHECK"}`, as JSON text."""
    arns = ", ".join(f'"${{S{i}}}"' for i in range(len(services)))
    return {
        "Fn::Sub": [
            f'{{"services": [{arns}], "event": "{CHECK}"}}',
            {f"S{i}": ref(names.service(d, t)) for i, t in enumerate(services)},
        ]
    }


def _which_service(d: Declaration, services: list[Task]) -> dict[str, Any]:
    return {
        "Type": "Choice",
        "Comment": "Only this declaration's Spot services; the definition names each twin.",
        "Choices": [
            {
                "Variable": "$.service",
                "StringEquals": ref(names.service(d, t)),
                "Next": _describe_state(i, t),
            }
            for i, t in enumerate(services)
        ],
        "Default": "Not a Spot service of this declaration",
    }


def _describe(d: Declaration, t: Task) -> dict[str, Any]:
    spot, twin = ref(names.service(d, t)), ref(names.fallback_service(d, t))

    def only(arn: Any) -> Any:
        # DescribeServices does not promise to answer in the order asked.
        return {"Fn::Sub": ["$.Services[?(@.ServiceArn == '${Arn}')]", {"Arn": arn}]}

    return {
        "Type": "Task",
        "Resource": sub("arn:${AWS::Partition}:states:::" + _DESCRIBE),
        "Parameters": {"Cluster": cluster.reference(d), "Services": [spot, twin]},
        "ResultSelector": {"spot.$": only(spot), "twin.$": only(twin), "twinArn": twin},
        "ResultPath": "$.found",
        "Retry": _RETRY,
        "Next": "Count",
    }


EACH = "Each Spot service"


def fallback_definition(d: Declaration) -> dict[str, Any]:
    """The services' fallback, small on purpose (every state entered is paid for): one Map
    state, then five states per service named in the input (one for an event, every Spot
    service for the scheduled check). A placement failure on Spot sets the twin to the tasks
    the Spot service is missing, never fewer than the twin has; a steady Spot service with
    all its tasks running sets the twin back to zero; the check does both. All idempotent:
    the same input twice changes nothing more."""
    services = _fallback_services(d)
    update = sub("arn:${AWS::Partition}:states:::" + _UPDATE)
    states: dict[str, Any] = {
        "Which service?": _which_service(d, services),
        **{_describe_state(i, t): _describe(d, t) for i, t in enumerate(services)},
        "Count": {
            "Type": "Pass",
            "Parameters": {
                "event.$": "$.event",
                "twin.$": "$.found.twinArn",
                "twinCount.$": "$.found.twin[0].DesiredCount",
                "desired.$": "$.found.spot[0].DesiredCount",
                "running.$": "$.found.spot[0].RunningCount",
                # desired - running: States.MathAdd adds; the running count, negated, as JSON.
                "missing.$": "States.MathAdd($.found.spot[0].DesiredCount, "
                "States.StringToJson(States.Format('-{}', $.found.spot[0].RunningCount)))",
            },
            "Next": "What now?",
        },
        "What now?": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {
                            "Or": [
                                {"Variable": "$.event", "StringEquals": PLACEMENT_FAILURE},
                                {"Variable": "$.event", "StringEquals": CHECK},
                            ]
                        },
                        {"Variable": "$.missing", "NumericGreaterThanPath": "$.twinCount"},
                    ],
                    "Next": "Fall back to on-demand",
                },
                {
                    "And": [
                        {
                            "Or": [
                                {"Variable": "$.event", "StringEquals": STEADY},
                                {"Variable": "$.event", "StringEquals": CHECK},
                            ]
                        },
                        {"Variable": "$.running", "NumericGreaterThanEqualsPath": "$.desired"},
                        {"Variable": "$.twinCount", "NumericGreaterThan": 0},
                    ],
                    "Next": "Back to Spot",
                },
            ],
            "Default": "Nothing to change",
        },
        "Fall back to on-demand": {
            "Type": "Task",
            "Resource": update,
            "Parameters": {
                "Cluster": cluster.reference(d),
                "Service.$": "$.twin",
                "DesiredCount.$": "$.missing",
            },
            "ResultSelector": {
                "twin.$": "$.Service.ServiceName",
                "count.$": "$.Service.DesiredCount",
            },
            "Retry": _RETRY,
            "End": True,
        },
        "Back to Spot": {
            "Type": "Task",
            "Resource": update,
            "Parameters": {
                "Cluster": cluster.reference(d),
                "Service.$": "$.twin",
                "DesiredCount": 0,
            },
            "ResultSelector": {
                "twin.$": "$.Service.ServiceName",
                "count.$": "$.Service.DesiredCount",
            },
            "Retry": _RETRY,
            "End": True,
        },
        "Nothing to change": {"Type": "Succeed"},
        "Not a Spot service of this declaration": {
            "Type": "Fail",
            "Error": "NotASpotService",
            "Cause": "The input names no Spot service of this declaration; nothing was changed.",
        },
    }
    return {
        "Comment": f"Spot services of {d.logical_id} fall back to their on-demand twins "
        "(ServerlessFargate)",
        "StartAt": EACH,
        "States": {
            EACH: {
                "Type": "Map",
                "ItemsPath": "$.services",
                "ItemSelector": {"service.$": "$$.Map.Item.Value", "event.$": "$.event"},
                "ItemProcessor": {"StartAt": "Which service?", "States": states},
                # The execution's output: what each service's check ended with (no `ResultPath:
                # null`: CloudFormation refuses null values in a template).
                "End": True,
            }
        },
    }


def fallback_workflow(d: Declaration) -> dict[str, Any]:
    """The fallback workflow and its role: it may read this declaration's Spot services and
    their twins, and change the desired count of the twins only (by ARN)."""
    services = _fallback_services(d)
    if not services:
        return {}
    twins = [ref(names.fallback_service(d, t)) for t in services]
    properties: dict[str, Any] = {
        "StateMachineType": "STANDARD",
        "StateMachineName": names.state_machine_name(names.spot_fallback(d)),
        "RoleArn": get_att(names.spot_fallback_role(d), "Arn"),
        "Definition": fallback_definition(d),
    }
    if d.tags:
        properties["Tags"] = tag_list(d.tags)
    return {
        names.spot_fallback(d): {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": properties,
        },
        names.spot_fallback_role(d): roles._role(
            # Exactly this state machine, named before it exists (names.state_machine_name).
            roles.trusting(
                "states.amazonaws.com", roles.state_machine_arns([names.spot_fallback(d)])
            ),
            [
                {
                    "Effect": "Allow",
                    "Action": "ecs:DescribeServices",
                    "Resource": [ref(names.service(d, t)) for t in services] + twins,
                },
                {"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": twins},
            ],
            d.permissions_boundary,
            d.tags,
        ),
    }


def fallback_service(d: Declaration, t: Task, primary: dict[str, Any]) -> dict[str, Any]:
    """The on-demand twin of a Spot service, from the primary's own properties."""
    if not has_fallback_service(t):
        return {}
    properties = {
        k: v for k, v in primary["Properties"].items() if k not in ("DesiredCount", "Tags")
    }
    properties["CapacityProviderStrategy"] = [{"CapacityProvider": "FARGATE", "Weight": 1}]
    tags = [
        tag
        for tag in primary["Properties"].get("Tags", [])
        if tag["Key"] not in (FALLBACK_SERVICE_TAG, SERVICE_ID_TAG)
    ]
    properties["Tags"] = [*tags, {"Key": FALLBACK_FOR_TAG, "Value": names.service(d, t)}]
    return {names.fallback_service(d, t): {"Type": "AWS::ECS::Service", "Properties": properties}}

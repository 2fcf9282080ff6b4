"""IAM roles, each allowed exactly what its user needs.

- execution role (shared): pull the tasks' images, write to the declaration's log group, read
  exactly the declared secrets;
- one task role per task: the task's own Policies (and ECS Exec's channels when enabled);
- schedule role: run exactly the scheduled task definitions and pass exactly their roles.
"""

from __future__ import annotations

import json

from ..declaration import grants
from ..declaration.model import Declaration, Task
from ..intrinsics import get_att, is_intrinsic, ref, sub
from ..settings import ROLE_PATH
from . import cluster, names, spot
from .common import policy_document, with_tags

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

ECS_TASKS = "ecs-tasks.amazonaws.com"
# Confused-deputy protection: only ECS acting for this account may assume task roles.
_ECS_SOURCE = {
    "ArnLike": {
        "aws:SourceArn": sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*")
    },
    "StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")},
}
# ECS Exec's agent talks to Session Manager; these actions support no resource scoping.
EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]
PULL_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
]


def _trust(service: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return policy_document([statement])


def _role(
    trust: dict[str, Any],
    statements: list[dict[str, Any]],
    boundary: Any,
    tags: dict[str, Any],
    managed: list[Any] | None = None,
    path: str | None = None,
) -> dict[str, Any]:
    properties: dict[str, Any] = {"AssumeRolePolicyDocument": trust}
    if path is not None:
        properties["Path"] = path
    if managed:
        properties["ManagedPolicyArns"] = managed
    if statements:
        properties["Policies"] = [
            {"PolicyName": "serverless-fargate", "PolicyDocument": policy_document(statements)}
        ]
    if boundary is not None:
        properties["PermissionsBoundary"] = boundary
    return {"Type": "AWS::IAM::Role", "Properties": with_tags(properties, tags)}


def _unique(values: list[Any]) -> list[Any]:
    """Flattened, first occurrence kept; linear (items are JSON values, compared by content)."""
    out: list[Any] = []
    seen: set[str] = set()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            key = json.dumps(item, sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def execution_role(d: Declaration) -> dict[str, Any]:
    users = [t for t in d.tasks if t.execution_role_arn is None]
    if not users:
        return {}
    repositories = _unique(
        [t.image.ecr_repository_arn for t in users if t.image.ecr_repository_arn is not None]
        + [arn for t in users for arn in t.sidecar_repositories]
    )
    statements: list[dict[str, Any]] = []
    if repositories:
        statements += [
            # GetAuthorizationToken has no resource-level permissions in IAM.
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": PULL_ACTIONS, "Resource": repositories},
        ]
    statements.append(
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": get_att(names.log_group(d), "Arn"),
        }
    )
    secrets = [grant for t in users for grant in t.secret_grants]
    for service, action in (
        (grants.SSM, "ssm:GetParameters"),
        (grants.SECRETS_MANAGER, "secretsmanager:GetSecretValue"),
    ):
        arns = _unique([arn for kind, arn in secrets if kind in (service, grants.EITHER)])
        if arns:
            statements.append({"Effect": "Allow", "Action": action, "Resource": arns})
    return {
        names.execution_role(d): _role(
            _trust(ECS_TASKS), statements, d.permissions_boundary, d.tags, path=ROLE_PATH
        )
    }


def execution_role_arn(d: Declaration, t: Task) -> Any:
    if t.execution_role_arn is not None:
        return t.execution_role_arn
    return get_att(names.execution_role(d), "Arn")


def task_role(d: Declaration, t: Task) -> dict[str, Any]:
    if t.task_role_arn is not None:
        return {}
    # A string or intrinsic is a managed-policy ARN; a map is a statement.
    managed = [p for p in t.policies if not isinstance(p, dict) or is_intrinsic(p)]
    statements = [
        {"Effect": "Allow", **p} for p in t.policies if isinstance(p, dict) and not is_intrinsic(p)
    ]
    if t.service is not None and t.service.enable_execute_command:
        statements.append({"Effect": "Allow", "Action": EXEC_ACTIONS, "Resource": "*"})
    statements += [_efs_statement(v) for v in t.volumes.values()]
    return {
        names.task_role(d, t): _role(
            _trust(ECS_TASKS, _ECS_SOURCE),
            statements,
            t.permissions_boundary,
            t.tags,
            managed,
            path=ROLE_PATH,
        )
    }


def _efs_statement(volume: dict[str, Any]) -> dict[str, Any]:
    """Mount (and write, unless read-only) exactly this file system, via its access point."""
    actions = ["elasticfilesystem:ClientMount"]
    if not volume["ReadOnly"]:
        actions.append("elasticfilesystem:ClientWrite")
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": actions,
        "Resource": sub(
            "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:"
            "file-system/${FileSystem}",
            {"FileSystem": volume["FileSystemId"]},
        ),
    }
    if volume.get("AccessPointId") is not None:
        statement["Condition"] = {
            "StringEquals": {
                "elasticfilesystem:AccessPointArn": sub(
                    "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:"
                    "access-point/${AccessPoint}",
                    {"AccessPoint": volume["AccessPointId"]},
                )
            }
        }
    return statement


def task_role_arn(d: Declaration, t: Task) -> Any:
    if t.task_role_arn is not None:
        return t.task_role_arn
    return get_att(names.task_role(d, t), "Arn")


def schedule_role(d: Declaration, spot_function: Any) -> dict[str, Any]:
    scheduled = d.scheduled
    if not scheduled:
        return {}
    direct = [t for t in scheduled if not spot.uses_runner(t)]
    statements: list[dict[str, Any]] = []
    if direct:
        passed = _unique(
            [execution_role_arn(d, t) for t in direct] + [task_role_arn(d, t) for t in direct]
        )
        statements += [
            {
                "Effect": "Allow",
                "Action": "ecs:RunTask",
                "Resource": [ref(names.task_definition(d, t)) for t in direct],
                "Condition": {"ArnEquals": {"ecs:cluster": cluster.arn(d)}},
            },
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": passed,
                "Condition": {"StringLike": {"iam:PassedToService": ECS_TASKS}},
            },
            {
                # Scheduler tags the tasks it starts (PropagateTags, ECS managed tags).
                "Effect": "Allow",
                "Action": "ecs:TagResource",
                "Resource": sub(
                    "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${Cluster}/*",
                    {"Cluster": cluster.cluster_name(d)},
                ),
                "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
            },
        ]
    if len(direct) < len(scheduled):
        # Spot runs with fallback go through the application's runner, which starts them.
        statements.append(
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": spot_function}
        )
    trust = _trust(
        "scheduler.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}
    )
    return {names.schedule_role(d): _role(trust, statements, d.permissions_boundary, d.tags)}

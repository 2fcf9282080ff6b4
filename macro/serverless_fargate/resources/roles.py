"""IAM roles, each allowed exactly what its user needs.

- execution role (shared): pull the tasks' images, write to the declaration's log group, read
  exactly the declared secrets;
- one task role per task: the task's own Policies (and ECS Exec's channels when enabled);
- schedule role: start this declaration's workflow (and report a start that failed);
- workflow role: run exactly the watched task definitions on this cluster and pass exactly
  their roles;
- one events role per task with Events: start exactly that task's workflow.
"""

from __future__ import annotations

from ..declaration import grants
from ..declaration.model import Declaration, Task
from ..intrinsics import escape, get_att, is_intrinsic, ref, sub, unique
from ..settings import ROLE_PATH
from . import cluster, names
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
    """Flattened, first occurrence kept (items are JSON values, compared by content)."""
    return unique(
        [item for value in values for item in (value if isinstance(value, list) else [value])]
    )


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
    keys = _unique([key for t in users for key in t.secrets_kms_key_arns])
    if keys:
        statements.append(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": keys,
                # Only to read the Secrets: through SSM or Secrets Manager, never directly.
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": [
                            sub("secretsmanager.${AWS::Region}.${AWS::URLSuffix}"),
                            sub("ssm.${AWS::Region}.${AWS::URLSuffix}"),
                        ]
                    }
                },
            }
        )
    return {
        names.execution_role(d): _role(
            # The account only: the condition AWS's own examples give this role.
            _trust(ECS_TASKS, _ACCOUNT),
            statements,
            d.permissions_boundary,
            d.tags,
            path=ROLE_PATH,
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


def _queues(tasks: list[Task]) -> list[Any]:
    """The dead-letter queues of these tasks' runs."""
    return _unique([t.dead_letter_queue_arn for t in tasks if t.dead_letter_queue_arn is not None])


def _send_to_queues(tasks: list[Task]) -> list[dict[str, Any]]:
    """Send to these tasks' dead-letter queues, and use exactly their customer managed keys:
    "Configure KMS permissions for producers" (Amazon SQS Developer Guide, Key management)
    names kms:GenerateDataKey and kms:Decrypt on the key. kms:ViaService (SQS is in the KMS
    guide's ViaService table) keeps each key to SQS's requests in the key's region."""
    queues = _queues(tasks)
    if not queues:
        return []
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queues}
    ]
    keys = _unique(
        [t.dead_letter_queue_kms_key_arn for t in tasks if t.dead_letter_queue_kms_key_arn]
    )
    for key in keys:
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": key,
                "Condition": {"StringEquals": {"kms:ViaService": _via_sqs(key)}},
            }
        )
    return statements


def _via_sqs(key: Any) -> Any:
    """SQS's name in kms:ViaService for the region of `key` (rules/invocations.py checked that
    a known key is in its queue's region)."""
    if isinstance(key, str):
        return sub(f"sqs.{key.split(':')[3]}.${{AWS::URLSuffix}}")
    region = {"Fn::Select": [3, {"Fn::Split": [":", key]}]}
    return sub("sqs.${Region}.${AWS::URLSuffix}", {"Region": region})


_ACCOUNT = {"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}


def trusting_within(service: str, resource: str) -> dict[str, Any]:
    """Confused-deputy protection where the exact ARN cannot be spelled (a cycle, or AWS does
    not document the source ARN it sets): only `service`, acting for this account's resources
    of this kind in this region (`resource`, e.g. "rule/*"), may assume the role."""
    arn = "arn:${AWS::Partition}:" + service.split(".")[0] + ":${AWS::Region}:${AWS::AccountId}:"
    return _trust(service, {**_ACCOUNT, "ArnLike": {"aws:SourceArn": sub(arn + resource)}})


def trusting(service: str, source_arns: list[Any]) -> dict[str, Any]:
    """Confused-deputy protection: only `service`, acting for exactly these resources of this
    account (aws:SourceArn, aws:SourceAccount), may assume the role."""
    return _trust(service, {**_ACCOUNT, "ArnEquals": {"aws:SourceArn": source_arns}})


def _arn(service: str, resource: str, name: Any, tail: str = "") -> Any:
    """arn:...:<service>:<region>:<account>:<resource><name><tail>; literal names are escaped."""
    head = "arn:${AWS::Partition}:" + service + ":${AWS::Region}:${AWS::AccountId}:" + resource
    if isinstance(name, str):
        return sub(head + escape(name) + tail)
    return sub(head + "${Name}" + tail, {"Name": name})


def schedule_group_arns(d: Declaration) -> list[Any]:
    """The schedule groups of the declaration's schedules: Scheduler's default group unless
    Overrides.Schedule names another (AWS::Scheduler::Schedule GroupName)."""
    return _unique(
        [
            _arn(
                "scheduler",
                "schedule-group/",
                t.overrides.get("Schedule", {}).get("GroupName") or "default",
            )
            for t in d.scheduled
        ]
    )


def state_machine_arns(logical_ids: list[str]) -> list[Any]:
    """The exact ARNs of these state machines (each named by names.state_machine_name)."""
    return [_arn("states", "stateMachine:", names.state_machine_name(i)) for i in logical_ids]


def schedule_role(d: Declaration) -> dict[str, Any]:
    """Scheduler may start the workflows of this declaration's scheduled tasks, and nothing
    else: each workflow decides what runs. It may also put a run it could not start on the
    tasks' dead-letter queues."""
    if not d.scheduled:
        return {}
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": [ref(names.workflow(d, t)) for t in d.scheduled],
        }
    ]
    # Scheduler sends a start it could not make to the queue with this, the schedule's
    # execution role ("Configuring a dead-letter queue for EventBridge Scheduler").
    statements += _send_to_queues(d.scheduled)
    return {
        names.schedule_role(d): _role(
            # Scheduler names the schedule's group in aws:SourceArn (Scheduler user guide,
            # "Confused deputy prevention"): exactly the groups of these schedules.
            trusting("scheduler.amazonaws.com", schedule_group_arns(d)),
            statements,
            d.permissions_boundary,
            d.tags,
        )
    }


def workflow_role(d: Declaration) -> dict[str, Any]:
    """The workflows may run exactly the watched task definitions on this cluster, pass exactly
    their roles to ECS, stop and read tasks on this cluster, and report to the tasks' queues."""
    scheduled = d.watched
    if not scheduled:
        return {}
    on_cluster = {"ArnEquals": {"ecs:cluster": cluster.arn(d)}}
    tasks = sub(
        "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${Cluster}/*",
        {"Cluster": cluster.cluster_name(d)},
    )
    passed = _unique(
        [execution_role_arn(d, t) for t in scheduled] + [task_role_arn(d, t) for t in scheduled]
    )
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": "ecs:RunTask",
            "Resource": [ref(names.task_definition(d, t)) for t in scheduled],
            "Condition": on_cluster,
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": passed,
            "Condition": {"StringEquals": {"iam:PassedToService": ECS_TASKS}},
        },
        {
            # RunTask tags the tasks it starts (PropagateTags: the task definition's tags).
            "Effect": "Allow",
            "Action": "ecs:TagResource",
            "Resource": tasks,
            "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
        },
        {
            # runTask.sync reads the task until it stops; a timed-out task is stopped.
            "Effect": "Allow",
            "Action": ["ecs:DescribeTasks", "ecs:StopTask"],
            "Resource": tasks,
            "Condition": on_cluster,
        },
        {
            # ListTasks names no resource in IAM; the condition keeps it to this cluster.
            "Effect": "Allow",
            "Action": "ecs:ListTasks",
            "Resource": "*",
            "Condition": on_cluster,
        },
        {
            # How runTask.sync learns that a task stopped, and startExecution.sync:2 that the
            # Recovery execution ended: rules Step Functions manages ("IAM policies for Amazon
            # ECS/Fargate" and "for AWS Step Functions" in the Step Functions developer guide).
            "Effect": "Allow",
            "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            "Resource": [
                sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/" + rule)
                for rule in (
                    "StepFunctionsGetEventsForECSTaskRule",
                    "StepFunctionsGetEventsForStepFunctionsExecutionRule",
                )
            ],
        },
        {
            # A task's workflow starts the declaration's Recovery machine after a failed attempt.
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": state_machine_arns([names.recovery(d)]),
        },
        {
            # ... and, synchronously, reads it until it ends, or stops it if its own execution
            # is stopped: exactly the Recovery machine's executions.
            "Effect": "Allow",
            "Action": ["states:DescribeExecution", "states:StopExecution"],
            "Resource": _arn(
                "states", "execution:", names.state_machine_name(names.recovery(d)), ":*"
            ),
        },
    ]
    statements += _send_to_queues(scheduled)
    return {
        names.workflow_role(d): _role(
            # The state machine's exact ARN, spelt from its name (a Ref would be a cycle).
            trusting(
                "states.amazonaws.com",
                state_machine_arns([names.recovery(d)] + [names.workflow(d, t) for t in d.watched]),
            ),
            statements,
            d.permissions_boundary,
            d.tags,
        )
    }


def events_role(d: Declaration, t: Task, start: dict[str, Any]) -> dict[str, Any]:
    """What a task's EventBridge rules start its runs with: `start`, exactly its workflow."""
    return {
        names.events_role(d, t): _role(
            # Rules on any bus of this account and region: a custom bus's rule ARN has the
            # bus's name in it, and the rules' own ARNs would be a circular reference.
            trusting_within("events.amazonaws.com", "rule/*"),
            [start],
            t.permissions_boundary,
            t.tags,
        )
    }

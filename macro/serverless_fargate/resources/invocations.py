"""Runs started by events and by callers: each starts an execution of the task's own workflow
(resources/workflow.py), which watches it like a scheduled run.

- One EventBridge rule per `Events` entry, whose target starts exactly that task's workflow with
  the event (or its InputPath part) as the input's `input` member, through one role per task
  that may start that workflow and nothing else.
- Each caller gets states:StartExecution on exactly the workflows of the tasks that name it,
  states:DescribeExecution on their executions (to read a run's outcome), and one environment
  variable per task holding the workflow's ARN. A SAM function gets the grant in its own
  Policies; any other function through a generated AWS::IAM::Policy on its role.

No grant here reaches ECS or IAM: the workflow alone runs the task, with the image, command,
roles and network of its definition, whatever the input says.
"""

from __future__ import annotations

from ..declaration.callers import variable
from ..declaration.model import Declaration, Event, Task
from ..intrinsics import get_att, ref, sub
from . import names, roles
from . import workflow_contract as contract
from .common import enabled, policy_document

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

# EventBridge's predefined variable for the whole event, detail included; like a path
# variable it may only stand as a JSON value (eb-transform-target-input.html).
WHOLE_EVENT = "aws.events.event.json"
PART = "part"  # the variable InputPath's value is read into


def input_transformer(event: Event) -> dict[str, Any]:
    """The target's input: `{"input": <the event or its InputPath part>}`, nothing else, so an
    event can never set any other member of the workflow's input."""
    if event.input_path is None:
        return {"InputTemplate": f'{{"{contract.INPUT}": <{WHOLE_EVENT}>}}'}
    return {
        "InputPathsMap": {PART: event.input_path},
        "InputTemplate": f'{{"{contract.INPUT}": <{PART}>}}',
    }


def event_resources(d: Declaration, t: Task) -> dict[str, Any]:
    """The task's rules and the one role they start its workflow with."""
    if not t.events:
        return {}
    out: dict[str, Any] = {}
    for event in t.events:
        target: dict[str, Any] = {
            "Id": "Workflow",
            "Arn": ref(names.workflow(d, t)),
            "RoleArn": get_att(names.events_role(d, t), "Arn"),
            "InputTransformer": input_transformer(event),
        }
        if event.retry_policy:
            target["RetryPolicy"] = event.retry_policy
        if event.dead_letter_queue_arn is not None:
            target["DeadLetterConfig"] = {"Arn": event.dead_letter_queue_arn}
        properties: dict[str, Any] = {
            "Description": f"Starts a run of task {t.key} of {d.logical_id} per matching event "
            "(ServerlessFargate)",
            "EventPattern": event.pattern,
            "State": enabled(True),
            "Targets": [target],
        }
        if event.event_bus_name is not None:
            properties["EventBusName"] = event.event_bus_name
        out[names.event_rule(d, t, event.name)] = {
            "Type": "AWS::Events::Rule",
            "Properties": properties,
        }
    out.update(roles.events_role(d, t, start_statement(d, [t])))
    return out


def start_statement(d: Declaration, tasks: list[Task]) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": "states:StartExecution",
        "Resource": [ref(names.workflow(d, t)) for t in tasks],
    }


def caller_statements(d: Declaration, tasks: list[Task]) -> list[dict[str, Any]]:
    """Start exactly these tasks' workflows; read exactly their executions."""
    executions = [
        sub(
            "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*",
            {"Name": get_att(names.workflow(d, t), "Name")},
        )
        for t in tasks
    ]
    return [
        start_statement(d, tasks),
        {"Effect": "Allow", "Action": "states:DescribeExecution", "Resource": executions},
    ]


def callers_of(d: Declaration) -> dict[str, list[Task]]:
    """Caller logical ID → the tasks of this declaration it may start, in task order."""
    out: dict[str, list[Task]] = {}
    for t in d.tasks:
        for caller in t.callers:
            out.setdefault(caller.logical_id, []).append(t)
    return out


def caller_policies(d: Declaration) -> dict[str, Any]:
    """AWS::IAM::Policy on the role of each caller that does not take SAM Policies."""
    out: dict[str, Any] = {}
    roles_of = {c.logical_id: c.role for t in d.tasks for c in t.callers}
    for function, tasks in callers_of(d).items():
        role = roles_of[function]
        if role is None:
            continue  # a SAM function: patch() adds the grant to its Policies
        out[names.caller_policy(d, function)] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": f"serverless-fargate-{d.logical_id}",
                "PolicyDocument": policy_document(caller_statements(d, tasks)),
                "Roles": [role],
            },
        }
    return out


def patch(d: Declaration, function_id: str, function: dict[str, Any]) -> dict[str, Any]:
    """The caller's resource with its variables (and, for a SAM function that takes Policies,
    its grant) added; the input is not changed. rules/invocations.py checked that both can be
    added, so a map or list is found or absent here."""
    tasks = callers_of(d)[function_id]
    roles_of = {c.logical_id: c.role for t in d.tasks for c in t.callers}
    out = dict(function)
    properties = dict(out.get("Properties") or {})
    environment = dict(properties.get("Environment") or {})
    variables = dict(environment.get("Variables") or {})
    for t in tasks:
        variables[variable(t.key)] = ref(names.workflow(d, t))
    environment["Variables"] = variables
    properties["Environment"] = environment
    if roles_of[function_id] is None:
        given = properties.get("Policies")
        policies = [] if given is None else list(given) if isinstance(given, list) else [given]
        properties["Policies"] = [*policies, policy_document(caller_statements(d, tasks))]
    out["Properties"] = properties
    return out

"""The workflow that watches every scheduled run to its end: one Step Functions state machine
per declaration with scheduled tasks.

EventBridge Scheduler starts an execution named after its own execution ID (a delivery made
twice starts one run: StartExecution is idempotent for a name and input). The input names the
task; the definition holds each task's settings, so whoever may start the workflow can choose
only which of this declaration's tasks runs, never what it runs or with which role.

Per copy of a run (`TaskCount` copies run side by side, in a Map):

    Run task (ecs:runTask.sync, waits for the task to stop; times out after Timeout)
      ├─ success (essential containers exit 0) ─────────────────────────────► copy succeeded
      ├─ Spot capacity short and Fallback ──► run again on FARGATE, same attempt
      ├─ Spot interruption and RerunOnInterruption (once) ──► run again on FARGATE
      ├─ timed out ──► find the task by its group, StopTask, let it stop ─┐
      └─ any other failure (exit code, stop code, reason) ───────────────┴► retries left?
                                 yes: wait 60 s, 120 s, ... then a fresh attempt; no: failed

A run with a failed copy puts one JSON message on DeadLetterQueueArn and fails the execution,
so it shows in the console and in the ExecutionsFailed metric. The README has the
diagram; tests/test_workflow.py executes it against moto's interpreter.
"""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import get_att, ref, sub
from . import cluster, names, network, spot
from . import workflow_contract as contract
from .common import tag_list, text

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

NO_TIMEOUT = contract.NO_TIMEOUT
FIRST_BACKOFF = 60  # seconds before the first retry; each later one waits 60 s more
STOP_GRACE = 130  # StopTask's SIGTERM-to-SIGKILL time (StopTimeout, at most 120 s) and a margin
GROUP = f"States.Format('{contract.GROUP_FORMAT}', $$.Execution.Name, $.copy, $.state.attempt)"


def _service(action: str) -> Any:
    return sub("arn:${AWS::Partition}:states:::" + action)


def queue_url(queue_arn: Any) -> Any:
    """SQS's URL of a queue given by ARN (arn:aws:sqs:REGION:ACCOUNT:NAME), at deploy time."""
    parts = {"Fn::Split": [":", queue_arn]}
    return {
        "Fn::Join": [
            "",
            [
                "https://sqs.",
                {"Fn::Select": [3, parts]},
                ".",
                ref("AWS::URLSuffix"),
                "/",
                {"Fn::Select": [4, parts]},
                "/",
                {"Fn::Select": [5, parts]},
            ],
        ]
    }


def settings(d: Declaration, t: Task) -> dict[str, Any]:
    """Everything the workflow needs to run task `t`, written into the definition."""
    config = t.schedule
    assert config is not None
    fallback = t.spot is not None and t.spot.fallback
    rerun = t.spot is not None and t.spot.rerun_on_interruption
    task_definition = ref(names.task_definition(d, t))
    out: dict[str, Any] = {
        "cluster": cluster.arn(d),
        "taskDefinition": task_definition,
        # The family, for ListTasks when a timed-out task must be found: task-definition/F:N.
        "family": {
            "Fn::Select": [
                0,
                {"Fn::Split": [":", {"Fn::Select": [1, {"Fn::Split": ["/", task_definition]}]}]},
            ]
        },
        "network": network.awsvpc(d, t),
        "capacity": spot.strategy(t),
        "copies": text(config.task_count),
        "retries": text(config.retries),
        "timeoutSeconds": text(NO_TIMEOUT if t.timeout is None else t.timeout),
        "fallback": fallback,
        "rerunOnInterruption": rerun,
    }
    if config.dead_letter_queue_arn is not None:
        out["deadLetterQueue"] = queue_url(config.dead_letter_queue_arn)
    return out


def _outcome(ok: bool, paths: dict[str, str], literals: dict[str, Any]) -> dict[str, Any]:
    """A copy's outcome: always the same keys, so the report can read any of them. `paths`
    are JSONPaths or intrinsic functions of the state's input; `literals` are values."""
    out: dict[str, Any] = {
        "ok": ok,
        "copy.$": "$.copy",
        "attempts.$": "States.MathAdd($.state.attempt, 1)",
        "onDemand.$": "$.state.onDemand",
    }
    for key in ("taskArn", "exitCode", "stopCode", "reason", "error"):
        if key in paths:
            out[key + ".$"] = paths[key]
        else:
            out[key] = literals.get(key)
    return out


def _state(**changes: Any) -> dict[str, Any]:
    """A Pass state that rewrites $.state (attempt, backoff, capacity, what was tried)."""
    state: dict[str, Any] = {
        "attempt.$": "$.state.attempt",
        "backoff.$": "$.state.backoff",
        "onDemand.$": "$.state.onDemand",
        "rerun.$": "$.state.rerun",
        "capacity.$": "$.state.capacity",
    }
    for key, value in changes.items():
        state.pop(key + ".$", None)
        state[key] = value
    return state


def _copy_states() -> dict[str, Any]:
    """One copy of a run, from its first attempt to its outcome."""
    after_failure = "Retries left?"
    return {
        "Run task": {
            "Type": "Task",
            "Comment": "Starts the task and waits until it stops",
            "Resource": _service("ecs:runTask.sync"),
            "Parameters": {
                "Cluster.$": "$.settings.cluster",
                "TaskDefinition.$": "$.settings.taskDefinition",
                "Count": 1,  # one task per copy: each copy is watched on its own
                "CapacityProviderStrategy.$": "$.state.capacity",
                "NetworkConfiguration.$": "$.settings.network",
                "PlatformVersion": "LATEST",
                "EnableECSManagedTags": True,
                "PropagateTags": "TASK_DEFINITION",
                # Unique per execution, copy and attempt: how a timed-out task is found.
                "Group.$": GROUP,
            },
            "TimeoutSecondsPath": "$.timeoutSeconds",
            "ResultPath": "$.result",
            "Catch": [
                {
                    "ErrorEquals": ["States.Timeout"],
                    "ResultPath": "$.error",
                    "Next": "Find the timed-out task",
                },
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Why?"},
            ],
            "Next": "Interrupted?",
        },
        # A container that handles Spot's SIGTERM may exit 0: the task still did not finish
        # its work, so an interruption is never a success.
        "Interrupted?": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.result.StopCode", "IsPresent": True},
                        {"Variable": "$.result.StopCode", "StringEquals": "SpotInterruption"},
                    ],
                    "Next": "Interrupted after a clean exit",
                }
            ],
            "Default": "Copy succeeded",
        },
        "Interrupted after a clean exit": {
            "Type": "Pass",
            "Parameters": {
                "Error": "SpotInterruption",
                "Cause.$": "States.JsonToString($.result)",
            },
            "ResultPath": "$.error",
            "Next": "Why?",
        },
        "Copy succeeded": {
            "Type": "Pass",
            "Parameters": _outcome(True, {"taskArn": "$.result.TaskArn"}, {}),
            "End": True,
        },
        "Why?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Not": {"Variable": "$.error.Cause", "IsPresent": True},
                    "Next": "Failed without a cause",
                },
                {
                    "And": [
                        {"Variable": "$.settings.fallback", "BooleanEquals": True},
                        {"Variable": "$.state.onDemand", "BooleanEquals": False},
                        {
                            "Or": [
                                {"Variable": "$.error.Cause", "StringMatches": pattern}
                                for pattern in contract.CAPACITY_SHORT
                            ]
                        },
                    ],
                    "Next": "Fall back to on-demand",
                },
                {
                    "And": [
                        {"Variable": "$.error.Cause", "StringMatches": "*SpotInterruption*"},
                        {"Variable": "$.settings.rerunOnInterruption", "BooleanEquals": True},
                        {"Variable": "$.state.rerun", "BooleanEquals": False},
                    ],
                    "Next": "Rerun on on-demand",
                },
                # A task that ran and stopped: the cause is its description, as JSON.
                {
                    "Variable": "$.error.Cause",
                    "StringMatches": "{*",
                    "Next": "Read the stopped task",
                },
            ],
            "Default": "Failed to start",
        },
        "Fall back to on-demand": {
            "Type": "Pass",
            "Comment": "Fargate Spot had no capacity: the same attempt, on FARGATE",
            "Parameters": _state(onDemand=True, capacity=spot.ON_DEMAND),
            "ResultPath": "$.state",
            "Next": "Run task",
        },
        "Rerun on on-demand": {
            "Type": "Pass",
            "Comment": "Interrupted on Spot (the task has stopped): once more, on FARGATE",
            "Parameters": _state(onDemand=True, rerun=True, capacity=spot.ON_DEMAND),
            "ResultPath": "$.state",
            "Next": "Run task",
        },
        "Read the stopped task": {
            "Type": "Pass",
            "Parameters": {"task.$": "States.StringToJson($.error.Cause)"},
            "ResultPath": "$.stopped",
            "Next": "Main container",
        },
        # The main container is the task definition's first.
        "Main container": {
            "Type": "Pass",
            "Parameters": {"container.$": "States.ArrayGetItem($.stopped.task.Containers, 0)"},
            "ResultPath": "$.main",
            "Next": "Exit code known?",
        },
        "Exit code known?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.main.container.ExitCode",
                    "IsPresent": True,
                    "Next": "Exited",
                }
            ],
            "Default": "Stopped",
        },
        "Exited": _failed({**_STOPPED, "exitCode": "$.main.container.ExitCode"}),
        "Stopped": _failed(_STOPPED),
        "Failed to start": _failed({"reason": "$.error.Cause", "error": "$.error.Error"}),
        "Failed without a cause": _failed({"error": "$.error.Error"}),
        "Find the timed-out task": {
            "Type": "Task",
            "Resource": _service("aws-sdk:ecs:listTasks"),
            "Parameters": {
                "Cluster.$": "$.settings.cluster",
                "Family.$": "$.settings.family",
                "DesiredStatus": "RUNNING",
            },
            "ResultSelector": {"arns.$": "$.TaskArns", "count.$": "States.ArrayLength($.TaskArns)"},
            "ResultPath": "$.running",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Timed out"}],
            "Next": "Any running?",
        },
        "Any running?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.running.count",
                    "NumericGreaterThan": 0,
                    "Next": "Describe the running tasks",
                }
            ],
            "Default": "Timed out",
        },
        "Describe the running tasks": {
            "Type": "Task",
            "Resource": _service("aws-sdk:ecs:describeTasks"),
            "Parameters": {"Cluster.$": "$.settings.cluster", "Tasks.$": "$.running.arns"},
            "ResultSelector": {"tasks.$": "$.Tasks"},
            "ResultPath": "$.running",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Timed out"}],
            "Next": "Stop this attempt's task",
        },
        "Stop this attempt's task": {
            "Type": "Map",
            "ItemsPath": "$.running.tasks",
            "ItemSelector": {
                "arn.$": "$$.Map.Item.Value.TaskArn",
                "group.$": "$$.Map.Item.Value.Group",
                "wanted.$": GROUP,
                "cluster.$": "$.settings.cluster",
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Ours?",
                "States": {
                    "Ours?": {
                        "Type": "Choice",
                        "Choices": [
                            {
                                "Variable": "$.group",
                                "StringEqualsPath": "$.wanted",
                                "Next": "Stop it",
                            }
                        ],
                        "Default": "Not ours",
                    },
                    "Stop it": {
                        "Type": "Task",
                        "Resource": _service("aws-sdk:ecs:stopTask"),
                        "Parameters": {
                            "Cluster.$": "$.cluster",
                            "Task.$": "$.arn",
                            "Reason": "Timeout exceeded (ServerlessFargate)",
                        },
                        "End": True,
                    },
                    "Not ours": {"Type": "Succeed"},
                },
            },
            "ResultPath": None,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Let it stop"}],
            "Next": "Let it stop",
        },
        "Let it stop": {
            "Type": "Wait",
            "Comment": "SIGTERM, then SIGKILL after StopTimeout: the next attempt starts after",
            "Seconds": STOP_GRACE,
            "Next": "Timed out",
        },
        "Timed out": _failed(
            {
                "reason": "States.Format('ran longer than its Timeout of {} seconds and was "
                "stopped', $.timeoutSeconds)"
            },
            {"stopCode": "Timeout", "error": "States.Timeout"},
        ),
        after_failure: {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.state.attempt",
                    "NumericLessThanPath": "$.retries",
                    "Next": "Wait before retrying",
                }
            ],
            "Default": "Copy failed",
        },
        "Wait before retrying": {
            "Type": "Wait",
            "SecondsPath": "$.state.backoff",
            "Next": "Next attempt",
        },
        "Next attempt": {
            "Type": "Pass",
            "Parameters": {
                "attempt.$": "States.MathAdd($.state.attempt, 1)",
                "backoff.$": f"States.MathAdd($.state.backoff, {FIRST_BACKOFF})",
                "onDemand": False,
                "rerun": False,
                "capacity.$": "$.settings.capacity",
            },
            "ResultPath": "$.state",
            "Next": "Run task",
        },
        "Copy failed": {"Type": "Pass", "OutputPath": "$.outcome", "End": True},
    }


_STOPPED = {
    "taskArn": "$.stopped.task.TaskArn",
    "stopCode": "$.stopped.task.StopCode",
    "reason": "$.stopped.task.StoppedReason",
    "error": "$.error.Error",
}


def _failed(paths: dict[str, str], literals: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Type": "Pass",
        "Parameters": _outcome(False, paths, literals or {}),
        "ResultPath": "$.outcome",
        "Next": "Retries left?",
    }


def definition(d: Declaration) -> dict[str, Any]:
    """The Amazon States Language definition (intrinsics inside are resolved by CloudFormation)."""
    scheduled = d.scheduled
    states: dict[str, Any] = {
        "Which task?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.task",
                    "StringEquals": t.key,
                    "Next": contract.settings_state(t.key),
                }
                for t in scheduled
            ],
            "Default": "Unknown task",
        },
        "Unknown task": {
            "Type": "Fail",
            "Error": "UnknownTask",
            "Cause": "The input names no scheduled task of "
            f'{d.logical_id}: start it with {{"task": "<task key>"}}',
        },
    }
    for t in scheduled:
        states[contract.settings_state(t.key)] = {
            "Type": "Pass",
            "Result": settings(d, t),
            "ResultPath": "$.settings",
            "Next": "Read settings",
        }
    states.update(
        {
            "Read settings": {
                "Type": "Pass",
                "Parameters": {
                    "copies.$": "States.ArrayRange(1, States.StringToJson($.settings.copies), 1)",
                    "retries.$": "States.StringToJson($.settings.retries)",
                    "timeoutSeconds.$": "States.StringToJson($.settings.timeoutSeconds)",
                },
                "ResultPath": "$.counts",
                "Next": "Run every copy",
            },
            "Run every copy": {
                "Type": "Map",
                "ItemsPath": "$.counts.copies",
                "ItemSelector": {
                    "copy.$": "$$.Map.Item.Value",
                    "settings.$": "$.settings",
                    "retries.$": "$.counts.retries",
                    "timeoutSeconds.$": "$.counts.timeoutSeconds",
                    "state": {
                        "attempt": 0,
                        "backoff": FIRST_BACKOFF,
                        "onDemand": False,
                        "rerun": False,
                        "capacity.$": "$.settings.capacity",
                    },
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Run task",
                    "States": _copy_states(),
                },
                "ResultPath": "$.copies",
                "Next": "Check the copies",
            },
            "Check the copies": {
                "Type": "Pass",
                "Parameters": {"anyFailed.$": "States.ArrayContains($.copies[*].ok, false)"},
                "ResultPath": "$.verdict",
                "Next": "Any failed?",
            },
            "Any failed?": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.verdict.anyFailed",
                        "BooleanEquals": True,
                        "Next": "Find the failed copies",
                    }
                ],
                "Default": "Run succeeded",
            },
            # Only reached with a failed copy: the filter never has to match nothing.
            "Find the failed copies": {
                "Type": "Pass",
                "Parameters": {"failed.$": "$.copies[?(@.ok == false)]"},
                "ResultPath": "$.verdict",
                "Next": "First failure",
            },
            "First failure": {
                "Type": "Pass",
                "Parameters": {
                    "failed.$": "$.verdict.failed",
                    "first.$": "States.ArrayGetItem($.verdict.failed, 0)",
                },
                "ResultPath": "$.verdict",
                "Next": "Dead-letter queue?",
            },
            "Run succeeded": {"Type": "Pass", "OutputPath": "$.copies", "End": True},
            "Dead-letter queue?": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.settings.deadLetterQueue",
                        "IsPresent": True,
                        "Next": "Report to the dead-letter queue",
                    }
                ],
                "Default": "Run failed",
            },
            "Report to the dead-letter queue": {
                "Type": "Task",
                "Resource": _service("sqs:sendMessage"),
                "Parameters": {
                    "QueueUrl.$": "$.settings.deadLetterQueue",
                    "MessageBody": {
                        "task.$": "$.task",
                        "declaration": d.logical_id,
                        "schedule.$": "$.schedule",
                        "scheduledTime.$": "$.scheduledTime",
                        "execution.$": "$$.Execution.Id",
                        "taskArn.$": "$.verdict.first.taskArn",
                        "exitCode.$": "$.verdict.first.exitCode",
                        "stopCode.$": "$.verdict.first.stopCode",
                        "reason.$": "$.verdict.first.reason",
                        "attempts.$": "$.verdict.first.attempts",
                        "failedCopies.$": "$.verdict.failed",
                    },
                },
                "ResultPath": None,
                "Retry": [
                    {
                        "ErrorEquals": ["States.TaskFailed"],
                        "IntervalSeconds": 5,
                        "MaxAttempts": 3,
                        "BackoffRate": 2,
                    }
                ],
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Run failed"}
                ],
                "Next": "Run failed",
            },
            "Run failed": {
                "Type": "Fail",
                "Error": "RunFailed",
                "CausePath": "States.JsonToString($.verdict.failed)",
            },
        }
    )
    return {
        "Comment": f"Scheduled runs of {d.logical_id} (ServerlessFargate), watched to their end",
        "StartAt": "Which task?",
        "States": states,
    }


def resources(d: Declaration) -> dict[str, Any]:
    if not d.scheduled:
        return {}
    properties: dict[str, Any] = {
        "StateMachineType": "STANDARD",
        "RoleArn": get_att(names.workflow_role(d), "Arn"),
        "Definition": definition(d),
    }
    if d.tags:
        properties["Tags"] = tag_list(d.tags)
    return {
        names.workflow(d): {"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}
    }


def schedule_target(d: Declaration, t: Task) -> dict[str, Any]:
    """Scheduler's universal target StartExecution: the execution's name is Scheduler's ID of
    this delivery, so a delivery repeated with the same ID starts nothing new."""
    run = (
        '{\\"task\\":\\"' + t.key + '\\",'
        '\\"schedule\\":\\"<aws.scheduler.schedule-arn>\\",'
        '\\"scheduledTime\\":\\"<aws.scheduler.scheduled-time>\\"}'
    )
    text = (
        '{"StateMachineArn":"${Workflow}",'
        f'"Name":"{contract.execution_name(t.key, "<aws.scheduler.execution-id>")}",'
        f'"Input":"{run}"}}'
    )
    return {
        "Arn": sub("arn:${AWS::Partition}:scheduler:::aws-sdk:sfn:startExecution"),
        "RoleArn": get_att(names.schedule_role(d), "Arn"),
        "Input": sub(text, {"Workflow": ref(names.workflow(d))}),
    }

"""The workflow that watches every run of a task to its end: one Step Functions state machine
per watched task (`{Declaration}{Task}Workflow`).

Whoever starts it (EventBridge Scheduler, `serverless-fargate run`, a person in the console)
gives one JSON object, every member optional (workflow_contract: `input` reaches the main
container as JSON text in SERVERLESS_FARGATE_INPUT). Everything else, image, command, roles,
network, capacity, is written in the definition: a starter chooses only the input.
Scheduler names each execution after its own execution ID, so a delivery made twice starts one
run (StartExecution is idempotent for a name and input).

One copy of a run (`TaskCount` copies run side by side in a Map; one copy needs none):

    Read the input ── not a JSON object, or names another task ──► Wrong input (fails)
      └─► Run task (ecs:runTask.sync, waits for the task to stop; times out after Timeout)
            ├─ success (essential containers exit 0, not interrupted) ──────► run succeeded
            └─ any failure ──► Settings ──► What failed?
                 ├─ Spot capacity short and Fallback ──► Run again on FARGATE, same attempt
                 ├─ interrupted and RerunOnInterruption (once) ──► Run again on FARGATE
                 ├─ timed out ──► find the task by its group, StopTask, let it stop ─┐
                 └─ other failure (exit code, stop code, reason) ─────────────────┴► retries left?
                        yes: wait 60 s, 120 s, ... then Run again; no: copy failed

A healthy run of one copy enters four states (Read the input, Run task, Interrupted?, Run
succeeded). A run with a failed copy puts one JSON message on DeadLetterQueueArn and fails the
execution, so it shows in the console and in the ExecutionsFailed metric. The README has the
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
GROUP = (
    f"States.Format('{contract.GROUP_FORMAT}', $$.Execution.Name, $.state.copy, $.state.attempt)"
)
# The group of a single copy's first attempt (copy 1, attempt 0): no state to read yet.
FIRST_GROUP = "States.Format('{}:1:0', $$.Execution.Name)"


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


def _family(task_definition: Any) -> Any:
    """The family of a task definition ARN (task-definition/F:N), for ListTasks."""
    return {
        "Fn::Select": [
            0,
            {"Fn::Split": [":", {"Fn::Select": [1, {"Fn::Split": ["/", task_definition]}]}]},
        ]
    }


def settings(d: Declaration, t: Task) -> dict[str, Any]:
    """Everything the workflow needs to run task `t`: the Result of its Settings state, which
    ops reads too (workflow_contract.task_settings)."""
    config = t.schedule
    assert config is not None
    task_definition = ref(names.task_definition(d, t))
    out: dict[str, Any] = {
        "task": t.key,
        "cluster": cluster.arn(d),
        "taskDefinition": task_definition,
        "family": _family(task_definition),
        "network": network.awsvpc(d, t),
        "capacity": spot.strategy(t),
        "copies": text(config.task_count),
        "retries": text(config.retries),
        "timeoutSeconds": text(NO_TIMEOUT if t.timeout is None else t.timeout),
        "fallback": t.spot is not None and t.spot.fallback,
        "rerunOnInterruption": t.spot is not None and t.spot.rerun_on_interruption,
    }
    if config.dead_letter_queue_arn is not None:
        out["deadLetterQueue"] = queue_url(config.dead_letter_queue_arn)
    return out


def single(t: Task) -> bool:
    """One copy with a literal Timeout: the run needs no Map and no state to read its numbers
    from (a Timeout or TaskCount given by a parameter is read at run time, in a Map)."""
    config = t.schedule
    assert config is not None
    return config.task_count == 1 and not isinstance(t.timeout, dict)


# --- pieces of states ---------------------------------------------------------------------------


def _outcome(ok: bool, paths: dict[str, str], literals: dict[str, Any]) -> dict[str, Any]:
    """A copy's outcome: always the same keys, so the report can read any of them. `paths`
    are JSONPaths or intrinsic functions of the state's input; `literals` are values."""
    out: dict[str, Any] = {"ok": ok}
    for key in ("copy", "attempts", "onDemand", "taskArn", "exitCode", "stopCode", "reason"):
        if key in paths:
            out[key + ".$"] = paths[key]
        else:
            out[key] = literals.get(key)
    if "error" in paths:
        out["error.$"] = paths["error"]
    else:
        out["error"] = literals.get("error")
    return out


_ATTEMPT = {
    "copy": "$.state.copy",
    "attempts": "States.MathAdd($.state.attempt, 1)",
    "onDemand": "$.state.onDemand",
}


def _state(**changes: Any) -> dict[str, Any]:
    """A Pass state's Parameters that rewrite $.state (attempt, backoff, capacity, ...)."""
    state: dict[str, Any] = {
        key + ".$": f"$.state.{key}"
        for key in ("copy", "attempt", "backoff", "onDemand", "rerun", "capacity", "environment")
    }
    for key, value in changes.items():
        state.pop(key + ".$", None)
        state[key] = value
    return state


def _environment(with_input: bool) -> list[dict[str, Any]]:
    """The main container's extra environment: the run's input as JSON text, if given."""
    if not with_input:
        return []
    return [
        {
            "Name": contract.INPUT_ENV,
            "Value.$": f"States.JsonToString($.{contract.INPUT})",
        }
    ]


def _timeout(t: Task) -> dict[str, Any]:
    if single(t):
        return {"TimeoutSeconds": NO_TIMEOUT if t.timeout is None else int(t.timeout)}
    return {"TimeoutSecondsPath": "$.timeoutSeconds"}


def _run_task(
    d: Declaration, t: Task, group: str, capacity: Any, environment: Any, next_: str
) -> dict[str, Any]:
    """ecs:runTask.sync: starts the task and waits until it stops (or the Timeout)."""
    overrides: dict[str, Any] = {"Name": t.key}
    if isinstance(environment, str):
        overrides["Environment.$"] = environment
    else:
        overrides["Environment"] = environment
    parameters: dict[str, Any] = {
        "Cluster": cluster.arn(d),
        "TaskDefinition": ref(names.task_definition(d, t)),
        "Count": 1,  # one task per copy: each copy is watched on its own
        "NetworkConfiguration": network.awsvpc(d, t),
        "PlatformVersion": "LATEST",
        "EnableECSManagedTags": True,
        "PropagateTags": "TASK_DEFINITION",
        # Unique per execution, copy and attempt: how the attempt's task is found.
        "Group.$": group,
        "Overrides": {"ContainerOverrides": [overrides]},
    }
    if isinstance(capacity, str):
        parameters["CapacityProviderStrategy.$"] = capacity
    else:
        parameters["CapacityProviderStrategy"] = capacity
    return {
        "Type": "Task",
        "Comment": "Starts the task and waits until it stops",
        "Resource": _service("ecs:runTask.sync"),
        "Parameters": parameters,
        **_timeout(t),
        "ResultPath": "$.result",
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Settings"}],
        "Next": next_,
    }


def _failed(paths: dict[str, str], literals: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Type": "Pass",
        "Parameters": _outcome(False, {**_ATTEMPT, **paths}, literals or {}),
        "ResultPath": "$.outcome",
        "Next": "Retries left?",
    }


_STOPPED = {
    "taskArn": "$.stopped.task.TaskArn",
    "stopCode": "$.stopped.task.StopCode",
    "reason": "$.stopped.task.StoppedReason",
    "error": "$.error.Error",
}


# --- one step of the diagram each ------------------------------------------------------------


def _first_attempt_states(d: Declaration, t: Task) -> dict[str, Any]:
    """A single copy's first attempt reads no state: its settings are literal, its group is
    copy 1, attempt 0. With an input, the same state with the input in the environment."""
    capacity = spot.strategy(t)
    return {
        "Run task": _run_task(d, t, FIRST_GROUP, capacity, _environment(False), "Interrupted?"),
        "Run task with input": _run_task(
            d, t, FIRST_GROUP, capacity, _environment(True), "Interrupted?"
        ),
        "Run succeeded": {
            "Type": "Pass",
            "Parameters": _outcome(
                True,
                {"taskArn": "$.result.TaskArn"},
                {"copy": 1, "attempts": 1, "onDemand": False},
            ),
            "End": True,
        },
    }


def _attempt_states(d: Declaration, t: Task, first_done: str) -> dict[str, Any]:
    """Every later attempt (and every attempt of a copy in a Map): the state says what to run."""
    return {
        "Run again": _run_task(
            d, t, GROUP, "$.state.capacity", "$.state.environment", "Interrupted?"
        ),
        # A container that handles SIGTERM may exit 0 after an interruption: the task still did
        # not finish its work, so an interruption is never a success.
        "Interrupted?": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.result.StopCode", "IsPresent": True},
                        {"Variable": "$.result.StopCode", "StringEquals": "SpotInterruption"},
                    ],
                    "Next": "Interrupted after a clean exit",
                },
                {"Variable": "$.state", "IsPresent": True, "Next": "Copy succeeded"},
            ],
            "Default": first_done,
        },
        "Interrupted after a clean exit": {
            "Type": "Pass",
            "Parameters": {
                "Error": "SpotInterruption",
                "Cause.$": "States.JsonToString($.result)",
            },
            "ResultPath": "$.error",
            "Next": "Settings",
        },
        "Copy succeeded": {
            "Type": "Pass",
            "Parameters": _outcome(True, {**_ATTEMPT, "taskArn": "$.result.TaskArn"}, {}),
            "End": True,
        },
    }


def _settings_states(d: Declaration, t: Task) -> dict[str, Any]:
    """After a failure: the settings the failure path reads, and the state of a first attempt
    (which had none: it read everything from the definition)."""
    first = {
        "copy": 1,
        "attempt": 0,
        "backoff": FIRST_BACKOFF,
        "onDemand": False,
        "rerun": False,
        "capacity": spot.strategy(t),
    }
    return {
        "Settings": {
            "Type": "Pass",
            "Result": settings(d, t),
            "ResultPath": "$.settings",
            "Next": "Read the retries",
        },
        "Read the retries": {
            "Type": "Pass",
            "Parameters": {"retries.$": "States.StringToJson($.settings.retries)"},
            "ResultPath": "$.limits",
            "Next": "Attempt known?",
        },
        "Attempt known?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.state", "IsPresent": True, "Next": "What failed?"},
                {
                    "Variable": f"$.{contract.INPUT}",
                    "IsPresent": True,
                    "Next": "First attempt with input",
                },
            ],
            "Default": "First attempt",
        },
        "First attempt": {
            "Type": "Pass",
            "Parameters": {**first, "environment": _environment(False)},
            "ResultPath": "$.state",
            "Next": "What failed?",
        },
        "First attempt with input": {
            "Type": "Pass",
            "Parameters": {**first, "environment": _environment(True)},
            "ResultPath": "$.state",
            "Next": "What failed?",
        },
        "What failed?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.error.Error",
                    "StringEquals": "States.Timeout",
                    "Next": "Find the timed-out task",
                }
            ],
            "Default": "Why?",
        },
    }


def _why_states() -> dict[str, Any]:
    """Why an attempt failed: capacity, interruption, a stopped task's exit, or no start."""
    return {
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
            "Next": "Run again",
        },
        "Rerun on on-demand": {
            "Type": "Pass",
            "Comment": "Interrupted on Spot (the task has stopped): once more, on FARGATE",
            "Parameters": _state(onDemand=True, rerun=True, capacity=spot.ON_DEMAND),
            "ResultPath": "$.state",
            "Next": "Run again",
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
    }


def _timed_out_states() -> dict[str, Any]:
    """A timed-out attempt's task may still run: find it by its group and stop it."""
    return {
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
                "stopped', $.settings.timeoutSeconds)"
            },
            {"stopCode": "Timeout", "error": "States.Timeout"},
        ),
    }


def _retry_states(give_up: str) -> dict[str, Any]:
    """A failed attempt: a fresh one after a backoff while retries are left, else give up."""
    return {
        "Retries left?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.state.attempt",
                    "NumericLessThanPath": "$.limits.retries",
                    "Next": "Wait before retrying",
                }
            ],
            "Default": give_up,
        },
        "Wait before retrying": {
            "Type": "Wait",
            "SecondsPath": "$.state.backoff",
            "Next": "Next attempt",
        },
        "Next attempt": {
            "Type": "Pass",
            "Parameters": _state(
                **{
                    "attempt.$": "States.MathAdd($.state.attempt, 1)",
                    "backoff.$": f"States.MathAdd($.state.backoff, {FIRST_BACKOFF})",
                    "onDemand": False,
                    "rerun": False,
                    "capacity.$": "$.settings.capacity",
                }
            ),
            "ResultPath": "$.state",
            "Next": "Run again",
        },
    }


def _copy_states(d: Declaration, t: Task, first_done: str, give_up: str) -> dict[str, Any]:
    """One copy of a run from its first failure to its outcome: each builder is one step of the
    diagram in the module's notes."""
    return {
        **_attempt_states(d, t, first_done),
        **_settings_states(d, t),
        **_why_states(),
        **_timed_out_states(),
        **_retry_states(give_up),
    }


def _input_states(t: Task, with_input: str, without_input: str) -> dict[str, Any]:
    """The input: a JSON object, every member optional; anything else fails before a task runs."""
    task = f"$.{contract.TASK}"
    return {
        "Read the input": {
            "Type": "Choice",
            "Choices": [
                *(
                    {"Variable": "$", test: True, "Next": "Wrong input"}
                    for test in ("IsString", "IsNumeric", "IsBoolean", "IsNull")
                ),
                {"Variable": "$[0]", "IsPresent": True, "Next": "Wrong input"},
                {
                    "And": [
                        {"Variable": task, "IsPresent": True},
                        {"Not": {"Variable": task, "StringEquals": t.key}},
                    ],
                    "Next": "Wrong input",
                },
                {"Variable": f"$.{contract.INPUT}", "IsPresent": True, "Next": with_input},
            ],
            "Default": without_input,
        },
        "Wrong input": {
            "Type": "Fail",
            "Error": "WrongInput",
            "Cause": contract.input_shape(t.key),
        },
    }


def _report_states(d: Declaration, t: Task, failed: str, first: str) -> dict[str, Any]:
    """A failed run: one message on the dead-letter queue (if any), then the execution fails
    with the failed copies as its cause (ops reads it)."""
    config = t.schedule
    assert config is not None
    out: dict[str, Any] = {}
    if config.dead_letter_queue_arn is not None:
        body: dict[str, Any] = {
            "task": t.key,
            "declaration": d.logical_id,
            # The input as given (a schedule's ARN and time, or a caller's input): always there.
            "executionInput.$": "$$.Execution.Input",
            "execution.$": "$$.Execution.Id",
        }
        for key in ("taskArn", "exitCode", "stopCode", "reason", "attempts"):
            body[key + ".$"] = f"{first}.{key}"
        body["failedCopies.$"] = failed
        out["Report to the dead-letter queue"] = {
            "Type": "Task",
            "Resource": _service("sqs:sendMessage"),
            "Parameters": {
                "QueueUrl": queue_url(config.dead_letter_queue_arn),
                "MessageBody": body,
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
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Run failed"}],
            "Next": "Run failed",
        }
    out["Run failed"] = {
        "Type": "Fail",
        "Error": "RunFailed",
        "CausePath": f"States.JsonToString({failed})",
    }
    return out


def _report_start(t: Task) -> str:
    config = t.schedule
    assert config is not None
    return "Report to the dead-letter queue" if config.dead_letter_queue_arn else "Run failed"


def _single_definition(d: Declaration, t: Task) -> dict[str, Any]:
    """One copy: no Map; a healthy run enters four states."""
    copy = _copy_states(d, t, first_done="Run succeeded", give_up=_report_start(t))
    return {
        **_input_states(t, with_input="Run task with input", without_input="Run task"),
        **_first_attempt_states(d, t),
        **copy,
        **_report_states(d, t, failed="States.Array($.outcome)", first="$.outcome"),
    }


def _copies_definition(d: Declaration, t: Task) -> dict[str, Any]:
    """Several copies (or numbers given by parameters): each copy in a Map, side by side."""
    initial = {
        "copy.$": "$$.Map.Item.Value",
        "attempt": 0,
        "backoff": FIRST_BACKOFF,
        "onDemand": False,
        "rerun": False,
        "capacity": spot.strategy(t),
        "environment.$": "$.prepared.environment",
    }
    copy = _copy_states(d, t, first_done="Copy succeeded", give_up="Copy failed")
    copy["Copy failed"] = {"Type": "Pass", "OutputPath": "$.outcome", "End": True}
    return {
        **_input_states(t, with_input="With input", without_input="Without input"),
        **{
            name: {
                "Type": "Pass",
                "Parameters": {"environment": _environment(given)},
                "ResultPath": "$.prepared",
                "Next": "Task settings",
            }
            for name, given in (("With input", True), ("Without input", False))
        },
        "Task settings": {
            "Type": "Pass",
            "Result": settings(d, t),
            "ResultPath": "$.settings",
            "Next": "Read the numbers",
        },
        "Read the numbers": {
            "Type": "Pass",
            "Parameters": {
                "copies.$": "States.ArrayRange(1, States.StringToJson($.settings.copies), 1)",
                "timeoutSeconds.$": "States.StringToJson($.settings.timeoutSeconds)",
            },
            "ResultPath": "$.counts",
            "Next": "Run every copy",
        },
        "Run every copy": {
            "Type": "Map",
            "ItemsPath": "$.counts.copies",
            "ItemSelector": {
                "timeoutSeconds.$": "$.counts.timeoutSeconds",
                "state": initial,
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Run again",
                "States": copy,
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
            "Next": _report_start(t),
        },
        "Run succeeded": {"Type": "Pass", "OutputPath": "$.copies", "End": True},
        **_report_states(d, t, failed="$.verdict.failed", first="$.verdict.first"),
    }


def definition(d: Declaration, t: Task) -> dict[str, Any]:
    """The Amazon States Language definition of task `t`'s workflow (intrinsics inside are
    resolved by CloudFormation)."""
    return {
        "Comment": f"Runs of {t.key} of {d.logical_id} (ServerlessFargate), watched to their end",
        "StartAt": "Read the input",
        "States": _single_definition(d, t) if single(t) else _copies_definition(d, t),
    }


def resources(d: Declaration) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for t in d.scheduled:
        properties: dict[str, Any] = {
            "StateMachineType": "STANDARD",
            "RoleArn": get_att(names.workflow_role(d), "Arn"),
            "Definition": definition(d, t),
        }
        if d.tags:
            properties["Tags"] = tag_list(d.tags)
        out[names.workflow(d, t)] = {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": properties,
        }
    return out


def schedule_target(d: Declaration, t: Task) -> dict[str, Any]:
    """Scheduler's universal target StartExecution: the execution's name is Scheduler's ID of
    this delivery, so a delivery repeated with the same ID starts nothing new."""
    run = (
        f'{{\\"{contract.TASK}\\":\\"{t.key}\\",'
        f'\\"{contract.SCHEDULE}\\":\\"<aws.scheduler.schedule-arn>\\",'
        f'\\"{contract.SCHEDULED_TIME}\\":\\"<aws.scheduler.scheduled-time>\\"}}'
    )
    name = contract.execution_name(t.key, "<aws.scheduler.execution-id>")
    text = f'{{"StateMachineArn":"${{Workflow}}","Name":"{name}","Input":"{run}"}}'
    return {
        "Arn": sub("arn:${AWS::Partition}:scheduler:::aws-sdk:sfn:startExecution"),
        "RoleArn": get_att(names.schedule_role(d), "Arn"),
        "Input": sub(text, {"Workflow": ref(names.workflow(d, t))}),
    }

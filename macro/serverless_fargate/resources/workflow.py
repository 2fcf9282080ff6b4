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
            └─ any failure, or interrupted ──► Settings ──► ask ECS (never the error's Cause):
                 ├─ the attempt's task still runs ──► StopTask, DescribeTasks until STOPPED
                 │     └─ cannot (after retries) ──► copy failed: "could not stop <ARN>: ..."
                 ├─ it stopped ──► platform stop and RerunOnInterruption (once) ──► Run again
                 │               └─ otherwise: exit code / stop code / Timeout ─┐
                 └─ it never started ──► on Spot with Fallback (once) ──► Run again
                                     └─ otherwise ─────────────────────────┴► retries left?
                        yes: wait 60 s, 120 s, ... then Run again; no: copy failed

Every ECS call after a failure retries with backoff; the attempt's task is found by its
group (<execution>:<copy>:<attempt>), unique per attempt, describing one listed task at a time
(a page of descriptions could pass the 256 KiB of state data: States.DataLimitExceeded is
caught by nothing).
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
INTERRUPTED = contract.INTERRUPTED
# Every ECS call after a failure retries throttling and server errors with backoff ("Handling
# errors in Step Functions workflows": Retry); after that, the copy says it lost control.
ECS_RETRY = [
    {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 5, "BackoffRate": 2}
]
STOP_CHECKS = 10  # DescribeTasks after StopTask, 30 s apart: then "could not confirm it stopped"
STOP_CHECK_INTERVAL = 30
# CloudFormation refuses a null anywhere in a template, a Definition included ("'null' values
# are not allowed in templates"): a value that must be JSON null is made at run time.
# States.StringToJson parses its text argument as JSON ("Intrinsic functions", JSON data
# manipulation).
NULL = "States.StringToJson('null')"


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
    task_definition = ref(names.task_definition(d, t))
    out: dict[str, Any] = {
        "task": t.key,
        "cluster": cluster.arn(d),
        "taskDefinition": task_definition,
        "family": _family(task_definition),
        "network": network.awsvpc(d, t),
        "capacity": spot.strategy(t),
        "copies": text(copies(t)),
        "retries": text(t.retries),
        "timeoutSeconds": text(NO_TIMEOUT if t.timeout is None else t.timeout),
        "fallback": t.spot is not None and t.spot.fallback,
        "rerunOnInterruption": t.spot is not None and t.spot.rerun_on_interruption,
    }
    if t.dead_letter_queue_arn is not None:
        out["deadLetterQueue"] = queue_url(t.dead_letter_queue_arn)
    return out


def copies(t: Task) -> Any:
    """Tasks per run: a scheduled task's TaskCount (for every run of it), else one."""
    return t.schedule.task_count if t.schedule is not None else 1


def single(t: Task) -> bool:
    """One copy with a literal Timeout: the run needs no Map and no state to read its numbers
    from (a Timeout or TaskCount given by a parameter is read at run time, in a Map)."""
    return copies(t) == 1 and not isinstance(t.timeout, dict)


# --- pieces of states ---------------------------------------------------------------------------


def _outcome(ok: bool, paths: dict[str, str], literals: dict[str, Any]) -> dict[str, Any]:
    """A copy's outcome: always the same keys, so the report can read any of them. `paths`
    are JSONPaths or intrinsic functions of the state's input; `literals` are values."""
    out: dict[str, Any] = {"ok": ok}
    keys = ("copy", "attempts", "onDemand", "taskArn", "exitCode", "stopCode", "reason", "error")
    for key in keys:
        if key in paths:
            out[key + ".$"] = paths[key]
        elif key in literals:
            out[key] = literals[key]
        else:  # absent: null, made at run time (no null may appear in a template)
            out[key + ".$"] = NULL
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
        "NetworkConfiguration": network.awsvpc(d, t),
        "PlatformVersion": "LATEST",
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


# A timed-out attempt is reported as such, whatever ECS says of its task.
_TIMED_OUT = {"Variable": "$.error.Error", "StringEquals": "States.Timeout", "Next": "Timed out"}

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
                        {
                            "Or": [
                                {"Variable": "$.result.StopCode", "StringEquals": code}
                                for code in INTERRUPTED
                            ]
                        },
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
                "Error": "Interrupted",
                "Cause.$": "$.result.StopCode",
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
            "Parameters": {
                "retries.$": "States.StringToJson($.settings.retries)",
                "blank": {"StopCode.$": NULL, "StoppedReason.$": NULL},
            },
            "ResultPath": "$.limits",
            "Next": "Attempt known?",
        },
        "Attempt known?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.state", "IsPresent": True, "Next": "Find the attempt's task"},
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
            "Next": "Find the attempt's task",
        },
        "First attempt with input": {
            "Type": "Pass",
            "Parameters": {**first, "environment": _environment(True)},
            "ResultPath": "$.state",
            "Next": "Find the attempt's task",
        },
    }


def _ecs_call(
    action: str,
    parameters: dict[str, Any],
    result: dict[str, Any] | None,
    result_path: str,
    lost: str,
    next_: str,
) -> dict[str, Any]:
    """An ECS call on the stop path: retried with backoff; if it still fails, the copy goes to
    `lost` with the error in $.lost."""
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": _service(f"aws-sdk:ecs:{action}"),
        "Parameters": parameters,
        "ResultPath": result_path,
        "Retry": ECS_RETRY,
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.lost", "Next": lost}],
        "Next": next_,
    }
    if result is not None:
        state["ResultSelector"] = result
    return state


def _lost(call: str, what: str, give_up: str) -> dict[str, Any]:
    """The copy lost control: `call` failed after its retries. No further attempt starts."""
    return {
        "Type": "Pass",
        "Parameters": _outcome(
            False,
            {
                **_ATTEMPT,
                "reason": f"States.Format('{what}: {call} failed: {{}}', "
                "States.JsonToString($.lost))",
                "error": "$.error.Error",
            },
            {"stopCode": "LostControl"},
        ),
        "ResultPath": "$.outcome",
        "Next": give_up,
    }


# What each item of a Map over a ListTasks page starts with: the task's ARN, the group this
# attempt's task has, and the cluster to describe it in.
_LISTED_TASK = {"arn.$": "$$.Map.Item.Value", "wanted.$": GROUP, "cluster.$": "$.settings.cluster"}


def _family_tasks(
    status: str,
    into: str,
    states: tuple[str, str],
    on_error: tuple[str, dict[str, Any] | None],
    then: tuple[str, str],
) -> dict[str, Any]:
    """ListTasks of the task's family in `status` (RUNNING or STOPPED) into `into` (their ARNs
    and how many), then a Choice: some (`then[0]`) or none (`then[1]`). A failed call goes to
    `on_error[0]`, defined here when `on_error[1]` is given."""
    find, any_ = states
    failed = {on_error[0]: on_error[1]} if on_error[1] is not None else {}
    return {
        find: _ecs_call(
            "listTasks",
            {
                "Cluster.$": "$.settings.cluster",
                "Family.$": "$.settings.family",
                "DesiredStatus": status,
            },
            {"arns.$": "$.TaskArns", "count.$": "States.ArrayLength($.TaskArns)"},
            into,
            on_error[0],
            any_,
        ),
        **failed,
        any_: {
            "Type": "Choice",
            "Choices": [{"Variable": f"{into}.count", "NumericGreaterThan": 0, "Next": then[0]}],
            "Default": then[1],
        },
    }


def _stop_running_states(give_up: str) -> dict[str, Any]:
    """After any failure the attempt's task may still run (a timeout, an unknown error): find
    it among the family's running tasks by its group, stop it, and wait until ECS says it
    stopped. Whatever cannot be confirmed ends the copy, with a reason that says so."""
    return {
        **_family_tasks(
            "RUNNING",
            "$.running",
            ("Find the attempt's task", "Any running?"),
            (
                "Could not list running tasks",
                _lost(
                    "ListTasks",
                    "could not tell whether the task of this attempt still runs",
                    give_up,
                ),
            ),
            ("Stop this attempt's task", "Find the stopped task"),
        ),
        "Stop this attempt's task": {
            "Type": "Map",
            # One task described at a time: a page of descriptions (up to 100 tasks of several
            # KB each) could exceed the 256 KiB of state data, and States.DataLimitExceeded is
            # caught by nothing ("Handling errors in Step Functions workflows").
            "ItemsPath": "$.running.arns",
            "ItemSelector": {**_LISTED_TASK, "checks": 0},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Describe a running task",
                "States": _stop_one_states(),
            },
            # Keeps the input (a null ResultPath may not appear in a template): a small
            # result replaces $.running, which nothing reads after this state.
            "ResultSelector": {"checked": True},
            "ResultPath": "$.running",
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.lost", "Next": "Could not stop"}
            ],
            "Next": "Find the stopped task",
        },
        # The Map's error names the task and the call: its cause is the reason as written.
        "Could not stop": {
            "Type": "Pass",
            "Parameters": _outcome(
                False,
                {**_ATTEMPT, "reason": "$.lost.Cause", "error": "$.error.Error"},
                {"stopCode": "LostControl"},
            ),
            "ResultPath": "$.outcome",
            "Next": give_up,
        },
    }


def _describe_one(
    name: str, read: str, next_: str, gone: str, unreadable: tuple[str, dict[str, Any]]
) -> dict[str, Any]:
    """DescribeTasks of one task of a ListTasks page (`$.arn`) into `$.now.task`: a task ECS no
    longer describes goes to `gone`; a call that fails after its retries to `unreadable`."""
    return {
        name: {
            "Type": "Task",
            "Resource": _service("aws-sdk:ecs:describeTasks"),
            "Parameters": {"Cluster.$": "$.cluster", "Tasks.$": "States.Array($.arn)"},
            "ResultSelector": {"tasks.$": "$.Tasks"},
            "ResultPath": "$.now",
            "Retry": ECS_RETRY,
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.lost", "Next": unreadable[0]}
            ],
            "Next": read + "?",
        },
        unreadable[0]: unreadable[1],
        read + "?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.now.tasks[0]", "IsPresent": True, "Next": read}],
            "Default": gone,
        },
        read: {
            "Type": "Pass",
            "Parameters": {"task.$": "States.ArrayGetItem($.now.tasks, 0)"},
            "ResultPath": "$.now",
            "Next": next_,
        },
    }


def _stop_one_states() -> dict[str, Any]:
    """One running task of the family: if it is this attempt's, StopTask, then DescribeTasks
    until ECS says STOPPED (or DEPROVISIONING: its containers have stopped)."""

    def fail(text: str) -> dict[str, Any]:
        return {"Type": "Fail", "Error": "LostControl", "CausePath": text}

    return {
        **_describe_one(
            "Describe a running task",
            "A running task",
            "Ours?",
            "Not ours",
            (
                "Could not describe it",
                fail(
                    "States.Format('could not tell whether the task of this attempt still runs: "
                    "DescribeTasks failed: {}', States.JsonToString($.lost))"
                ),
            ),
        ),
        "Ours?": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.now.task.Group", "IsPresent": True},
                        {"Variable": "$.now.task.Group", "StringEqualsPath": "$.wanted"},
                    ],
                    "Next": "Stop it",
                }
            ],
            "Default": "Not ours",
        },
        "Not ours": {"Type": "Succeed"},
        "Stop it": {
            "Type": "Task",
            "Resource": _service("aws-sdk:ecs:stopTask"),
            "Parameters": {
                "Cluster.$": "$.cluster",
                "Task.$": "$.arn",
                "Reason": "Stopped by its ServerlessFargate workflow (Timeout or failed attempt)",
            },
            # Keeps the input; StopTask's answer is not needed (DescribeTasks says when it stopped).
            "ResultSelector": {"requested": True},
            "ResultPath": "$.stop",
            "Retry": ECS_RETRY,
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.lost", "Next": "Not stopped"}
            ],
            "Next": "Let it stop",
        },
        "Not stopped": fail(
            "States.Format('could not stop {}: StopTask failed: {}', $.arn, "
            "States.JsonToString($.lost))"
        ),
        "Let it stop": {
            "Type": "Wait",
            "Comment": "SIGTERM, then SIGKILL after StopTimeout (at most 120 s)",
            "Seconds": STOP_GRACE,
            "Next": "Stopped yet?",
        },
        "Stopped yet?": {
            "Type": "Task",
            "Resource": _service("aws-sdk:ecs:describeTasks"),
            "Parameters": {"Cluster.$": "$.cluster", "Tasks.$": "States.Array($.arn)"},
            "ResultSelector": {"tasks.$": "$.Tasks"},
            "ResultPath": "$.now",
            "Retry": ECS_RETRY,
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.lost", "Next": "Not confirmed"}
            ],
            "Next": "Described?",
        },
        "Not confirmed": fail(
            "States.Format('could not stop {}: DescribeTasks failed: {}', $.arn, "
            "States.JsonToString($.lost))"
        ),
        "Described?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.now.tasks[0]", "IsPresent": True, "Next": "Its status"}],
            "Default": "Checked enough?",
        },
        "Its status": {
            "Type": "Pass",
            "Parameters": {"task.$": "States.ArrayGetItem($.now.tasks, 0)"},
            "ResultPath": "$.now",
            "Next": "Stopped?",
        },
        "Stopped?": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.now.task.LastStatus", "IsPresent": True},
                        {
                            "Or": [
                                {"Variable": "$.now.task.LastStatus", "StringEquals": status}
                                for status in ("STOPPED", "DEPROVISIONING")
                            ]
                        },
                    ],
                    "Next": "Stopped",
                }
            ],
            "Default": "Checked enough?",
        },
        "Checked enough?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.checks", "NumericLessThan": STOP_CHECKS, "Next": "Still stopping"}
            ],
            "Default": "Still running",
        },
        "Stopped": {"Type": "Succeed"},
        "Still stopping": {
            "Type": "Wait",
            "Seconds": STOP_CHECK_INTERVAL,
            "Next": "Count the check",
        },
        "Count the check": {
            "Type": "Pass",
            "Parameters": {
                "arn.$": "$.arn",
                "cluster.$": "$.cluster",
                "checks.$": "States.MathAdd($.checks, 1)",
            },
            "Next": "Stopped yet?",
        },
        "Still running": fail(
            f"States.Format('could not stop {{}}: still not stopped {STOP_GRACE + STOP_CHECKS * STOP_CHECK_INTERVAL} s after StopTask', $.arn)"
        ),
    }


def _find_stopped_states(t: Task) -> dict[str, Any]:
    """What happened to the attempt, from ECS's own description of its task (found by group
    among the family's stopped tasks), never from the error's Cause: no task means it never
    started."""
    return {
        **_family_tasks(
            "STOPPED",
            "$.stopped",
            ("Find the stopped task", "Any stopped?"),
            ("Could not read the stopped task", None),  # defined below
            ("Pick this attempt's task", "Never started"),
        ),
        # The task has stopped: the next attempt may start, but what happened is unknown.
        "Could not read the stopped task": _failed(
            {
                "reason": "States.Format('the attempt ended ({}), but ECS could not say how: "
                "{}', $.error.Error, States.JsonToString($.lost))",
                "error": "$.error.Error",
            }
        ),
        # One task described at a time (as when stopping one): only this attempt's is kept.
        "Pick this attempt's task": {
            "Type": "Map",
            "ItemsPath": "$.stopped.arns",
            "ItemSelector": _LISTED_TASK,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Describe a stopped task",
                "States": {
                    **_describe_one(
                        "Describe a stopped task",
                        "A stopped task",
                        "This attempt's?",
                        "Another's",
                        (
                            "Not described",
                            {
                                "Type": "Fail",
                                "Error": "DescribeTasks",
                                "CausePath": "States.JsonToString($.lost)",
                            },
                        ),
                    ),
                    "This attempt's?": {
                        "Type": "Choice",
                        "Choices": [
                            {
                                "And": [
                                    {"Variable": "$.now.task.Group", "IsPresent": True},
                                    {
                                        "Variable": "$.now.task.Group",
                                        "StringEqualsPath": "$.wanted",
                                    },
                                ],
                                "Next": "This attempt's",
                            }
                        ],
                        "Default": "Another's",
                    },
                    "This attempt's": {
                        "Type": "Pass",
                        "Parameters": {"ours": True, "task.$": "$.now.task"},
                        "End": True,
                    },
                    "Another's": {"Type": "Pass", "Result": {"ours": False}, "End": True},
                },
            },
            "ResultPath": "$.stopped.picked",
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "ResultPath": "$.lost",
                    "Next": "Could not read the stopped task",
                }
            ],
            "Next": "Keep this attempt's",
        },
        "Keep this attempt's": {
            "Type": "Pass",
            "Parameters": {"found.$": "$.stopped.picked[?(@.ours == true)]"},
            "ResultPath": "$.stopped",
            "Next": "Found it?",
        },
        "Found it?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.stopped.found[0].task", "IsPresent": True, "Next": "Its end"}
            ],
            "Default": "Never started",
        },
    }


def _ending_states(t: Task) -> dict[str, Any]:
    """How the attempt's stopped task ended, from ECS's description of it."""
    return {
        "Its end": {
            "Type": "Pass",
            "Parameters": {"found.$": "States.ArrayGetItem($.stopped.found, 0)"},
            "ResultPath": "$.stopped",
            "Next": "Read its end",
        },
        # A stopped task's stop code and reason: null where ECS wrote none.
        "Read its end": {
            "Type": "Pass",
            "Parameters": {
                "task.$": "States.JsonMerge($.limits.blank, $.stopped.found.task, false)"
            },
            "ResultPath": "$.stopped",
            "Next": "Main container",
        },
        # The main container is named after the task key (task_definition.py).
        "Main container": {
            "Type": "Pass",
            "Parameters": {"found.$": f"$.stopped.task.Containers[?(@.Name == '{t.key}')]"},
            "ResultPath": "$.main",
            "Next": "Main container found?",
        },
        "Main container found?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.main.found[0]", "IsPresent": True, "Next": "Its exit"}],
            "Default": "How did it end?",
        },
        "Its exit": {
            "Type": "Pass",
            "Parameters": {"container.$": "States.ArrayGetItem($.main.found, 0)"},
            "ResultPath": "$.main",
            "Next": "How did it end?",
        },
        "How did it end?": {
            "Type": "Choice",
            "Choices": [
                _TIMED_OUT,
                {
                    "And": [
                        {"Variable": "$.stopped.task.StopCode", "IsPresent": True},
                        {"Variable": "$.stopped.task.StopCode", "IsString": True},
                        {
                            "Or": [
                                {"Variable": "$.stopped.task.StopCode", "StringEquals": code}
                                for code in INTERRUPTED
                            ]
                        },
                        {"Variable": "$.settings.rerunOnInterruption", "BooleanEquals": True},
                        {"Variable": "$.state.rerun", "BooleanEquals": False},
                    ],
                    "Next": "Rerun on on-demand",
                },
                {
                    "And": [
                        {"Variable": "$.main.container.ExitCode", "IsPresent": True},
                        {"Variable": "$.main.container.ExitCode", "IsNumeric": True},
                    ],
                    "Next": "Exited",
                },
            ],
            "Default": "Stopped",
        },
        "Exited": _failed({**_STOPPED, "exitCode": "$.main.container.ExitCode"}),
        "Stopped": _failed(_STOPPED),
    }


def _never_started_states() -> dict[str, Any]:
    """No task of this attempt: ECS never started it."""
    return {
        "Never started": {
            "Type": "Choice",
            "Choices": [
                _TIMED_OUT,
                {
                    "And": [
                        {"Variable": "$.settings.fallback", "BooleanEquals": True},
                        {"Variable": "$.state.onDemand", "BooleanEquals": False},
                    ],
                    "Next": "Fall back to on-demand",
                },
            ],
            "Default": "Failed to start",
        },
        # RunTask's failures (AmazonECS.Unknown), a refused call, a throttled one: the error
        # as Step Functions gave it, as text (its Cause has no documented format).
        "Failed to start": _failed(
            {
                "reason": "States.Format('ECS did not start the task: {}', "
                "States.JsonToString($.error))",
                "error": "$.error.Error",
            }
        ),
        "Fall back to on-demand": {
            "Type": "Pass",
            "Comment": "Fargate Spot did not start the task: the same attempt, on FARGATE",
            "Parameters": _state(onDemand=True, capacity=spot.ON_DEMAND),
            "ResultPath": "$.state",
            "Next": "Run again",
        },
        "Rerun on on-demand": {
            "Type": "Pass",
            "Comment": "ECS stopped the task (Spot interruption, retirement): once more, on FARGATE",
            "Parameters": _state(onDemand=True, rerun=True, capacity=spot.ON_DEMAND),
            "ResultPath": "$.state",
            "Next": "Run again",
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
        **_stop_running_states(give_up),
        **_find_stopped_states(t),
        **_ending_states(t),
        **_never_started_states(),
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
    out: dict[str, Any] = {}
    if t.dead_letter_queue_arn is not None:
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
                "QueueUrl": queue_url(t.dead_letter_queue_arn),
                "MessageBody": body,
            },
            # Keeps the input for Run failed (which reads only the failed copies): the answer,
            # or the error of a message that could not be sent, goes to $.report.
            "ResultSelector": {"sent": True},
            "ResultPath": "$.report",
            "Retry": [
                {
                    "ErrorEquals": ["States.TaskFailed"],
                    "IntervalSeconds": 5,
                    "MaxAttempts": 3,
                    "BackoffRate": 2,
                }
            ],
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.report", "Next": "Run failed"}
            ],
            "Next": "Run failed",
        }
    out["Run failed"] = {
        "Type": "Fail",
        "Error": "RunFailed",
        "CausePath": f"States.JsonToString({failed})",
    }
    return out


def _report_start(t: Task) -> str:
    return "Report to the dead-letter queue" if t.dead_letter_queue_arn else "Run failed"


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
    for t in d.watched:
        properties: dict[str, Any] = {
            # Named, so that the workflow role's trust names exactly this state machine.
            "StateMachineName": names.state_machine_name(names.workflow(d, t)),
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

"""The workflow that watches every run of a task to its end: one small Step Functions state
machine per watched task (`{Declaration}{Task}Workflow`) for the healthy path, and one per
declaration (`{Declaration}Recovery`) for everything after a failed attempt.

Whoever starts a task's workflow (EventBridge Scheduler, an EventBridge rule, a caller,
`serverless-fargate run`, a person in the console) gives one JSON object, every member optional
(workflow_contract: `input` reaches the main container as JSON text in
SERVERLESS_FARGATE_INPUT). Everything else, image, command, roles, network, capacity, is written
in the definition: a starter chooses only the input. Scheduler names each execution after its
own execution ID, so a delivery made twice starts one run (StartExecution is idempotent for a
name and input).

One copy of a run (`TaskCount` copies run side by side in a Map; one copy needs none):

    Read the input ── not a JSON object, or names another task ──► Wrong input (fails)
      └─► Run task (ecs:runTask.sync, waits for the task to stop; times out after Timeout)
            ├─ main container exited 0, not interrupted ───────────────────► run succeeded
            └─ anything else ──► Recover: the declaration's Recovery machine, started with
               states:startExecution.sync:2 and the task's settings, asks ECS (never the
               error's Cause) what became of the attempt's task:
                 ├─ it still runs (or is still stopping) ──► StopTask, DescribeTasks until
                 │     STOPPED; cannot (after retries) ──► "could not stop <ARN>: ..."
                 ├─ it stopped ──► platform stop and RerunOnInterruption (once) ──► Run again
                 │               └─ otherwise: exit code / stop code / Timeout ─┐
                 └─ not listed, 5 looks over 5 min ──► on Spot with Fallback (once) ──► Run again
                                     └─ otherwise ─────────────────────────┴► retries left?
                        yes: wait 60 s, 120 s, ... then Run again; no: the copy failed
               and answers the copy's outcome; a failed one is reported (dead-letter queue)
               and fails the execution.

Every ECS call after a failure retries with backoff; the attempt's task is found by its group
(<execution>:<copy>:<run>), unique per RunTask, among every page of the family's tasks,
describing one listed task at a time (a page of descriptions could pass the 256 KiB of state
data: States.DataLimitExceeded is caught by nothing). A healthy run of one copy enters four
states (Read the input, Run task, Interrupted?, Run succeeded); the failure path lives once per
declaration, so a task's own definition stays small (about 10 KB).
The README has the diagram; tests/test_workflow.py executes both machines in moto's interpreter.
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
# In the Recovery machine: the parent execution's name, the copy, the attempt.
# Every RunTask of a copy has a group of its own: a fallback to on-demand or a rerun after an
# interruption is a new run of the same attempt, and must not be mistaken for the one before.
GROUP = f"States.Format('{contract.GROUP_FORMAT}', $.execution, $.state.copy, $.state.run)"
# The group of a single copy's first attempt (copy 1, attempt 0): no state to read yet.
FIRST_GROUP = "States.Format('{}:1:0', $$.Execution.Name)"
# The group of a copy's first attempt in a Map.
COPY_GROUP = "States.Format('{}:{}:0', $$.Execution.Name, $.copy)"
INTERRUPTED = contract.INTERRUPTED
# Every ECS call after a failure retries throttling and server errors with backoff ("Handling
# errors in Step Functions workflows": Retry); after that, the copy says it lost control.
ECS_RETRY = [
    {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 5, "BackoffRate": 2}
]
STOP_CHECKS = 10  # DescribeTasks after StopTask, 30 s apart: then "could not confirm it stopped"
STOP_CHECK_INTERVAL = 30
# ECS's API is eventually consistent: RunTask's reference tells callers to keep looking "up to
# five minutes". A task not listed after its attempt failed is looked for again, 75 s apart,
# four times, before the attempt counts as never started (unless RunTask itself said it started
# nothing: AmazonECS.Unknown, "Run Amazon ECS or Fargate tasks with Step Functions").
NOT_FOUND_RECHECK = 75
NOT_FOUND_RECHECKS = 4
# CloudFormation refuses a null anywhere in a template, a Definition included ("'null' values
# are not allowed in templates"): a value that must be JSON null is made at run time.
# States.StringToJson parses its text argument as JSON ("Intrinsic functions", JSON data
# manipulation).
NULL = "States.StringToJson('null')"
# Starting the Recovery machine: retried when Step Functions refuses or throttles the call
# (StepFunctions.<exception>, "Handling errors": service integration errors), never when the
# recovery itself failed (States.TaskFailed): a second one could lose track of a later attempt.
START_RETRY = [
    {
        "ErrorEquals": [
            # AWS's nested-workflow example spells it without "Exception"; both are listed.
            "StepFunctions.ExecutionLimitExceeded",
            "StepFunctions.ExecutionLimitExceededException",
            "StepFunctions.SdkClientException",
            "StepFunctions.AWSStepFunctionsException",
            "StepFunctions.ThrottlingException",
        ],
        "IntervalSeconds": 2,
        "MaxAttempts": 5,
        "BackoffRate": 2,
    }
]


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
    """Everything the Recovery machine needs to run task `t` again: given to it by the task's
    own workflow (state Recover), which ops reads too (workflow_contract.task_settings)."""
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
        for key in ("copy", "attempt", "run", "looks", "backoff", "onDemand", "rerun", "capacity")
    }
    for key, value in changes.items():
        state.pop(key + ".$", None)
        state[key] = value
    return state


def _environment(path: str | None) -> list[dict[str, Any]]:
    """The main container's extra environment: the run's input (at `path`) as JSON text."""
    if path is None:
        return []
    return [{"Name": contract.INPUT_ENV, "Value.$": f"States.JsonToString({path})"}]


def _run_task(
    d: Declaration, t: Task, group: str, environment: Any, timeout: dict[str, Any]
) -> dict[str, Any]:
    """ecs:runTask.sync of task `t` with its literal settings: starts it and waits until it
    stops (or the Timeout). Only parameters AWS documents for the optimized integration."""
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
        "CapacityProviderStrategy": spot.strategy(t),
    }
    return {
        "Type": "Task",
        "Comment": "Starts the task and waits until it stops",
        "Resource": _service("ecs:runTask.sync"),
        "Parameters": parameters,
        **timeout,
    }


def _input_states(t: Task, with_input: str, without_input: str) -> dict[str, Any]:
    """The input: a JSON object, every member optional; anything else fails before a task runs
    (`[]` is read as `{}`: the states after this one write nothing into the input)."""
    task = f"$.{contract.TASK}"
    return {
        "Read the input": {
            "Type": "Choice",
            "Choices": [
                *[
                    {"Variable": "$", test: True, "Next": "Wrong input"}
                    for test in ("IsString", "IsNumeric", "IsBoolean", "IsNull")
                ],
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


def _main_exit(key: str) -> str:
    """The main container in a task description (named after the task key, task_definition.py):
    a filter, so a list of one container. It selects the container, never its exit code: a
    filter that matches nothing raises States.Runtime, and a container that never started has
    no exit code, while a task's description lists every container of its definition
    ("DescribeTasks", Task.containers)."""
    return f"$.Containers[?(@.Name == '{key}')]"


def _succeeded(task: str, exit_code: str) -> dict[str, Any]:
    """A Choice rule: the task (a description at `task`) stopped because its essential container
    exited, and the main container's exit code (at `exit_code`) is 0. The same test after the
    healthy run and in the Recovery machine, whatever `.sync` said (it fails when another
    essential container exits non-zero, say a sidecar stopped with SIGTERM)."""
    stop_code = f"{task}.StopCode"
    return {
        "And": [
            {"Variable": stop_code, "IsPresent": True},
            {"Variable": stop_code, "IsString": True},
            {"Variable": stop_code, "StringEquals": contract.FINISHED},
            {"Variable": exit_code, "IsPresent": True},
            {"Variable": exit_code, "IsNumeric": True},
            {"Variable": exit_code, "NumericEquals": 0},
        ]
    }


def _ended_well(prefix: str, ok: str, failed: str) -> dict[str, Any]:
    """After runTask.sync succeeded (`prefix`.result the stopped task, `prefix`.main the main
    container): `.sync`'s success is documented only as the task having stopped, so the stop
    code and the main container's exit code are read."""
    return {
        "Type": "Choice",
        "Choices": [
            {**_succeeded(f"{prefix}.result", f"{prefix}.main[0].ExitCode"), "Next": ok},
        ],
        "Default": failed,
    }


_ENDED_BADLY = {
    "Error": "RunEnded",
    "Cause": "the task stopped, but its main container did not exit 0 or ECS stopped it",
}


def _recover(
    d: Declaration, t: Task, copy: str | int, settings_value: Any, error: str
) -> dict[str, Any]:
    """The failed attempt's copy, handed to the Recovery machine with its settings, its error
    and the main container's extra environment (`$.environment`: the input as JSON text, which
    ECS's 8,192 characters of overrides bound for any run that started; never the whole
    execution input, which could pass the 256 KiB of a state's data with the rest: Step
    Functions' payload quota, States.DataLimitExceeded, caught by nothing). Its answer, in
    $.recovered.outcome, is the copy's outcome."""
    first: dict[str, Any] = {
        "attempt": 0,
        "run": 0,
        "looks": 0,
        "backoff": FIRST_BACKOFF,
        "onDemand": False,
        "rerun": False,
        "capacity": spot.strategy(t),
    }
    if isinstance(copy, str):
        first["copy.$"] = copy
        name = f"States.Format('{{}}-{{}}', States.Hash($$.Execution.Id, 'SHA-256'), {copy})"
    else:
        first["copy"] = copy
        name = f"States.Format('{{}}-{copy}', States.Hash($$.Execution.Id, 'SHA-256'))"
    request: dict[str, Any] = {
        "execution.$": "$$.Execution.Name",
        "environment.$": "$.environment",
        "error.$": error,
        "state": first,
        # Links the two executions in the console ("Start workflow executions from a task
        # state in Step Functions": AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID).
        "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
    }
    if isinstance(settings_value, str):
        request["settings.$"] = settings_value
    else:
        request["settings"] = settings_value
    return {
        "Type": "Task",
        "Comment": "Finds out from ECS what became of the attempt, then retries or gives up",
        "Resource": _service("states:startExecution.sync:2"),
        "Parameters": {
            "StateMachineArn": ref(names.recovery(d)),
            # One recovery per copy of a run: a retried call starts nothing new (StartExecution
            # is idempotent for a name and input); 64 hex digits, a dash, the copy: < 80.
            "Name.$": name,
            "Input": request,
        },
        "ResultSelector": {"outcome.$": "$.Output"},
        "ResultPath": "$.recovered",
        "Retry": START_RETRY,
        "Catch": [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.lost", "Next": "Recovery failed"}
        ],
    }


def _recovery_failed(copy: str | int, error: str) -> dict[str, Any]:
    """The Recovery machine could not be started, or failed: the attempt's task may still run,
    and the copy says so (no further attempt starts)."""
    paths = {
        "reason": "States.Format('could not find out what became of this attempt, whose task "
        "may still run: its recovery failed: {}', States.JsonToString($.lost))",
        "error": f"{error}.Error",
    }
    literals: dict[str, Any] = {"stopCode": "LostControl", "onDemand": False, "attempts": 1}
    if isinstance(copy, str):
        paths["copy"] = copy
    else:
        literals["copy"] = copy
    return {"Type": "Pass", "Parameters": {"outcome": _outcome(False, paths, literals)}}


def _single_definition(d: Declaration, t: Task) -> dict[str, Any]:
    """One copy, no Map: a healthy run enters four states, with or without input. The run
    keeps nothing of the input but its result, and a failure replaces it with the error: an
    input given as `[]` has no member to write into, and a large one (up to 256 KiB, members
    the task never sees included) is never carried beside a task's description (a state's data
    is at most 256 KiB: States.DataLimitExceeded is caught by nothing). After a failure with
    input, the environment is made again from the execution's own input (the context object)."""
    timeout = {"TimeoutSeconds": NO_TIMEOUT if t.timeout is None else int(t.timeout)}

    def run(environment: list[dict[str, Any]], failed: str, next_: str) -> dict[str, Any]:
        return {
            **_run_task(d, t, FIRST_GROUP, environment, timeout),
            "ResultSelector": {"result.$": "$", "main.$": _main_exit(t.key)},
            "ResultPath": "$",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$", "Next": failed}],
            "Next": next_,
        }

    def succeeded(at: str) -> dict[str, Any]:
        return {
            "Type": "Pass",
            "Parameters": _outcome(
                True,
                {"taskArn": f"{at}.result.TaskArn"},
                {"copy": 1, "attempts": 1, "onDemand": False, "exitCode": 0},
            ),
            "End": True,
        }

    def handed_over(error: Any, with_input: bool) -> dict[str, Any]:
        """What the Recover state reads: the error and the main container's environment."""
        parameters: dict[str, Any] = {
            "environment": _environment(
                f"$$.Execution.Input.{contract.INPUT}" if with_input else None
            )
        }
        if isinstance(error, str):
            parameters["error.$"] = error
        else:
            parameters["error"] = error
        return {"Type": "Pass", "Parameters": parameters, "ResultPath": "$", "Next": "Recover"}

    report = _report_start(t)
    return {
        **_input_states(t, with_input="Run task with input", without_input="Run task"),
        "Run task": run(_environment(None), "Failed without input", "Interrupted?"),
        "Run task with input": run(
            _environment(f"$.{contract.INPUT}"), "Failed with input", "Interrupted, with input?"
        ),
        "Interrupted?": _ended_well("$", "Run succeeded", "Ended badly"),
        "Interrupted, with input?": _ended_well("$", "Run succeeded", "Ended badly with input"),
        "Run succeeded": succeeded("$"),
        "Failed without input": handed_over("$", False),
        "Failed with input": handed_over("$", True),
        "Ended badly": handed_over(_ENDED_BADLY, False),
        "Ended badly with input": handed_over(_ENDED_BADLY, True),
        "Recover": {**_recover(d, t, 1, settings(d, t), "$.error"), "Next": "Recovered?"},
        "Recovery failed": {
            **_recovery_failed(1, "$.error"),
            "ResultPath": "$.recovered",
            "Next": "Recovered?",
        },
        "Recovered?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.recovered.outcome.ok",
                    "BooleanEquals": True,
                    "Next": "Succeeded after a retry",
                }
            ],
            "Default": "The failed copy",
        },
        # The report's cause lists the failed copies: one here. (A Fail state's CausePath
        # takes only some intrinsic functions, and States.Array is not one of them.)
        "The failed copy": {
            "Type": "Pass",
            "Parameters": {
                "failed.$": "States.Array($.recovered.outcome)",
                "first.$": "$.recovered.outcome",
            },
            "ResultPath": "$.verdict",
            "Next": report,
        },
        "Succeeded after a retry": {
            "Type": "Pass",
            "OutputPath": "$.recovered.outcome",
            "End": True,
        },
        **_report_states(d, t, failed="$.verdict.failed", first="$.verdict.first"),
    }


def _copy_states(d: Declaration, t: Task) -> dict[str, Any]:
    """One copy in the Map (its item: copy, settings, timeoutSeconds, environment)."""
    return {
        "Run copy": {
            **_run_task(
                d, t, COPY_GROUP, "$.environment", {"TimeoutSecondsPath": "$.timeoutSeconds"}
            ),
            "ResultSelector": {"result.$": "$", "main.$": _main_exit(t.key)},
            "ResultPath": "$.run",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
            "Next": "Interrupted?",
        },
        "Interrupted?": _ended_well("$.run", "Copy succeeded", "Ended badly"),
        "Ended badly": {
            "Type": "Pass",
            "Result": _ENDED_BADLY,
            "ResultPath": "$.error",
            "Next": "Recover",
        },
        "Copy succeeded": {
            "Type": "Pass",
            "Parameters": _outcome(
                True,
                {"copy": "$.copy", "taskArn": "$.run.result.TaskArn"},
                {"attempts": 1, "onDemand": False, "exitCode": 0},
            ),
            "End": True,
        },
        "Recover": {**_recover(d, t, "$.copy", "$.settings", "$.error"), "Next": "Recovered"},
        "Recovered": {"Type": "Pass", "OutputPath": "$.recovered.outcome", "End": True},
        "Recovery failed": {
            **_recovery_failed("$.copy", "$.error"),
            "OutputPath": "$.outcome",
            "End": True,
        },
    }


def _copies_definition(d: Declaration, t: Task) -> dict[str, Any]:
    """Several copies (or numbers given by parameters): each copy in a Map, side by side."""
    return {
        **_input_states(t, with_input="With input", without_input="Without input"),
        # Each replaces the input (which may be `[]`): only the environment is kept.
        **{
            name: {
                "Type": "Pass",
                "Parameters": {"environment": _environment(path)},
                "ResultPath": "$",
                "Next": contract.SETTINGS_STATE,
            }
            for name, path in (("With input", f"$.{contract.INPUT}"), ("Without input", None))
        },
        contract.SETTINGS_STATE: {
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
                "copy.$": "$$.Map.Item.Value",
                "timeoutSeconds.$": "$.counts.timeoutSeconds",
                "environment.$": "$.environment",
                "settings.$": "$.settings",
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Run copy",
                "States": _copy_states(d, t),
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


REPORT = "Report to the dead-letter queue"


def _report_states(d: Declaration, t: Task, failed: str, first: str) -> dict[str, Any]:
    """A failed run: one message on the dead-letter queue (if any), then the execution fails
    with the failed copies as its cause (ops reads it). A message that could not be sent
    fails the execution with another error, RunFailedNotReported, and the same cause."""
    cause = f"States.JsonToString({failed})"
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
        out[REPORT] = {
            "Type": "Task",
            "Resource": _service("sqs:sendMessage"),
            "Parameters": {
                "QueueUrl": queue_url(t.dead_letter_queue_arn),
                "MessageBody": body,
            },
            # Keeps the input for Run failed (which reads only the failed copies).
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
                {
                    "ErrorEquals": ["States.ALL"],
                    "ResultPath": "$.report",
                    "Next": "Run failed, not reported",
                }
            ],
            "Next": "Run failed",
        }
        out["Run failed, not reported"] = {
            "Type": "Fail",
            "Error": contract.RUN_FAILED_NOT_REPORTED,
            "CausePath": cause,
        }
    out["Run failed"] = {"Type": "Fail", "Error": contract.RUN_FAILED, "CausePath": cause}
    return out


def _report_start(t: Task) -> str:
    return REPORT if t.dead_letter_queue_arn else "Run failed"


def definition(d: Declaration, t: Task) -> dict[str, Any]:
    """The Amazon States Language definition of task `t`'s workflow (intrinsics inside are
    resolved by CloudFormation)."""
    return {
        "Comment": f"Runs of {t.key} of {d.logical_id} (ServerlessFargate), watched to their end",
        "StartAt": "Read the input",
        "States": _single_definition(d, t) if single(t) else _copies_definition(d, t),
    }


# --- the Recovery machine: one per declaration -------------------------------------------------
# Its input (written by _recover): settings (of the task), error (of the failed attempt), state
# (copy, attempt 0, backoff, capacity...), execution (the task workflow's execution name, for
# the groups of later attempts) and environment (the main container's, for later attempts). Its output: the copy's
# outcome, ok or not; it fails only if something it cannot catch happens, which the task's
# workflow reports as lost control.


def _recovery_start_states() -> dict[str, Any]:
    return {
        "Read the limits": {
            "Type": "Pass",
            "Parameters": {
                "retries.$": "States.StringToJson($.settings.retries)",
                "timeoutSeconds.$": "States.StringToJson($.settings.timeoutSeconds)",
                "blank": {"StopCode.$": NULL, "StoppedReason.$": NULL},
            },
            "ResultPath": "$.limits",
            "Next": "Find the attempt's task",
        },
    }


def _run_again_states() -> dict[str, Any]:
    """Every later attempt, from the settings; a task that ran to its end is read like a failed
    attempt's (exit code, stop code), so success has one test."""
    return {
        "Run again": {
            "Type": "Task",
            "Comment": "Starts the task and waits until it stops",
            "Resource": _service("ecs:runTask.sync"),
            "Parameters": {
                "Cluster.$": "$.settings.cluster",
                "TaskDefinition.$": "$.settings.taskDefinition",
                "NetworkConfiguration.$": "$.settings.network",
                "PlatformVersion": "LATEST",
                "PropagateTags": "TASK_DEFINITION",
                "Group.$": GROUP,
                "Overrides": {
                    "ContainerOverrides": [
                        {"Name.$": "$.settings.task", "Environment.$": "$.environment"}
                    ]
                },
                "CapacityProviderStrategy.$": "$.state.capacity",
            },
            "TimeoutSecondsPath": "$.limits.timeoutSeconds",
            "ResultSelector": {"found": {"task.$": "$"}},
            "ResultPath": "$.stopped",
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "ResultPath": "$.error",
                    "Next": "Find the attempt's task",
                }
            ],
            "Next": "Ran to its end",
        },
        "Ran to its end": {
            "Type": "Pass",
            "Result": {"Error": "Ran", "Cause": "runTask.sync succeeded"},
            "ResultPath": "$.error",
            "Next": "Read its end",
        },
        "Copy succeeded": {
            "Type": "Pass",
            "Parameters": _outcome(
                True,
                {
                    **_ATTEMPT,
                    "taskArn": "$.stopped.task.TaskArn",
                    "exitCode": "$.main.container.ExitCode",
                },
                {},
            ),
            "End": True,
        },
        "Copy failed": {"Type": "Pass", "OutputPath": "$.outcome", "End": True},
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


def _lost(call: str, what: str) -> dict[str, Any]:
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
        "Next": "Copy failed",
    }


# What each item of a Map over a ListTasks page starts with: the task's ARN, the group this
# attempt's task has, and the cluster to describe it in.
_LISTED_TASK = {"arn.$": "$$.Map.Item.Value", "wanted.$": GROUP, "cluster.$": "$.settings.cluster"}
# A ListTasks page: its ARNs, how many, and the whole page (NextToken when there are more).
_PAGE = {"arns.$": "$.TaskArns", "count.$": "States.ArrayLength($.TaskArns)", "page.$": "$"}


def _family_tasks(
    status: str, into: str, names_: tuple[str, str, str], lost: str, then: tuple[str, str]
) -> dict[str, Any]:
    """Every page of ListTasks of the task's family in `status` (RUNNING or STOPPED) into
    `into`: names_ are the first call, the call for a further page and the Choice after
    either: some tasks (`then[0]`), none on this page but more pages (the further call), or
    none at all (`then[1]`). A failed call goes to `lost`."""
    first, more, any_ = names_
    listed = {
        "Cluster.$": "$.settings.cluster",
        "Family.$": "$.settings.family",
        "DesiredStatus": status,
    }
    return {
        first: _ecs_call("listTasks", listed, _PAGE, into, lost, any_),
        more: _ecs_call(
            "listTasks",
            {**listed, "NextToken.$": f"{into}.page.NextToken"},
            _PAGE,
            into,
            lost,
            any_,
        ),
        any_: {
            "Type": "Choice",
            "Choices": [
                {"Variable": f"{into}.count", "NumericGreaterThan": 0, "Next": then[0]},
                {"Variable": f"{into}.page.NextToken", "IsPresent": True, "Next": more},
            ],
            "Default": then[1],
        },
    }


def _more_pages(into: str, more: str, otherwise: str) -> dict[str, Any]:
    return {
        "Type": "Choice",
        "Choices": [{"Variable": f"{into}.page.NextToken", "IsPresent": True, "Next": more}],
        "Default": otherwise,
    }


def _stop_running_states() -> dict[str, Any]:
    """After any failure the attempt's task may still run (a timeout, an unknown error): find
    it among the family's running tasks by its group, stop it, and wait until ECS says it
    stopped. Whatever cannot be confirmed ends the copy, with a reason that says so."""
    return {
        **_family_tasks(
            "RUNNING",
            "$.running",
            ("Find the attempt's task", "Find more running tasks", "Any running?"),
            "Could not list running tasks",
            ("Stop this attempt's task", "Find the stopped task"),
        ),
        "Could not list running tasks": _lost(
            "ListTasks", "could not tell whether the task of this attempt still runs"
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
            # result, beside the page (whose NextToken is read next).
            "ResultSelector": {"checked": True},
            "ResultPath": "$.stopping",
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.lost", "Next": "Could not stop"}
            ],
            "Next": "More running?",
        },
        "More running?": _more_pages(
            "$.running", "Find more running tasks", "Find the stopped task"
        ),
        # The Map's error names the task and the call: its cause is the reason as written.
        "Could not stop": {
            "Type": "Pass",
            "Parameters": _outcome(
                False,
                {**_ATTEMPT, "reason": "$.lost.Cause", "error": "$.error.Error"},
                {"stopCode": "LostControl"},
            ),
            "ResultPath": "$.outcome",
            "Next": "Copy failed",
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


def _has_stopped(task: str) -> dict[str, Any]:
    """A Choice rule: ECS says the task at `task` (a description) has stopped."""
    status = f"{task}.LastStatus"
    return {
        "And": [
            {"Variable": status, "IsPresent": True},
            {"Or": [{"Variable": status, "StringEquals": s} for s in contract.STOPPED_STATUSES]},
        ]
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
        # Each item's output is kept by the Map: nothing of the task (a page of descriptions
        # could pass 256 KiB, States.DataLimitExceeded).
        "Not ours": {"Type": "Pass", "Result": {}, "End": True},
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
            "Choices": [{**_has_stopped("$.now.task"), "Next": "Stopped"}],
            "Default": "Checked enough?",
        },
        "Checked enough?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.checks", "NumericLessThan": STOP_CHECKS, "Next": "Still stopping"}
            ],
            "Default": "Still running",
        },
        "Stopped": {"Type": "Pass", "Result": {}, "End": True},
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


def _ours_or_not(
    names_: tuple[str, str, str], name: str, wanted: str, keep: tuple[str, str]
) -> dict[str, Any]:
    """A Map processor's states that mark its item ours (`name`, a path of the item, equals
    `wanted`) or not: {"ours": true, <keep[0]>: <the item at keep[1]>} or {"ours": false}."""
    ask, ours, other = names_
    return {
        ask: {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": name, "IsPresent": True},
                        {"Variable": name, "StringEqualsPath": wanted},
                    ],
                    "Next": ours,
                }
            ],
            "Default": other,
        },
        ours: {
            "Type": "Pass",
            "Parameters": {"ours": True, keep[0] + ".$": keep[1]},
            "End": True,
        },
        other: {"Type": "Pass", "Result": {"ours": False}, "End": True},
    }


def _find_stopped_states() -> dict[str, Any]:
    """What happened to the attempt, from ECS's own description of its task (found by group
    among every page of the family's stopped tasks), never from the error's Cause."""
    return {
        **_family_tasks(
            "STOPPED",
            "$.stopped",
            ("Find the stopped task", "Find more stopped tasks", "Any stopped?"),
            "Could not read the stopped task",
            ("Pick this attempt's task", "Never started"),
        ),
        # The task has stopped: the next attempt may start, but what happened is unknown.
        # Whether the attempt's task has stopped is unknown (it may be stopping, and so missing
        # from the running tasks): the copy says it lost control, and no further attempt starts.
        "Could not read the stopped task": _lost(
            "ListTasks or DescribeTasks", "could not tell whether the task of this attempt stopped"
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
                    **_ours_or_not(
                        ("This attempt's?", "This attempt's", "Another's"),
                        "$.now.task.Group",
                        "$.wanted",
                        ("task", "$.now.task"),
                    ),
                },
            },
            # A JSONPath filter that matches nothing raises States.Runtime, which nothing
            # catches: whether one item is ours is asked first, the filter only then.
            "ResultSelector": {"all.$": "$", "any.$": _ANY_OURS},
            "ResultPath": "$.stopped.picked",
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "ResultPath": "$.lost",
                    "Next": "Could not read the stopped task",
                }
            ],
            "Next": "Found it?",
        },
        "Found it?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.stopped.picked.any",
                    "BooleanEquals": True,
                    "Next": "Keep this attempt's",
                }
            ],
            "Default": "More stopped?",
        },
        "Keep this attempt's": {
            "Type": "Pass",
            "Parameters": {"found.$": "$.stopped.picked.all[?(@.ours == true)]"},
            "ResultPath": "$.stopped",
            "Next": "Its end",
        },
        "More stopped?": _more_pages("$.stopped", "Find more stopped tasks", "Never started"),
    }


# Whether a Map's items ({"ours": true|false, ...}, at least one) include ours.
_ANY_OURS = "States.ArrayContains($[*].ours, true)"


def _ending_states() -> dict[str, Any]:
    """How the attempt's task ended, from ECS's description of it: a task whose desired status
    is STOPPED may still be stopping (its containers running): it is stopped and awaited first."""
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
            "Next": "Has it stopped?",
        },
        "Has it stopped?": {
            "Type": "Choice",
            "Choices": [{**_has_stopped("$.stopped.task"), "Next": "Main container"}],
            "Default": "Still stopping",
        },
        # Stopped and awaited like a running one (the same Map), then looked for again.
        "Still stopping": {
            "Type": "Pass",
            "Parameters": {"arns.$": "States.Array($.stopped.task.TaskArn)"},
            "ResultPath": "$.running",
            "Next": "Stop this attempt's task",
        },
        # The main container is named after the task key (task_definition.py): each container
        # compared with it, one at a time (a JSONPath filter cannot read the key from the input).
        "Main container": {
            "Type": "Map",
            "ItemsPath": "$.stopped.task.Containers",
            "ItemSelector": {"container.$": "$$.Map.Item.Value", "main.$": "$.settings.task"},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "The main one?",
                "States": {
                    **_ours_or_not(
                        ("The main one?", "The main one", "Another one"),
                        "$.container.Name",
                        "$.main",
                        ("container", "$.container"),
                    ),
                },
            },
            "ResultSelector": {"all.$": "$", "any.$": _ANY_OURS},
            "ResultPath": "$.main",
            "Next": "Main container found?",
        },
        "Main container found?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.main.any", "BooleanEquals": True, "Next": "The main"}],
            "Default": "How did it end?",
        },
        "The main": {
            "Type": "Pass",
            "Parameters": {"found.$": "$.main.all[?(@.ours == true)]"},
            "ResultPath": "$.main",
            "Next": "Its exit",
        },
        "Its exit": {
            "Type": "Pass",
            "Parameters": {"container.$": "$.main.found[0].container"},
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
                    **_succeeded("$.stopped.task", "$.main.container.ExitCode"),
                    "Next": "Copy succeeded",
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


# Another RunTask of this copy: its own group, and not yet looked for.
_NEW_RUN = {"run.$": "States.MathAdd($.state.run, 1)", "looks": 0}


def _never_started_states() -> dict[str, Any]:
    """No task of this run in either list: looked for again a few times (ECS is eventually
    consistent), then taken as never started."""
    return {
        "Never started": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Not": {"Variable": "$.error.Error", "StringEquals": "AmazonECS.Unknown"}},
                        {"Variable": "$.state.looks", "NumericLessThan": NOT_FOUND_RECHECKS},
                    ],
                    "Next": "Look again later",
                },
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
        "Look again later": {
            "Type": "Wait",
            "Seconds": NOT_FOUND_RECHECK,
            "Next": "Looked again",
        },
        "Looked again": {
            "Type": "Pass",
            "Parameters": _state(**{"looks.$": "States.MathAdd($.state.looks, 1)"}),
            "ResultPath": "$.state",
            "Next": "Find the attempt's task",
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
            "Parameters": _state(onDemand=True, **_NEW_RUN, capacity=spot.ON_DEMAND),
            "ResultPath": "$.state",
            "Next": "Run again",
        },
        "Rerun on on-demand": {
            "Type": "Pass",
            "Comment": "ECS stopped the task (Spot interruption, retirement): once more, on FARGATE",
            "Parameters": _state(onDemand=True, rerun=True, **_NEW_RUN, capacity=spot.ON_DEMAND),
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


def _retry_states() -> dict[str, Any]:
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
            "Default": "Copy failed",
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
                    **_NEW_RUN,
                    "capacity.$": "$.settings.capacity",
                }
            ),
            "ResultPath": "$.state",
            "Next": "Run again",
        },
    }


def recovery_definition(d: Declaration) -> dict[str, Any]:
    """The Recovery machine's definition: one copy of a run from its first failed attempt to
    its outcome; each builder is one step of the diagram in the module's notes."""
    return {
        "Comment": f"Failed attempts of the tasks of {d.logical_id} (ServerlessFargate): what "
        "became of each, retries, fallback; answers the copy's outcome",
        "StartAt": "Read the limits",
        "States": {
            **_recovery_start_states(),
            **_stop_running_states(),
            **_find_stopped_states(),
            **_ending_states(),
            **_never_started_states(),
            **_retry_states(),
            **_run_again_states(),
        },
    }


def resources(d: Declaration) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not d.watched:
        return out
    machines = [(names.recovery(d), recovery_definition(d))]
    machines += [(names.workflow(d, t), definition(d, t)) for t in d.watched]
    for logical_id, body in machines:
        properties: dict[str, Any] = {
            # Named, so that the workflow role's trust names exactly these state machines.
            "StateMachineName": names.state_machine_name(logical_id),
            "StateMachineType": "STANDARD",
            "RoleArn": get_att(names.workflow_role(d), "Arn"),
            "Definition": body,
        }
        if d.tags:
            properties["Tags"] = tag_list(d.tags)
        out[logical_id] = {"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}
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

"""The workflow's contract: every fact about the watched-run workflow that code other than
`resources/workflow.py` reads (ops, the CLI, tests). Written once, here.

- how an execution is started: its input members and its name;
- how the tasks it starts are grouped (so ops finds a run's tasks, copies and attempts);
- where the definition keeps a task's settings, and the no-timeout sentinel in them;
- when Fargate Spot counts as short of capacity;
- the environment variable that carries a run's input to the container.

The macro imports this module: it stays light (no boto3, no typing at run time).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

# --- Input -------------------------------------------------------------------------------------
# The execution's input: a JSON object whose members are all optional.
TASK = "task"  # the task key (kept from the first manual-start shape)
SCHEDULE = "schedule"  # who started the run: a schedule's ARN, or a word such as the CLI's
SCHEDULED_TIME = "scheduledTime"  # when the run was meant to start (ISO 8601)
INPUT = "input"  # any JSON: the container sees it as JSON text in INPUT_ENV

# The environment variable of the main container holding the run's `input` as JSON text.
INPUT_ENV = "SERVERLESS_FARGATE_INPUT"


def input_shape(key: str) -> str:
    """What a wrong input's failure says: the shape every starter uses."""
    return (
        f"The input of task {key}'s workflow is a JSON object, every member optional: "
        f'{{"{INPUT}": <any JSON: the container reads it as JSON text in {INPUT_ENV}>, '
        f'"{TASK}": "{key}", "{SCHEDULE}": "<who starts the run>", '
        f'"{SCHEDULED_TIME}": "<when it was meant to start, ISO 8601>"}}. '
        "{} runs the task as declared."
    )


# --- Where a task's workflow is ------------------------------------------------------------
def workflow_logical_id(declaration: str, task_name: str) -> str:
    """One state machine per watched task: {Declaration}{Task}Workflow (Task in PascalCase)."""
    return f"{declaration}{task_name}Workflow"


def workflow_output(declaration: str, task_name: str) -> str:
    """The stack output holding that state machine's ARN."""
    return f"{declaration}{task_name}WorkflowArn"


def recovery_logical_id(declaration: str) -> str:
    """One state machine per declaration for what follows a failed attempt of any of its
    tasks; a task's workflow starts it (states:startExecution.sync:2) with the task's settings."""
    return f"{declaration}Recovery"


# How a failed run's execution fails: the error, and its cause the failed copies' outcomes.
RUN_FAILED = "RunFailed"
# The same, when the dead-letter message could not be sent (the cause is the same).
RUN_FAILED_NOT_REPORTED = "RunFailedNotReported"
RECOVER_STATE = "Recover"  # the state that hands a failed attempt to the Recovery machine


# --- Settings ----------------------------------------------------------------------------------
# A standard execution lasts at most a year: a task without Timeout may run that long.
NO_TIMEOUT = 31_536_000

SETTINGS_PREFIX = "Settings of "  # before 0.x: one state per task of a declaration's workflow
# The Pass state whose Result holds the task's settings (several copies), or the Recover state
# whose input to the Recovery machine holds them (one copy).
SETTINGS_STATE = "Settings"


def settings_state(key: str) -> str:
    """The name of the state holding task `key`'s settings in a declaration's workflow (before
    one workflow per task; task_settings reads both)."""
    return SETTINGS_PREFIX + key


def task_settings(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every task a workflow definition runs, by key: the settings it runs the task with."""
    out: dict[str, dict[str, Any]] = {}
    for name, state in _all_states(definition):
        result = state.get("Result")
        if name == RECOVER_STATE:
            result = ((state.get("Parameters") or {}).get("Input") or {}).get("settings")
        if name in (SETTINGS_STATE, RECOVER_STATE) and isinstance(result, dict) and TASK in result:
            out[str(result[TASK])] = result
        elif name.startswith(SETTINGS_PREFIX):
            out[name.removeprefix(SETTINGS_PREFIX)] = result or {}
    return out


def _all_states(machine: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every state of a definition, those of Map processors included."""
    found: list[tuple[str, dict[str, Any]]] = []
    for name, state in (machine.get("States") or {}).items():
        if isinstance(state, dict):
            found.append((name, state))
            for inner in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(inner), dict):
                    found += _all_states(state[inner])
    return found


def copies(output: Any) -> list[dict[str, Any]]:
    """The copies' outcomes in an execution's output or failure cause: one copy's outcome is
    an object, several copies' a list."""
    if isinstance(output, dict):
        return [output]
    if isinstance(output, list):
        return [c for c in output if isinstance(c, dict)]
    return []


def timeout_of(settings: dict[str, Any]) -> int | None:
    """The task's Timeout in seconds, None without one (or when it is not a number yet)."""
    value = str(settings.get("timeoutSeconds", ""))
    if not value.isdigit() or int(value) in (0, NO_TIMEOUT):
        return None
    return int(value)


# --- Executions and their tasks --------------------------------------------------------------
NAME_KEY_LENGTH = 40  # execution names are at most 80 characters: the key's share


def execution_prefix(key: str) -> str:
    """Every execution of task `key` is named <prefix><an ID of its starter>."""
    return f"{key[:NAME_KEY_LENGTH]}-"


def execution_name(key: str, run_id: str) -> str:
    return execution_prefix(key) + run_id


# The ECS task group of each run of a copy: <execution name>:<copy from 1>:<run from 0>. Every
# RunTask of a copy has its own (a retry, a fallback to on-demand, a rerun after an interruption).
GROUP_FORMAT = "{}:{}:{}"


def group_prefix(execution: str) -> str:
    """Every task an execution started has a group beginning with this."""
    return f"{execution}:"


def copy_and_attempt(group: str) -> tuple[int, int] | None:
    """(copy, run), both counted from 1, of a task the workflow started (run: which RunTask of
    the copy, retries, fallbacks and reruns included); None for a group of another shape."""
    parts = group.rsplit(":", 2)
    if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    return int(parts[1]), int(parts[2]) + 1


def execution_of(group: str) -> str | None:
    """The name of the execution that started a task with this group; None for a group of
    another shape."""
    return group.rsplit(":", 2)[0] if copy_and_attempt(group) is not None else None


# --- Success ---------------------------------------------------------------------------------
# How a task that finished its work stops: its essential (main) container exited and ECS
# stopped the rest ("TaskStopCode", Amazon ECS API reference). A platform stop (interruption),
# a person's StopTask (UserInitiated) or the workflow's own stop is never a success, whatever the
# exit code of a container that handled SIGTERM.
FINISHED = "EssentialContainerExited"


# A task whose containers have stopped: ECS says STOPPED, or DEPROVISIONING on its way there
# ("Task lifecycle", Amazon ECS Developer Guide). The workflow waits for these; ops agrees.
STOPPED_STATUSES = ("STOPPED", "DEPROVISIONING")


def copies_of(settings: dict[str, Any]) -> int | None:
    """How many copies each run starts, when the settings say so literally (else None: a
    parameter's value)."""
    value = settings.get("copies")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def finished_well(stop_code: Any, exit_code: Any) -> bool:
    """The workflow's test of a stopped task (its Choice rule, in workflow.py): stopped because
    its essential container exited, and the main container's exit code is 0."""
    return stop_code == FINISHED and exit_code == 0


def no_other_attempt(settings: dict[str, Any]) -> bool:
    """Whether a failed attempt is its run's last whatever the failure: the settings the
    workflow runs the task with (task_settings) allow no retry, no on-demand fallback and no
    rerun after an interruption, so the Recovery machine starts nothing more. Settings fed by
    parameters, or not known, are not: then only the execution can tell."""
    return (
        settings.get("retries") == "0"
        and settings.get("fallback") is False
        and settings.get("rerunOnInterruption") is False
    )


# --- Interruptions ----------------------------------------------------------------------------
# Stop codes with which ECS, not the task nor a person, stopped a task ("TaskStopCode", Amazon
# ECS API reference): a Fargate Spot interruption, a task retired for maintenance, a task stopped
# for the health of the infrastructure under it (InfrastructureHealth, in botocore's ECS model's
# TaskStopCode). A run so stopped did not finish its work, whatever its exit code.
INTERRUPTED = ("SpotInterruption", "TerminationNotice", "InfrastructureHealth")


# --- Spot ------------------------------------------------------------------------------------
# What ECS says when FARGATE_SPOT has no capacity for a RunTask (StringMatches patterns).
CAPACITY_SHORT = ("*Capacity is unavailable*", "*RESOURCE:FARGATE*")


def capacity_short(reason: str) -> bool:
    """Whether ECS's reason for starting no task means Fargate Spot had no capacity."""
    return any(pattern.strip("*") in reason for pattern in CAPACITY_SHORT)

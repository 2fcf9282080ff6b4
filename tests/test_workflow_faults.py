"""The workflow under AWS's real semantics (tests/workflow_harness.py is never kinder than AWS):
errors Step Functions does not catch, RunTask's failures, faults in every ECS call the
workflow makes, and the rule that no execution ends, or starts another attempt, while a task
it started may still run without saying so."""

from __future__ import annotations

import json

import boto3
import pytest
from workflow_harness import ACCOUNT, World, wait_for

ONE_RETRY = {"Expression": "rate(1 day)", "Retries": 1}


@pytest.fixture
def world(monkeypatch, fake_aws):
    with World(monkeypatch) as w:
        yield w


def running(world):
    """The cluster's running tasks, as ECS says once the faults are over."""
    world.ecs.faults = {}
    arns = world.client.list_tasks(cluster="jobs", desiredStatus="RUNNING")["taskArns"]
    if not arns:
        return []
    tasks = world.client.describe_tasks(cluster="jobs", tasks=arns)["tasks"]
    return [t["taskArn"] for t in tasks if t["lastStatus"] == "RUNNING"]


# --- the harness fails where AWS fails ---------------------------------------------------------


def test_states_all_does_not_catch_states_runtime(world):
    """ "Handling errors in Step Functions workflows": a Retry or Catch on States.ALL does not
    handle States.Runtime (here: a path absent from the input)."""
    sfn = boto3.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="runtime",
        definition=json.dumps(
            {
                "StartAt": "Read",
                "States": {
                    "Read": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:ecs:listTasks",
                        "Parameters": {"Cluster.$": "$.absent"},
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                        "End": True,
                    },
                    "Caught": {"Type": "Succeed"},
                },
            }
        ),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/workflow",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    result = wait_for(sfn, execution)
    assert (result["status"], result["error"]) == ("FAILED", "States.Runtime")


def test_runtask_failures_surface_as_amazonecs_unknown(world):
    result = world.start([{"capacity": True}], Spot={"Fallback": False})
    assert result["status"] == "FAILED", result
    (message,) = world.messages()
    assert message["reason"].startswith("ECS did not start the task: ")
    assert "AmazonECS.Unknown" in message["reason"] and message["taskArn"] is None


def test_sync_fails_only_when_an_essential_container_exits_non_zero(world):
    assert world.start([{"exit": 0}])["status"] == "SUCCEEDED"
    assert world.start([{"exit": 1}])["status"] == "FAILED"


def test_a_busy_machine_never_times_out_a_healthy_attempt(world):
    """A test's Timeout is 2 s (for hours in AWS): a thread starved that long on a busy
    machine must not fail the run. The Timeout elapses only on a task left hanging."""
    world.ecs.stall = 3
    assert world.start([{"exit": 0}], timeout=2)["status"] == "SUCCEEDED"
    world.ecs.stall = 0
    timed_out = world.start([{"hang": True}], timeout=2)
    assert timed_out["status"] == "FAILED"


# --- findings, each reproduced ---------------------------------------------------------------


@pytest.mark.parametrize("action", ["ListTasks", "DescribeTasks", "StopTask"])
def test_a_timed_out_task_that_cannot_be_stopped_is_never_overlapped(world, action):
    world.ecs.faults = {action: ["AccessDeniedException"] * 20}
    result = world.start([{"hang": True}, {"exit": 0}], timeout=2, Schedule=dict(ONE_RETRY))
    assert result["status"] == "FAILED", result
    assert len(world.ecs.calls) == 1  # no further attempt while the task may run
    (task,) = running(world)
    (message,) = world.messages()
    assert message["stopCode"] == "LostControl"
    assert f"{action} failed" in message["reason"] and "AccessDeniedException" in message["reason"]
    if action == "StopTask":
        assert message["reason"].startswith(f"could not stop {task}: StopTask failed")
    else:
        assert "could not tell whether the task of this attempt still runs" in message["reason"]


@pytest.mark.parametrize("action", ["ListTasks", "DescribeTasks", "StopTask"])
@pytest.mark.parametrize("code", ["ThrottlingException", "ServerException"])
def test_a_passing_fault_in_the_stop_path_is_retried(world, action, code):
    world.ecs.faults = {action: [code, code]}
    result = world.start([{"hang": True}, {"exit": 0}], timeout=2, Schedule=dict(ONE_RETRY))
    assert result["status"] == "SUCCEEDED", result
    assert [c["running"] for c in world.ecs.calls] == [0, 0]  # never two at once
    assert running(world) == []


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "AccessDeniedException", "ServerException"]
)
@pytest.mark.parametrize("action", ["ListTasks", "DescribeTasks", "StopTask", "RunTask"])
def test_a_lasting_fault_in_any_ecs_call_fails_the_run_visibly_and_once(world, action, code):
    world.ecs.faults = {action: [code] * 50}
    # A run that times out: the workflow then lists, describes and stops its task.
    script = [{"hang": True}, {"hang": True}]
    result = world.start(script, timeout=2, Schedule=dict(ONE_RETRY))
    assert result["status"] == "FAILED", result
    (message,) = world.messages()
    reason = message["reason"]
    assert f"{action} failed" in reason or f"ECS.{code}" in reason, message
    assert code in reason
    assert [c["running"] for c in world.ecs.calls] == [0] * len(world.ecs.calls)
    # A task left running is named in the reason, or the reason says it may run.
    left = running(world)
    assert (
        left == [] or left[0] in reason or "whether the task of this attempt still runs" in reason
    )


def test_a_failed_start_is_read_from_ecs_never_from_the_cause(world):
    """AmazonECS.Unknown's Cause is not a task description: the workflow asks ECS instead."""
    result = world.start([{"capacity": True}, {"capacity": True}], Schedule=dict(ONE_RETRY))
    assert result["status"] == "FAILED", result
    assert len(world.ecs.calls) == 2
    (message,) = world.messages()
    assert message["attempts"] == 2 and message["exitCode"] is None


@pytest.mark.parametrize("code", ["SpotInterruption", "TerminationNotice", "InfrastructureHealth"])
def test_every_platform_stop_is_an_interruption(world, code):
    stopped = {"interrupted": True, "code": code, "exit": 0}
    result = world.start([stopped], Spot=True)
    assert result["status"] == "FAILED", result
    assert world.messages()[0]["stopCode"] == code
    rerun = world.start([stopped, {"exit": 0}], Spot={"RerunOnInterruption": True})
    assert rerun["status"] == "SUCCEEDED", rerun
    assert json.loads(rerun["output"])["onDemand"] is True


def test_an_input_too_large_for_ecs_fails_visibly(world):
    result = world.start([], given={"input": "x" * 9000})
    assert result["status"] == "FAILED", result
    (message,) = world.messages()
    assert "Container Overrides length must be at most 8192" in message["reason"]
    assert message["executionInput"]["input"] == "x" * 9000


def test_a_timed_out_run_stops_its_task_before_the_next_attempt(world):
    result = world.start([{"hang": True}, {"exit": 0}], timeout=2, Schedule=dict(ONE_RETRY))
    assert result["status"] == "SUCCEEDED", result
    assert [c["running"] for c in world.ecs.calls] == [0, 0]
    assert running(world) == []


def test_a_dead_letter_queue_that_refuses_the_message_still_fails_the_run_with_its_cause(world):
    """The report's Catch keeps the state's input (its ResultPath names a member, as a null
    ResultPath may not appear in a template): the execution still gives the failed copy, with
    an error of its own, so that a message that never arrived is not a silent one."""
    boto3.client("sqs").delete_queue(QueueUrl=world.queue)
    result = world.start([{"exit": 3}])
    assert (result["status"], result["error"]) == ("FAILED", "RunFailedNotReported"), result
    (outcome,) = json.loads(result["cause"])
    assert (outcome["ok"], outcome["exitCode"], outcome["taskArn"] is None) == (False, 3, False)
    assert (outcome["stopCode"], outcome["error"]) == (
        "EssentialContainerExited",
        "States.TaskFailed",
    )


def _busy_family(world, count=40):
    """`count` other running tasks of the family, each description about 8 KB (an 8000-char
    environment override): together more than Step Functions' 256 KiB payload."""
    world.ecs.script[:] = [{"hang": True}] * count
    family = world.refs["WorkersWorkerTaskDefinition"]
    big = {
        "containerOverrides": [
            {"name": "worker", "environment": [{"name": "X", "value": "x" * 8000}]}
        ]
    }
    for n in range(count):
        world.client.run_task(
            cluster="jobs",
            taskDefinition=family,
            group=f"other:{n}",
            overrides=big,
            launchType="FARGATE",
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": [world.subnet], "securityGroups": [world.group]}
            },
        )
    return count


def test_a_busy_family_never_exceeds_the_payload_limit(world):
    """ "Quotas" (Step Functions): state data is at most 256 KiB; more raises
    States.DataLimitExceeded, which States.ALL does not catch. DescribeTasks over a whole page
    of the family's tasks would exceed it: the attempt's task is found without holding them."""
    others = _busy_family(world)
    result = world.start([{"exit": 3}])
    assert (result["status"], result.get("error")) == ("FAILED", "RunFailed"), result
    assert world.messages()[0]["exitCode"] == 3
    timed_out = world.start([{"hang": True}, {"exit": 0}], timeout=2, Schedule=dict(ONE_RETRY))
    assert timed_out["status"] == "SUCCEEDED", timed_out
    assert len(running(world)) == others


def _last_statuses(world):
    world.ecs.faults = {}
    arns = []
    for status in ("RUNNING", "STOPPED"):
        arns += world.client.list_tasks(cluster="jobs", desiredStatus=status)["taskArns"]
    tasks = world.client.describe_tasks(cluster="jobs", tasks=arns)["tasks"] if arns else []
    return [t["lastStatus"] for t in tasks]


def test_a_task_still_stopping_is_stopped_and_awaited_before_the_next_attempt(world):
    """A timed-out task that ECS is already stopping (desired STOPPED, containers running) is
    listed among the stopped tasks, not the running ones: its lastStatus decides, and the next
    attempt starts only once it has stopped."""
    result = world.start(
        [{"hang": True, "stopping": True}, {"exit": 0}], timeout=2, Schedule=dict(ONE_RETRY)
    )
    assert result["status"] == "SUCCEEDED", result
    assert [c["running"] for c in world.ecs.calls] == [0, 0]
    assert set(_last_statuses(world)) == {"STOPPED"}


def test_the_attempts_task_is_found_on_any_page_of_list_tasks(world):
    """ListTasks answers pages (100 ARNs, then a nextToken): the attempt's task listed after
    others of its family is still found, so a failed run is reported with its exit code and
    not as one that never started."""
    network = {"awsvpcConfiguration": {"subnets": [world.subnet], "securityGroups": [world.group]}}
    for _ in range(3):  # other stopped tasks of the family, listed before the attempt's
        world.client.run_task(
            cluster="jobs",
            taskDefinition=world.refs["WorkersWorkerTaskDefinition"],
            networkConfiguration=network,
            launchType="FARGATE",
        )
    world.ecs.page_size = 1
    result = world.start([{"exit": 3}])
    assert result["status"] == "FAILED", result
    (message,) = world.messages()
    assert (message["exitCode"], message["stopCode"]) == (3, "EssentialContainerExited")


def test_the_recovery_is_never_handed_the_execution_input(world):
    """A state's data is at most 256 KiB, and States.DataLimitExceeded is caught by nothing: the
    execution's input (up to 256 KiB itself, members the task never sees included) is not
    copied into the Recovery machine's input, only the container's environment, which ECS's
    8,192 characters of overrides bound for any run that started. A run with a large unused
    member still has its failure stopped, retried and reported."""
    from serverless_fargate.transform import transform

    declared = {
        "Resources": {
            "Workers": {
                "Type": "Fargate::Tasks",
                "Properties": {
                    "Network": {"Subnets": ["subnet-1"]},
                    "Tasks": {"worker": {"Image": "x", "Schedule": "rate(1 day)"}},
                },
            }
        }
    }
    template = transform(declared, service_token="t", nonce="n")
    text = json.dumps(
        {k: r for k, r in template["Resources"].items() if k.endswith(("Workflow", "Recovery"))}
    )
    recover = template["Resources"]["WorkersWorkerWorkflow"]["Properties"]["Definition"]
    request = recover["States"]["Recover"]["Parameters"]["Input"]
    assert "$$.Execution.Input" not in json.dumps(request)
    assert request["environment.$"] == "$.environment"
    assert "given" not in text
    padded = {"task": "worker", "padding": "x" * 200_000, "input": {"n": 1}}
    result = world.start([{"hang": True}], given=padded, timeout=2)
    assert result["status"] == "FAILED", result
    (message,) = world.messages()
    assert message["stopCode"] == "Timeout"
    assert running(world) == []  # stopped before the run was reported


def test_an_input_too_large_for_a_state_fails_visibly_before_any_task_starts(world):
    """Made into the container's environment, an `input` of 135,000 quotes is about 270,000
    characters: more than a state's 256 KiB once the run's parameters are made. Step Functions
    fails the execution with States.DataLimitExceeded, caught by nothing, before RunTask: a
    failed execution (console, alarm) and no task."""
    result = world.start([], given={"input": '"' * 135_000})
    assert (result["status"], result["error"]) == ("FAILED", "States.DataLimitExceeded"), result
    assert world.ecs.calls == []


def test_a_run_someone_stopped_is_a_failure_even_if_its_container_exited_0(world):
    """A person's StopTask (stop code UserInitiated) ends the run before its work is done: a
    container that handles SIGTERM and exits 0 does not make it a success, on the healthy path
    or in the Recovery machine. Only a task that stopped because its essential container exited
    (EssentialContainerExited) with the main container's 0 succeeds."""
    stopped = {"exit": 0, "code": "UserInitiated", "reason": "Task stopped by a person"}
    result = world.start([stopped])
    assert result["status"] == "FAILED", result
    (message,) = world.messages()
    assert (message["stopCode"], message["exitCode"]) == ("UserInitiated", 0)
    result = world.start([{"exit": 3}, stopped], Schedule=dict(ONE_RETRY))
    assert result["status"] == "FAILED", result
    assert world.messages()[0]["stopCode"] == "UserInitiated"

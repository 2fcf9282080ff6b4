"""Scheduled runs watched to their end: the workflow's shape for every combination, the roles
that start and run it, and executions of it (moto's Step Functions interpreter and ECS)."""

from __future__ import annotations

import json

import pytest
from conftest import declaration, expand, lint, problems, task
from serverless_fargate.resources import workflow_contract as contract
from workflow_harness import World

T = "Resources.Workers.Properties.Tasks.worker"


def scheduled(**props):
    props.setdefault("Schedule", "rate(1 day)")
    return expand(task(**props))


def workflow(template, key="worker"):
    logical_id = contract.workflow_logical_id("Workers", key[:1].upper() + key[1:])
    return template["Resources"][logical_id]["Properties"]["Definition"]


def settings(template, key="worker"):
    return contract.task_settings(workflow(template, key))[key]


def statements(template, role):
    policy = template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]
    return policy["Statement"]


# --- shape ------------------------------------------------------------------------------------

COMBINATIONS = {
    "plain": ({}, {"fallback": False, "rerunOnInterruption": False}),
    "spot with fallback": ({"Spot": True}, {"fallback": True}),
    "spot without fallback": ({"Spot": {"Fallback": False}}, {"fallback": False}),
    "rerun": ({"Spot": {"RerunOnInterruption": True}}, {"rerunOnInterruption": True}),
    "timeout": ({"Timeout": "90m"}, {"timeoutSeconds": "5400"}),
    "retries": (
        {"Schedule": {"Expression": "rate(1 day)", "Retries": 3}},
        {"retries": "3"},
    ),
    "dead-letter queue": (
        {
            "Schedule": {
                "Expression": "rate(1 day)",
                "DeadLetterQueueArn": "arn:aws:sqs:us-east-1:123456789012:failed",
            }
        },
        {"deadLetterQueue": {"Fn::Join": ["", ["https://sqs.", {"Fn::Select": [3, {}]}]]}},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", COMBINATIONS)
def test_every_combination_lints_clean_and_carries_its_settings(name):
    props, expected = COMBINATIONS[name]
    template = scheduled(**props)
    assert lint(template) == []
    got = settings(template)
    for key, value in expected.items():
        if key == "deadLetterQueue":
            assert got[key]["Fn::Join"][1][0] == "https://sqs."
        else:
            assert got[key] == value, key
    assert got["timeoutSeconds"] == expected.get("timeoutSeconds", "31536000")
    assert got["capacity"][-1]["CapacityProvider"] == (
        "FARGATE_SPOT" if "Spot" in props else "FARGATE"
    )


def test_each_scheduled_task_has_its_own_workflow_and_its_settings_only():
    template = expand(
        declaration(
            {
                "Network": {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]},
                "Tasks": {
                    "api": {"Image": "x"},
                    "nightly": {"Image": "x", "Schedule": "rate(1 day)"},
                    "hourly": {"Image": "x", "Schedule": "rate(1 hour)"},
                },
            }
        )
    )
    machines = {k for k, r in template["Resources"].items() if r["Type"].endswith("::StateMachine")}
    # One per watched task, and the declaration's Recovery machine (the failure path, once).
    assert machines == {"WorkersNightlyWorkflow", "WorkersHourlyWorkflow", "WorkersRecovery"}
    assert set(template["Outputs"]) >= {"WorkersNightlyWorkflowArn", "WorkersHourlyWorkflowArn"}
    assert list(contract.task_settings(workflow(template, "nightly"))) == ["nightly"]
    run = workflow(template, "nightly")["States"]["Run task"]["Parameters"]
    assert run["TaskDefinition"] == {"Ref": "WorkersNightlyTaskDefinition"}
    role = statements(template, "WorkersWorkflowRole")
    run = next(s for s in role if s["Action"] == "ecs:RunTask")
    assert run["Resource"] == [
        {"Ref": "WorkersNightlyTaskDefinition"},
        {"Ref": "WorkersHourlyTaskDefinition"},
    ]


def test_no_workflow_without_scheduled_tasks():
    resources = expand(task())["Resources"]
    assert not {"WorkersWorkerWorkflow", "WorkersWorkflowRole", "WorkersScheduleRole"} & set(
        resources
    )


def test_the_schedule_starts_the_workflow_once_per_delivery():
    template = scheduled(Schedule={"Expression": "rate(1 day)", "MaxEventAgeSeconds": 600})
    target = template["Resources"]["WorkersWorkerSchedule"]["Properties"]["Target"]
    assert target["Arn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:scheduler:::aws-sdk:sfn:startExecution"
    }
    text, variables = target["Input"]["Fn::Sub"]
    assert variables == {"Workflow": {"Ref": "WorkersWorkerWorkflow"}}
    request = json.loads(text)
    assert request["StateMachineArn"] == "${Workflow}"
    # StartExecution is idempotent for a name and input: a repeated delivery starts nothing.
    assert request["Name"] == "worker-<aws.scheduler.execution-id>"
    assert json.loads(request["Input"]) == {
        "task": "worker",
        "schedule": "<aws.scheduler.schedule-arn>",
        "scheduledTime": "<aws.scheduler.scheduled-time>",
    }
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 600}
    assert "EcsParameters" not in target


def test_execution_names_stay_within_the_limit_for_long_task_keys():
    key = "a" * 60
    template = expand(
        declaration(
            {
                "Network": {"Subnets": ["subnet-1"]},
                "Tasks": {key: {"Image": "x", "Schedule": "rate(1 day)"}},
            }
        )
    )
    schedule = next(r for k, r in template["Resources"].items() if k.endswith("Schedule"))
    name = json.loads(schedule["Properties"]["Target"]["Input"]["Fn::Sub"][0])["Name"]
    # Scheduler's execution IDs are short (d32c5kddcf5bb8c3); 80 characters is the limit.
    assert len(name.replace("<aws.scheduler.execution-id>", "x" * 32)) <= 80


# --- roles ------------------------------------------------------------------------------------


def test_schedule_role_may_only_start_the_workflow_and_report_to_its_queue():
    queue = "arn:aws:sqs:us-east-1:123456789012:failed"
    template = scheduled(Schedule={"Expression": "rate(1 day)", "DeadLetterQueueArn": queue})
    assert statements(template, "WorkersScheduleRole") == [
        {
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": [{"Ref": "WorkersWorkerWorkflow"}],
        },
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": [queue]},
    ]
    trust = template["Resources"]["WorkersScheduleRole"]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnEquals": {
            "aws:SourceArn": [
                {
                    "Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:"
                    "schedule-group/default"
                }
            ]
        },
    }


def test_workflow_role_runs_exactly_its_task_definitions_and_passes_exactly_their_roles():
    queue = "arn:aws:sqs:us-east-1:123456789012:failed"
    template = scheduled(
        Spot=True, Schedule={"Expression": "rate(1 day)", "DeadLetterQueueArn": queue}
    )
    role = {json.dumps(s["Action"]): s for s in statements(template, "WorkersWorkflowRole")}
    cluster = {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": ["WorkersCluster", "Arn"]}}}
    assert role['"ecs:RunTask"'] == {
        "Effect": "Allow",
        "Action": "ecs:RunTask",
        "Resource": [{"Ref": "WorkersWorkerTaskDefinition"}],
        "Condition": cluster,
    }
    assert role['"iam:PassRole"'] == {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": [
            {"Fn::GetAtt": ["WorkersExecutionRole", "Arn"]},
            {"Fn::GetAtt": ["WorkersWorkerTaskRole", "Arn"]},
        ],
        "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
    }
    assert role['["ecs:DescribeTasks", "ecs:StopTask"]']["Condition"] == cluster
    assert role['"ecs:ListTasks"']["Condition"] == cluster
    assert role['"sqs:SendMessage"']["Resource"] == [queue]
    rule = role['["events:PutTargets", "events:PutRule", "events:DescribeRule"]']
    # The managed rules of runTask.sync and of startExecution.sync:2, and nothing else.
    assert [r["Fn::Sub"].rsplit(":rule/", 1)[1] for r in rule["Resource"]] == [
        "StepFunctionsGetEventsForECSTaskRule",
        "StepFunctionsGetEventsForStepFunctionsExecutionRule",
    ]
    wildcard = [s for s in role.values() if s["Resource"] == "*"]
    assert [s["Action"] for s in wildcard] == ["ecs:ListTasks"]  # IAM names no resource for it
    # It may start exactly the declaration's Recovery machine, and read or stop only its runs.
    (start,) = role['"states:StartExecution"']["Resource"]
    assert start["Fn::Sub"][0].endswith(":stateMachine:${Name}")
    assert "WorkersRecovery" in json.dumps(start["Fn::Sub"][1])
    runs = role['["states:DescribeExecution", "states:StopExecution"]']["Resource"]
    assert runs["Fn::Sub"][0].endswith(":execution:${Name}:*")
    assert "WorkersRecovery" in json.dumps(runs["Fn::Sub"][1])
    trust = template["Resources"]["WorkersWorkflowRole"]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    # Exactly its state machines: the task's and the Recovery machine (tests/test_trust.py
    # deploys them and compares the real ARNs).
    arns = trust["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert len(arns) == 2
    assert all(arn["Fn::Sub"][0].endswith(":stateMachine:${Name}") for arn in arns)


def test_given_roles_of_any_path_are_passed_by_the_workflow():
    template = scheduled(Spot=True, TaskRoleArn="arn:aws:iam::123456789012:role/elsewhere")
    passed = next(
        s for s in statements(template, "WorkersWorkflowRole") if s["Action"] == "iam:PassRole"
    )
    assert "arn:aws:iam::123456789012:role/elsewhere" in passed["Resource"]


# --- Timeout ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "seconds"), [(60, "60"), ("90m", "5400"), ("2h", "7200"), ("14d", "1209600")]
)
def test_timeout_in_seconds_or_a_duration(given, seconds):
    assert settings(scheduled(Timeout=given))["timeoutSeconds"] == seconds


def test_timeout_from_a_parameter_is_read_by_the_workflow_as_a_number():
    template = task(Schedule="rate(1 day)", Timeout={"Ref": "RunLimit"})
    template["Parameters"] = {"RunLimit": {"Type": "Number", "Default": 600}}
    assert settings(expand(template))["timeoutSeconds"] == {"Ref": "RunLimit"}
    assert problems(template, {"RunLimit": "30"}) == [
        f"{T}.Timeout: 30 s is too short: Timeout is from 60 seconds (1m) to 1209600 seconds (14d)"
    ]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("30s", "'30s' is 30 seconds is too short: Timeout is from 60 seconds (1m)"),
        ("15d", "'15d' is 1296000 seconds is too long: Timeout is from 60 seconds (1m)"),
        ("2 hours", "'2 hours' is not valid"),
    ],
)
def test_timeout_out_of_range_is_refused(given, message):
    found = problems(task(Schedule="rate(1 day)", Timeout=given))
    assert len(found) == 1 and found[0].startswith(f"{T}.Timeout: "), found
    assert message in found[0]


def test_timeout_on_a_service_is_an_error_but_a_declaration_default_skips_services():
    assert problems(task(Timeout="1h")) == [
        f"{T}.Timeout: a service runs until it is replaced, so it has no Timeout: remove it, "
        "or make the task scheduled (Schedule), invoked (Events, Callers) or standalone "
        "(Service: false)"
    ]
    template = declaration(
        {
            "Timeout": "1h",
            "Network": {"Subnets": ["subnet-1"]},
            "Tasks": {"api": {"Image": "x"}, "job": {"Image": "x", "Schedule": "rate(1 day)"}},
        }
    )
    assert settings(expand(template), "job")["timeoutSeconds"] == "3600"


# --- executions ---------------------------------------------------------------------------


@pytest.fixture
def world(monkeypatch, fake_aws):
    """A moto account with a VPC, a cluster, the task definition, the workflow and a queue."""
    with World(monkeypatch) as w:
        yield w.start, w.ecs, w.messages, w.client


def test_a_run_whose_container_exits_0_succeeds(world):
    start, ecs, messages, _ = world
    result = start([{"exit": 0}])
    assert result["status"] == "SUCCEEDED", result
    copy = json.loads(result["output"])
    assert (
        copy["ok"] is True and copy["attempts"] == 1 and copy["taskArn"].startswith("arn:aws:ecs")
    )
    assert [c["capacity"] for c in ecs.calls] == [[{"capacityProvider": "FARGATE", "weight": 1}]]
    assert messages() == []


def test_a_non_zero_exit_fails_the_run_and_reports_it_once(world):
    start, ecs, messages, _ = world
    result = start([{"exit": 3}])
    assert result["status"] == "FAILED" and result["error"] == "RunFailed"
    (failure,) = json.loads(result["cause"])
    assert failure["exitCode"] == 3 and failure["stopCode"] == "EssentialContainerExited"
    (message,) = messages()
    assert message["task"] == "worker" and message["declaration"] == "Workers"
    assert message["executionInput"]["scheduledTime"] == "2026-11-29T02:30:00Z"
    assert message["executionInput"]["schedule"].endswith(":schedule/default/s")
    assert message["execution"].endswith(":worker-d32c5kddcf5bb8c3")
    assert (message["exitCode"], message["stopCode"]) == (3, "EssentialContainerExited")
    assert message["reason"] == "Essential container in task exited"
    assert message["taskArn"] == failure["taskArn"] and message["attempts"] == 1


def test_retries_start_fresh_runs_after_a_failed_one(world):
    start, ecs, messages, _ = world
    result = start(
        [{"exit": 1}, {"exit": 1}, {"exit": 0}],
        Schedule={"Expression": "rate(1 day)", "Retries": 2},
    )
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["attempts"] == 3
    # Each attempt is its own group, so a timed-out one is found and stopped alone.
    assert [c["group"] for c in ecs.calls] == [
        "worker-d32c5kddcf5bb8c3:1:0",
        "worker-d32c5kddcf5bb8c3:1:1",
        "worker-d32c5kddcf5bb8c3:1:2",
    ]
    assert messages() == []


def test_retries_run_out_and_the_last_failure_is_reported(world):
    start, ecs, messages, _ = world
    result = start([{"exit": 1}, {"exit": 2}], Schedule={"Expression": "rate(1 day)", "Retries": 1})
    assert result["status"] == "FAILED"
    (message,) = messages()
    assert message["exitCode"] == 2 and message["attempts"] == 2


def test_a_run_longer_than_its_timeout_is_stopped_and_fails(world):
    start, ecs, messages, client = world
    result = start([{"hang": True}], timeout=2)
    assert result["status"] == "FAILED", result
    (failure,) = json.loads(result["cause"])
    assert failure["stopCode"] == "Timeout" and failure["error"] == "States.Timeout"
    assert failure["reason"] == "ran longer than its Timeout of 2 seconds and was stopped"
    arns = [
        arn
        for status in ("RUNNING", "STOPPED")
        for arn in client.list_tasks(cluster="jobs", desiredStatus=status)["taskArns"]
    ]
    (stopped,) = client.describe_tasks(cluster="jobs", tasks=arns)["tasks"]
    assert stopped["stoppedReason"].startswith("Stopped by its ServerlessFargate workflow")
    assert messages()[0]["stopCode"] == "Timeout"


def test_no_spot_capacity_runs_on_fargate_in_the_same_execution(world):
    start, ecs, messages, _ = world
    result = start([{"capacity": True}, {"exit": 0}], Spot=True)
    assert result["status"] == "SUCCEEDED", result
    copy = json.loads(result["output"])
    assert copy["onDemand"] is True and copy["attempts"] == 1
    assert [c["capacity"] for c in ecs.calls] == [
        [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        [{"capacityProvider": "FARGATE", "weight": 1}],
    ]


def test_without_fallback_no_spot_capacity_fails_the_run(world):
    start, ecs, messages, _ = world
    result = start([{"capacity": True}], Spot={"Fallback": False})
    assert result["status"] == "FAILED"
    assert len(ecs.calls) == 1
    assert "Capacity is unavailable" in messages()[0]["reason"]


def test_an_interrupted_run_is_rerun_once_on_fargate(world):
    start, ecs, messages, _ = world
    result = start([{"interrupted": True}, {"exit": 0}], Spot={"RerunOnInterruption": True})
    assert result["status"] == "SUCCEEDED", result
    assert [c["capacity"][0]["capacityProvider"] for c in ecs.calls] == ["FARGATE_SPOT", "FARGATE"]
    # Twice interrupted: the rerun was the one chance; the run fails.
    result = start(
        [{"interrupted": True}, {"interrupted": True}], Spot={"RerunOnInterruption": True}
    )
    assert result["status"] == "FAILED"
    assert messages()[0]["stopCode"] == "SpotInterruption"


def test_an_interrupted_task_that_exited_0_is_still_interrupted(world):
    start, ecs, messages, _ = world
    result = start([{"interrupted": True, "exit": 0}], Spot=True)
    assert result["status"] == "FAILED", result
    (message,) = messages()
    assert (message["stopCode"], message["exitCode"]) == ("SpotInterruption", 0)
    rerun = start(
        [{"interrupted": True, "exit": 0}, {"exit": 0}], Spot={"RerunOnInterruption": True}
    )
    assert rerun["status"] == "SUCCEEDED", rerun
    assert json.loads(rerun["output"])["onDemand"] is True


def test_without_rerun_an_interrupted_run_fails(world):
    start, ecs, messages, _ = world
    result = start([{"interrupted": True}], Spot=True)
    assert result["status"] == "FAILED"
    assert messages()[0]["stopCode"] == "SpotInterruption"
    assert len(ecs.calls) == 1


def test_every_copy_of_a_run_is_watched(world):
    start, ecs, messages, _ = world
    result = start(
        [{"exit": 0}, {"exit": 5}], Schedule={"Expression": "rate(1 day)", "TaskCount": 2}
    )
    assert result["status"] == "FAILED"
    assert len(ecs.calls) == 2
    (message,) = messages()
    assert message["exitCode"] == 5 and len(message["failedCopies"]) == 1


@pytest.mark.parametrize("given", ['"worker"', "3", "null", "true", '["worker"]'])
def test_an_input_that_is_not_an_object_fails_without_running_anything(world, given):
    start, ecs, messages, _ = world
    result = start([], given=given)
    assert result["status"] == "FAILED" and result["error"] == "WrongInput"
    assert '{"input": <any JSON' in result["cause"]
    assert ecs.calls == []


def test_an_input_naming_another_task_fails_and_shows_the_shape(world):
    start, ecs, messages, _ = world
    result = start([], given={"task": "other"})
    assert result["status"] == "FAILED" and result["error"] == "WrongInput"
    assert result["cause"] == contract.input_shape("worker")
    assert ecs.calls == []


def test_every_transition_of_the_definition_leads_to_a_state_and_every_state_is_reached():
    template = scheduled(Spot={"RerunOnInterruption": True}, Timeout="1h")
    definition = workflow(template)

    def check(machine):
        states = machine["States"]
        targets = {machine["StartAt"]}
        for name, state in states.items():
            found = [state.get("Next"), state.get("Default")]
            found += [c["Next"] for c in state.get("Choices", [])]
            found += [c["Next"] for c in state.get("Catch", [])]
            found = [t for t in found if t is not None]
            assert set(found) <= set(states), (name, found)
            targets.update(found)
            assert found or state.get("End") or state["Type"] in ("Succeed", "Fail"), name
            if "ItemProcessor" in state:
                check(state["ItemProcessor"])
        assert targets == set(states), set(states) - targets

    check(definition)


def test_a_standalone_task_carries_its_timeout_for_whoever_starts_it():
    template = expand(task(Service=False, Timeout="45m"))
    tags = template["Resources"]["WorkersWorkerTaskDefinition"]["Properties"]["Tags"]
    assert {"Key": "serverless-fargate:timeout", "Value": "2700"} in tags
    assert "WorkersWorkerWorkflow" not in template["Resources"]  # the contract: only its definition
    scheduled_tags = scheduled(Timeout="45m")["Resources"]["WorkersWorkerTaskDefinition"]
    assert "serverless-fargate:timeout" not in json.dumps(scheduled_tags)


# --- input and cost ---------------------------------------------------------------------------


def _environment(call):
    (container,) = call["overrides"]["containerOverrides"]
    assert container["name"] == "worker"
    return {e["name"]: e["value"] for e in container.get("environment", [])}


@pytest.mark.parametrize(
    "given", [{}, {"task": "worker"}, None], ids=["empty", "task key", "schedule"]
)
def test_a_healthy_run_of_one_copy_enters_four_states(world, given):
    start, ecs, messages, _ = world
    result = start([{"exit": 0}], given=given)
    assert result["status"] == "SUCCEEDED", result
    assert result["transitions"] == ["Read the input", "Run task", "Interrupted?", "Run succeeded"]
    assert _environment(ecs.calls[0]) == {}


def test_input_reaches_the_container_as_json_text_and_costs_no_more(world):
    start, ecs, messages, _ = world
    given = {"input": {"bucket": "b", "keys": ["a", "ü"], "n": 1}}
    result = start([{"exit": 0}], given=given)
    assert result["status"] == "SUCCEEDED", result
    assert len(result["transitions"]) == 4
    value = _environment(ecs.calls[0])[contract.INPUT_ENV]
    assert json.loads(value) == given["input"]


def test_input_reaches_every_attempt_and_every_copy(world):
    start, ecs, messages, _ = world
    result = start(
        [{"exit": 1}, {"exit": 0}, {"exit": 0}],
        given={"input": "hello"},
        Schedule={"Expression": "rate(1 day)", "Retries": 1, "TaskCount": 2},
    )
    assert result["status"] == "SUCCEEDED", result
    assert len(ecs.calls) == 3
    assert {json.loads(_environment(c)[contract.INPUT_ENV]) for c in ecs.calls} == {"hello"}


def test_a_manual_start_with_the_task_key_fails_and_is_reported_end_to_end(world):
    start, ecs, messages, _ = world
    result = start([{"exit": 3}], given={"task": "worker"})
    assert result["status"] == "FAILED" and result["error"] == "RunFailed", result
    (message,) = messages()
    assert message["executionInput"] == {"task": "worker"}
    assert (message["exitCode"], message["task"]) == (3, "worker")


def test_an_empty_input_fails_and_is_reported_end_to_end(world):
    start, ecs, messages, _ = world
    result = start([{"exit": 3}], given={})
    assert result["status"] == "FAILED" and result["error"] == "RunFailed", result
    (message,) = messages()
    assert message["executionInput"] == {} and message["exitCode"] == 3


def test_a_fifo_dead_letter_queue_is_refused_with_its_path():
    queue = {"Ref": "Queue"}
    template = task(Schedule={"Expression": "rate(1 day)", "DeadLetterQueueArn": queue})
    template["Parameters"] = {"Queue": {"Type": "String"}}
    fifo = "arn:aws:sqs:us-east-1:123456789012:failed.fifo"
    assert problems(template, {"Queue": fifo}) == [
        f"{T}.Schedule.DeadLetterQueueArn: '{fifo}' is a FIFO queue: EventBridge Scheduler sends "
        "failed starts only to a standard SQS queue; give the ARN of a standard queue"
    ]
    assert expand(template, {"Queue": fifo[: -len(".fifo")]})  # a standard queue is fine


# RunTask parameters of the optimized integration ("Run Amazon ECS or Fargate tasks with Step
# Functions"), and CapacityProviderStrategy, which Step Functions passes to RunTask.
RUN_TASK_PARAMETERS = {
    "Cluster",
    "Group",
    "LaunchType",
    "NetworkConfiguration",
    "Overrides",
    "PlacementConstraints",
    "PlacementStrategy",
    "PlatformVersion",
    "PropagateTags",
    "TaskDefinition",
    "EnableExecuteCommand",
    "CapacityProviderStrategy",
}


@pytest.mark.parametrize("count", [1, 2])
def test_run_task_uses_only_the_documented_parameters(count):
    template = scheduled(Spot=True, Schedule={"Expression": "rate(1 day)", "TaskCount": count})

    def runs(machine):
        for state in machine["States"].values():
            if state.get("Resource", {}).get("Fn::Sub", "").endswith("ecs:runTask.sync"):
                yield state
            if "ItemProcessor" in state:
                yield from runs(state["ItemProcessor"])

    found = list(runs(workflow(template)))
    assert found
    for state in found:
        assert {k.removesuffix(".$") for k in state["Parameters"]} <= RUN_TASK_PARAMETERS

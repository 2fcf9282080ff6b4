"""Runs started by events and by callers, executed: a stack deployed in moto (CloudFormation,
EventBridge, Step Functions' interpreter, ECS, SQS) from an expanded template with an event
task and a caller task. An event starts a run whose container sees the event; a caller's input
reaches the container through the README's own helper; an oversize input fails visibly; Retries
and Timeout apply to event and caller runs alike."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import boto3
import pytest
from conftest import expand
from moto import mock_aws
from ops_harness import REGION, Runs, deploy, install_application, teach_moto
from serverless_fargate.resources import workflow_contract as contract
from test_ops import network
from workflow_harness import (
    ACCOUNT,
    Ecs,
    compress_waits,
    events_start_executions,
    patch_moto,
    wait_for,
)

ROOT = Path(__file__).resolve().parent.parent
STACK = "jobs"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failed-runs"
UPLOAD = {
    "Type": "EventBridgeRule",
    "Properties": {
        "Pattern": {"source": ["aws.s3"], "detail-type": ["Object Created"]},
        "InputPath": "$.detail",
    },
}


def template(network: dict, timeout: int) -> dict:
    tasks = {
        "transcode": {"Events": {"Upload": UPLOAD}},
        "export": {"Callers": ["Api"]},
    }
    declared = {
        "Resources": {
            "Api": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.13",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["ApiRole", "Arn"]},
                    "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
                },
            },
            "ApiRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}
                },
            },
            "Jobs": {
                "Type": "Fargate::Tasks",
                "Properties": {
                    "Network": {
                        "Subnets": network["subnets"],
                        "SecurityGroups": network["securityGroups"],
                    },
                    "Image": "public.ecr.aws/docker/library/python:3.13-slim",
                    "Retries": 1,
                    "Timeout": 60,
                    "DeadLetterQueueArn": QUEUE,
                    "Tasks": tasks,
                },
            },
        }
    }
    expanded = expand(declared)
    for resource in expanded["Resources"].values():
        if resource["Type"] == "AWS::StepFunctions::StateMachine":
            definition = compress_waits(resource["Properties"].pop("Definition"), timeout)
            resource["Properties"]["DefinitionString"] = definition_string(definition)
    return expanded


def definition_string(definition: dict) -> dict:
    """The definition as JSON text, its intrinsics (each a string) joined in: moto's
    CloudFormation drops the JSON nulls of a `Definition` object (`"ResultPath": null`), which
    would change what the states do; as text they reach the interpreter as written."""
    found: list = []

    def mark(value):
        if (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)).startswith(("Ref", "Fn::"))
        ):
            found.append(value)
            return f"\u0000{len(found) - 1}\u0000"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    parts = json.dumps(mark(definition)).split("\\u0000")
    joined: list = []
    for i, part in enumerate(parts):
        joined.append(found[int(part)] if i % 2 else part)
    return {"Fn::Join": ["", joined]}


class Stack:
    def __init__(self, ecs: Ecs, runs: Runs) -> None:
        self.ecs, self.runs = ecs, runs
        self.sfn = boto3.client("stepfunctions", region_name=REGION)

    def workflow(self, logical_id: str) -> str:
        resources = boto3.client("cloudformation", region_name=REGION).describe_stack_resources(
            StackName=STACK
        )["StackResources"]
        return next(
            r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == logical_id
        )

    def executions(self, logical_id: str) -> list[dict]:
        return self.sfn.list_executions(stateMachineArn=self.workflow(logical_id))["executions"]

    def inputs(self) -> list[object]:
        """What each task's main container read in SERVERLESS_FARGATE_INPUT, in start order."""
        out = []
        for call in self.runs.calls:
            containers = (call.get("overrides") or {}).get("containerOverrides") or [{}]
            env = {e["name"]: e["value"] for e in containers[0].get("environment") or []}
            out.append(json.loads(env[contract.INPUT_ENV]) if contract.INPUT_ENV in env else None)
        return out

    def messages(self) -> list[dict]:
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.get_queue_url(QueueName="failed-runs")["QueueUrl"]
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in got.get("Messages", [])]


@pytest.fixture
def stack(fake_aws, monkeypatch, request):
    timeout = getattr(request, "param", 60)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        teach_moto(monkeypatch)
        patch_moto(monkeypatch)
        ecs = Ecs()
        ecs.install(monkeypatch)
        runs = Runs()
        runs.install(monkeypatch)
        events_start_executions(monkeypatch)
        install_application()
        boto3.client("sqs", region_name=REGION).create_queue(QueueName="failed-runs")
        deploy(template(network(), timeout), STACK)
        yield Stack(ecs, runs)


def upload(key: str) -> dict:
    detail = {"bucket": {"name": "uploads"}, "object": {"key": key, "size": 1234}}
    boto3.client("events", region_name=REGION).put_events(
        Entries=[
            {
                "Source": "aws.s3",
                "DetailType": "Object Created",
                "Detail": json.dumps(detail),
            }
        ]
    )
    return detail


def only_execution(stack: Stack, logical_id: str) -> dict:
    deadline = time.monotonic() + 10
    while not (found := stack.executions(logical_id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    (execution,) = found
    return wait_for(stack.sfn, execution["executionArn"])


def readme_helper() -> dict:
    """The README's caller helper (start_export, outcome), as documented."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Start a task from your code or an event", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - our own documentation
    return scope


def caller_environment(monkeypatch) -> None:
    """The caller's own variables, as Lambda gives them to it."""
    config = boto3.client("lambda", region_name=REGION).get_function_configuration(
        FunctionName=next(
            f["FunctionName"]
            for f in boto3.client("lambda", region_name=REGION).list_functions()["Functions"]
            if "Api" in f["FunctionName"]
        )
    )
    for name, value in config["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value)


# --- an event -----------------------------------------------------------------------------------


def test_an_event_starts_one_run_whose_container_sees_the_event(stack):
    stack.ecs.script = [{"exit": 0}]
    detail = upload("movies/a.mov")
    run = only_execution(stack, "JobsTranscodeWorkflow")
    assert run["status"] == "SUCCEEDED"
    assert stack.inputs() == [detail]  # InputPath: $.detail
    assert stack.executions("JobsExportWorkflow") == []  # the rule starts exactly its task


def test_an_event_that_matches_nothing_starts_nothing(stack):
    boto3.client("events", region_name=REGION).put_events(
        Entries=[{"Source": "my.app", "DetailType": "Object Created", "Detail": "{}"}]
    )
    time.sleep(0.5)
    assert stack.executions("JobsTranscodeWorkflow") == []


# --- a caller -----------------------------------------------------------------------------------


def test_a_callers_input_reaches_the_container_and_the_outcome_is_read(stack, monkeypatch):
    caller_environment(monkeypatch)
    helper = readme_helper()
    stack.ecs.script = [{"exit": 0}]
    arn = helper["start_export"]({"table": "orders", "since": "2026-01-01"})
    assert helper["outcome"](arn, poll=0.2) == {
        "status": "SUCCEEDED",
        "exitCode": 0,
        "reason": None,
    }
    assert stack.inputs() == [{"table": "orders", "since": "2026-01-01"}]


def test_a_failed_callers_run_reports_its_exit_code_and_reason(stack, monkeypatch):
    caller_environment(monkeypatch)
    helper = readme_helper()
    stack.ecs.script = [{"exit": 3}, {"exit": 3}]  # Retries: 1
    arn = helper["start_export"]({"table": "orders"})
    got = helper["outcome"](arn, poll=0.2)
    assert got["status"] == "FAILED" and got["exitCode"] == 3
    assert "Essential container in task exited" in got["reason"]
    (message,) = stack.messages()
    assert message["task"] == "export" and message["exitCode"] == 3


def test_an_oversize_input_fails_the_run_visibly_with_a_dead_letter_message(stack, monkeypatch):
    """ECS takes at most 8192 characters of overrides: a larger input fails the run with
    ECS's reason, reported like any failed run; it is never cut, and no task starts."""
    caller_environment(monkeypatch)
    helper = readme_helper()
    arn = helper["start_export"]({"blob": "x" * 9000})
    got = helper["outcome"](arn, poll=0.2)
    assert got["status"] == "FAILED" and got["exitCode"] is None
    assert "8192" in got["reason"]
    ecs = boto3.client("ecs", region_name=REGION)
    for cluster in ecs.list_clusters()["clusterArns"]:  # no task ever started
        for status in ("RUNNING", "STOPPED"):
            assert ecs.list_tasks(cluster=cluster, desiredStatus=status)["taskArns"] == []
    (message,) = stack.messages()
    assert message["task"] == "export" and "8192" in message["reason"]


# --- retries and timeout, alike ----------------------------------------------------------------


def start(stack, monkeypatch, starter: str) -> dict:
    if starter == "event":
        upload("movies/b.mov")
        return only_execution(stack, "JobsTranscodeWorkflow")
    caller_environment(monkeypatch)
    arn = readme_helper()["start_export"]({"table": "orders"})
    return wait_for(stack.sfn, arn)


@pytest.mark.parametrize("starter", ["event", "caller"])
def test_retries_apply_to_event_and_caller_runs_alike(stack, monkeypatch, starter):
    stack.ecs.script = [{"exit": 1}, {"exit": 0}]
    run = start(stack, monkeypatch, starter)
    assert run["status"] == "SUCCEEDED"
    assert len(stack.runs.calls) == 2
    first, second = stack.inputs()
    assert first == second  # a retry gets the same input
    assert stack.messages() == []


@pytest.mark.parametrize("stack", [2], indirect=True)
@pytest.mark.parametrize("starter", ["event", "caller"])
def test_timeout_applies_to_event_and_caller_runs_alike(stack, monkeypatch, starter):
    stack.ecs.script = [{"hang": True}, {"hang": True}]
    run = start(stack, monkeypatch, starter)
    assert run["status"] == "FAILED"
    (message,) = stack.messages()
    assert message["stopCode"] == "Timeout" or "Timeout" in json.dumps(message)
    assert message["attempts"] == 2

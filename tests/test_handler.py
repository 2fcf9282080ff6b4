"""The macro Lambda driven with events shaped exactly like CloudFormation's (events/)."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import EVENTS, lint
from serverless_fargate import handler as macro


def event(name):
    return json.loads((EVENTS / name).read_text())


def test_success():
    request = event("macro.json")
    answer = macro.handler(copy.deepcopy(request), None)
    assert set(answer) == {"requestId", "status", "fragment"}
    assert answer["requestId"] == request["requestId"]
    assert answer["status"] == "success"
    resources = answer["fragment"]["Resources"]
    assert "Workers" not in resources
    assert {"WorkersQueueWorkerService", "WorkersNightlySchedule"} <= set(resources)
    # The lookup runs again on each deploy: the nonce is the request ID.
    assert resources["WorkersImageDigests"]["Properties"]["Nonce"] == request["requestId"]
    assert json.loads(json.dumps(answer)) == answer  # the answer is plain JSON
    assert lint(answer["fragment"]) == []


def test_parameter_values_are_used_to_validate():
    request = event("macro.json")
    request["templateParameterValues"] = {"WorkerCpu": "4096"}  # 1 GB is too little for 4 vCPU
    answer = macro.handler(request, None)
    assert answer["status"] == "failure"
    assert "queue-worker.Memory: 1024 MiB is not valid with Cpu 4096" in answer["errorMessage"]


def test_failure_lists_every_problem_with_its_path():
    request = event("macro-invalid.json")
    answer = macro.handler(copy.deepcopy(request), None)
    assert answer["status"] == "failure"
    assert answer["requestId"] == request["requestId"]
    assert answer["errorMessage"].splitlines() == [
        "Resources.Workers.Properties.Tasks.nightly.Schedule: 'every day' is not a rate(), cron() or at() expression",
        "Resources.Workers.Properties.Tasks.queue-worker.Memory: 4096 MiB is not valid with Cpu 256 (allowed: 512, 1024, 2048)",
    ]
    assert answer["fragment"] == request["fragment"]  # never half-processed


def test_service_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("RESOURCES_FUNCTION_ARN", "arn:aws:lambda:eu-west-1:1:function:custom")
    answer = macro.handler(event("macro.json"), None)
    token = answer["fragment"]["Resources"]["WorkersImageDigests"]["Properties"]["ServiceToken"]
    assert token == "arn:aws:lambda:eu-west-1:1:function:custom"


@pytest.mark.parametrize(
    "request_", [None, [], "text", {"requestId": "r"}, {"requestId": "r", "fragment": []}]
)
def test_malformed_events_get_a_failure(request_):
    answer = macro.handler(request_, None)
    assert answer["status"] == "failure"
    assert answer["errorMessage"]


def test_internal_error_is_a_failure_not_an_exception(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(macro, "transform", broken)
    answer = macro.handler(event("macro.json"), None)
    assert answer["status"] == "failure"
    assert "internal error" in answer["errorMessage"] and "5f8a6c2e" in answer["errorMessage"]


def test_template_without_declarations_is_returned_unchanged():
    request = {"requestId": "r", "fragment": {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}}
    answer = macro.handler(copy.deepcopy(request), None)
    assert answer == {"requestId": "r", "status": "success", "fragment": request["fragment"]}

"""What the transform generates for Fargate Spot: strategies, the on-demand twin, the runner."""

from __future__ import annotations

import json

import fargate_spot
import pytest
from conftest import expand, lint, problems, task
from serverless_fargate import settings

T = "Resources.Workers.Properties.Tasks.worker"


def resources(**props):
    return expand(task(**props))["Resources"]


@pytest.mark.parametrize(
    ("spot", "expected"),
    [
        (True, [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]),
        (
            {"OnDemandBase": 2},
            [
                {"CapacityProvider": "FARGATE", "Base": 2, "Weight": 0},
                {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
            ],
        ),
        (
            {"OnDemandWeight": 1, "SpotWeight": 4},
            [
                {"CapacityProvider": "FARGATE", "Base": 0, "Weight": 1},
                {"CapacityProvider": "FARGATE_SPOT", "Weight": 4},
            ],
        ),
        (
            {"OnDemandBase": 1, "OnDemandWeight": 1, "SpotWeight": 1},
            [
                {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1},
                {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
            ],
        ),
    ],
)
def test_every_strategy_shape_on_services_and_schedules_lints_clean(spot, expected):
    service = resources(Spot=spot, Architecture="ARM64")
    assert service["WorkersWorkerService"]["Properties"]["CapacityProviderStrategy"] == expected
    assert "LaunchType" not in service["WorkersWorkerService"]["Properties"]
    direct_spot = {"Fallback": False} if spot is True else {**spot, "Fallback": False}
    scheduled = resources(Spot=direct_spot, Schedule="rate(1 hour)")
    ecs = scheduled["WorkersWorkerSchedule"]["Properties"]["Target"]["EcsParameters"]
    assert ecs["CapacityProviderStrategy"] == expected and "LaunchType" not in ecs
    assert lint(expand(task(Spot=spot, Architecture="ARM64"))) == []
    assert lint(expand(task(Spot=direct_spot, Schedule="rate(1 hour)"))) == []


def test_stop_timeout_is_120_on_spot():
    container = resources(Spot=True)["WorkersWorkerTaskDefinition"]["Properties"][
        "ContainerDefinitions"
    ][0]
    assert container["StopTimeout"] == 120


def test_spot_service_gets_an_on_demand_twin():
    out = resources(Spot=True, Service={"DesiredCount": 3})
    primary = out["WorkersWorkerService"]["Properties"]
    twin = out["WorkersWorkerFallbackService"]["Properties"]
    assert twin["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE", "Weight": 1}]
    assert "DesiredCount" not in twin  # the handler owns its count; a deploy never resets it
    assert twin["TaskDefinition"] == primary["TaskDefinition"]
    assert twin["NetworkConfiguration"] == primary["NetworkConfiguration"]
    assert {
        "Key": "serverless-fargate:fallback-service",
        "Value": {"Fn::GetAtt": ["WorkersWorkerFallbackService", "Name"]},
    } in primary["Tags"]
    assert {"Key": "serverless-fargate:fallback-for", "Value": "WorkersWorkerService"} in twin[
        "Tags"
    ]
    assert {"Key": "serverless-fargate:managed", "Value": "true"} in twin["Tags"]
    assert lint(expand(task(Spot=True, Service={"DesiredCount": 3}))) == []


def test_no_twin_without_fallback_or_spot():
    assert "WorkersWorkerFallbackService" not in resources(Spot={"Fallback": False})
    assert "WorkersWorkerFallbackService" not in resources()


def test_spot_schedule_with_fallback_goes_through_the_runner():
    out = resources(
        Spot={"OnDemandBase": 1, "RerunOnInterruption": True},
        Schedule={"Expression": "rate(1 hour)", "TaskCount": 2},
    )
    target = out["WorkersWorkerSchedule"]["Properties"]["Target"]
    assert target["Arn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:ServerlessFargate-spot"
    }
    assert "EcsParameters" not in target
    text, variables = target["Input"]["Fn::Sub"]
    filled = text
    for name in ("TaskCount", "Base", "OnDemandWeight", "SpotWeight"):
        filled = filled.replace("${" + name + "}", variables[name])
    for name in ("Cluster", "TaskDefinition", "Subnets", "SecurityGroups", "AssignPublicIp"):
        filled = filled.replace("${" + name + "}", "x")
    body = json.loads(filled)
    assert body["action"] == "run" and body["task"] == "worker" and body["count"] == 2
    assert body["strategy"] == {"base": 1, "onDemandWeight": 0, "spotWeight": 1}
    assert (body["fallback"], body["rerunOnInterruption"]) == (True, True)
    assert body["executionId"] == "<aws.scheduler.execution-id>"
    assert variables["TaskDefinition"] == {"Ref": "WorkersWorkerTaskDefinition"}
    role = out["WorkersScheduleRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert role == [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": target["Arn"]}
    ]
    assert lint(expand(task(Spot=True, Schedule="rate(1 hour)"))) == []


def test_runner_roles_must_be_under_the_path():
    found = problems(
        task(Spot=True, Schedule="rate(1 hour)", TaskRoleArn="arn:aws:iam::123456789012:role/mine")
    )
    assert found == [
        f"{T}.TaskRoleArn: a Spot scheduled task with Fallback or RerunOnInterruption is started by the "
        "ServerlessFargate runner, which may pass only roles under the path /serverless-fargate/: give the "
        "role that path, leave TaskRoleArn out, or set Spot Fallback: false"
    ]
    resources(
        Spot=True,
        Schedule="rate(1 hour)",
        TaskRoleArn="arn:aws:iam::123456789012:role/serverless-fargate/mine",
    )
    resources(
        Spot={"Fallback": False},
        Schedule="rate(1 hour)",
        TaskRoleArn="arn:aws:iam::123456789012:role/mine",
    )


def test_created_roles_are_under_the_path_the_runner_may_pass():
    out = resources(Spot=True, Schedule="rate(1 hour)")
    assert out["WorkersExecutionRole"]["Properties"]["Path"] == "/serverless-fargate/"
    assert out["WorkersWorkerTaskRole"]["Properties"]["Path"] == "/serverless-fargate/"


def test_markers_agree_between_transform_and_handler():
    assert settings.FALLBACK_SERVICE_TAG == fargate_spot.FALLBACK_SERVICE_TAG
    assert settings.FALLBACK_FOR_TAG == fargate_spot.FALLBACK_FOR_TAG

"""What the transform generates for Fargate Spot: strategies and the on-demand twin (scheduled
runs: tests/test_workflow.py)."""

from __future__ import annotations

import pytest
from conftest import expand, lint, task
from serverless_fargate.resources.workflow_contract import task_settings

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
@pytest.mark.slow
def test_every_strategy_shape_on_services_and_schedules_lints_clean(spot, expected):
    service = resources(Spot=spot, Architecture="ARM64")
    assert service["WorkersWorkerService"]["Properties"]["CapacityProviderStrategy"] == expected
    assert "LaunchType" not in service["WorkersWorkerService"]["Properties"]
    direct_spot = {"Fallback": False} if spot is True else {**spot, "Fallback": False}
    scheduled = resources(Spot=direct_spot, Schedule="rate(1 hour)")
    definition = scheduled["WorkersWorkerWorkflow"]["Properties"]["Definition"]
    assert task_settings(definition)["worker"]["capacity"] == expected
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
    assert "DesiredCount" not in twin  # the fallback owns its count; a deploy never resets it
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


def test_the_spot_service_names_itself_for_its_twin_to_point_back():
    out = resources(Spot=True)
    primary = {t["Key"]: t["Value"] for t in out["WorkersWorkerService"]["Properties"]["Tags"]}
    twin = {t["Key"]: t["Value"] for t in out["WorkersWorkerFallbackService"]["Properties"]["Tags"]}
    assert primary["serverless-fargate:service"] == "WorkersWorkerService"
    assert twin["serverless-fargate:fallback-for"] == "WorkersWorkerService"
    assert "serverless-fargate:service" not in twin

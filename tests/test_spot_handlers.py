"""The Spot Lambda driven with ECS events in the shape AWS documents (events/), against moto ECS."""

from __future__ import annotations

import json

import boto3
import pytest
from conftest import EVENTS
from fargate_spot import handler as spot
from fargate_spot import runner
from moto import mock_aws

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws(fake_aws):
    spot.ecs.cache_clear()
    with mock_aws():
        yield boto3.client("ecs", region_name=REGION)
    getattr(spot.ecs, "cache_clear", lambda: None)()


def load(name, **detail):
    event = json.loads((EVENTS / name).read_text())
    event.get("detail", event).update(detail)
    return event


class Recording:
    """A real (moto) client that records calls and can answer RunTask with failures."""

    def __init__(self, real, spot_failure=None, failure=None):
        self.real, self.calls = real, []
        self.spot_failure, self.failure = spot_failure, failure

    def __getattr__(self, name):
        method = getattr(self.real, name)

        def call(**kwargs):
            self.calls.append((name, kwargs))
            if name == "run_task":
                providers = [
                    s["capacityProvider"] for s in kwargs.get("capacityProviderStrategy", [])
                ]
                reason = self.failure or (
                    self.spot_failure if "FARGATE_SPOT" in providers else None
                )
                if reason:
                    return {
                        "tasks": [],
                        "failures": [{"arn": kwargs["taskDefinition"], "reason": reason}]
                        * kwargs["count"],
                    }
            return method(**kwargs)

        return call

    def names(self):
        return [name for name, _ in self.calls]


def setup_services(ecs, desired=3):
    ecs.create_cluster(clusterName="shop", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    definition = ecs.register_task_definition(
        family="relay",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "relay", "image": "nginx", "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]
    twin = ecs.create_service(
        cluster="shop",
        serviceName="shop-ShopEventRelayFallbackService-Q1",
        taskDefinition=definition,
        desiredCount=0,
        capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        tags=[{"key": "serverless-fargate:fallback-for", "value": "ShopEventRelayService"}],
    )["service"]
    primary = ecs.create_service(
        cluster="shop",
        serviceName="shop-ShopEventRelayService-AbC123",
        taskDefinition=definition,
        desiredCount=desired,
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        tags=[{"key": "serverless-fargate:fallback-service", "value": twin["serviceName"]}],
    )["service"]
    return primary, twin


def count(ecs, name):
    return ecs.describe_services(cluster="shop", services=[name])["services"][0]["desiredCount"]


# --- services -------------------------------------------------------------------------------


def logged(caplog, message):
    """The structured log record with this message (Powertools puts extra keys on it)."""
    return [r for r in caplog.records if r.getMessage() == message][-1]


def test_placement_failure_on_spot_starts_the_missing_tasks_on_demand(aws, caplog):
    primary, twin = setup_services(aws)  # moto: the Spot service runs none of its 3 tasks
    outcome = spot.handler(load("ecs-service-placement-failure.json"), None)
    assert outcome["action"] == "fallback" and outcome["count"] == 3
    assert count(aws, twin["serviceName"]) == 3
    line = logged(caplog, "spot fallback")
    assert (line.service, line.cluster, line.reason) == (
        primary["serviceName"],
        "arn:aws:ecs:us-east-1:123456789012:cluster/shop",
        "RESOURCE:FARGATE",
    )


def test_the_same_event_twice_does_not_start_more(aws):
    _, twin = setup_services(aws)
    recording = Recording(aws)
    event = load("ecs-service-placement-failure.json")
    from fargate_spot import fallback

    first = fallback.on_service_action(recording, event)
    second = fallback.on_service_action(recording, event)
    assert first["count"] == 3 and second["action"] == "none"
    assert recording.names().count("update_service") == 1
    assert count(aws, twin["serviceName"]) == 3


def test_steady_on_spot_again_stops_the_twin(aws):
    primary, twin = setup_services(aws)
    spot.handler(load("ecs-service-placement-failure.json"), None)
    aws.update_service(
        cluster="shop", service=primary["serviceName"], desiredCount=3
    )  # moto: all 3 run
    outcome = spot.handler(load("ecs-service-steady-state.json"), None)
    assert outcome["action"] == "back-to-spot"
    assert count(aws, twin["serviceName"]) == 0
    assert spot.handler(load("ecs-service-steady-state.json"), None)["action"] == "none"


def test_placement_failure_not_about_spot_changes_nothing(aws):
    _, twin = setup_services(aws)
    event = load(
        "ecs-service-placement-failure.json",
        capacityProviderArns=["arn:aws:ecs:us-east-1:123456789012:capacity-provider/FARGATE"],
    )
    assert spot.handler(event, None)["action"] == "none"
    assert count(aws, twin["serviceName"]) == 0


def test_services_not_ours_are_left_alone(aws):
    aws.create_cluster(clusterName="shop")
    aws.register_task_definition(
        family="x", containerDefinitions=[{"name": "x", "image": "nginx", "memory": 128}]
    )
    aws.create_service(
        cluster="shop",
        serviceName="shop-ShopEventRelayService-AbC123",
        taskDefinition="x",
        desiredCount=2,
    )
    recording = Recording(aws)
    from fargate_spot import fallback

    outcome = fallback.on_service_action(recording, load("ecs-service-placement-failure.json"))
    assert outcome["action"] == "none" and "update_service" not in recording.names()


# --- scheduled runs -------------------------------------------------------------------------


def setup_task_definition(ecs):
    ecs.create_cluster(clusterName="shop", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    return ecs.register_task_definition(
        family="shop-ShopInventorySyncTaskDefinition-XyZ",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="1024",
        memory="2048",
        containerDefinitions=[{"name": "inventory-sync", "image": "nginx", "memory": 1024}],
    )["taskDefinition"]["taskDefinitionArn"]


def moto_network():
    """Two real (moto) default subnets and the default security group."""
    ec2 = boto3.client("ec2", region_name=REGION)
    subnets = sorted(s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["DefaultForAz"])[
        :2
    ]
    group = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
    return subnets, group


def request(definition, **changes):
    """events/scheduled-run.json with this task definition and moto's network."""
    body = json.loads((EVENTS / "scheduled-run.json").read_text())
    subnets, group = moto_network()
    return {
        **body,
        "taskDefinition": definition,
        "subnets": ",".join(subnets),
        "securityGroups": group,
        **changes,
    }


def test_run_on_spot(aws):
    definition = setup_task_definition(aws)
    recording = Recording(aws)
    outcome = runner.run(recording, request(definition))
    assert (outcome["spot"], outcome["on_demand"]) == (1, 0)
    ((name, call),) = recording.calls
    assert call["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    assert call["clientToken"] == "b4c1d2e3-f4a5-4b6c-8d7e-9f0a1b2c3d4e"
    subnets, group = moto_network()
    assert call["networkConfiguration"] == {
        "awsvpcConfiguration": {
            "subnets": subnets,
            "assignPublicIp": "DISABLED",
            "securityGroups": [group],
        }
    }


CAPACITY = "Capacity is unavailable at this time. Please try again later or in a different availability zone"


def test_capacity_shortage_lands_the_run_on_fargate(aws):
    definition = setup_task_definition(aws)
    recording = Recording(aws, spot_failure=CAPACITY)
    outcome = runner.run(recording, request(definition, count=2))
    assert (outcome["spot"], outcome["on_demand"], outcome["fallback"]) == (0, 2, True)
    strategies = [c["capacityProviderStrategy"] for n, c in recording.calls if n == "run_task"]
    assert strategies == [
        [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        [{"capacityProvider": "FARGATE", "weight": 1}],
    ]
    tokens = [c["clientToken"] for n, c in recording.calls if n == "run_task"]
    assert tokens[1] == tokens[0] + "-od"
    tasks = aws.describe_tasks(cluster="shop", tasks=outcome["tasks"])["tasks"]
    assert len(tasks) == 2


def test_non_capacity_failure_is_not_retried_on_demand(aws):
    definition = setup_task_definition(aws)
    recording = Recording(aws, failure="MISSING")
    with pytest.raises(runner.RunFailed, match="MISSING"):
        runner.run(recording, request(definition))
    assert recording.names() == ["run_task"]


def test_without_fallback_a_shortage_fails_the_run(aws):
    definition = setup_task_definition(aws)
    recording = Recording(aws, spot_failure=CAPACITY)
    with pytest.raises(runner.RunFailed, match="no Fargate Spot capacity"):
        runner.run(recording, request(definition, fallback=False))
    assert recording.names() == ["run_task"]


def test_runner_through_the_handler_logs_the_fallback(aws, caplog, monkeypatch):
    definition = setup_task_definition(aws)
    monkeypatch.setattr(spot, "ecs", lambda: Recording(aws, spot_failure=CAPACITY))
    outcome = spot.handler(request(definition), None)
    assert outcome["on_demand"] == 1
    line = logged(caplog, "spot fallback")
    assert (line.task, line.reason, line.on_demand) == ("inventory-sync", CAPACITY, 1)


# --- reruns ---------------------------------------------------------------------------------


def interrupted(ecs, definition):
    """A run started by the runner with RerunOnInterruption, then interrupted."""
    task = runner.run(ecs, request(definition))["tasks"][0]
    cluster = ecs.describe_clusters(clusters=["shop"])["clusters"][0]["clusterArn"]
    return load(
        "ecs-task-spot-interruption.json",
        taskArn=task,
        taskDefinitionArn=definition,
        clusterArn=cluster,
    )


def test_interrupted_run_is_started_again_once_on_demand(aws, caplog):
    definition = setup_task_definition(aws)
    event = interrupted(aws, definition)
    recording = Recording(aws)
    monkey = spot.ecs
    try:
        spot.ecs = lambda: recording
        first = spot.handler(event, None)
        second = spot.handler(event, None)
    finally:
        spot.ecs = monkey
    assert first["action"] == "rerun" and second == {
        "action": "none",
        "why": "already rerun",
        "rerun": first["rerun"],
    }
    runs = [c for n, c in recording.calls if n == "run_task"]
    assert len(runs) == 1
    run = runs[0]
    assert run["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1}]
    assert run["overrides"] == event["detail"]["overrides"]
    assert run["startedBy"] == "serverless-fargate/rerun-done"
    subnets, group = moto_network()
    assert run["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == subnets
    assert run["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == [group]
    assert logged(caplog, "spot rerun").interrupted == event["detail"]["taskArn"]


def test_only_marked_runs_are_rerun(aws):
    definition = setup_task_definition(aws)
    for changes in (
        {"startedBy": "serverless-fargate"},
        {"startedBy": "serverless-fargate/rerun-done"},
        {"stopCode": "EssentialContainerExited"},
        {"startedBy": "someone-else"},
    ):
        event = load("ecs-task-spot-interruption.json", **changes)
        assert spot.handler(event, None)["action"] == "none"
    assert aws.list_tasks(cluster="shop")["taskArns"] == []
    assert definition


def test_unknown_events_are_ignored():
    assert (
        spot.handler({"detail-type": "EC2 Instance State-change Notification"}, None)["action"]
        == "none"
    )

"""The Spot Lambda driven with ECS events in the shape AWS documents (events/), against moto ECS."""

from __future__ import annotations

import json

import boto3
import pytest
from conftest import EVENTS
from fargate_spot import handler as spot
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
        tags=[
            {"key": "serverless-fargate:fallback-service", "value": twin["serviceName"]},
            {"key": "serverless-fargate:service", "value": "ShopEventRelayService"},
        ],
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


# --- a twin must name its service back ------------------------------------------------------


def test_a_forged_twin_tag_moves_nothing(aws):
    """A service tagged to name someone else's service as its twin: the twin does not point
    back at it, so nothing is scaled."""
    primary, twin = setup_services(aws)
    forged = aws.create_service(
        cluster="shop",
        serviceName="intruder",
        taskDefinition=primary["taskDefinition"],
        desiredCount=4,
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        tags=[
            {"key": "serverless-fargate:fallback-service", "value": twin["serviceName"]},
            {"key": "serverless-fargate:service", "value": "IntruderService"},
        ],
    )["service"]
    recording = Recording(aws)
    from fargate_spot import fallback

    event = load("ecs-service-placement-failure.json")
    event["resources"] = [forged["serviceArn"]]
    outcome = fallback.on_service_action(recording, event)
    assert outcome == {"action": "none", "why": "the twin does not name this service back"}
    assert "update_service" not in recording.names() and count(aws, twin["serviceName"]) == 0


@pytest.mark.slow
def test_twins_of_different_stacks_are_not_a_pair(aws):
    primary, twin = setup_services(aws)
    aws.tag_resource(
        resourceArn=twin["serviceArn"],
        tags=[{"key": "aws:cloudformation:stack-id", "value": "stack/other"}],
    )
    from fargate_spot import fallback

    outcome = fallback.on_service_action(aws, load("ecs-service-placement-failure.json"))
    assert outcome["action"] == "none" and count(aws, twin["serviceName"]) == 0


def test_unknown_events_are_ignored():
    assert (
        spot.handler({"detail-type": "EC2 Instance State-change Notification"}, None)["action"]
        == "none"
    )

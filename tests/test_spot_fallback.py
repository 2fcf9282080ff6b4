"""Spot services' fallback to their on-demand twins: each declaration's own rule and workflow.

The rule's pattern is matched by moto's EventBridge matcher and its input transformer applied as
EventBridge does; the workflow runs in moto's Step Functions interpreter against moto's ECS
(tests/workflow_harness.py), with the events ECS documents (events/*.json).
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from conftest import EVENTS, declaration, expand, lint
from moto import mock_aws
from moto.events.models import EventPattern
from workflow_harness import ACCOUNT, REGION, evaluate, patch_moto, transformed_input, wait_for

SERVICE_A = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/shop-WorkersAService-AbC123"
TWIN_A = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/shop-WorkersAFallbackService-Q1"
SERVICE_D = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/shop-WorkersDService-AbC123"
TWIN_D = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/shop-WorkersDFallbackService-Q1"
REFS = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "WorkersCluster": "shop",
    "WorkersAService": SERVICE_A,
    "WorkersAFallbackService": TWIN_A,
    "WorkersDService": SERVICE_D,
    "WorkersDFallbackService": TWIN_D,
    "WorkersSpotFallback": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:fallback",
    "WorkersSpotFallbackRuleRole.Arn": f"arn:aws:iam::{ACCOUNT}:role/rule",
    "WorkersSpotFallbackRole.Arn": f"arn:aws:iam::{ACCOUNT}:role/fallback",
}
EACH = "Each Spot service"


def template():
    """Two Spot services with fallback (a, d), one without (b), one on demand (c)."""
    return expand(
        declaration(
            {
                "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
                "Tasks": {
                    "a": {"Image": "x", "Spot": True},
                    "b": {"Image": "x", "Spot": {"Fallback": False}},
                    "c": {"Image": "x"},
                    "d": {"Image": "x", "Spot": True},
                },
            }
        )
    )


def resources():
    return template()["Resources"]


def event(name, service=SERVICE_A, **changes):
    loaded = json.loads((EVENTS / name).read_text())
    loaded["resources"] = [service]
    detail = changes.pop("detail", {})
    loaded["detail"].update(detail)
    loaded.update(changes)
    return loaded


def delivered(rule, sent):
    """What EventBridge gives the rule's target for `sent`; None when the rule does not match.
    moto's matcher follows EventBridge's documented pattern syntax ($or, exact values)."""
    properties = evaluate(rule["Properties"], REFS)
    if not EventPattern.load(json.dumps(properties["EventPattern"])).matches_event(sent):
        return None
    return transformed_input(properties["Targets"][0]["InputTransformer"], sent)


# --- what is generated -------------------------------------------------------------------------


def test_the_rule_hears_ecs_of_this_account_and_region_for_exactly_these_spot_services():
    out = template()
    rule = out["Resources"]["WorkersSpotFallbackRule"]["Properties"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.ecs"]
    assert pattern["detail-type"] == ["ECS Service Action"]
    assert pattern["account"] == [{"Ref": "AWS::AccountId"}]
    assert pattern["region"] == [{"Ref": "AWS::Region"}]
    assert pattern["resources"] == [{"Ref": "WorkersAService"}, {"Ref": "WorkersDService"}]
    assert rule["Targets"][0]["Arn"] == {"Ref": "WorkersSpotFallback"}
    assert rule["Targets"][0]["RoleArn"] == {"Fn::GetAtt": ["WorkersSpotFallbackRuleRole", "Arn"]}
    assert "WorkersSpotFallbackPermission" not in out["Resources"]  # no shared function
    assert lint(out) == []


def statements(out, role):
    return out["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def test_only_this_declarations_roles_may_start_the_workflow_and_change_its_twins():
    out = template()
    assert statements(out, "WorkersSpotFallbackRuleRole") == [
        {
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": {"Ref": "WorkersSpotFallback"},
        }
    ]
    assert statements(out, "WorkersSpotFallbackRole") == [
        {
            "Effect": "Allow",
            "Action": "ecs:DescribeServices",
            "Resource": [
                {"Ref": "WorkersAService"},
                {"Ref": "WorkersDService"},
                {"Ref": "WorkersAFallbackService"},
                {"Ref": "WorkersDFallbackService"},
            ],
        },
        {
            "Effect": "Allow",
            "Action": "ecs:UpdateService",
            "Resource": [{"Ref": "WorkersAFallbackService"}, {"Ref": "WorkersDFallbackService"}],
        },
    ]
    trust = out["Resources"]["WorkersSpotFallbackRuleRole"]["Properties"][
        "AssumeRolePolicyDocument"
    ]["Statement"][0]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    machine = out["Resources"]["WorkersSpotFallback"]["Properties"]
    assert machine["RoleArn"] == {"Fn::GetAtt": ["WorkersSpotFallbackRole", "Arn"]}
    # The workflow's role trusts exactly this state machine, spelled from its name.
    workflow_trust = out["Resources"]["WorkersSpotFallbackRole"]["Properties"][
        "AssumeRolePolicyDocument"
    ]["Statement"][0]
    assert workflow_trust["Principal"] == {"Service": "states.amazonaws.com"}
    (arn,) = workflow_trust["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert arn["Fn::Sub"][1]["Name"] == machine["StateMachineName"]
    assert "*" not in json.dumps(workflow_trust)


def test_no_fallback_resources_without_a_spot_service_with_fallback():
    out = expand(
        declaration(
            {
                "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
                "Tasks": {"b": {"Image": "x", "Spot": {"Fallback": False}}, "c": {"Image": "x"}},
            }
        )
    )
    assert not [k for k in out["Resources"] if "SpotFallback" in k]


# --- which events reach the workflow -----------------------------------------------------------

FAILURE, STEADY = "ecs-service-placement-failure.json", "ecs-service-steady-state.json"


def test_the_rule_passes_on_spot_placement_failures_and_steady_states_of_its_services():
    rule = resources()["WorkersSpotFallbackRule"]
    assert delivered(rule, event(FAILURE)) == {
        "services": [SERVICE_A],
        "event": "SERVICE_TASK_PLACEMENT_FAILURE",
    }
    # A strategy with an on-demand base: ECS names both providers; FARGATE_SPOT is among them.
    both = [
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:capacity-provider/{p}" for p in ("FARGATE", "FARGATE_SPOT")
    ]
    assert delivered(rule, event(FAILURE, detail={"capacityProviderArns": both})) is not None
    assert delivered(rule, event(STEADY, SERVICE_D)) == {
        "services": [SERVICE_D],
        "event": "SERVICE_STEADY_STATE",
    }


INTRUDER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/intruder"


@pytest.mark.parametrize(
    "forged",
    [
        event(FAILURE, INTRUDER),  # a service in the same cluster, not this declaration's
        event(FAILURE, source="my.custom.app"),
        event(FAILURE, account="210987654321"),
        event(FAILURE, region="eu-west-1"),
        event(FAILURE, **{"detail-type": "ECS Task State Change"}),
        event(FAILURE, detail={"eventName": "SERVICE_TASK_START_IMPAIRED"}),
        # A placement failure of on-demand capacity: the twin would be short too.
        event(
            FAILURE,
            detail={
                "capacityProviderArns": [
                    f"arn:aws:ecs:{REGION}:{ACCOUNT}:capacity-provider/FARGATE"
                ]
            },
        ),
    ],
    ids=[
        "intruder service",
        "another source",
        "another account",
        "another region",
        "another detail-type",
        "another event",
        "on-demand capacity",
    ],
)
def test_no_other_event_reaches_the_workflow(forged):
    assert delivered(resources()["WorkersSpotFallbackRule"], forged) is None


# --- the workflow, executed --------------------------------------------------------------------


@pytest.fixture
def world(monkeypatch, fake_aws):
    """moto's ECS with the two Spot services and their twins (as the template makes them), and
    the declaration's fallback workflow."""
    patch_moto(monkeypatch)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        ecs = boto3.client("ecs", region_name=REGION)
        ecs.create_cluster(clusterName="shop", capacityProviders=["FARGATE", "FARGATE_SPOT"])
        definition = ecs.register_task_definition(
            family="relay",
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "relay", "image": "nginx", "memory": 512}],
        )["taskDefinition"]["taskDefinitionArn"]

        def service(arn, count, provider):
            ecs.create_service(
                cluster="shop",
                serviceName=arn.rsplit("/", 1)[1],
                taskDefinition=definition,
                desiredCount=count,
                capacityProviderStrategy=[{"capacityProvider": provider, "weight": 1}],
            )

        for spot, twin in ((SERVICE_A, TWIN_A), (SERVICE_D, TWIN_D)):
            service(spot, 3, "FARGATE_SPOT")  # moto: none of the 3 runs (Spot is short)
            service(twin, 0, "FARGATE")
        service(INTRUDER, 4, "FARGATE_SPOT")
        out = resources()
        body = evaluate(out["WorkersSpotFallback"]["Properties"]["Definition"], REFS)
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = sfn.create_state_machine(
            name="fallback",
            definition=json.dumps(body),
            roleArn=REFS["WorkersSpotFallbackRole.Arn"],
        )["stateMachineArn"]
        rule = out["WorkersSpotFallbackRule"]
        check = evaluate(out["WorkersSpotFallbackCheck"]["Properties"]["Targets"][0], REFS)

        def deliver(sent=None, *, raw=None):
            """Start the workflow as the rule's target would, or with `raw` input (someone
            allowed to start it by hand)."""
            given = raw if raw is not None else delivered(rule, sent)
            if sent == "check":  # the scheduled check: the rule's constant input
                given = json.loads(check["Input"])
            assert given is not None, "the rule does not match"
            # EventBridge names no execution: Step Functions makes a unique name (moto does not).
            execution = sfn.start_execution(
                stateMachineArn=machine, name=str(uuid.uuid4()), input=json.dumps(given)
            )
            done = wait_for(sfn, execution["executionArn"])
            history = sfn.get_execution_history(executionArn=execution["executionArn"])
            entered = [
                e["stateEnteredEventDetails"]["name"]
                for e in history["events"]
                if e["type"].endswith("StateEntered")
            ]
            return done, entered

        def count(arn):
            found = ecs.describe_services(cluster="shop", services=[arn])["services"]
            return found[0]["desiredCount"]

        yield deliver, count, ecs


def test_spot_short_starts_the_missing_tasks_on_the_twin_then_back_to_spot(world):
    deliver, count, ecs = world
    done, entered = deliver(event(FAILURE))
    assert done["status"] == "SUCCEEDED", done
    assert entered[-1] == "Fall back to on-demand" and len(entered) == 6
    assert (count(TWIN_A), count(TWIN_D)) == (3, 0)
    # The same event again (EventBridge delivers at least once): nothing more.
    done, entered = deliver(event(FAILURE))
    assert entered[-1] == "Nothing to change" and count(TWIN_A) == 3
    # Steady, but Spot does not run every task yet (moto: 0 of 3): the twin stays.
    done, entered = deliver(event(STEADY))
    assert entered[-1] == "Nothing to change" and count(TWIN_A) == 3
    # Steady on Spot with every task running: the twin goes back to zero, once.
    ecs.update_service(cluster="shop", service=SERVICE_A, desiredCount=3)  # moto: 3 of 3 run
    assert (
        ecs.describe_services(cluster="shop", services=[SERVICE_A])["services"][0]["runningCount"]
        == 3
    )
    done, entered = deliver(event(STEADY))
    assert done["status"] == "SUCCEEDED", done
    assert entered[-1] == "Back to Spot" and count(TWIN_A) == 0
    done, entered = deliver(event(STEADY))
    assert entered[-1] == "Nothing to change" and count(TWIN_A) == 0


def test_a_twin_never_gets_fewer_tasks_on_a_placement_failure(world):
    deliver, count, ecs = world
    ecs.update_service(cluster="shop", service=TWIN_D, desiredCount=5)
    done, entered = deliver(event(FAILURE, SERVICE_D))
    assert entered[-1] == "Nothing to change" and count(TWIN_D) == 5


@pytest.mark.parametrize(
    "given",
    [
        {"services": [INTRUDER], "event": "SERVICE_TASK_PLACEMENT_FAILURE"},
        {"services": [TWIN_A], "event": "SERVICE_TASK_PLACEMENT_FAILURE"},
        {"services": [""], "event": "SERVICE_TASK_PLACEMENT_FAILURE"},
    ],
    ids=["intruder service", "a twin", "nothing"],
)
def test_an_input_naming_no_spot_service_of_the_declaration_changes_nothing(world, given):
    deliver, count, _ = world
    done, entered = deliver(raw=given)
    assert done["status"] == "FAILED"
    assert entered == [EACH, "Which service?", "Not a Spot service of this declaration"]
    assert (count(TWIN_A), count(TWIN_D), count(INTRUDER)) == (0, 0, 4)


def test_state_names_fit_step_functions_80_characters_whatever_the_task_keys():
    """Step Functions refuses a state name over 80 characters; task keys may be longer."""
    keys = ["a" * 120, "a" * 119 + "b"]
    out = expand(
        declaration(
            {
                "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
                "Tasks": {k: {"Image": "x", "Spot": True} for k in keys},
            }
        )
    )
    states = out["Resources"]["WorkersSpotFallback"]["Properties"]["Definition"]["States"]
    assert max(len(name) for name in states) <= 80
    inner = states[EACH]["ItemProcessor"]["States"]
    assert max(len(name) for name in inner) <= 80
    assert len(inner) == 9  # one Describe state per Spot service, names distinct
    assert lint(out) == []


# --- the scheduled check: no event is needed to put a twin right -------------------------------


def test_a_check_every_ten_minutes_starts_the_workflow_for_every_spot_service():
    out = template()
    check = out["Resources"]["WorkersSpotFallbackCheck"]["Properties"]
    assert check["ScheduleExpression"] == "rate(10 minutes)" and "EventPattern" not in check
    (target,) = check["Targets"]
    assert target["Arn"] == {"Ref": "WorkersSpotFallback"}
    assert target["RoleArn"] == {"Fn::GetAtt": ["WorkersSpotFallbackRuleRole", "Arn"]}
    assert json.loads(evaluate(target, REFS)["Input"]) == {
        "services": [SERVICE_A, SERVICE_D],
        "event": "CHECK",
    }
    assert lint(out) == []


def test_a_check_puts_every_twin_right_without_any_event(world):
    """CloudFormation creates each twin with one task (no DesiredCount: ECS's default is 1)
    and ECS may send no event: the check sets each twin to what its Spot service misses."""
    deliver, count, ecs = world
    for twin in (TWIN_A, TWIN_D):
        ecs.update_service(cluster="shop", service=twin, desiredCount=1)
    ecs.update_service(cluster="shop", service=SERVICE_A, desiredCount=3)  # moto: 3 of 3 run
    done, entered = deliver("check")
    assert done["status"] == "SUCCEEDED", done
    assert (count(TWIN_A), count(TWIN_D)) == (0, 3)  # A full: back to 0; D misses 3
    # Still short, a twin set higher by an earlier event is never lowered.
    ecs.update_service(cluster="shop", service=TWIN_D, desiredCount=5)
    done, entered = deliver("check")
    assert (count(TWIN_A), count(TWIN_D)) == (0, 5)
    assert entered.count("Nothing to change") == 2
    # D runs all its tasks again: its twin goes back to 0 with no event at all.
    ecs.update_service(cluster="shop", service=SERVICE_D, desiredCount=3)
    done, entered = deliver("check")
    assert (count(TWIN_A), count(TWIN_D)) == (0, 0)


@pytest.mark.parametrize("error", ["ThrottlingException", "ServerException"])
def test_a_throttled_or_failed_ecs_call_is_retried(world, monkeypatch, error):
    """One throttled UpdateService during a Spot crunch must not lose the fallback."""
    from moto.ecs.exceptions import ECSException
    from moto.ecs.models import EC2ContainerServiceBackend

    deliver, count, _ = world
    failures = {"describe_services": 2, "update_service": 2}
    for name in failures:
        original = getattr(EC2ContainerServiceBackend, name)

        def flaky(self, *args, _name=name, _original=original, **kwargs):
            if failures[_name] > 0:
                failures[_name] -= 1
                raise ECSException(error, "Rate exceeded")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(EC2ContainerServiceBackend, name, flaky)
    done, entered = deliver(event(FAILURE))
    assert done["status"] == "SUCCEEDED", done
    assert failures == {"describe_services": 0, "update_service": 0}
    assert count(TWIN_A) == 3

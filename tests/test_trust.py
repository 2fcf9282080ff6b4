"""Exact trust: the schedule and workflow roles trust exactly this stack's schedule groups and
state machines (aws:SourceArn), never `schedule-group/*` or `stateMachine:*`.

The workflow role's trust cannot Ref its state machine (the state machine names the role: a
cycle), so the state machine is named before it exists; these tests deploy to moto and compare
what IAM holds with the ARN the state machine really has.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

import boto3
import pytest
from conftest import GROUP, SUBNET, declaration, expand, task
from moto import mock_aws
from ops_harness import REGION, deploy, install_application

IMG = "public.ecr.aws/docker/library/python:3.13"


def _trust(role: dict) -> dict:
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    return statement["Condition"]


def _all_text(value: object) -> str:
    return json.dumps(value)


def test_schedule_role_trusts_exactly_the_default_group():
    resources = expand(task(Schedule="rate(1 day)"))["Resources"]
    condition = _trust(resources["WorkersScheduleRole"])
    assert condition["ArnEquals"]["aws:SourceArn"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:"
            "schedule-group/default"
        }
    ]
    assert "*" not in _all_text(condition)


def test_schedule_role_follows_the_groups_overrides_name():
    template = declaration(
        {
            "Network": {"Subnets": [SUBNET], "SecurityGroups": [GROUP]},
            "Tasks": {
                "a": {"Image": IMG, "Schedule": "rate(1 day)"},
                "b": {
                    "Image": IMG,
                    "Schedule": "rate(1 day)",
                    "Overrides": {"Schedule": {"GroupName": "nightly"}},
                },
                "c": {
                    "Image": IMG,
                    "Schedule": "rate(1 day)",
                    "Overrides": {"Schedule": {"GroupName": {"Ref": "Group"}}},
                },
            },
        },
        resources={"Group": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {}}},
    )
    arns = _trust(expand(template)["Resources"]["WorkersScheduleRole"])["ArnEquals"][
        "aws:SourceArn"
    ]
    head = "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/"
    assert arns == [
        {"Fn::Sub": head + "default"},
        {"Fn::Sub": head + "nightly"},
        {"Fn::Sub": [head + "${Name}", {"Name": {"Ref": "Group"}}]},
    ]


def test_workflow_role_names_no_wildcard():
    resources = expand(task(Schedule="rate(1 day)"))["Resources"]
    condition = _trust(resources["WorkersWorkflowRole"])
    assert "stateMachine:*" not in _all_text(condition)
    assert "ArnLike" not in condition


def _source_arns(iam, role_name: str) -> list[str]:
    document = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(document, str):
        document = json.loads(unquote(document))
    (statement,) = document["Statement"]
    arns = statement["Condition"]["ArnEquals"]["aws:SourceArn"]
    return arns if isinstance(arns, list) else [arns]


@pytest.mark.parametrize("logical_id", ["Workers", "W" + "x" * 60])
def test_each_state_machine_is_the_one_its_role_trusts(fake_aws, logical_id):
    """Deployed: every generated state machine's real ARN is in its role's trust, and nothing
    else is (whatever the number of state machines and the length of their names)."""
    template = {
        "Resources": {
            logical_id: {
                "Type": "Fargate::Tasks",
                "Properties": {
                    "Outputs": False,  # moto cannot read a schedule's Arn
                    "Network": {"Subnets": [SUBNET], "SecurityGroups": [GROUP]},
                    "Tasks": {
                        "a": {"Image": IMG, "Schedule": "rate(1 day)"},
                        "b": {"Image": IMG, "Schedule": "rate(2 days)"},
                    },
                },
            }
        }
    }
    expanded = expand(template)
    machines = {
        k: r
        for k, r in expanded["Resources"].items()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    }
    assert machines
    with mock_aws():
        install_application()
        deploy(expanded, "trust")
        stack = boto3.client("cloudformation", region_name=REGION).describe_stack_resources(
            StackName="trust"
        )["StackResources"]
        # moto lists the schedules it cannot create without their IDs.
        physical = {
            r["LogicalResourceId"]: r.get("PhysicalResourceId")
            for r in stack
            if "LogicalResourceId" in r
        }
        iam = boto3.client("iam", region_name=REGION)
        sfn = boto3.client("stepfunctions", region_name=REGION)
        used_by: dict[str, set[str]] = {}
        for logical, machine in machines.items():
            arn = physical[logical]
            assert len(sfn.describe_state_machine(stateMachineArn=arn)["name"]) <= 80
            role = physical[machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]]
            used_by.setdefault(role, set()).add(arn)
        for role, arns in used_by.items():
            assert set(_source_arns(iam, role)) == arns

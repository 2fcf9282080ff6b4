"""Runs started by events and callers: the EventBridge rules and their role, the callers'
grants and variables, in both orders with SAM's transform. The runs themselves are executed in
tests/test_workflow_invocations.py."""

from __future__ import annotations

import copy
import json

from conftest import GROUP, SUBNET, expand, problems, sam_translate
from serverless_fargate.transform import expand_template

IMG = "public.ecr.aws/docker/library/python:3.13"
NET = {"Subnets": [SUBNET], "SecurityGroups": [GROUP]}
UPLOAD = {
    "Type": "EventBridgeRule",
    "Properties": {
        "Pattern": {"source": ["aws.s3"], "detail-type": ["Object Created"]},
        "InputPath": "$.detail",
    },
}


def template(tasks, **resources):
    return {
        "Resources": {
            "Api": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.13",
                    "Handler": "app.handler",
                    "CodeUri": "s3://bucket/code.zip",
                    "Policies": ["AWSLambdaBasicExecutionRole"],
                    "Environment": {"Variables": {"STAGE": "prod"}},
                },
            },
            "Legacy": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.13",
                    "Handler": "a.b",
                    "Role": {"Fn::GetAtt": ["LegacyRole", "Arn"]},
                    "Code": {"ZipFile": "def b(e, c): pass"},
                },
            },
            "LegacyRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": {"Statement": []}},
            },
            **resources,
            "Jobs": {"Type": "Fargate::Tasks", "Properties": {"Network": NET, "Tasks": tasks}},
        }
    }


TASKS = {
    "export": {"Image": IMG, "Callers": ["Api", "Legacy"], "Timeout": "2h", "Retries": 2},
    "transcode": {
        "Image": IMG,
        "Callers": ["Legacy"],
        "Events": {"Upload": UPLOAD},
        "DeadLetterQueueArn": "arn:aws:sqs:us-east-1:123456789012:failed-runs",
    },
    "web": {"Image": IMG},
}


def statements(policy_document):
    return policy_document["Statement"]


def actions(statement):
    action = statement["Action"]
    return [action] if isinstance(action, str) else action


def all_statements(resources):
    """Every IAM statement in the template: roles' inline policies, AWS::IAM::Policy, SAM's."""
    out = []
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                out += [(logical_id, s) for s in statements(policy["PolicyDocument"])]
        elif resource["Type"] == "AWS::IAM::Policy":
            out += [(logical_id, s) for s in statements(props["PolicyDocument"])]
        elif resource["Type"] == "AWS::Serverless::Function":
            for policy in props.get("Policies", []):
                if isinstance(policy, dict) and "Statement" in policy:
                    out += [(logical_id, s) for s in statements(policy)]
    return out


def test_tasks_with_events_or_callers_are_invoked_not_services():
    resources = expand(template(TASKS))["Resources"]
    kinds = {
        r["Metadata"]["ServerlessFargate"]["Task"]: r["Metadata"]["ServerlessFargate"]["Kind"]
        for r in resources.values()
        if r["Type"] == "AWS::ECS::TaskDefinition"
    }
    assert kinds == {"export": "invoked", "transcode": "invoked", "web": "service"}
    assert "JobsExportService" not in resources and "JobsTranscodeService" not in resources


def test_each_event_is_a_rule_that_starts_exactly_its_tasks_workflow_with_the_event_as_input():
    resources = expand(template(TASKS))["Resources"]
    rule = resources["JobsTranscodeUploadRule"]
    assert rule["Type"] == "AWS::Events::Rule"
    props = rule["Properties"]
    assert props["EventPattern"] == UPLOAD["Properties"]["Pattern"]
    assert props["State"] == "ENABLED" and "EventBusName" not in props
    (target,) = props["Targets"]
    assert target["Arn"] == {"Ref": "JobsTranscodeWorkflow"}
    assert target["RoleArn"] == {"Fn::GetAtt": ["JobsTranscodeEventsRole", "Arn"]}
    # Only the `input` member: an event can set nothing else of the workflow's input.
    assert target["InputTransformer"] == {
        "InputPathsMap": {"part": "$.detail"},
        "InputTemplate": '{"input": <part>}',
    }
    # A run EventBridge cannot start at all goes to the task's queue, not nowhere.
    assert target["DeadLetterConfig"] == {"Arn": TASKS["transcode"]["DeadLetterQueueArn"]}


def test_without_input_path_the_whole_event_detail_included_is_the_input():
    tasks = {"t": {"Image": IMG, "Events": {"Any": {**UPLOAD, "Properties": {"Pattern": {}}}}}}
    tasks["t"]["Events"]["Any"]["Properties"] = {
        "Pattern": {"source": ["my.app"]},
        "EventBusName": "arn:aws:events:us-east-1:123456789012:event-bus/app",
        "RetryPolicy": {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 600},
        "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:123456789012:undelivered"},
    }
    props = expand(template(tasks))["Resources"]["JobsTAnyRule"]["Properties"]
    (target,) = props["Targets"]
    # aws.events.event is the event without `detail`; .json is all of it (EventBridge docs).
    assert target["InputTransformer"] == {"InputTemplate": '{"input": <aws.events.event.json>}'}
    assert props["EventBusName"] == "arn:aws:events:us-east-1:123456789012:event-bus/app"
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 600}
    assert target["DeadLetterConfig"] == {"Arn": "arn:aws:sqs:us-east-1:123456789012:undelivered"}


def test_the_rules_role_may_start_exactly_its_tasks_workflow():
    resources = expand(template(TASKS))["Resources"]
    role = resources["JobsTranscodeEventsRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    (policy,) = role["Policies"]
    assert statements(policy["PolicyDocument"]) == [
        {
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": [{"Ref": "JobsTranscodeWorkflow"}],
        }
    ]
    assert "JobsExportEventsRole" not in resources  # no Events, no role


def _executions(*workflows):
    return [
        {
            "Fn::Sub": [
                "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*",
                {"Name": {"Fn::GetAtt": [w, "Name"]}},
            ]
        }
        for w in workflows
    ]


def test_a_sam_caller_may_start_exactly_the_tasks_that_name_it_and_read_their_runs():
    resources = expand(template(TASKS))["Resources"]
    api = resources["Api"]["Properties"]
    assert api["Policies"][0] == "AWSLambdaBasicExecutionRole"  # its own kept, first
    assert statements(api["Policies"][1]) == [
        {
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": [{"Ref": "JobsExportWorkflow"}],
        },
        {
            "Effect": "Allow",
            "Action": "states:DescribeExecution",
            "Resource": _executions("JobsExportWorkflow"),
        },
    ]
    assert api["Environment"]["Variables"] == {
        "STAGE": "prod",
        "SERVERLESS_FARGATE_EXPORT_WORKFLOW": {"Ref": "JobsExportWorkflow"},
    }


def test_a_lambda_caller_gets_a_policy_on_its_role_for_exactly_its_tasks():
    resources = expand(template(TASKS))["Resources"]
    policy = resources["JobsLegacyCallerPolicy"]
    assert policy["Type"] == "AWS::IAM::Policy"
    assert policy["Properties"]["Roles"] == [{"Ref": "LegacyRole"}]
    assert statements(policy["Properties"]["PolicyDocument"]) == [
        {
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": [{"Ref": "JobsExportWorkflow"}, {"Ref": "JobsTranscodeWorkflow"}],
        },
        {
            "Effect": "Allow",
            "Action": "states:DescribeExecution",
            "Resource": _executions("JobsExportWorkflow", "JobsTranscodeWorkflow"),
        },
    ]
    variables = resources["Legacy"]["Properties"]["Environment"]["Variables"]
    assert variables == {
        "SERVERLESS_FARGATE_EXPORT_WORKFLOW": {"Ref": "JobsExportWorkflow"},
        "SERVERLESS_FARGATE_TRANSCODE_WORKFLOW": {"Ref": "JobsTranscodeWorkflow"},
    }
    assert "Policies" not in resources["Legacy"]["Properties"]


def test_a_caller_role_given_as_a_literal_arn_is_named_by_its_last_part():
    t = template({"export": {"Image": IMG, "Callers": ["Legacy"]}})
    t["Resources"]["Legacy"]["Properties"]["Role"] = "arn:aws:iam::123456789012:role/app/fn-role"
    policy = expand(t)["Resources"]["JobsLegacyCallerPolicy"]["Properties"]
    assert policy["Roles"] == ["fn-role"]


def test_nothing_grants_ecs_iam_or_overrides_to_rules_or_callers():
    """Rules and callers may only start and read executions: the workflow alone runs the task,
    with the image, command, roles and network of its definition."""
    resources = expand(template(TASKS))["Resources"]
    ours = ("Api", "JobsLegacyCallerPolicy", "JobsTranscodeEventsRole")
    granted = [s for owner, s in all_statements(resources) if owner in ours]
    assert granted
    for statement in granted:
        assert set(actions(statement)) <= {"states:StartExecution", "states:DescribeExecution"}
        assert "*" not in json.dumps(statement["Resource"]).replace(":*", "")


def test_the_input_template_is_not_changed():
    given = template(TASKS)
    before = copy.deepcopy(given)
    expand(given)  # conftest.expand also asserts this
    assert given == before


def test_one_caller_of_two_declarations_tasks_with_the_same_key_is_refused():
    t = template({"export": {"Image": IMG, "Callers": ["Api"]}})
    t["Resources"]["More"] = {
        "Type": "Fargate::Tasks",
        "Properties": {"Network": NET, "Tasks": {"export": {"Image": IMG, "Callers": ["Api"]}}},
    }
    found = problems(t)
    assert any(
        "Tasks.export.Callers" in p and "both would set SERVERLESS_FARGATE_EXPORT_WORKFLOW" in p
        for p in found
    ), found


def test_schedule_and_events_together():
    tasks = {
        "nightly": {
            "Image": IMG,
            "Schedule": {"Expression": "rate(1 day)", "Retries": 3},
            "Events": {"Upload": UPLOAD},
        }
    }
    resources = expand(template(tasks))["Resources"]
    assert "JobsNightlySchedule" in resources and "JobsNightlyUploadRule" in resources


# --- both orders with SAM's transform ---------------------------------------------------------


def _role_statements(result, role):
    return [
        s
        for policy in result["Resources"][role]["Properties"].get("Policies", [])
        for s in statements(policy["PolicyDocument"])
    ]


def test_fargate_first_sam_writes_the_grant_into_the_functions_role():
    result = sam_translate(expand_template(template(TASKS)))
    resources = result["Resources"]
    assert resources["Api"]["Type"] == "AWS::Lambda::Function"
    granted = _role_statements(result, "ApiRole")
    assert any(
        s["Action"] == "states:StartExecution" and s["Resource"] == [{"Ref": "JobsExportWorkflow"}]
        for s in granted
    ), granted
    variables = resources["Api"]["Properties"]["Environment"]["Variables"]
    assert variables["SERVERLESS_FARGATE_EXPORT_WORKFLOW"] == {"Ref": "JobsExportWorkflow"}


def test_sam_first_the_grant_is_a_policy_on_the_role_sam_made():
    translated = sam_translate(template(TASKS))
    result = expand_template({k: v for k, v in translated.items() if k != "Transform"})
    resources = result["Resources"]
    policy = resources["JobsApiCallerPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": "ApiRole"}]
    assert statements(policy["PolicyDocument"])[0]["Resource"] == [{"Ref": "JobsExportWorkflow"}]
    variables = resources["Api"]["Properties"]["Environment"]["Variables"]
    assert variables["SERVERLESS_FARGATE_EXPORT_WORKFLOW"] == {"Ref": "JobsExportWorkflow"}
    assert variables["STAGE"] == "prod"


def _run_task_states(value):
    """Every state of a definition that calls ecs:runTask (at any depth)."""
    if isinstance(value, dict):
        if "runTask" in json.dumps(value.get("Resource", "")):
            yield value
        for inner in value.values():
            yield from _run_task_states(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _run_task_states(inner)


def test_the_input_overrides_only_the_main_containers_input_variable():
    """What an event or a caller gives can reach only SERVERLESS_FARGATE_INPUT: the RunTask
    calls override no command, image, role, size or network."""
    resources = expand(template(TASKS))["Resources"]
    for workflow in ("JobsExportWorkflow", "JobsTranscodeWorkflow"):
        states = list(_run_task_states(resources[workflow]["Properties"]["Definition"]))
        assert states, workflow
        for state in states:
            overrides = state["Parameters"].get("Overrides", {})
            assert set(overrides) <= {"ContainerOverrides"}, overrides
            for container in overrides.get("ContainerOverrides", []):
                assert set(container) <= {"Name", "Environment", "Environment.$"}, container
                names = {e["Name"] for e in container.get("Environment", [])}
                assert names <= {"SERVERLESS_FARGATE_INPUT"}, names
            # Cluster, task definition and network are written in the definition, not read.
            given = {k for k in state["Parameters"] if k.endswith(".$")}
            assert given <= {"Group.$", "CapacityProviderStrategy.$"}, given

"""A dead-letter queue encrypted with a customer managed key (SSE-KMS): the key is declared
(`DeadLetterQueueKmsKeyArn`) and every role that sends to the queue may use exactly that key,
through SQS only; a key that cannot work is refused with its path."""

from __future__ import annotations

import json

import pytest
from conftest import expand, lint, problems, task

T = "Resources.Workers.Properties.Tasks.worker"
QUEUE = "arn:aws:sqs:eu-west-1:123456789012:failed"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# "Configure KMS permissions for producers" (Amazon SQS Developer Guide, Key management): a
# producer of an SSE-KMS queue needs both; kms:ViaService names SQS in the key's region.
SEND_WITH_KEY = {
    "Effect": "Allow",
    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
    "Resource": KEY,
    "Condition": {
        "StringEquals": {"kms:ViaService": {"Fn::Sub": "sqs.eu-west-1.${AWS::URLSuffix}"}}
    },
}


def statements(template, role):
    return template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def kms(template, role):
    return [s for s in statements(template, role) if "kms:" in json.dumps(s["Action"])]


def test_scheduler_and_the_workflow_may_use_exactly_the_queue_s_key():
    template = expand(
        task(
            Schedule={
                "Expression": "rate(1 day)",
                "DeadLetterQueueArn": QUEUE,
                "DeadLetterQueueKmsKeyArn": KEY,
            }
        )
    )
    # Scheduler puts a start it could not make on the queue with the schedule's execution role
    # ("Configuring a dead-letter queue for EventBridge Scheduler"); the workflow reports a
    # failed run with its own role.
    assert statements(template, "WorkersScheduleRole")[1:] == [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": [QUEUE]},
        SEND_WITH_KEY,
    ]
    assert kms(template, "WorkersWorkflowRole") == [SEND_WITH_KEY]
    assert lint(template) == []


def test_a_task_level_key_goes_with_the_task_level_queue_of_a_scheduled_task():
    template = expand(
        task(Schedule="rate(1 day)", DeadLetterQueueArn=QUEUE, DeadLetterQueueKmsKeyArn=KEY)
    )
    assert kms(template, "WorkersScheduleRole") == [SEND_WITH_KEY]
    assert kms(template, "WorkersWorkflowRole") == [SEND_WITH_KEY]


def test_an_invoked_task_s_workflow_gets_the_key_and_no_other_role_does():
    event = {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["aws.s3"]}}}
    template = expand(
        task(Events={"Upload": event}, DeadLetterQueueArn=QUEUE, DeadLetterQueueKmsKeyArn=KEY)
    )
    assert kms(template, "WorkersWorkflowRole") == [SEND_WITH_KEY]
    assert "WorkersScheduleRole" not in template["Resources"]
    # EventBridge writes the rule's dead-letter queue as itself, with the queue's and the
    # key's own policies: no role of ours is involved, none gets the key.
    events_role = template["Resources"]["WorkersWorkerEventsRole"]
    assert "kms:" not in json.dumps(events_role)


def test_a_key_given_by_an_intrinsic_is_granted_in_its_own_region():
    key = {"Fn::GetAtt": ["QueueKey", "Arn"]}
    template = task(
        Schedule={
            "Expression": "rate(1 day)",
            "DeadLetterQueueArn": {"Fn::GetAtt": ["Failed", "Arn"]},
            "DeadLetterQueueKmsKeyArn": key,
        }
    )
    template["Resources"]["QueueKey"] = {"Type": "AWS::KMS::Key", "Properties": {}}
    template["Resources"]["Failed"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    expanded = expand(template)
    assert lint(expanded) == []
    (grant,) = kms(expanded, "WorkersWorkflowRole")
    assert grant["Resource"] == key
    region = {"Fn::Select": [3, {"Fn::Split": [":", key]}]}
    assert grant["Condition"] == {
        "StringEquals": {
            "kms:ViaService": {"Fn::Sub": ["sqs.${Region}.${AWS::URLSuffix}", {"Region": region}]}
        }
    }


def test_tasks_sharing_a_key_get_one_grant_and_no_key_means_no_grant():
    from conftest import declaration

    template = expand(
        declaration(
            {
                "Network": {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]},
                "Image": "public.ecr.aws/docker/library/python:3.13",
                "DeadLetterQueueArn": QUEUE,
                "DeadLetterQueueKmsKeyArn": KEY,
                "Tasks": {"a": {"Schedule": "rate(1 day)"}, "b": {"Schedule": "rate(2 days)"}},
            }
        )
    )
    assert kms(template, "WorkersWorkflowRole") == [SEND_WITH_KEY]
    assert kms(template, "WorkersScheduleRole") == [SEND_WITH_KEY]
    plain = expand(task(Schedule={"Expression": "rate(1 day)", "DeadLetterQueueArn": QUEUE}))
    assert kms(plain, "WorkersWorkflowRole") == kms(plain, "WorkersScheduleRole") == []


ALIAS = "arn:aws:kms:eu-west-1:123456789012:alias/failed-runs"


@pytest.mark.parametrize(
    ("props", "at", "words"),
    [
        (
            {
                "Schedule": "rate(1 day)",
                "DeadLetterQueueArn": QUEUE,
                "DeadLetterQueueKmsKeyArn": ALIAS,
            },
            f"{T}.DeadLetterQueueKmsKeyArn",
            f"'{ALIAS}' is an alias: an IAM grant on an alias does not cover the key it names",
        ),
        (
            {"Schedule": {"Expression": "rate(1 day)", "DeadLetterQueueKmsKeyArn": KEY}},
            f"{T}.Schedule.DeadLetterQueueKmsKeyArn",
            "is the key of the dead-letter queue, and the task has none: add DeadLetterQueueArn",
        ),
        (
            {
                "Schedule": "rate(1 day)",
                "DeadLetterQueueArn": QUEUE,
                "DeadLetterQueueKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:1234abcd",
            },
            f"{T}.DeadLetterQueueKmsKeyArn",
            "is not the ARN of a KMS key: expected arn:<partition>:kms:<region>:<account>:key/<id>",
        ),
        (
            {
                "Schedule": "rate(1 day)",
                "DeadLetterQueueArn": QUEUE,
                "DeadLetterQueueKmsKeyArn": KEY.replace("eu-west-1", "us-east-1"),
            },
            f"{T}.DeadLetterQueueKmsKeyArn",
            "is in us-east-1 and the queue in eu-west-1",
        ),
        (
            {
                "Schedule": "rate(1 day)",
                "DeadLetterQueueArn": QUEUE,
                "DeadLetterQueueKmsKeyArn": KEY.replace("arn:aws:", "arn:aws-cn:"),
            },
            f"{T}.DeadLetterQueueKmsKeyArn",
            "is in partition aws-cn and the queue in aws",
        ),
        (
            {
                "Schedule": "rate(1 day)",
                "DeadLetterQueueArn": QUEUE,
                "DeadLetterQueueKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/*",
            },
            f"{T}.DeadLetterQueueKmsKeyArn",
            "is a wildcard",
        ),
        (
            {"Service": True, "DeadLetterQueueKmsKeyArn": KEY},
            f"{T}.DeadLetterQueueKmsKeyArn",
            "only runs the task's workflow watches have DeadLetterQueueKmsKeyArn",
        ),
        (
            {
                "Schedule": {"Expression": "rate(1 day)", "DeadLetterQueueKmsKeyArn": KEY},
                "DeadLetterQueueArn": QUEUE,
                "DeadLetterQueueKmsKeyArn": KEY,
            },
            f"{T}.Schedule.DeadLetterQueueKmsKeyArn",
            "DeadLetterQueueKmsKeyArn is also written at",
        ),
    ],
    ids=[
        "alias",
        "no queue",
        "not a key",
        "other region",
        "other partition",
        "wildcard",
        "service",
        "twice",
    ],
)
def test_a_key_that_cannot_work_is_refused_with_its_path(props, at, words):
    found = problems(task(**props))
    assert any(p.startswith(at + ": ") and words in p for p in found), found


def test_a_key_from_a_parameter_is_checked_with_the_parameter_s_value():
    template = task(
        Schedule="rate(1 day)", DeadLetterQueueArn=QUEUE, DeadLetterQueueKmsKeyArn={"Ref": "Key"}
    )
    template["Parameters"] = {"Key": {"Type": "String"}}
    (problem,) = problems(template, {"Key": ALIAS})
    assert problem.startswith(f"{T}.DeadLetterQueueKmsKeyArn: '{ALIAS}' is an alias")
    (grant,) = kms(expand(template, {"Key": KEY}), "WorkersWorkflowRole")
    assert grant["Resource"] == {"Ref": "Key"}


# --- a FIFO queue, wherever it is written -------------------------------------------------------

FIFO = "arn:aws:sqs:eu-west-1:123456789012:failed.fifo"
UPLOAD = {"Upload": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["aws.s3"]}}}}


@pytest.mark.parametrize(
    ("props", "at", "words"),
    [
        (
            {"Schedule": "rate(1 day)", "DeadLetterQueueArn": FIFO},
            f"{T}.DeadLetterQueueArn",
            "EventBridge Scheduler sends failed starts only to a standard SQS queue",
        ),
        (
            {"Events": UPLOAD, "DeadLetterQueueArn": FIFO},
            f"{T}.DeadLetterQueueArn",
            "the workflow's report gives no MessageGroupId, which SQS requires of a FIFO queue",
        ),
    ],
    ids=["scheduled task", "invoked task"],
)
def test_a_fifo_queue_on_the_task_is_refused_like_one_in_the_schedule(props, at, words):
    found = problems(task(**props))
    assert [p for p in found if p.startswith(at + ": ") and words in p], found

"""A catalogue of invalid declarations: each gets its exact path and a helpful message."""

from __future__ import annotations

import pytest
from conftest import declaration, expand, problems, task
from serverless_fargate.declaration import fields
from serverless_fargate.errors import InvalidTemplate
from serverless_fargate.transform import expand_template

P = "Resources.Workers.Properties"
T = f"{P}.Tasks.worker"
NET = {"Subnets": ["subnet-1"]}
IMG = "public.ecr.aws/x/y:1"


def with_parameters(template: dict, **defaults: str) -> dict:
    """The template with a parameter of each name, its Default the value given."""
    declared = {k: {"Type": "String", "Default": v} for k, v in defaults.items()}
    return {"Parameters": declared, **template}


CASES = [
    # name, template, [(path, words in the message)]
    (
        "unknown event type",
        task(Events={"Up": {"Type": "S3", "Properties": {"Pattern": {"source": ["aws.s3"]}}}}),
        [(f"{T}.Events.Up.Type", "'S3' is not one of: EventBridgeRule (an S3 upload")],
    ),
    (
        "event pattern not a map",
        task(Events={"Up": {"Type": "EventBridgeRule", "Properties": {"Pattern": "aws.s3"}}}),
        [(f"{T}.Events.Up.Properties.Pattern", "'aws.s3' is not valid: expected a map")],
    ),
    (
        "event pattern an intrinsic",
        task(Events={"Up": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"Ref": "P"}}}}),
        [(f"{T}.Events.Up.Properties.Pattern", "is not valid: expected a map, an EventBridge")],
    ),
    (
        "events on a service",
        task(
            Service=True,
            Events={"Up": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"a": ["b"]}}}},
        ),
        [(f"{T}.Service", "a task with Events runs when started, not as a service")],
    ),
    (
        "callers on a service declared by the declaration",
        declaration(
            {
                "Network": NET,
                "Service": {"DesiredCount": 2},
                "Callers": ["Api"],
                "Tasks": {"worker": {"Image": IMG}},
            },
            resources={"Api": {"Type": "AWS::Serverless::Function", "Properties": {}}},
        ),
        [(f"{P}.Callers", "the declaration-level defaults set both Service and Callers")],
    ),
    (
        "caller not in the template",
        task(Callers=["Apl"]),
        [(f"{T}.Callers.0", "no resource 'Apl' in this template (there are none)")],
    ),
    (
        "caller not a function",
        declaration(
            {"Network": NET, "Tasks": {"worker": {"Image": IMG, "Callers": ["Queue"]}}},
            resources={"Queue": {"Type": "AWS::SQS::Queue"}},
        ),
        [(f"{T}.Callers.0", "'Queue' is of type AWS::SQS::Queue, not a function")],
    ),
    (
        "caller whose role cannot be named",
        declaration(
            {"Network": NET, "Tasks": {"worker": {"Image": IMG, "Callers": ["Fn"]}}},
            resources={
                "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Ref": "R"}}}
            },
        ),
        [(f"{T}.Callers.0", "the role of 'Fn' cannot be named")],
    ),
    (
        "caller that sets the variable itself",
        declaration(
            {"Network": NET, "Tasks": {"worker": {"Image": IMG, "Callers": ["Fn"]}}},
            resources={
                "Fn": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {
                        "Environment": {"Variables": {"SERVERLESS_FARGATE_WORKER_WORKFLOW": "x"}}
                    },
                }
            },
        ),
        [(f"{T}.Callers.0", "'Fn' already sets SERVERLESS_FARGATE_WORKER_WORKFLOW")],
    ),
    (
        "retries on a service",
        task(Retries=2),
        [(f"{T}.Retries", "only runs the task's workflow watches have Retries")],
    ),
    (
        "retries written twice",
        task(Schedule={"Expression": "rate(1 day)", "Retries": 1}, Retries=2),
        [(f"{T}.Schedule.Retries", "Retries is also written at")],
    ),
    (
        "bad cpu/memory pair",
        task(Cpu=256, Memory=4096),
        [(f"{T}.Memory", "4096 MiB is not valid with Cpu 256 (allowed: 512, 1024, 2048)")],
    ),
    (
        "memory string too small for cpu",
        task(Cpu="2048", Memory="2 GB"),
        [
            (
                f"{T}.Memory",
                "2048 MiB is not valid with Cpu 2048 (allowed: 4096 to 16384 in steps of 1024)",
            )
        ],
    ),
    (
        "declaration memory bad for task cpu",
        declaration(
            {"Network": NET, "Memory": 512, "Tasks": {"worker": {"Image": IMG, "Cpu": 1024}}}
        ),
        [
            (
                f"{T}.Memory",
                "512 MiB is not valid with Cpu 1024 (allowed: 2048 to 8192 in steps of 1024) "
                f"(Memory from {P}.Memory)",
            )
        ],
    ),
    (
        "cpu not a fargate size",
        task(Cpu=300),
        [(f"{T}.Cpu", "300 is not valid: expected one of 256, 512, 1024, 2048, 4096, 8192, 16384")],
    ),
    (
        "memory not a size",
        task(Memory="a lot"),
        [(f"{T}.Memory", "'a lot' is not valid: expected MiB as a whole number")],
    ),
    (
        "memory fits no cpu",
        task(Memory=3000),
        [(f"{T}.Memory", "3000 MiB fits no Fargate CPU size")],
    ),
    (
        "unknown task property",
        task(Comand=["x"]),
        [(f"{T}.Comand", "unknown property; did you mean 'Command'?")],
    ),
    (
        "unknown declaration property",
        declaration({"Network": NET, "LogRetention": 7, "Tasks": {"worker": {"Image": IMG}}}),
        [(f"{P}.LogRetention", "unknown property; did you mean 'LogRetentionInDays'?")],
    ),
    (
        "unknown service property",
        task(Service={"DesiredCnt": 2}),
        [(f"{T}.Service.DesiredCnt", "unknown property; did you mean 'DesiredCount'?")],
    ),
    (
        "unknown schedule property",
        task(Schedule={"Expression": "rate(1 day)", "TimeZone": "UTC"}),
        [(f"{T}.Schedule.TimeZone", "unknown property; did you mean 'Timezone'?")],
    ),
    (
        "unknown spot property",
        task(Spot={"Fallbak": False}),
        [(f"{T}.Spot.Fallbak", "unknown property; did you mean 'Fallback'?")],
    ),
    (
        "unknown network property",
        declaration({"Network": {"Subnet": ["s"]}, "Tasks": {"worker": {"Image": IMG}}}),
        [(f"{P}.Network.Subnet", "unknown property; did you mean 'Subnets'?")],
    ),
    (
        "unknown resource attribute",
        declaration({"Network": NET, "Tasks": {"worker": {"Image": IMG}}}, DeletionPolicy="Retain"),
        [("Resources.Workers.DeletionPolicy", "not supported on Fargate::Tasks")],
    ),
    (
        "task keys collide in PascalCase",
        declaration(
            {"Network": NET, "Image": IMG, "Tasks": {"queue-worker": {}, "queue_worker": {}}}
        ),
        [(f"{P}.Tasks.queue_worker", "both become 'QueueWorker' in logical IDs")],
    ),
    (
        "generated ID already exists",
        declaration(
            {"Network": NET, "Tasks": {"worker": {"Image": IMG}}},
            resources={"WorkersCluster": {"Type": "AWS::SNS::Topic"}},
        ),
        [
            (
                "Resources.Workers",
                "would generate the resource 'WorkersCluster', which already exists",
            )
        ],
    ),
    (
        "service with schedule",
        task(Service=True, Schedule="rate(1 day)"),
        [(f"{T}.Service", "a task with Schedule runs on its schedule, not as a service")],
    ),
    (
        "policies with task role",
        task(TaskRoleArn="arn:aws:iam::1:role/r", Policies=["arn:aws:iam::aws:policy/X"]),
        [(f"{T}.Policies", "Policies cannot be granted with TaskRoleArn")],
    ),
    (
        "declaration policies with task role",
        declaration(
            {
                "Network": NET,
                "Image": IMG,
                "Policies": ["arn:aws:iam::aws:policy/X"],
                "Tasks": {"worker": {"TaskRoleArn": "arn:aws:iam::1:role/r"}},
            }
        ),
        [(f"{T}.TaskRoleArn", "the declaration-level Policies cannot be granted to it")],
    ),
    (
        "not a schedule expression",
        task(Schedule="every day"),
        [(f"{T}.Schedule", "'every day' is not a rate(), cron() or at() expression")],
    ),
    (
        "cron with five fields",
        task(Schedule={"Expression": "cron(0 2 * * *)"}),
        [(f"{T}.Schedule.Expression", "has 5 fields; cron() needs 6")],
    ),
    (
        "bad time zone",
        task(Schedule={"Expression": "rate(1 day)", "Timezone": "Europe/Pariss"}),
        [
            (
                f"{T}.Schedule.Timezone",
                "is not an IANA time zone name such as Europe/Paris or UTC; did you mean 'Europe/Paris'?",
            )
        ],
    ),
    (
        "empty tasks",
        declaration({"Network": NET, "Tasks": {}}),
        [(f"{P}.Tasks", "must declare at least one task")],
    ),
    ("no tasks", declaration({"Network": NET}), [(f"{P}.Tasks", "is required")]),
    (
        "image given as a number",
        task(Image=42),
        [
            (
                f"{T}.Image",
                "42 is not valid: expected an image URI, {Repository, Tag} or {Function: LogicalId}",
            )
        ],
    ),
    (
        "image missing",
        declaration({"Network": NET, "Tasks": {"worker": {"Command": ["x"]}}}),
        [(f"{T}.Image", "is required (here or at the declaration level)")],
    ),
    (
        "image of a missing function",
        task(Image={"Function": "Api"}),
        [(f"{T}.Image.Function", "no resource 'Api' in this template")],
    ),
    (
        "image of a zip function",
        declaration(
            {"Network": NET, "Tasks": {"worker": {"Image": {"Function": "Api"}}}},
            resources={
                "Api": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {"Runtime": "python3.13", "Handler": "a.b", "CodeUri": "."},
                }
            },
        ),
        [(f"{T}.Image.Function", "'Api' is not an image function")],
    ),
    # Image references as Docker, ECR and ECS read them (the OCI distribution spec's name
    # grammar; ECS ContainerDefinition.image: at most 255 characters).
    (
        "image with a space",
        task(Image="my repo:latest"),
        [(f"{T}.Image", "'my repo:latest' is not an image reference")],
    ),
    (
        "image repository in upper case",
        task(Image="MyOrg/App:1.0"),
        [(f"{T}.Image", "repository names are lower case: write 'myorg/app:1.0'")],
    ),
    (
        "image of an ecr repository in upper case",
        task(Image="123456789012.dkr.ecr.us-east-1.amazonaws.com/Billing/API:v1"),
        [(f"{T}.Image", "write '123456789012.dkr.ecr.us-east-1.amazonaws.com/billing/api:v1'")],
    ),
    (
        "image longer than ecs takes",
        task(Image="public.ecr.aws/x/" + "a" * 250),
        [(f"{T}.Image", "has 267 characters before any digest: ECS takes 255")],
    ),
    (
        "image with a truncated digest",
        task(Image="nginx@sha256:" + "a" * 40),
        [(f"{T}.Image", "is not an image reference")],
    ),
    (
        "image with a digest ecs cannot use",
        task(Image="nginx@sha512:" + "a" * 128),
        [(f"{T}.Image", "is not an image reference")],
    ),
    (
        "image repository map with a tag in the name",
        task(Image={"Repository": "nginx:1.2", "Tag": "v1"}),
        [(f"{T}.Image.Repository", "is not an ECR repository name")],
    ),
    (
        "image repository map naming another registry",
        task(Image={"Repository": "localhost:5000/foo", "Tag": "v1"}),
        [(f"{T}.Image.Repository", "is not an ECR repository name")],
    ),
    (
        "image repository map with a double separator",
        task(Image={"Repository": "team__app", "Tag": "v1"}),
        [(f"{T}.Image.Repository", "is not an ECR repository name")],
    ),
    (
        "image with a bad tag",
        task(Image="app:-1"),
        [(f"{T}.Image", "'app:-1' is not an image reference")],
    ),
    (
        "sidecar image in upper case",
        task(Sidecars=[{"Name": "agent", "Image": "Datadog/Agent:7"}]),
        [(f"{T}.Sidecars[0].Image", "write 'datadog/agent:7'")],
    ),
    (
        "image repository map in upper case",
        task(Image={"Repository": "Billing", "Tag": "v1"}),
        [(f"{T}.Image.Repository", "'Billing' is not an ECR repository name: write 'billing'")],
    ),
    (
        "image from a parameter not a reference",
        with_parameters(task(Image={"Ref": "WorkerImage"}), WorkerImage="My App"),
        [(f"{T}.Image", "nginx:1.27) (the parameter WorkerImage's value)")],
    ),
    (
        "image map with unknown key",
        task(Image={"Repository": "app", "Tga": "1"}),
        [(f"{T}.Image.Tga", "unknown property; did you mean 'Tag'?")],
    ),
    (
        "bad task key",
        declaration({"Network": NET, "Tasks": {"9lives": {"Image": IMG}}}),
        [(f"{P}.Tasks.9lives", "'9lives' is not a valid name: a task key starts with a letter")],
    ),
    (
        "bad environment name",
        task(Environment={"MY-VAR": "1"}),
        [(f"{T}.Environment.MY-VAR", "is not a valid name")],
    ),
    (
        "environment value is a list",
        task(Environment={"A": [1]}),
        [
            (
                f"{T}.Environment.A",
                "[1] is not valid: expected a string, number, boolean or intrinsic function",
            )
        ],
    ),
    (
        "stop timeout out of range",
        task(StopTimeout=300),
        [(f"{T}.StopTimeout", "300 is out of range: expected a whole number from 2 to 120")],
    ),
    (
        "ephemeral storage too small",
        task(EphemeralStorage=20),
        [(f"{T}.EphemeralStorage", "20 is out of range: expected a whole number from 21 to 200")],
    ),
    (
        "architecture",
        task(Architecture="arm64"),
        [(f"{T}.Architecture", "'arm64' is not valid: expected X86_64 or ARM64")],
    ),
    (
        "log retention",
        declaration(
            {"Network": NET, "LogRetentionInDays": 10, "Tasks": {"worker": {"Image": IMG}}}
        ),
        [(f"{P}.LogRetentionInDays", "10 is not valid: expected one of 1, 3, 5, 7, 14, 30")],
    ),
    (
        "cluster name with cluster",
        declaration(
            {
                "Network": NET,
                "Cluster": "shared",
                "ClusterName": "x",
                "Tasks": {"worker": {"Image": IMG}},
            }
        ),
        [(f"{P}.ClusterName", "applies to a created cluster only")],
    ),
    (
        "duplicate sidecar name",
        task(Sidecars=[{"Name": "proxy", "Image": "envoy"}, {"Name": "proxy", "Image": "envoy"}]),
        [(f"{T}.Sidecars[1].Name", "container name 'proxy' is already used")],
    ),
    (
        "sidecar named like the main container",
        task(Sidecars=[{"Name": "worker", "Image": "x"}]),
        [(f"{T}.Sidecars[0].Name", "already used by the main container (the task key)")],
    ),
    (
        "sidecar without image",
        task(Sidecars=[{"Name": "x"}]),
        [(f"{T}.Sidecars[0].Image", "is required")],
    ),
    (
        "service overrides on a scheduled task",
        task(Schedule="rate(1 day)", Overrides={"Service": {"X": 1}}),
        [
            (
                f"{T}.Overrides.Service",
                "this task is a schedule task, so there is no service to override",
            )
        ],
    ),
    (
        "unknown overrides section",
        task(Overrides={"Cluster": {}}),
        [(f"{T}.Overrides.Cluster", "unknown property")],
    ),
    (
        "spot on a standalone task",
        task(Service=False, Spot=True),
        [(f"{T}.Spot", "Spot applies to services and to tasks with Schedule, Events or Callers")],
    ),
    (
        "spot weights both zero",
        task(Spot={"SpotWeight": 0}),
        [(f"{T}.Spot", "OnDemandWeight and SpotWeight are both 0")],
    ),
    (
        "deployment that can never finish",
        task(Service={"MinimumHealthyPercent": 100, "MaximumPercent": 100}),
        [
            (
                f"{T}.Service",
                "MinimumHealthyPercent 100 and MaximumPercent 100 with DesiredCount 1 leave ECS no room",
            )
        ],
    ),
    (
        "depends on a missing resource",
        task(DependsOn=["Queue"]),
        [(f"{T}.DependsOn[0]", "no resource 'Queue' in this template")],
    ),
    (
        "policy statement with unknown key",
        task(Policies=[{"Action": "s3:*", "Resource": "*", "Efect": "Allow"}]),
        [(f"{T}.Policies[0].Efect", "unknown property; did you mean 'Effect'?")],
    ),
    (
        "empty subnets",
        declaration({"Network": {"Subnets": []}, "Tasks": {"worker": {"Image": IMG}}}),
        [(f"{P}.Network.Subnets", "must list at least one subnet")],
    ),
    (
        "schedule retries out of range",
        task(Schedule={"Expression": "rate(1 day)", "Retries": 200}),
        [(f"{T}.Schedule.Retries", "200 is out of range: expected a whole number from 0 to 10")],
    ),
    (
        "parameter value checked",
        task(Cpu={"Ref": "Size"}, Memory=512),
        [(f"{T}.Memory", "512 MiB is not valid with Cpu 1024")],
    ),
    # Values fed by parameters (a Default, else the value given) are checked like literals.
    (
        "cpu from a parameter not a fargate size",
        with_parameters(task(Cpu={"Ref": "Odd"}), Odd="300"),
        [(f"{T}.Cpu", "300 is not valid: expected one of 256, 512, 1024")],
    ),
    (
        "cpu from a given parameter value",
        with_parameters(task(Cpu={"Ref": "Size"}), Size="256"),
        [],  # the value given (1024) wins over the Default: valid
    ),
    (
        "desired count from a parameter out of range",
        with_parameters(task(Service={"DesiredCount": {"Ref": "Count"}}), Count="9000"),
        [(f"{T}.Service.DesiredCount", "9000 is out of range: expected a whole number from 0")],
    ),
    (
        "schedule retries from a parameter out of range",
        with_parameters(
            task(Schedule={"Expression": "rate(1 day)", "Retries": {"Ref": "Tries"}}), Tries="200"
        ),
        [
            (
                f"{T}.Schedule.Retries",
                "200 is out of range: expected a whole number from 0 to 10 (the parameter Tries's value)",
            )
        ],
    ),
    (
        "log retention from a parameter not a choice",
        with_parameters(
            declaration(
                {
                    "Network": NET,
                    "LogRetentionInDays": {"Ref": "Days"},
                    "Tasks": {"worker": {"Image": IMG}},
                }
            ),
            Days="8",
        ),
        [(f"{P}.LogRetentionInDays", "8 is not valid: expected one of 1, 3, 5")],
    ),
    (
        "deployment limits from parameters that can never finish",
        with_parameters(
            task(
                Service={"MinimumHealthyPercent": {"Ref": "Low"}, "MaximumPercent": {"Ref": "High"}}
            ),
            Low="100",
            High="100",
        ),
        [(f"{T}.Service", "MinimumHealthyPercent 100 and MaximumPercent 100")],
    ),
    # Near misses are named: the right spelling, the right level.
    (
        "resource type misspelt",
        {"Resources": {"Workers": {"Type": "Fargate::Task", "Properties": {}}}},
        [("Resources.Workers.Type", "did you mean 'Fargate::Tasks'?")],
    ),
    (
        "resource type in the wrong case",
        {"Resources": {"Workers": {"Type": "fargate::tasks", "Properties": {}}}},
        [("Resources.Workers.Type", "did you mean 'Fargate::Tasks'?")],
    ),
    (
        "resource type with an AWS prefix",
        {"Resources": {"Workers": {"Type": "AWS::Fargate::Tasks", "Properties": {}}}},
        [("Resources.Workers.Type", "did you mean 'Fargate::Tasks'?")],
    ),
    (
        "timezone at task level",
        task(Schedule="rate(1 day)", Timezone="Europe/Paris"),
        [(f"{T}.Timezone", "belongs under Schedule")],
    ),
    (
        "subnets at task level",
        task(Subnets=["subnet-1"]),
        [(f"{T}.Subnets", "belongs under Network")],
    ),
    (
        "spot weight at declaration level",
        declaration({"Network": NET, "SpotWeight": 2, "Tasks": {"worker": {"Image": IMG}}}),
        [(f"{P}.SpotWeight", "belongs under Spot")],
    ),
    (
        "autoscaling target at service level",
        task(Service={"CpuTarget": 50}),
        [(f"{T}.Service.CpuTarget", "belongs under Autoscaling")],
    ),
    (
        "rate with thousands of digits",
        task(Schedule="rate(" + "9" * 5000 + " minutes)"),
        [(f"{T}.Schedule", "the value of rate() has more than 9 digits")],
    ),
    (
        "cron with thousands of digits",
        task(Schedule={"Expression": "cron(0 2 * * ? " + "2" * 5000 + ")"}),
        [(f"{T}.Schedule.Expression", "is not a valid year field")],
    ),
    (
        "timeout with thousands of digits",
        task(Schedule="rate(1 day)", Timeout="9" * 5000 + "m"),
        [(f"{T}.Timeout", "is not valid: expected seconds from 60 to 1209600")],
    ),
    (
        "spot weights from parameters that place nothing",
        with_parameters(
            task(Spot={"SpotWeight": {"Ref": "Weight"}, "OnDemandWeight": 0}), Weight="0"
        ),
        [(f"{T}.Spot", "OnDemandWeight and SpotWeight are both 0")],
    ),
    (
        "parameter value outside its AllowedValues",
        {
            "Parameters": {
                "Size": {"Type": "Number", "AllowedValues": [256, 512], "Default": "1024"}
            },
            **task(Cpu={"Ref": "Size"}),
        },
        [("Parameters.Size", "1024 is not one of its AllowedValues: 256, 512")],
    ),
    (
        "autoscaling bounds from parameters",
        with_parameters(
            task(
                Service={
                    "Autoscaling": {"MinCount": {"Ref": "Low"}, "MaxCount": 2, "CpuTarget": 50}
                }
            ),
            Low="5",
        ),
        [(f"{T}.Service.Autoscaling.MinCount", "MinCount 5 is above MaxCount 2")],
    ),
    (
        "dead-letter queue key given as an alias",
        task(
            Schedule="rate(1 day)",
            DeadLetterQueueArn="arn:aws:sqs:us-east-1:123456789012:failed",
            DeadLetterQueueKmsKeyArn="arn:aws:kms:us-east-1:123456789012:alias/failed",
        ),
        [(f"{T}.DeadLetterQueueKmsKeyArn", "an IAM grant on an alias does not cover the key")],
    ),
    (
        "dead-letter queue key without a queue",
        task(
            Schedule="rate(1 day)",
            DeadLetterQueueKmsKeyArn="arn:aws:kms:us-east-1:123456789012:key/k-1",
        ),
        [(f"{T}.DeadLetterQueueKmsKeyArn", "the task has none: add DeadLetterQueueArn")],
    ),
    (
        "dead-letter queue key in another region than its queue",
        with_parameters(
            task(
                Schedule="rate(1 day)",
                DeadLetterQueueArn="arn:aws:sqs:us-east-1:123456789012:failed",
                DeadLetterQueueKmsKeyArn={"Ref": "QueueKey"},
            ),
            QueueKey="arn:aws:kms:eu-west-1:123456789012:key/k-1",
        ),
        [(f"{T}.DeadLetterQueueKmsKeyArn", "is in eu-west-1 and the queue in us-east-1")],
    ),
]


@pytest.mark.parametrize(
    ("template", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_invalid_declaration(template, expected):
    if not expected:
        expand(template, parameters={"Size": "1024"})
        return
    found = problems(template, parameters={"Size": "1024"})
    for path, words in expected:
        matching = [p for p in found if p.startswith(path + ": ")]
        assert matching, f"no problem at {path}; got {found}"
        assert any(words in p for p in matching), f"{words!r} not in {matching}"


def test_catalogue_is_large():
    assert len(CASES) >= 25


def test_every_problem_is_listed_not_just_the_first():
    template = declaration(
        {
            "Network": NET,
            "Tasks": {
                "a": {"Image": IMG, "Cpu": 256, "Memory": 4096},
                "b": {"Image": IMG, "Schedule": "every day"},
                "c": {"Image": 42, "Comand": ["x"]},
            },
        }
    )
    found = problems(template)
    assert [p.split(":")[0] for p in found] == [
        f"{P}.Tasks.a.Memory",
        f"{P}.Tasks.b.Schedule",
        f"{P}.Tasks.c.Comand",
        f"{P}.Tasks.c.Image",
    ]


def test_problems_in_two_declarations_are_all_reported():
    template = {
        "Resources": {
            "One": {"Type": "Fargate::Tasks", "Properties": {"Network": NET, "Tasks": {}}},
            "Two": {
                "Type": "Fargate::Tasks",
                "Properties": {"Network": NET, "Tasks": {"x": {"Image": 1}}},
            },
        }
    }
    found = problems(template)
    assert any(p.startswith("Resources.One.Properties.Tasks:") for p in found)
    assert any(p.startswith("Resources.Two.Properties.Tasks.x.Image:") for p in found)


def test_properties_missing():
    found = problems({"Resources": {"Workers": {"Type": "Fargate::Tasks"}}})
    assert found == ["Resources.Workers.Properties: is required: a map with at least Tasks"]


def test_collision_between_two_declarations():
    template = {
        "Resources": {
            "A": {
                "Type": "Fargate::Tasks",
                "Properties": {"Network": NET, "Tasks": {"b-c": {"Image": IMG}}},
            },
            "AB": {
                "Type": "Fargate::Tasks",
                "Properties": {"Network": NET, "Tasks": {"c": {"Image": IMG}}},
            },
        }
    }
    found = problems(template)
    assert any("would generate the resource 'ABCTaskRole'" in p for p in found)


def test_output_collision():
    template = task()
    template["Outputs"] = {"WorkersClusterArn": {"Value": "x"}}
    found = problems(template)
    assert any("would generate the output 'WorkersClusterArn'" in p for p in found)


def test_parameter_values_of_every_kind_pass_where_valid():
    """A list parameter's text is a list, a number's text a number; a Ref inside another
    function is left to CloudFormation."""
    template = task(
        Cpu={"Ref": "Cpu"},
        Service={"DesiredCount": {"Ref": "Count"}},
        Network={
            "Subnets": {"Ref": "Subnets"},
            "SecurityGroups": [{"Fn::Select": [0, {"Ref": "Groups"}]}],
        },
    )
    template["Parameters"] = {
        "Cpu": {"Type": "Number", "Default": "512"},
        "Count": {"Type": "Number", "Default": "3"},
        "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>", "Default": "subnet-1,subnet-2"},
        "Groups": {"Type": "CommaDelimitedList", "Default": "sg-1,sg-2"},
    }
    expand(template)
    assert problems(template, parameters={"Count": "-1"}) == [
        f"{T}.Service.DesiredCount: -1 is out of range: expected a whole number from 0 to 5000 "
        "(the parameter Count's value)"
    ]


SECTIONS = [
    (section, name)
    for section, table in (
        ("Schedule", fields.SCHEDULE),
        ("Service", fields.SERVICE),
        ("Spot", fields.SPOT),
        ("Network", fields.NETWORK),
    )
    for name in table
    if name not in fields.TASK
]


@pytest.mark.parametrize(("section", "name"), SECTIONS, ids=[f"{s}.{n}" for s, n in SECTIONS])
def test_a_sub_key_one_level_too_high_says_where_it_belongs(section, name):
    found = problems(task(**{name: 1}))
    (problem,) = [p for p in found if p.startswith(f"{T}.{name}: ")]
    assert section in problem.partition("belongs under ")[2].split(" (")[0].split(" or "), found


@pytest.mark.parametrize(
    "image",
    [
        "nginx",
        "nginx:1.25-alpine",
        "library/nginx:latest",
        "docker.io/library/nginx",
        "public.ecr.aws/docker/library/python:3.13",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:V1.2_rc",
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@sha256:" + "a" * 64,
        "ghcr.io/owner/app:main@sha256:" + "0" * 64,
        "localhost:5000/my_app__x/sub-dir.v2:tag",
        "MyRegistry:5000/app",  # a registry host may be written in capitals
        "[::1]:5000/app:1",
        # ECS counts the 255 characters before a digest only (ContainerDefinition.image).
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/" + "a" * 200 + "@sha256:" + "0" * 64,
        "{{resolve:ssm:/app/image}}",  # a dynamic reference: known only at deploy
    ],
)
def test_image_references_docker_pulls_are_accepted(image):
    expand(task(Image=image, Sidecars=[{"Name": "agent", "Image": image}]))


@pytest.mark.parametrize(
    "repository",
    ["app", "team/app", "a.b-c_d/e", "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1"],
)
def test_repository_names_ecr_takes_are_accepted(repository):
    expand(task(Image={"Repository": repository, "Tag": "v1"}))


def test_a_declaration_without_the_transform_is_named():
    template = task()
    with pytest.raises(InvalidTemplate) as caught:
        expand_template(template, require_transform=True)
    (problem,) = caught.value.problems
    assert problem.path == "Resources.Workers.Type"
    assert "Transform: ServerlessFargate" in problem.message
    template["Transform"] = ["ServerlessFargate", "AWS::Serverless-2016-10-31"]
    expand_template(template, require_transform=True)


def test_an_ssm_parameter_is_known_only_at_deploy():
    """An SSM-typed parameter's value names a Systems Manager parameter; what it holds is read
    at deploy time, so it is not checked as the value."""
    template = task(Cpu={"Ref": "Cpu"})
    template["Parameters"] = {
        "Cpu": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/cpu"}
    }
    expand(template)

"""Growth with task count, measured as ratios within one run (no absolute time: a slower or
busier machine scales both sides alike).

Validation and expansion must be linear in the number of tasks: a quadratic step turns a few
thousand tasks into minutes, past the macro function's timeout, so the user would get a timeout
instead of the resource-limit message.
"""

from __future__ import annotations

import gc

import pytest
from conftest import least_cpu_time
from serverless_fargate.declaration import Context, parse_declaration
from serverless_fargate.handler import handler
from serverless_fargate.resources import build_declaration
from test_hardening import many

# Linear growth over 8x the tasks is 8x the time; quadratic is 64x. The bound leaves room for
# a noisy shared machine (and the garbage collector's growing passes) while catching any
# step that is quadratic in the task count.
GROWTH_BOUND = 24

# Every task kind and the features whose rules or builders look across tasks or at the
# template: queue-scaled Spot services, web services with scaling and ECS Exec, EFS volumes
# with a sidecar and overrides, scheduled tasks on a function's image that depend on
# another task's resources, standalone tasks with secrets that depend on a template resource.
KINDS = [
    {
        "Command": ["python", "-m", "worker"],
        "Environment": {"QUEUE_URL": {"Ref": "Jobs"}},
        "Policies": [
            {"Effect": "Allow", "Action": "sqs:*", "Resource": {"Fn::GetAtt": "Jobs.Arn"}}
        ],
        "Spot": True,
        "Service": {
            "Autoscaling": {
                "MinCount": 0,
                "MaxCount": 20,
                "Queue": {"Arn": {"Fn::GetAtt": "Jobs.Arn"}, "MessagesPerTask": 50},
            }
        },
    },
    {
        "Command": ["gunicorn", "web:app"],
        "PortMappings": [8000],
        "HealthCheck": {"Command": ["CMD-SHELL", "curl -fs http://localhost:8000/ || exit 1"]},
        "Service": {
            "DesiredCount": 2,
            "EnableExecuteCommand": True,
            "Autoscaling": {"MinCount": 2, "MaxCount": 10, "CpuTarget": 60},
        },
    },
    {
        "Command": ["python", "-m", "indexer"],
        "Volumes": {
            "media": {"FileSystemId": "fs-0123456789abcdef0", "MountPath": "/data"},
        },
        "Sidecars": [{"Name": "agent", "Image": "public.ecr.aws/cloudwatch-agent/agent:latest"}],
        "Overrides": {"Container": {"User": "1000"}},
    },
    {
        "Image": {"Function": "Api"},
        "Command": ["python", "-m", "report"],
        "Timeout": "1h",
        "Schedule": {"Expression": "cron(0 3 * * ? *)", "Timezone": "Europe/Berlin"},
    },
    {
        "Command": ["python", "-m", "migrate"],
        "Secrets": {"API_KEY": "/app/api-key"},
        "DependsOn": ["Jobs"],
        "Service": False,
    },
]


def declaration(n: int) -> dict:
    """n tasks cycling through KINDS; each scheduled task waits for the previous task."""
    tasks = {}
    for i in range(n):
        task = dict(KINDS[i % len(KINDS)])
        if "Schedule" in task and i:
            task["DependsOn"] = [f"WorkersT{i - 1}TaskDefinition"]
        tasks[f"t{i}"] = task
    return {
        "Resources": {
            "Jobs": {"Type": "AWS::SQS::Queue"},
            "Api": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "PackageType": "Image",
                    "ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1",
                },
            },
            "Workers": {
                "Type": "Fargate::Tasks",
                "Properties": {
                    "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
                    "Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
                    "Outputs": False,
                    "Tasks": tasks,
                },
            },
        }
    }


def expand_declaration(fragment: dict) -> dict:
    """Every rule and builder on the declaration, without the resource limit (which refuses
    a template of this size before any per-task work), with the garbage collector paused as
    `transform` pauses it: in a test process holding the whole suite's objects, its full
    passes would otherwise weigh on the larger run far more than on the smaller."""
    context = Context(fragment, {})
    resource = fragment["Resources"]["Workers"]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        model = parse_declaration("Workers", resource, context)
        built, _ = build_declaration(model, "arn:token", "nonce", None)
    finally:
        if was_enabled:
            gc.enable()
    return built


def test_the_declaration_exercises_every_kind_and_is_valid():
    built = expand_declaration(declaration(10))
    kinds = {resource["Type"] for resource in built.values()}
    assert {
        "AWS::ECS::Service",
        "AWS::Scheduler::Schedule",
        "AWS::ApplicationAutoScaling::ScalableTarget",
    } <= kinds
    assert built["WorkersT8TaskDefinition"]["Properties"]["ContainerDefinitions"]


@pytest.mark.slow
def test_validation_and_expansion_grow_linearly_with_the_task_count():
    small, large = declaration(500), declaration(4000)
    expand_declaration(small)  # warm: first-call costs (imports, caches) are not growth
    ratio = least_cpu_time(expand_declaration, large, 2) / least_cpu_time(
        expand_declaration, small, 3
    )
    assert ratio < GROWTH_BOUND, f"8x the tasks took {ratio:.1f}x the time"


def macro(fragment: dict) -> dict:
    return handler({"fragment": fragment, "requestId": "r", "region": "us-east-1"}, None)


def test_a_declaration_certainly_over_the_resource_limit_is_refused_before_per_task_work():
    huge, ordinary = many(5000, Outputs=False), many(100, Outputs=False)
    answer = macro(huge)
    assert answer["status"] == "failure"
    assert answer["errorMessage"] == (
        "Resources.Workers: the processed template would have at least 5000 resources (one task "
        "definition per task), 4500 over CloudFormation's limit of 500: split the tasks over "
        "several stacks (nested stacks work)"
    )
    assert macro(ordinary)["status"] == "success"
    # Refusing 5,000 tasks costs less than expanding 100: it is a count, not a validation.
    assert least_cpu_time(macro, huge, 3) < least_cpu_time(macro, ordinary, 3)

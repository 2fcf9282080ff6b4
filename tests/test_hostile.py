"""Regression tests for hostile or malformed declarations (issue: one source of truth).

Each case was reproduced against the earlier parser: it either ended in the macro's internal
error or produced an invalid or unsafe template. Each must now be refused with its path, and
none may reach the handler's internal-error path.
"""

from __future__ import annotations

import json

import pytest
from conftest import GROUP, SUBNET, TOKEN, declaration, expand, problems, task
from serverless_fargate.declaration import images
from serverless_fargate.errors import InvalidTemplate
from serverless_fargate.handler import handler
from serverless_fargate.transform import transform

P = "Resources.Workers.Properties"
T = f"{P}.Tasks.worker"
IMG = "public.ecr.aws/docker/library/python:3.13"
NET = {"Subnets": [SUBNET], "SecurityGroups": [GROUP]}
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def _macro(template: dict, parameters: dict | None = None) -> dict:
    event = {
        "region": "us-east-1",
        "accountId": "123456789012",
        "fragment": template,
        "transformId": "123456789012::ServerlessFargate",
        "params": {},
        "requestId": "r-1",
        "templateParameterValues": parameters if parameters is not None else {},
    }
    return handler(event, None)


CASES = [
    # name, template, parameters, [(path, words in the message)]
    (
        "5,000-digit number",
        task(Cpu=10**5000),
        None,
        [(f"{T}.Cpu", "a number too large")],
    ),
    (
        "Fn::Sub with a number",
        task(Image={"Fn::Sub": 5}),
        None,
        [(f"{T}.Image.Fn::Sub", "Fn::Sub takes a string, or [string, map of variables]")],
    ),
    (
        "Fn::GetAtt with one part",
        task(Image={"Fn::GetAtt": ["Repo"]}),
        None,
        [(f"{T}.Image.Fn::GetAtt", "Fn::GetAtt takes")],
    ),
    (
        "an intrinsic function that does not exist",
        task(Image={"Fn::Subb": "x"}),
        None,
        [(f"{T}.Image.Fn::Subb", "is not a CloudFormation intrinsic function")],
    ),
    (
        "DependsOn given as a map",
        declaration({"Network": NET, "Tasks": {"worker": {"Image": IMG}}}, DependsOn={"a": 1}),
        None,
        [("Resources.Workers.DependsOn", "must be a logical ID or a list of logical IDs")],
    ),
    (
        "Condition given as a list",
        declaration({"Network": NET, "Tasks": {"worker": {"Image": IMG}}}, Condition=["x"]),
        None,
        [("Resources.Workers.Condition", "must be the name of a condition")],
    ),
    (
        "an infinite number",
        task(StopTimeout=float("inf")),
        None,
        [(f"{T}.StopTimeout", "is not a usable number")],
    ),
    (
        "a number as a map key",
        task(Environment={1: "x"}),
        None,
        [(f"{T}.Environment.1", "map keys must be strings")],
    ),
    (
        "a tag AWS reserves",
        task(Tags={"aws:cloudformation:stack-name": "x"}),
        None,
        [(f"{T}.Tags.aws:cloudformation:stack-name", "may not start with 'aws:'")],
    ),
    (
        "a tag spoofing what the transform marks",
        task(Tags={"serverless-fargate:managed": "true"}),
        None,
        [(f"{T}.Tags.serverless-fargate:managed", "'serverless-fargate:' (reserved")],
    ),
    (
        "a policy statement without Effect",
        task(Policies=[{"Action": "s3:GetObject", "Resource": "*"}]),
        None,
        [(f"{T}.Policies[0].Effect", "is required")],
    ),
    (
        "a policy statement without Resource",
        task(Policies=[{"Effect": "Allow", "Action": "s3:GetObject"}]),
        None,
        [(f"{T}.Policies[0]", "a statement needs Resource")],
    ),
    (
        "an empty subnet ID",
        declaration({"Network": {"Subnets": [""]}, "Tasks": {"worker": {"Image": IMG}}}),
        None,
        [(f"{P}.Network.Subnets[0]", "must not be empty")],
    ),
    (
        "a subnet list given as an empty string",
        declaration({"Network": {"Subnets": ""}, "Tasks": {"worker": {"Image": IMG}}}),
        None,
        [(f"{P}.Network.Subnets", "is not valid: expected a list of IDs")],
    ),
    (
        "a dead-letter queue that is not an ARN",
        task(Schedule={"Expression": "rate(1 day)", "DeadLetterQueueArn": "my-queue"}),
        None,
        [(f"{T}.Schedule.DeadLetterQueueArn", "expected an SQS ARN")],
    ),
    (
        "a scaling queue that is not an ARN",
        task(Service={"Autoscaling": {"MaxCount": 2, "Queue": {"Arn": "q"}}}),
        None,
        [(f"{T}.Service.Autoscaling.Queue.Arn", "expected an SQS ARN")],
    ),
    (
        "a port mapped twice",
        task(PortMappings=[8080, {"ContainerPort": 8080}]),
        None,
        [(f"{T}.PortMappings[1]", "port 8080/tcp is already mapped")],
    ),
    (
        "Overrides that make a container privileged",
        task(Overrides={"Container": {"Privileged": True}}),
        None,
        [(f"{T}.Overrides.Container.Privileged", "Fargate does not run privileged containers")],
    ),
    (
        "Overrides that make a container privileged with a string",
        task(Overrides={"Container": {"Privileged": "true"}}),
        None,
        [(f"{T}.Overrides.Container.Privileged", "Fargate does not run privileged containers")],
    ),
    (
        "Overrides that make a container privileged with an intrinsic",
        task(Overrides={"Container": {"Privileged": {"Fn::If": ["C", True, False]}}}),
        None,
        [(f"{T}.Overrides.Container.Privileged", "cannot be checked before deploy")],
    ),
    (
        "a privileged sidecar",
        task(Sidecars=[{"Name": "proxy", "Image": IMG, "Privileged": True}]),
        None,
        [(f"{T}.Sidecars[0].Privileged", "Fargate does not run privileged containers")],
    ),
    (
        "Overrides that replace the containers with one of another name",
        task(
            Overrides={
                "TaskDefinition": {
                    "ContainerDefinitions": [{"Name": "other", "Image": IMG, "Privileged": True}]
                }
            }
        ),
        None,
        [
            (
                f"{T}.Overrides.TaskDefinition.ContainerDefinitions[0].Privileged",
                "Fargate does not run privileged containers",
            )
        ],
    ),
    (
        "Overrides that rename the main container",
        task(Overrides={"Container": {"Name": "other", "Links": ["db"]}}),
        None,
        [(f"{T}.Overrides.Container.Links", "is not supported on Fargate")],
    ),
    (
        "Overrides that give the containers as an intrinsic",
        task(Overrides={"TaskDefinition": {"ContainerDefinitions": {"Ref": "Containers"}}}),
        None,
        [
            (
                f"{T}.Overrides.TaskDefinition.ContainerDefinitions",
                "cannot be checked before deploy",
            )
        ],
    ),
    (
        "Overrides that add a kernel capability",
        task(
            Overrides={"Container": {"LinuxParameters": {"Capabilities": {"Add": ["SYS_ADMIN"]}}}}
        ),
        None,
        [
            (
                f"{T}.Overrides.Container.LinuxParameters.Capabilities.Add[0]",
                "may add only the SYS_PTRACE kernel capability",
            )
        ],
    ),
    (
        "a sidecar with a host device",
        task(
            Sidecars=[
                {
                    "Name": "proxy",
                    "Image": IMG,
                    "LinuxParameters": {"Devices": [{"HostPath": "/dev/mem"}]},
                }
            ]
        ),
        None,
        [(f"{T}.Sidecars[0].LinuxParameters.Devices", "is not supported on Fargate")],
    ),
    (
        "Overrides with the host's process namespace",
        task(Overrides={"TaskDefinition": {"PidMode": "host"}}),
        None,
        [(f"{T}.Overrides.TaskDefinition.PidMode", "no host process namespace")],
    ),
    (
        "Overrides with the host's IPC namespace",
        task(Overrides={"TaskDefinition": {"IpcMode": "host"}}),
        None,
        [(f"{T}.Overrides.TaskDefinition.IpcMode", "is not supported by Fargate tasks")],
    ),
    (
        "Overrides with host networking",
        task(Overrides={"TaskDefinition": {"NetworkMode": "host"}}),
        None,
        [(f"{T}.Overrides.TaskDefinition.NetworkMode", "Fargate tasks use awsvpc networking")],
    ),
    (
        "Overrides with a network mode that cannot be decided",
        task(Overrides={"TaskDefinition": {"NetworkMode": {"Fn::If": ["C", "host", "awsvpc"]}}}),
        None,
        [(f"{T}.Overrides.TaskDefinition.NetworkMode", "cannot be checked before deploy")],
    ),
    (
        "Overrides with a host volume at /",
        task(
            Overrides={
                "TaskDefinition": {"Volumes": [{"Name": "root", "Host": {"SourcePath": "/"}}]}
            }
        ),
        None,
        [(f"{T}.Overrides.TaskDefinition.Volumes[0].Host.SourcePath", "mounts no host path")],
    ),
    (
        "Overrides with the EC2 launch type",
        task(Overrides={"Service": {"LaunchType": "EC2"}}),
        None,
        [(f"{T}.Overrides.Service.LaunchType", "'EC2': these tasks run on Fargate")],
    ),
    (
        "Overrides with a launch type beside the capacity provider strategy",
        task(Overrides={"Service": {"LaunchType": "FARGATE"}}),
        None,
        [(f"{T}.Overrides.Service.LaunchType", "not both")],
    ),
    (
        "Overrides with an EC2 capacity provider",
        task(Overrides={"Service": {"CapacityProviderStrategy": [{"CapacityProvider": "my-asg"}]}}),
        None,
        [
            (
                f"{T}.Overrides.Service.CapacityProviderStrategy[0].CapacityProvider",
                "these tasks run on Fargate",
            )
        ],
    ),
    (
        "Overrides with a service role",
        task(Overrides={"Service": {"Role": "arn:aws:iam::123456789012:role/ecs"}}),
        None,
        [(f"{T}.Overrides.Service.Role", "service-linked role")],
    ),
    (
        "Overrides with a service on another task definition",
        task(
            Overrides={"Service": {"TaskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/x"}}
        ),
        None,
        [(f"{T}.Overrides.Service.TaskDefinition", "cannot be overridden")],
    ),
    (
        "Overrides that switch ECS Exec on without its grant",
        task(Overrides={"Service": {"EnableExecuteCommand": True}}),
        None,
        [(f"{T}.Overrides.Service.EnableExecuteCommand", "Service.EnableExecuteCommand")],
    ),
    (
        "Overrides with a reserved tag on the service",
        task(
            Overrides={
                "Service": {"Tags": [{"Key": "serverless-fargate:fallback-for", "Value": "x"}]}
            }
        ),
        None,
        [(f"{T}.Overrides.Service.Tags[0].Key", "may not start with 'aws:'")],
    ),
    (
        "Overrides with a reserved tag on the task definition",
        task(
            Overrides={
                "TaskDefinition": {"Tags": [{"Key": "serverless-fargate:timeout", "Value": "1"}]}
            }
        ),
        None,
        [(f"{T}.Overrides.TaskDefinition.Tags[0].Key", "'serverless-fargate:' (reserved")],
    ),
    (
        "declaration-level Overrides with a reserved tag",
        declaration(
            {
                "Network": NET,
                "Overrides": {"Service": {"Tags": [{"Key": "aws:x", "Value": "1"}]}},
                "Tags": {"team": "a"},
                "Tasks": {"worker": {"Image": IMG}},
            }
        ),
        None,
        [(f"{P}.Overrides.Service.Tags[0].Key", "may not start with 'aws:'")],
    ),
    (
        "Overrides with a tag key that cannot be checked",
        task(Overrides={"Service": {"Tags": [{"Key": {"Fn::If": ["C", "a", "b"]}, "Value": "1"}]}}),
        None,
        [(f"{T}.Overrides.Service.Tags[0].Key", "cannot be checked before deploy")],
    ),
    (
        "Overrides with another task role",
        task(Overrides={"TaskDefinition": {"TaskRoleArn": "arn:aws:iam::123456789012:role/admin"}}),
        None,
        [
            (
                f"{T}.Overrides.TaskDefinition.TaskRoleArn",
                "give the role with the task's TaskRoleArn",
            )
        ],
    ),
    (
        "Overrides with another execution role",
        task(
            Overrides={"TaskDefinition": {"ExecutionRoleArn": "arn:aws:iam::123456789012:role/x"}}
        ),
        None,
        [(f"{T}.Overrides.TaskDefinition.ExecutionRoleArn", "task's ExecutionRoleArn")],
    ),
    (
        "Overrides with another schedule role",
        task(
            Schedule="rate(1 day)",
            Overrides={"Schedule": {"Target": {"RoleArn": "arn:aws:iam::123456789012:role/x"}}},
        ),
        None,
        [(f"{T}.Overrides.Schedule.Target.RoleArn", "cannot be overridden")],
    ),
    (
        "Overrides with another schedule target",
        task(
            Schedule="rate(1 day)",
            Overrides={"Schedule": {"Target": {"Arn": "arn:aws:scheduler:::aws-sdk:ecs:runTask"}}},
        ),
        None,
        [(f"{T}.Overrides.Schedule.Target.Arn", "runs nobody watches")],
    ),
    (
        "a secret that is every parameter",
        task(Secrets={"DB": "*"}),
        None,
        [(f"{T}.Secrets.DB", "'*' is a wildcard: ECS reads one SSM parameter or secret")],
    ),
    (
        "a secret that is a parameter path",
        task(Secrets={"DB": "prod/*"}),
        None,
        [(f"{T}.Secrets.DB", "'prod/*' is a wildcard")],
    ),
    (
        "a secret that is every secret",
        task(Secrets={"DB": "arn:aws:secretsmanager:us-east-1:123456789012:secret:*"}),
        None,
        [(f"{T}.Secrets.DB", "is a wildcard")],
    ),
    (
        "a secret whose Fn::Sub text is a wildcard",
        task(Secrets={"DB": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:1:parameter/*"}}),
        None,
        [(f"{T}.Secrets.DB", "is a wildcard")],
    ),
    (
        "a secret from a parameter whose value is a wildcard",
        task(Secrets={"DB": {"Ref": "Name"}}),
        {"Name": "app/?"},
        [(f"{T}.Secrets.DB", "'app/?' is a wildcard")],
    ),
    (
        "a sidecar secret that is a wildcard",
        task(Sidecars=[{"Name": "p", "Image": IMG, "Secrets": [{"Name": "X", "ValueFrom": "*"}]}]),
        None,
        [(f"{T}.Sidecars[0].Secrets[0].ValueFrom", "is a wildcard")],
    ),
    (
        "an EFS volume on every file system",
        task(Volumes={"data": {"FileSystemId": "*", "MountPath": "/data"}}),
        None,
        [(f"{T}.Volumes.data.FileSystemId", "an EFS volume mounts one file system")],
    ),
    (
        "a KMS key that is every key",
        task(
            Secrets={"DB": "db"},
            SecretsKmsKeyArns=["arn:aws:kms:us-east-1:123456789012:key/*"],
        ),
        None,
        [(f"{T}.SecretsKmsKeyArns[0]", "is a wildcard")],
    ),
    (
        "a secret whose Fn::Sub variable is a parameter that is every secret",
        task(Secrets={"DB": {"Fn::Sub": "${SecretArn}:password::"}}),
        {"SecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:*"},
        [(f"{T}.Secrets.DB", "is a wildcard")],
    ),
    (
        "a secret whose Fn::Sub variable is a parameter that is every parameter",
        task(Secrets={"DB": {"Fn::Sub": "arn:${AWS::Partition}:ssm:us-east-1:1:parameter/${P}"}}),
        {"P": "*"},
        [(f"{T}.Secrets.DB", "is a wildcard")],
    ),
    (
        "a secret whose Fn::Sub variable map refers to a wildcard parameter",
        task(
            Secrets={
                "DB": {"Fn::Sub": ["arn:aws:ssm:us-east-1:1:parameter/${X}", {"X": {"Ref": "P"}}]}
            }
        ),
        {"P": "*"},
        [(f"{T}.Secrets.DB", "is a wildcard")],
    ),
    (
        "a secret joined from parts",
        task(Secrets={"DB": {"Fn::Join": ["", ["arn:aws:ssm:us-east-1:1:parameter/", "*"]]}}),
        None,
        [(f"{T}.Secrets.DB", "cannot be checked before deploy")],
    ),
    (
        "a secret selected from a list",
        task(Secrets={"DB": {"Fn::Select": [0, ["arn:aws:ssm:us-east-1:1:parameter/*"]]}}),
        None,
        [(f"{T}.Secrets.DB", "cannot be checked before deploy")],
    ),
    (
        "a secret whose Fn::Sub variable is chosen by a condition",
        task(Secrets={"DB": {"Fn::Sub": ["${X}", {"X": {"Fn::If": ["C", "*", "db"]}}]}}),
        None,
        [(f"{T}.Secrets.DB", "cannot be checked before deploy")],
    ),
    (
        "an EFS file system chosen by a condition",
        task(Volumes={"data": {"FileSystemId": {"Fn::If": ["C", "*", "fs-1"]}, "MountPath": "/d"}}),
        None,
        [(f"{T}.Volumes.data.FileSystemId", "cannot be checked before deploy")],
    ),
    (
        "a KMS key from a parameter that is every key",
        task(
            Secrets={"DB": "db"},
            SecretsKmsKeyArns=[{"Fn::Sub": "arn:aws:kms:us-east-1:1:key/${K}"}],
        ),
        {"K": "*"},
        [(f"{T}.SecretsKmsKeyArns[0]", "is a wildcard")],
    ),
    (
        "an Overrides volume chosen by a condition",
        task(
            Overrides={
                "TaskDefinition": {
                    "Volumes": [
                        {
                            "Fn::If": [
                                "C",
                                {"Name": "root", "Host": {"SourcePath": "/"}},
                                {"Ref": "AWS::NoValue"},
                            ]
                        }
                    ]
                }
            }
        ),
        None,
        [(f"{T}.Overrides.TaskDefinition.Volumes[0]", "cannot be checked before deploy")],
    ),
    (
        "Overrides with compatibilities chosen by a condition",
        task(
            Overrides={
                "TaskDefinition": {
                    "RequiresCompatibilities": {"Fn::If": ["C", ["EC2"], ["FARGATE"]]}
                }
            }
        ),
        None,
        [(f"{T}.Overrides.TaskDefinition.RequiresCompatibilities", "cannot be checked")],
    ),
    (
        "Overrides with EC2 compatibility besides Fargate",
        task(Overrides={"TaskDefinition": {"RequiresCompatibilities": ["EC2", "FARGATE"]}}),
        None,
        [(f"{T}.Overrides.TaskDefinition.RequiresCompatibilities", "exactly [FARGATE]")],
    ),
    (
        "an Overrides tag chosen by a condition",
        task(
            Overrides={
                "TaskDefinition": {
                    "Tags": [
                        {
                            "Fn::If": [
                                "C",
                                {"Key": "serverless-fargate:timeout", "Value": "1"},
                                {"Ref": "AWS::NoValue"},
                            ]
                        }
                    ]
                }
            }
        ),
        None,
        [(f"{T}.Overrides.TaskDefinition.Tags[0]", "cannot be checked before deploy")],
    ),
    (
        "Overrides tags chosen by a condition",
        task(
            Overrides={
                "Schedule": {"Tags": {"Fn::If": ["C", [{"Key": "serverless-fargate:timeout"}], []]}}
            },
            Schedule="rate(1 day)",
        ),
        None,
        [(f"{T}.Overrides.Schedule.Tags", "cannot be checked before deploy")],
    ),
    (
        "a whole Overrides section chosen by a condition",
        task(Overrides={"TaskDefinition": {"Fn::If": ["C", {"PidMode": "host"}, {}]}}),
        None,
        [(f"{T}.Overrides.TaskDefinition", "cannot be checked before deploy")],
    ),
    (
        "a schedule target chosen by a condition",
        task(
            Schedule="rate(1 day)",
            Overrides={
                "Schedule": {
                    "Target": {
                        "Fn::If": [
                            "C",
                            {"Arn": "arn:aws:lambda:us-east-1:1:function:x", "RoleArn": "x"},
                            {"Ref": "AWS::NoValue"},
                        ]
                    }
                }
            },
        ),
        None,
        [(f"{T}.Overrides.Schedule.Target", "cannot be checked before deploy")],
    ),
    (
        "SAM Globals tags spoofing what the transform marks",
        {
            "Globals": {"Function": {"Tags": {"serverless-fargate:fallback-for": "x"}}},
            **declaration(
                {"InheritGlobals": True, "Network": NET, "Tasks": {"worker": {"Image": IMG}}}
            ),
        },
        None,
        [
            (
                "Globals.Function.Tags.serverless-fargate:fallback-for",
                "'serverless-fargate:' (reserved",
            )
        ],
    ),
    (
        "Overrides with bridge networking",
        task(Overrides={"TaskDefinition": {"NetworkMode": "bridge"}}),
        None,
        [(f"{T}.Overrides.TaskDefinition.NetworkMode", "Fargate tasks use awsvpc networking")],
    ),
    (
        "Overrides with a CPU Fargate does not offer",
        task(Overrides={"TaskDefinition": {"Cpu": "300"}}),
        None,
        [(f"{T}.Overrides.TaskDefinition.Cpu", "300 is not a Fargate CPU size")],
    ),
    (
        "Overrides with a memory that does not fit the CPU",
        task(Cpu=256, Overrides={"TaskDefinition": {"Memory": "8192"}}),
        None,
        [(f"{T}.Overrides.TaskDefinition.Memory", "8192 MiB is not valid with Cpu 256")],
    ),
    (
        "a sidecar property in lower case",
        task(Sidecars=[{"Name": "proxy", "Image": IMG, "essential": False}]),
        None,
        [(f"{T}.Sidecars[0].essential", "did you mean 'Essential'?")],
    ),
    (
        "a sidecar with links, which Fargate refuses",
        task(Sidecars=[{"Name": "proxy", "Image": IMG, "Links": ["db"]}]),
        None,
        [(f"{T}.Sidecars[0].Links", "is not supported on Fargate")],
    ),
    (
        "a twin ID that collides with another task's service",
        declaration(
            {
                "Network": NET,
                "Tasks": {
                    "x": {"Image": IMG, "Spot": True},
                    "x-fallback": {"Image": IMG},
                },
            }
        ),
        None,
        [(f"{P}.Tasks", "would both be named 'WorkersXFallbackService'")],
    ),
    (
        "a declaration logical ID CloudFormation cannot take",
        {
            "Resources": {
                "My-Workers": {
                    "Type": "Fargate::Tasks",
                    "Properties": {"Tasks": {"w": {"Image": IMG}}},
                }
            }
        },
        None,
        [("Resources.My-Workers", "letters and digits only")],
    ),
    (
        "a task key that makes IDs over 255 characters",
        declaration({"Network": NET, "Tasks": {"w" + "x" * 240: {"Image": IMG}}}),
        None,
        [(f"{P}.Tasks.w" + "x" * 240, "over CloudFormation's 255")],
    ),
    (
        "a flag given as an intrinsic that cannot be known",
        task(Spot={"Fallback": {"Fn::If": ["C", True, False]}}),
        None,
        [(f"{T}.Spot.Fallback", "decides what is generated")],
    ),
    (
        "a flag from a parameter that is not a boolean",
        task(Service={"EnableExecuteCommand": {"Ref": "Exec"}}),
        {"Exec": "yes"},
        [(f"{T}.Service.EnableExecuteCommand", "the parameter Exec is 'yes'")],
    ),
    (
        "a flag from a parameter without a value",
        task(Service={"EnableExecuteCommand": {"Ref": "Exec"}}),
        None,
        [(f"{T}.Service.EnableExecuteCommand", "'Exec' is not a template parameter with a value")],
    ),
]


@pytest.mark.parametrize(
    "template, parameters, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_refused_with_its_path(template, parameters, expected):
    found = problems(template, parameters)
    for path, words in expected:
        assert any(p.startswith(path + ":") and words in p for p in found), (path, words, found)
    answer = _macro(template, parameters)
    assert answer["status"] == "failure"
    assert "internal error" not in answer["errorMessage"]


def test_globals_function_not_a_map_is_ignored_not_a_crash():
    template = task()
    template["Globals"] = {"Function": ["not", "a", "map"]}
    assert "WorkersWorkerService" in expand(template)["Resources"]


def test_template_parameter_values_of_any_shape_do_not_crash():
    template = task(Cpu={"Ref": "Size"})
    template["Parameters"] = {"Size": {"Type": "String", "Default": "512"}}
    for values in ([1, 2], {"Size": ["1", "2"]}, {"Size": {"a": 1}}, {"Size": 10**5000}, "x"):
        answer = _macro(template, values)  # type: ignore[arg-type]
        assert answer["status"] in ("success", "failure")
        assert "internal error" not in answer.get("errorMessage", "")


def test_user_text_in_fn_sub_is_refused_and_would_be_escaped():
    """A `${` in a repository name or tag must not become a Fn::Sub variable. No image
    reference has one, so validation refuses it; the builder escapes it all the same."""
    found = problems(task(Image={"Repository": "app${Evil}", "Tag": "v${X}"}))
    assert any(".Image.Repository: 'app${Evil}' is not an ECR repository name" in p for p in found)
    assert any(".Image.Tag: 'v${X}' is not a tag" in p for p in found)
    image = images.from_repository("app${Evil}", "v${X}")
    text = json.dumps([image.uri, image.ecr_repository_arn])
    assert "${!Evil}" in text and "${!X}" in text
    assert "${Evil}" not in text.replace("${!Evil}", "")


def test_literal_ecr_uri_with_placeholder_text_is_refused_and_would_be_escaped():
    found = problems(task(Image=f"{ECR}/app${{Evil}}:1"))
    assert any("is not an image reference" in p for p in found)
    grant = json.dumps(images.image_from_string(f"{ECR}/app${{Evil}}:1", "x").ecr_repository_arn)
    assert "${!Evil}" in grant


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            {
                "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db-AbCdEf"
            },
            {
                "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db-AbCdEf"
            },
        ),
        (
            {
                "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db-AbCdEf:password::"
            },
            {
                "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db-AbCdEf"
            },
        ),
        ({"Fn::Sub": "${Db}:password::"}, {"Ref": "Db"}),
    ],
)
def test_secrets_given_with_sub_are_granted_on_the_secret(value, expected):
    template = task(Secrets={"PASSWORD": value})
    template["Resources"]["Db"] = {"Type": "AWS::SecretsManager::Secret", "Properties": {}}
    role = expand(template)["Resources"]["WorkersExecutionRole"]
    statements = [
        s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
    ]
    reads = [s for s in statements if s["Action"] == "secretsmanager:GetSecretValue"]
    assert reads and expected in (
        reads[0]["Resource"] if isinstance(reads[0]["Resource"], list) else [reads[0]["Resource"]]
    )


@pytest.mark.parametrize("leaf", ["x", 7, True, None])
@pytest.mark.parametrize("wrap", [lambda v: [v], lambda v: {"k": v}], ids=["list", "map"])
def test_a_plain_value_one_level_past_the_depth_bound_is_refused(leaf, wrap):
    """scan does not visit plain in-bounds leaves (speed); one past the bound still counts."""
    from serverless_fargate.declaration.scan import MAX_DEPTH, scan

    def nested(depth: int) -> object:
        value = leaf
        for _ in range(depth):
            value = wrap(value)
        return value

    assert scan(nested(MAX_DEPTH), "p") == []
    found = scan(nested(MAX_DEPTH + 1), "p")
    assert [p.message for p in found] == [
        f"nested deeper than {MAX_DEPTH} levels: no declaration needs that; simplify it"
    ]


def test_deep_nesting_is_refused_without_recursion_error():
    value: dict = {}
    inner = value
    for _ in range(5000):
        inner["a"] = {}
        inner = inner["a"]
    with pytest.raises(InvalidTemplate) as caught:
        transform(task(Overrides={"Container": value}), service_token=TOKEN, nonce="n")
    assert "nested deeper than 64 levels" in str(caught.value)


def _statements(role: dict) -> list[dict]:
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def test_ssm_secret_name_with_placeholder_text_is_granted_as_written():
    """ECS reads the parameter `app/${DbParam}` as written; Fn::Sub must not turn the grant
    into another parameter (the template parameter DbParam's value)."""
    result = expand(task(Secrets={"DB": "app/${DbParam}"}))
    role = result["Resources"]["WorkersExecutionRole"]
    (read,) = [s for s in _statements(role) if s["Action"] == "ssm:GetParameters"]
    assert read["Resource"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/${!DbParam}"
        }
    ]


def _sub_templates(value: object) -> list[str]:
    """The template text of every Fn::Sub in `value`."""
    if isinstance(value, list):
        return [t for v in value for t in _sub_templates(v)]
    if not isinstance(value, dict):
        return []
    found = [t for v in value.values() for t in _sub_templates(v)]
    sub = value.get("Fn::Sub")
    if isinstance(sub, str):
        found.append(sub)
    elif isinstance(sub, list) and sub and isinstance(sub[0], str):
        found.append(sub[0])
    return found


def test_cluster_name_with_placeholder_text_is_escaped_in_every_arn():
    template = declaration(
        {
            "Cluster": "shared${Evil}",
            "Network": NET,
            "Tasks": {"worker": {"Image": IMG, "Schedule": "rate(1 day)"}},
        }
    )
    templates = _sub_templates(expand(template)["Resources"])
    assert any("cluster/shared${!Evil}" in t for t in templates)
    assert not any("${Evil}" in t.replace("${!Evil}", "") for t in templates)


def test_what_fargate_allows_passes_through_overrides():
    """The checks refuse what Fargate refuses, not more: SYS_PTRACE, Privileged false as a
    string, task storage (a Host volume without a path), ordinary tags, a task PID namespace."""
    result = expand(
        task(
            Overrides={
                "Container": {
                    "Privileged": "false",
                    "LinuxParameters": {"Capabilities": {"Add": ["SYS_PTRACE"], "Drop": ["ALL"]}},
                },
                "TaskDefinition": {"PidMode": "task", "Volumes": [{"Name": "scratch", "Host": {}}]},
                "Service": {"Tags": [{"Key": "team", "Value": "a"}]},
            }
        )
    )
    definition = result["Resources"]["WorkersWorkerTaskDefinition"]["Properties"]
    assert definition["PidMode"] == "task"
    assert definition["ContainerDefinitions"][0]["Privileged"] == "false"


def test_wide_access_written_as_a_policy_statement_is_granted_as_written():
    """The explicit form for many parameters: a statement whose Resource says so."""
    statement = {
        "Effect": "Allow",
        "Action": "ssm:GetParametersByPath",
        "Resource": "arn:aws:ssm:us-east-1:123456789012:parameter/prod/*",
    }
    role = expand(task(Policies=[statement]))["Resources"]["WorkersWorkerTaskRole"]
    assert statement in _statements(role)


def test_kms_key_from_an_attribute_is_granted_not_a_crash():
    template = task(Secrets={"DB": "db"}, SecretsKmsKeyArns=[{"Fn::GetAtt": ["Key", "Arn"]}] * 2)
    template["Resources"]["Key"] = {"Type": "AWS::KMS::Key", "Properties": {}}
    role = expand(template)["Resources"]["WorkersExecutionRole"]
    (decrypt,) = [s for s in _statements(role) if s["Action"] == "kms:Decrypt"]
    assert decrypt["Resource"] == [{"Fn::GetAtt": ["Key", "Arn"]}]


@pytest.mark.parametrize(
    "text, separator",
    [("/app/${Env}/db", ""), ("app/${Env}/db", "/"), ("${Env}/db", "/"), ("${Root}/db", "")],
)
def test_ssm_secret_name_from_fn_sub_is_granted_on_its_arn(text, separator):
    """`!Sub /app/${Env}/db` is a parameter NAME: the grant is its ARN, not the name."""
    template = task(Secrets={"DB": {"Fn::Sub": text}})
    template["Parameters"] = {
        "Env": {"Type": "String", "Default": "prod"},
        "Root": {"Type": "String", "Default": "/prod"},
    }
    role = expand(template)["Resources"]["WorkersExecutionRole"]
    (read,) = [s for s in _statements(role) if s["Action"] == "ssm:GetParameters"]
    prefix = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
    assert read["Resource"] == [
        {"Fn::Sub": [prefix + separator + "${Name}", {"Name": {"Fn::Sub": text}}]}
    ]


def test_tags_given_through_overrides_keep_what_the_transform_marks():
    """Overrides.TaskDefinition.Tags replaces the user's tags, never the transform's marks: the
    managed tag (IAM conditions) and a standalone task's timeout (what `run` reads)."""
    template = task(
        Service=False,
        Timeout="10m",
        Overrides={"TaskDefinition": {"Tags": [{"Key": "team", "Value": "a"}]}},
    )
    tags = expand(template)["Resources"]["WorkersWorkerTaskDefinition"]["Properties"]["Tags"]
    assert tags == [
        {"Key": "team", "Value": "a"},
        {"Key": "serverless-fargate:managed", "Value": "true"},
        {"Key": "serverless-fargate:timeout", "Value": "600"},
    ]

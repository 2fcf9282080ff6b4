"""What each builder generates: roles (least privilege), network, images, cluster, Spot."""

from __future__ import annotations

import pytest
from conftest import declaration, expand, lint, task
from serverless_fargate.resources.workflow_contract import task_settings

NET = {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]}
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def statements(role):
    policies = role["Properties"].get("Policies") or []
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def by_action(role):
    out = {}
    for statement in statements(role):
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        for action in actions:
            out[action] = statement
    return out


# --- execution role -----------------------------------------------------------------------


def test_execution_role_pulls_exactly_the_task_repositories():
    template = declaration(
        {
            "Network": NET,
            "Tasks": {
                "a": {"Image": f"{ECR}/app:1"},
                "b": {"Image": f"{ECR}/app:2"},
                "c": {
                    "Image": "public.ecr.aws/docker/library/nginx:1",
                    "Sidecars": [{"Name": "s", "Image": f"{ECR}/sidecar:1"}],
                },
            },
        }
    )
    role = expand(template)["Resources"]["WorkersExecutionRole"]
    actions = by_action(role)
    assert actions["ecr:GetAuthorizationToken"]["Resource"] == "*"  # IAM allows nothing narrower
    assert actions["ecr:BatchGetImage"]["Resource"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:ecr:us-east-1:123456789012:repository/app"},
        {"Fn::Sub": "arn:${AWS::Partition}:ecr:us-east-1:123456789012:repository/sidecar"},
    ]
    assert actions["logs:PutLogEvents"]["Resource"] == {"Fn::GetAtt": ["WorkersLogGroup", "Arn"]}
    assert "ssm:GetParameters" not in actions and "secretsmanager:GetSecretValue" not in actions


def test_execution_role_without_ecr_images_has_no_ecr_permissions():
    role = expand(task())["Resources"]["WorkersExecutionRole"]
    assert not any(a.startswith("ecr:") for a in by_action(role))


def test_execution_role_reads_exactly_the_declared_secrets():
    template = task(
        Secrets={
            "A": "/app/db",
            "B": "plain-name",
            "C": "arn:aws:ssm:us-east-1:1:parameter/x",
            "D": "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf:password::",
            "E": {"Ref": "Secret"},
        }
    )
    template["Resources"]["Secret"] = {"Type": "AWS::SecretsManager::Secret"}
    actions = by_action(expand(template)["Resources"]["WorkersExecutionRole"])
    assert actions["ssm:GetParameters"]["Resource"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/db"},
        {
            "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/plain-name"
        },
        "arn:aws:ssm:us-east-1:1:parameter/x",
    ]
    assert actions["secretsmanager:GetSecretValue"]["Resource"] == [
        "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf",
        {"Ref": "Secret"},
    ]


def test_no_execution_role_when_every_task_brings_one():
    template = declaration(
        {
            "Network": NET,
            "ExecutionRoleArn": "arn:aws:iam::1:role/exec",
            "Tasks": {"a": {"Image": "x"}, "b": {"Image": "y"}},
        }
    )
    out = expand(template)["Resources"]
    assert "WorkersExecutionRole" not in out
    assert (
        out["WorkersATaskDefinition"]["Properties"]["ExecutionRoleArn"]
        == "arn:aws:iam::1:role/exec"
    )


# --- task roles -----------------------------------------------------------------------------


def test_one_role_per_task_with_its_own_policies():
    template = declaration(
        {
            "Network": NET,
            "Image": "x",
            "Tasks": {
                "a": {
                    "Policies": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::b/*",
                        }
                    ]
                },
                "b": {"Policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
                "c": {},
            },
        }
    )
    out = expand(template)["Resources"]
    a, b, c = (out[f"Workers{n}TaskRole"]["Properties"] for n in "ABC")
    assert statements(out["WorkersATaskRole"]) == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    ]
    assert "ManagedPolicyArns" not in a
    assert (
        b["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"] and "Policies" not in b
    )
    assert "Policies" not in c and "ManagedPolicyArns" not in c
    trust = a["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}


def test_explicit_deny_statement_is_kept():
    out = expand(task(Policies=[{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]))
    assert statements(out["Resources"]["WorkersWorkerTaskRole"])[0]["Effect"] == "Deny"


def test_existing_task_role_creates_none():
    out = expand(task(TaskRoleArn="arn:aws:iam::1:role/mine"))["Resources"]
    assert "WorkersWorkerTaskRole" not in out
    assert (
        out["WorkersWorkerTaskDefinition"]["Properties"]["TaskRoleArn"]
        == "arn:aws:iam::1:role/mine"
    )


def test_ecs_exec_grants_exactly_the_session_channels():
    out = expand(task(Service={"EnableExecuteCommand": True}))["Resources"]
    actions = by_action(out["WorkersWorkerTaskRole"])
    assert sorted(actions) == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]


# --- schedule role --------------------------------------------------------------------------


def test_workflow_role_runs_exactly_the_scheduled_task_definitions():
    template = declaration(
        {
            "Network": NET,
            "Image": "x",
            "Tasks": {
                "job": {"Schedule": "rate(1 day)"},
                "other": {"Schedule": "rate(2 days)", "TaskRoleArn": "arn:aws:iam::1:role/mine"},
                "svc": {},
            },
        }
    )
    out = expand(template)["Resources"]
    role = out["WorkersWorkflowRole"]
    actions = by_action(role)
    assert actions["ecs:RunTask"]["Resource"] == [
        {"Ref": "WorkersJobTaskDefinition"},
        {"Ref": "WorkersOtherTaskDefinition"},
    ]
    assert actions["ecs:RunTask"]["Condition"] == {
        "ArnEquals": {"ecs:cluster": {"Fn::GetAtt": ["WorkersCluster", "Arn"]}}
    }
    assert actions["iam:PassRole"]["Resource"] == [
        {"Fn::GetAtt": ["WorkersExecutionRole", "Arn"]},
        {"Fn::GetAtt": ["WorkersJobTaskRole", "Arn"]},
        "arn:aws:iam::1:role/mine",
    ]
    assert actions["iam:PassRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    assert actions["ecs:TagResource"]["Condition"] == {
        "StringEquals": {"ecs:CreateAction": "RunTask"}
    }
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "states.amazonaws.com"}
    # Scheduler's role may start the workflow, and nothing else.
    assert by_action(out["WorkersScheduleRole"]) == {
        "states:StartExecution": {
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": [{"Ref": "WorkersJobWorkflow"}, {"Ref": "WorkersOtherWorkflow"}],
        }
    }
    assert out["WorkersJobSchedule"]["Properties"]["Target"]["RoleArn"] == {
        "Fn::GetAtt": ["WorkersScheduleRole", "Arn"]
    }


def test_no_schedule_role_without_schedules():
    assert "WorkersScheduleRole" not in expand(task())["Resources"]


def test_no_wildcard_resource_except_where_iam_has_none():
    template = declaration(
        {
            "Network": NET,
            "Tasks": {
                "a": {
                    "Image": f"{ECR}/app:1",
                    "Secrets": {"S": "/x"},
                    "Schedule": "rate(1 day)",
                    "Policies": [
                        {
                            "Effect": "Allow",
                            "Action": "sqs:SendMessage",
                            "Resource": "arn:aws:sqs:us-east-1:1:q",
                        }
                    ],
                },
            },
        }
    )
    for resource in expand(template)["Resources"].values():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for statement in statements(resource):
            if statement["Resource"] == "*":
                # IAM names no resource for these (ListTasks keeps to the cluster by condition).
                assert statement["Action"] in ("ecr:GetAuthorizationToken", "ecs:ListTasks")


# --- cluster, network, images ---------------------------------------------------------------


def test_created_cluster_has_both_capacity_providers():
    cluster = expand(task())["Resources"]["WorkersCluster"]["Properties"]
    assert cluster["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["DefaultCapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE", "Weight": 1}
    ]
    assert "ClusterName" not in cluster and "ClusterSettings" not in cluster


@pytest.mark.parametrize(
    ("value", "setting"), [(True, "enabled"), (False, "disabled"), ("enhanced", "enhanced")]
)
def test_container_insights(value, setting):
    template = task()
    template["Resources"]["Workers"]["Properties"]["ContainerInsights"] = value
    cluster = expand(template)["Resources"]["WorkersCluster"]["Properties"]
    assert cluster["ClusterSettings"] == [{"Name": "containerInsights", "Value": setting}]


@pytest.mark.parametrize(
    ("cluster", "arn"),
    [
        (
            "shared",
            {
                "Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/shared"
            },
        ),
        ("arn:aws:ecs:us-east-1:1:cluster/shared", "arn:aws:ecs:us-east-1:1:cluster/shared"),
        ({"Fn::GetAtt": ["Other", "Arn"]}, {"Fn::GetAtt": ["Other", "Arn"]}),
    ],
)
def test_existing_cluster(cluster, arn):
    template = task(Schedule="rate(1 day)")
    template["Resources"]["Workers"]["Properties"]["Cluster"] = cluster
    out = expand(template)["Resources"]
    assert "WorkersCluster" not in out
    providers = out["WorkersCapacityProviders"]
    assert providers["Type"] == "Custom::CapacityProviders"
    assert providers["Properties"]["Cluster"] == cluster
    schedule = out["WorkersWorkerSchedule"]
    assert schedule["DependsOn"] == ["WorkersCapacityProviders"]
    assert out["WorkersWorkerWorkflow"]["DependsOn"] == ["WorkersCapacityProviders"]
    definition = out["WorkersWorkerWorkflow"]["Properties"]["Definition"]
    assert task_settings(definition)["worker"]["cluster"] == arn


@pytest.mark.slow
def test_existing_cluster_given_by_intrinsic_name_or_arn():
    template = task()
    template["Resources"]["Workers"]["Properties"]["Cluster"] = {
        "Fn::ImportValue": "shared-cluster"
    }
    out = expand(template)
    service = out["Resources"]["WorkersWorkerService"]
    assert service["Properties"]["Cluster"] == {"Fn::ImportValue": "shared-cluster"}
    assert service["DependsOn"] == ["WorkersCapacityProviders"]
    # An intrinsic other than GetAtt .Arn (or an ARN-valued parameter) is taken as a name.
    assert out["Outputs"]["WorkersClusterArn"]["Value"] == {
        "Fn::Sub": [
            "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${Name}",
            {"Name": {"Fn::ImportValue": "shared-cluster"}},
        ]
    }
    # W6001 (re-exporting an imported value) is the user's choice of ImportValue, not ours.
    assert [m for m in lint(out) if not m.startswith("W6001")] == []


@pytest.mark.slow
def test_existing_cluster_arn_from_a_parameter():
    template = task(Schedule="rate(1 day)", Spot={"Fallback": False})
    template["Parameters"] = {
        "ClusterArn": {
            "Type": "String",
            "Default": "arn:aws:ecs:us-east-1:123456789012:cluster/shared",
        }
    }
    template["Resources"]["Workers"]["Properties"]["Cluster"] = {"Ref": "ClusterArn"}
    out = expand(template)
    definition = out["Resources"]["WorkersWorkerWorkflow"]["Properties"]["Definition"]
    assert task_settings(definition)["worker"]["cluster"] == {"Ref": "ClusterArn"}
    tag = out["Resources"]["WorkersWorkflowRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ][2]
    assert tag["Resource"]["Fn::Sub"][1] == {
        "Cluster": {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": "ClusterArn"}]}]}
    }
    assert lint(out) == []


def test_default_vpc_when_no_network():
    template = declaration({"Tasks": {"worker": {"Image": "x"}}})
    out = expand(template)["Resources"]
    assert out["WorkersDefaultNetwork"]["Type"] == "Custom::DefaultNetwork"
    group = out["WorkersSecurityGroup"]["Properties"]
    assert group["VpcId"] == {"Fn::GetAtt": ["WorkersDefaultNetwork", "VpcId"]}
    assert group["SecurityGroupEgress"][0]["CidrIp"] == "0.0.0.0/0"
    assert "SecurityGroupIngress" not in group
    network = out["WorkersWorkerService"]["Properties"]["NetworkConfiguration"][
        "AwsvpcConfiguration"
    ]
    assert network == {
        "Subnets": {"Fn::Split": [",", {"Fn::GetAtt": ["WorkersDefaultNetwork", "SubnetIds"]}]},
        "SecurityGroups": [{"Fn::GetAtt": ["WorkersSecurityGroup", "GroupId"]}],
        "AssignPublicIp": "ENABLED",
    }


def test_declared_subnets_without_security_groups_use_the_vpc_default():
    template = declaration(
        {
            "Network": {"Subnets": ["subnet-1"], "AssignPublicIp": True},
            "Tasks": {"worker": {"Image": "x"}},
        }
    )
    out = expand(template)["Resources"]
    assert "WorkersDefaultNetwork" not in out and "WorkersSecurityGroup" not in out
    network = out["WorkersWorkerService"]["Properties"]["NetworkConfiguration"][
        "AwsvpcConfiguration"
    ]
    assert network == {"Subnets": ["subnet-1"], "AssignPublicIp": "ENABLED"}


@pytest.mark.parametrize(
    ("image", "resolved"),
    [
        (f"{ECR}/app:1", True),
        (f"{ECR}/app", True),
        (f"{ECR}/app@sha256:" + "a" * 64, False),
        ("public.ecr.aws/docker/library/python:3.13", False),
        ("nginx:latest", False),
        ({"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/app:latest"}, True),
        ({"Fn::GetAtt": ["Repo", "RepositoryUri"]}, True),
        ({"Repository": "app", "Tag": "v1"}, True),
    ],
)
def test_which_images_are_pinned_at_deploy_time(image, resolved):
    out = expand(task(Image=image))["Resources"]
    main = out["WorkersWorkerTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    if resolved and isinstance(image, str):
        # Written in the template: the lookup answers the digest, the template adds the rest.
        assert main["Image"] == {
            "Fn::Join": ["@", [f"{ECR}/app", {"Fn::GetAtt": ["WorkersImageDigests", "Worker"]}]]
        }
        assert out["WorkersImageDigests"]["Properties"]["Digests"] == {"Worker": image}
        assert out["WorkersImageDigests"]["Properties"]["Nonce"] == "test"
        assert out["WorkersImageDigests"]["Properties"]["ServiceTimeout"] == 240
    elif resolved:
        # Known only at deploy time: the lookup answers the whole pinned URI.
        assert main["Image"] == {"Fn::GetAtt": ["WorkersImageDigests", "Worker"]}
        assert out["WorkersImageDigests"]["Properties"]["Images"]["Worker"] is not None
    else:
        assert main["Image"] == image
        assert "WorkersImageDigests" not in out


def test_one_digest_lookup_for_all_tasks():
    template = declaration(
        {
            "Network": NET,
            "Image": f"{ECR}/app:1",
            "Tasks": {"a": {}, "b": {}, "c": {"Image": "nginx"}},
        }
    )
    out = expand(template)["Resources"]
    lookups = [r for r in out.values() if r["Type"] == "Custom::ImageDigests"]
    assert len(lookups) == 1
    # One entry per image: b runs a's image, so it reads a's answer.
    assert lookups[0]["Properties"]["Digests"] == {"A": f"{ECR}/app:1"}
    image_b = out["WorkersBTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Image"]
    assert image_b == {
        "Fn::Join": ["@", [f"{ECR}/app", {"Fn::GetAtt": ["WorkersImageDigests", "A"]}]]
    }


def test_repository_map_image():
    out = expand(task(Image={"Repository": "app", "Tag": "v1"}))["Resources"]
    assert out["WorkersImageDigests"]["Properties"]["Images"]["Worker"] == {
        "Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/app:v1"
    }
    pull = by_action(out["WorkersExecutionRole"])["ecr:BatchGetImage"]["Resource"]
    assert pull == [
        {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/app"}
    ]


@pytest.mark.parametrize(
    "function",
    [
        {
            "Type": "AWS::Serverless::Function",
            "Properties": {"PackageType": "Image", "ImageUri": f"{ECR}/fn:v3"},
        },
        {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "PackageType": "Image",
                "Code": {"ImageUri": f"{ECR}/fn:v3"},
                "Role": "r",
            },
        },
    ],
)
def test_function_image(function):
    template = task(Image={"Function": "Api"}, EntryPoint=["python"], Command=["worker.py"])
    template["Resources"]["Api"] = function
    out = expand(template)["Resources"]
    assert out["WorkersImageDigests"]["Properties"]["Digests"]["Worker"] == f"{ECR}/fn:v3"
    assert out["Api"] is function


# --- Spot -----------------------------------------------------------------------------------


def strategy(**spot):
    out = expand(task(Spot=spot or True))["Resources"]
    return out["WorkersWorkerService"]["Properties"]["CapacityProviderStrategy"]


def test_spot_strategies():
    assert strategy() == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]
    assert strategy(OnDemandBase=1) == [
        {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 0},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
    ]
    assert strategy(OnDemandWeight=1, SpotWeight=3) == [
        {"CapacityProvider": "FARGATE", "Base": 0, "Weight": 1},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 3},
    ]


def test_spot_on_schedules():
    out = expand(task(Spot={"Fallback": False}, Schedule="rate(1 day)", Architecture="ARM64"))[
        "Resources"
    ]
    settings = task_settings(out["WorkersWorkerWorkflow"]["Properties"]["Definition"])["worker"]
    assert settings["capacity"] == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]


# --- cfn-lint on representative templates -------------------------------------------------


@pytest.mark.slow
def test_generated_templates_pass_cfn_lint():
    template = declaration(
        {
            "Tags": {"team": "x"},
            "PermissionsBoundary": "arn:aws:iam::123456789012:policy/b",
            "Tasks": {
                "web": {
                    "Image": f"{ECR}/web:1",
                    "Cpu": 1024,
                    "Memory": "3GB",
                    "PortMappings": [80, {"ContainerPort": 53, "Protocol": "udp"}],
                    "HealthCheck": {"Command": ["CMD-SHELL", "true"], "Interval": 10},
                    "ReadonlyRootFilesystem": True,
                    "EphemeralStorage": 30,
                    "Spot": {"OnDemandBase": 1, "SpotWeight": 2},
                    "Service": {"DesiredCount": 2, "EnableExecuteCommand": True},
                    "Sidecars": [
                        {"Name": "proxy", "Image": "envoyproxy/envoy:v1.31", "Essential": False}
                    ],
                },
                "job": {
                    "Image": {"Repository": "jobs", "Tag": "v2"},
                    "Architecture": "ARM64",
                    "Cpu": 16384,
                    "Memory": "120GB",
                    "Schedule": {
                        "Expression": "cron(0 3 * * ? *)",
                        "Timezone": "America/New_York",
                        "FlexibleWindowMinutes": 5,
                        "Retries": 3,
                        "MaxEventAgeSeconds": 3600,
                        "DeadLetterQueueArn": "arn:aws:sqs:us-east-1:123456789012:dlq",
                    },
                    "Secrets": {
                        "TOKEN": "/job/token",
                        "DB": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
                    },
                    "Environment": {"N": 1},
                },
                "solo": {"Image": "busybox", "Service": False},
            },
        }
    )
    assert lint(expand(template)) == []


def test_existing_cluster_template_passes_cfn_lint():
    template = task(Schedule="rate(1 hour)", Spot=True)
    template["Resources"]["Workers"]["Properties"]["Cluster"] = "shared"
    assert lint(expand(template)) == []


@pytest.mark.parametrize(
    ("value", "looked_up"),
    [
        (f"{ECR}/app@sha256:" + "b" * 64, False),
        (f"{ECR}/app:v2", True),
        ("public.ecr.aws/docker/library/python:3.13", False),
    ],
)
def test_an_image_parameter_pinned_by_digest_needs_no_lookup(value, looked_up):
    template = task(Image={"Ref": "ImageUri"})
    template["Parameters"] = {"ImageUri": {"Type": "String"}}
    out = expand(template, {"ImageUri": value})["Resources"]
    main = out["WorkersWorkerTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert ("WorkersImageDigests" in out) is looked_up
    if not looked_up:
        assert main["Image"] == {"Ref": "ImageUri"}


def test_the_execution_role_trusts_ecs_for_this_account_only():
    trust = expand(task())["Resources"]["WorkersExecutionRole"]["Properties"][
        "AssumeRolePolicyDocument"
    ]["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_log_group_encryption_and_retention_on_delete_are_options():
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    template = task()
    template["Resources"]["Workers"]["Properties"].update(LogKmsKeyArn=key, RetainLogGroup=True)
    out = expand(template)
    group = out["Resources"]["WorkersLogGroup"]
    assert group["Properties"]["KmsKeyId"] == key
    assert (group["DeletionPolicy"], group["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert lint(out) == []
    default = expand(task())["Resources"]["WorkersLogGroup"]
    assert "KmsKeyId" not in default["Properties"] and "DeletionPolicy" not in default


def test_secrets_under_a_customer_key_can_be_decrypted_only_through_ssm_and_secrets_manager():
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    out = expand(
        task(
            Secrets={"TOKEN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf"},
            SecretsKmsKeyArns=[key, key],
        )
    )
    decrypt = by_action(out["Resources"]["WorkersExecutionRole"])["kms:Decrypt"]
    assert decrypt["Resource"] == [key]
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": [
                {"Fn::Sub": "secretsmanager.${AWS::Region}.${AWS::URLSuffix}"},
                {"Fn::Sub": "ssm.${AWS::Region}.${AWS::URLSuffix}"},
            ]
        }
    }
    assert lint(out) == []
    assert "kms:Decrypt" not in by_action(expand(task())["Resources"]["WorkersExecutionRole"])

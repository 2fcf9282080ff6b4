"""Every default and every merge rule of the contract, read off the generated resources."""

from __future__ import annotations

from conftest import declaration, expand, problems, task
from serverless_fargate.resources.workflow_contract import task_settings

IMG = "public.ecr.aws/x/y:1"
MANAGED = {"Key": "serverless-fargate:managed", "Value": "true"}
NET = {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]}


def resources(template, parameters=None):
    return expand(template, parameters)["Resources"]


def taskdef(template, name="Worker", parameters=None):
    return resources(template, parameters)[f"Workers{name}TaskDefinition"]["Properties"]


def container(template, name="Worker"):
    return taskdef(template, name)["ContainerDefinitions"][0]


def test_task_defaults():
    props = taskdef(task())
    assert props["Cpu"] == "256"
    assert props["Memory"] == "512"
    assert props["RuntimePlatform"] == {
        "CpuArchitecture": "X86_64",
        "OperatingSystemFamily": "LINUX",
    }
    assert "EphemeralStorage" not in props  # Fargate's 20 GiB
    main = props["ContainerDefinitions"][0]
    assert main["Name"] == "worker"
    assert "StopTimeout" not in main  # ECS's 30 seconds
    assert "ReadonlyRootFilesystem" not in main
    assert "Environment" not in main and "Secrets" not in main and "PortMappings" not in main
    assert "Command" not in main and "EntryPoint" not in main  # the image's own


def test_service_is_the_default_kind_with_its_defaults():
    service = resources(task())["WorkersWorkerService"]["Properties"]
    assert service["DesiredCount"] == 1
    assert service["DeploymentConfiguration"] == {
        "MinimumHealthyPercent": 100,
        "MaximumPercent": 200,
        "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
    }
    assert service["EnableExecuteCommand"] is False
    assert service["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE", "Weight": 1}]
    assert "LaunchType" not in service


def test_service_true_is_the_same_as_no_service():
    assert resources(task(Service=True)) == resources(task())


def test_service_map_values():
    service = resources(
        task(
            Service={
                "DesiredCount": 3,
                "MinimumHealthyPercent": 50,
                "MaximumPercent": 150,
                "CircuitBreaker": False,
                "EnableExecuteCommand": True,
            }
        )
    )["WorkersWorkerService"]["Properties"]
    assert service["DesiredCount"] == 3
    assert service["DeploymentConfiguration"] == {
        "MinimumHealthyPercent": 50,
        "MaximumPercent": 150,
        "DeploymentCircuitBreaker": {"Enable": False, "Rollback": False},
    }
    assert service["EnableExecuteCommand"] is True


def test_schedule_defaults():
    out = resources(task(Schedule="rate(5 minutes)"))
    schedule = out["WorkersWorkerSchedule"]["Properties"]
    assert "WorkersWorkerService" not in out
    assert schedule["ScheduleExpression"] == "rate(5 minutes)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["State"] == "ENABLED"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    # Scheduler retries starting the workflow; the task's Retries are runs inside it.
    assert schedule["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 10}
    assert "DeadLetterConfig" not in schedule["Target"]
    run = task_settings(out["WorkersWorkerWorkflow"]["Properties"]["Definition"])["worker"]
    assert (run["copies"], run["retries"]) == ("1", "0")
    assert "deadLetterQueue" not in run


def test_schedule_map_values():
    schedule = resources(
        task(
            Schedule={
                "Expression": "cron(0 2 * * ? *)",
                "Timezone": "Europe/Paris",
                "Enabled": False,
                "FlexibleWindowMinutes": 15,
                "Retries": 3,
                "MaxEventAgeSeconds": 600,
                "DeadLetterQueueArn": "arn:aws:sqs:us-east-1:1:dlq",
                "TaskCount": 2,
            }
        )
    )
    run = task_settings(schedule["WorkersWorkerWorkflow"]["Properties"]["Definition"])["worker"]
    schedule = schedule["WorkersWorkerSchedule"]["Properties"]
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert schedule["State"] == "DISABLED"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert schedule["Target"]["RetryPolicy"] == {
        "MaximumRetryAttempts": 10,
        "MaximumEventAgeInSeconds": 600,
    }
    assert schedule["Target"]["DeadLetterConfig"] == {"Arn": "arn:aws:sqs:us-east-1:1:dlq"}
    assert (run["copies"], run["retries"]) == ("2", "3")
    assert run["deadLetterQueue"]["Fn::Join"][1][0] == "https://sqs."


def test_standalone_has_only_task_definition_and_roles():
    out = resources(task(Service=False))
    kinds = sorted(r["Type"] for r in out.values())
    assert kinds == [
        "AWS::ECS::Cluster",
        "AWS::ECS::TaskDefinition",
        "AWS::IAM::Role",
        "AWS::IAM::Role",
        "AWS::Logs::LogGroup",
    ]


def test_memory_defaults_to_smallest_valid_for_cpu():
    assert taskdef(task(Cpu=1024))["Memory"] == "2048"
    assert taskdef(task(Cpu="4096"))["Memory"] == "8192"


def test_cpu_defaults_to_smallest_that_fits_memory():
    assert taskdef(task(Memory="4GB"))["Cpu"] == "512"
    assert taskdef(task(Memory=16384))["Cpu"] == "2048"


def test_memory_strings_are_emitted_as_mib():
    assert taskdef(task(Cpu=512, Memory="0.5GB" if False else "2 GB"))["Memory"] == "2048"
    assert taskdef(task(Cpu=256, Memory="0.5GB"))["Memory"] == "512"


def test_cpu_and_memory_intrinsics_pass_through():
    props = taskdef(
        task(Cpu={"Ref": "Cpu"}, Memory={"Ref": "Mem"}), parameters={"Cpu": "512", "Mem": "1024"}
    )
    assert props["Cpu"] == {"Ref": "Cpu"} and props["Memory"] == {"Ref": "Mem"}


def test_stop_timeout_is_120_with_spot_and_can_be_set():
    assert container(task(Spot=True))["StopTimeout"] == 120
    assert container(task(Spot=True, StopTimeout=60))["StopTimeout"] == 60
    assert container(task(StopTimeout=10))["StopTimeout"] == 10


def test_environment_values_become_strings():
    env = container(task(Environment={"A": 5, "B": True, "C": False, "D": 1.5, "E": {"Ref": "X"}}))[
        "Environment"
    ]
    assert env == [
        {"Name": "A", "Value": "5"},
        {"Name": "B", "Value": "true"},
        {"Name": "C", "Value": "false"},
        {"Name": "D", "Value": "1.5"},
        {"Name": "E", "Value": {"Ref": "X"}},
    ]


def shared(properties, **tasks):
    return declaration({"Network": NET, "Image": IMG, **properties, "Tasks": tasks})


def test_declaration_values_are_task_defaults_and_tasks_win():
    template = shared(
        {"Cpu": 1024, "Architecture": "ARM64", "Command": ["a"]},
        one={},
        two={"Cpu": 2048, "Command": ["b"]},
    )
    one, two = taskdef(template, "One"), taskdef(template, "Two")
    assert (one["Cpu"], one["Memory"], one["RuntimePlatform"]["CpuArchitecture"]) == (
        "1024",
        "2048",
        "ARM64",
    )
    assert (two["Cpu"], two["Memory"]) == ("2048", "4096")
    assert one["ContainerDefinitions"][0]["Command"] == ["a"]
    assert two["ContainerDefinitions"][0]["Command"] == ["b"]


def test_environment_secrets_and_tags_merge_key_by_key():
    template = shared(
        {
            "Environment": {"A": "1", "B": "1"},
            "Secrets": {"S": "/p/s"},
            "Tags": {"team": "a", "app": "x"},
        },
        one={"Environment": {"B": "2", "C": "3"}, "Secrets": {"T": "/p/t"}, "Tags": {"team": "b"}},
    )
    props = taskdef(template, "One")
    main = props["ContainerDefinitions"][0]
    assert main["Environment"] == [
        {"Name": "A", "Value": "1"},
        {"Name": "B", "Value": "2"},
        {"Name": "C", "Value": "3"},
    ]
    assert [s["Name"] for s in main["Secrets"]] == ["S", "T"]
    assert props["Tags"] == [{"Key": "team", "Value": "b"}, {"Key": "app", "Value": "x"}, MANAGED]


def test_policies_and_sidecars_concatenate_declaration_first():
    template = shared(
        {"Policies": ["arn:aws:iam::aws:policy/A"], "Sidecars": [{"Name": "a", "Image": "x"}]},
        one={"Policies": ["arn:aws:iam::aws:policy/B"], "Sidecars": [{"Name": "b", "Image": "y"}]},
    )
    out = resources(template)
    role = out["WorkersOneTaskRole"]["Properties"]
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"]
    names = [
        c["Name"] for c in out["WorkersOneTaskDefinition"]["Properties"]["ContainerDefinitions"]
    ]
    assert names == ["one", "a", "b"]


def test_overrides_merge_deeply_task_winning_and_apply_last():
    template = shared(
        {
            "Overrides": {
                "TaskDefinition": {
                    "PidMode": "task",
                    "RuntimePlatform": {"OperatingSystemFamily": "X"},
                },
                "Container": {"User": "1000", "Ulimits": [{"Name": "nofile"}]},
            }
        },
        one={
            "Overrides": {
                "TaskDefinition": {"RuntimePlatform": {"OperatingSystemFamily": "LINUX"}},
                "Container": {"User": "2000"},
                "Service": {"DeploymentConfiguration": {"MaximumPercent": 150}},
            }
        },
    )
    out = resources(template)
    props = out["WorkersOneTaskDefinition"]["Properties"]
    assert props["PidMode"] == "task"
    assert props["RuntimePlatform"] == {
        "CpuArchitecture": "X86_64",
        "OperatingSystemFamily": "LINUX",
    }
    main = props["ContainerDefinitions"][0]
    assert (main["User"], main["Ulimits"]) == ("2000", [{"Name": "nofile"}])
    deployment = out["WorkersOneService"]["Properties"]["DeploymentConfiguration"]
    assert deployment["MaximumPercent"] == 150 and deployment["MinimumHealthyPercent"] == 100


def test_schedule_overrides():
    schedule = resources(task(Schedule="rate(1 day)", Overrides={"Schedule": {"GroupName": "g"}}))
    assert schedule["WorkersWorkerSchedule"]["Properties"]["GroupName"] == "g"


def test_depends_on_task_and_declaration():
    template = declaration(
        {
            "Network": NET,
            "Image": IMG,
            "DependsOn": ["Queue"],
            "Tasks": {"one": {"DependsOn": ["Table"]}},
        },
        DependsOn="Bucket",
        resources={
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Table": {"Type": "AWS::SQS::Queue"},
            "Bucket": {"Type": "AWS::S3::Bucket"},
        },
    )
    out = resources(template)
    assert out["WorkersCluster"]["DependsOn"] == ["Bucket"]
    assert out["WorkersOneService"]["DependsOn"] == ["Bucket", "Queue", "Table"]
    assert out["WorkersOneTaskDefinition"]["DependsOn"] == ["Bucket", "Queue", "Table"]


def test_condition_and_metadata_are_copied_everywhere():
    template = declaration(
        {"Network": NET, "Tasks": {"one": {"Image": IMG}}},
        Condition="IsProd",
        Metadata={"cfn-lint": {"config": {"ignore_checks": ["W1"]}}},
    )
    result = expand(template)
    assert all(r["Condition"] == "IsProd" for r in result["Resources"].values())
    given = {"cfn-lint": {"config": {"ignore_checks": ["W1"]}}}
    for logical_id, r in result["Resources"].items():
        if logical_id == "WorkersOneTaskDefinition":  # also names its task for the ops commands
            assert r["Metadata"] == {
                **given,
                "ServerlessFargate": {"Declaration": "Workers", "Task": "one", "Kind": "service"},
            }
        else:
            assert r["Metadata"] == given, logical_id
    assert all(o["Condition"] == "IsProd" for o in result["Outputs"].values())


def test_declaration_kind_default_applies_to_tasks_without_their_own():
    template = shared({"Schedule": "rate(1 hour)"}, one={}, two={"Service": True})
    out = resources(template)
    assert "WorkersOneSchedule" in out and "WorkersTwoService" in out


def test_declaration_service_default_does_not_make_scheduled_tasks_invalid():
    template = shared({"Service": {"DesiredCount": 2}}, one={}, two={"Schedule": "rate(1 hour)"})
    out = resources(template)
    assert out["WorkersOneService"]["Properties"]["DesiredCount"] == 2
    assert "WorkersTwoSchedule" in out


def test_everything_outside_declarations_is_untouched():
    template = task()
    template["Parameters"] = {"P": {"Type": "String"}}
    template["Resources"] = {
        "Before": {"Type": "AWS::SNS::Topic"},
        **template["Resources"],
        "After": {"Type": "AWS::SNS::Topic"},
    }
    result = expand(template)
    assert result["Parameters"] is template["Parameters"]
    ids = list(result["Resources"])
    assert ids[0] == "Before" and ids[-1] == "After"
    assert "Workers" not in result["Resources"]


def test_template_without_declarations_comes_back_as_is():
    template = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    assert expand(template) is template


def test_inherit_globals():
    template = declaration(
        {
            "Image": IMG,
            "Environment": {"B": "decl"},
            "Tasks": {"one": {"Environment": {"C": "task"}}},
        }
    )
    template["Globals"] = {
        "Function": {
            "Environment": {"Variables": {"A": "global", "B": "global"}},
            "VpcConfig": {"SubnetIds": ["subnet-g"], "SecurityGroupIds": ["sg-g"]},
            "Tags": {"owner": "me"},
            "PermissionsBoundary": "arn:aws:iam::1:policy/boundary",
        }
    }
    out = resources(template)
    props = out["WorkersOneTaskDefinition"]["Properties"]
    env = {e["Name"]: e["Value"] for e in props["ContainerDefinitions"][0]["Environment"]}
    assert env == {"A": "global", "B": "decl", "C": "task"}
    assert props["Tags"] == [{"Key": "owner", "Value": "me"}, MANAGED]
    network = out["WorkersOneService"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network == {
        "Subnets": ["subnet-g"],
        "SecurityGroups": ["sg-g"],
        "AssignPublicIp": "DISABLED",
    }
    for role in ("WorkersExecutionRole", "WorkersOneTaskRole"):
        assert out[role]["Properties"]["PermissionsBoundary"] == "arn:aws:iam::1:policy/boundary"


def test_inherit_globals_off():
    template = declaration(
        {"Image": IMG, "InheritGlobals": False, "Network": NET, "Tasks": {"one": {}}}
    )
    template["Globals"] = {
        "Function": {"Environment": {"Variables": {"A": "global"}}, "Tags": {"o": "m"}}
    }
    props = taskdef(template, "One")
    assert "Environment" not in props["ContainerDefinitions"][0]
    assert props["Tags"] == [MANAGED]


def test_permissions_boundary_on_every_created_role():
    template = task(PermissionsBoundary="arn:aws:iam::1:policy/b", Schedule="rate(1 day)")
    out = resources(template)
    roles = [r for r in out.values() if r["Type"] == "AWS::IAM::Role"]
    assert len(roles) == 4  # execution, task, schedule, workflow
    assert all(r["Properties"]["PermissionsBoundary"] == "arn:aws:iam::1:policy/b" for r in roles)


def test_tags_on_every_taggable_resource_and_propagated():
    template = task(Tags={"team": "x"}, Schedule="rate(1 day)")
    template["Resources"]["Workers"]["Properties"]["Tags"] = {"cost": "y"}
    out = resources(template)
    for logical_id, resource in out.items():
        if resource["Type"] == "AWS::Scheduler::Schedule":
            continue  # Scheduler has no tags; its runs get the task definition's
        if resource["Type"] == "AWS::StepFunctions::StateMachine":
            states = resource["Properties"]["Definition"]["States"]
            runs = [s for s in states.values() if str(s.get("Resource")).endswith("runTask.sync'}")]
            # The task's two first runs (with and without input), or the Recovery's later ones.
            assert len(runs) == (1 if logical_id == "WorkersRecovery" else 2), logical_id
            for run in runs:
                assert run["Parameters"]["PropagateTags"] == "TASK_DEFINITION"
        tags = {t["Key"]: t["Value"] for t in resource["Properties"]["Tags"]}
        assert tags["cost"] == "y", logical_id
    assert {"Key": "team", "Value": "x"} in out["WorkersWorkerTaskDefinition"]["Properties"]["Tags"]
    service = resources(task(Tags={"a": "b"}))["WorkersWorkerService"]["Properties"]
    assert service["PropagateTags"] == "SERVICE"


def test_outputs():
    template = declaration(
        {
            "Network": NET,
            "Image": IMG,
            "Tasks": {"svc": {}, "job": {"Schedule": "rate(1 day)"}, "solo": {"Service": False}},
        }
    )
    outputs = expand(template)["Outputs"]
    assert sorted(outputs) == sorted(
        [
            "WorkersClusterArn",
            "WorkersSvcTaskDefinitionArn",
            "WorkersSvcServiceArn",
            "WorkersJobTaskDefinitionArn",
            "WorkersJobWorkflowArn",
            "WorkersJobScheduleArn",
            "WorkersSoloTaskDefinitionArn",
            "WorkersLogGroupName",
            "WorkersSubnets",
            "WorkersSecurityGroups",
            "WorkersAssignPublicIp",
        ]
    )
    assert outputs["WorkersLogGroupName"]["Value"] == {"Ref": "WorkersLogGroup"}
    assert outputs["WorkersSubnets"]["Value"] == {"Fn::Join": [",", NET["Subnets"]]}
    assert outputs["WorkersSecurityGroups"]["Value"] == {"Fn::Join": [",", NET["SecurityGroups"]]}
    assert outputs["WorkersAssignPublicIp"]["Value"] == "DISABLED"
    assert outputs["WorkersJobScheduleArn"]["Value"] == {
        "Fn::GetAtt": ["WorkersJobSchedule", "Arn"]
    }
    assert outputs["WorkersSvcServiceArn"]["Value"] == {"Ref": "WorkersSvcService"}


def test_network_outputs_are_per_task_when_tasks_differ():
    own = {"Subnets": ["subnet-0fedcba9876543210"], "AssignPublicIp": True}
    template = declaration(
        {"Network": NET, "Image": IMG, "Tasks": {"svc": {}, "edge": {"Network": own}}}
    )
    outputs = expand(template)["Outputs"]
    network = sorted(k for k in outputs if k.endswith(("Subnets", "Groups", "PublicIp")))
    assert network == [
        "WorkersEdgeAssignPublicIp",
        "WorkersEdgeSubnets",
        "WorkersSvcAssignPublicIp",
        "WorkersSvcSecurityGroups",
        "WorkersSvcSubnets",
    ]  # edge has no security groups: ECS uses the VPC's default, so there is nothing to name
    assert outputs["WorkersEdgeAssignPublicIp"]["Value"] == "ENABLED"


def test_default_network_outputs_name_what_the_lookup_found():
    template = declaration({"Image": IMG, "Tasks": {"svc": {}}})
    outputs = expand(template)["Outputs"]
    assert outputs["WorkersSubnets"]["Value"] == {
        "Fn::Join": [
            ",",
            {"Fn::Split": [",", {"Fn::GetAtt": ["WorkersDefaultNetwork", "SubnetIds"]}]},
        ]
    }
    assert outputs["WorkersSecurityGroups"]["Value"] == {
        "Fn::Join": [",", [{"Fn::GetAtt": ["WorkersSecurityGroup", "GroupId"]}]]
    }


def test_standalone_tasks_carry_their_timeout_for_whoever_starts_them():
    template = declaration(
        {
            "Network": NET,
            "Image": IMG,
            "Tasks": {
                "solo": {"Service": False, "Timeout": "15m"},
                "plain": {"Service": False},
                "job": {"Schedule": "rate(1 day)", "Timeout": "15m"},
            },
        }
    )
    out = resources(template)

    def tags(name):
        return {
            t["Key"]: t["Value"]
            for t in out[f"Workers{name}TaskDefinition"]["Properties"]["Tags"]
            if t["Key"] != "serverless-fargate:managed"
        }

    assert tags("Solo") == {"serverless-fargate:timeout": "900"}
    assert tags("Plain") == {}
    assert tags("Job") == {}  # the workflow holds a scheduled task's Timeout


def test_the_transforms_metadata_key_is_its_own():
    template = declaration(
        {"Network": NET, "Tasks": {"one": {"Image": IMG}}}, Metadata={"ServerlessFargate": {}}
    )
    assert problems(template) == [
        "Resources.Workers.Metadata: must be a map without the key 'ServerlessFargate' (the "
        "transform writes it on each task definition)"
    ]


def test_outputs_can_be_turned_off():
    template = task()
    template["Resources"]["Workers"]["Properties"]["Outputs"] = False
    assert "Outputs" not in expand(template)


def test_existing_outputs_are_kept():
    template = task()
    template["Outputs"] = {"Mine": {"Value": "x"}}
    outputs = expand(template)["Outputs"]
    assert list(outputs)[0] == "Mine" and "WorkersClusterArn" in outputs


def test_declaration_overrides_apply_to_the_tasks_they_fit():
    # Found by the migration tests: a declaration-level Overrides.Service made every scheduled
    # task of the declaration invalid.
    template = shared(
        {"Overrides": {"Service": {"EnableECSManagedTags": False}, "Schedule": {"GroupName": "g"}}},
        svc={},
        job={"Schedule": "rate(1 hour)"},
    )
    out = resources(template)
    assert out["WorkersSvcService"]["Properties"]["EnableECSManagedTags"] is False
    assert out["WorkersJobSchedule"]["Properties"]["GroupName"] == "g"


def test_log_group_defaults_and_values():
    group = resources(task())["WorkersLogGroup"]["Properties"]
    assert group == {"RetentionInDays": 30}  # generated name, 30 days
    template = task()
    template["Resources"]["Workers"]["Properties"].update(
        LogGroupName="/app/tasks", LogRetentionInDays=7
    )
    out = resources(template)
    assert out["WorkersLogGroup"]["Properties"] == {
        "LogGroupName": "/app/tasks",
        "RetentionInDays": 7,
    }
    options = out["WorkersWorkerTaskDefinition"]["Properties"]["ContainerDefinitions"][0][
        "LogConfiguration"
    ]["Options"]
    assert options == {
        "awslogs-group": {"Ref": "WorkersLogGroup"},
        "awslogs-region": {"Ref": "AWS::Region"},
        "awslogs-stream-prefix": "worker",
    }


def test_cluster_name_and_insights_are_only_set_when_given():
    cluster = resources(task())["WorkersCluster"]["Properties"]
    assert (
        "ClusterName" not in cluster and "ClusterSettings" not in cluster
    )  # generated, account setting
    template = task()
    template["Resources"]["Workers"]["Properties"]["ClusterName"] = "jobs"
    assert resources(template)["WorkersCluster"]["Properties"]["ClusterName"] == "jobs"


def test_network_given_assigns_no_public_ip_by_default():
    network = resources(task())["WorkersWorkerService"]["Properties"]["NetworkConfiguration"][
        "AwsvpcConfiguration"
    ]
    assert network["AssignPublicIp"] == "DISABLED"


def test_secrets_and_readonly_and_ports_when_given():
    container = resources(
        task(Secrets={"TOKEN": "/app/token"}, ReadonlyRootFilesystem=True, PortMappings=[80])
    )["WorkersWorkerTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert container["Secrets"] == [{"Name": "TOKEN", "ValueFrom": "/app/token"}]
    assert container["ReadonlyRootFilesystem"] is True
    assert container["PortMappings"] == [{"ContainerPort": 80, "Protocol": "tcp"}]

"""Production-grade services: autoscaling, deployments, container features, ECS Exec, volumes."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, declaration, expand, lint, load, problems, task
from serverless_fargate.transform import expand_template

T = "Resources.Workers.Properties.Tasks.worker"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs"


def out(template):
    return expand(template)["Resources"]


def test_desired_count_is_absent_with_autoscaling():
    resources = out(
        task(
            Service={
                "DesiredCount": 3,
                "Autoscaling": {"MinCount": 2, "MaxCount": 5, "CpuTarget": 50},
            }
        )
    )
    assert "DesiredCount" not in resources["WorkersWorkerService"]["Properties"]
    target = resources["WorkersWorkerScalableTarget"]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 5)
    assert target["ResourceId"] == {
        "Fn::Sub": [
            "service/${Cluster}/${Service}",
            {
                "Cluster": {"Ref": "WorkersCluster"},
                "Service": {"Fn::GetAtt": ["WorkersWorkerService", "Name"]},
            },
        ]
    }
    assert target["ScalableDimension"] == "ecs:service:DesiredCount" and "RoleARN" not in target
    assert "DesiredCount" in out(task())["WorkersWorkerService"]["Properties"]


def test_cpu_and_memory_target_tracking():
    resources = out(
        task(Service={"Autoscaling": {"MaxCount": 4, "CpuTarget": 60, "MemoryTarget": 70}})
    )
    cpu = resources["WorkersWorkerCpuScalingPolicy"]["Properties"]
    memory = resources["WorkersWorkerMemoryScalingPolicy"]["Properties"]
    assert cpu["ScalingTargetId"] == {"Ref": "WorkersWorkerScalableTarget"}
    assert cpu["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
    }
    assert cpu["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 60
    assert memory["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"
    }
    assert cpu["PolicyName"] != memory["PolicyName"]
    assert resources["WorkersWorkerScalableTarget"]["Properties"]["MinCapacity"] == 1  # default


def test_queue_backlog_per_task_uses_visible_messages_and_running_tasks():
    resources = out(
        task(
            Service={
                "Autoscaling": {
                    "MinCount": 0,
                    "MaxCount": 9,
                    "Queue": {"Arn": QUEUE, "MessagesPerTask": 25},
                }
            }
        )
    )
    config = resources["WorkersWorkerQueueScalingPolicy"]["Properties"][
        "TargetTrackingScalingPolicyConfiguration"
    ]
    metrics = {m["Id"]: m for m in config["CustomizedMetricSpecification"]["Metrics"]}
    assert config["TargetValue"] == 25
    visible = metrics["visible"]["MetricStat"]["Metric"]
    assert (visible["Namespace"], visible["MetricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert visible["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::Select": [5, {"Fn::Split": [":", QUEUE]}]}}
    ]
    running = metrics["running"]["MetricStat"]["Metric"]
    assert (running["Namespace"], running["MetricName"]) == (
        "ECS/ContainerInsights",
        "RunningTaskCount",
    )
    assert running["Dimensions"] == [
        {"Name": "ClusterName", "Value": {"Ref": "WorkersCluster"}},
        {"Name": "ServiceName", "Value": {"Fn::GetAtt": ["WorkersWorkerService", "Name"]}},
    ]
    assert (
        metrics["backlog"]["Expression"] == "visible / running"
        and metrics["backlog"]["ReturnData"] is True
    )
    # From zero: an alarm on "messages wait and nothing runs" starts one task.
    alarm = resources["WorkersWorkerQueueAlarm"]["Properties"]
    assert alarm["AlarmActions"] == [{"Ref": "WorkersWorkerFromZeroScalingPolicy"}]
    assert "FILL(running, 0) == 0" in alarm["Metrics"][-1]["Expression"]
    step = resources["WorkersWorkerFromZeroScalingPolicy"]["Properties"][
        "StepScalingPolicyConfiguration"
    ]
    assert step["StepAdjustments"] == [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]
    # RunningTaskCount comes from Container Insights: switched on for the created cluster.
    assert resources["WorkersCluster"]["Properties"]["ClusterSettings"] == [
        {"Name": "containerInsights", "Value": "enabled"}
    ]


def test_queue_scaling_with_insights_disabled_is_an_error():
    template = task(Service={"Autoscaling": {"MaxCount": 2, "Queue": {"Arn": QUEUE}}})
    template["Resources"]["Workers"]["Properties"]["ContainerInsights"] = "disabled"
    assert any(
        "reads the service's running task count from Container Insights" in p
        for p in problems(template)
    )


def test_autoscaling_errors():
    assert problems(
        task(Service={"Autoscaling": {"MinCount": 5, "MaxCount": 2, "CpuTarget": 50}})
    ) == [f"{T}.Service.Autoscaling.MinCount: MinCount 5 is above MaxCount 2"]
    assert problems(task(Service={"Autoscaling": {"MaxCount": 2}})) == [
        f"{T}.Service.Autoscaling: says nothing to scale on: add CpuTarget, MemoryTarget or Queue"
    ]
    assert problems(task(Service={"Autoscaling": {"CpuTarget": 50}})) == [
        f"{T}.Service.Autoscaling.MaxCount: is required"
    ]


def test_deployment_limits():
    # 0/100 with one task is fine: ECS may stop the old task first.
    out(task(Service={"MinimumHealthyPercent": 0, "MaximumPercent": 100}))
    out(task(Service={"DesiredCount": 4, "MinimumHealthyPercent": 75, "MaximumPercent": 100}))
    assert problems(
        task(Service={"DesiredCount": 3, "MinimumHealthyPercent": 100, "MaximumPercent": 120})
    ) == [
        f"{T}.Service: MinimumHealthyPercent 100 and MaximumPercent 120 with DesiredCount 3 leave ECS no room "
        "to replace a task, so no deployment could finish: lower MinimumHealthyPercent or raise MaximumPercent"
    ]


def test_health_check_grace_period_ports_and_health_check():
    resources = out(
        task(
            PortMappings=[8080, {"ContainerPort": 5353, "Protocol": "udp"}],
            HealthCheck={"Command": ["CMD", "true"], "Interval": 10, "StartPeriod": 20},
            Service={"HealthCheckGracePeriodSeconds": 45},
        )
    )
    assert resources["WorkersWorkerService"]["Properties"]["HealthCheckGracePeriodSeconds"] == 45
    container = resources["WorkersWorkerTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert container["PortMappings"] == [
        {"ContainerPort": 8080, "Protocol": "tcp"},
        {"ContainerPort": 5353, "Protocol": "udp"},
    ]
    assert container["HealthCheck"] == {
        "Command": ["CMD", "true"],
        "Interval": 10,
        "StartPeriod": 20,
    }


def test_sidecars_log_to_the_same_group_unless_they_say_otherwise():
    own = {"LogDriver": "awsfirelens"}
    resources = out(
        task(
            Sidecars=[
                {"Name": "proxy", "Image": "envoy"},
                {"Name": "router", "Image": "fluent", "LogConfiguration": own},
            ]
        )
    )
    containers = resources["WorkersWorkerTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert containers[1]["LogConfiguration"]["Options"]["awslogs-group"] == {
        "Ref": "WorkersLogGroup"
    }
    assert containers[1]["LogConfiguration"]["Options"]["awslogs-stream-prefix"] == "worker-proxy"
    assert containers[2]["LogConfiguration"] == own


def test_readonly_root_filesystem_and_ephemeral_storage():
    props = out(task(ReadonlyRootFilesystem=True, EphemeralStorage=64))[
        "WorkersWorkerTaskDefinition"
    ]["Properties"]
    assert props["ContainerDefinitions"][0]["ReadonlyRootFilesystem"] is True
    assert props["EphemeralStorage"] == {"SizeInGiB": 64}


def test_efs_volume_with_least_privilege_mount():
    resources = out(
        task(
            Volumes={
                "data": {"FileSystemId": "fs-1", "MountPath": "/data", "ReadOnly": True},
                "media": {"FileSystemId": "fs-2", "AccessPointId": "fsap-2", "MountPath": "/media"},
            }
        )
    )
    props = resources["WorkersWorkerTaskDefinition"]["Properties"]
    assert props["Volumes"] == [
        {
            "Name": "data",
            "EFSVolumeConfiguration": {
                "FilesystemId": "fs-1",
                "TransitEncryption": "ENABLED",
                "AuthorizationConfig": {"IAM": "ENABLED"},
            },
        },
        {
            "Name": "media",
            "EFSVolumeConfiguration": {
                "FilesystemId": "fs-2",
                "TransitEncryption": "ENABLED",
                "AuthorizationConfig": {"IAM": "ENABLED", "AccessPointId": "fsap-2"},
            },
        },
    ]
    assert props["ContainerDefinitions"][0]["MountPoints"] == [
        {"SourceVolume": "data", "ContainerPath": "/data", "ReadOnly": True},
        {"SourceVolume": "media", "ContainerPath": "/media", "ReadOnly": False},
    ]
    statements = resources["WorkersWorkerTaskRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ]
    assert statements[0]["Action"] == ["elasticfilesystem:ClientMount"]  # read-only: no ClientWrite
    assert statements[0]["Resource"]["Fn::Sub"][1] == {"FileSystem": "fs-1"}
    assert statements[1]["Action"] == [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
    ]
    assert "elasticfilesystem:AccessPointArn" in statements[1]["Condition"]["StringEquals"]


def test_volume_errors():
    found = problems(
        task(
            Volumes={
                "v": {
                    "FileSystemId": "fs-1",
                    "AccessPointId": "fsap-1",
                    "RootDirectory": "/x",
                    "MountPath": "/v",
                },
                "w": {"FileSystemId": "fs-1", "MountPath": "relative"},
            }
        )
    )
    assert found == [
        f"{T}.Volumes.v.RootDirectory: with AccessPointId the access point sets the directory: remove RootDirectory "
        "(or give it as the access point's root directory)",
        f"{T}.Volumes.w.MountPath: 'relative' is not valid: expected an absolute path such as /data",
    ]


def test_volumes_merge_key_by_key():
    template = declaration(
        {
            "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
            "Image": "x",
            "Volumes": {"shared": {"FileSystemId": "fs-1", "MountPath": "/shared"}},
            "Tasks": {"a": {"Volumes": {"own": {"FileSystemId": "fs-2", "MountPath": "/own"}}}},
        }
    )
    names = [v["Name"] for v in out(template)["WorkersATaskDefinition"]["Properties"]["Volumes"]]
    assert names == ["shared", "own"]


@pytest.mark.slow
def test_production_example_lints_clean():
    result = expand_template(load(EXAMPLES / "production-services.yaml"))
    assert lint(result) == []
    assert "DesiredCount" not in result["Resources"]["ServicesJobWorkerService"]["Properties"]

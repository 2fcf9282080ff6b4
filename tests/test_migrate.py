"""`serverless-fargate migrate`: realistic serverless.yml files keep their meaning after migration
and expansion, and nothing is dropped silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, lint
from serverless_fargate import cfn_yaml
from serverless_fargate.cli import expand_template, main
from serverless_fargate.migrate import MigrationError, migrate

FILES = ROOT / "tests" / "migrations"
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"


def migrated(name):
    return migrate(cfn_yaml.load((FILES / name).read_text()))


def expanded(template, parameters=None, extra=None):
    template = {**template, "Resources": {**(extra or {}), **template["Resources"]}}
    return expand_template(template, parameters=parameters)


def task_definition(result, declaration, task):
    return result["Resources"][f"{declaration}{task}TaskDefinition"]["Properties"]


def statements(result, role):
    policies = result["Resources"][role]["Properties"].get("Policies") or []
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


@pytest.fixture(scope="module")
def every_option():
    template, notes = migrated("every-option.yml")
    result = expanded(
        template,
        {"AppImageUri": f"{ECR}/app:v1"},
        {
            "SomeTable": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST",
                },
            }
        },
    )
    return template, notes, result


@pytest.mark.slow
def test_every_option_expands_and_lints_clean(every_option):
    _, _, result = every_option
    assert lint(result) == []


def test_images_commands_and_sizes_are_kept(every_option):
    _, _, result = every_option
    images = result["Resources"]["FargateImageDigests"]["Properties"]["Images"]
    assert images["QueueWorker"] == {"Ref": "AppImageUri"} and images["NightlyReport"] == {
        "Ref": "ReporterImageUri"
    }
    worker = task_definition(result, "Fargate", "QueueWorker")
    main_container = worker["ContainerDefinitions"][0]
    assert (main_container["Command"], main_container["EntryPoint"]) == (
        ["python", "-m", "shop.worker"],
        ["/usr/bin/env"],
    )
    assert (worker["Cpu"], worker["Memory"], worker["RuntimePlatform"]["CpuArchitecture"]) == (
        "512",
        "1024",
        "ARM64",
    )
    sync = task_definition(result, "Fargate", "SingletonSync")  # the plugin's task `name`
    assert (sync["Cpu"], sync["Memory"]) == ("1024", "2048")
    report = task_definition(result, "Fargate", "NightlyReport")
    assert report["RuntimePlatform"]["CpuArchitecture"] == "X86_64"
    assert [c["Name"] for c in report["ContainerDefinitions"]] == ["nightly-report", "otel"]
    assert report["ContainerDefinitions"][0]["StopTimeout"] == 120
    assert worker["EphemeralStorage"] == {"SizeInGiB": 30}  # cloudFormationResource.task


def test_schedules_services_and_spot_are_kept(every_option):
    _, _, result = every_option
    resources = result["Resources"]
    assert (
        resources["FargateNightlyReportSchedule"]["Properties"]["ScheduleExpression"]
        == "cron(0 3 * * ? *)"
    )
    worker = resources["FargateQueueWorkerService"]["Properties"]
    assert worker["DesiredCount"] == 2
    assert worker["DeploymentConfiguration"]["MaximumPercent"] == 150
    assert worker["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]
    assert worker["EnableECSManagedTags"] is True  # cloudFormationResource.service
    strict = resources["FargateSingletonSyncService"]["Properties"]["DeploymentConfiguration"]
    assert (strict["MaximumPercent"], strict["MinimumHealthyPercent"]) == (100, 0)
    assert "FargateSingletonSyncFallbackService" not in resources


def test_environment_tags_and_network_are_kept(every_option):
    _, _, result = every_option
    worker = task_definition(result, "Fargate", "QueueWorker")
    env = {e["Name"]: e["Value"] for e in worker["ContainerDefinitions"][0]["Environment"]}
    assert env == {
        "STAGE": {"Ref": "Stage"},
        "QUEUE_NAME": {"Fn::Sub": "shop-${Stage}-jobs"},
        "API_KEY": "{{resolve:ssm:/shop/api-key}}",
        "LOG_LEVEL": "debug",  # the task's own value wins, as with the plugin
        "BUILD": {"Ref": "EnvBuildId"},
    }
    tags = {t["Key"]: t["Value"] for t in worker["Tags"]}
    assert (
        tags["team"] == "checkout" and tags["component"] == "workers" and tags["role"] == "worker"
    )
    network = result["Resources"]["FargateQueueWorkerService"]["Properties"][
        "NetworkConfiguration"
    ]["AwsvpcConfiguration"]
    assert network == {
        "Subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
        "SecurityGroups": ["sg-0123456789abcdef0"],
        "AssignPublicIp": "DISABLED",
    }
    # The task's own vpc is its own Network, in the same declaration and cluster.
    template = every_option[0]
    assert template["Resources"]["Fargate"]["Properties"]["Tasks"]["public-poller"]["Network"] == {
        "Subnets": ["subnet-0aaaaaaaaaaaaaaa1"],
        "SecurityGroups": ["sg-0bbbbbbbbbbbbbbb2"],
        "AssignPublicIp": True,
    }
    poller = result["Resources"]["FargatePublicPollerService"]["Properties"]
    assert poller["NetworkConfiguration"]["AwsvpcConfiguration"] == {
        "Subnets": ["subnet-0aaaaaaaaaaaaaaa1"],
        "SecurityGroups": ["sg-0bbbbbbbbbbbbbbb2"],
        "AssignPublicIp": "ENABLED",
    }
    assert poller["Cluster"] == {"Ref": "FargateCluster"}


def test_permissions_are_kept(every_option):
    _, _, result = every_option
    role = result["Resources"]["FargateQueueWorkerTaskRole"]["Properties"]
    assert role["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "arn:aws:iam::123456789012:policy/provider-extra",
        "arn:aws:iam::123456789012:policy/fargate-extra",
    ]
    actions = [s["Action"] for s in statements(result, "FargateQueueWorkerTaskRole")]
    assert actions == [["dynamodb:GetItem", "dynamodb:PutItem"], "sqs:SendMessage", "s3:PutObject"]
    poller = task_definition(result, "Fargate", "PublicPoller")
    assert poller["TaskRoleArn"] == "arn:aws:iam::123456789012:role/poller-task"
    assert poller["ExecutionRoleArn"] == "arn:aws:iam::123456789012:role/poller-execution"
    assert "SomeTable" in result["Resources"]["FargatePublicPollerService"]["DependsOn"]


def test_what_changes_is_said(every_option):
    _, notes, _ = every_option
    text = "\n".join(notes)
    assert "the plugin shared one IAM role between all tasks" in text
    assert "the plugin ignored service: on a scheduled task" in text
    assert "Spot now falls back to on-demand Fargate" in text
    assert "image 'app' was built by the Serverless Framework" in text
    assert (
        "${env:BUILD_ID}: read the deploying shell's environment: it became parameter EnvBuildId"
        in text
    )


def test_minimal_service():
    template, notes = migrated("minimal.yml")
    result = expanded(template, {"AppimageImageUri": f"{ECR}/blog:1"})
    assert lint(result) == []
    main_container = task_definition(result, "Fargate", "Worker")["ContainerDefinitions"][0]
    assert (main_container["EntryPoint"], main_container["Command"]) == (["python"], ["worker.py"])
    assert template["Parameters"]["AppimageImageUri"]["Type"] == "String"


def test_task_role_trap_and_unknown_options_are_reported():
    template, notes = migrated("shared-role.yml")
    result = expanded(template)
    assert lint(result) == []
    assert "FargateExtractTaskRole" not in result["Resources"]
    assert any("fargate.taskRoleArn it created none, so they are not migrated" in n for n in notes)
    assert (
        "fargate.unknownOption: not an option of the serverless-fargate plugin: not migrated"
        in notes
    )
    assert (
        "fargate.tasks.load.secretStuff: not an option of the serverless-fargate plugin: not migrated"
        in notes
    )
    load = task_definition(result, "Fargate", "Load")
    assert (load["Cpu"], load["Memory"]) == ("2048", "4096")


def test_unresolvable_variables_become_parameters():
    template, notes = migrate(
        {
            "service": "x",
            "provider": {"vpc": {"subnetIds": ["subnet-0123456789abcdef0"]}},
            "fargate": {
                "environment": {"A": "${cf:other.Output}", "B": "${self:custom.missing}"},
                "tasks": {"t": {"image": "nginx/nginx:1"}},
            },
        }
    )
    env = template["Resources"]["Fargate"]["Properties"]["Environment"]
    assert env == {"A": {"Ref": "Unresolved1"}, "B": {"Ref": "SelfCustomMissing"}}
    assert any("${cf:other.Output}: no CloudFormation equivalent" in n for n in notes)


def test_not_a_plugin_service():
    with pytest.raises(MigrationError, match="does not use the serverless-fargate plugin"):
        migrate({"service": "x", "functions": {}})


def test_cli_writes_the_template_with_notes_as_comments(tmp_path, capsys):
    out = tmp_path / "template.yaml"
    assert main(["migrate", str(FILES / "shared-role.yml"), "--output", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# Migrated from ")
    assert "#   - fargate.unknownOption: not an option" in text
    assert "warning: fargate.unknownOption" in capsys.readouterr().err
    assert cfn_yaml.load(text)["Resources"]["Fargate"]["Type"] == "Fargate::Tasks"


def test_cli_exit_codes(tmp_path):
    bad = tmp_path / "serverless.yml"
    bad.write_text("service: x\nfunctions: {}\n")
    assert main(["migrate", str(bad)]) == 1
    assert main(["migrate", str(Path("/nonexistent.yml"))]) == 2


# --- faithful to the plugin (issue: migration users can trust) -----------------------------


def migrate_text(text):
    return migrate(cfn_yaml.load(text))


BASE = """
service: shop
provider: {name: aws, region: eu-west-1}
plugins: [serverless-fargate]
"""


def test_service_false_stays_a_standalone_task_definition():
    template, _ = migrate_text(
        BASE
        + """
fargate:
  vpc: {subnetIds: [subnet-1]}
  tasks:
    migrate:
      image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1
      command: [php, artisan, migrate]
      service: false
"""
    )
    task = template["Resources"]["Fargate"]["Properties"]["Tasks"]["migrate"]
    assert task["Service"] is False
    result = expand_template(template)
    assert "FargateMigrateService" not in result["Resources"]
    assert "FargateMigrateTaskDefinition" in result["Resources"]


@pytest.mark.parametrize(
    ("vpc", "expected"),
    [
        (
            "{subnets: [subnet-1], securityGroups: [sg-1]}",
            {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]},
        ),
        ("'${file(./vpc.yml)}'", None),
        ("{securityGroupIds: [sg-1]}", None),
    ],
)
def test_every_vpc_shape_is_migrated_or_said(vpc, expected):
    template, notes = migrate_text(
        BASE + f"fargate:\n  vpc: {vpc}\n  tasks:\n    web: {{image: nginx/nginx:1}}\n"
    )
    network = template["Resources"]["Fargate"]["Properties"].get("Network")
    assert network == expected
    if expected is None:
        assert any(n.startswith("fargate.vpc: ") and "default VPC" in n for n in notes), notes


def test_a_provider_image_given_as_a_plain_uri():
    template, _ = migrate_text(
        BASE.replace(
            "provider: {name: aws, region: eu-west-1}",
            "provider:\n  name: aws\n  ecr:\n    images:\n"
            "      app: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2",
        )
        + "fargate:\n  tasks:\n    web: {image: app}\n"
    )
    assert template["Parameters"]["AppImageUri"]["Default"] == (
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
    )


def test_a_scheduled_tasks_service_overrides_are_dropped_with_a_note():
    template, notes = migrate_text(
        BASE
        + """
fargate:
  vpc: {subnetIds: [subnet-1]}
  tasks:
    nightly:
      image: nginx/nginx:1
      schedule: rate(1 day)
      cloudFormationResource:
        service: {PropagateTags: SERVICE}
        task: {EphemeralStorage: {SizeInGiB: 30}}
"""
    )
    task = template["Resources"]["Fargate"]["Properties"]["Tasks"]["nightly"]
    assert task["Overrides"] == {"TaskDefinition": {"EphemeralStorage": {"SizeInGiB": 30}}}
    assert any("cloudFormationResource.service" in n for n in notes)
    expand_template(template)  # the transform takes it


def test_the_services_own_resources_come_along_and_functions_are_named():
    template, notes = migrate_text(
        BASE
        + """
functions:
  api: {handler: app.handler}
fargate:
  vpc: {subnetIds: [subnet-1]}
  tasks:
    worker:
      image: nginx/nginx:1
      dependsOn: [Queue]
resources:
  Resources:
    Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: 'jobs-${sls:stage}'}}
  Outputs:
    QueueUrl: {Value: {Ref: Queue}}
"""
    )
    assert template["Resources"]["Queue"]["Properties"]["QueueName"] == {"Fn::Sub": "jobs-${Stage}"}
    assert template["Outputs"] == {"QueueUrl": {"Value": {"Ref": "Queue"}}}
    assert any(n.startswith("functions: not converted: api") for n in notes)
    result = expand_template(template)
    assert "Queue" in result["Resources"]["FargateWorkerService"]["DependsOn"]


def test_commands_are_lists_of_strings_and_custom_fargate_is_read():
    template, notes = migrate_text(
        BASE
        + """
custom:
  fargate:
    vpc: {subnetIds: [subnet-1]}
    tasks:
      worker:
        name: queue-worker
        image: nginx/nginx:1
        command: "php artisan queue:work --tries=3"
        entryPoint: [sh, -c, 1]
"""
    )
    task = template["Resources"]["Fargate"]["Properties"]["Tasks"]["queue-worker"]
    assert task["Command"] == ["php", "artisan", "queue:work", "--tries=3"]
    assert task["EntryPoint"] == ["sh", "-c", "1"]
    assert any("fargate.tasks.worker.name" in n and "queue-worker" in n for n in notes)
    assert any("fargate.tasks.worker.command" in n for n in notes)


def test_list_variables_in_a_vpc_stay_lists():
    template, _ = migrate_text(
        BASE
        + """
custom:
  subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
fargate:
  vpc:
    subnetIds: ${self:custom.subnets}
    securityGroupIds: ${env:SECURITY_GROUPS}
  tasks:
    web: {image: nginx/nginx:1}
"""
    )
    network = template["Resources"]["Fargate"]["Properties"]["Network"]
    assert network["Subnets"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    assert network["SecurityGroups"] == {"Ref": "EnvSecurityGroups"}
    assert template["Parameters"]["EnvSecurityGroups"]["Type"] == (
        "List<AWS::EC2::SecurityGroup::Id>"
    )
    result = expand_template(template, parameters={"EnvSecurityGroups": "sg-0123456789abcdef0"})
    assert lint(result) == []


@pytest.mark.slow
def test_depends_on_the_plugins_id_of_another_task_is_mapped_to_ours():
    template, notes = migrate_text(
        BASE
        + """
fargate:
  vpc: {subnetIds: [subnet-0123456789abcdef0]}
  tasks:
    worker: {image: nginx/nginx:1}
    reporter:
      image: nginx/nginx:1
      dependsOn: [WorkerService, WorkerTask]
"""
    )
    task = template["Resources"]["Fargate"]["Properties"]["Tasks"]["reporter"]
    assert task["DependsOn"] == ["FargateWorkerService", "FargateWorkerTaskDefinition"]
    assert any("WorkerService (the plugin's ID) is FargateWorkerService now" in n for n in notes)
    result = expand_template(template)
    assert "FargateWorkerService" in result["Resources"]["FargateReporterService"]["DependsOn"]
    assert lint(result) == []


def test_a_task_cannot_depend_on_its_own_generated_resources():
    from conftest import problems, task

    assert problems(task(DependsOn=["WorkersWorkerService"])) == [
        "Resources.Workers.Properties.Tasks.worker.DependsOn[0]: 'WorkersWorkerService' is this "
        "task's own resource: it cannot wait for itself"
    ]

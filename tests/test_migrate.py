"""`serverless-fargate migrate`: realistic serverless.yml files keep their meaning after migration
and expansion, and nothing is dropped silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, lint
from serverless_fargate import cfn_yaml
from serverless_fargate.cli import main
from serverless_fargate.migrate import MigrationError, migrate
from serverless_fargate.transform import expand_template

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
    images = result["Resources"]["FargateTasksImageDigests"]["Properties"]["Images"]
    assert images["QueueWorker"] == {"Ref": "AppImageUri"} and images["NightlyReport"] == {
        "Ref": "ReporterImageUri"
    }
    worker = task_definition(result, "FargateTasks", "QueueWorker")
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
    sync = task_definition(result, "FargateTasks", "SingletonSync")  # the plugin's task `name`
    assert (sync["Cpu"], sync["Memory"]) == ("1024", "2048")
    report = task_definition(result, "FargateTasks", "NightlyReport")
    assert report["RuntimePlatform"]["CpuArchitecture"] == "X86_64"
    assert [c["Name"] for c in report["ContainerDefinitions"]] == ["nightly-report", "otel"]
    assert report["ContainerDefinitions"][0]["StopTimeout"] == 120
    assert worker["EphemeralStorage"] == {"SizeInGiB": 30}  # cloudFormationResource.task


def test_schedules_services_and_spot_are_kept(every_option):
    _, _, result = every_option
    resources = result["Resources"]
    assert (
        resources["FargateTasksNightlyReportSchedule"]["Properties"]["ScheduleExpression"]
        == "cron(0 3 * * ? *)"
    )
    worker = resources["FargateTasksQueueWorkerService"]["Properties"]
    assert worker["DesiredCount"] == 2
    assert worker["DeploymentConfiguration"]["MaximumPercent"] == 150
    assert worker["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]
    assert worker["EnableECSManagedTags"] is True  # cloudFormationResource.service
    strict = resources["FargateTasksSingletonSyncService"]["Properties"]["DeploymentConfiguration"]
    assert (strict["MaximumPercent"], strict["MinimumHealthyPercent"]) == (100, 0)
    assert "FargateTasksSingletonSyncFallbackService" not in resources


def test_environment_tags_and_network_are_kept(every_option):
    _, _, result = every_option
    worker = task_definition(result, "FargateTasks", "QueueWorker")
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
    network = result["Resources"]["FargateTasksQueueWorkerService"]["Properties"][
        "NetworkConfiguration"
    ]["AwsvpcConfiguration"]
    assert network == {
        "Subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
        "SecurityGroups": ["sg-0123456789abcdef0"],
        "AssignPublicIp": "DISABLED",
    }
    # The task's own vpc is its own Network, in the same declaration and cluster.
    template = every_option[0]
    assert template["Resources"]["FargateTasks"]["Properties"]["Tasks"]["public-poller"][
        "Network"
    ] == {
        "Subnets": ["subnet-0aaaaaaaaaaaaaaa1"],
        "SecurityGroups": ["sg-0bbbbbbbbbbbbbbb2"],
        "AssignPublicIp": True,
    }
    poller = result["Resources"]["FargateTasksPublicPollerService"]["Properties"]
    assert poller["NetworkConfiguration"]["AwsvpcConfiguration"] == {
        "Subnets": ["subnet-0aaaaaaaaaaaaaaa1"],
        "SecurityGroups": ["sg-0bbbbbbbbbbbbbbb2"],
        "AssignPublicIp": "ENABLED",
    }
    assert poller["Cluster"] == {"Ref": "FargateTasksCluster"}


def test_permissions_are_kept(every_option):
    _, _, result = every_option
    role = result["Resources"]["FargateTasksQueueWorkerTaskRole"]["Properties"]
    assert role["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "arn:aws:iam::123456789012:policy/provider-extra",
        "arn:aws:iam::123456789012:policy/fargate-extra",
    ]
    actions = [s["Action"] for s in statements(result, "FargateTasksQueueWorkerTaskRole")]
    assert actions == [["dynamodb:GetItem", "dynamodb:PutItem"], "sqs:SendMessage", "s3:PutObject"]
    poller = task_definition(result, "FargateTasks", "PublicPoller")
    assert poller["TaskRoleArn"] == "arn:aws:iam::123456789012:role/poller-task"
    assert poller["ExecutionRoleArn"] == "arn:aws:iam::123456789012:role/poller-execution"
    assert "SomeTable" in result["Resources"]["FargateTasksPublicPollerService"]["DependsOn"]


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
    main_container = task_definition(result, "FargateTasks", "Worker")["ContainerDefinitions"][0]
    assert (main_container["EntryPoint"], main_container["Command"]) == (["python"], ["worker.py"])
    assert template["Parameters"]["AppimageImageUri"]["Type"] == "String"


def test_task_role_trap_and_unknown_options_are_reported():
    template, notes = migrated("shared-role.yml")
    result = expanded(template)
    assert lint(result) == []
    assert "FargateTasksExtractTaskRole" not in result["Resources"]
    assert any("fargate.taskRoleArn it created none, so they are not migrated" in n for n in notes)
    assert (
        "fargate.unknownOption: not an option of the serverless-fargate plugin: not migrated"
        in notes
    )
    assert (
        "fargate.tasks.load.secretStuff: not an option of the serverless-fargate plugin: not migrated"
        in notes
    )
    load = task_definition(result, "FargateTasks", "Load")
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
    env = template["Resources"]["FargateTasks"]["Properties"]["Environment"]
    assert env == {"A": {"Ref": "CfOtherOutput"}, "B": {"Ref": "SelfCustomMissing"}}
    assert any(n.startswith("${cf:other.Output}: read another stack") for n in notes)


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
    assert cfn_yaml.load(text)["Resources"]["FargateTasks"]["Type"] == "Fargate::Tasks"


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
TASKS = BASE + "fargate:\n  vpc: {subnetIds: [subnet-1]}\n  tasks:\n"


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
    task = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]["migrate"]
    assert task["Service"] is False
    result = expand_template(template)
    assert "FargateTasksMigrateService" not in result["Resources"]
    assert "FargateTasksMigrateTaskDefinition" in result["Resources"]


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
    network = template["Resources"]["FargateTasks"]["Properties"].get("Network")
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
    task = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]["nightly"]
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
    assert "Queue" in result["Resources"]["FargateTasksWorkerService"]["DependsOn"]


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
    task = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]["queue-worker"]
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
    network = template["Resources"]["FargateTasks"]["Properties"]["Network"]
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
    task = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]["reporter"]
    assert task["DependsOn"] == ["FargateTasksWorkerService", "FargateTasksWorkerTaskDefinition"]
    assert any(
        "WorkerService (the plugin's ID) is FargateTasksWorkerService now" in n for n in notes
    )
    result = expand_template(template)
    assert (
        "FargateTasksWorkerService"
        in result["Resources"]["FargateTasksReporterService"]["DependsOn"]
    )
    assert lint(result) == []


def test_a_task_cannot_depend_on_its_own_generated_resources():
    from conftest import problems, task

    assert problems(task(DependsOn=["WorkersWorkerService"])) == [
        "Resources.Workers.Properties.Tasks.worker.DependsOn[0]: 'WorkersWorkerService' is this "
        "task's own resource: it cannot wait for itself"
    ]


# --- real-world configs (issue #25): nothing silent, values as the plugin read them ----------


def test_a_nested_variable_becomes_a_parameter_with_a_note_never_a_literal():
    template, notes = migrate_text(
        BASE
        + """
fargate:
  vpc: {subnetIds: ['${file(configs/${sls:stage}.yml):subnet}']}
  environment:
    TABLE: ${file(configs/${sls:stage}.yml):table}-suffix
  tasks:
    web: {image: '${file(configs/${sls:stage}.yml):image}'}
"""
    )
    declaration = template["Resources"]["FargateTasks"]["Properties"]
    assert "${!" not in str(template)
    name = "FileConfigsSlsStageYmlImage"
    assert declaration["Tasks"]["web"]["Image"] == {"Ref": name}
    assert declaration["Environment"]["TABLE"] == {
        "Fn::Sub": "${FileConfigsSlsStageYmlTable}-suffix"
    }
    assert declaration["Network"]["Subnets"] == [{"Ref": "FileConfigsSlsStageYmlSubnet"}]
    assert any(
        n.startswith("${file(configs/${sls:stage}.yml):image}: a variable nested") and name in n
        for n in notes
    )


@pytest.mark.parametrize(
    ("source", "parameter", "why"),
    [
        ("${file(./env.yml):KEY}", "FileEnvYmlKey", "read a file at package time"),
        ("${cf:network.VpcId}", "CfNetworkVpcid", "read another stack's output"),
        ("${opt:color}", "OptColor", "read a command-line option"),
        ("${sls:instanceId}", "SlsInstanceid", "a framework value"),
        ("${ssm:/shop/key~true}", "SsmShopKeyTrue", "a SecureString"),
    ],
)
def test_each_variable_the_framework_resolves_is_a_parameter_with_its_reason(
    source, parameter, why
):
    template, notes = migrate_text(
        BASE + f"fargate:\n  environment: {{A: '{source}'}}\n  tasks:\n    web: {{image: a/b:1}}\n"
    )
    assert template["Resources"]["FargateTasks"]["Properties"]["Environment"]["A"] == {
        "Ref": parameter
    }
    assert any(n.startswith(f"{source}: {why}") for n in notes), notes


def test_single_values_are_coerced_as_the_plugins_schema_coerces_them():
    template, _ = migrate_text(
        BASE
        + """
fargate:
  cpu: '512'
  vpc: {subnetIds: subnet-0123456789abcdef0, securityGroupIds: sg-0123456789abcdef0}
  tasks:
    web:
      image: nginx/nginx:1
      dependsOn: Queue
      service: {desiredCount: '2', spot: 'true'}
resources:
  Resources:
    Queue: {Type: AWS::SQS::Queue}
"""
    )
    declaration = template["Resources"]["FargateTasks"]["Properties"]
    assert declaration["Network"] == {
        "Subnets": ["subnet-0123456789abcdef0"],
        "SecurityGroups": ["sg-0123456789abcdef0"],
    }
    assert declaration["Cpu"] == 512
    web = declaration["Tasks"]["web"]
    assert (web["Service"], web["Spot"], web["DependsOn"]) == ({"DesiredCount": 2}, True, ["Queue"])
    result = expand_template(template)
    assert result["Resources"]["FargateTasksWebService"]["Properties"]["DesiredCount"] == 2


def test_the_plugins_logical_ids_use_its_rule_and_are_remapped_everywhere():
    template, notes = migrate_text(
        BASE
        + """
fargate:
  vpc: {subnetIds: [subnet-0123456789abcdef0]}
  tasks:
    depends-service: {image: nginx/nginx:1}
    my_job: {image: nginx/nginx:1, schedule: rate(1 hour)}
    reporter:
      image: nginx/nginx:1
      dependsOn: [DependsserviceService]
resources:
  Resources:
    Alarm:
      Type: AWS::SSM::Parameter
      DependsOn: [DependsserviceService, FargateTasksCluster]
      Properties:
        Type: String
        Value: !Sub '${MyjobScheduledTask.Arn} ${DependsserviceTask} ${FargateTasksLogGroup}'
  Outputs:
    Job: {Value: !GetAtt MyjobScheduledTask.Arn}
    Task: {Value: !Ref DependsserviceTask}
"""
    )
    alarm = template["Resources"]["Alarm"]
    assert alarm["DependsOn"] == ["FargateTasksDependsServiceService", "FargateTasksCluster"]
    assert alarm["Properties"]["Value"] == {
        "Fn::Sub": "${FargateTasksMyJobSchedule.Arn} ${FargateTasksDependsServiceTaskDefinition} "
        "${FargateTasksLogGroup}"
    }
    assert template["Outputs"] == {
        "Job": {"Value": {"Fn::GetAtt": ["FargateTasksMyJobSchedule", "Arn"]}},
        "Task": {"Value": {"Ref": "FargateTasksDependsServiceTaskDefinition"}},
    }
    reporter = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]["reporter"]
    assert reporter["DependsOn"] == ["FargateTasksDependsServiceService"]
    result = expand_template(template)
    assert lint(result) == []


def test_every_default_that_changes_behaviour_is_noted():
    _, notes = migrate_text(TASKS + "    web: {image: a/b:1}\n")
    text = "\n".join(notes)
    for said in (
        "circuit breaker and rollback",
        "ECS managed tags",
        "task definition families and service names are generated",
        "--task-definition NAME",
        "log streams are named TASK/CONTAINER/ID now (the plugin: fargate/CONTAINER/ID)",
        "LogRetentionInDays: 3653",
    ):
        assert said in text, said


def test_distinct_images_never_share_a_parameter():
    template, _ = migrate_text(
        TASKS + "    a: {image: worker}\n    b: {image: reporter}\n    c: {image: worker}\n"
    )
    tasks = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]
    assert [tasks[k]["Image"] for k in "abc"] == [
        {"Ref": "WorkerImageUri"},
        {"Ref": "ReporterImageUri"},
        {"Ref": "WorkerImageUri"},
    ]


def test_framework_settings_and_old_forms_are_noted():
    _, notes = migrate_text(
        """
service: shop
provider: {name: aws, region: eu-west-1, stage: prod}
plugins: [serverless-python-requirements, serverless-fargate]
custom:
  fargate:
    vpc: {subnetIds: [subnet-1]}
    tasks:
      web: {image: a/b:1}
"""
    )
    text = "\n".join(notes)
    assert "custom.fargate: plugin 1.1.0 reads only a top-level fargate: block" in text
    assert "plugins: serverless-python-requirements: framework plugins" in text
    assert "provider.region: eu-west-1: deploy with sam deploy --region eu-west-1" in text
    assert "the plugin's stack is shop-prod" in text


def test_the_cli_prints_the_plan_and_writes_it_into_the_output(tmp_path, capsys):
    out = tmp_path / "template.yaml"
    assert main(["migrate", str(FILES / "in-place.yml"), "--output", str(out)]) == 0
    err = capsys.readouterr().err
    plan = [
        "keep    FargateTasksCluster: ",
        "keep    FargateTasksLogGroup: ",
        "replace WebapiService: by FargateTasksWebApiService: created and stable before",
        "replace NightlyScheduledTask: by FargateTasksNightlySchedule",
        "replace DbmigrateTask: by FargateTasksDbMigrateTaskDefinition",
        "delete  ServerlessDeploymentBucket: ",
    ]
    for line in plan:
        assert f"\n  {line}" in err, line
        assert f"\n#   {line}" in out.read_text(), line


# --- --to serverless ------------------------------------------------------------------------


def test_to_serverless_writes_its_notes_into_the_file_and_reuses_a_functions_image():
    from serverless_fargate.migrate import to_serverless

    text, notes = to_serverless(
        """
service: shop
provider:
  name: aws
  ecr:
    images:
      app: {path: ./}
plugins: ${file(plugins.yml)}
functions:
  api-v2: {image: {name: app}}
fargate:
  vpc: {subnetIds: [subnet-1]}
  tasks:
    worker: {image: app}
    proxy: {image: nginx}
"""
    )
    config = cfn_yaml.load(text)
    tasks = config["resources"]["Resources"]["FargateTasks"]["Properties"]["Tasks"]
    assert tasks["worker"]["Image"] == {"Function": "ApiDashv2LambdaFunction"}
    assert tasks["proxy"]["Image"] == "nginx"
    assert any(n.startswith("fargate.tasks.proxy.image: 'nginx' names no image") for n in notes)
    assert any(
        n.startswith("plugins: ${file(plugins.yml)}: remove serverless-fargate") for n in notes
    )
    for note in notes:
        assert f"#   - {note}\n" in text
    assert "#   keep    FargateTasksLogGroup: " in text


def test_the_plugins_shared_task_role_is_remapped_when_one_task_used_it_else_noted():
    own = (
        "resources:\n  Outputs:\n    Role: {Value: !GetAtt FargateIamTaskRole.Arn}\n"
        "fargate:\n  vpc: {subnetIds: [subnet-1]}\n  tasks:\n    web: {image: a/b:1}\n"
    )
    template, notes = migrate_text(BASE + own)
    assert template["Outputs"]["Role"]["Value"] == {
        "Fn::GetAtt": ["FargateTasksWebTaskRole", "Arn"]
    }
    assert not any("FargateIamTaskRole" in n for n in notes if n.startswith("resources"))
    template, notes = migrate_text(BASE + own + "    api: {image: a/b:1}\n")
    assert any(n.startswith("resources: names FargateIamTaskRole") for n in notes)


def test_to_serverless_remaps_the_plugins_ids_in_short_form_tags():
    from serverless_fargate.migrate import to_serverless

    text, _ = to_serverless(
        TASKS
        + """
    db-migrate: {image: a/b:1, service: false}
    web: {image: a/b:1}
resources:
  Outputs:
    A: {Value: !Ref DbmigrateTask}
    B: {Value: !GetAtt WebService.Name}
    C: {Value: !GetAtt [WebService, Name]}
    D: {Value: !Sub '${WebService} ${AWS::Region}'}
"""
    )
    outputs = cfn_yaml.load(text)["resources"]["Outputs"]
    assert outputs == {
        "A": {"Value": {"Ref": "FargateTasksDbMigrateTaskDefinition"}},
        "B": {"Value": {"Fn::GetAtt": ["FargateTasksWebService", "Name"]}},
        "C": {"Value": {"Fn::GetAtt": ["FargateTasksWebService", "Name"]}},
        "D": {"Value": {"Fn::Sub": "${FargateTasksWebService} ${AWS::Region}"}},
    }


def test_the_schedule_switch_over_of_the_readme_expands():
    """README 'Switching a schedule over': the migrated schedule starts at the plugin rule's
    next occurrence (StartDate), so that occurrence runs once, from the new schedule."""
    template, _ = migrate_text(
        TASKS + "    nightly: {image: a/b:1, schedule: 'cron(0 3 * * ? *)'}\n"
    )
    task = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]["nightly"]
    task["Overrides"] = {"Schedule": {"StartDate": "2027-01-02T03:00:00Z"}}
    schedule = expand_template(template)["Resources"]["FargateTasksNightlySchedule"]
    assert schedule["Properties"]["StartDate"] == "2027-01-02T03:00:00Z"
    assert schedule["Properties"]["ScheduleExpression"] == "cron(0 3 * * ? *)"

"""Parity with the original plugin: each service of tests/parity/services is packaged by the
Serverless Framework 3.40.0 with serverless-fargate 1.1.0 (pinned in tests/parity/package.json,
installed by `make test`), and migrated and expanded by us; each task must keep its meaning:
kind, size, image, command, environment, schedule, desired count, Spot and network."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, lint
from serverless_fargate import cfn_yaml
from serverless_fargate.migrate import DECLARATION, migrate
from serverless_fargate.resources.workflow_contract import task_settings
from serverless_fargate.transform import expand_template

# Each test runs the Serverless Framework (node) and cfn-lint: minutes on a small machine.
pytestmark = pytest.mark.slow

PARITY = ROOT / "tests" / "parity"
SERVERLESS = PARITY / "node_modules" / ".bin" / "serverless"
SERVICES = sorted((PARITY / "services").glob("*.yml"))
STAGE = "dev"


def _mib(value) -> int:
    text = str(value).strip().upper().replace(" ", "")
    if text.endswith("GB"):
        return int(float(text[:-2]) * 1024)
    if text.endswith("MB"):
        return int(float(text[:-2]))
    return int(text)


def _value(value, parameters):
    """Our template's values with the migration's parameters filled in (Ref, Fn::Sub)."""
    if isinstance(value, dict) and value.get("Ref") in parameters:
        return parameters[value["Ref"]]
    if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
        return re.sub(
            r"\$\{([^}]+)\}", lambda m: parameters.get(m.group(1), m.group(0)), value["Fn::Sub"]
        )
    return value


def plugin_template(
    service: Path, tmp_path: Path, home: Path, files: dict[str, str] | None = None
) -> dict:
    """The framework's packaged template of `service` (with `files` next to it), run with
    `home` as HOME (the `node_home` fixture: the framework writes to ~/.serverless)."""
    assert SERVERLESS.exists(), "tests/parity/node_modules is missing: run `make test`"
    work = tmp_path / service.stem
    work.mkdir()
    shutil.copy(service, work / "serverless.yml")
    for name, text in (files or {}).items():
        (work / name).write_text(text)
    (work / "app.py").write_text("def handler(event, context):\n    return None\n")
    (work / "node_modules").symlink_to(PARITY / "node_modules")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
        "HOME": str(home),
    }
    done = subprocess.run(
        [str(SERVERLESS), "package", "--stage", STAGE],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,  # a hang guard (it runs offline), far beyond a slow machine's time
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(
        (work / ".serverless" / "cloudformation-template-update-stack.json").read_text()
    )


def _role_name(value) -> str:
    """The role's logical ID in `${Role}` (the plugin) or `{"Fn::GetAtt": [Role, Arn]}` (ours)."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        return value["Fn::Sub"].strip("${}")
    return value["Fn::GetAtt"][0]


def _permissions(resources: dict, role_arn) -> list:
    role = resources[_role_name(role_arn)]["Properties"]
    found = [("Managed", (arn,), "") for arn in role.get("ManagedPolicyArns") or []]
    for policy in role.get("Policies") or []:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            found.append(
                (
                    statement.get("Effect", "Allow"),
                    tuple(sorted(actions if isinstance(actions, list) else [actions])),
                    json.dumps(statement["Resource"], sort_keys=True),
                )
            )
    return sorted(found)


def _extras(resources: dict, props: dict, container: dict) -> dict:
    """Permissions, tags, container settings and log retention: the same on both sides."""
    group = container["LogConfiguration"]["Options"]["awslogs-group"]
    group = group["Fn::Sub"].strip("${}") if "Fn::Sub" in group else group["Ref"]
    tags = {t["Key"]: t["Value"] for t in props.get("Tags", [])}
    tags.pop("serverless-fargate:managed", None)
    role = props["TaskRoleArn"]
    return {
        # A role given by ARN: its permissions are its own, on both sides.
        "permissions": [("Role", role)] if isinstance(role, str) else _permissions(resources, role),
        "tags": tags,
        "stopTimeout": container.get("StopTimeout"),
        "logRetention": resources[group]["Properties"].get("RetentionInDays"),
    }


def _task(resources, props, container, runner, schedule, network, parameters) -> dict:
    """One task's meaning, read the same way from the plugin's template and from ours."""
    deployment = (runner or {}).get("DeploymentConfiguration", {})
    return {
        "kind": "service" if runner else "schedule" if schedule else "standalone",
        "cpu": int(props["Cpu"]),
        "memory": _mib(props["Memory"]),
        "image": _value(container["Image"], parameters),
        "command": container.get("Command") or None,
        "entryPoint": container.get("EntryPoint") or None,
        "environment": {
            e["Name"]: _value(e["Value"], parameters) for e in container.get("Environment", [])
        },
        "schedule": schedule,
        "desired": runner.get("DesiredCount") if runner else None,
        "deployment": deployment.get("MaximumPercent"),
        "healthy": deployment.get("MinimumHealthyPercent"),
        "spot": any(
            s["CapacityProvider"] == "FARGATE_SPOT"
            for s in (runner or {}).get("CapacityProviderStrategy", [])
        ),
        "subnets": (network or {}).get("Subnets"),
        "securityGroups": (network or {}).get("SecurityGroups"),
        "publicIp": (network or {}).get("AssignPublicIp"),
        **_extras(resources, props, container),
    }


def plugin_tasks(template: dict) -> dict[str, dict]:
    resources = template["Resources"]
    out = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::ECS::TaskDefinition":
            continue
        props = resource["Properties"]
        container = props["ContainerDefinitions"][0]
        prefix = logical_id.removesuffix("Task")
        service = resources.get(f"{prefix}Service")
        rule = resources.get(f"{prefix}ScheduledTask")
        runner = service["Properties"] if service else None
        network = None
        if runner:
            network = runner["NetworkConfiguration"]["AwsvpcConfiguration"]
        elif rule:
            network = rule["Properties"]["Targets"][0]["EcsParameters"]["NetworkConfiguration"][
                "AwsVpcConfiguration"
            ]
        schedule = rule["Properties"]["ScheduleExpression"] if rule else None
        out[container["Name"]] = _task(resources, props, container, runner, schedule, network, {})
    return out


def our_tasks(service: Path) -> dict[str, dict]:
    """--to sam: migrated, then expanded with the migration's parameters (Stage = dev)."""
    template, _ = migrate(cfn_yaml.load(service.read_text()))
    parameters = {
        name: spec.get("Default", STAGE if name == "Stage" else "")
        for name, spec in (template.get("Parameters") or {}).items()
    }
    parameters["Stage"] = STAGE
    result = expand_template(template, parameters=parameters)
    assert lint({k: v for k, v in result.items() if k != "Transform"}) == []
    keys = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]
    return tasks_of(result["Resources"], keys, parameters)


def tasks_of(result: dict, keys, parameters: dict) -> dict[str, dict]:
    out = {}
    for key in keys:
        name = "".join(p[:1].upper() + p[1:] for p in re.split(r"[-_]", key))
        props = result[f"FargateTasks{name}TaskDefinition"]["Properties"]
        container = props["ContainerDefinitions"][0]
        service = result.get(f"FargateTasks{name}Service")
        schedule = result.get(f"FargateTasks{name}Schedule")
        runner = service["Properties"] if service else None
        if runner:
            network = runner["NetworkConfiguration"]["AwsvpcConfiguration"]
        elif schedule:
            definition = result[f"{DECLARATION}{name}Workflow"]["Properties"]["Definition"]
            network = task_settings(definition)[key]["network"]["AwsvpcConfiguration"]
        else:
            network = None
        expression = schedule["Properties"]["ScheduleExpression"] if schedule else None
        out[key] = _task(result, props, container, runner, expression, network, parameters)
    return out


def framework_tasks(service: Path, tmp_path: Path, home: Path) -> dict[str, dict]:
    """--to serverless: the framework packages the migrated file, then we expand it."""
    from serverless_fargate.migrate import to_serverless

    text, _ = to_serverless(service.read_text())
    migrated = tmp_path / f"{service.stem}-migrated.yml"
    migrated.write_text(text)
    packaged = plugin_template(migrated, tmp_path, home)
    result = expand_template(packaged)
    keys = packaged["Resources"]["FargateTasks"]["Properties"]["Tasks"]
    return tasks_of(result["Resources"], keys, {})


def documented(theirs: dict[str, dict], notes: list[str]) -> dict[str, dict]:
    """The plugin's tasks as the migration documents they change (each change is a note)."""
    out = {}
    for key, task in theirs.items():
        task = dict(task)
        if task["logRetention"] is None:  # kept forever by the plugin; ten years now
            assert any(n.startswith("fargate.logRetentionInDays: ") for n in notes)
            task["logRetention"] = 3653
        if task["spot"] and task["stopTimeout"] is None:  # Spot's two-minute warning
            assert any("StopTimeout 120" in n for n in notes)
            task["stopTimeout"] = 120
        out[key] = task
    return out


@pytest.mark.parametrize("service", SERVICES, ids=[s.stem for s in SERVICES])
def test_every_task_keeps_its_meaning_both_ways(service, tmp_path, node_home):
    _, notes = migrate(cfn_yaml.load(service.read_text()))
    theirs = documented(plugin_tasks(plugin_template(service, tmp_path, node_home)), notes)
    for form, ours in (("sam", our_tasks(service)), ("serverless", framework_tasks(service, tmp_path, node_home))):  # fmt: skip
        assert sorted(ours) == sorted(theirs), form
        for key, expected in theirs.items():
            assert ours[key] == expected, (form, key)


def test_the_corpus_covers_each_kind_of_task():
    kinds = set()
    for service in SERVICES:
        template, _ = migrate(cfn_yaml.load(service.read_text()))
        for task in template["Resources"]["FargateTasks"]["Properties"]["Tasks"].values():
            kinds.add(
                "schedule"
                if "Schedule" in task
                else "standalone"
                if task.get("Service") is False
                else "service"
            )
    assert kinds == {"service", "schedule", "standalone"}


# --- migrate --to serverless: keep the framework, drop the plugin ---------------------------

WITH_PLUGIN = """\
# The shop's services.
service: shop
frameworkVersion: "3"
provider:
  name: aws
  region: eu-west-1
  runtime: python3.12
plugins:
  - serverless-fargate   # retired by the migration
functions:
  api:
    handler: app.handler   # stays a function
fargate:
  vpc:
    subnetIds: [subnet-0123456789abcdef0]
    securityGroupIds: [sg-0123456789abcdef0]
  environment:
    STAGE: ${sls:stage}
    QUEUE_URL: !Ref Queue
  tasks:
    worker:
      image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:%s
      command: [python, worker.py]
resources:
  Transform: AWS::Serverless-2016-10-31
  Resources:
    # jobs for the worker
    Queue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: jobs-${sls:stage}
""" % ("a" * 64)


def test_to_serverless_keeps_the_file_and_swaps_the_plugin_for_the_transform():
    from serverless_fargate.migrate import to_serverless

    text, notes = to_serverless(WITH_PLUGIN)
    assert "# The shop's services." in text and "# stays a function" in text
    assert "# jobs for the worker" in text
    config = cfn_yaml.load(text)
    assert "plugins" not in config and "fargate" not in config
    assert list(config) == ["service", "frameworkVersion", "provider", "functions", "resources"]
    assert config["resources"]["Transform"] == ["ServerlessFargate", "AWS::Serverless-2016-10-31"]
    declaration = config["resources"]["Resources"]["FargateTasks"]
    assert declaration["Type"] == "Fargate::Tasks"
    # Serverless variables stay for the framework; CloudFormation's intrinsics stay too.
    assert declaration["Properties"]["Environment"] == {
        "STAGE": "${sls:stage}",
        "QUEUE_URL": {"Ref": "Queue"},
    }
    assert not any(n.startswith("functions") for n in notes)


def test_the_framework_packages_the_migrated_service_and_the_transform_expands_it(
    tmp_path, node_home
):
    """The issue's user path: serverless package keeps the Transform and the resource; our
    expansion of the packaged template is lint-clean, with the framework's variables resolved."""
    from conftest import lint
    from serverless_fargate.migrate import to_serverless

    text, _ = to_serverless(WITH_PLUGIN)
    service = tmp_path / "source.yml"
    service.write_text(text)
    packaged = plugin_template(service, tmp_path, node_home)
    assert packaged["Transform"] == ["ServerlessFargate", "AWS::Serverless-2016-10-31"]
    assert packaged["Resources"]["FargateTasks"]["Type"] == "Fargate::Tasks"
    environment = packaged["Resources"]["FargateTasks"]["Properties"]["Environment"]
    assert environment == {"STAGE": STAGE, "QUEUE_URL": {"Ref": "Queue"}}
    result = expand_template(packaged)
    assert result["Transform"] == "AWS::Serverless-2016-10-31"  # SAM's, still to run
    assert "FargateTasksWorkerService" in result["Resources"]
    assert lint({k: v for k, v in result.items() if k != "Transform"}) == []


def test_the_cli_writes_the_serverless_yml(tmp_path, capsys):
    from serverless_fargate.cli import main

    source = tmp_path / "serverless.yml"
    source.write_text(WITH_PLUGIN)
    out = tmp_path / "serverless.new.yml"
    assert main(["migrate", str(source), "--to", "serverless", "--output", str(out)]) == 0
    assert cfn_yaml.load(out.read_text())["resources"]["Resources"]["FargateTasks"]["Type"] == (
        "Fargate::Tasks"
    )
    assert main(["migrate", str(source)]) == 0  # --to sam stays the default
    assert "AWSTemplateFormatVersion" in capsys.readouterr().out

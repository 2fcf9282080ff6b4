"""Migrating a live stack in place: the plugin's packaged stack, created in moto's
CloudFormation, is updated with the migrated and expanded template. The update completes; the
cluster and the log group stay (same physical resources), with every log stream; no new
resource takes a name an old one holds (tests/stack_harness.py makes moto's update as strict
as AWS's: new resources first, removed ones last)."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from conftest import ROOT
from moto import mock_aws
from ops_harness import teach_moto
from serverless_fargate import cfn_yaml
from serverless_fargate.migrate import migrate, to_serverless
from serverless_fargate.transform import expand_template
from stack_harness import strict_updates
from test_parity import PARITY, STAGE, plugin_template

# End to end (the Serverless Framework or a simulated stack): `make check` leaves it out.
pytestmark = pytest.mark.slow

SERVICES = [ROOT / "tests" / "migrations" / "in-place.yml", PARITY / "services" / "jobs.yml"]


def deployable(template: dict) -> dict:
    """Our expanded template as moto deploys it (ops_harness teaches it the Scheduler type):
    SAM's transform dropped, as no SAM resource is left for it."""
    kinds = {r["Type"] for r in template["Resources"].values()}
    # Moto cannot run Lambda-backed custom resources: these services pin images by digest.
    assert not any(k.startswith(("Custom::", "AWS::Serverless::")) for k in kinds), kinds
    return {k: v for k, v in template.items() if k != "Transform"}


def physical(cfn, stack: str) -> dict[str, tuple[str, str]]:
    summaries = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {
        s["LogicalResourceId"]: (s["ResourceType"], s["PhysicalResourceId"])
        for s in summaries
        if s["LogicalResourceId"]
    }


def migrated(service, target: str, tmp_path, home) -> tuple[dict, dict]:
    """(our expanded template, the declaration's properties) for `migrate --to target`:
    under serverless, the migrated serverless.yml as the framework packages it."""
    if target == "sam":
        template, _ = migrate(cfn_yaml.load(service.read_text()))
        expanded = expand_template(template, parameters={"Stage": STAGE})
        return deployable(expanded), template["Resources"]["FargateTasks"]["Properties"]
    text, _ = to_serverless(service.read_text())
    source = tmp_path / f"{service.stem}-migrated.yml"
    source.write_text(text)
    packaged = plugin_template(source, tmp_path, home)
    return deployable(expand_template(packaged)), packaged["Resources"]["FargateTasks"][
        "Properties"
    ]


@pytest.mark.parametrize("target", ["sam", "serverless"])
@pytest.mark.parametrize("service", SERVICES, ids=[s.stem for s in SERVICES])
def test_an_update_of_the_plugins_stack_completes_and_keeps_every_log(
    service, target, tmp_path, node_home, monkeypatch
):
    plugin = plugin_template(service, tmp_path, node_home)
    ours, declaration = migrated(service, target, tmp_path, node_home)
    stack = f"{service.stem}-{STAGE}"
    with mock_aws(), strict_updates():
        teach_moto(monkeypatch)
        cfn, logs, ecs = boto3.client("cloudformation"), boto3.client("logs"), boto3.client("ecs")
        cfn.create_stack(
            StackName=stack, TemplateBody=json.dumps(plugin), Capabilities=["CAPABILITY_IAM"]
        )
        before = physical(cfn, stack)
        group = before["FargateTasksLogGroup"][1]
        streams = ["fargate/web-api/1", "fargate/nightly/2"]
        for name in streams:
            logs.create_log_stream(logGroupName=group, logStreamName=name)
            logs.put_log_events(
                logGroupName=group,
                logStreamName=name,
                logEvents=[
                    {"timestamp": int(time.time() * 1000) - 3_600_000, "message": f"run {name}"}
                ],
            )

        cfn.update_stack(
            StackName=stack,
            TemplateBody=json.dumps(ours),
            Parameters=[
                {"ParameterKey": k, "ParameterValue": STAGE} for k in ours.get("Parameters", {})
            ],
            Capabilities=["CAPABILITY_IAM"],
        )

        assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
        after = physical(cfn, stack)
        # Kept: the same cluster and log group, with every stream and event.
        assert after["FargateTasksCluster"] == before["FargateTasksCluster"]
        assert after["FargateTasksLogGroup"] == before["FargateTasksLogGroup"]
        assert (
            ecs.describe_clusters(clusters=[after["FargateTasksCluster"][1]])["clusters"][0][
                "status"
            ]
            == "ACTIVE"
        )
        found = logs.describe_log_streams(logGroupName=group)["logStreams"]
        assert sorted(s["logStreamName"] for s in found) == sorted(streams)
        events = logs.get_log_events(logGroupName=group, logStreamName=streams[0])["events"]
        assert [e["message"] for e in events] == [f"run {streams[0]}"]
        retention = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
        assert retention["retentionInDays"] == declaration["LogRetentionInDays"]
        # Replaced: the plugin's task resources are gone, ours are there.
        assert not any(k.endswith(("Task", "ScheduledTask")) for k in after)
        schedules = [k for k, (kind, _) in after.items() if kind == "AWS::Scheduler::Schedule"]
        assert schedules == [k for k in ours["Resources"] if k.endswith("Schedule")] != []
        assert "FargateIamTaskRole" not in after and "FargateIamExecutionRole" not in after
        # The service's own resources and outputs name ours now (remapped plugin IDs).
        outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
        values = {o["OutputKey"]: o["OutputValue"] for o in outputs}
        if service.stem == "in-place":
            migration = after["FargateTasksDbMigrateTaskDefinition"][1]
            assert values["MigrationTaskDefinition"] == migration
        # No two resources of a type share a physical name.
        names = [(kind, name) for kind, name in after.values()]
        assert len(names) == len(set(names))
        cluster = after["FargateTasksCluster"][1]
        listed = ecs.list_services(cluster=cluster)["serviceArns"]
        active = [
            s["serviceArn"]
            for s in ecs.describe_services(cluster=cluster, services=listed)["services"]
            if s["status"] == "ACTIVE"
        ]
        assert sorted(active) == sorted(n for t, n in after.values() if t == "AWS::ECS::Service")

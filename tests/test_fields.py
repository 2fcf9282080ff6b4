"""The field table is the one source: the schema, the reference, the merge step's defaults and the
model all agree with it, each way; every rule is registered once and tested; decisive flags are
resolved from parameter values."""

from __future__ import annotations

import json

import pytest
from conftest import GROUP, ROOT, SUBNET, declaration, expand, problems, task
from serverless_fargate.declaration import fields, model, rules
from serverless_fargate.declaration.merge import TaskInput
from serverless_fargate.declaration.schema import DECLARATION_PROPERTIES, TASK_PROPERTIES
from serverless_fargate.resources.workflow_contract import task_settings
from test_hostile import CASES as HOSTILE_CASES
from test_invalid import CASES as INVALID_CASES


def _record_fields(cls) -> list[str]:
    return [n for n in cls.__annotations__ if not n.startswith("_")]


def test_schema_properties_are_the_table_rows_each_way():
    assert list(TASK_PROPERTIES) == [f.name for f in fields.TASK_FIELDS]
    assert list(DECLARATION_PROPERTIES) == [f.name for f in fields.DECLARATION_FIELDS]
    for f in fields.TASK_FIELDS + fields.DECLARATION_FIELDS:
        spec = (TASK_PROPERTIES | DECLARATION_PROPERTIES)[f.name]
        assert spec.get("default", fields.NO_DEFAULT) == f.default, f.name


def test_reference_shows_every_row_with_its_default():
    text = (ROOT / "docs" / "reference.md").read_text()
    for table in (fields.TASK, fields.DECLARATION_ONLY, fields.SPOT, fields.SERVICE):
        for name, f in table.items():
            row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
            shown = row.split(" | ")[2]  # name, shape, default, ...
            if not f.has_default:
                assert shown == "", row
            elif isinstance(f.default, str):
                assert shown == f"`{f.default}`", row
            else:
                assert shown == f"`{json.dumps(f.default)}`", row
    for line in text.splitlines():
        if line.startswith("| `") and " | " in line and line.count("|") >= 5:
            name = line.split("`")[1]
            known = set(fields.TASK) | set(fields.DECLARATION_ONLY)
            for sub in (fields.SPOT, fields.SERVICE, fields.SCHEDULE, fields.NETWORK,
                        fields.AUTOSCALING, fields.VOLUME, fields.EVENT,
                        fields.EVENT_BRIDGE_RULE):  # fmt: skip
                known |= set(sub)
            known |= {f.name for f in fields.HEALTH_CHECK_FIELDS}
            known |= {r.id for r in rules.RULES} | {
                "TaskDefinition",
                "Container",
                "Service",
                "Schedule",
            }
            assert name in known or name.isdigit(), f"reference row {name!r} has no field"


@pytest.mark.parametrize(
    "table", [fields.SPOT, fields.SERVICE, fields.PORT], ids=["Spot", "Service", "PortMappings"]
)
def test_what_a_map_takes_is_listed_from_its_table(table):
    """The "expected" text of a map's shape names every key of its table (none typed by hand)."""
    shapes = {
        "Spot": fields.TASK["Spot"].shape,
        "Service": fields.TASK["Service"].shape,
        "PortMappings": fields.TASK["PortMappings"].shape["items"],
    }
    expected = next(s["x-expected"] for s in shapes.values() if _takes(s, table))
    for name in table:
        assert name in expected, f"{name} missing from {expected!r}"


def _takes(shape, table):
    return any(set(b.get("properties", {})) == set(table) for b in shape.get("anyOf", []))


@pytest.mark.parametrize(
    "table, record",
    [
        (fields.SPOT, model.Spot),
        (fields.SERVICE, model.ServiceConfig),
        (fields.SCHEDULE, model.ScheduleConfig),
        (fields.NETWORK, model.Network),
    ],
)
def test_sub_tables_and_model_records_have_the_same_fields(table, record):
    assert {fields.attribute(f) for f in table.values()} == set(_record_fields(record))


def test_autoscaling_record_is_its_table_and_the_queue_table():
    names = {fields.attribute(f) for f in fields.AUTOSCALING.values()} - {"queue"}
    names |= {fields.attribute(f) for f in fields.QUEUE.values()}
    assert names == set(_record_fields(model.Autoscaling))


def test_every_task_row_is_a_model_field():
    task_fields = set(_record_fields(model.Task))
    for f in fields.TASK_FIELDS:
        assert fields.attribute(f) in task_fields, f.name


def test_model_records_carry_no_defaults_of_their_own():
    """A default written in the model would be a second place for it."""
    for record in (model.Task, model.Spot, model.ServiceConfig, model.ScheduleConfig,
                   model.Autoscaling, model.Network, model.Declaration):  # fmt: skip
        for name in _record_fields(record):
            assert name not in record.__dict__, f"{record.__name__}.{name} has a default"


def test_merge_step_answers_table_defaults():
    t = TaskInput("w", "W", "p", {}, {}, {}, "service", fields.defaults(fields.TASK))
    for f in fields.TASK_FIELDS:
        assert t.get(f.name) == (f.default if f.has_default else None)


def test_changing_a_table_default_changes_what_is_generated(monkeypatch):
    """SpotWeight's default reaches the strategy through the table alone."""
    spot = fields.SPOT["SpotWeight"]
    monkeypatch.setitem(fields.SPOT, "SpotWeight", spot._replace(default=3))
    strategy = expand(task(Spot=True))["Resources"]["WorkersWorkerService"]["Properties"][
        "CapacityProviderStrategy"
    ]
    assert {"CapacityProvider": "FARGATE_SPOT", "Weight": 3} in [
        {k: v for k, v in s.items() if k != "Base"} for s in strategy
    ]


# --- rules ------------------------------------------------------------------------------------


def test_rule_ids_are_unique_and_described():
    ids = [r.id for r in rules.RULES]
    assert len(ids) == len(set(ids))
    for r in rules.RULES:
        assert r.scope in ("task", "declaration", "resources")
        assert r.description and "\n" not in r.description


# Each rule, with a declaration that breaks it (beyond the catalogues below).
RULE_CASES = {
    "size.fargate": task(Cpu=256, Memory=4096),
    "image.reference": task(Image="MyOrg/App"),
    "kind.one": task(Service=True, Schedule="rate(1 day)"),
    "kind.defaults": declaration(
        {"Service": True, "Schedule": "rate(1 day)", "Tasks": {"w": {"Image": "x"}}}
    ),
    "kind.overrides": task(Service=False, Overrides={"Service": {"X": 1}}),
    "spot.kind": task(Service=False, Spot=True),
    "spot.weights": task(Spot={"SpotWeight": 0}),
    "service.deployment": task(Service={"MinimumHealthyPercent": 100, "MaximumPercent": 100}),
    "service.autoscaling": task(Service={"Autoscaling": {"MaxCount": 2}}),
    "cluster.insights": declaration(
        {
            "ContainerInsights": "disabled",
            "Tasks": {
                "w": {
                    "Image": "x",
                    "Service": {
                        "Autoscaling": {
                            "MaxCount": 2,
                            "Queue": {"Arn": "arn:aws:sqs:us-east-1:1:q"},
                        }
                    },
                }
            },
        }
    ),
    "cluster.existing": declaration(
        {"Cluster": "c", "ClusterName": "n", "Tasks": {"w": {"Image": "x"}}}
    ),
    "iam.policies-role": task(
        TaskRoleArn="arn:aws:iam::1:role/r", Policies=["arn:aws:iam::aws:policy/X"]
    ),
    "iam.declaration-policies": declaration(
        {
            "Policies": ["arn:aws:iam::aws:policy/X"],
            "Tasks": {"w": {"Image": "x", "TaskRoleArn": "arn:aws:iam::1:role/r"}},
        }
    ),
    "iam.statement": task(Policies=[{"Effect": "Allow", "Resource": "*"}]),
    "iam.boundary": declaration(
        {
            "Tasks": {
                "a": {"Image": "x", "PermissionsBoundary": "arn:aws:iam::1:policy/a"},
                "b": {"Image": "x", "PermissionsBoundary": "arn:aws:iam::1:policy/b"},
            }
        }
    ),
    "timeout.kind": task(Timeout="2h"),
    "spot.schedule-weights": task(Schedule="rate(1 day)", Spot={"SpotWeight": {"Ref": "W"}}),
    "timeout.range": task(Schedule="rate(1 day)", Timeout="30s"),
    "container.names": task(Sidecars=[{"Name": "worker", "Image": "x"}]),
    "container.ports": task(PortMappings=[80, 80]),
    "volume.access-point": task(
        Volumes={
            "v": {
                "FileSystemId": "fs-1",
                "AccessPointId": "fsap-1",
                "RootDirectory": "/x",
                "MountPath": "/d",
            }
        }
    ),
    "network.subnets": declaration({"Network": {"Subnets": []}, "Tasks": {"w": {"Image": "x"}}}),
    "image.required": declaration({"Tasks": {"w": {"Cpu": 256}}}),
    "image.function": task(Image={"Function": "Nope"}),
    "names.task-keys": declaration({"Tasks": {"a-b": {"Image": "x"}, "a_b": {"Image": "x"}}}),
    "names.logical-ids": declaration({"Tasks": {"w" * 240: {"Image": "x"}}}),
    "names.depends-on": task(DependsOn=["Nope"]),
    "schedule.expression": task(Schedule="every day"),
    "schedule.timezone": task(Schedule={"Expression": "rate(1 day)", "Timezone": "Mars/Base"}),
    "schedule.queue": task(
        Schedule={
            "Expression": "rate(1 day)",
            "DeadLetterQueueArn": "arn:aws:sqs:us-east-1:123456789012:failed.fifo",
        }
    ),
    "resources.task-definition": task(Overrides={"TaskDefinition": {"NetworkMode": "host"}}),
    "resources.service": task(Overrides={"Service": {"LaunchType": "EC2"}}),
    "overrides.owned": task(Overrides={"TaskDefinition": {"TaskRoleArn": "arn:aws:iam::1:role/r"}}),
    "overrides.decidable": task(
        Overrides={"Container": {"Fn::If": ["C", {"Privileged": True}, {}]}}
    ),
    "wildcards.grants": task(Secrets={"DB": "prod/*"}),
    "tags.globals": {
        "Globals": {"Function": {"Tags": {"serverless-fargate:managed": "x"}}},
        **declaration({"InheritGlobals": True, "Tasks": {"w": {"Image": "x"}}}),
    },
    "tags.overrides": task(Overrides={"Service": {"Tags": [{"Key": "aws:x", "Value": "1"}]}}),
    "events.pattern": task(
        Events={"E": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"Ref": "P"}}}}
    ),
    "callers.function": task(Callers=["Nope"]),
    "runs.once": task(Schedule={"Expression": "rate(1 day)", "Retries": 1}, Retries=2),
    "runs.kind": task(Retries=2),
    "runs.queue-key": task(
        Schedule="rate(1 day)",
        DeadLetterQueueKmsKeyArn="arn:aws:kms:us-east-1:123456789012:key/k-1",
    ),
}


def test_every_rule_has_a_case():
    assert set(RULE_CASES) | {"resources.logical-ids"} == {r.id for r in rules.RULES}


def test_generated_logical_ids_are_checked_after_building():
    """A safety net behind names.logical-ids, which refuses such names earlier."""
    found = list(
        rules.resources.logical_ids({"Ok1": {}, "Not-ok": {}, "X" * 256: {}}, None, "R.D.P")
    )
    assert len(found) == 2 and all("does not accept" in p.message for p in found)


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_each_rule_finds_its_case(rule_id, monkeypatch):
    """With the rule switched off the case's problem goes away: the rule is what finds it."""
    template = RULE_CASES[rule_id]
    found = problems(template)
    assert found
    others = [r for r in rules.RULES if r.id != rule_id]
    monkeypatch.setattr(rules, "RULES", others)
    try:
        without = problems(template)
    except BaseException:  # noqa: BLE001 - pytest.fail from `problems`: nothing left to find
        without = []
    assert set(found) - set(without), f"{rule_id} found nothing of its own in {found}"


def test_catalogues_do_not_overlap_names():
    names = [c[0] for c in INVALID_CASES] + [c[0] for c in HOSTILE_CASES]
    assert len(names) == len(set(names))


# --- decisive flags from parameter values ----------------------------------------------------

NET = {"Subnets": [SUBNET], "SecurityGroups": [GROUP]}


def _with_parameter(template, name="P"):
    template["Parameters"] = {name: {"Type": "String", "AllowedValues": ["true", "false"]}}
    return template


@pytest.mark.parametrize("value, twin", [("true", True), ("false", False)])
def test_fallback_from_a_parameter(value, twin):
    result = expand(_with_parameter(task(Spot={"Fallback": {"Ref": "P"}})), {"P": value})
    assert ("WorkersWorkerFallbackService" in result["Resources"]) is twin


@pytest.mark.parametrize("value, on", [("true", True), ("false", False)])
def test_execute_command_from_a_parameter_brings_its_permissions(value, on):
    result = expand(
        _with_parameter(task(Service={"EnableExecuteCommand": {"Ref": "P"}})), {"P": value}
    )
    service = result["Resources"]["WorkersWorkerService"]["Properties"]
    assert service["EnableExecuteCommand"] is on
    role = str(result["Resources"]["WorkersWorkerTaskRole"])
    assert ("ssmmessages:CreateControlChannel" in role) is on


@pytest.mark.parametrize("value, outputs", [("true", True), ("false", False)])
def test_outputs_from_a_parameter(value, outputs):
    template = _with_parameter(
        declaration({"Outputs": {"Ref": "P"}, "Network": NET, "Tasks": {"w": {"Image": "x"}}})
    )
    assert ("Outputs" in expand(template, {"P": value})) is outputs


@pytest.mark.parametrize("value, rerun", [("true", True), ("false", False)])
def test_rerun_from_a_parameter(value, rerun):
    result = expand(
        _with_parameter(
            task(
                Spot={"Fallback": False, "RerunOnInterruption": {"Ref": "P"}},
                Schedule="rate(1 day)",
            )
        ),
        {"P": value},
    )
    definition = result["Resources"]["WorkersWorkerWorkflow"]["Properties"]["Definition"]
    assert task_settings(definition)["worker"]["rerunOnInterruption"] is rerun


@pytest.mark.parametrize("value, write", [("true", False), ("false", True)])
def test_volume_read_only_from_a_parameter_decides_client_write(value, write):
    volume = {"FileSystemId": "fs-1", "MountPath": "/d", "ReadOnly": {"Ref": "P"}}
    result = expand(_with_parameter(task(Volumes={"v": volume})), {"P": value})
    assert (
        "elasticfilesystem:ClientWrite" in str(result["Resources"]["WorkersWorkerTaskRole"])
    ) is write


@pytest.mark.parametrize("value, inherited", [("true", True), ("false", False)])
def test_inherit_globals_from_a_parameter(value, inherited):
    template = _with_parameter(
        declaration(
            {"InheritGlobals": {"Ref": "P"}, "Network": NET, "Tasks": {"w": {"Image": "x"}}}
        )
    )
    template["Globals"] = {"Function": {"Environment": {"Variables": {"STAGE": "prod"}}}}
    container = expand(template, {"P": value})["Resources"]["WorkersWTaskDefinition"]["Properties"][
        "ContainerDefinitions"
    ][0]
    assert ("Environment" in container) is inherited

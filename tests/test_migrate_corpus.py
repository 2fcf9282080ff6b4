"""Real public serverless.yml files (tests/migrations/corpus, sources in SOURCES.md there): each
is packaged by the pinned framework and plugin, and migrated both ways; every task the plugin
deploys keeps its meaning in both targets' output, and every difference is one the migration
notes. Packaging is offline, so the test (never the file) adapts what needs the network or a
sibling file (ADAPTATIONS)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, lint
from serverless_fargate import cfn_yaml
from serverless_fargate.migrate import migrate, run, to_serverless
from serverless_fargate.transform import expand_template
from test_parity import STAGE, documented, plugin_tasks, plugin_template, tasks_of

# End to end (the Serverless Framework or a simulated stack): `make check` leaves it out.
pytestmark = pytest.mark.slow

CORPUS = sorted((ROOT / "tests" / "migrations" / "corpus").glob("*.yml"))
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
# What the file needs to be a whole service for the pinned plugin: a fragment's service and
# plugin, the plugin by name where the file names its local path.
ADAPTATIONS = {
    "eddmann-example": {"plugins": ["serverless-fargate"]},
    "eddmann-readme": {"service": "readme", "plugins": ["serverless-fargate"]},
}
# For ${file(./vpc.yml)}.
VPC_FILE = {"subnetIds": ["subnet-0123456789abcdef0"], "securityGroupIds": ["sg-0123456789abcdef0"]}


def image_uri(name: str) -> str:
    return f"{REGISTRY}/{name}@sha256:" + (f"{sum(map(ord, name)):x}" * 64)[:64]


def adapted(config: Path) -> dict:
    service = {**cfn_yaml.load(config.read_text()), **ADAPTATIONS.get(config.stem, {})}
    service["provider"] = {"name": "aws", **(service.get("provider") or {})}
    if "functions" in service and not service["functions"]:
        del service["functions"]  # `functions:` with nothing: the framework wants a map
    return service


def pinned(service: dict, monkeypatch) -> dict:
    """Packaging offline: each image built from a Dockerfile gets a digest-pinned URI instead
    (no Docker here), also where the migrated file reads it from the environment."""
    images = (service["provider"].get("ecr") or {}).get("images") or {}
    for name in images:
        monkeypatch.setenv(
            re.sub(r"[^A-Za-z0-9]+", "_", name).upper() + "_IMAGE_URI", image_uri(name)
        )
    ecr = {"images": {name: {"uri": image_uri(name)} for name in images}}
    return {**service, "provider": {**service["provider"], "ecr": ecr}}


def packaged(config: dict, name: str, tmp_path, home) -> dict:
    source = tmp_path / f"{name}.yml"
    source.write_text(json.dumps(config))
    return plugin_template(source, tmp_path, home, {"vpc.yml": yaml.safe_dump(VPC_FILE)})


def parameters(template: dict) -> dict[str, str]:
    """The migration's parameters as the deploy fills them: each image's pushed URI."""
    values = {"Stage": STAGE}
    for name, spec in (template.get("Parameters") or {}).items():
        image = re.match(r"Image '([^']+)'", spec.get("Description", ""))
        if image:
            values[name] = image_uri(image.group(1))
    return values


@pytest.mark.parametrize("config", CORPUS, ids=[c.stem for c in CORPUS])
def test_each_real_config_keeps_every_tasks_meaning_or_notes_its_change(
    config, tmp_path, node_home, monkeypatch
):
    service = adapted(config)
    plugin = packaged(pinned(service, monkeypatch), "plugin", tmp_path, node_home)
    theirs = plugin_tasks(plugin)

    template, notes = migrate(service)  # --to sam
    result = expand_template(template, parameters=parameters(template))
    # Only the files' own placeholders (sg-1234, an account of 6 digits) may trouble cfn-lint.
    problems = lint({k: v for k, v in result.items() if k != "Transform"})
    placeholder = re.compile(r"^E\d+ '([^']+)' (is not|does not match)")
    assert [
        p
        for p in problems
        if not ((m := placeholder.match(p)) and m.group(1) in config.read_text())
    ] == []
    keys = template["Resources"]["FargateTasks"]["Properties"]["Tasks"]
    ours = tasks_of(result["Resources"], keys, parameters(template))
    assert_plan(run(json.dumps(service), "serverless.yml", "sam").plan, plugin, result)
    assert ours == changed(documented(theirs, notes), ours, notes, service)

    text, notes = to_serverless(json.dumps(service))  # --to serverless, packaged by the framework
    framework = packaged(pinned(cfn_yaml.load(text), monkeypatch), "framework", tmp_path, node_home)
    declared = framework["Resources"]["FargateTasks"]["Properties"]["Tasks"]
    by_framework = tasks_of(expand_template(framework)["Resources"], declared, {})
    assert by_framework == changed(documented(theirs, notes), by_framework, notes, service)


def changed(theirs: dict, ours: dict, notes: list[str], original: dict) -> dict:
    """The plugin's tasks with each change the migration notes applied: what ours must be."""
    said = "\n".join(notes)
    if not theirs:
        # custom.fargate: plugin 1.1.0 deployed none of these tasks; the migration says so.
        assert "custom.fargate: plugin 1.1.0 reads only a top-level fargate: block" in said
        return ours
    vpc = (original.get("fargate") or {}).get("vpc") or {}
    expected = {}
    for key, task in theirs.items():
        task = dict(task)
        for old, field in (("subnets", "subnets"), ("securityGroups", "securityGroups")):
            if old in vpc and not task[field]:  # 1.1.0 read neither key: ECS would refuse it
                assert f"fargate.vpc.{old}: plugin 1.1.0 reads only" in said
                task[field] = vpc[old] if isinstance(vpc[old], list) else [vpc[old]]
        expected[key] = task
    return expected


def assert_plan(plan: list, plugin: dict, ours: dict) -> None:
    """The plan names every resource and exported output of the plugin's stack (the functions'
    own resources as one row), and what it keeps or replaces them by is in our template."""
    planned = {logical_id: (action, detail) for action, logical_id, detail in plan}
    functions = "(the functions' other resources)" in planned
    if "create" in {action for action, _ in planned.values()}:  # the plugin made nothing
        assert not any(k.startswith(("FargateTasks", "FargateIam")) for k in plugin["Resources"])
    for logical_id, resource in plugin["Resources"].items():
        if logical_id not in planned:
            assert functions and not resource["Type"].startswith(("AWS::ECS::", "AWS::Events::"))
            continue
        action, detail = planned[logical_id]
        if action == "keep":
            assert ours["Resources"][logical_id]["Type"] == resource["Type"]
        for successor in re.findall(r"\bFargateTasks[A-Za-z0-9]+", detail):
            assert successor in ours["Resources"], (logical_id, successor)
    for output in plugin.get("Outputs", {}):
        if output.endswith(("TaskArn", "ServiceArn")):
            assert planned[f"Outputs.{output}"][0] == "delete"

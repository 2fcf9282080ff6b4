"""Real public serverless.yml files (tests/migrations/corpus, sources in SOURCES.md there): each
is packaged by the pinned framework and plugin, and migrated both ways; every task the plugin
deploys keeps its meaning in both targets' output, and every difference is one the migration
notes. Packaging is offline, so the test (never the file) adapts what needs the network or a
sibling file (ADAPTATIONS)."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import ROOT, lint
from serverless_fargate import cfn_yaml
from serverless_fargate.migrate import migrate, to_serverless
from serverless_fargate.transform import expand_template
from test_parity import STAGE, documented, plugin_tasks, plugin_template, tasks_of

CORPUS = sorted((ROOT / "tests" / "migrations" / "corpus").glob("*.yml"))
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
# What packaging offline needs beyond the file: a fragment's missing service, the plugin in
# place of a local path, a vpc.yml for ${file(./vpc.yml)}.
ADAPTATIONS = {
    "eddmann-example": {"plugins": ["serverless-fargate"]},
    "eddmann-readme": {"service": "readme", "plugins": ["serverless-fargate"]},
}
VPC_FILE = {"subnetIds": ["subnet-0123456789abcdef0"], "securityGroupIds": ["sg-0123456789abcdef0"]}


def image_uri(name: str) -> str:
    return f"{REGISTRY}/{name}@sha256:" + (f"{sum(map(ord, name)):x}" * 64)[:64]


def packageable(config: dict, stem: str) -> dict:
    """The file as the framework can package it offline: images built from a Dockerfile are
    given a digest-pinned URI (no Docker here), and the ADAPTATIONS."""
    config = {**config, **ADAPTATIONS.get(stem, {})}
    provider = dict(config.get("provider") or {})
    provider.setdefault("name", "aws")
    images = (provider.get("ecr") or {}).get("images") or {}
    provider["ecr"] = {"images": {name: {"uri": image_uri(name)} for name in images}}
    config["provider"] = provider
    if "functions" in config and not config["functions"]:
        del config["functions"]
    return config


def packaged(config: dict, name: str, tmp_path) -> dict:
    source = tmp_path / f"{name}.yml"
    source.write_text(json.dumps(config))
    return plugin_template(source, tmp_path, {"vpc.yml": yaml.safe_dump(VPC_FILE)})


def parameters(template: dict) -> dict[str, str]:
    """The migration's parameters as the deploy fills them: each image's pushed URI."""
    values = {"Stage": STAGE}
    for name, spec in (template.get("Parameters") or {}).items():
        image = re.match(r"Image '([^']+)'", spec.get("Description", ""))
        if image:
            values[name] = image_uri(image.group(1))
    return values


@pytest.mark.parametrize("config", CORPUS, ids=[c.stem for c in CORPUS])
def test_each_real_config_keeps_every_tasks_meaning_or_notes_its_change(config, tmp_path):
    original = cfn_yaml.load(config.read_text())
    plugin = packaged(packageable(original, config.stem), "plugin", tmp_path)
    template, notes = migrate(original)
    theirs = documented(plugin_tasks(plugin), notes)

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

    text, framework_notes = to_serverless(json.dumps(packageable(original, config.stem)))
    framework = packaged(cfn_yaml.load(text), "framework", tmp_path)
    expanded = expand_template(framework)
    declared = framework["Resources"]["FargateTasks"]["Properties"]["Tasks"]
    by_framework = tasks_of(expanded["Resources"], declared, {})

    expected = changed(theirs, ours, notes, original)
    assert ours == expected, "sam"
    assert by_framework == changed(theirs, by_framework, framework_notes, original), "serverless"


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

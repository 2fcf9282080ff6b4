"""cfn-lint, run through its own command line with the `.cfnlintrc` that `lint-setup` prints,
understands raw templates: examples pass, every invalid case is reported at its line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, task
from serverless_fargate import cfn_yaml
from serverless_fargate.cli import main
from serverless_fargate.lint.rule import split_path
from test_invalid import CASES

# cfn-lint, as a user runs it, over every example and invalid case.
pytestmark = pytest.mark.slow

CFN_LINT = str(Path(sys.executable).with_name("cfn-lint"))


@pytest.fixture(scope="module")
def rc(tmp_path_factory):
    path = tmp_path_factory.mktemp("lint") / ".cfnlintrc"
    assert main(["lint-setup", "--output", str(path)]) == 0
    return path


def cfn_lint(rc: Path, *files: Path) -> tuple[int, list[dict]]:
    result = subprocess.run(
        [CFN_LINT, "--config-file", str(rc), "--format", "json", "--", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 2, 4, 6, 8, 10, 12, 14), result.stderr
    return result.returncode, json.loads(result.stdout or "[]")


def line_of(text: str, path: list) -> int:
    """The line cfn-lint points at: the deepest key of `path` present in the YAML."""
    node = yaml.compose(text)
    line = 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if k.value == part]
            if not found:
                break
            key, node = found[0]
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            if isinstance(node, yaml.ScalarNode):
                line = node.start_mark.line + 1  # a map item is placed by its keys
        else:
            break
    return line


def test_lint_setup_names_the_installed_schema_and_rules(rc):
    settings = yaml.safe_load(rc.read_text())
    (schemas,) = settings["registry_schemas"]
    (rules,) = settings["append_rules"]
    assert json.loads((Path(schemas) / "fargate-tasks.json").read_text())["typeName"] == (
        "Fargate::Tasks"
    )
    assert (Path(rules) / "serverless_fargate_rules.py").is_file()


def test_without_the_settings_cfn_lint_does_not_know_the_type(rc):
    result = subprocess.run(
        [CFN_LINT, "--", str(EXAMPLES / "standalone.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "E3006" in result.stdout


def test_every_example_passes_plain_cfn_lint_with_the_settings(rc):
    code, found = cfn_lint(rc, *sorted(EXAMPLES.glob("*.yaml")))
    assert (code, found) == (0, [])


def test_every_invalid_case_is_reported_at_its_line_with_validates_message(rc, tmp_path):
    files = {}
    for name, template, expected in CASES:
        template = {
            "Transform": "ServerlessFargate",
            # The catalogue validates with Size=1024; a template carries it as a default.
            "Parameters": {"Size": {"Type": "String", "Default": "1024"}},
            **template,
        }
        path = tmp_path / (name.replace(" ", "-").replace("/", "-") + ".yaml")
        text = cfn_yaml.dump(template)
        path.write_text(text)
        files[str(path)] = (name, text, expected)
    _, found = cfn_lint(rc, *map(Path, files))
    by_file: dict[str, list[dict]] = {}
    for match in found:
        if match["Rule"]["Id"] == "E9100":
            by_file.setdefault(match["Filename"], []).append(match)
    for filename, (name, text, expected) in files.items():
        reported = by_file.get(filename, [])
        for problem_path, words in expected:
            line = line_of(text, split_path(problem_path, cfn_yaml.load(text)))
            hits = [
                m
                for m in reported
                if m["Message"].startswith(problem_path + ": ") and words in m["Message"]
            ]
            assert hits, f"{name}: no E9100 for {problem_path} ({words!r}) in {reported}"
            assert hits[0]["Location"]["Start"]["LineNumber"] == line, (name, hits[0])


def test_what_a_declaration_expands_to_is_linted_at_the_declaration(rc, tmp_path):
    template = {
        "Transform": "ServerlessFargate",
        **task(Overrides={"Service": {"DeploymentConfiguration": {"MaximumPercent": "lots"}}}),
    }
    path = tmp_path / "overrides.yaml"
    text = cfn_yaml.dump(template)
    path.write_text(text)
    _, found = cfn_lint(rc, path)
    (match,) = [m for m in found if m["Rule"]["Id"] == "E9101" and "E3012" in m["Message"]]
    assert match["Message"].startswith("WorkersWorkerService (generated): E3012 'lots'")
    assert match["Location"]["Start"]["LineNumber"] == line_of(text, ["Resources", "Workers"])


def test_split_path_follows_keys_with_dots_and_stops_at_missing_ones():
    template = {
        "Resources": {
            "W": {"Properties": {"Tags": {"app.io/name": "x"}, "Sidecars": [{"Name": "a"}]}}
        }
    }
    assert split_path("Resources.W.Properties.Tags.app.io/name", template) == [
        "Resources",
        "W",
        "Properties",
        "Tags",
        "app.io/name",
    ]
    # A missing key in a list item: the item's first key, so the line is the item's.
    assert split_path("Resources.W.Properties.Sidecars[0].Image.Tag", template) == [
        "Resources",
        "W",
        "Properties",
        "Sidecars",
        0,
        "Name",
    ]
    assert split_path("Resources.W.Properties.Image", template)[-1] == "Image"

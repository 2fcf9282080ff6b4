"""`plan --format mermaid`: every resource of every example drawn, grouped by declaration, the
edges that matter labelled, and the output inside the Mermaid subset our grammar check accepts
(and that check refusing what Mermaid would not take)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from mermaid_grammar import problems
from serverless_fargate import cfn_yaml
from serverless_fargate.cli import main
from serverless_fargate.diagram import mermaid
from serverless_fargate.transform import expand_template

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def _drawn(path):
    template = cfn_yaml.load(path.read_text())
    processed = expand_template(template)
    return processed, mermaid(processed, template["Resources"])


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_resource_of_every_example_is_drawn_and_the_chart_parses(path):
    processed, text = _drawn(path)
    assert problems(text) == []
    for logical_id, resource in processed["Resources"].items():
        assert f"r_{logical_id}[" in text or f"r_{logical_id}(" in text, logical_id
        assert resource["Type"] in text


def test_the_nightly_job_is_drawn_as_it_connects():
    _, text = _drawn(EXAMPLES / "nightly-job.yaml")
    for edge in (
        "r_BatchNightlyReportSchedule -->|starts| r_BatchNightlyReportWorkflow",
        "r_BatchNightlyReportSchedule -->|assumes| r_BatchScheduleRole",
        "r_BatchNightlyReportSchedule -->|failures to| r_FailedRuns",
        "r_BatchNightlyReportWorkflow -->|runs| r_BatchNightlyReportTaskDefinition",
        "r_BatchNightlyReportWorkflow -->|assumes| r_BatchWorkflowRole",
        "r_BatchWorkflowRole -->|may pass| r_BatchNightlyReportTaskRole",
        "r_BatchWorkflowRole -->|may pass| r_BatchExecutionRole",
        "r_BatchNightlyReportTaskDefinition -->|task role| r_BatchNightlyReportTaskRole",
        "r_BatchNightlyReportTaskDefinition -->|logs to| r_BatchLogGroup",
    ):
        assert edge in text, edge
    # The declaration's resources in its subgraph; the template's own outside it.
    inside = text.split('subgraph d_Batch["Batch (Fargate::Tasks)"]')[1].split("\n    end")[0]
    assert "r_BatchNightlyReportWorkflow[" in inside and "r_FailedRuns" not in inside
    assert 'r_FailedRuns[("FailedRuns<br/>AWS::SQS::Queue")]' in text


def test_a_spot_service_points_at_its_twin():
    _, text = _drawn(EXAMPLES / "multi-task.yaml")
    assert "r_ShopEventRelayService -->|falls back to| r_ShopEventRelayFallbackService" in text
    assert "r_ShopOrdersApiService -->|runs| r_ShopOrdersApiTaskDefinition" in text


def test_the_drawing_follows_references_not_names():
    """Another name, another shape of IDs: drawn the same way."""
    processed, _ = _drawn(EXAMPLES / "nightly-job.yaml")
    renamed = json.loads(
        json.dumps(processed).replace('"BatchNightlyReportWorkflow"', '"BatchNightlyFlow"')
    )
    template = cfn_yaml.load((EXAMPLES / "nightly-job.yaml").read_text())
    text = mermaid(renamed, template["Resources"])
    assert "r_BatchNightlyReportSchedule -->|starts| r_BatchNightlyFlow" in text
    assert "r_BatchNightlyFlow -->|runs| r_BatchNightlyReportTaskDefinition" in text
    assert problems(text) == []


def test_twenty_tasks_stay_in_one_group_each(tmp_path):
    tasks = "\n".join(f"        t{i}: {{Image: x/y:1, Schedule: rate(1 hour)}}" for i in range(20))
    template = cfn_yaml.load(
        "Transform: ServerlessFargate\nResources:\n"
        "  A:\n    Type: Fargate::Tasks\n    Properties:\n"
        "      Network: {Subnets: [subnet-0123456789abcdef0]}\n      Tasks:\n" + tasks + "\n"
        "  AB:\n    Type: Fargate::Tasks\n    Properties:\n"
        "      Network: {Subnets: [subnet-0123456789abcdef0]}\n"
        "      Tasks: {t: {Image: x/y:1}}\n"
    )
    processed = expand_template(template)
    text = mermaid(processed, template["Resources"])
    assert problems(text) == []
    assert text.count("subgraph ") == 2
    group_a = text.split('subgraph d_A["A (Fargate::Tasks)"]')[1].split("\n    end")[0]
    group_ab = text.split('subgraph d_AB["AB (Fargate::Tasks)"]')[1].split("\n    end")[0]
    assert group_a.count("TaskDefinition<br/>") == 20 and "r_ABTTaskDefinition" not in group_a
    assert "r_ABTTaskDefinition[" in group_ab


def test_plan_format_mermaid_prints_the_chart(capsys):
    assert main(["plan", str(EXAMPLES / "standalone.yaml"), "--format", "mermaid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart LR\n") and problems(out) == []


VALID = 'flowchart LR\n    subgraph d_A["A"]\n        r_X["X<br/>T"]\n    end\n    r_Y("Y")\n    r_X -->|runs| r_Y\n'


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (VALID.replace("flowchart LR", "graph TD"), "line 1"),
        (VALID.replace("    end\n", ""), "has no 'end'"),
        (VALID + "    end\n", "'end' without a subgraph"),
        (VALID.replace("-->|runs| r_Y", "-->|runs| r_Z"), "r_Z is not a declared node"),
        (VALID.replace('r_Y("Y")', 'r_Y("Y "quoted"")'), "not a node"),
        (VALID.replace("|runs|", "|a|b|"), "not a node"),
        (VALID.replace('r_Y("Y")', 'end("Y")'), "keyword"),
        (VALID.replace('r_Y("Y")', 'r_X("Y")'), "declared twice"),
        (VALID.replace('r_Y("Y")', 'r_Y["Y<script>"]'), "not a node"),
        (VALID.replace('r_Y("Y")', 'click("Y")'), "keyword"),
        (VALID.replace("    r_X -->", "    r_X --> "), "not a node"),
        (VALID.replace('subgraph d_A["A"]', 'subgraph d_A["A"]\n    subgraph d_B["B"]'), "inside"),
    ],
)
def test_the_grammar_check_refuses_what_is_outside_the_subset(text, says):
    assert problems(VALID) == []
    assert any(says in p for p in problems(text)), problems(text)


def test_the_readme_shows_a_chart_that_parses():
    text = (ROOT / "README.md").read_text()
    chart = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert "r_BatchNightlyReportWorkflow" in chart and problems(chart) == []


MERMAID = ROOT / "tests" / "mermaid"


def test_mermaid_itself_parses_every_example_chart_and_refuses_a_broken_one(tmp_path):
    """Mermaid (pinned in tests/mermaid, installed by `make test`) parses what we draw; a
    broken chart beside them shows the check can fail."""
    assert (MERMAID / "node_modules" / "mermaid").exists(), (
        "tests/mermaid/node_modules is missing: run `make test`"
    )
    files = []
    for path in EXAMPLE_FILES:
        chart = tmp_path / f"{path.stem}.mmd"
        chart.write_text(_drawn(path)[1])
        files.append(chart)
    broken = tmp_path / "broken.mmd"
    broken.write_text(VALID.replace("    end\n", ""))  # a subgraph never closed
    result = subprocess.run(
        ["node", str(MERMAID / "check.mjs"), *map(str, [*files, broken])],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = {Path(r["file"]).stem: r for r in map(json.loads, result.stdout.splitlines())}
    for path in EXAMPLE_FILES:
        assert found[path.stem]["ok"] and found[path.stem]["type"].startswith("flowchart"), found
    assert not found["broken"]["ok"]

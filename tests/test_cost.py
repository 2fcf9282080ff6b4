"""`plan`'s cost estimate: hand computations of the examples (the same figures as
docs/cost.md), runs a month from each kind of expression, and what cannot be known said."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES, ROOT
from serverless_fargate import cfn_yaml
from serverless_fargate.cli import main
from serverless_fargate.cost import (
    UnknownRegion,
    estimate,
    load_prices,
    render,
    runs_per_month,
)
from serverless_fargate.transform import expand_template

PRICES = load_prices()
US = PRICES["regions"]["us-east-1"]


def _expanded(name: str) -> dict:
    return expand_template(cfn_yaml.load((EXAMPLES / name).read_text()))


def _task(cost: dict, name: str) -> dict:
    [found] = [t for t in cost["tasks"] if t["task"] == name]
    return found


def test_nightly_report_costs_what_the_hand_computation_says():
    # docs/cost.md, "A worked example": 1 vCPU, 4 GB, 50 GB storage (30 GB beyond the 20
    # included), at most 2 h a run (its Timeout), cron(30 2 * * ? *): 365 runs a year.
    x86 = 1 * 0.04048 + 4 * 0.004445 + 30 * 0.000111  # 0.061590 an hour
    arm = 1 * 0.03238 + 4 * 0.00356 + 30 * 0.000111  # 0.049950 an hour
    runs = 365 / 12  # 30.4167 a month
    cost = estimate(_expanded("nightly-job.yaml"), PRICES, "us-east-1")
    task = _task(cost, "nightly_report")
    assert task["runs_per_month"] == pytest.approx(runs, abs=1e-4)
    assert task["per_run"]["X86_64"]["on_demand"] == pytest.approx(2 * x86, abs=1e-4)  # 0.1232
    assert task["per_run"]["ARM64"]["on_demand"] == pytest.approx(2 * arm, abs=1e-4)  # 0.0999
    assert task["per_month"]["X86_64"]["on_demand"] == pytest.approx(2 * x86 * runs, abs=1e-3)
    assert task["per_month"]["ARM64"]["on_demand"] == pytest.approx(2 * arm * runs, abs=1e-3)
    # Spot: AWS's "up to 70% off" as the lowest figure; Fargate Spot runs no ARM64 task.
    assert task["per_month"]["X86_64"]["spot_from"] == pytest.approx(0.3 * 2 * x86 * runs, abs=1e-3)
    assert task["per_month"]["ARM64"]["spot_from"] is None
    extras = task["extras_per_month"]
    assert extras["step_functions"] == pytest.approx(runs * 20 / 1000 * 0.025, abs=1e-4)
    assert extras["scheduler"] == pytest.approx(runs / 1e6 * 1.0, abs=1e-6)
    assert extras["logs"] == pytest.approx(runs * 2 * 10 / 1024 * 0.5, abs=1e-4)
    assert cost["total_per_month"]["X86_64"] == {"on_demand": 3.75, "spot_from": 1.12}


def test_services_cost_their_desired_count_around_the_clock():
    cost = estimate(_expanded("multi-task.yaml"), PRICES, "us-east-1")
    api = _task(cost, "orders-api")  # 2 tasks of 0.5 vCPU, 1 GB
    assert api["per_month"]["X86_64"]["on_demand"] == pytest.approx(
        2 * 730 * (0.5 * 0.04048 + 1 * 0.004445), abs=1e-3
    )  # 36.04
    relay = _task(cost, "event-relay")  # 1 task on Spot; its on-demand twin runs only as needed
    assert relay["per_month"]["X86_64"]["on_demand"] == pytest.approx(
        730 * (0.5 * 0.04048 + 0.004445), abs=1e-3
    )
    assert "lacks Spot capacity" in relay["runs"]


def test_a_run_without_timeout_is_priced_only_when_its_length_is_given():
    from serverless_fargate.cost import Assumptions

    expanded = _expanded("multi-task.yaml")
    sync = _task(estimate(expanded, PRICES, "us-east-1"), "inventory-sync")
    assert sync["per_run"]["X86_64"]["on_demand"] is None
    assert "give --run-minutes" in sync["run_length"]
    given = estimate(expanded, PRICES, "us-east-1", assumptions=Assumptions(run_minutes=3))
    sync = _task(given, "inventory-sync")
    hourly = 0.04048 + 2 * 0.004445
    assert sync["per_run"]["X86_64"]["on_demand"] == pytest.approx(hourly * 3 / 60, abs=1e-4)
    assert sync["per_month"]["X86_64"]["on_demand"] == pytest.approx(
        2920 * hourly * 3 / 60, abs=1e-3
    )
    # Fargate bills at least a minute: a 10-second run costs one minute.
    short = estimate(expanded, PRICES, "us-east-1", assumptions=Assumptions(run_minutes=1 / 6))
    assert _task(short, "inventory-sync")["per_run"]["X86_64"]["on_demand"] == pytest.approx(
        hourly / 60, abs=1e-5
    )


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("rate(15 minutes)", 2920),
        ("rate(1 day)", 730 / 24),
        ("cron(30 2 * * ? *)", 365 / 12),
        ("cron(0 9 ? * MON-FRI *)", 261 / 12),  # 2027 has 261 weekdays
        ("cron(0/30 8-17 ? * MON-FRI *)", 261 * 20 / 12),
        ("cron(0 0 1 * ? *)", 1),
        ("cron(0 0 1 1 ? 2026)", 0),  # not in the counting year
    ],
)
def test_runs_a_month_from_the_expression(expression, runs):
    found, how = runs_per_month(expression, 730)
    assert found == pytest.approx(runs, rel=1e-9), how


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("at(2027-01-01T00:00:00)", "once"),
        ("cron(0 0 L * ? *)", "not counted"),
        ("cron(0 0 ? * 6#3 *)", "not counted"),
        ("every day", "not a rate(), cron() or at() expression"),
    ],
)
def test_runs_that_cannot_be_counted_are_said(expression, says):
    found, how = runs_per_month(expression, 730)
    assert found is None and says in how


def test_an_unknown_region_lists_the_known_ones(capsys):
    with pytest.raises(UnknownRegion, match="known regions: ap-northeast-1, eu-central-1"):
        estimate(_expanded("nightly-job.yaml"), PRICES, "mars-1")
    assert main(["plan", str(EXAMPLES / "nightly-job.yaml"), "--region", "mars-1"]) == 2
    assert "us-east-1" in capsys.readouterr().err


def test_the_region_defaults_to_the_aws_cli_one(monkeypatch, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert main(["plan", str(EXAMPLES / "nightly-job.yaml"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["cost"]["region"] == "eu-central-1"


def test_every_region_prices_every_figure_with_its_source():
    assert PRICES["date"] and set(PRICES["sources"]) >= {
        "fargate",
        "stepfunctions",
        "scheduler",
        "logs",
    }
    assert len(PRICES["regions"]) >= 5
    for region, rates in PRICES["regions"].items():
        for arch in ("X86_64", "ARM64"):
            assert rates["fargate"][arch]["vcpu_hour"] > rates["fargate"][arch]["gb_hour"] > 0
        assert rates["fargate"]["ARM64"]["vcpu_hour"] < rates["fargate"]["X86_64"]["vcpu_hour"]
        for key in (
            "stepfunctions_per_1000_transitions",
            "scheduler_per_million",
            "logs_ingestion_per_gb",
        ):
            assert rates[key] > 0, (region, key)
        assert rates["checked"], region


def test_plan_shows_the_estimate_and_what_is_left_out(capsys):
    assert main(["plan", str(EXAMPLES / "nightly-job.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Batch.nightly_report" in out and "prices of 2026-12-03" in out
    assert "X86_64" in out and "ARM64" in out and "up to 70% off" in out
    assert "$3.75 / $1.12" in out  # on-demand / Spot from, X86_64, a month
    assert "Left out: data transfer" in out and "NAT" in out and "ECR" in out


def test_plan_json_has_the_resources_and_the_cost(capsys):
    assert main(["plan", str(EXAMPLES / "multi-task.yaml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["logical_id"] for r in data["resources"]} >= {
        "ShopInventorySyncWorkflow",
        "ShopCluster",
    }
    assert data["cost"]["sources"]["fargate"].startswith("https://aws.amazon.com/fargate/pricing/")
    assert data["cost"]["not_in_totals"] == ["ShopInventorySyncTaskDefinition"]


def test_a_parameter_fed_size_is_priced_by_its_value_and_an_unknown_one_is_said(tmp_path, capsys):
    text = (
        "Transform: ServerlessFargate\n"
        "Parameters:\n  Size: {Type: String, Default: '1024'}\n"
        "Resources:\n  W:\n    Type: Fargate::Tasks\n    Properties:\n"
        "      Network: {Subnets: [subnet-0123456789abcdef0]}\n"
        "      Tasks: {w: {Image: x/y:1, Cpu: !Ref Size, Memory: 4096}}\n"
    )
    path = tmp_path / "t.yaml"
    path.write_text(text)
    assert main(["plan", str(path), "--format", "json", "--parameter", "Size=2048"]) == 0
    [task] = json.loads(capsys.readouterr().out)["cost"]["tasks"]
    assert task["vcpu"] == 2
    processed = expand_template(cfn_yaml.load(text))
    [task] = estimate(processed, PRICES, "us-east-1")["tasks"]
    assert task["vcpu"] is None and task["notes"] == [
        "Cpu comes from !Ref Size: unknown before deploy"
    ]


def test_the_estimate_reads_the_template_not_logical_id_patterns():
    """Rename every generated resource: same figures."""
    expanded = _expanded("nightly-job.yaml")
    text = json.dumps(expanded)
    for old, new in [
        ("BatchNightlyReportWorkflow", "BatchNightlyFlow"),
        ("BatchNightlyReportSchedule", "BatchRunsAtNight"),
        ("BatchNightlyReportTaskDefinition", "BatchTD1"),
    ]:
        text = text.replace(f'"{old}"', f'"{new}"').replace("${" + old + "}", "${" + new + "}")
    renamed = json.loads(text)
    before = estimate(expanded, PRICES, "us-east-1")
    after = estimate(renamed, PRICES, "us-east-1")
    assert after["total_per_month"] == before["total_per_month"]
    assert (
        _task(after, "nightly_report")["extras_per_month"]
        == _task(before, "nightly_report")["extras_per_month"]
    )


def test_docs_show_the_worked_example_and_the_formula():
    text = (ROOT / "docs" / "cost.md").read_text()
    cost = estimate(_expanded("nightly-job.yaml"), PRICES, "us-east-1")
    task = _task(cost, "nightly_report")
    for figure in ("0.061590", "0.1232", "30.4167", "3.75", "1.12", "3.04"):
        assert figure in text, figure
    assert f"{task['per_run']['X86_64']['on_demand']:.4f}" in text
    assert "render" and "Left out" in render(cost)


def test_a_standalone_task_is_priced_per_run_by_its_timeout_and_left_out_of_the_month():
    cost = estimate(_expanded("operations.yaml"), PRICES, "us-east-1")
    migrate = _task(cost, "migrate")  # 0.25 vCPU, 0.5 GB, Timeout: 15m
    assert "900 s" in migrate["run_length"]
    assert migrate["per_run"]["X86_64"]["on_demand"] == pytest.approx(
        0.25 * (0.25 * 0.04048 + 0.5 * 0.004445), abs=1e-6
    )
    assert migrate["per_month"]["X86_64"]["on_demand"] is None
    assert "AppMigrateTaskDefinition" in cost["not_in_totals"]


def test_an_autoscaled_service_counts_its_minimum_and_shows_its_maximum():
    cost = estimate(_expanded("production-services.yaml"), PRICES, "us-east-1")
    web = _task(cost, "web")  # 0.5 vCPU, 2 GB, 2 to 10 tasks
    hourly = 0.5 * 0.04048 + 2 * 0.004445
    assert web["per_month"]["X86_64"]["on_demand"] == pytest.approx(2 * 730 * hourly, abs=1e-3)
    assert web["tasks_running_at_most"] == 10
    assert web["per_month_at_most"]["X86_64"]["on_demand"] == pytest.approx(
        10 * 730 * hourly, abs=1e-3
    )


def test_runs_started_by_events_are_priced_per_run_and_said_uncountable():
    expanded = _expanded("nightly-job.yaml")
    expanded["Resources"]["BatchOnUpload"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "EventPattern": {"source": ["aws.s3"]},
            "Targets": [
                {
                    "Id": "run",
                    "Arn": {"Ref": "BatchNightlyReportWorkflow"},
                    "Input": '{"task": "nightly_report"}',
                }
            ],
        },
    }
    task = _task(estimate(expanded, PRICES, "us-east-1"), "nightly_report")
    assert "BatchOnUpload: on events (count unknown)" in task["runs"]
    assert task["per_month"]["X86_64"]["on_demand"] is None
    assert task["per_run"]["X86_64"]["on_demand"] == pytest.approx(0.12318, abs=1e-5)


def test_a_workflow_that_only_names_the_task_definition_does_not_run_it():
    """A per-declaration Spot-fallback workflow, say, triggered every minute."""
    expanded = _expanded("nightly-job.yaml")
    expanded["Resources"]["BatchSpotFallbackWorkflow"] = {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"Definition": {"Comment": {"Ref": "BatchNightlyReportTaskDefinition"}}},
    }
    expanded["Resources"]["BatchSpotFallbackRule"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "ScheduleExpression": "rate(1 minute)",
            "Targets": [{"Id": "f", "Arn": {"Ref": "BatchSpotFallbackWorkflow"}}],
        },
    }
    task = _task(estimate(expanded, PRICES, "us-east-1"), "nightly_report")
    assert task["runs_per_month"] == pytest.approx(365 / 12, abs=1e-4)


def test_the_stated_figures_can_be_overridden(capsys):
    args = ["plan", str(EXAMPLES / "nightly-job.yaml"), "--format", "json"]
    assert main(args) == 0
    before = _task(json.loads(capsys.readouterr().out)["cost"], "nightly_report")
    assert main([*args, "--log-mb-per-hour", "100", "--transitions-per-run", "40"]) == 0
    after = _task(json.loads(capsys.readouterr().out)["cost"], "nightly_report")
    assert after["extras_per_month"]["logs"] == pytest.approx(
        10 * before["extras_per_month"]["logs"], rel=1e-3
    )
    assert after["extras_per_month"]["step_functions"] == pytest.approx(
        2 * before["extras_per_month"]["step_functions"], rel=1e-3
    )
    assert main([*args[:2], "--transitions-per-run", "40"]) == 0
    assert "40 state transitions per healthy run" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([*args, "--run-minutes", "0"])

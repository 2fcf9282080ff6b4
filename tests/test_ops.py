"""Day-two commands (`status`, `run`, `logs`, `exec`) against a stack deployed in moto from
the expanded examples/operations.yaml (Network given, images pinned by digest): a Spot
service with fallback and ECS Exec (`worker`), a scheduled job (`nightly`) and a standalone
migration with a Timeout (`migrate`)."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from conftest import expand, load
from moto import mock_aws
from ops_harness import REGION, Runs, deploy, install_application, teach_moto
from serverless_fargate.cli import main
from serverless_fargate.ops import errors, lookups
from serverless_fargate.ops.aws import Aws
from serverless_fargate.ops.logs import line, logs
from serverless_fargate.ops.model import Task, stream_prefixes
from serverless_fargate.ops.model import load as load_stack
from serverless_fargate.ops.schedules import next_run
from workflow_harness import Ecs, compress_waits, patch_moto

ROOT = Path(__file__).resolve().parent.parent
STACK = "shop"


def network() -> dict:
    """Two subnets and a security group of a VPC, as the account would have them."""
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"]
        for i in (1, 2)
    ]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)
    return {"subnets": subnets, "securityGroups": [group["GroupId"]], "assignPublicIp": "DISABLED"}


def expanded() -> dict:
    template = expand(load(ROOT / "examples" / "operations.yaml"))
    workflow = template["Resources"]["AppNightlyWorkflow"]["Properties"]
    workflow["Definition"] = compress_waits(workflow["Definition"])  # 60 s backoffs → 1 s
    return template


class Deployed:
    def __init__(self, ecs: Ecs, runs: Runs, network: dict) -> None:
        self.ecs, self.runs, self.network = ecs, runs, network

    @staticmethod
    def service(logical_id: str):
        """moto's record of one of the stack's services (to set what ECS would report)."""
        from moto.ecs.models import ecs_backends

        arn = physical(logical_id)
        backend = ecs_backends["123456789012"][REGION]
        return next(s for s in backend.services.values() if s.arn == arn)


def physical(logical_id: str, stack: str = STACK) -> str:
    resources = boto3.client("cloudformation").describe_stack_resources(StackName=stack)
    return next(
        r["PhysicalResourceId"]
        for r in resources["StackResources"]
        if r["LogicalResourceId"] == logical_id
    )


@pytest.fixture
def stack(fake_aws, monkeypatch):
    """The stack, deployed; ECS ends each task as `ecs.script` says and prints `runs.lines`."""
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        teach_moto(monkeypatch)
        patch_moto(monkeypatch)
        ecs = Ecs()
        ecs.install(monkeypatch)
        runs = Runs()
        runs.install(monkeypatch)
        install_application()
        net = network()
        parameters = {
            "Subnets": ",".join(net["subnets"]),
            "TasksSecurityGroup": net["securityGroups"][0],
        }
        deploy(expanded(), STACK, parameters)
        yield Deployed(ecs, runs, net)


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def aws() -> Aws:
    return Aws(boto3.Session(region_name=REGION))


def fast(monkeypatch) -> None:
    """`run` polls without waiting its 5 s: moto answers at once."""
    import serverless_fargate.ops.run as run_module

    monkeypatch.setattr(run_module, "_sleep", lambda seconds: time.sleep(0.05))


def test_the_macro_and_the_offline_commands_never_import_boto3():
    """Cold start and `validate` in pre-commit: boto3 costs ~100 ms to import."""
    import subprocess
    import sys

    code = (
        "import sys; import serverless_fargate.handler, serverless_fargate.cli as c; "
        "c.main(['validate', 'examples/operations.yaml']); "
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- finding the stack ------------------------------------------------------------------------


def test_the_tasks_are_found_from_the_stack_name_alone(stack):
    found = load_stack(aws(), STACK)
    by_key = {t.key: t for t in found.tasks}
    assert {k: t.kind for k, t in by_key.items()} == {
        "worker": "service",
        "nightly": "schedule",
        "migrate": "standalone",
    }
    worker = by_key["worker"]
    assert worker.service == physical("AppWorkerService")
    assert worker.fallback_service == physical("AppWorkerFallbackService")
    assert worker.cluster.endswith("/" + physical("AppCluster"))
    assert worker.log_group == physical("AppLogGroup")
    assert by_key["nightly"].schedule == physical("AppNightlySchedule")
    assert by_key["nightly"].workflow == physical("AppNightlyWorkflow")
    assert by_key["migrate"].network == stack.network  # from the outputs, resolved


def test_generated_outputs_name_the_log_group_and_network(stack):
    described = boto3.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    assert outputs["AppLogGroupName"] == physical("AppLogGroup")
    assert outputs["AppSubnets"] == ",".join(stack.network["subnets"])
    assert outputs["AppSecurityGroups"] == stack.network["securityGroups"][0]
    assert outputs["AppAssignPublicIp"] == "DISABLED"


# --- status -----------------------------------------------------------------------------------


def test_status_shows_every_task(stack, capsys, monkeypatch):
    fast(monkeypatch)
    spot = stack.service("AppWorkerService")
    spot.running_count, spot.pending_count = 1, 0
    spot.deployments[0].update(rolloutState="COMPLETED", rolloutStateReason="done")
    twin = stack.service("AppWorkerFallbackService")
    twin.desired_count, twin.running_count, twin.pending_count = 1, 1, 0
    stack.ecs.script = [{"exit": 3}, {"exit": 0}]  # nightly: fails once, then its retry succeeds
    assert cli(capsys, "run", STACK, "nightly")[0] == 0

    code, out, _ = cli(capsys, "status", STACK)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Stack {STACK} ({REGION})"
    worker = next(i for i, line in enumerate(lines) if line.startswith("worker "))
    assert "2/2 running (on Spot 1, on-demand fallback 1), 0 pending" in lines[worker]
    assert "deployment COMPLETED; circuit breaker ok; exec enabled" in lines[worker + 1]
    nightly = next(line for line in lines if line.startswith("nightly "))
    assert "schedule    cron(0 3 * * ? *) Europe/Berlin, ENABLED, next 20" in nightly
    assert nightly.endswith(" 03:00 CET")  # Berlin in winter
    # Each run names its ECS tasks (here two attempts): what `logs --run` takes.
    assert any(
        re.search(
            r"last runs: SUCCEEDED .* exit 0 .*  Spot  task [0-9a-f-]{32,},[0-9a-f-]{32,}$", line
        )
        for line in lines
    )
    assert "migrate  standalone  start it: serverless-fargate run shop migrate" in out
    assert "\033[" not in out  # no colour when not a terminal

    code, out, _ = cli(capsys, "status", STACK, "--format", "json")
    found = {t["task"]: t for t in json.loads(out)["tasks"]}
    assert found["worker"]["desired"] == 2  # the Spot service's: its twin stands in
    assert found["worker"]["running"] == 2
    assert found["worker"]["onFallback"] == 1
    assert found["worker"]["capacity"] == "FARGATE_SPOT"
    (last,) = found["nightly"]["lastRuns"]
    assert last["status"] == "SUCCEEDED" and last["exitCode"] == 0
    assert last["seconds"] is not None and last["onDemand"] is False
    assert json.loads(out)["tasks"][1]["nextRun"].endswith("T03:00:00+01:00")


def test_status_while_a_deployment_fails_tasks_and_for_a_service_deleted_by_hand(stack, capsys):
    stack.service("AppWorkerService").deployments[0].update(failedTasks=2)
    _, out, _ = cli(capsys, "status", STACK)
    assert "circuit breaker watching (2 failed tasks so far)" in out
    ecs = boto3.client("ecs")
    found = load_stack(aws(), STACK).task("worker")
    ecs.delete_service(cluster=found.cluster, service=found.service, force=True)
    code, out, _ = cli(capsys, "status", STACK)
    assert code == 0
    assert (
        "worker   service     the service is not in ECS (deleted outside the stack?): deploy again"
        in out
    )


def test_status_counts_the_standalone_runs_going_on_and_colours_a_terminal(
    stack, capsys, monkeypatch
):
    stack.ecs.script = [{"hang": True}]
    assert cli(capsys, "run", STACK, "migrate", "--no-wait")[0] == 0
    from serverless_fargate.ops import status

    found = status.collect(aws(), load_stack(aws(), STACK))
    plain = status.render(found)
    assert (
        "migrate  standalone  1 running now; start it: serverless-fargate run shop migrate" in plain
    )
    coloured = status.render(found, colour=True)
    assert "\033[32m1 running now\033[0m" in coloured
    assert re.sub(r"\033\[\d+m", "", coloured) == plain


def test_status_renders_an_invoked_task_with_how_to_start_it_and_its_last_runs():
    from serverless_fargate.ops import status

    run = {
        "status": "FAILED",
        "started": "2026-12-01T10:00:00+00:00",
        "exitCode": 3,
        "seconds": 75,
        "onDemand": None,
        "reason": "Essential container in task exited",
    }
    found = {
        "stack": "jobs",
        "region": "us-east-1",
        "tasks": [
            {"label": "export", "kind": "invoked", "lastRuns": [run], "spot": False},
            {"label": "transcode", "kind": "invoked", "lastRuns": [], "spot": False},
        ],
    }
    assert status.render(found).splitlines()[2:] == [
        "export     invoked  started by events and callers; or: serverless-fargate run jobs "
        "export --input JSON",
        "                    last runs: FAILED     2026-12-01 10:00 UTC  exit 3  1m15s  "
        "Essential container in task exited",
        "transcode  invoked  started by events and callers; or: serverless-fargate run jobs "
        "transcode --input JSON",
        "                    no runs yet",
    ]


def test_status_shows_a_tripped_circuit_breaker_and_a_failed_run(stack, capsys, monkeypatch):
    fast(monkeypatch)
    spot = stack.service("AppWorkerService")
    spot.deployments[0].update(
        rolloutState="FAILED", rolloutStateReason="ECS deployment circuit breaker: tasks failed"
    )
    stack.ecs.script = [{"exit": 3}, {"exit": 3}]
    assert cli(capsys, "run", STACK, "nightly")[0] == 3
    _, out, _ = cli(capsys, "status", STACK)
    assert (
        "deployment FAILED: ECS deployment circuit breaker: tasks failed; "
        "circuit breaker tripped, rolled back" in out
    )
    assert any("FAILED" in line and "exit 3" in line for line in out.splitlines())


# --- next runs (pure) ------------------------------------------------------------------------

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # a Saturday; Berlin moves to CEST tomorrow


def test_next_run_waits_for_a_start_date_in_the_future():
    start = datetime(2026, 4, 10, 6, 0, tzinfo=UTC)
    assert next_run("cron(0 3 * * ? *)", "UTC", NOW, start).isoformat() == (
        "2026-04-11T03:00:00+00:00"
    )
    assert next_run("cron(0 6 * * ? *)", "UTC", NOW, start) == start  # at the start itself
    assert next_run("rate(1 day)", "UTC", NOW, start) == start


@pytest.mark.parametrize(
    ("expression", "zone", "expected"),
    [
        ("cron(0 3 * * ? *)", "Europe/Berlin", "2026-03-29T03:00:00+02:00"),  # after the jump
        ("cron(30 2 * * ? *)", "UTC", "2026-03-29T02:30:00+00:00"),
        ("cron(0 9 ? * MON-FRI *)", "UTC", "2026-03-30T09:00:00+00:00"),
        ("cron(0/15 * * * ? *)", "UTC", "2026-03-28T12:15:00+00:00"),
        ("cron(0 0 1 JAN,JUL ? *)", "UTC", "2026-07-01T00:00:00+00:00"),
        ("cron(0 0 ? * 1 *)", "UTC", "2026-03-29T00:00:00+00:00"),  # 1 is Sunday
        ("cron(0 0 1 1 ? 2025)", "UTC", None),  # in the past: never again
        ("cron(0 0 L * ? *)", "UTC", None),  # L, W and # are not worked out here
        ("cron(0 0 ? * 6L *)", "UTC", None),
        ("cron(0 0 ? * 2#1 *)", "UTC", None),
        ("cron(0 8 ? * WED *)", "UTC", "2026-04-01T08:00:00+00:00"),  # WED is no W
        ("at(2026-04-01T08:00:00)", "Europe/Paris", "2026-04-01T08:00:00+02:00"),
        ("at(2026-01-01T08:00:00)", "UTC", None),
        ("rate(1 hour)", "UTC", "2026-03-28T12:30:00+00:00"),  # created at 10:30
    ],
)
def test_next_run(expression, zone, expected):
    created = datetime(2026, 3, 28, 10, 30, tzinfo=UTC)
    found = next_run(expression, zone, NOW, created)
    assert (found.isoformat() if found else None) == expected


# --- run --------------------------------------------------------------------------------------


def test_run_waits_streams_the_logs_and_exits_with_the_exit_code(stack, capsys, monkeypatch):
    fast(monkeypatch)
    stack.ecs.script = [{"exit": 3}]
    stack.runs.lines = [["migrating 1 of 2", "column already exists"]]
    code, out, err = cli(capsys, "run", STACK, "migrate")
    assert code == 3
    assert out == "migrating 1 of 2\ncolumn already exists\n"
    assert "Starting migrate on FARGATE" in err and "Exit code 3" in err
    (call,) = stack.runs.calls
    assert call["networking_configuration"] == {"awsvpcConfiguration": stack.network}
    assert call["started_by"] == "serverless-fargate"
    assert call["task_definition_str"] == physical("AppMigrateTaskDefinition")


def test_run_with_command_and_env_overrides(stack, capsys, monkeypatch):
    fast(monkeypatch)
    code, _, _ = cli(
        capsys,
        "run",
        STACK,
        "migrate",
        "--command",
        "python -m app.migrate --dry-run",
        "--env",
        "LOG_LEVEL=debug",
    )
    assert code == 0
    (call,) = stack.runs.calls
    assert call["overrides"] == {
        "containerOverrides": [
            {
                "name": "migrate",
                "command": ["python", "-m", "app.migrate", "--dry-run"],
                "environment": [{"name": "LOG_LEVEL", "value": "debug"}],
            }
        ]
    }


def test_ctrl_c_while_waiting_leaves_the_run_going_and_says_which(stack, capsys, monkeypatch):
    import serverless_fargate.ops.run as run_module

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "_sleep", interrupt)
    stack.ecs.script = [{"hang": True}]
    code, _, err = cli(capsys, "run", STACK, "migrate")
    assert code == 130
    assert "Stopped watching; the run goes on: arn:aws:ecs:us-east-1:123456789012:task/" in err


def test_run_no_wait_prints_the_task_arn(stack, capsys):
    stack.ecs.script = [{"hang": True}]
    code, out, _ = cli(capsys, "run", STACK, "migrate", "--no-wait")
    assert code == 0
    assert out.startswith("arn:aws:ecs:us-east-1:123456789012:task/")


def test_run_stops_the_task_at_its_timeout(stack, capsys):
    stack.ecs.script = [{"hang": True}]
    found = load_stack(aws(), STACK)
    clock = iter(range(0, 10**6, 600))  # ten minutes pass between looks; Timeout is 15m
    out, err = _Text(), _Text()
    from serverless_fargate.ops.run import Runner

    runner = Runner(aws(), found.task("migrate"), out, err, poll=0, clock=lambda: next(clock))
    settings = lookups.run_settings(aws(), found.task("migrate"))
    assert settings.timeout == 900  # the tag on the standalone task definition
    assert runner.directly(settings, {}, wait=True) == 124
    assert "Timeout (900 s) reached: stopping the task." in err.text
    task = boto3.client("ecs").describe_tasks(
        cluster=found.task("migrate").cluster,
        tasks=boto3.client("ecs").list_tasks(cluster=found.task("migrate").cluster)["taskArns"],
    )["tasks"][0]
    assert task["stoppedReason"] == "Timeout of 900 s reached (serverless-fargate run)"


def test_run_of_a_spot_service_task_falls_back_to_on_demand(stack, capsys, monkeypatch):
    fast(monkeypatch)
    stack.ecs.script = [{"capacity": True}, {"exit": 0}]
    code, _, err = cli(capsys, "run", STACK, "worker")
    assert code == 0
    assert [c["capacity"] for c in stack.ecs.calls] == [
        [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        [{"capacityProvider": "FARGATE", "weight": 1}],
    ]
    assert "Fargate Spot has no capacity: starting on FARGATE instead (Fallback)." in err


def test_run_of_a_scheduled_task_goes_through_its_workflow(stack, capsys, monkeypatch):
    fast(monkeypatch)
    stack.ecs.script = [{"exit": 0}]
    stack.runs.lines = [["report written"]]
    code, out, err = cli(capsys, "run", STACK, "nightly")
    assert code == 0
    assert "through its workflow" in err and "Run succeeded" in err
    assert out == "report written\n"
    (execution,) = boto3.client("stepfunctions").list_executions(
        stateMachineArn=physical("AppNightlyWorkflow")
    )["executions"]
    assert execution["name"].startswith("nightly-run-")
    (call,) = stack.ecs.calls
    assert call["group"].startswith(execution["name"] + ":1:")


def test_run_of_a_scheduled_task_exits_with_the_failed_runs_code(stack, capsys, monkeypatch):
    fast(monkeypatch)
    stack.ecs.script = [{"exit": 3}, {"exit": 3}]  # Retries: 1
    code, _, err = cli(capsys, "run", STACK, "nightly")
    assert code == 3
    assert "Run failed after 2 attempt(s), exit code 3: Essential container in task exited" in err
    assert len(stack.ecs.calls) == 2


def test_run_labels_the_lines_of_copies_running_side_by_side(stack, capsys, monkeypatch):
    fast(monkeypatch)
    template = load(ROOT / "examples" / "operations.yaml")
    nightly = template["Resources"]["App"]["Properties"]["Tasks"]["nightly"]
    nightly["Schedule"]["TaskCount"] = 2
    workflow = expand(template)
    definition = workflow["Resources"]["AppNightlyWorkflow"]["Properties"]["Definition"]
    workflow["Resources"]["AppNightlyWorkflow"]["Properties"]["Definition"] = compress_waits(
        definition
    )
    parameters = {
        "Subnets": ",".join(stack.network["subnets"]),
        "TasksSecurityGroup": stack.network["securityGroups"][0],
    }
    deploy(workflow, "copies", parameters)
    stack.ecs.script = [{"exit": 0}, {"exit": 0}]
    stack.runs.lines = [["shard a"], ["shard b"]]
    code, out, err = cli(capsys, "run", "copies", "nightly")
    assert code == 0
    labels = sorted(line.split("] ")[0] + "]" for line in out.splitlines())
    assert labels == ["[copy 1]", "[copy 2]"]
    assert sorted(line.split("] ")[1] for line in out.splitlines()) == ["shard a", "shard b"]
    assert "copy 2, attempt 1" in err


def test_run_no_wait_of_a_scheduled_task_prints_the_execution(stack, capsys):
    code, out, _ = cli(capsys, "run", STACK, "nightly", "--no-wait")
    assert code == 0
    assert out.startswith("arn:aws:states:us-east-1:123456789012:execution:")


def test_run_input_is_the_executions_input_member(stack, capsys):
    """`--input` starts the same kind of run as an event or a caller: the JSON is the input's
    `input` member, which the workflow hands to the container in SERVERLESS_FARGATE_INPUT."""
    given = {"export": "orders", "since": "2026-01-01", "rows": [1, 2]}
    code, out, _ = cli(capsys, "run", STACK, "nightly", "--input", json.dumps(given), "--no-wait")
    assert code == 0
    described = boto3.client("stepfunctions").describe_execution(executionArn=out.strip())
    sent = json.loads(described["input"])
    assert sent["input"] == given and sent["task"] == "nightly"


def test_run_input_null_is_an_input_and_no_input_is_none(stack, capsys):
    _, out, _ = cli(capsys, "run", STACK, "nightly", "--input", "null", "--no-wait")
    sent = boto3.client("stepfunctions").describe_execution(executionArn=out.strip())["input"]
    assert json.loads(sent)["input"] is None
    _, out, _ = cli(capsys, "run", STACK, "nightly", "--no-wait")
    sent = boto3.client("stepfunctions").describe_execution(executionArn=out.strip())["input"]
    assert "input" not in json.loads(sent)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["nightly", "--input", "{}", "--env", "A=1"], "give --input alone"),
        (["worker", "--input", "{}"], "only tasks with Schedule, Events or Callers take --input"),
    ],
    ids=["with overrides", "a service"],
)
def test_run_input_is_refused_where_no_workflow_takes_it(stack, capsys, argv, words):
    code, _, err = cli(capsys, "run", STACK, *argv)
    assert code == 64 and words in err  # a usage error (README: exit codes)
    started = boto3.client("stepfunctions").list_executions(
        stateMachineArn=physical("AppNightlyWorkflow")
    )
    assert started["executions"] == []


def test_run_input_must_be_json(stack, capsys):
    assert main(["run", STACK, "nightly", "--input", "{export: orders}"]) == 64
    assert "--input is not JSON" in capsys.readouterr().err


# --- logs -------------------------------------------------------------------------------------


def put(group: str, stream: str, lines: list[tuple[int, str]]) -> None:
    client = boto3.client("logs")
    client.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    client.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now - age * 1000, "message": m} for age, m in lines],
    )


def test_logs_since_a_time_with_task_and_stream_per_line(stack, capsys):
    group = physical("AppLogGroup")
    put(group, "worker/worker/aaaa1111", [(1800, "old line"), (60, "worker started")])
    put(group, "migrate/migrate/bbbb2222", [(30, "migrated")])
    put(group, "nightly/nightly/cccc3333", [(7200, "two hours ago")])

    code, out, _ = cli(capsys, "logs", STACK, "--since", "10m")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(" worker aaaa1111 worker started")
    assert lines[1].endswith(" migrate bbbb2222 migrated")

    _, out, _ = cli(capsys, "logs", STACK, "worker", "--since", "1h")
    assert [line.split(" ", 1)[1] for line in out.splitlines()] == [
        "worker aaaa1111 old line",
        "worker aaaa1111 worker started",
    ]
    _, out, err = cli(capsys, "logs", STACK, "worker", "--since", "1h", "--run", "ffff")
    assert out == "" and "No log lines from task worker run ffff" in err
    code, out, err = cli(capsys, "logs", STACK, "worker", "--run", "zzzz")
    assert code == errors.NOT_FOUND
    assert "'zzzz' is neither an ECS task ID nor a run of a scheduled task" in err


def test_logs_of_one_run(stack, capsys):
    group = physical("AppLogGroup")
    put(group, "worker/worker/aaaa1111", [(60, "first task")])
    put(group, "worker/worker/dddd4444", [(50, "second task")])
    _, out, _ = cli(capsys, "logs", STACK, "worker", "--run", "dddd")
    assert out.splitlines()[0].endswith("worker dddd4444 second task")
    assert len(out.splitlines()) == 1


def test_logs_follow_prints_new_lines_once_even_when_they_arrive_late(stack):
    group = physical("AppLogGroup")
    put(group, "worker/worker/aaaa1111", [(5, "one")])
    put(group, "worker/worker/bbbb2222", [(60, "before the window")])
    out = _Text()
    rounds = []

    def meanwhile(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) > 1:
            return
        now = int(time.time() * 1000)
        client = boto3.client("logs")
        client.put_log_events(
            logGroupName=group,
            logStreamName="worker/worker/aaaa1111",
            logEvents=[{"timestamp": now, "message": "two"}],
        )
        # Written 10 s ago by another task, it reaches CloudWatch only now.
        client.put_log_events(
            logGroupName=group,
            logStreamName="worker/worker/bbbb2222",
            logEvents=[{"timestamp": now - 10_000, "message": "late"}],
        )

    found = load_stack(aws(), STACK)
    code = logs(
        aws(),
        found,
        "worker",
        since=30,
        follow=True,
        out=out,
        err=_Text(),
        sleep=meanwhile,
        polls=3,
    )
    assert code == 0
    assert [line.rsplit(" ", 1)[1] for line in out.text.splitlines()] == ["one", "late", "two"]


def test_sidecar_streams_belong_to_their_task_and_are_named_with_it():
    task = Task("shop", "App", "api", "service", "arn:td", None, "group", label="api")
    prefixes = stream_prefixes(task, ["api", "envoy"])
    assert prefixes == ["api/api/", "api-envoy/envoy/"]  # resources/logs.py's stream prefixes
    event = {"logStreamName": "api-envoy/envoy/0a1b2c", "timestamp": 0, "message": "up\n"}
    assert line(task, event) == "1970-01-01T00:00:00Z api/envoy 0a1b2c up"
    # A task `api-admin` streams to api-admin/api-admin/...: not a sidecar of `api`.
    assert not any("api-admin/api-admin/0a".startswith(p) for p in prefixes)


def test_since_takes_durations(stack, capsys):
    with pytest.raises(SystemExit) as exited:  # an argument error: the command's usage
        main(["logs", STACK, "--since", "yesterday"])
    assert exited.value.code == errors.USAGE
    assert "--since takes seconds or a number with s/m/h/d" in capsys.readouterr().err


# --- exec -------------------------------------------------------------------------------------


def running_worker(network: dict) -> str:
    """A task of the worker's Spot service, started by its deployment as ECS would."""
    from moto.ecs.models import ecs_backends

    service = Deployed.service("AppWorkerService")
    deployment = service.deployments[0]["id"]
    found = load_stack(aws(), STACK).task("worker")
    task = boto3.client("ecs").run_task(
        cluster=found.cluster,
        taskDefinition=found.task_definition,
        startedBy=deployment,
        group=f"service:{service.name}",  # as ECS groups a service's tasks
        networkConfiguration={"awsvpcConfiguration": network},
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
    )["tasks"][0]
    assert ecs_backends  # moto keeps it RUNNING (the script says hang)
    return task["taskArn"]


def test_exec_without_the_plugin_says_how_to_install_it(stack, capsys, monkeypatch):
    stack.ecs.script = [{"hang": True}]
    arn = running_worker(stack.network)
    monkeypatch.setattr("shutil.which", lambda name: None)
    code, _, err = cli(capsys, "exec", STACK, "worker")
    assert code == errors.AWS_FAILED
    assert "session-manager-plugin" in err and "session-manager-working-with-install-plugin" in err
    cluster = physical("AppCluster")
    assert (
        f"aws ecs execute-command --region us-east-1 --cluster {cluster} --task {arn} "
        "--container worker --interactive --command sh" in err
    )


def test_exec_starts_the_session_manager_plugin_as_the_aws_cli_does(stack, capsys, monkeypatch):
    stack.ecs.script = [{"hang": True}]
    arn = running_worker(stack.network)
    calls = []
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/local/bin/{name}")
    monkeypatch.setattr(
        "serverless_fargate.ops.exec_command._version", lambda plugin: (1, 2, 650, 0)
    )
    monkeypatch.setattr("subprocess.call", lambda argv, env: calls.append((argv, env)) or 0)
    code, _, err = cli(capsys, "exec", STACK, "worker", "--command", "bash")
    assert code == 0, err
    ((argv, env),) = calls
    task_id = arn.rsplit("/", 1)[-1]
    assert argv[0] == "/usr/local/bin/session-manager-plugin"
    assert argv[1] == "AWS_SSM_START_SESSION_RESPONSE"
    assert json.loads(env["AWS_SSM_START_SESSION_RESPONSE"])["sessionId"]
    assert argv[2:5] == ["us-east-1", "StartSession", ""]
    assert json.loads(argv[5]) == {"Target": f"ecs:{physical('AppCluster')}_{task_id}_{task_id}-0"}


def test_exec_needs_a_service_with_exec_enabled_and_a_running_task(stack, capsys):
    stack.ecs.script = [{"hang": True}]
    running_worker(stack.network)
    code, _, err = cli(capsys, "exec", STACK, "worker", "--task", "ffff")
    assert code == errors.NOT_FOUND and "no running task ffff of 'worker'" in err
    boto3.client("ecs").stop_task(
        cluster=load_stack(aws(), STACK).task("worker").cluster,
        task=boto3.client("ecs").list_tasks(cluster=physical("AppCluster"))["taskArns"][0],
    )
    code, _, err = cli(capsys, "exec", STACK, "migrate")
    assert code == errors.USAGE and "is a standalone task: exec opens a shell" in err
    code, _, err = cli(capsys, "exec", STACK, "worker")
    assert code == errors.NOT_FOUND and "no running task of 'worker'" in err
    Deployed.service("AppWorkerService").enable_execute_command = False
    code, _, err = cli(capsys, "exec", STACK, "worker")
    assert code == errors.STACK_PROBLEM and "EnableExecuteCommand: true" in err


def test_without_outputs_the_network_comes_from_ecs_the_workflow_or_the_command_line(
    stack, capsys, monkeypatch
):
    fast(monkeypatch)
    template = load(ROOT / "examples" / "operations.yaml")
    template["Resources"]["App"]["Properties"]["Outputs"] = False
    parameters = {
        "Subnets": ",".join(stack.network["subnets"]),
        "TasksSecurityGroup": stack.network["securityGroups"][0],
    }
    deploy(expand(template), "quiet", parameters)
    code, _, err = cli(capsys, "run", "quiet", "migrate")
    assert code == errors.STACK_PROBLEM and "Pass --subnets (and --security-groups)" in err
    subnet, group = stack.network["subnets"][0], stack.network["securityGroups"][0]
    code, _, _ = cli(
        capsys, "run", "quiet", "migrate", "--subnets", subnet, "--security-groups", group
    )
    assert code == 0
    assert stack.runs.calls[-1]["networking_configuration"] == {
        "awsvpcConfiguration": {
            "subnets": [subnet],
            "securityGroups": [group],
            "assignPublicIp": "DISABLED",
        }
    }
    assert cli(capsys, "run", "quiet", "worker")[0] == 0  # the service's own network
    assert stack.runs.calls[-1]["networking_configuration"] == {
        "awsvpcConfiguration": stack.network
    }
    assert cli(capsys, "run", "quiet", "nightly", "--env", "DRY_RUN=1")[0] == 0  # the workflow's
    assert stack.runs.calls[-1]["networking_configuration"] == {
        "awsvpcConfiguration": stack.network
    }


def test_two_declarations_may_share_a_task_key(stack, capsys, monkeypatch):
    fast(monkeypatch)
    template = load(ROOT / "examples" / "operations.yaml")
    admin = {
        "Type": "Fargate::Tasks",
        "Properties": {
            "Network": template["Resources"]["App"]["Properties"]["Network"],
            "Tasks": {
                "migrate": {
                    "Image": template["Resources"]["App"]["Properties"]["Image"],
                    "Service": False,
                }
            },
        },
    }
    template["Resources"]["Admin"] = admin
    parameters = {
        "Subnets": ",".join(stack.network["subnets"]),
        "TasksSecurityGroup": stack.network["securityGroups"][0],
    }
    deploy(expand(template), "two", parameters)
    code, _, err = cli(capsys, "run", "two", "migrate")
    assert code == errors.USAGE
    assert "has task 'migrate' in several declarations: App/migrate, Admin/migrate" in err
    assert cli(capsys, "run", "two", "Admin/migrate")[0] == 0
    assert stack.runs.calls[-1]["task_definition_str"] == physical(
        "AdminMigrateTaskDefinition", "two"
    )
    _, out, _ = cli(capsys, "status", "two")
    assert "Admin/migrate  standalone  start it: serverless-fargate run two Admin/migrate" in out
    assert "App/worker " in out


# --- errors -----------------------------------------------------------------------------------


def test_a_stack_that_does_not_exist(stack, capsys):
    code, _, err = cli(capsys, "status", "nope")
    assert code == errors.NOT_FOUND == 66
    assert "stack 'nope' does not exist in us-east-1" in err and "--region" in err


def test_a_stack_without_fargate_tasks(stack, capsys):
    boto3.client("cloudformation").create_stack(
        StackName="plain",
        TemplateBody=json.dumps({"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup"}}}),
    )
    code, _, err = cli(capsys, "logs", "plain")
    assert code == errors.STACK_PROBLEM == 65 and "stack 'plain' has no Fargate::Tasks" in err


def test_an_unknown_task_lists_the_known_ones(stack, capsys):
    code, _, err = cli(capsys, "run", STACK, "wroker")
    assert code == errors.NOT_FOUND
    assert "has no task 'wroker'; its tasks are: worker, nightly, migrate" in err


def status_as_iam_checks(capsys) -> tuple[int, str, str]:
    """`status` with moto checking every call against IAM, as AWS does."""
    from moto.core import set_initial_no_auth_action_count

    @set_initial_no_auth_action_count(0)
    def status() -> tuple[int, str, str]:
        return cli(capsys, "status", STACK)

    return status()


def test_access_denied_names_the_action(stack, capsys, monkeypatch):
    iam = boto3.client("iam")
    iam.create_user(UserName="reader")
    iam.put_user_policy(
        UserName="reader",
        PolicyName="stacks-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])

    code, _, err = status_as_iam_checks(capsys)
    assert code == errors.CREDENTIALS == 77
    assert "access denied: ecs:DescribeServices was refused" in err


def test_credentials_aws_does_not_accept(stack, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")  # no such key in the account
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    code, _, err = status_as_iam_checks(capsys)
    assert code == errors.CREDENTIALS
    assert "AWS does not accept your credentials (InvalidClientTokenId)" in err


def test_no_credentials(capsys, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    code, _, err = cli(capsys, "status", STACK)
    assert code == errors.CREDENTIALS
    assert "no AWS credentials" in err and "--profile" in err


def test_an_unknown_profile(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    code, _, err = cli(capsys, "status", STACK, "--profile", "prod")
    assert code == errors.NOT_FOUND and "profile 'prod' is not in your AWS config" in err


class _Text:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


# --- from a run to its logs -------------------------------------------------------------------


def test_from_a_failed_run_to_its_logs_in_one_command(stack, capsys, monkeypatch):
    fast(monkeypatch)
    stack.ecs.script = [{"exit": 3}, {"exit": 3}]  # Retries: 1
    stack.runs.lines = [["attempt one", "upstream timeout"], ["attempt two", "upstream timeout"]]
    assert cli(capsys, "run", STACK, "nightly")[0] == 3
    stack.ecs.script = [{"exit": 0}]
    stack.runs.lines = [["another run"]]
    assert cli(capsys, "run", STACK, "nightly")[0] == 0

    _, out, _ = cli(capsys, "status", STACK, "--format", "json")
    nightly = next(t for t in json.loads(out)["tasks"] if t["task"] == "nightly")
    failed = nightly["lastRuns"][1]
    assert failed["status"] == "FAILED" and failed["exitCode"] == 3
    assert len(failed["tasks"]) == 2  # both attempts
    _, text, _ = cli(capsys, "status", STACK)
    assert "exit 3  " in text and f"task {','.join(failed['tasks'])}" in text

    expected = [
        f"nightly {failed['tasks'][0]} attempt one",
        f"nightly {failed['tasks'][0]} upstream timeout",
        f"nightly {failed['tasks'][1]} attempt two",
        f"nightly {failed['tasks'][1]} upstream timeout",
    ]
    for given in (failed["execution"], failed["executionArn"]):
        code, out, _ = cli(capsys, "logs", STACK, "--run", given)  # no TASK needed
        assert code == 0
        assert [line.split(" ", 1)[1] for line in out.splitlines()] == expected
    code, out, _ = cli(capsys, "logs", STACK, "nightly", "--run", failed["tasks"][1])
    assert [line.split(" ", 1)[1] for line in out.splitlines()] == expected[2:]

    # In full for one task: the execution's own account (attempts, reason) and its tasks.
    _, out, _ = cli(capsys, "status", STACK, "nightly", "--format", "json")
    (row,) = json.loads(out)["tasks"]
    assert row["lastRuns"][1]["attempts"] == 2
    assert row["lastRuns"][1]["reason"] == "Essential container in task exited"
    assert failed["tasks"][1] in row["lastRuns"][1]["tasks"]

    code, _, err = cli(capsys, "logs", STACK, "--run", "nightly-run-0000")
    assert code == errors.NOT_FOUND and "no run 'nightly-run-0000'" in err


def test_logs_of_the_last_runs_run_by_run_and_as_json(stack, capsys, monkeypatch):
    fast(monkeypatch)
    for n in (1, 2, 3):
        stack.ecs.script = [{"exit": 0}]
        stack.runs.lines = [[f"run {n} begins", f"run {n} ends"]]
        assert cli(capsys, "run", STACK, "migrate")[0] == 0
        time.sleep(0.01)  # CloudWatch orders streams by their last line
    code, out, _ = cli(capsys, "logs", STACK, "migrate", "--last", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("--- migrate run ") and lines[0].endswith(" (2 lines)")
    assert [line.rsplit(" ", 3)[-3:] for line in lines if not line.startswith("---")] == [
        ["run", "2", "begins"],
        ["run", "2", "ends"],
        ["run", "3", "begins"],
        ["run", "3", "ends"],
    ]
    assert lines[3].startswith("--- migrate run ")

    code, out, _ = cli(capsys, "logs", STACK, "migrate", "--last", "1", "--format", "json")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["message"] for r in records] == ["run 3 begins", "run 3 ends"]
    assert set(records[0]) == {"time", "timestamp", "task", "container", "taskId", "message"}
    assert records[0]["task"] == records[0]["container"] == "migrate"

    code, _, err = cli(capsys, "logs", STACK, "--last", "2")
    assert code == errors.USAGE and "--last N takes a task" in err


def test_logs_read_each_log_group_once_a_round_whatever_the_number_of_tasks(
    stack, capsys, monkeypatch
):
    group = physical("AppLogGroup")
    put(group, "worker/worker/aaaa1111", [(60, "worker started")])
    put(group, "migrate/migrate/bbbb2222", [(30, "migrated")])
    calls = counted(monkeypatch)
    code, out, _ = cli(capsys, "logs", STACK)
    assert code == 0 and len(out.splitlines()) == 2
    assert calls.count("FilterLogEvents") == 1  # one log group (was: one call per task)
    assert "DescribeTaskDefinition" not in calls  # container names come from the template


def counted(monkeypatch) -> list[str]:
    """The names of the AWS API calls the next commands make (botocore's before-call)."""
    from serverless_fargate.ops import aws as aws_module

    names: list[str] = []
    session = boto3.Session(region_name=REGION)
    session.events.register("before-call", lambda model, **kwargs: names.append(model.name))
    monkeypatch.setattr(aws_module, "session", lambda region, profile: session)
    return names


# --- services task by task --------------------------------------------------------------------


def test_status_tasks_lists_each_task_of_a_service_and_why_the_last_stopped(stack, capsys):
    stack.ecs.script = [{"hang": True}, {"hang": True}]
    first = running_worker(stack.network)
    second = running_worker(stack.network)
    cluster = physical("AppCluster")
    boto3.client("ecs").stop_task(cluster=cluster, task=first, reason="Scaling activity")
    code, out, _ = cli(capsys, "status", STACK, "--tasks", "--format", "json")
    assert code == 0
    worker = next(t for t in json.loads(out)["tasks"] if t["task"] == "worker")
    (running,) = worker["tasks"]
    assert running["id"] == second.rsplit("/", 1)[-1]
    assert running["capacity"] == "FARGATE_SPOT" and running["fallback"] is False
    assert running["health"] == "UNKNOWN" and running["revision"] == "1"
    (stopped,) = worker["stopped"]
    assert stopped["id"] == first.rsplit("/", 1)[-1] and stopped["reason"] == "Scaling activity"

    _, out, _ = cli(capsys, "status", STACK, "--tasks")
    assert f"  {running['id']}  RUNNING " in out and "FARGATE_SPOT  UNKNOWN  revision 1" in out
    assert f"  {stopped['id']}  STOPPED" in out and "Scaling activity" in out


# --- exec --container ---------------------------------------------------------------------------


def test_exec_checks_the_container_before_asking_aws(stack, capsys, monkeypatch):
    stack.ecs.script = [{"hang": True}]
    running_worker(stack.network)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/local/bin/{name}")
    calls = counted(monkeypatch)
    code, _, err = cli(capsys, "exec", STACK, "worker", "--container", "envoy")
    assert code == errors.NOT_FOUND
    assert "has no container 'envoy'; its containers are: worker" in err
    assert calls == ["DescribeStacks", "GetTemplate", "ListStackResources"]  # nothing of ECS


# --- exit codes, Ctrl-C and a lost network ------------------------------------------------------


def test_every_tool_error_is_marked_on_stderr_and_coded_in_the_sysexits_range(stack, capsys):
    """README's table: a script tells the tool's failures (64-78, and a stderr line that
    begins with the mark) from a container's own exit code."""
    cases = {
        ("status", STACK, "--format", "xml"): errors.USAGE,
        ("status", "nope"): errors.NOT_FOUND,
        ("run", STACK, "wroker"): errors.NOT_FOUND,
        ("exec", STACK, "migrate"): errors.USAGE,
    }
    for argv, expected in cases.items():
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code
        err = capsys.readouterr().err
        assert code == expected, argv
        assert 64 <= code <= 78
        assert any(
            line.startswith(("serverless-fargate: error:", "serverless-fargate status: error:"))
            for line in err.splitlines()
        ), err


@pytest.mark.parametrize(
    "where",
    [
        "serverless_fargate.ops.aws.session",  # before any AWS call
        "serverless_fargate.ops.model.load",  # reading the stack
        "serverless_fargate.ops.lookups.services",  # status, midway
        "serverless_fargate.ops.status.render",  # printing
    ],
)
def test_ctrl_c_at_any_moment_exits_130_without_a_traceback(stack, capsys, monkeypatch, where):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(where, interrupt)
    code, out, err = cli(capsys, "status", STACK)
    assert code == errors.INTERRUPTED and err == ""


def test_ctrl_c_while_the_modules_load_exits_130(capsys, monkeypatch):
    """The first half-second: Ctrl-C arrives while the ops modules are imported."""
    import builtins

    real_import = builtins.__import__

    def slow_import(name, *args, **kwargs):
        if name.endswith("ops") or name.startswith("ops"):
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", slow_import)
    code, _, err = cli(capsys, "status", STACK)
    assert code == errors.INTERRUPTED and err == ""


def test_no_network_says_so_with_a_hint(capsys, monkeypatch):
    """Nothing listens at the endpoint: botocore's own error, not "AWS said"."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    code, _, err = cli(capsys, "status", STACK, "--region", "eu-west-1")
    assert code == errors.AWS_FAILED
    assert err.startswith("serverless-fargate: error: cannot reach http://127.0.0.1:9")
    assert "network or VPN" in err and "eu-west-1" in err and "AWS_ENDPOINT_URL" in err
    assert "AWS said" not in err


def losing_the_network(monkeypatch, after: str) -> dict:
    """From the first call named `after` on, every call fails as a lost connection does."""
    from botocore.exceptions import EndpointConnectionError
    from serverless_fargate.ops import aws as aws_module

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    state = {"lost": False}
    session = boto3.Session(region_name=REGION)

    def send(request, **kwargs):
        state["lost"] = state["lost"] or after in kwargs["event_name"]
        if state["lost"]:
            raise EndpointConnectionError(endpoint_url=request.url)

    session.events.register("before-send", send)
    monkeypatch.setattr(aws_module, "session", lambda region, profile: session)
    return state


@pytest.mark.parametrize(
    ("task", "after", "outcome"),
    [
        ("migrate", "DescribeTasks", {"hang": True}),  # started here, while watching
        ("nightly", "DescribeExecution", {"exit": 0}),  # through the workflow, while watching
    ],
)
def test_losing_the_network_while_run_waits_names_the_run_and_says_it_goes_on(
    stack, capsys, monkeypatch, task, after, outcome
):
    fast(monkeypatch)
    stack.ecs.script = [outcome]
    losing_the_network(monkeypatch, after)
    code, _, err = cli(capsys, "run", STACK, task)
    assert code == errors.AWS_FAILED
    lines = err.splitlines()
    assert any(line.startswith("serverless-fargate: error: cannot reach ") for line in lines)
    arn = next(line for line in lines if line.startswith("Stopped watching; the run goes on: "))
    assert arn.split(": ", 1)[1].startswith("arn:aws:")
    assert f"Follow it: serverless-fargate logs {STACK} {task} --run " in err


def test_losing_the_network_before_the_run_starts_says_nothing_started(stack, capsys, monkeypatch):
    losing_the_network(monkeypatch, "RunTask")
    code, _, err = cli(capsys, "run", STACK, "migrate")
    assert code == errors.AWS_FAILED
    assert "goes on" not in err and "cannot reach" in err
    assert "The run may have started before the connection was lost" in err


def test_the_last_runs_of_a_scheduled_task_are_its_executions_with_every_attempt(
    stack, capsys, monkeypatch
):
    fast(monkeypatch)
    stack.ecs.script = [{"exit": 3}, {"exit": 0}]  # fails once, its retry succeeds
    stack.runs.lines = [["first attempt"], ["second attempt"]]
    assert cli(capsys, "run", STACK, "nightly")[0] == 0
    stack.ecs.script = [{"exit": 0}]
    stack.runs.lines = [["next night"]]
    assert cli(capsys, "run", STACK, "nightly")[0] == 0
    code, out, _ = cli(capsys, "logs", STACK, "nightly", "--last", "2")
    assert code == 0
    lines = out.splitlines()
    assert re.fullmatch(r"--- nightly run nightly-run-\w+ SUCCEEDED \(2 lines\)", lines[0])
    assert [line.rsplit(" ", 2)[-2:] for line in lines[1:3]] == [
        ["first", "attempt"],
        ["second", "attempt"],
    ]
    assert re.fullmatch(r"--- nightly run nightly-run-\w+ SUCCEEDED \(1 lines\)", lines[3])
    assert lines[4].endswith(" next night")


def test_losing_the_network_while_logs_follows_says_so(stack, capsys, monkeypatch):
    losing_the_network(monkeypatch, "FilterLogEvents")
    code, _, err = cli(capsys, "logs", STACK, "--follow")
    assert code == errors.AWS_FAILED
    assert err.startswith("serverless-fargate: error: cannot reach ") and "VPN" in err


def test_a_run_whose_container_never_ran_is_the_tools_failure_not_a_containers_code(
    stack, capsys, monkeypatch
):
    import serverless_fargate.ops.run as run_module
    from moto.ecs.models import ecs_backends

    def pull_fails(seconds: float) -> None:  # ECS could not pull the image: no exit code
        for task in ecs_backends["123456789012"][REGION].tasks.values():
            for t in task.values():
                t.status = t.desired_status = "STOPPED"
                t.stopped_reason = "CannotPullContainerError: pull access denied"
                for container in t.containers:
                    container.exit_code = container.exitCode = None

    monkeypatch.setattr(run_module, "_sleep", pull_fails)
    stack.ecs.script = [{"hang": True}]
    code, _, err = cli(capsys, "run", STACK, "migrate")
    assert code == errors.AWS_FAILED
    assert f"{errors.ERROR_MARK} the task stopped without an exit code" in err
    assert "CannotPullContainerError" in err

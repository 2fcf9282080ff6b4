"""The day-two commands on a 50-task stack: how many AWS calls each makes, counted with a
botocore event hook (`before-call` fires once per API call, retries excluded), and that the
answer is right at that size (every task with runs shows them)."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections import Counter
from pathlib import Path

import boto3
import pytest
from conftest import expand, load
from moto import mock_aws
from ops_harness import REGION, deploy, install_application, teach_moto
from serverless_fargate.cli import main
from serverless_fargate.ops import aws as aws_module
from serverless_fargate.ops.aws import Aws
from serverless_fargate.ops.model import load as load_stack
from serverless_fargate.resources import workflow_contract as contract
from test_ops import network
from workflow_harness import Ecs, patch_moto

# End to end (the Serverless Framework or a simulated stack): `make check` leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TASKS = 50
# Scheduled tasks: each has a state machine of its own (#23, about 10 KB of definition since the
# failure path moved to the declaration's Recovery machine), so 50 fit again.
SCHEDULED = 50
BUDGET = 30  # AWS calls for `status` of a 50-task stack (the bound)
BASE = {"service": "worker", "schedule": "nightly", "standalone": "migrate"}


def fifty(kind: str) -> dict:
    """examples/operations.yaml with 50 tasks of one kind (copies of its task of that kind)."""
    template = load(ROOT / "examples" / "operations.yaml")
    props = template["Resources"]["App"]["Properties"]
    base = props["Tasks"][BASE[kind]]
    count = SCHEDULED if kind == "schedule" else TASKS
    props["Tasks"] = {f"{kind[:3]}{i:02d}": copy.deepcopy(base) for i in range(count)}
    return expand(template)


@pytest.fixture
def aws_env(fake_aws, monkeypatch):
    """moto without the Step Functions interpreter: executions are recorded as started."""
    with mock_aws():
        teach_moto(monkeypatch)
        patch_moto(monkeypatch)
        ecs = Ecs()
        ecs.install(monkeypatch)
        install_application()
        yield ecs, network()


def deployed(kind: str, net: dict) -> str:
    parameters = {
        "Subnets": ",".join(net["subnets"]),
        "TasksSecurityGroup": net["securityGroups"][0],
    }
    deploy(fifty(kind), kind, parameters)
    return kind


class Calls:
    """Every AWS API call a command makes, by name."""

    def __init__(self, monkeypatch) -> None:
        self.names: list[str] = []
        session = boto3.Session(region_name=REGION)
        session.events.register("before-call", self._count)
        monkeypatch.setattr(aws_module, "session", lambda region, profile: session)

    def _count(self, model, **kwargs) -> None:
        self.names.append(model.name)

    def __len__(self) -> int:
        return len(self.names)

    def __str__(self) -> str:
        return str(Counter(self.names))


def status(capsys, monkeypatch, stack: str, *argv: str) -> tuple[Calls, dict]:
    calls = Calls(monkeypatch)
    code = main(["status", stack, "--format", "json", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return calls, {t["task"]: t for t in json.loads(out)["tasks"]}


def test_status_of_50_scheduled_tasks_with_150_runs(aws_env, capsys, monkeypatch):
    """Each task's workflow is read once (one short ListExecutions page: a workflow runs one
    task); the runs' ECS tasks and exit codes come from one listing of the cluster; every one
    of the 50 shows its runs (before: 304 calls, and 30 of 50 showed "no runs yet")."""
    ecs, net = aws_env
    stack = deployed("schedule", net)
    found = load_stack(Aws(boto3.Session(region_name=REGION)), stack)
    sfn, ecs_client = boto3.client("stepfunctions"), boto3.client("ecs")
    runs: dict[str, list[str]] = {}
    ids: dict[str, str] = {}
    for n in range(3):
        for task in found.tasks:
            name = contract.execution_name(task.key, str(uuid.uuid4()))
            sfn.start_execution(
                stateMachineArn=task.workflow,
                name=name,
                input=json.dumps({contract.TASK: task.key}),
            )
            ecs.script = [{"exit": n}]  # the last run exits 2
            started = ecs_client.run_task(
                cluster=task.cluster,
                taskDefinition=task.task_definition,
                group=contract.GROUP_FORMAT.format(name, 1, 0),
                networkConfiguration={"awsvpcConfiguration": net},
                capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            )["tasks"][0]
            ids[name] = started["taskArn"].rsplit("/", 1)[-1]
            runs.setdefault(task.key, []).insert(0, name)
            time.sleep(0.001)  # start dates in order

    calls, rows = status(capsys, monkeypatch, stack)
    # Step Functions lists one state machine's executions a call: with a workflow per task
    # (#23) that is the floor, made 8 at a time; everything else stays within a few calls.
    assert calls.names.count("ListExecutions") == SCHEDULED, calls
    assert len(calls) - SCHEDULED <= 15, calls
    assert "DescribeExecution" not in calls.names  # the names and ECS tell enough
    assert "DescribeStateMachine" not in calls.names  # the settings are in the template
    assert len(rows) == SCHEDULED
    for key, row in rows.items():
        assert [r["execution"] for r in row["lastRuns"]] == runs[key]
        for run in row["lastRuns"]:
            assert run["tasks"] == [ids[run["execution"]]]  # what `logs --run` takes
        assert [r["exitCode"] for r in row["lastRuns"]] == [2, 1, 0]


def test_status_of_50_services_with_their_tasks(aws_env, capsys, monkeypatch):
    """10 services a DescribeServices call; each service's tasks from one cluster listing."""
    ecs, net = aws_env
    stack = deployed("service", net)
    found = load_stack(Aws(boto3.Session(region_name=REGION)), stack)
    from moto.ecs.models import ecs_backends

    backend = ecs_backends["123456789012"][REGION]
    by_arn = {s.arn: s for s in backend.services.values()}
    ecs.script = [{"hang": True}] * TASKS
    for task in found.tasks:  # one running task each, started by its service's deployment
        boto3.client("ecs").run_task(
            cluster=task.cluster,
            taskDefinition=task.task_definition,
            startedBy=by_arn[task.service].deployments[0]["id"],
            group=f"service:{by_arn[task.service].name}",
            networkConfiguration={"awsvpcConfiguration": net},
            capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        )

    calls, rows = status(capsys, monkeypatch, stack)
    assert len(calls) <= BUDGET, calls
    assert "ListTasks" not in calls.names  # the counts come with the services

    calls, rows = status(capsys, monkeypatch, stack, "--tasks")
    assert len(calls) <= BUDGET, calls
    for row in rows.values():
        (running,) = row["tasks"]
        assert running["status"] == "RUNNING" and running["capacity"] == "FARGATE_SPOT"
        assert running["fallback"] is False


def test_status_of_50_standalone_tasks(aws_env, capsys, monkeypatch):
    ecs, net = aws_env
    stack = deployed("standalone", net)
    found = load_stack(Aws(boto3.Session(region_name=REGION)), stack)
    ecs.script = [{"hang": True}] * 5
    for task in found.tasks[:5]:
        boto3.client("ecs").run_task(
            cluster=task.cluster,
            taskDefinition=task.task_definition,
            networkConfiguration={"awsvpcConfiguration": net},
            launchType="FARGATE",
        )
    calls, rows = status(capsys, monkeypatch, stack)
    assert len(calls) <= 10, calls  # before: one ListTasks a task (53 calls)
    assert [rows[t.key]["running"] for t in found.tasks[:6]] == [1, 1, 1, 1, 1, 0]


def test_runs_of_keys_that_begin_alike_are_told_apart_by_their_input_only():
    """`api` and `api-run`: an execution named api-run-... may be either's (a manual run of
    `api` or a scheduled one of `api-run`): only those are described, once each."""
    from datetime import UTC, datetime, timedelta

    from serverless_fargate.ops import lookups
    from serverless_fargate.ops.model import Task

    workflow = "arn:aws:states:us-east-1:123456789012:stateMachine:w"
    tasks = [
        Task("s", "App", key, "schedule", f"arn:td/{key}:1", "c", "g", workflow=workflow)
        for key in ("api", "api-run")
    ]
    owners = {"api-1": "api", "api-run-2": "api", "api-run-3": "api-run", "api-4": "api"}
    now = datetime(2026, 12, 1, tzinfo=UTC)
    executions = [
        {
            "name": name,
            "executionArn": f"arn:x:{name}",
            "status": "SUCCEEDED",
            "startDate": now - timedelta(minutes=n),
            "stopDate": now - timedelta(minutes=n) + timedelta(seconds=5),
        }
        for n, name in enumerate(owners)
    ]
    described = []

    class Sfn:
        def describe_execution(self, executionArn):
            described.append(executionArn)
            name = executionArn.removeprefix("arn:x:")
            return {"input": json.dumps({contract.TASK: owners[name]})}

    found = lookups.runs_by_task(
        lambda service: Sfn(), tasks, {workflow: lookups.Executions(executions, True)}, 5
    )
    assert [r["execution"] for r in found["api"]] == ["api-1", "api-run-2", "api-4"]
    assert [r["execution"] for r in found["api-run"]] == ["api-run-3"]
    assert described == ["arn:x:api-run-2", "arn:x:api-run-3"]


def test_where_status_stops_looking_it_says_so_rather_than_no_runs():
    from serverless_fargate.ops import status

    row = {"label": "job", "kind": "schedule", "lastRuns": [], "lookedAt": 2000}
    text = status.render({"stack": "s", "region": "r", "tasks": [row]})
    assert "no runs in the workflow's last 2000 executions" in text and "no runs yet" not in text
    del row["lookedAt"]
    assert "no runs yet" in status.render({"stack": "s", "region": "r", "tasks": [row]})

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
from ops_harness import REGION, StatesMetrics, deploy, install_application, teach_moto
from serverless_fargate.cli import main
from serverless_fargate.ops import aws as aws_module
from serverless_fargate.ops import lookups
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


def fifty(kind: str, **changes: object) -> dict:
    """examples/operations.yaml with 50 tasks of one kind (copies of its task of that kind,
    with `changes` to its fields)."""
    template = load(ROOT / "examples" / "operations.yaml")
    props = template["Resources"]["App"]["Properties"]
    base = {**props["Tasks"][BASE[kind]], **changes}
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


@pytest.fixture
def metrics(monkeypatch) -> StatesMetrics:
    """Step Functions' CloudWatch metrics, published as executions start and end; a test
    says when they have arrived (`deliver`)."""
    found = StatesMetrics()
    found.install(monkeypatch)
    return found


def deployed(kind: str, net: dict, **changes: object) -> str:
    parameters = {
        "Subnets": ",".join(net["subnets"]),
        "TasksSecurityGroup": net["securityGroups"][0],
    }
    deploy(fifty(kind, **changes), kind, parameters)
    return kind


def end_execution(arn: str, status: str) -> None:
    """The workflow's execution ended so (moto without its interpreter leaves it RUNNING)."""
    from moto.stepfunctions.models import stepfunctions_backends

    execution = stepfunctions_backends["123456789012"][REGION].describe_execution(arn)
    execution.status = status
    execution.stop_date = execution.start_date


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

    __repr__ = __str__


def status(capsys, monkeypatch, stack: str, *argv: str) -> tuple[Calls, dict]:
    calls = Calls(monkeypatch)
    code = main(["status", stack, *argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return calls, {t["task"]: t for t in json.loads(out)["tasks"]}


def start_runs(ecs, net, tasks, count: int) -> tuple[dict[str, list[str]], dict[str, str]]:
    """`count` runs of each task through its workflow, newest first by task: each started an
    ECS task with the workflow's group; run n exits n (the last one 2, when 3)."""
    sfn, ecs_client = boto3.client("stepfunctions"), boto3.client("ecs")
    runs: dict[str, list[str]] = {}
    ids: dict[str, str] = {}
    for n in range(count):
        for task in tasks:
            name = contract.execution_name(task.key, str(uuid.uuid4()))
            sfn.start_execution(
                stateMachineArn=task.workflow,
                name=name,
                input=json.dumps({contract.TASK: task.key}),
            )
            ecs.script = [{"exit": n}]
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
    return runs, ids


def test_status_of_50_scheduled_tasks_with_150_runs(aws_env, metrics, capsys, monkeypatch):
    """The runs come from one listing of the cluster's ECS tasks (a task's group names its
    execution), the counts from CloudWatch in one GetMetricData: no ListExecutions (one a
    workflow, 50 since #23: 59 calls). Every one of the 50 shows its runs, also before the
    metrics have arrived (AWS delivers them late)."""
    ecs, net = aws_env
    # No retry, no Spot: a failed attempt is its run's end (the settings say so, no call).
    stack = deployed("schedule", net, Spot=False, Schedule={"Expression": "rate(1 hour)"})
    found = load_stack(Aws(boto3.Session(region_name=REGION)), stack)
    runs, ids = start_runs(ecs, net, found.tasks, 3)

    def shown(rows: dict) -> None:
        assert len(rows) == SCHEDULED
        for key, row in rows.items():
            assert [r["execution"] for r in row["lastRuns"]] == runs[key]
            for run in row["lastRuns"]:
                assert run["tasks"] == [ids[run["execution"]]]  # what `logs --run` takes
            assert [r["exitCode"] for r in row["lastRuns"]] == [2, 1, 0]
            assert [r["status"] for r in row["lastRuns"]] == ["FAILED", "FAILED", "SUCCEEDED"]

    calls, rows = status(capsys, monkeypatch, stack)  # no metric has arrived yet
    assert len(calls) <= BUDGET, calls
    assert calls.names.count("GetMetricData") == 1, calls  # 250 queries: 50 workflows x 5
    assert "ListExecutions" not in calls.names and "DescribeExecution" not in calls.names
    assert "DescribeStateMachine" not in calls.names  # the settings are in the template
    shown(rows)

    metrics.deliver()
    calls, rows = status(capsys, monkeypatch, stack)
    assert len(calls) <= BUDGET, calls
    assert "ListExecutions" not in calls.names
    shown(rows)
    assert {row["metrics"]["started"] for row in rows.values()} == {3}


def test_a_failed_attempt_the_workflow_may_retry_is_not_called_the_run_s_end(
    aws_env, capsys, monkeypatch
):
    """nightly retries once and falls back to on-demand: after a failed attempt the Recovery
    machine may start another (after its backoff), so ECS's word is not the run's end. Within
    the budget the executions are read, newest first: the one still going is RUNNING, the ones
    that ended say how; the rest show ATTEMPT_FAILED, never FAILED."""
    ecs, net = aws_env
    stack = deployed("schedule", net)
    found = load_stack(Aws(boto3.Session(region_name=REGION)), stack)
    runs, _ = start_runs(ecs, net, found.tasks, 2)  # each task: exit 0, then exit 1
    by_key = {t.key: t for t in found.tasks}
    for key, (_, older) in runs.items():
        arn = lookups.execution_arn(by_key[key].workflow, older)
        end_execution(arn, "SUCCEEDED")
    # Half the newest runs ended FAILED (no retry was left to them); the others still run.
    ended = sorted(runs)[::2]
    for key in ended:
        end_execution(lookups.execution_arn(by_key[key].workflow, runs[key][0]), "FAILED")

    calls, rows = status(capsys, monkeypatch, stack)
    assert len(calls) <= BUDGET, calls
    read = calls.names.count("DescribeExecution")
    assert read == BUDGET - (len(calls) - read) and read > 0, calls  # all that is left
    newest = {key: row["lastRuns"][0] for key, row in rows.items()}
    assert all(r["status"] != "SUCCEEDED" for r in newest.values())
    confirmed = {k for k, r in newest.items() if r["status"] != "ATTEMPT_FAILED"}
    assert len(confirmed) == read
    for key in confirmed:
        assert newest[key]["status"] == ("FAILED" if key in ended else "RUNNING"), key
        if key not in ended:  # another attempt runs: the failed one's figures are not its own
            assert newest[key]["exitCode"] is None and newest[key]["reason"] is None
    for key, run in newest.items():
        assert run["status"] in ("FAILED", "RUNNING", "ATTEMPT_FAILED")
        assert run["exitCode"] == (None if run["status"] == "RUNNING" else 1)
        if key not in confirmed:
            assert "may start another attempt" in run["reason"], run
    assert {row["lastRuns"][1]["status"] for row in rows.values()} == {"SUCCEEDED"}


def test_status_when_ecs_has_forgotten_the_runs_within_the_budget(
    aws_env, metrics, capsys, monkeypatch
):
    """Runs of three days ago: ECS lists a stopped task only for a while ("Recently stopped
    tasks might appear", ListTasks, ECS API Reference), so only the metrics know them. Within the budget the most recently failed are read in full
    (ListExecutions, 8 at a time); every other says how many runs, how the last ended (to
    the hour) and where its details are. None says "no runs"."""
    from datetime import UTC, datetime, timedelta

    ecs, net = aws_env
    stack = deployed("schedule", net)
    found = load_stack(Aws(boto3.Session(region_name=REGION)), stack)
    sfn = boto3.client("stepfunctions")
    metrics.clock = lambda: datetime.now(UTC) - timedelta(days=3)
    outcomes: dict[str, str] = {}
    for i, task in enumerate(found.tasks):
        arn = sfn.start_execution(
            stateMachineArn=task.workflow,
            name=contract.execution_name(task.key, str(uuid.uuid4())),
            input=json.dumps({contract.TASK: task.key}),
        )["executionArn"]
        outcomes[task.key] = "FAILED" if i % 5 == 0 else "SUCCEEDED"  # 10 failed
        end_execution(arn, outcomes[task.key])
    metrics.deliver()

    calls, rows = status(capsys, monkeypatch, stack)
    assert len(calls) <= BUDGET, calls
    read = {key for key, row in rows.items() if row["lastRuns"]}
    assert calls.names.count("ListExecutions") == len(read) > 0, calls
    assert {k for k, o in outcomes.items() if o == "FAILED"} <= read  # failed first
    for key, row in rows.items():
        assert row["metrics"]["started"] == 1
        assert row["metrics"]["ended"] == {outcomes[key]: 1}
        if key in read:
            (run,) = row["lastRuns"]
            assert run["status"] == outcomes[key]
        else:
            assert row["detailsAt"] == f"serverless-fargate status {stack} {key}"
    text = render(rows, stack)
    assert "no runs" not in text
    skipped = sorted(set(rows) - read)[0]
    assert "1 run in the last 14 days; the last started around " in text
    assert f"SUCCEEDED; details: serverless-fargate status {stack} {skipped}" in text

    # One task in full, as before: its executions and each one's result.
    calls, rows = status(capsys, monkeypatch, stack, skipped)
    (run,) = rows[skipped]["lastRuns"]
    assert run["status"] == "SUCCEEDED" and run["exitCode"] == 0
    assert len(calls) <= 10, calls

    # A caller who may not read metrics (cloudwatch:GetMetricData refused): the executions
    # of as many as the budget allows, and where the others' are; never "no runs".
    from serverless_fargate.ops import lookups
    from serverless_fargate.ops.errors import CREDENTIALS, OpsError

    def refused(*args):
        raise OpsError("access denied: cloudwatch:GetMetricData was refused.", CREDENTIALS)

    monkeypatch.setattr(lookups, "run_counts", refused)
    calls = Calls(monkeypatch)
    assert main(["status", stack, "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr()[0])
    assert answer["warnings"] == ["access denied: cloudwatch:GetMetricData was refused."]
    rows = {t["task"]: t for t in answer["tasks"]}
    assert len(calls) <= BUDGET, calls
    read = {key for key, row in rows.items() if row["lastRuns"]}
    assert calls.names.count("ListExecutions") == len(read) > 0, calls
    for key, row in rows.items():
        assert row["metrics"] is None
        if key in read:
            assert row["lastRuns"][0]["status"] == outcomes[key]
        else:
            assert row["detailsAt"] == f"serverless-fargate status {stack} {key}"
    text = render(rows, stack, answer["warnings"])
    assert "no runs in" not in text and "no runs yet" not in text
    assert text.endswith(
        "\nCounts of older runs: access denied: cloudwatch:GetMetricData was refused."
    )
    assert "no runs ECS still lists (it lists a stopped task only for a while); details: " in text


def test_runs_neither_ecs_nor_the_late_metrics_show_are_read_not_called_none(
    aws_env, metrics, capsys, monkeypatch
):
    """ECS has stopped listing the runs' tasks and CloudWatch's counts have not arrived (AWS
    delivers them on a best-effort basis): neither proves there was no run, so the budget
    reads those tasks' executions, and a task not read says where its details are, never
    "no runs"."""
    ecs, net = aws_env
    stack = deployed("schedule", net)
    found = load_stack(Aws(boto3.Session(region_name=REGION)), stack)
    sfn = boto3.client("stepfunctions")
    for task in found.tasks:
        arn = sfn.start_execution(
            stateMachineArn=task.workflow,
            name=contract.execution_name(task.key, str(uuid.uuid4())),
            input=json.dumps({contract.TASK: task.key}),
        )["executionArn"]
        end_execution(arn, "SUCCEEDED")
    # (no metrics.deliver(): the counts are late; no ECS task is listed)

    calls, rows = status(capsys, monkeypatch, stack)
    assert len(calls) <= BUDGET, calls
    read = {key for key, row in rows.items() if row["lastRuns"]}
    assert calls.names.count("ListExecutions") == len(read) > 0, calls
    for key, row in rows.items():
        if key in read:
            assert [r["status"] for r in row["lastRuns"]] == ["SUCCEEDED"]
        else:
            assert row["detailsAt"] == f"serverless-fargate status {stack} {key}"
    text = render(rows, stack)
    assert "no runs yet" not in text and "no runs in the last" not in text
    assert "none CloudWatch has counted in the last 14 days; details: " in text


def test_a_run_later_than_ecs_lists_is_pointed_at(aws_env, metrics, capsys, monkeypatch):
    """ECS lists a task's older run, but CloudWatch counts a later start (a run whose RunTask
    never started a task, say): the row says so and where the details are."""
    from datetime import UTC, datetime, timedelta

    ecs, net = aws_env
    stack = deployed("schedule", net)
    found = load_stack(Aws(boto3.Session(region_name=REGION)), stack)
    from moto.ecs.models import ecs_backends

    metrics.clock = lambda: datetime.now(UTC) - timedelta(hours=3)
    start_runs(ecs, net, found.tasks[:1], 1)  # 3 hours ago, still listed by ECS
    for tasks in ecs_backends["123456789012"][REGION].tasks.values():
        for task in tasks.values():
            task.created_at = task.started_at = task.stopped_at = metrics.clock()
    metrics.clock = lambda: datetime.now(UTC)
    boto3.client("stepfunctions").start_execution(
        stateMachineArn=found.tasks[0].workflow,
        name=contract.execution_name(found.tasks[0].key, "later"),
    )
    metrics.deliver()
    calls, rows = status(capsys, monkeypatch, stack)
    row = rows[found.tasks[0].key]
    assert len(row["lastRuns"]) == 1 and row["laterRun"] is True
    text = render(rows, stack)
    assert "a later run started around " in text
    assert f"details: serverless-fargate status {stack} {found.tasks[0].key}" in text
    assert all(r.get("laterRun") is False for key, r in rows.items() if key != found.tasks[0].key)


def render(rows: dict, stack: str, warnings: list[str] | None = None) -> str:
    from serverless_fargate.ops import status as status_module

    status = {"stack": stack, "region": REGION, "tasks": list(rows.values())}
    return status_module.render({**status, "warnings": warnings or []})


def test_a_refused_cloudwatch_call_names_the_iam_action():
    """CloudWatch signs as `monitoring`, but its IAM actions are `cloudwatch:...`."""
    from botocore.exceptions import ClientError
    from serverless_fargate.ops.aws import translated
    from serverless_fargate.ops.errors import CREDENTIALS, OpsError

    def call():
        error = {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}
        raise ClientError(error, "GetMetricData")

    with pytest.raises(OpsError) as refused:
        translated("monitoring", call)
    assert refused.value.code == CREDENTIALS
    assert "cloudwatch:GetMetricData was refused" in str(refused.value)


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


def test_what_status_says_of_a_task_from_metrics_alone():
    """Neither ECS nor the executions read: the metrics' count and last outcome (to the hour),
    and where the details are; neither runs nor metrics: "no runs in the last 14 days"."""
    from serverless_fargate.ops import status

    row = {
        "label": "job",
        "kind": "schedule",
        "lastRuns": [],
        "detailsAt": "serverless-fargate status s job",
        "metrics": {
            "days": 14,
            "started": 4,
            "lastStarted": "2026-12-01T03:00:00+00:00",
            "lastEnded": "2026-12-01T04:00:00+00:00",
            "ended": {"FAILED": 1, "SUCCEEDED": 1},
        },
    }
    text = status.render({"stack": "s", "region": "r", "tasks": [row]})
    assert (
        "4 runs in the last 14 days; the last started around 2026-12-01 03:00 UTC, the last "
        "ended around 2026-12-01 04:00 UTC: FAILED, SUCCEEDED; details: serverless-fargate "
        "status s job" in text
    )
    # Started before the window, ended in it: a run all the same.
    ended = "2026-12-01T04:00:00+00:00"
    row["metrics"] = {"days": 14, "started": 0, "lastStarted": None, "lastEnded": ended}
    row["metrics"]["ended"] = {"TIMED_OUT": 1}
    text = status.render({"stack": "s", "region": "r", "tasks": [row]})
    assert "a run started over 14 days ago; the last ended around " in text
    assert "TIMED_OUT" in text and "no run" not in text
    row["metrics"] = {"days": 14, "started": 0, "lastStarted": None, "lastEnded": None, "ended": {}}
    del row["detailsAt"]
    text = status.render({"stack": "s", "region": "r", "tasks": [row]})
    assert "no runs in the last 14 days" in text


def test_the_metrics_of_many_workflows_within_get_metric_data_limits():
    """500 queries and 100,800 datapoints a call at most: 130 workflows x 5 metrics x 336
    hours take three calls."""
    from datetime import UTC, datetime

    from serverless_fargate.ops import lookups

    asked: list[dict] = []

    class Cloudwatch:
        def get_metric_data(self, **kwargs):
            asked.append(kwargs)
            return {"MetricDataResults": []}

    workflows = [f"arn:aws:states:us-east-1:123456789012:stateMachine:w{i}" for i in range(130)]
    now = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)
    found = lookups.run_counts(lambda service: Cloudwatch(), workflows, now)
    assert len(asked) == 3
    for call in asked:
        queries = call["MetricDataQueries"]
        hours = (call["EndTime"] - call["StartTime"]).total_seconds() // 3600
        assert len(queries) <= 500 and len(queries) * hours <= 100_800
        assert call["EndTime"] > now and call["EndTime"].minute == 0
    assert {
        q["MetricStat"]["Metric"]["Dimensions"][0]["Value"]
        for c in asked
        for q in c["MetricDataQueries"]
    } == set(workflows)
    assert found[workflows[0]].started == 0


def test_where_status_stops_looking_it_says_so_rather_than_no_runs():
    from serverless_fargate.ops import status

    row = {"label": "job", "kind": "schedule", "lastRuns": [], "lookedAt": 2000}
    text = status.render({"stack": "s", "region": "r", "tasks": [row]})
    assert "no runs in the workflow's last 2000 executions" in text and "no runs yet" not in text
    del row["lookedAt"]
    assert "no runs yet" in status.render({"stack": "s", "region": "r", "tasks": [row]})


def test_the_counts_say_how_the_last_runs_ended_to_the_hour():
    """Starts summed over the window; the last end is the latest hour with any end, with
    every outcome of that hour; the last failure orders the reads."""
    from datetime import UTC, datetime

    from serverless_fargate.ops import lookups

    workflow = "arn:aws:states:us-east-1:123456789012:stateMachine:w"
    hour = [datetime(2026, 12, 3, h, tzinfo=UTC) for h in range(24)]
    series = {
        "ExecutionsStarted": ([hour[9], hour[5], hour[2]], [1.0, 2.0, 1.0]),
        "ExecutionsSucceeded": ([hour[9], hour[2]], [1.0, 1.0]),
        "ExecutionsFailed": ([hour[9], hour[5]], [1.0, 2.0]),
        "ExecutionsTimedOut": ([], []),
        "ExecutionsAborted": ([hour[3]], [1.0]),
    }

    class Cloudwatch:
        def get_metric_data(self, **kwargs):
            return {
                "MetricDataResults": [
                    {
                        "Id": q["Id"],
                        "Timestamps": series[q["MetricStat"]["Metric"]["MetricName"]][0],
                        "Values": series[q["MetricStat"]["Metric"]["MetricName"]][1],
                    }
                    for q in kwargs["MetricDataQueries"]
                ]
            }

    (found,) = lookups.run_counts(lambda s: Cloudwatch(), [workflow], hour[12]).values()
    assert found.started == 4 and found.last_started == hour[9]
    assert found.last_ended == hour[9] and found.ended == {"SUCCEEDED": 1, "FAILED": 1}
    assert found.last_failed == hour[9]

"""How `status` reads a run from the ECS tasks it started (ops/lookups.py), without AWS: each
task's group names its execution, copy and attempt (workflow_contract)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from serverless_fargate.ops import lookups
from serverless_fargate.resources import workflow_contract as contract

WORKFLOW = "arn:aws:states:us-east-1:123456789012:stateMachine:AppJobWorkflow-x"
T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def task(n: int, copy: int, run: int, status: str = "STOPPED", code: str = "", exit_: int = 0):
    return {
        "taskArn": f"arn:aws:ecs:us-east-1:123456789012:task/c/t{n}",
        "group": contract.GROUP_FORMAT.format("job-e1", copy, run),
        "lastStatus": status,
        "stopCode": code or contract.FINISHED,
        "containers": [{"name": "job", "exitCode": exit_}],
        "createdAt": T0 + timedelta(seconds=n),
    }


def test_a_run_with_a_copy_ecs_lists_no_task_of_is_not_called_succeeded():
    """Two copies; copy 2's RunTask started nothing (Spot short, no fallback): the execution
    failed, though the one task ECS lists exited 0."""
    (run,) = lookups.ecs_runs("job", WORKFLOW, [task(1, 1, 0)], 5, copies=2)
    assert run["status"] == lookups.UNSEEN_COPY
    (run,) = lookups.ecs_runs("job", WORKFLOW, [task(1, 1, 0), task(2, 2, 0)], 5, copies=2)
    assert run["status"] == "SUCCEEDED"


def test_a_failed_run_shows_the_failed_copy_s_exit_code():
    found = [task(1, 1, 0), task(2, 2, 0, exit_=3)]
    (run,) = lookups.ecs_runs("job", WORKFLOW, found, 5, copies=2)
    assert run["status"] == "FAILED" and run["exitCode"] == 3


def test_a_task_deprovisioning_has_stopped_as_the_workflow_judges():
    (run,) = lookups.ecs_runs("job", WORKFLOW, [task(1, 1, 0, "DEPROVISIONING")], 5)
    assert run["status"] == "SUCCEEDED"
    (run,) = lookups.ecs_runs("job", WORKFLOW, [task(1, 1, 0, "RUNNING")], 5)
    assert run["status"] == "RUNNING"


def test_a_run_s_last_attempt_decides():
    found = [task(1, 1, 0, code="SpotInterruption", exit_=143), task(2, 1, 1)]
    (run,) = lookups.ecs_runs("job", WORKFLOW, found, 5)
    assert run["status"] == "SUCCEEDED" and run["attempts"] == 2


def test_the_copies_a_parameter_gives_are_judged_as_listed():
    assert contract.copies_of({"copies": "3"}) == 3
    assert contract.copies_of({"copies": {"Ref": "Copies"}}) is None
    (run,) = lookups.ecs_runs("job", WORKFLOW, [task(1, 1, 0)], 5, copies=None)
    assert run["status"] == "SUCCEEDED"


def test_a_task_in_both_listings_counts_once_as_its_later_self(monkeypatch):
    """RUNNING and STOPPED are listed side by side: a task that stopped in between is in
    both."""

    class Aws:
        calls = 0

        def __call__(self, service):
            return self

        def first_pages(self, operation, key, pages, cluster, desiredStatus):
            return [task(1, 1, 0)["taskArn"]], False

    described = {"RUNNING": task(1, 1, 0, "RUNNING"), "STOPPED": task(1, 1, 0)}
    listings = iter(["RUNNING", "STOPPED"])

    def ecs_tasks(aws, cluster, arns):
        return [described[next(listings)]]

    monkeypatch.setattr(lookups, "ecs_tasks", ecs_tasks)
    found = lookups.cluster_tasks(Aws(), ["c"], ["RUNNING", "STOPPED"])
    assert [t["lastStatus"] for t in found["c"].tasks] == ["STOPPED"]

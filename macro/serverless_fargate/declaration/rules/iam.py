"""Roles and policies: what the transform can grant, and to which role."""

from __future__ import annotations

from ...errors import Problem, join_path
from ...settings import ROLE_PATH
from .. import fields
from ..resolve import known_flag
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule("iam.policies-role", "A task's Policies need a role the transform creates")
def policies_with_role(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.values.get("Policies") and t.given("TaskRoleArn") and "Policies" in t.own:
        yield Problem(
            t.where("Policies"),
            "Policies cannot be granted with TaskRoleArn: the transform creates no role "
            "for this task; attach the policies to that role, or remove TaskRoleArn",
        )


@rule(
    "iam.declaration-policies",
    "Declaration-level Policies reach only tasks with a created role",
    "declaration",
)
def declaration_policies(d: DeclarationInput) -> Iterator[Problem]:
    if not (isinstance(d.properties.get("Policies"), list) and d.properties["Policies"]):
        return
    for t in d.tasks:
        if t.get("TaskRoleArn") is not None and "Policies" not in t.own:
            yield Problem(
                join_path(t.path, "TaskRoleArn"),
                "this task uses an existing role, so the declaration-level Policies "
                "cannot be granted to it; move Policies to the tasks that need them",
            )


@rule("iam.statement", "Policy statements name an action and a resource")
def statements(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    policies = t.get("Policies")
    if "Policies" not in t.own or not isinstance(policies, list):
        return
    own = t.own["Policies"]
    for index, statement in enumerate(own if isinstance(own, list) else []):
        if not isinstance(statement, dict) or len(statement) == 1:
            continue  # an ARN or an intrinsic
        at = join_path(t.path, "Policies", index)
        if "Action" not in statement and "NotAction" not in statement:
            yield Problem(at, "a statement needs Action (or NotAction): IAM refuses it without")
        if "Resource" not in statement and "NotResource" not in statement:
            yield Problem(at, "a statement needs Resource (or NotResource): IAM refuses it without")


@rule("iam.runner-roles", "Roles passed by the Spot runner are under the project's role path")
def runner_roles(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    spot = t.get("Spot")
    if t.kind != "schedule" or spot in (None, False):
        return
    given = spot if isinstance(spot, dict) else {}
    fallback = known_flag(given.get("Fallback"), d.parameters, fields.SPOT["Fallback"].default)
    rerun = known_flag(
        given.get("RerunOnInterruption"),
        d.parameters,
        fields.SPOT["RerunOnInterruption"].default,
    )
    if not (fallback or rerun):
        return
    for key in ("TaskRoleArn", "ExecutionRoleArn"):
        value = t.get(key)
        if isinstance(value, str) and f":role{ROLE_PATH}" not in value:
            yield Problem(
                t.where(key),
                f"a Spot scheduled task with Fallback or RerunOnInterruption is started by "
                f"the ServerlessFargate runner, which may pass only roles under the path "
                f"{ROLE_PATH}: give the role that path, leave {key} out, or set Spot "
                f"Fallback: false",
            )


@rule(
    "iam.boundary",
    "Roles shared by all tasks get one PermissionsBoundary",
    "declaration",
)
def shared_boundary(d: DeclarationInput) -> Iterator[Problem]:
    if "PermissionsBoundary" in d.properties or "PermissionsBoundary" in d.inherited:
        return
    if len({repr(t.get("PermissionsBoundary")) for t in d.tasks}) > 1:
        yield Problem(
            join_path(d.path, "PermissionsBoundary"),
            "tasks set different PermissionsBoundary values, but the execution and schedule "
            "roles are shared by all tasks: set PermissionsBoundary here, at the declaration "
            "level",
        )

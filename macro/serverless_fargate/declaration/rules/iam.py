"""Roles and policies: what the transform can grant, and to which role."""

from __future__ import annotations

from ...errors import Problem, join_path
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule(
    "iam.policies-role", "A task's Policies need a role the transform creates", reads=("Policies",)
)
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


@rule("iam.statement", "Policy statements name an action and a resource", reads=("Policies",))
def statements(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    policies = t.get("Policies")
    if "Policies" not in t.own or not isinstance(policies, list):
        return
    own = t.own["Policies"]
    for index, statement in enumerate(own if isinstance(own, list) else []):
        if not isinstance(statement, dict) or len(statement) == 1:
            continue  # an ARN or an intrinsic
        if "Action" not in statement and "NotAction" not in statement:
            yield Problem(
                join_path(t.path, "Policies", index),
                "a statement needs Action (or NotAction): IAM refuses it without",
            )
        if "Resource" not in statement and "NotResource" not in statement:
            yield Problem(
                join_path(t.path, "Policies", index),
                "a statement needs Resource (or NotResource): IAM refuses it without",
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

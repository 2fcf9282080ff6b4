"""Callers: the functions of the template that may start runs of a task, and where their
permission goes.

A SAM function without its own `Role` gets the grant as one more entry of its `Policies` (SAM
writes it into the role it creates). Any other caller (an `AWS::Lambda::Function`, which is
what a SAM function is once SAM's transform has run first, or a SAM function with `Role`) gets
a generated `AWS::IAM::Policy` attached to its execution role, named here from its `Role`.
"""

from __future__ import annotations

from ..intrinsics import is_intrinsic

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

SAM_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SAM_FUNCTION, LAMBDA_FUNCTION)
ROLE_TYPE = "AWS::IAM::Role"


def variable(task_key: str) -> str:
    """The caller's environment variable holding a task's workflow ARN."""
    return "SERVERLESS_FARGATE_" + task_key.upper().replace("-", "_") + "_WORKFLOW"


def uses_policies(function: dict[str, Any]) -> bool:
    """Whether the grant goes into the function's own Policies (SAM creates its role)."""
    properties = function.get("Properties")
    return function.get("Type") == SAM_FUNCTION and not (
        isinstance(properties, dict) and properties.get("Role") is not None
    )


def role_name(function: dict[str, Any], resources: dict[str, Any]) -> Any:
    """The name of a caller's execution role, for AWS::IAM::Policy's Roles; None when it
    cannot be known (a role given by an intrinsic other than Fn::GetAtt of a role here)."""
    properties = function.get("Properties")
    role = properties.get("Role") if isinstance(properties, dict) else None
    if isinstance(role, str):
        # arn:aws:iam::123456789012:role/optional/path/name: the name is the last part.
        return role.rsplit("/", 1)[-1] if role.startswith("arn:") and ":role/" in role else None
    if not isinstance(role, dict) or not is_intrinsic(role):
        return None
    target = role.get("Fn::GetAtt")
    if isinstance(target, str):
        target = target.split(".", 1)
    if (
        isinstance(target, list)
        and len(target) == 2
        and target[1] == "Arn"
        and isinstance(resources.get(target[0]), dict)
        and resources[target[0]].get("Type") == ROLE_TYPE
    ):
        return {"Ref": target[0]}  # Ref of an AWS::IAM::Role is its name
    return None

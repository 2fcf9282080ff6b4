"""Names shared by the macro and the SAM application that installs it."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

RESOURCES_FUNCTION_NAME = "ServerlessFargate-resources"
# Tags the transform puts on what it creates: labels for people and tools (`status`); no
# permission depends on them.
MANAGED_TAG = "serverless-fargate:managed"
FALLBACK_SERVICE_TAG = "serverless-fargate:fallback-service"
FALLBACK_FOR_TAG = "serverless-fargate:fallback-for"
# On a Spot service with fallback: its own logical ID, which its twin's FALLBACK_FOR_TAG names.
SERVICE_ID_TAG = "serverless-fargate:service"
# On a standalone task's definition: its Timeout in seconds, for whoever starts it.
TIMEOUT_TAG = "serverless-fargate:timeout"
# The Metadata key on each generated task definition naming its declaration, task key and kind:
# how `serverless-fargate status/run/logs/exec` find the tasks of a deployed stack.
METADATA_KEY = "ServerlessFargate"
ROLE_PATH = "/serverless-fargate/"
# Custom resources: how long CloudFormation waits for an answer (its default is an hour). The
# lookup function answers within its own timeout (120 s, template.yaml), even when it fails.
SERVICE_TIMEOUT = 240


def application_function_arn(function_name: str = RESOURCES_FUNCTION_NAME) -> dict[str, Any]:
    """ARN of one of the SAM application's functions (default: the deploy-time lookup Lambda)."""
    return {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
        + function_name
    }

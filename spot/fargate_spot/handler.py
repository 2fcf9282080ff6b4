"""The Spot Lambda: ECS Service Action events of Spot services with fallback (a thin adapter).

Every fallback is logged as one structured line (service, twin, cluster, reason), so users can
count them in CloudWatch Logs Insights. It acts only on what the event names and the services'
own tags say; it never takes a task definition, a command or a role from an event.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from botocore.config import Config

from . import fallback

logger = Logger(service="serverless-fargate-spot")


@lru_cache(maxsize=1)
def ecs() -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return boto3.client("ecs", region_name=region, config=Config(retries={"mode": "standard"}))


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    kind = event.get("detail-type")
    if kind == "ECS Service Action":
        outcome = fallback.on_service_action(ecs(), event)
        message = {"fallback": "spot fallback", "back-to-spot": "back to spot"}.get(
            outcome["action"], "no change"
        )
    else:
        outcome, message = {"action": "none", "why": f"unknown event {kind!r}"}, "ignored"
    logger.info(message, extra=outcome)
    return outcome

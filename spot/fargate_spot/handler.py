"""The Spot Lambda: ECS events (service fallback, reruns) and scheduled runs (a thin adapter).

Every fallback and rerun is logged as one structured line (task, cluster, reason), so users can
count them in CloudWatch Logs Insights.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from botocore.config import Config

from . import fallback, rerun, runner

logger = Logger(service="serverless-fargate-spot")


@lru_cache(maxsize=1)
def ecs() -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return boto3.client("ecs", region_name=region, config=Config(retries={"mode": "standard"}))


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    kind = event.get("detail-type") or event.get("action")
    if kind == "run":
        outcome = runner.run(ecs(), event)
        message = "spot fallback" if outcome.get("fallback") else "scheduled run started"
    elif kind == "ECS Service Action":
        outcome = fallback.on_service_action(ecs(), event)
        message = {"fallback": "spot fallback", "back-to-spot": "back to spot"}.get(
            outcome["action"], "no change"
        )
    elif kind == "ECS Task State Change":
        outcome = rerun.on_task_stopped(ecs(), event)
        message = "spot rerun" if outcome["action"] == "rerun" else "no change"
    else:
        outcome, message = {"action": "none", "why": f"unknown event {kind!r}"}, "ignored"
    logger.info(message, extra=outcome)
    return outcome

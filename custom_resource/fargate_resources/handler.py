"""The lookup Lambda: crhelper dispatch by custom resource type (a thin adapter).

crhelper answers CloudFormation on every path, exceptions and near-timeouts included; `Answer`
makes sure each answer is one CloudFormation accepts (a non-empty physical ID, the timeout path
included) and that a Delete never answers FAILED. The generated custom resources carry a
`ServiceTimeout`, so even a function that dies before answering holds a stack for minutes,
not an hour.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from crhelper import CfnResource
from crhelper import utils as crhelper_utils
from crhelper.resource_helper import FAILED, SUCCESS

from . import capacity_providers, default_network, image_digests, origin
from .clients import client

logger = Logger(service="serverless-fargate-resources")

# The whole answer may be at most 4,096 bytes, and a physical ID at most 1 KB
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
ANSWER_LIMIT = 4096
CUT = " ... (cut to fit CloudFormation's 4,096 bytes)"

Job = tuple[
    Callable[[dict[str, Any], Any], tuple[str, dict[str, Any]]], Callable[[dict[str, Any]], None]
]


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _stable_id(event: dict[str, Any], kind: str) -> str:
    """The existing physical ID on Update (same thing, same ID), a new one on Create."""
    if event.get("PhysicalResourceId"):
        return event["PhysicalResourceId"]
    stack = event["StackId"].split("/")[1] if "/" in event.get("StackId", "") else "stack"
    return f"{stack}-{event['LogicalResourceId']}-{kind}"


# --- Custom::ImageDigests -------------------------------------------------------------------


def images_upsert(event: dict[str, Any], _old: Any) -> tuple[str, dict[str, Any]]:
    props = event["ResourceProperties"]
    digests, images = props.get("Digests") or {}, props.get("Images") or {}
    # One key per image across both maps (the macro keys each by the first task using it).
    wanted = {**images, **digests}
    try:
        pinned = image_digests.resolve(wanted, lambda region: client("ecr", region))
    except image_digests.ImageNotFound as error:
        kept = image_digests.remembered(event.get("PhysicalResourceId") or "", wanted)
        if kept is None:
            raise
        # The same images as the last answer (a rollback, or a deploy that changed no image):
        # a tag deleted since must not stop the stack; the digests pinned then still stand.
        logger.warning("lookup failed; the last answer stands", extra={"reason": str(error)})
        pinned = kept
    logger.info("images pinned", extra={"images": pinned})
    answer = {
        key: uri.rsplit("@", 1)[-1] if key in digests else uri  # the digest alone, or all
        for key, uri in pinned.items()
    }
    return image_digests.physical_id(wanted, pinned), answer


# --- Custom::CapacityProviders --------------------------------------------------------------


def providers_upsert(event: dict[str, Any], old: Any) -> tuple[str, dict[str, Any]]:
    props = event["ResourceProperties"]
    cluster = props["Cluster"]
    capacity_providers.check_asked(props.get("CapacityProviders"))
    arn, added = capacity_providers.ensure_with_retries(
        client("ecs", _region()), cluster, list(capacity_providers.PROVIDERS)
    )
    logger.info("capacity providers", extra={"cluster": arn, "added": added})
    previous = capacity_providers.parse_physical_id(event.get("PhysicalResourceId") or "")
    if old is not None and previous is not None and previous[0] == arn:
        # Same cluster: keep the ID, which remembers what the first Create added.
        physical = capacity_providers.physical_id(arn, sorted(set(previous[1]) | set(added)))
        return physical, {"ClusterArn": arn}
    return capacity_providers.physical_id(arn, added), {"ClusterArn": arn}


# --- Custom::DefaultNetwork -----------------------------------------------------------------


def network_upsert(event: dict[str, Any], _old: Any) -> tuple[str, dict[str, Any]]:
    found = default_network.lookup(client("ec2", _region()), _region())
    logger.info("default network", extra=found)
    return found["VpcId"], found


def _nothing(_event: dict[str, Any]) -> None:
    """Lookups create nothing, so deleting them has nothing to undo."""


JOBS: dict[str, Job] = {
    "Custom::ImageDigests": (images_upsert, _nothing),
    # FARGATE and FARGATE_SPOT stay on delete: they cost nothing, and another stack on the same
    # cluster may rely on them without a task running right now.
    "Custom::CapacityProviders": (providers_upsert, _nothing),
    "Custom::DefaultNetwork": (network_upsert, _nothing),
}


class Answer(CfnResource):  # type: ignore[misc]
    """crhelper with two guarantees on every answer it sends, whichever path sends it; and no
    answer, nor any action, for a request that is not CloudFormation's for a stack of this
    function's own account and region (origin.py)."""

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        why = origin.refusal(
            event, _region(), origin.account_of(context), origin.partition_of(context)
        )
        if why is not None:
            logger.error(
                "request refused",
                extra={
                    "why": why,
                    "stack": event.get("StackId"),
                    "resource": event.get("LogicalResourceId"),
                    # Where it wanted the answer, without the query (a signature, if any).
                    "response_url": str(event.get("ResponseURL") or "").split("?", 1)[0],
                },
            )
            return
        super().__call__(event, context)

    def _send(self, status: Any = None, reason: str = "", **kwargs: Any) -> None:
        event = getattr(self, "_event", None) or {}
        if not self.PhysicalResourceId:
            # crhelper's timeout and top-level failure paths send an empty ID on Create, which
            # CloudFormation rejects: it then waits for the service timeout.
            self.PhysicalResourceId = event.get("PhysicalResourceId") or _stable_id(event, "failed")
        if event.get("RequestType") == "Delete" and FAILED in (status, self.Status):
            # Nothing a lookup made needs undoing: a Delete that cannot finish still succeeds.
            logger.warning("delete answered SUCCESS after %s", reason or self.Reason)
            status, reason, self.Status, self.Reason = SUCCESS, "", SUCCESS, ""
        # crhelper keeps only the last 240 characters of a long reason; the first problem
        # matters most, so the reason is cut here instead, to what the answer has room for.
        full = str(reason if status else self.Reason)

        def deliver(url: str, body: dict[str, Any], verify: Any) -> None:
            if body.get("Reason"):
                body["Reason"] = full
            _put(url, fitted(body), verify)

        kwargs.setdefault("send_response", deliver)
        super()._send(status, reason, **kwargs)  # type: ignore[misc]


def _size(body: dict[str, Any]) -> int:
    return len(json.dumps(body).encode())  # as crhelper sends it


def fitted(body: dict[str, Any]) -> dict[str, Any]:
    """The answer within ANSWER_LIMIT: a long reason is cut at its end; an answer whose data
    would not fit (the macro plans lookups so that none does) fails, saying so."""
    if _size(body) <= ANSWER_LIMIT:
        return body
    reason = str(body.get("Reason") or "")
    low, high = 0, len(reason)  # the longest start of the reason that fits
    while low < high:
        middle = (low + high + 1) // 2
        if _size({**body, "Reason": reason[:middle] + CUT}) <= ANSWER_LIMIT:
            low = middle
        else:
            high = middle - 1
    if reason and _size({**body, "Reason": reason[:low] + CUT}) <= ANSWER_LIMIT:
        return {**body, "Reason": reason[:low] + CUT}
    logger.error("answer too large", extra={"bytes": _size(body), "data": body.get("Data")})
    return {
        **body,
        "Status": FAILED,
        "Data": {},
        "Reason": f"the answer ({_size(body)} bytes) would exceed CloudFormation's 4,096 bytes",
    }


def _put(url: str, body: dict[str, Any], ssl_verify: Any) -> None:
    """The one place an answer leaves the function: a PUT to CloudFormation's URL."""
    crhelper_utils._send_response(url, body, ssl_verify)  # type: ignore[attr-defined]


def make_helper(sleep_on_delete: int = 0, ssl_verify: Any = None) -> CfnResource:
    """A crhelper resource wired to the jobs (tests trust their own CA).

    No sleep on delete: crhelper's default waits two minutes so that the function's own logs
    can flush before its stack goes, but this function lives in another stack.
    """
    helper = Answer(
        json_logging=False,
        log_level="INFO",
        boto_level="ERROR",
        sleep_on_delete=sleep_on_delete,
        ssl_verify=ssl_verify,
    )

    def job_for(event: dict[str, Any]) -> Job:
        kind = event.get("ResourceType", "")
        if kind not in JOBS:
            raise ValueError(
                f"unknown resource type {kind!r}; this Lambda answers {', '.join(JOBS)}"
            )
        return JOBS[kind]

    @helper.create
    @helper.update
    def upsert(event: dict[str, Any], _context: Any) -> str:
        old = event.get("OldResourceProperties")
        physical, data = job_for(event)[0](event, old)
        helper.Data.update(data)
        return physical

    @helper.delete
    def delete(event: dict[str, Any], _context: Any) -> None:
        # Deleting must never fail a stack: a job that cannot undo logs and moves on.
        try:
            job_for(event)[1](event)
        except Exception:  # noqa: BLE001
            logger.exception(
                "delete left something behind", extra={"event": event.get("LogicalResourceId")}
            )

    return helper


_helper: CfnResource | None = None


def handler(event: dict[str, Any], context: Any) -> None:
    global _helper  # one helper per Lambda container, made on first use
    if _helper is None:
        _helper = make_helper()
    _helper(event, context)

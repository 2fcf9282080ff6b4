"""Custom::CapacityProviders: add FARGATE and FARGATE_SPOT to an existing, maybe shared, cluster.

Unlike AWS::ECS::ClusterCapacityProviderAssociations, which replaces a cluster's whole set,
this adds only what is missing and keeps the cluster's other providers and default strategy
(read, merge, write). It runs on every deploy (the macro gives it a new Nonce), so providers
someone else removed come back. It never removes them: they cost nothing, and another stack on
the cluster may rely on them with no task running right now. ECS replaces the whole list on each
write, so after its write it reads the list again and fails, naming them, if providers it kept or
added were dropped by a concurrent write. The physical ID records what the
first Create added, for the record only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)
SEPARATOR = "|"
# What this function adds, whatever a request asks: it may change only this on other clusters.
PROVIDERS = ("FARGATE", "FARGATE_SPOT")
# ECS refuses concurrent updates of one cluster (two stacks deploying at once):
# UpdateInProgressException. Waits between attempts, in seconds (about a minute in all).
RETRY_WAITS = (1, 2, 4, 8, 16, 30)
# Reads after the write before a missing provider counts as lost (ECS may answer a read
# with the list before the write for a moment).
CHECK_WAITS = (1, 2, 4)


class ClusterNotFound(Exception):
    pass


class ConcurrentChange(Exception):
    """A provider this call meant to keep or add is not on the cluster after its write."""


def check_asked(asked: Any) -> None:
    """The templates the macro writes ask for exactly PROVIDERS; a request asking for another
    provider did not come from one, and fails rather than being quietly trimmed."""
    others = [p for p in asked or [] if p not in PROVIDERS]
    if not isinstance(asked, list | None) or others:
        raise ValueError(
            f"CapacityProviders {others or asked!r}: this function adds only FARGATE and "
            "FARGATE_SPOT to a cluster"
        )


def _describe(ecs: Any, cluster: str) -> dict[str, Any] | None:
    answer = ecs.describe_clusters(clusters=[cluster])
    found = [c for c in answer.get("clusters", []) if c.get("status") != "INACTIVE"]
    return found[0] if found else None


def _lost(
    ecs: Any, arn: str, kept: list[str], sleep: Callable[[float], None]
) -> tuple[list[str], list[str]]:
    """(providers of `kept` not on the cluster after the write, the cluster's providers)."""
    for wait in (*CHECK_WAITS, None):
        now = list((_describe(ecs, arn) or {}).get("capacityProviders", []))
        lost = [p for p in kept if p not in now]
        if not lost or wait is None:
            return lost, now
        sleep(wait)
    raise AssertionError("unreachable")


def ensure(
    ecs: Any, cluster: str, wanted: list[str], sleep: Callable[[float], None] = time.sleep
) -> tuple[str, list[str]]:
    """(cluster ARN, providers this call added).

    PutClusterCapacityProviders replaces the cluster's list ("providers omitted ... will be
    disassociated": https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html)
    and has no condition on what was read. So the list is read again after the write: a
    provider that was there, or that this call added, and is gone was dropped by a concurrent
    write (this one's or the other's), and the deploy fails saying which, rather than leaving
    it dropped in silence."""
    found = _describe(ecs, cluster)
    if found is None:
        raise ClusterNotFound(
            f"ECS cluster {cluster!r} not found: check the declaration's Cluster property, or "
            "leave it out to let the transform create a cluster"
        )
    existing = list(found.get("capacityProviders", []))
    missing = [p for p in wanted if p not in existing]
    if missing:
        ecs.put_cluster_capacity_providers(
            cluster=found["clusterArn"],
            capacityProviders=existing + missing,
            defaultCapacityProviderStrategy=found.get("defaultCapacityProviderStrategy", []),
        )
        lost, now = _lost(ecs, found["clusterArn"], existing + missing, sleep)
        if lost:
            raise ConcurrentChange(
                f"capacity providers {lost} are no longer on ECS cluster {cluster!r} (now "
                f"{now}): another change of its capacity providers ran at the same time, and "
                "ECS replaces the whole list on each change. Check what else changes this "
                "cluster's capacity providers, put back any it needs, then deploy again"
            )
    return found["clusterArn"], missing


def ensure_with_retries(
    ecs: Any, cluster: str, wanted: list[str], sleep: Callable[[float], None] = time.sleep
) -> tuple[str, list[str]]:
    """`ensure`, again from a fresh read while another update of the cluster is in progress."""
    for wait in (*RETRY_WAITS, None):
        try:
            return ensure(ecs, cluster, wanted, sleep)
        except ecs.exceptions.UpdateInProgressException:
            if wait is None:
                raise
            logger.info("cluster %s is being updated; again in %s s", cluster, wait)
            sleep(wait)
    raise AssertionError("unreachable")


def physical_id(cluster_arn: str, added: list[str]) -> str:
    return f"{cluster_arn}{SEPARATOR}{','.join(added)}"


def parse_physical_id(value: str) -> tuple[str, list[str]] | None:
    if SEPARATOR not in value or not value.startswith("arn:"):
        return None  # never created (a failed Create's placeholder ID)
    cluster_arn, added = value.split(SEPARATOR, 1)
    return cluster_arn, [p for p in added.split(",") if p]

"""Custom::CapacityProviders: add FARGATE and FARGATE_SPOT to an existing, maybe shared, cluster.

Unlike AWS::ECS::ClusterCapacityProviderAssociations, which replaces a cluster's whole set,
this adds only what is missing and keeps the cluster's other providers and default strategy
(read, merge, write). It runs on every deploy (the macro gives it a new Nonce), so providers
someone else removed come back. It never removes them: they cost nothing, and another stack on
the cluster may rely on them with no task running right now. The physical ID records what the
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


class ClusterNotFound(Exception):
    pass


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


def ensure(ecs: Any, cluster: str, wanted: list[str]) -> tuple[str, list[str]]:
    """(cluster ARN, providers this call added)."""
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
    return found["clusterArn"], missing


def ensure_with_retries(
    ecs: Any, cluster: str, wanted: list[str], sleep: Callable[[float], None] = time.sleep
) -> tuple[str, list[str]]:
    """`ensure`, again from a fresh read while another update of the cluster is in progress."""
    for wait in (*RETRY_WAITS, None):
        try:
            return ensure(ecs, cluster, wanted)
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

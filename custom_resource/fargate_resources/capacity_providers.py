"""Custom::CapacityProviders: add FARGATE and FARGATE_SPOT to an existing, maybe shared, cluster.

Unlike AWS::ECS::ClusterCapacityProviderAssociations, which replaces a cluster's whole set,
this adds only what is missing and keeps the cluster's default strategy. The physical ID
records what was added, so Delete removes exactly that and leaves the cluster as found.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)
SEPARATOR = "|"


class ClusterNotFound(Exception):
    pass


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


def physical_id(cluster_arn: str, added: list[str]) -> str:
    return f"{cluster_arn}{SEPARATOR}{','.join(added)}"


def parse_physical_id(value: str) -> tuple[str, list[str]] | None:
    if SEPARATOR not in value or not value.startswith("arn:"):
        return None  # never created (a failed Create's placeholder ID)
    cluster_arn, added = value.split(SEPARATOR, 1)
    return cluster_arn, [p for p in added.split(",") if p]


def remove_added(ecs: Any, value: str) -> None:
    """Undo what Create added; a cluster already gone, or providers in use, is left alone."""
    parsed = parse_physical_id(value)
    if parsed is None:
        return
    cluster_arn, added = parsed
    if not added:
        return
    found = _describe(ecs, cluster_arn)
    if found is None:
        return
    default = found.get("defaultCapacityProviderStrategy", [])
    in_default = {item["capacityProvider"] for item in default}
    keep = [p for p in found.get("capacityProviders", []) if p not in added or p in in_default]
    if keep == found.get("capacityProviders", []):
        return
    try:
        ecs.put_cluster_capacity_providers(
            cluster=cluster_arn, capacityProviders=keep, defaultCapacityProviderStrategy=default
        )
    except Exception as error:  # noqa: BLE001 - in use by someone else's services: leave it
        logger.warning("left capacity providers on %s: %s", cluster_arn, error)

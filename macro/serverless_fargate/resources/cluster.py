"""The ECS cluster: created with FARGATE and FARGATE_SPOT, or an existing one joined to them."""

from __future__ import annotations

from ..declaration.model import Declaration
from ..intrinsics import escape, get_att, ref, sub
from ..settings import SERVICE_TIMEOUT
from . import names
from .common import with_tags

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

CAPACITY_PROVIDERS = ["FARGATE", "FARGATE_SPOT"]
_ARN_PREFIX = "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/"


def resources(d: Declaration, service_token: Any, nonce: str) -> dict[str, Any]:
    if d.cluster is not None:
        # An existing, maybe shared, cluster: add the providers without touching the rest
        # (AWS::ECS::ClusterCapacityProviderAssociations would replace the whole set).
        return {
            names.capacity_providers(d): {
                "Type": "Custom::CapacityProviders",
                "Properties": {
                    "ServiceToken": service_token,
                    "ServiceTimeout": SERVICE_TIMEOUT,
                    # New on every deploy: the providers are checked again each time.
                    "Nonce": nonce,
                    "Cluster": d.cluster,
                    "CapacityProviders": CAPACITY_PROVIDERS,
                },
            }
        }
    properties: dict[str, Any] = {}
    if d.cluster_name:
        properties["ClusterName"] = d.cluster_name
    properties["CapacityProviders"] = CAPACITY_PROVIDERS
    properties["DefaultCapacityProviderStrategy"] = [{"CapacityProvider": "FARGATE", "Weight": 1}]
    if d.container_insights:
        properties["ClusterSettings"] = [
            {"Name": "containerInsights", "Value": d.container_insights}
        ]
    return {
        names.cluster(d): {"Type": "AWS::ECS::Cluster", "Properties": with_tags(properties, d.tags)}
    }


def dependencies(d: Declaration) -> list[str]:
    """What services and schedules must wait for: the providers joined to an existing cluster."""
    return [names.capacity_providers(d)] if d.cluster is not None else []


def reference(d: Declaration) -> Any:
    """The cluster as ECS services take it (name or ARN)."""
    return d.cluster if d.cluster is not None else ref(names.cluster(d))


def cluster_name(d: Declaration) -> Any:
    if d.cluster is None:
        return ref(names.cluster(d))
    if isinstance(d.cluster, str):
        return d.cluster.rsplit("cluster/", 1)[-1]
    if d.cluster_is_arn:
        # arn:aws:ecs:region:account:cluster/NAME
        return {"Fn::Select": [1, {"Fn::Split": ["/", d.cluster]}]}
    return d.cluster  # an intrinsic taken as the cluster's name (see docs/reference.md)


def arn(d: Declaration) -> Any:
    if d.cluster is None:
        return get_att(names.cluster(d), "Arn")
    if isinstance(d.cluster, str) and d.cluster.startswith("arn:"):
        return d.cluster
    if d.cluster_is_arn:
        return d.cluster
    name = cluster_name(d)
    if isinstance(name, str):
        return sub(_ARN_PREFIX + escape(name))
    return sub(_ARN_PREFIX + "${Name}", {"Name": name})

"""The cluster: settings of a created one, and the metrics queue-based scaling reads."""

from __future__ import annotations

from ...errors import Problem, join_path
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule(
    "cluster.insights",
    "Queue-based autoscaling has the Container Insights metric it reads",
    "declaration",
)
def insights_for_queues(d: DeclarationInput) -> Iterator[Problem]:
    if (
        d.properties.get("ContainerInsights") not in ("disabled", False)
        or "Cluster" in d.properties
    ):
        return
    queued = [t.key for t in d.tasks if _queue(t)]
    if queued:
        yield Problem(
            join_path(d.path, "ContainerInsights"),
            f"queue-based Autoscaling of {', '.join(queued)} reads the service's running "
            "task count from Container Insights: enable it or leave this out",
        )


def _queue(t: TaskInput) -> bool:
    service = t.get("Service")
    scaling = service.get("Autoscaling") if isinstance(service, dict) else None
    return t.kind == "service" and isinstance(scaling, dict) and scaling.get("Queue") is not None


@rule(
    "cluster.existing",
    "Settings of a created cluster are not given with an existing Cluster",
    "declaration",
)
def existing_cluster(d: DeclarationInput) -> Iterator[Problem]:
    if "Cluster" not in d.properties:
        return
    for key in ("ClusterName", "ContainerInsights"):
        if key in d.properties:
            yield Problem(
                join_path(d.path, key),
                f"applies to a created cluster only; with Cluster the existing cluster's "
                f"settings are used: remove {key} or Cluster",
            )

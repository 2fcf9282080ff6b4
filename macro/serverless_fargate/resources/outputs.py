"""Stack outputs: the cluster ARN and, per task, its task definition and service or schedule."""

from __future__ import annotations

from ..declaration.model import Declaration
from ..intrinsics import get_att, ref
from . import cluster, names

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def outputs(d: Declaration) -> dict[str, Any]:
    if not d.outputs:
        return {}
    out: dict[str, Any] = {
        names.cluster_output(d): {
            "Description": f"ECS cluster of {d.logical_id}",
            "Value": cluster.arn(d),
        }
    }
    for t in d.tasks:
        out[names.task_definition_output(d, t)] = {
            "Description": f"Task definition of {t.key}",
            "Value": ref(names.task_definition(d, t)),
        }
        if t.kind == "service":
            out[names.service_output(d, t)] = {
                "Description": f"ECS service of {t.key}",
                "Value": ref(names.service(d, t)),
            }
        elif t.kind == "schedule":
            out[names.schedule_output(d, t)] = {
                "Description": f"Schedule of {t.key}",
                "Value": get_att(names.schedule(d, t), "Arn"),
            }
    if d.scheduled:
        out[names.workflow_output(d)] = {
            "Description": f"Workflow (Step Functions) that runs the scheduled tasks of "
            f"{d.logical_id}",
            "Value": ref(names.workflow(d)),
        }
    return out

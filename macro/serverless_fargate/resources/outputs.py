"""Stack outputs: the cluster ARN and, per task, its task definition and service or schedule;
the log group and the network, for `serverless-fargate run` and users' own scripts."""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import get_att, ref
from . import cluster, names, network

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
    for t in d.scheduled:
        out[names.workflow_output(d, t)] = {
            "Description": f"Workflow (Step Functions) that runs {t.key} of {d.logical_id}",
            "Value": ref(names.workflow(d, t)),
        }
    out[names.log_group_output(d)] = {
        "Description": f"Log group of the tasks of {d.logical_id} (a task's stream: "
        "<task key>/<task key>/<ECS task ID>)",
        "Value": ref(names.log_group(d)),
    }
    shared = all(t.network == d.tasks[0].network for t in d.tasks)
    scopes: list[Task | None] = [None] if shared else list(d.tasks)
    for scope in scopes:
        out.update(_network(d, scope))
    return out


def _network(d: Declaration, t: Task | None) -> dict[str, Any]:
    """Comma-separated subnets and security groups, ENABLED/DISABLED public IP: what
    `aws ecs run-task --network-configuration` takes. No security groups: the VPC's default."""
    config = network.awsvpc(d, t or d.tasks[0])["AwsvpcConfiguration"]
    whose = f"task {t.key}" if t else f"the tasks of {d.logical_id}"
    out: dict[str, Any] = {
        names.subnets_output(d, t): {
            "Description": f"Subnets of {whose}",
            "Value": {"Fn::Join": [",", config["Subnets"]]},
        }
    }
    if "SecurityGroups" in config:
        out[names.security_groups_output(d, t)] = {
            "Description": f"Security groups of {whose}",
            "Value": {"Fn::Join": [",", config["SecurityGroups"]]},
        }
    out[names.assign_public_ip_output(d, t)] = {
        "Description": f"Whether {whose} get a public IP (ENABLED or DISABLED)",
        "Value": config["AssignPublicIp"],
    }
    return out

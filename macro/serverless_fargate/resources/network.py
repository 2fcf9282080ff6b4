"""Where tasks run: the declared subnets, or the default VPC found at deploy time."""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import get_att
from ..settings import SERVICE_TIMEOUT
from . import names
from .common import enabled, with_tags

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def resources(d: Declaration, service_token: Any) -> dict[str, Any]:
    if not d.default_vpc:
        return {}
    out: dict[str, Any] = {
        names.default_network(d): {
            "Type": "Custom::DefaultNetwork",
            "Properties": {"ServiceToken": service_token, "ServiceTimeout": SERVICE_TIMEOUT},
        }
    }
    if d.default_security_group:
        out[names.security_group(d)] = {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": with_tags(
                {
                    "GroupDescription": f"Fargate tasks of {d.logical_id}: outbound only",
                    "VpcId": get_att(names.default_network(d), "VpcId"),
                    "SecurityGroupEgress": [
                        {
                            "IpProtocol": "-1",
                            "CidrIp": "0.0.0.0/0",
                            "Description": "pull images, call AWS APIs",
                        }
                    ],
                },
                d.tags,
            ),
        }
    return out


def awsvpc(d: Declaration, t: Task) -> dict[str, Any]:
    """A task's NetworkConfiguration, as both ECS services and Scheduler's ECS targets take it."""
    network = t.network
    subnets = network.subnets
    groups = network.security_groups
    if subnets is None:
        subnets = {"Fn::Split": [",", get_att(names.default_network(d), "SubnetIds")]}
        if groups is None:
            groups = [get_att(names.security_group(d), "GroupId")]
    config: dict[str, Any] = {"Subnets": subnets}
    if groups is not None:
        config["SecurityGroups"] = groups
    config["AssignPublicIp"] = enabled(network.assign_public_ip)
    return {"AwsvpcConfiguration": config}

"""Custom::DefaultNetwork: the region's default VPC and its default-for-AZ subnets."""

from __future__ import annotations

from typing import Any


class NoDefaultVpc(Exception):
    pass


# crhelper keeps 256 characters of a failure reason: keep the whole advice within that.
HOW_TO_FIX = (
    "add Network: {Subnets: [subnet-...], SecurityGroups: [sg-...]} to the Fargate::Tasks "
    "resource, or run `aws ec2 create-default-vpc`"
)


def lookup(ec2: Any, region: str) -> dict[str, str]:
    """{"VpcId": ..., "SubnetIds": "subnet-a,subnet-b"}: comma-joined, as data are strings."""
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}]).get("Vpcs", [])
    if not vpcs:
        raise NoDefaultVpc(f"No default VPC in {region}: {HOW_TO_FIX}")
    vpc_id = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "default-for-az", "Values": ["true"]},
        ]
    ).get("Subnets", [])
    if not subnets:
        raise NoDefaultVpc(f"Default VPC {vpc_id} has no default subnets: {HOW_TO_FIX}")
    ids = sorted(s["SubnetId"] for s in subnets)
    return {"VpcId": vpc_id, "SubnetIds": ",".join(ids)}

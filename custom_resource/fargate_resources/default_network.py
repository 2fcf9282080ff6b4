"""Custom::DefaultNetwork: the region's default VPC and those of its default subnets where
Fargate tasks can run and reach the internet (to pull images, call AWS APIs).

Checked before any task depends on them: a subnet in an Availability Zone ID where the region
does not run Fargate (fargate_zones.py) or whose route table sends nothing to an internet
gateway is left out; none left fails the deploy with the `Network` to write instead.
"""

from __future__ import annotations

from typing import Any

from .fargate_zones import ZONES


class NoDefaultVpc(Exception):
    pass


# crhelper keeps 256 characters of a failure reason: keep the whole advice within that.
HOW_TO_FIX = (
    "add Network: {Subnets: [subnet-...], SecurityGroups: [sg-...]} to the Fargate::Tasks "
    "resource, or run `aws ec2 create-default-vpc`"
)


def _routes_to_internet(ec2: Any, vpc_id: str) -> tuple[bool, set[str], set[str]]:
    """(main table reaches an internet gateway, subnets whose own table does, whose doesn't)."""
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]).get(
        "RouteTables", []
    )
    main = False
    good: set[str] = set()
    bad: set[str] = set()
    for table in tables:
        reaches = any(
            route.get("DestinationCidrBlock") == "0.0.0.0/0"
            and str(route.get("GatewayId", "")).startswith("igw-")
            and route.get("State", "active") == "active"
            for route in table.get("Routes", [])
        )
        for association in table.get("Associations", []):
            if association.get("Main"):
                main = reaches
            elif association.get("SubnetId"):
                (good if reaches else bad).add(association["SubnetId"])
    return main, good, bad


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
    allowed = ZONES.get(region)
    in_zone = [s for s in subnets if allowed is None or s.get("AvailabilityZoneId") in allowed]
    if not in_zone:
        raise NoDefaultVpc(
            f"Fargate runs in {region} only in zones {', '.join(sorted(allowed or ()))}; "
            f"default VPC {vpc_id} has no default subnet there: {HOW_TO_FIX}"
        )
    main, good, bad = _routes_to_internet(ec2, vpc_id)
    usable = [
        s["SubnetId"]
        for s in in_zone
        if s["SubnetId"] in good or (main and s["SubnetId"] not in bad)
    ]
    if not usable:
        raise NoDefaultVpc(
            f"Default VPC {vpc_id}: no default subnet routes 0.0.0.0/0 to an internet gateway, "
            f"so tasks could not pull images: {HOW_TO_FIX}"
        )
    return {"VpcId": vpc_id, "SubnetIds": ",".join(sorted(usable))}

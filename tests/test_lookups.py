"""The deploy-time lookups against moto (ECR, ECS, EC2), failure paths included."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import internet_gateway_for_default_vpc
from fargate_resources import capacity_providers, default_network, image_digests
from fargate_resources.clients import client
from moto import mock_aws

REGION = "us-east-1"
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


@pytest.fixture(autouse=True)
def credentials(fake_aws):
    """Every test here talks to moto."""


def manifest(layer: str) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": "sha256:" + layer * 64,
            },
            # moto derives the image digest from the layer digests
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1,
                    "digest": "sha256:" + layer * 64,
                }
            ],
        }
    )


def push(ecr, repository: str, tag: str, layer: str) -> str:
    answer = ecr.put_image(repositoryName=repository, imageManifest=manifest(layer), imageTag=tag)
    return answer["image"]["imageId"]["imageDigest"]


# --- image digests --------------------------------------------------------------------------


@pytest.mark.slow
@mock_aws
def test_digest_pin_follows_the_tag_and_only_the_tag():
    ecr = boto3.client("ecr", region_name=REGION)
    ecr.create_repository(repositoryName="app")
    images = {"Worker": f"{REGISTRY}/app:latest"}

    def resolve():
        return image_digests.resolve(images, lambda region: boto3.client("ecr", region_name=region))

    digest_a = push(ecr, "app", "latest", "a")
    first = resolve()
    assert first == {"Worker": f"{REGISTRY}/app@{digest_a}"}

    digest_b = push(ecr, "app", "latest", "b")
    second = resolve()
    assert digest_b != digest_a
    assert second == {"Worker": f"{REGISTRY}/app@{digest_b}"}  # a new push rolls the tasks

    assert resolve() == second  # no push, no change: no task definition revision


@mock_aws
def test_untagged_uri_means_latest_and_others_pass_through():
    ecr = boto3.client("ecr", region_name=REGION)
    ecr.create_repository(repositoryName="team/app")
    digest = push(ecr, "team/app", "latest", "c")
    pinned = f"{REGISTRY}/team/app@sha256:" + "d" * 64
    answer = image_digests.resolve(
        {"A": f"{REGISTRY}/team/app", "B": "nginx:1.27", "C": pinned, "D": "public.ecr.aws/x/y:1"},
        lambda region: boto3.client("ecr", region_name=region),
    )
    assert answer == {
        "A": f"{REGISTRY}/team/app@{digest}",
        "B": "nginx:1.27",
        "C": pinned,
        "D": "public.ecr.aws/x/y:1",
    }


@mock_aws
def test_missing_repository_names_task_repository_and_tag():
    with pytest.raises(image_digests.ImageNotFound) as caught:
        image_digests.resolve(
            {"QueueWorker": f"{REGISTRY}/nope:v1"}, lambda r: boto3.client("ecr", region_name=r)
        )
    assert str(caught.value) == (
        "task QueueWorker (tag 'v1'): repository 'nope' (123456789012/us-east-1) not found; "
        "create it and push the image first"
    )


@pytest.mark.slow
@mock_aws
def test_missing_tag_names_task_repository_and_tag():
    ecr = boto3.client("ecr", region_name=REGION)
    ecr.create_repository(repositoryName="app")
    push(ecr, "app", "v1", "a")
    with pytest.raises(image_digests.ImageNotFound) as caught:
        image_digests.resolve(
            {"Nightly": f"{REGISTRY}/app:v2", "Web": f"{REGISTRY}/app:v1"},
            lambda r: boto3.client("ecr", region_name=r),
        )
    assert str(caught.value) == (
        "task Nightly: tag 'v2' not found in repository 'app' (123456789012/us-east-1); push it "
        "first"
    )


class CountingEcr:
    """Wraps a real (moto) client to count calls."""

    def __init__(self, real):
        self.real, self.calls = real, []
        self.exceptions = real.exceptions

    def describe_images(self, **kwargs):
        self.calls.append(kwargs)
        return self.real.describe_images(**kwargs)


@mock_aws
def test_one_call_per_repository():
    ecr = boto3.client("ecr", region_name=REGION)
    for repository in ("app", "tools"):
        ecr.create_repository(repositoryName=repository)
        push(ecr, repository, "v1", "a")
        push(ecr, repository, "v2", "b")
    counting = CountingEcr(ecr)
    images = {
        f"T{i}": f"{REGISTRY}/{'app' if i % 2 else 'tools'}:v{1 + i % 3 // 2}" for i in range(10)
    }
    answer = image_digests.resolve(images, lambda region: counting)
    assert len(counting.calls) == 2  # one per repository, every tag of it at once
    assert all("@sha256:" in uri for uri in answer.values())


# --- capacity providers ---------------------------------------------------------------------


@mock_aws
def test_providers_added_without_touching_the_rest():
    ecs = boto3.client("ecs", region_name=REGION)
    arn = ecs.create_cluster(clusterName="shared")["cluster"]["clusterArn"]
    ecs.put_cluster_capacity_providers(
        cluster="shared",
        capacityProviders=["FARGATE"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 2, "base": 1}],
    )
    found_arn, added = capacity_providers.ensure(ecs, "shared", ["FARGATE", "FARGATE_SPOT"])
    assert (found_arn, added) == (arn, ["FARGATE_SPOT"])
    cluster = ecs.describe_clusters(clusters=["shared"])["clusters"][0]
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 2, "base": 1}
    ]


@mock_aws
def test_providers_already_there_are_not_added_again():
    ecs = boto3.client("ecs", region_name=REGION)
    arn = ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])[
        "cluster"
    ]["clusterArn"]
    assert capacity_providers.ensure(ecs, arn, ["FARGATE", "FARGATE_SPOT"]) == (arn, [])
    assert ecs.describe_clusters(clusters=[arn])["clusters"][0]["capacityProviders"] == [
        "FARGATE",
        "FARGATE_SPOT",
    ]


class RacingEcs:
    """ECS where another stack writes the cluster's providers right after this call's put
    (PutClusterCapacityProviders replaces the whole list; no conditional write exists)."""

    def __init__(self, ecs, theirs):
        self.ecs, self.theirs = ecs, theirs

    def __getattr__(self, name):
        return getattr(self.ecs, name)

    def put_cluster_capacity_providers(self, **kwargs):
        answer = self.ecs.put_cluster_capacity_providers(**kwargs)
        self.ecs.put_cluster_capacity_providers(
            cluster=kwargs["cluster"],
            capacityProviders=self.theirs,
            defaultCapacityProviderStrategy=[],
        )
        return answer


@mock_aws
def test_a_provider_dropped_by_a_concurrent_change_fails_with_what_is_missing():
    ecs = boto3.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="shared", capacityProviders=["FARGATE_SPOT"])
    # Another stack's stale write lands after ours: FARGATE_SPOT, there before, is gone.
    racing = RacingEcs(ecs, ["FARGATE"])
    with pytest.raises(capacity_providers.ConcurrentChange) as caught:
        capacity_providers.ensure(
            racing, "shared", ["FARGATE", "FARGATE_SPOT"], sleep=lambda s: None
        )
    message = str(caught.value)
    assert "['FARGATE_SPOT']" in message and "shared" in message
    assert "deploy again" in message


@mock_aws
def test_missing_cluster_fails_with_advice():
    ecs = boto3.client("ecs", region_name=REGION)
    with pytest.raises(capacity_providers.ClusterNotFound, match="ECS cluster 'gone' not found"):
        capacity_providers.ensure(ecs, "gone", ["FARGATE"])


# --- default network ------------------------------------------------------------------------


@mock_aws
def test_default_vpc_and_its_default_subnets():
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = internet_gateway_for_default_vpc(ec2)
    other = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=other, CidrBlock="10.9.1.0/24")
    found = default_network.lookup(ec2, REGION)
    expected = sorted(
        s["SubnetId"]
        for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        if s["DefaultForAz"]
    )
    assert found == {"VpcId": vpc, "SubnetIds": ",".join(expected)}
    assert len(expected) >= 2


@mock_aws
def test_no_default_vpc_says_what_to_write_instead():
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"
    ]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    for gateway in ec2.describe_internet_gateways()["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"], VpcId=vpc)
    ec2.delete_vpc(VpcId=vpc)
    with pytest.raises(default_network.NoDefaultVpc) as caught:
        default_network.lookup(ec2, REGION)
    message = str(caught.value)
    assert message.startswith("No default VPC in us-east-1")
    assert "Network: {Subnets:" in message and len(message) <= 256


def _default_vpc(ec2):
    return internet_gateway_for_default_vpc(ec2)


@mock_aws
def test_subnets_where_fargate_does_not_run_are_left_out():
    """us-west-1 runs Fargate in usw1-az1 and usw1-az3 only."""
    ec2 = boto3.client("ec2", region_name="us-west-1")
    vpc = _default_vpc(ec2)
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    zones = {s["SubnetId"]: s["AvailabilityZoneId"] for s in subnets}
    found = default_network.lookup(ec2, "us-west-1")["SubnetIds"].split(",")
    assert found and all(zones[s] in {"usw1-az1", "usw1-az3"} for s in found)
    assert sorted(found) == sorted(s for s, z in zones.items() if z in {"usw1-az1", "usw1-az3"})


def test_no_subnet_in_a_fargate_zone_fails_with_the_network_to_write():
    class Ec2:
        def describe_vpcs(self, **kwargs):
            return {"Vpcs": [{"VpcId": "vpc-1"}]}

        def describe_subnets(self, **kwargs):
            return {"Subnets": [{"SubnetId": "subnet-2", "AvailabilityZoneId": "usw1-az2"}]}

    with pytest.raises(default_network.NoDefaultVpc) as caught:
        default_network.lookup(Ec2(), "us-west-1")
    message = str(caught.value)
    assert message.startswith("Fargate runs in us-west-1 only in zones usw1-az1, usw1-az3;")
    assert "Network: {Subnets:" in message and len(message) <= 256


@mock_aws
def test_a_default_vpc_without_a_route_to_an_internet_gateway_fails():
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = _default_vpc(ec2)
    for table in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"
    ]:
        for route in table["Routes"]:
            if route.get("GatewayId", "").startswith("igw-"):
                ec2.delete_route(
                    RouteTableId=table["RouteTableId"],
                    DestinationCidrBlock=route["DestinationCidrBlock"],
                )
    with pytest.raises(default_network.NoDefaultVpc) as caught:
        default_network.lookup(ec2, REGION)
    assert "no default subnet routes 0.0.0.0/0 to an internet gateway" in str(caught.value)
    assert len(str(caught.value)) <= 256


@mock_aws
def test_a_subnet_with_its_own_table_without_the_route_is_left_out():
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = _default_vpc(ec2)
    subnets = sorted(
        s["SubnetId"]
        for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        if s["DefaultForAz"]
    )
    private = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private, SubnetId=subnets[0])
    found = default_network.lookup(ec2, REGION)["SubnetIds"].split(",")
    assert subnets[0] not in found and sorted(found) == subnets[1:]


def test_zone_data_names_zone_ids_of_their_region():
    from fargate_resources.fargate_zones import ZONES

    prefixes = {"us-west-1": "usw1-az", "ap-northeast-1": "apne1-az"}
    for region, zones in ZONES.items():
        assert zones and all(z.startswith(prefixes[region]) for z in zones), region


# --- throttling -----------------------------------------------------------------------------


def test_clients_retry_throttling_in_standard_mode():
    retries = client("ecr", REGION).meta.config.retries
    assert retries["mode"] == "standard"
    assert retries.get("total_max_attempts", retries.get("max_attempts", 0) + 1) == 7


class Refused:
    """A client whose every call is refused with `code` (after boto3's own retries)."""

    class exceptions:  # noqa: N801 - the shape of a boto3 client's exceptions attribute
        RepositoryNotFoundException = type("RepositoryNotFoundException", (Exception,), {})
        ImageNotFoundException = type("ImageNotFoundException", (Exception,), {})

    def __init__(self, code, message):
        self.code, self.message = code, message

    def describe_images(self, **kwargs):
        raise ClientError({"Error": {"Code": self.code, "Message": self.message}}, "DescribeImages")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ThrottlingException", "Rate exceeded"),
        ("AccessDeniedException", "not authorized to perform: ecr:DescribeImages"),
        ("KmsException", "The KMS key is disabled"),
    ],
)
def test_the_real_reason_of_a_refused_lookup_is_the_message(code, message):
    with pytest.raises(image_digests.ImageNotFound) as caught:
        image_digests.resolve({"A": f"{REGISTRY}/app:1"}, lambda region: Refused(code, message))
    assert str(caught.value) == (
        f"task A (tag '1'): repository 'app' (123456789012/us-east-1): {code}: {message}"
    )

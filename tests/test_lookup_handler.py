"""The lookup Lambda's whole crhelper round trip, for real: CloudFormation-shaped events in,
the exact JSON body CloudFormation would receive out, over HTTPS to a local server."""

from __future__ import annotations

import datetime
import json
import ssl
import threading
from http.client import HTTPSConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import boto3
import pytest
from conftest import EVENTS, internet_gateway_for_default_vpc
from crhelper import utils as crhelper_utils
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fargate_resources import handler as lookups
from fargate_resources.clients import client
from moto import mock_aws

REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
CFN_HOST = "cloudformation-custom-resource-response-useast1.s3.amazonaws.com"
CFN_URL = f"https://{CFN_HOST}"


def response_url(event, base=CFN_URL):
    """CloudFormation's pre-signed URL for this request: its key names stack, resource and
    request (the shape of events/*.json)."""
    key = quote(f"{event['StackId']}|{event['LogicalResourceId']}|{event['RequestId']}", safe="/")
    return f"{base}/{key}?X-Amz-Signature=abc"


def self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def cloudformation(tmp_path, monkeypatch):
    """A local HTTPS endpoint standing in for CloudFormation's pre-signed response URL.

    The function is given CloudFormation's real URL shape; the connection it opens is routed
    here, and the host it meant to reach is recorded with each answer.
    """
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append({"host": hosts[-1], "path": self.path, "body": json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    cert_file, key_file = self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hosts = []

    def connect(host, **kwargs):
        hosts.append(host)
        return HTTPSConnection(f"localhost:{server.server_address[1]}", **kwargs)

    monkeypatch.setattr(crhelper_utils, "HTTPSConnection", connect)
    yield CFN_URL, received, str(cert_file)
    server.shutdown()


class Context:
    function_name = "ServerlessFargate-resources"
    aws_request_id = "c6f0b8a2-0000-4000-8000-000000000001"
    log_stream_name = "2026/11/28/[$LATEST]abc"
    invoked_function_arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:ServerlessFargate-resources"
    )
    memory_limit_in_mb = 256

    @staticmethod
    def get_remaining_time_in_millis():
        return 120_000


@pytest.fixture(autouse=True)
def aws(fake_aws):
    client.cache_clear()  # clients made inside each mock
    with mock_aws():
        yield
    client.cache_clear()


def invoke(cloudformation, name, **changes):
    url, received, cafile = cloudformation
    event = json.loads((EVENTS / name).read_text())
    event.update(changes)
    event["ResponseURL"] = response_url(event, url)
    lookups.make_helper(ssl_verify=cafile)(event, Context())
    assert len(received) == 1, "exactly one answer to CloudFormation"
    assert received[0]["host"] == CFN_HOST
    assert f"https://{CFN_HOST}{received[0]['path']}" == event["ResponseURL"]
    return event, received.pop()["body"]


def push(repository, tag, layer):
    ecr = boto3.client("ecr", region_name="us-east-1")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1,
            "digest": "sha256:" + "0" * 64,
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": 1,
                "digest": "sha256:" + layer * 64,
            }
        ],
    }
    return ecr.put_image(
        repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag
    )["image"]["imageId"]["imageDigest"]


def common(event):
    return {
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
    }


def test_image_digests_create_success(cloudformation):
    boto3.client("ecr", region_name="us-east-1").create_repository(repositoryName="app")
    latest, stable = push("app", "latest", "a"), push("app", "stable", "b")
    event, body = invoke(cloudformation, "images-create.json")
    assert body == {
        "Status": "SUCCESS",
        "PhysicalResourceId": body["PhysicalResourceId"],
        "Reason": "",
        "Data": {"QueueWorker": f"{REGISTRY}/app@{latest}", "Nightly": f"{REGISTRY}/app@{stable}"},
        **common(event),
    }
    # The physical ID remembers this answer (for a rollback after a tag is deleted).
    assert body["PhysicalResourceId"].startswith("images-")
    assert len(body["PhysicalResourceId"]) <= 1024


def test_image_digests_update_keeps_the_physical_id_while_the_digests_stay(cloudformation):
    boto3.client("ecr", region_name="us-east-1").create_repository(repositoryName="app")
    push("app", "latest", "a"), push("app", "stable", "b")
    _, created = invoke(cloudformation, "images-create.json")
    _, body = invoke(
        cloudformation, "images-update.json", PhysicalResourceId=created["PhysicalResourceId"]
    )
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == created["PhysicalResourceId"]
    push("app", "stable", "c")  # a new push: a new digest, a new ID (a replacement, harmless)
    _, moved = invoke(
        cloudformation, "images-update.json", PhysicalResourceId=created["PhysicalResourceId"]
    )
    assert moved["PhysicalResourceId"] != created["PhysicalResourceId"]


@pytest.mark.slow
def test_a_tag_deleted_since_does_not_stop_a_rollback(cloudformation):
    """The images asked for are those of the last answer: a failed lookup gets it again."""
    ecr = boto3.client("ecr", region_name="us-east-1")
    ecr.create_repository(repositoryName="app")
    push("app", "latest", "a"), push("app", "stable", "b")
    create, created = invoke(cloudformation, "images-create.json")
    ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "stable"}])
    old = create["ResourceProperties"]
    new = {**old, "Images": {**old["Images"], "Nightly": f"{REGISTRY}/app:next"}}
    # The update asks for a tag that is not there: it fails, as it must.
    _, failed = invoke(
        cloudformation,
        "images-update.json",
        PhysicalResourceId=created["PhysicalResourceId"],
        ResourceProperties=new,
        OldResourceProperties=old,
    )
    assert failed["Status"] == "FAILED" and "tag 'next' not found" in failed["Reason"]
    # CloudFormation rolls back: the old properties again, the old physical ID.
    _, rolled_back = invoke(
        cloudformation,
        "images-update.json",
        PhysicalResourceId=created["PhysicalResourceId"],
        ResourceProperties={**old, "Nonce": "rollback"},
        OldResourceProperties=new,
    )
    assert rolled_back["Status"] == "SUCCESS", rolled_back["Reason"]
    assert rolled_back["Data"] == created["Data"]
    assert rolled_back["PhysicalResourceId"] == created["PhysicalResourceId"]


def test_image_digests_failure_reason(cloudformation):
    boto3.client("ecr", region_name="us-east-1").create_repository(repositoryName="app")
    push("app", "latest", "a")
    event, body = invoke(cloudformation, "images-create.json")
    assert body["Status"] == "FAILED"
    assert (
        body["Reason"]
        == "task Nightly: tag 'stable' not found in repository 'app' (123456789012/us-east-1); push it first"
    )
    assert body["Data"] == {}
    assert body["PhysicalResourceId"].startswith("shop_WorkersImageDigests_")


def test_image_digests_delete_always_succeeds(cloudformation):
    event, body = invoke(cloudformation, "images-delete.json")
    assert body == {
        "Status": "SUCCESS",
        "PhysicalResourceId": event["PhysicalResourceId"],
        "Reason": "",
        "Data": {},
        **common(event),
    }


@pytest.mark.slow
def test_capacity_providers_create_recheck_and_delete_keeps_them(cloudformation):
    ecs = boto3.client("ecs", region_name="us-east-1")
    arn = ecs.create_cluster(clusterName="shared")["cluster"]["clusterArn"]
    event, body = invoke(cloudformation, "capacity-providers-create.json")
    assert body == {
        "Status": "SUCCESS",
        "PhysicalResourceId": f"{arn}|FARGATE,FARGATE_SPOT",
        "Reason": "",
        "Data": {"ClusterArn": arn},
        **common(event),
    }
    _, body = invoke(
        cloudformation,
        "capacity-providers-update.json",
        PhysicalResourceId=f"{arn}|FARGATE,FARGATE_SPOT",
    )
    assert body["PhysicalResourceId"] == f"{arn}|FARGATE,FARGATE_SPOT"  # same cluster, same ID
    # Another stack's association reset the list; the next deploy (a new Nonce) adds them back,
    # keeping what the other stack set.
    ecs.put_cluster_capacity_providers(
        cluster=arn, capacityProviders=["FARGATE"], defaultCapacityProviderStrategy=[]
    )
    _, body = invoke(
        cloudformation,
        "capacity-providers-update.json",
        PhysicalResourceId=f"{arn}|FARGATE,FARGATE_SPOT",
    )
    assert body["Status"] == "SUCCESS"
    providers = ecs.describe_clusters(clusters=[arn])["clusters"][0]["capacityProviders"]
    assert providers == ["FARGATE", "FARGATE_SPOT"]
    # Delete leaves them: a stack deployed later on this cluster may rely on them.
    _, body = invoke(
        cloudformation,
        "capacity-providers-delete.json",
        PhysicalResourceId=f"{arn}|FARGATE,FARGATE_SPOT",
    )
    assert body["Status"] == "SUCCESS"
    providers = ecs.describe_clusters(clusters=[arn])["clusters"][0]["capacityProviders"]
    assert providers == ["FARGATE", "FARGATE_SPOT"]


def test_a_concurrent_update_of_the_cluster_is_retried():
    from fargate_resources import capacity_providers

    class Busy(Exception):
        pass

    class Ecs:
        class exceptions:
            UpdateInProgressException = Busy

        def __init__(self):
            self.providers, self.calls = [], 0

        def describe_clusters(self, clusters):
            return {"clusters": [{"clusterArn": "arn:c", "capacityProviders": self.providers}]}

        def put_cluster_capacity_providers(self, **kwargs):
            self.calls += 1
            if self.calls < 3:
                raise Busy("Cluster is being updated")
            self.providers = kwargs["capacityProviders"]

    waits = []
    ecs = Ecs()
    arn, added = capacity_providers.ensure_with_retries(
        ecs, "c", ["FARGATE", "FARGATE_SPOT"], sleep=waits.append
    )
    assert (arn, added, waits, ecs.calls) == ("arn:c", ["FARGATE", "FARGATE_SPOT"], [1, 2], 3)
    always = Ecs()
    always.calls = -100
    with pytest.raises(Busy):
        capacity_providers.ensure_with_retries(always, "c", ["FARGATE"], sleep=waits.append)


def test_capacity_providers_missing_cluster_fails(cloudformation):
    _, body = invoke(cloudformation, "capacity-providers-create.json")
    assert body["Status"] == "FAILED"
    assert body["Reason"].startswith("ECS cluster 'shared' not found")


def test_capacity_providers_delete_with_cluster_gone_succeeds(cloudformation):
    event, body = invoke(cloudformation, "capacity-providers-delete.json")
    assert body["Status"] == "SUCCESS" and body["PhysicalResourceId"] == event["PhysicalResourceId"]


@pytest.mark.slow
def test_default_network(cloudformation):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = internet_gateway_for_default_vpc(ec2)
    event, body = invoke(cloudformation, "default-network-create.json")
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == vpc
    assert body["Data"]["VpcId"] == vpc
    assert body["Data"]["SubnetIds"].count("subnet-") >= 2


def test_unknown_type_fails_cleanly(cloudformation):
    _, body = invoke(cloudformation, "images-create.json", ResourceType="Custom::Nope")
    assert body["Status"] == "FAILED"
    assert "unknown resource type 'Custom::Nope'" in body["Reason"]


class ShortContext(Context):
    @staticmethod
    def get_remaining_time_in_millis():
        return 1_500


@pytest.mark.slow
def test_a_lookup_about_to_time_out_still_answers(cloudformation, monkeypatch):
    """crhelper answers FAILED half a second before Lambda's timeout: no hour-long hang."""
    url, received, cafile = cloudformation

    def slow(event, old):
        until_answered(received)  # a job still running when the timeout answer goes
        return "never", {}

    monkeypatch.setitem(lookups.JOBS, "Custom::ImageDigests", (slow, lookups._nothing))
    event = json.loads((EVENTS / "images-create.json").read_text())
    event["ResponseURL"] = response_url(event, url)
    lookups.make_helper(ssl_verify=cafile)(event, ShortContext())
    # In Lambda the process is frozen at the timeout; here the late answer arrives too.
    # CloudFormation rejects an empty physical ID (then waits for the service timeout):
    # the timeout path of a Create answers with a stable one.
    stack = event["StackId"].split("/")[1]
    assert received[0]["body"] == {
        "Status": "FAILED",
        "PhysicalResourceId": f"{stack}-{event['LogicalResourceId']}-failed",
        "Reason": "Execution timed out",
        "Data": {},
        **common(event),
    }


def test_a_delete_about_to_time_out_still_succeeds(cloudformation, monkeypatch):
    url, received, cafile = cloudformation

    def slow(event):
        until_answered(received)  # a delete still running when the timeout answer goes

    monkeypatch.setitem(lookups.JOBS, "Custom::ImageDigests", (lookups.images_upsert, slow))
    event = json.loads((EVENTS / "images-delete.json").read_text())
    event["ResponseURL"] = response_url(event, url)
    lookups.make_helper(ssl_verify=cafile)(event, ShortContext())
    assert received[0]["body"]["Status"] == "SUCCESS"
    assert received[0]["body"]["PhysicalResourceId"] == event["PhysicalResourceId"]


def test_a_delete_answers_without_waiting_for_its_logs(cloudformation, monkeypatch):
    """crhelper's default sleeps 120 s before answering a delete (so that the function's logs
    flush before its own stack goes); this function lives in another stack: no sleep. Its
    sleeps are recorded, not timed (with the default, the same delete records the 120 s)."""
    from crhelper.resource_helper import CfnResource

    url, received, cafile = cloudformation
    slept: list[float] = []
    monkeypatch.setattr(CfnResource._wait_for_cwlogs, "__defaults__", (slept.append,))
    event = json.loads((EVENTS / "images-delete.json").read_text())
    event["ResponseURL"] = response_url(event, url)
    lookups.make_helper(ssl_verify=cafile)(event, LongContext())
    assert slept == [] and received[0]["body"]["Status"] == "SUCCESS"
    lookups.make_helper(sleep_on_delete=120, ssl_verify=cafile)(event, LongContext())
    assert slept == [120]  # crhelper's default would have waited


class LongContext(Context):
    @staticmethod
    def get_remaining_time_in_millis():
        return 900_000  # Lambda's longest timeout: time enough for crhelper's 120 s


def until_answered(received: list, guard: float = 600) -> None:
    """Returns once CloudFormation has an answer: a job that outlasts crhelper's timeout
    however late a busy machine fires it. `guard` only ends a broken test; never reached."""
    import time

    deadline = time.monotonic() + guard
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
def test_two_hundred_images_answer_within_the_limit_and_each_task_gets_its_own(cloudformation):
    """200 tasks, each with its own repository, under a stack name of the longest kind: every
    lookup's answer (envelope included) stays under CloudFormation's 4,096 bytes."""
    from conftest import declaration, expand

    registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    digests = {}
    for i in range(200):
        boto3.client("ecr", region_name="us-east-1").create_repository(
            repositoryName=f"team/app{i}"
        )
        digests[i] = push(f"team/app{i}", "v1", "abcdef0123456789"[i % 16])
    tasks = {
        f"worker-number-{i}": {"Image": f"{registry}/team/app{i}:v1", "Service": False}
        for i in range(200)
    }
    template = declaration(
        {
            "Outputs": False,
            "TaskRoleArn": "arn:aws:iam::123456789012:role/r",
            "ExecutionRoleArn": "arn:aws:iam::123456789012:role/x",
            "Network": {"Subnets": ["subnet-1"]},
            "Tasks": tasks,
        }
    )
    resources = expand(template)["Resources"]
    found = {k: r for k, r in resources.items() if r["Type"] == "Custom::ImageDigests"}
    assert len(found) > 1 and "WorkersImageDigests" in found
    stack = "s" * 128
    answers = {}
    for logical_id, resource in found.items():
        url, received, cafile = cloudformation
        event = json.loads((EVENTS / "images-create.json").read_text())
        event.update(
            StackId=f"arn:aws:cloudformation:us-east-1:123456789012:stack/{stack}/"
            "5b9bd3a0-8f0e-11ef-9c2a-0affd4a7c1f1",
            LogicalResourceId=logical_id,
            ResourceProperties=resource["Properties"],
        )
        event["ResponseURL"] = response_url(event, url)
        lookups.make_helper(ssl_verify=cafile)(event, Context())
        body = received.pop()["body"]
        assert body["Status"] == "SUCCESS", body["Reason"]
        size = len(json.dumps(body).encode())
        assert size < 4096, (logical_id, size)
        # ...and its physical ID, which keeps the answer for a rollback, within 1 KB.
        assert body["PhysicalResourceId"].startswith("images-")
        assert "." in body["PhysicalResourceId"] and len(body["PhysicalResourceId"]) <= 1024
        answers[logical_id] = body["Data"]
    for i in range(200):
        definition = resources[f"WorkersWorkerNumber{i}TaskDefinition"]["Properties"]
        joined = definition["ContainerDefinitions"][0]["Image"]["Fn::Join"]
        head, (lookup, key) = joined[1][0], joined[1][1]["Fn::GetAtt"]
        assert f"{head}@{answers[lookup][key]}" == f"{registry}/team/app{i}@{digests[i]}"


# --- only CloudFormation, only for this account and region ------------------------------------


def test_capacity_providers_are_fargate_and_fargate_spot_whatever_the_event_says(cloudformation):
    """An event naming another provider (someone's `attacker-cp`) changes no cluster."""
    ecs = boto3.client("ecs", region_name="us-east-1")
    arn = ecs.create_cluster(clusterName="shared")["cluster"]["clusterArn"]
    event = json.loads((EVENTS / "capacity-providers-create.json").read_text())
    forged = {**event["ResourceProperties"], "CapacityProviders": ["FARGATE", "attacker-cp"]}
    _, body = invoke(cloudformation, "capacity-providers-create.json", ResourceProperties=forged)
    assert body["Status"] == "FAILED"
    assert "'attacker-cp'" in body["Reason"] and "FARGATE and FARGATE_SPOT" in body["Reason"]
    assert ecs.describe_clusters(clusters=[arn])["clusters"][0].get("capacityProviders", []) == []
    # A list naming fewer still gets both: the function's promise, not the event's.
    fewer = {**event["ResourceProperties"], "CapacityProviders": ["FARGATE"]}
    _, body = invoke(cloudformation, "capacity-providers-create.json", ResourceProperties=fewer)
    assert body["Status"] == "SUCCESS"
    providers = ecs.describe_clusters(clusters=[arn])["clusters"][0]["capacityProviders"]
    assert providers == ["FARGATE", "FARGATE_SPOT"]


def _refused(cloudformation, caplog, event):
    """The request is logged as refused, nothing is answered, and no cluster changed."""
    url, received, cafile = cloudformation
    ecs = boto3.client("ecs", region_name="us-east-1")
    arn = ecs.create_cluster(clusterName="shared")["cluster"]["clusterArn"]
    lookups.make_helper(ssl_verify=cafile)(event, Context())
    assert received == []
    assert ecs.describe_clusters(clusters=[arn])["clusters"][0].get("capacityProviders", []) == []
    refused = [r for r in caplog.records if r.getMessage() == "request refused"]
    assert len(refused) == 1
    return refused[0]


STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/shop/5b9bd3a0"
PATH_URL = "https://s3.amazonaws.com/cloudformation-custom-resource-response-useast1"
OTHER = "arn:aws:cloudformation:us-east-1:210987654321:stack/theirs/5b9bd3a0"


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example.com/collect",
        f"https://{CFN_HOST}.attacker.example.com/x",
        f"http://{CFN_HOST}/KEY",  # not HTTPS
        f"https://{CFN_HOST}:8443/KEY",
        f"https://user@{CFN_HOST}/KEY",
        "https://cloudformation-custom-resource-response-uswest2.s3.amazonaws.com/KEY",
        "https://s3.amazonaws.com/attacker-bucket/KEY",
        "https://s3.amazonaws.com/cloudformation-custom-resource-response-useast1KEY",
        # CloudFormation's bucket, but the key of another account's stack: its answer would
        # go to that stack.
        f"https://{CFN_HOST}/" + quote(f"{OTHER}|WorkersCapacityProviders|3d1f4e77", safe="/"),
        f"https://{CFN_HOST}/" + quote(f"{STACK}0|WorkersCapacityProviders|3d1f", safe="/"),
        # The key starts right, then climbs out of it: S3 or a proxy may resolve the dots.
        f"{CFN_URL}/" + quote(f"{STACK}|", safe="/") + "/../../../../evil/k",
        f"{PATH_URL}/" + quote(f"{STACK}|", safe="/") + "/../../../../evil/k",
        f"{CFN_URL}/" + quote(f"{STACK}|", safe="/") + "/./k",
        f"{CFN_URL}/" + quote(f"{STACK}|", safe="/") + "/..",
        f"{CFN_URL}/" + quote(f"{STACK}|", safe="/") + "/%2e%2e/%2E%2E/evil",
        f"{CFN_URL}/" + quote(f"{STACK}|", safe="/") + "%2f..%2Fevil",
        "",
    ],
)
def test_an_answer_goes_only_to_cloudformations_url_for_this_request(cloudformation, caplog, url):
    event = json.loads((EVENTS / "capacity-providers-create.json").read_text())
    event["StackId"] = STACK
    key = quote(f"{STACK}|WorkersCapacityProviders|3d1f4e77", safe="/")
    event["ResponseURL"] = url.replace("KEY", key)
    record = _refused(cloudformation, caplog, event)
    assert "response URL" in record.why


@pytest.mark.parametrize(
    "stack",
    [
        OTHER,  # another account
        "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop/5b9bd3a0",  # another region
        "arn:aws-cn:cloudformation:us-east-1:123456789012:stack/shop/5b9bd3a0",
        "shop",
    ],
)
def test_requests_for_a_stack_of_another_account_or_region_are_refused(
    cloudformation, caplog, stack
):
    event = json.loads((EVENTS / "capacity-providers-create.json").read_text())
    event["StackId"] = stack
    event["ResponseURL"] = response_url(event)  # consistent with the stack it names
    record = _refused(cloudformation, caplog, event)
    assert "stack" in record.why


class InAnotherPartition(Context):
    invoked_function_arn = (
        "arn:aws-iso:lambda:us-east-1:123456789012:function:ServerlessFargate-resources"
    )


@pytest.mark.parametrize("partition", ["aws", "aws-iso"])
def test_the_partition_is_the_functions_own_not_guessed_from_the_region(
    cloudformation, caplog, partition
):
    """A function of partition aws-iso answers no `arn:aws:` stack, and no stack of a
    partition whose response URL form is not known (refused, so the deploy fails visibly)."""
    url, received, cafile = cloudformation
    event = json.loads((EVENTS / "capacity-providers-create.json").read_text())
    event["StackId"] = STACK.replace("arn:aws:", f"arn:{partition}:")
    event["ResponseURL"] = response_url(event)
    lookups.make_helper(ssl_verify=cafile)(event, InAnotherPartition())
    assert received == []
    (record,) = [r for r in caplog.records if r.getMessage() == "request refused"]
    assert "partition" in record.why or "stack" in record.why


@pytest.mark.parametrize(
    "base",
    [
        CFN_URL,
        "https://cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com",
        "https://cloudformation-custom-resource-response-useast1.s3-external-1.amazonaws.com",
        "https://s3.amazonaws.com/cloudformation-custom-resource-response-useast1",
        "https://s3.us-east-1.amazonaws.com/cloudformation-custom-resource-response-useast1",
    ],
)
def test_each_form_of_cloudformations_url_is_answered(cloudformation, base):
    _, received, cafile = cloudformation
    event = json.loads((EVENTS / "capacity-providers-delete.json").read_text())
    event["ResponseURL"] = response_url(event, base)
    lookups.make_helper(ssl_verify=cafile)(event, Context())
    assert [r["body"]["Status"] for r in received] == ["SUCCESS"]
    assert f"https://{received[0]['host']}{received[0]['path']}" == event["ResponseURL"]

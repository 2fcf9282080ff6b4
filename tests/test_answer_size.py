"""Every answer of the lookup function fits CloudFormation's 4,096 bytes, envelope, physical ID
and reason included, for every template the macro accepts: at the limits (the longest
declaration ID and task keys, a 128-character stack name, the most images a lookup holds) and
property-based. The macro plans the image lookups (resources/images.py); the function answers
them with its real code, over a stand-in for ECR that knows every tag."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from conftest import declaration, expand
from fargate_resources import handler as lookups
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serverless_fargate.declaration.rules.names import LONGEST_SUFFIX, MAX_LOGICAL_ID
from serverless_fargate.resources import images

LIMIT = 4096
ACCOUNT = "123456789012"
REGION = "us-east-1"
# The longest stack ID of the function's region: a 128-character stack name.
STACK = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{'s' * 128}/{uuid.uuid4()}"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


class Context:
    invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:ServerlessFargate-resources"
    aws_request_id = "c6f0b8a2-0000-4000-8000-000000000001"
    log_stream_name = "stream"

    @staticmethod
    def get_remaining_time_in_millis():
        return 120_000


class Ecr:
    """ECR that knows every tag: the digest of a tag is a hash of it."""

    class exceptions:
        class ImageNotFoundException(Exception):
            pass

        class RepositoryNotFoundException(Exception):
            pass

    def describe_images(self, registryId, repositoryName, imageIds):  # noqa: N803
        return {
            "imageDetails": [
                {
                    "imageTags": [i["imageTag"]],
                    "imageDigest": "sha256:"
                    + hashlib.sha256(f"{repositoryName}:{i['imageTag']}".encode()).hexdigest(),
                }
                for i in imageIds
            ]
        }


class Missing(Ecr):
    def describe_images(self, registryId, repositoryName, imageIds):  # noqa: N803
        raise self.exceptions.RepositoryNotFoundException()


def answers(template, parameters=None, ecr=Ecr):
    """Each Custom::ImageDigests of the expansion, answered by the function: (body, size)."""
    resources = expand(template, parameters)["Resources"]
    out = []
    for logical_id, resource in resources.items():
        if resource["Type"] != "Custom::ImageDigests":
            continue
        properties = json.loads(json.dumps(resource["Properties"]))
        # A Ref'd image is known at deploy time: the longest ECS accepts (255 characters).
        for key, uri in properties.get("Images", {}).items():
            if not isinstance(uri, str):
                repository = "r" * (255 - len(REGISTRY) - len("/:latest"))
                properties["Images"][key] = f"{REGISTRY}/{repository}:latest"
        event = {
            "RequestType": "Create",
            "ResourceType": "Custom::ImageDigests",
            "StackId": STACK,
            "RequestId": str(uuid.uuid4()),
            "LogicalResourceId": logical_id,
            "ResourceProperties": properties,
        }
        event["ResponseURL"] = (
            "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/"
            + f"{STACK}|{logical_id}|{event['RequestId']}".replace("|", "%7C")
            + "?X-Amz-Signature=x"
        )
        sent = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(lookups, "client", lambda service, region=None: ecr())
            patch.setattr(lookups, "_put", lambda url, body, verify, sent=sent: sent.append(body))
            lookups.make_helper()(event, Context())
        (body,) = sent
        out.append((body, len(json.dumps(body).encode())))
    return out


def long_template(declaration_id, keys, image):
    return {
        **declaration(
            {
                "Outputs": False,
                "TaskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
                "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/x",
                "Network": {"Subnets": ["subnet-1"]},
                "Tasks": {key: {"Image": image(i), "Service": False} for i, key in enumerate(keys)},
            }
        ),
    }


def renamed(template, declaration_id):
    template["Resources"] = {declaration_id: template["Resources"].pop("Workers")}
    return template


def test_at_the_limits_every_answer_fits_with_its_physical_id():
    """The longest declaration ID, task keys of the longest length it leaves, 60 images of
    the longest repository names, a 128-character stack name."""
    declaration_id = "D" * 150
    room = MAX_LOGICAL_ID - LONGEST_SUFFIX - len(declaration_id)
    keys = [f"k{i:02d}{'k' * (room - 3)}" for i in range(60)]
    repository = "r" * (255 - len(REGISTRY) - len("/:v1") - 2)
    template = renamed(
        long_template(declaration_id, keys, lambda i: f"{REGISTRY}/{repository}{i:02d}:v1"),
        declaration_id,
    )
    found = answers(template)
    assert len(found) > 1
    for body, size in found:
        assert body["Status"] == "SUCCESS", body["Reason"]
        assert size <= LIMIT, size
        assert len(body["PhysicalResourceId"]) <= 1024


def test_images_only_known_at_deploy_time_fit_too():
    declaration_id = "D" * 120
    room = MAX_LOGICAL_ID - LONGEST_SUFFIX - len(declaration_id)
    keys = [f"k{i:02d}{'k' * (room - 3)}" for i in range(30)]
    template = long_template(declaration_id, keys, lambda i: {"Ref": f"Image{i}"})
    template["Parameters"] = {f"Image{i}": {"Type": "String"} for i in range(30)}
    found = answers(renamed(template, declaration_id))
    for body, size in found:
        assert body["Status"] == "SUCCESS", body["Reason"]
        assert size <= LIMIT, size


def test_a_failure_with_a_long_reason_is_cut_to_fit():
    keys = [f"task-{i}-{'k' * 40}" for i in range(20)]
    template = long_template("Workers", keys, lambda i: f"{REGISTRY}/{'r' * 150}{i}:v1")
    for body, size in answers(template, ecr=Missing):
        assert body["Status"] == "FAILED" and size <= LIMIT
        assert body["Reason"].endswith("... (cut to fit CloudFormation's 4,096 bytes)")


NAME = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)


@st.composite
def declarations(draw):
    declaration_id = "D" + draw(st.text("ABCXYZ0189", max_size=200))
    room = MAX_LOGICAL_ID - LONGEST_SUFFIX - len(declaration_id)
    count = draw(st.integers(min_value=1, max_value=45))
    keys = []
    for i in range(count):
        length = draw(st.integers(min_value=1, max_value=room - 3))
        keys.append(f"t{i:02d}{'k' * (length - 3)}"[:length] if length > 3 else f"t{i:02d}")
    keys = list(dict.fromkeys(k for k in keys if len(k) <= room))
    literal = draw(st.lists(st.booleans(), min_size=len(keys), max_size=len(keys)))
    shared = draw(st.integers(min_value=1, max_value=len(keys)))
    repository = draw(st.integers(min_value=1, max_value=200))

    def image(i):
        if not literal[i]:
            return {"Ref": f"Image{i % shared}"}
        return f"{REGISTRY}/{'r' * repository}{i % shared}:v{i % 3}"

    template = long_template(declaration_id, keys, image)
    template["Parameters"] = {f"Image{i}": {"Type": "String"} for i in range(shared)}
    return renamed(template, declaration_id)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(declarations())
def test_every_answer_of_every_accepted_template_fits(template):
    for body, size in answers(template):
        assert body["Status"] == "SUCCESS", body["Reason"]
        assert size <= LIMIT, size


def test_the_macro_counts_the_physical_id_the_function_writes():
    """resources/images.py budgets the physical ID by a formula; the function's own code
    (custom_resource/fargate_resources/image_digests.py) must not write more."""
    from fargate_resources import image_digests

    for count in (1, 2, images.MAX_ENTRIES):
        wanted = {f"k{i}": f"{REGISTRY}/app{i}:v1" for i in range(count)}
        pinned = {k: f"{REGISTRY}/app@sha256:{'f' * 64}" for k in wanted}
        assert len(image_digests.physical_id(wanted, pinned)) == images.physical_id_size(count)

"""The checked-in time-zone list is the IANA database's, and both Lambdas read ECR URIs alike."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT
from serverless_fargate.declaration import images
from serverless_fargate.declaration.timezones import TIMEZONES

sys.path.insert(0, str(ROOT / "scripts"))
import generate_timezones  # noqa: E402
from fargate_resources import image_digests  # noqa: E402


def test_timezones_are_the_iana_databases():
    source = (ROOT / "macro/serverless_fargate/declaration/timezones.py").read_text()
    assert source == generate_timezones.source(), "stale: run `make timezones`"
    assert set(generate_timezones.zones()) == TIMEZONES
    assert {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"} <= TIMEZONES


URIS = [
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app",
    "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:v2.0",
    "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/ns/sub/app:latest",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:8080",
]


@pytest.mark.parametrize("uri", URIS)
def test_the_macro_and_the_lookup_read_an_ecr_uri_alike(uri):
    """The macro's pattern also takes ${...} placeholders; on concrete URIs the two agree."""
    account, region, repository, tag = images.split_ecr(uri)
    _, account2, region2, repository2, tag2 = image_digests.parse(uri)
    assert (account, region, repository, tag) == (account2, region2, repository2, tag2)


@pytest.mark.parametrize("uri", ["docker.io/library/python:3", "ghcr.io/o/app:1", "python"])
def test_both_leave_other_registries_alone(uri):
    assert images.split_ecr(uri) is None and image_digests.parse(uri) is None

"""Whom the lookup function answers: CloudFormation, for a stack of its own account and region.

Anyone allowed to invoke the function can write any event. So before doing anything it checks
that the request names a stack of the function's own account and region (`StackId`), and that
its `ResponseURL` is CloudFormation's pre-signed S3 URL for that very request: HTTPS to the
region's `cloudformation-custom-resource-response-<region without dashes>` bucket, in the
virtual-hosted or path-style forms S3 documents, with an object key that files the answer under
this stack (CloudFormation's keys are `<StackId>|<LogicalResourceId>|<RequestId>`, URL-encoded;
only the `<StackId>|` prefix is relied on). An answer (image digests, a cluster
ARN, the default VPC) therefore never goes to a host of the caller's choosing, nor to another
account's stack. What is refused is logged and never answered.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

_STACK = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):cloudformation:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"stack/[A-Za-z][A-Za-z0-9-]{0,127}/[A-Za-z0-9-]+$"
)


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def bucket(region: str) -> str:
    return "cloudformation-custom-resource-response-" + region.replace("-", "")


def s3_endpoints(region: str) -> set[str]:
    """S3's endpoints of the region: regional (dot and legacy dash forms), and the global
    ones that serve us-east-1 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html)."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    hosts = {f"s3.{region}.{suffix}", f"s3-{region}.{suffix}"}
    if region == "us-east-1":
        hosts |= {"s3.amazonaws.com", "s3-external-1.amazonaws.com"}
    return hosts


def _key(url: str, region: str) -> str | None:
    """The object key of an HTTPS URL into CloudFormation's bucket of `region`; None if it is
    any other URL."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.port is not None or "@" in parts.netloc:
        return None
    host, path, name = parts.hostname or "", parts.path, bucket(region)
    endpoints = s3_endpoints(region)
    if host in endpoints and path.startswith(f"/{name}/"):  # path-style
        return path[len(name) + 2 :]
    if host.startswith(f"{name}.") and host[len(name) + 1 :] in endpoints:  # virtual-hosted
        return path[1:]
    return None


def refusal(event: dict[str, Any], region: str, account: str) -> str | None:
    """Why this request is not CloudFormation's for this account and region; None if it is."""
    stack = str(event.get("StackId") or "")
    match = _STACK.match(stack)
    found = match and (match["partition"], match["region"], match["account"])
    if found != (partition(region), region, account):
        return f"the stack {stack!r} is not of this function's account and region ({account}, {region})"
    key = _key(str(event.get("ResponseURL") or ""), region)
    # Only the key's first part is relied on: the stack the answer is filed under.
    if key is None or not unquote(key).startswith(f"{stack}|"):
        return "the response URL is not CloudFormation's pre-signed URL for this request"
    return None


def account_of(context: Any) -> str:
    """The function's own account, from the ARN it was invoked by (no call to STS)."""
    arn = str(getattr(context, "invoked_function_arn", "") or "")
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""

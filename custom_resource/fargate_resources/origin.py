"""Whom the lookup function answers: CloudFormation, for a stack of its own account and region.

Anyone allowed to invoke the function can write any event. So before doing anything it checks
that the request names a stack of the function's own partition, account and region
(`StackId`; partition and account from the ARN the function was invoked by), and that
its `ResponseURL` is CloudFormation's pre-signed S3 URL for that very request: HTTPS to the
region's `cloudformation-custom-resource-response-<region without dashes>` bucket, in the
virtual-hosted or path-style forms S3 documents, with an object key that files the answer under
this stack (CloudFormation's keys are `<StackId>|<LogicalResourceId>|<RequestId>`, URL-encoded;
only the `<StackId>|` prefix is relied on, and no dot segment or encoded dot or slash may
follow it). An answer (image digests, a cluster
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


# The partitions whose S3 host names (and so CloudFormation's response URLs) are known here:
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html and, for China,
# https://docs.amazonaws.cn/en_us/aws/latest/userguide/s3.html. A request in any other
# partition is refused: the deploy fails visibly rather than answering an unknown host.
S3_SUFFIX = {"aws": "amazonaws.com", "aws-us-gov": "amazonaws.com", "aws-cn": "amazonaws.com.cn"}
# A dot segment, or a dot or slash percent-encoded, in the path: S3 or a proxy on the way may
# resolve them, and the key that starts with this stack's ID would then name another object.
_CLIMBS = re.compile(r"(^|/)\.{1,2}(/|$)|%2e|%2f", re.IGNORECASE)


def bucket(region: str) -> str:
    return "cloudformation-custom-resource-response-" + region.replace("-", "")


def s3_endpoints(region: str, partition: str) -> set[str]:
    """S3's endpoints of the region: regional (dot and legacy dash forms), and the global
    ones that serve us-east-1 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html)."""
    suffix = S3_SUFFIX[partition]
    hosts = {f"s3.{region}.{suffix}", f"s3-{region}.{suffix}"}
    if region == "us-east-1":
        hosts |= {"s3.amazonaws.com", "s3-external-1.amazonaws.com"}
    return hosts


def _key(url: str, region: str, partition: str) -> str | None:
    """The object key of an HTTPS URL into CloudFormation's bucket of `region`; None if it is
    any other URL, or its path has dot segments or encoded dots or slashes."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.port is not None or "@" in parts.netloc:
        return None
    host, path, name = parts.hostname or "", parts.path, bucket(region)
    if _CLIMBS.search(path):
        return None
    endpoints = s3_endpoints(region, partition)
    if host in endpoints and path.startswith(f"/{name}/"):  # path-style
        return path[len(name) + 2 :]
    if host.startswith(f"{name}.") and host[len(name) + 1 :] in endpoints:  # virtual-hosted
        return path[1:]
    return None


def refusal(event: dict[str, Any], region: str, account: str, partition: str) -> str | None:
    """Why this request is not CloudFormation's for this partition, account and region; None
    if it is."""
    stack = str(event.get("StackId") or "")
    match = _STACK.match(stack)
    found = match and (match["partition"], match["region"], match["account"])
    if found != (partition, region, account):
        return (
            f"the stack {stack!r} is not of this function's partition, account and region "
            f"({partition}, {account}, {region})"
        )
    if partition not in S3_SUFFIX:
        return f"the response URL form of partition {partition!r} is not known"
    key = _key(str(event.get("ResponseURL") or ""), region, partition)
    # Only the key's first part is relied on: the stack the answer is filed under.
    if key is None or not unquote(key).startswith(f"{stack}|"):
        return "the response URL is not CloudFormation's pre-signed URL for this request"
    return None


def _arn_part(context: Any, i: int) -> str:
    arn = str(getattr(context, "invoked_function_arn", "") or "")
    parts = arn.split(":")
    return parts[i] if len(parts) > 4 else ""


def account_of(context: Any) -> str:
    """The function's own account, from the ARN it was invoked by (no call to STS)."""
    return _arn_part(context, 4)


def partition_of(context: Any) -> str:
    """The function's own partition (`arn:<partition>:lambda:...`), not guessed from the
    region's name."""
    return _arn_part(context, 1)

"""Custom::ImageDigests: pin each task's image tag to the digest it points at now.

Properties: `Digests` maps a key to an image URI written in the template, answered with the
digest alone (`sha256:...`: short, so many fit in the 4,096 bytes a custom resource may answer;
the template puts `repository@digest` back together). `Images` maps a key to a URI only known
at deploy time, answered with the whole pinned URI; there, URIs outside ECR or already pinned
come back as they are. One call of ecr:DescribeImages per repository, for all its tags.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

_ECR = re.compile(
    r"^(?P<registry>(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)"
    r"\.amazonaws\.com(?:\.cn)?)/(?P<rest>.+)$"
)
_PINNED = re.compile(r"@sha256:[0-9a-f]{64}$")


class ImageNotFound(Exception):
    """A problem the deploy should fail with, worded for the template author."""


def parse(uri: str) -> tuple[str, str, str, str, str] | None:
    """(registry, account, region, repository, tag) for an ECR tag URI; None otherwise."""
    match = _ECR.match(uri)
    if match is None or _PINNED.search(uri):
        return None
    rest = match.group("rest")
    last = rest.rsplit("/", 1)[-1]
    repository, tag = (rest.rsplit(":", 1)) if ":" in last else (rest, "latest")
    return match.group("registry"), match.group("account"), match.group("region"), repository, tag


def _digests(client: Any, account: str, repository: str, tags: list[str]) -> dict[str, str]:
    """tag → digest for the tags that exist. DescribeImages reads the digest ECR stores (no
    manifest fetched or converted); it refuses the whole call when one tag is missing, so
    then each tag is asked alone to say which."""
    try:
        answer = client.describe_images(
            registryId=account,
            repositoryName=repository,
            imageIds=[{"imageTag": tag} for tag in tags],
        )
    except client.exceptions.ImageNotFoundException:
        if len(tags) == 1:
            return {}
        found: dict[str, str] = {}
        for tag in tags:
            found.update(_digests(client, account, repository, [tag]))
        return found
    out: dict[str, str] = {}
    for detail in answer.get("imageDetails", []):
        for tag in detail.get("imageTags") or []:
            if tag in tags:
                out[tag] = detail["imageDigest"]
    return out


def resolve(images: dict[str, str], ecr: Callable[[str], Any]) -> dict[str, str]:
    """Key → pinned URI. `ecr(region)` gives an ECR client."""
    out: dict[str, str] = {}
    wanted: dict[tuple[str, str, str, str], dict[str, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for task, uri in images.items():
        parts = parse(uri) if isinstance(uri, str) else None
        if parts is None:
            out[task] = uri
            continue
        registry, account, region, repository, tag = parts
        wanted[(registry, account, region, repository)][tag].append(task)

    problems: list[str] = []
    for (registry, account, region, repository), tags in wanted.items():
        client = ecr(region)
        where = f"repository {repository!r} ({account}/{region})"
        try:
            digests = _digests(client, account, repository, list(tags))
        except client.exceptions.RepositoryNotFoundException:
            problems.append(
                f"{_tasks(tags)}: {where} not found; create it and push the image first"
            )
            continue
        except ClientError as error:  # access denied, KMS, throttled past retries...
            code = error.response.get("Error", {}).get("Code", "error")
            message = error.response.get("Error", {}).get("Message", "")
            problems.append(f"{_tasks(tags)}: {where}: {code}: {message}")
            continue
        for tag, tasks in tags.items():
            if tag in digests:
                for task in tasks:
                    out[task] = f"{registry}/{repository}@{digests[tag]}"
            else:
                problems.append(
                    f"task {', '.join(tasks)}: tag {tag!r} not found in {where}; push it first"
                )
    if problems:
        raise ImageNotFound("; ".join(problems))
    return out


def _tasks(tags: dict[str, list[str]]) -> str:
    tasks = [task for names in tags.values() for task in names]
    return f"task {', '.join(tasks)} (tag {', '.join(map(repr, tags))})"


# --- the last answer, kept in the physical ID ------------------------------------------------
# A rollback asks again for the images of before; if a tag was deleted meanwhile, a fresh
# lookup would fail and leave the stack in UPDATE_ROLLBACK_FAILED. The physical ID (at most
# 1 KB) carries the digests of the last answer and a fingerprint of what was asked, so an
# unchanged request whose lookup fails gets the last answer again.
PHYSICAL_ID_LIMIT = 1024


def _fingerprint(wanted: dict[str, str]) -> str:
    text = json.dumps(sorted(wanted.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def physical_id(wanted: dict[str, str], pinned: dict[str, str]) -> str:
    parts = []
    for key in sorted(wanted):
        uri = pinned.get(key, "")
        digest = uri.rsplit("@sha256:", 1)[1] if "@sha256:" in uri and uri != wanted[key] else ""
        parts.append(
            base64.urlsafe_b64encode(bytes.fromhex(digest)).decode().rstrip("=") if digest else ""
        )
    full = f"images-{_fingerprint(wanted)}-{'.'.join(parts)}"
    return full if len(full) <= PHYSICAL_ID_LIMIT else f"images-{_fingerprint(wanted)}"


def remembered(physical: str, wanted: dict[str, str]) -> dict[str, str] | None:
    """The last answer to exactly this request, from its physical ID; None if unknown."""
    head, _, digests = physical.partition("-")[2].partition("-")
    if not physical.startswith("images-") or head != _fingerprint(wanted) or not digests:
        return None
    parts = digests.split(".")
    keys = sorted(wanted)
    if len(parts) != len(keys):
        return None
    out: dict[str, str] = {}
    for key, part in zip(keys, parts, strict=True):
        parsed = parse(wanted[key])
        if not part or parsed is None:
            out[key] = wanted[key]  # passed through, as a lookup would
            continue
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        out[key] = f"{parsed[0]}/{parsed[3]}@sha256:{raw.hex()}"
    return out

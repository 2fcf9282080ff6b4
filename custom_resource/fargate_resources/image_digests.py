"""Custom::ImageDigests: pin each task's image tag to the digest it points at now.

Properties: `Images` maps a task's name to an image URI. Answers the same keys with
`repository@sha256:...`. URIs outside ECR or already pinned come back as they are. One call of
ecr:BatchGetImage per repository, for all the tags asked of it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

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


def resolve(images: dict[str, str], ecr: Callable[[str], Any]) -> dict[str, str]:
    """Task name → pinned URI. `ecr(region)` gives an ECR client."""
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
        try:
            answer = client.batch_get_image(
                registryId=account,
                repositoryName=repository,
                imageIds=[{"imageTag": tag} for tag in tags],
                acceptedMediaTypes=[
                    "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json",
                    "application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.oci.image.index.v1+json",
                ],
            )
        except client.exceptions.RepositoryNotFoundException:
            for tag, tasks in tags.items():
                problems.append(
                    f"task {', '.join(tasks)}: repository {repository!r} not found in "
                    f"{account}/{region} (tag {tag!r}); push the image first"
                )
            continue
        digests = {
            image["imageId"]["imageTag"]: image["imageId"]["imageDigest"]
            for image in answer.get("images", [])
            if image["imageId"].get("imageTag")
        }
        for tag, tasks in tags.items():
            if tag in digests:
                for task in tasks:
                    out[task] = f"{registry}/{repository}@{digests[tag]}"
            else:
                problems.append(
                    f"task {', '.join(tasks)}: tag {tag!r} not found in repository "
                    f"{repository!r} ({account}/{region}); push it first"
                )
    if problems:
        raise ImageNotFound("; ".join(problems))
    return out

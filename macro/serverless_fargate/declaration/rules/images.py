"""Images: every task has one, each is a reference Docker can pull, and `{Function: X}` names an
image function of this template."""

from __future__ import annotations

import re
from functools import lru_cache, partial

from ...errors import Problem, join_path
from ...intrinsics import is_intrinsic
from .. import images
from ..messages import did_you_mean, show
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from ..merge import DeclarationInput, TaskInput


@rule("image.required", "Every task has an Image, its own or the declaration's")
def required(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if not t.given("Image"):
        yield Problem(join_path(t.path, "Image"), "is required (here or at the declaration level)")


@rule(
    "image.function",
    "{Function: X} names an image Lambda function in this template",
    reads=("Image",),
)
def function(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    value = t.get("Image")
    if not (isinstance(value, dict) and "Function" in value):
        return
    function_id = value["Function"]
    at = join_path(t.where("Image"), "Function")
    resource = d.resources.get(function_id) if isinstance(function_id, str) else None
    if not isinstance(resource, dict):
        # Listing every image function reads the whole template: only for a message, never
        # per valid task (that would be quadratic in a template of many tasks and functions).
        functions = images.image_functions(d.resources)
        hint = did_you_mean(str(function_id), functions)
        yield Problem(
            at, f"no resource {function_id!r} in this template{hint or _listing(functions)}"
        )
        return
    found = images.function_image(resource)
    if found is None:
        functions = images.image_functions(d.resources)
        yield Problem(
            at,
            f"{function_id!r} is not an image function (it needs PackageType: Image and "
            f"an ImageUri, or Metadata.Dockerfile for sam build){_listing(functions)}",
        )
    elif isinstance(found[0], dict) and not is_intrinsic(found[0]):
        yield Problem(at, f"{function_id!r} has an unusable ImageUri")


def _listing(names: list[str]) -> str:
    return f" (image functions here: {', '.join(names)})" if names else " (this template has none)"


# What an image reference may be. The repository: path components of lower-case letters and
# digits, joined by '.', '_', '__' or dashes (the OCI distribution spec's <name>). Before it, a
# registry host when the first component has a '.' or a ':' or is localhost (as Docker reads
# it; ECS: "images in other repositories are qualified further by a domain name"). After it a
# tag, a digest or both. ECS takes at most 255 characters before any digest
# (ContainerDefinition.image). A reference that breaks these is refused by ECS at deploy, or
# registers and never pulls: the task would not start.
MAX_IMAGE = 255
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?")
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# ECS: "the only supported hash function is sha256", 64 lower-case hex digits (as go-digest,
# which Docker uses, reads them).
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# An ECR repository name (CreateRepository's repositoryName pattern, 2 to 256 characters): what
# `{Repository, Tag}` names when it is not a URI of ECR (images.from_repository).
_ECR_NAME = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
_EXPECTED = (
    "expected [registry/]repository[:tag][@digest], the repository in lower-case letters and "
    "digits joined by '.', '_' or '-' (for example public.ecr.aws/docker/library/nginx:1.27)"
)


@lru_cache(maxsize=512)  # tasks of a declaration often share their images
def reference_problem(text: str) -> str | None:
    """What is wrong with an image reference, or None."""
    if "{{resolve:" in text:
        return None  # a dynamic reference: its value is known only at deploy
    wrong = f"{show(text)} is not an image reference: {_EXPECTED}"
    name, at, digest = text.partition("@")
    if len(name) > MAX_IMAGE:  # ECS counts what comes before a digest only
        return f"{show(text)} has {len(name)} characters before any digest: ECS takes {MAX_IMAGE}"
    if at and not _DIGEST.fullmatch(digest):
        return wrong
    head, slash, last = name.rpartition("/")
    repository, colon, tag = last.partition(":")
    if colon and not _TAG.fullmatch(tag):
        return wrong
    host, path = "", f"{head}{slash}{repository}"
    first, separator, rest = path.partition("/")
    if separator and ("." in first or ":" in first or first == "localhost"):
        if not _HOST.fullmatch(first):
            return wrong
        host, path = f"{first}/", rest
    if _PATH.fullmatch(path):
        return None
    if _PATH.fullmatch(path.lower()):
        fixed = f"{host}{path.lower()}{colon}{tag}{at}{digest}"
        return (
            f"repository names are lower case: write {fixed!r} (Docker and ECR refuse capitals "
            "there, so the task would never start)"
        )
    return wrong


@rule(
    "image.reference",
    "Every image is a reference Docker can pull, at most 255 characters before any digest",
    reads=("Image", "Sidecars"),
)
def reference(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    yield from _image_problems(t.get("Image"), lambda: t.where("Image"), d)
    sidecars = t.get("Sidecars")
    for index, sidecar in enumerate(sidecars if isinstance(sidecars, list) else []):
        if isinstance(sidecar, dict):
            at = partial(join_path, t.path, "Sidecars", index, "Image")
            yield from _image_problems(sidecar.get("Image"), at, d)


def _image_problems(value: Any, where: Callable[[], str], d: DeclarationInput) -> Iterator[Problem]:
    """An image value's problems; `where` spells its path, only for a problem (most images are
    fine)."""
    if isinstance(value, str):
        if message := reference_problem(value):
            yield Problem(where(), message)
        return
    if not isinstance(value, dict):
        return
    at = where()
    if set(value) == {"Ref"}:
        name = value["Ref"]
        given = d.parameters.get(name) if isinstance(name, str) else None
        if isinstance(given, str) and (message := reference_problem(given)):
            yield Problem(at, f"{message} (the parameter {name}'s value)")
    elif "Repository" in value:
        repository, tag = value.get("Repository"), value.get("Tag")
        if isinstance(repository, str) and (message := _repository_problem(repository)):
            yield Problem(join_path(at, "Repository"), message)
        if isinstance(tag, str) and not _TAG.fullmatch(tag):
            yield Problem(
                join_path(at, "Tag"),
                f"{show(tag)} is not a tag: letters, digits, '_', '.' and '-', at most 128, "
                "not starting with '.' or '-'",
            )


def _repository_problem(repository: str) -> str | None:
    """`{Repository, Tag}`'s repository: an ECR URI (its tag replaced by Tag), else the name of
    a repository of this account's ECR, pasted after its registry."""
    if images.split_ecr(repository) is not None:
        return reference_problem(repository)
    if "{{resolve:" in repository or _ecr_name(repository):
        return None
    fixed = repository.lower()
    hint = (
        f": write {fixed!r}"
        if _ecr_name(fixed)
        else " (2 to 256 lower-case letters and digits, single '.', '_' or '-' between them, "
        "'/' between path parts), or the URI of an ECR image"
    )
    return f"{show(repository)} is not an ECR repository name{hint}"


def _ecr_name(text: str) -> bool:
    return 2 <= len(text) <= 256 and _ECR_NAME.fullmatch(text) is not None

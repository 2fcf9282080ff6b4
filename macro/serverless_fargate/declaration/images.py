"""What an `Image` value means: used as written, or resolved to a digest at deploy time.

Also works out which ECR repository the execution role may pull from.
"""

from __future__ import annotations

import re

from ..intrinsics import escape, get_att, is_intrinsic, sub
from .model import Image

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

_ECR = re.compile(
    r"^(?P<account>[^/]+?)\.dkr\.ecr(?:-fips)?\.(?P<region>[^/]+?)\.amazonaws\.com(?:\.cn)?"
    r"/(?P<rest>.+)$"
)
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
# Any repository of this account and region: only when the repository cannot be known.
ANY_REPOSITORY = sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*")


def split_ecr(uri: str) -> tuple[str, str, str, str | None] | None:
    """(account, region, repository, tag-or-None) of an ECR image URI; None if not ECR."""
    match = _ECR.match(uri)
    if not match:
        return None
    rest = match.group("rest")
    if "@" in rest:
        repository, tag = rest.split("@", 1)[0], None
    else:
        repository, _, tag = (
            rest.rpartition(":")
            if ":" in rest.rsplit("/", 1)[-1]
            else (
                rest,
                "",
                "",
            )
        )
        tag = tag or "latest"
    return match.group("account"), match.group("region"), repository, tag


def _repository_arn(account: str, region: str, repository: str, variables: Any = None) -> Any:
    return sub(f"arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{repository}", variables)


def image_from_string(
    text: str, written: Any, variables: Any = None, literal: bool = True
) -> Image:
    """`text` is the URI (with ${} placeholders when it came from Fn::Sub, `literal` False);
    `written` is what to emit."""
    parts = split_ecr(text)
    if parts is None:
        # Outside ECR (Docker Hub, ghcr.io...): used as written. A placeholder could still hide
        # an ECR URI, so those go through the deploy-time lookup, which passes others through.
        unsure = not literal and "${" in text
        return Image(written, resolve=unsure, ecr_repository_arn=ANY_REPOSITORY if unsure else None)
    account, region, repository, _ = parts
    if literal:  # pasted into the ARN's Fn::Sub below: a `${` of its own must stay literal
        account, region, repository = escape(account), escape(region), escape(repository)
    pinned = bool(_DIGEST.search(text))
    return Image(written, not pinned, _repository_arn(account, region, repository, variables))


def classify(value: Any, parameters: dict[str, Any]) -> Image:
    """The Image for a URI literal or intrinsic (already known not to be a map form)."""
    if isinstance(value, str):
        return image_from_string(value, value)
    if is_intrinsic(value):
        (name, argument) = next(iter(value.items()))
        if name == "Ref" and isinstance(parameters.get(argument), str):
            image = image_from_string(parameters[argument], value)
            # The macro runs again on every deploy with the parameter's value of that deploy:
            # a value pinned by digest (or outside ECR) is used as written, with no lookup.
            return Image(value, image.resolve, image.ecr_repository_arn)
        if name == "Fn::Sub":
            text, variables = (argument, None) if isinstance(argument, str) else argument
            if isinstance(text, str):
                image = image_from_string(text, value, variables, literal=False)
                return Image(value, True, image.ecr_repository_arn)
        if name == "Fn::GetAtt":
            target = argument if isinstance(argument, list) else str(argument).split(".", 1)
            if len(target) == 2 and target[1] == "RepositoryUri":
                return Image(value, True, get_att(target[0], "Arn"))
    return Image(value, True, ANY_REPOSITORY)


def from_repository(repository: Any, tag: Any) -> Image:
    """`{Repository, Tag}`: a repository name or URI, literal or intrinsic."""
    if isinstance(repository, str) and (parts := split_ecr(repository)) is not None:
        account, region, name, _ = parts
        head, _, last = repository.split("@")[0].rpartition("/")
        base = f"{head}/{last.split(':')[0]}"
        uri = (
            f"{base}:{tag}"
            if isinstance(tag, str)
            else sub("${Uri}:${Tag}", {"Uri": base, "Tag": tag})
        )
        return Image(uri, True, _repository_arn(*map(escape, (account, region, name))))
    registry = "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}"
    arn_head = "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository"
    if isinstance(repository, str) and isinstance(tag, str):
        repository, tag = escape(repository), escape(tag)
        return Image(sub(f"{registry}/{repository}:{tag}"), True, sub(f"{arn_head}/{repository}"))
    variables = {"Repository": repository, "Tag": tag}
    return Image(
        sub(f"{registry}/${{Repository}}:${{Tag}}", variables),
        True,
        sub(f"{arn_head}/${{Repository}}", {"Repository": repository}),
    )


def sam_built(function_id: str) -> str:
    """What stands for the image of a function `sam build` builds, until `sam deploy` packages
    the template with its ImageUri (the macro then sees the real URI)."""
    return f"<image of {function_id}: built by sam build, filled in by sam deploy>"


def image_functions(resources: dict[str, Any]) -> list[str]:
    """Logical IDs of this template's image Lambda functions, sorted."""
    return sorted(
        k for k, r in resources.items() if isinstance(r, dict) and function_image(r) is not None
    )


def function_image(function: dict[str, Any], function_id: str = "") -> tuple[Any, str] | None:
    """(ImageUri, property path) of an image Lambda function resource, else None.

    A SAM function with PackageType Image, Metadata.Dockerfile and no ImageUri is one that
    `sam build` builds (the shape `sam init` makes): its image is a placeholder here.
    """
    properties = function.get("Properties") or {}
    if not isinstance(properties, dict):
        return None
    if function.get("Type") == "AWS::Serverless::Function":
        if properties.get("PackageType", "Image" if "ImageUri" in properties else "Zip") != "Image":
            return None
        if "ImageUri" in properties:
            return properties["ImageUri"], "Properties.ImageUri"
        metadata = function.get("Metadata")
        if isinstance(metadata, dict) and metadata.get("Dockerfile"):
            return sam_built(function_id or "the function"), "Metadata.Dockerfile"
        return None
    if function.get("Type") == "AWS::Lambda::Function":
        code = properties.get("Code")
        if (
            properties.get("PackageType") == "Image"
            and isinstance(code, dict)
            and code.get("ImageUri")
        ):
            return code["ImageUri"], "Properties.Code.ImageUri"
        metadata = function.get("Metadata")
        if (
            properties.get("PackageType") == "Image"
            and isinstance(metadata, dict)
            and metadata.get("Dockerfile")
        ):
            return sam_built(function_id or "the function"), "Metadata.Dockerfile"
    return None

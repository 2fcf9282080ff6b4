"""What an `Image` value means: used as written, or resolved to a digest at deploy time.

Also works out which ECR repository the execution role may pull from.
"""

from __future__ import annotations

import re

from ..intrinsics import get_att, is_intrinsic, sub
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


def image_from_string(text: str, written: Any, variables: Any = None) -> Image:
    """`text` is the URI (possibly with ${} placeholders); `written` is what to emit."""
    parts = split_ecr(text)
    if parts is None:
        # Outside ECR (Docker Hub, ghcr.io...): used as written. A placeholder could still hide
        # an ECR URI, so those go through the deploy-time lookup, which passes others through.
        unsure = "${" in text
        return Image(written, resolve=unsure, ecr_repository_arn=ANY_REPOSITORY if unsure else None)
    account, region, repository, _ = parts
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
            # The parameter may name another repository next deploy: let deploy time decide.
            return Image(value, True, image.ecr_repository_arn)
        if name == "Fn::Sub":
            text, variables = (argument, None) if isinstance(argument, str) else argument
            if isinstance(text, str):
                image = image_from_string(text, value, variables)
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
        return Image(uri, True, _repository_arn(account, region, name))
    registry = "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}"
    arn_head = "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository"
    if isinstance(repository, str) and isinstance(tag, str):
        return Image(sub(f"{registry}/{repository}:{tag}"), True, sub(f"{arn_head}/{repository}"))
    variables = {"Repository": repository, "Tag": tag}
    return Image(
        sub(f"{registry}/${{Repository}}:${{Tag}}", variables),
        True,
        sub(f"{arn_head}/${{Repository}}", {"Repository": repository}),
    )


def function_image(function: dict[str, Any]) -> tuple[Any, str] | None:
    """(ImageUri, property path) of an image Lambda function resource, else None."""
    properties = function.get("Properties") or {}
    if not isinstance(properties, dict):
        return None
    if function.get("Type") == "AWS::Serverless::Function":
        if properties.get("PackageType", "Image" if "ImageUri" in properties else "Zip") != "Image":
            return None
        return (properties["ImageUri"], "Properties.ImageUri") if "ImageUri" in properties else None
    if function.get("Type") == "AWS::Lambda::Function":
        code = properties.get("Code")
        if (
            properties.get("PackageType") == "Image"
            and isinstance(code, dict)
            and code.get("ImageUri")
        ):
            return code["ImageUri"], "Properties.Code.ImageUri"
    return None

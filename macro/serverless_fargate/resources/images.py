"""Images pinned to a digest at deploy time: one lookup per declaration, for all its tasks."""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import get_att
from . import names

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def resources(d: Declaration, service_token: Any, nonce: str) -> dict[str, Any]:
    images = {t.name: t.image.uri for t in d.tasks if t.image.resolve}
    if not images:
        return {}
    return {
        names.image_digests(d): {
            "Type": "Custom::ImageDigests",
            "Properties": {
                "ServiceToken": service_token,
                # New on every deploy, so CloudFormation asks again; the answer (and so every
                # task definition) only changes when a tag points at a new digest.
                "Nonce": nonce,
                "Images": images,
            },
        }
    }


def image(d: Declaration, t: Task) -> Any:
    return get_att(names.image_digests(d), t.name) if t.image.resolve else t.image.uri

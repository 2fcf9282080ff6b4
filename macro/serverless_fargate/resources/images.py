"""Images pinned to a digest at deploy time, by `Custom::ImageDigests` lookups.

A custom resource's answer may be at most 4,096 bytes, so answers are kept short and split:
- tasks sharing an image share one entry (keyed by the first such task's name);
- an image written as a literal URI is answered with its digest only (`sha256:...`) and the
  template puts `repository@digest` back together (`Digests`); an intrinsic one, whose
  repository is only known at deploy time, with its whole pinned URI (`Images`);
- entries fill `{D}ImageDigests`, then `{D}ImageDigests2`, `{D}ImageDigests3`... within a byte
  budget each, in task order (so adding a task never moves another's entry).
"""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import get_att
from ..record import record
from ..settings import SERVICE_TIMEOUT
from . import names

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

# Bytes of the answer's Data each entry may take: "Key":"sha256:<64 hex>", or a whole URI
# (registry 50, repository up to 256, digest 71: counted at its longest).
DIGEST_ENTRY = 80
URI_ENTRY = 400
# Of the 4,096 bytes: the rest is the envelope (stack ID, request ID, logical and physical IDs).
BUDGET = 2800
# Each lookup's physical ID (at most 1 KB) keeps its digests for rollbacks: 20 fit.
MAX_ENTRIES = 20


@record
class Entry:
    resource: str  # the lookup's logical ID
    key: str  # the attribute it answers
    uri: Any
    digest_only: bool


def plan(d: Declaration) -> dict[str, Entry]:
    """Task name → its image's entry, for the tasks whose image is resolved at deploy time."""
    by_image: dict[str, Entry] = {}
    out: dict[str, Entry] = {}
    chunk, used, count = 1, 0, 0
    for t in d.tasks:
        if not t.image.resolve:
            continue
        same = repr(t.image.uri)
        if same not in by_image:
            digest_only = isinstance(t.image.uri, str)
            size = len(t.name) + (DIGEST_ENTRY if digest_only else URI_ENTRY)
            if used and (used + size > BUDGET or count == MAX_ENTRIES):
                chunk, used, count = chunk + 1, 0, 0
            used += size
            count += 1
            by_image[same] = Entry(names.image_digests(d, chunk), t.name, t.image.uri, digest_only)
        out[t.name] = by_image[same]
    return out


def resources(
    d: Declaration, service_token: Any, nonce: str, entries: dict[str, Entry]
) -> dict[str, Any]:
    lookups: dict[str, dict[str, Any]] = {}
    for entry in entries.values():
        properties = lookups.setdefault(
            entry.resource,
            {
                "ServiceToken": service_token,
                "ServiceTimeout": SERVICE_TIMEOUT,
                # New on every deploy, so CloudFormation asks again; the answer (and so every
                # task definition) only changes when a tag points at a new digest.
                "Nonce": nonce,
            },
        )
        answers = properties.setdefault("Digests" if entry.digest_only else "Images", {})
        answers[entry.key] = entry.uri
    return {
        logical_id: {"Type": "Custom::ImageDigests", "Properties": properties}
        for logical_id, properties in lookups.items()
    }


def repository(uri: str) -> str:
    """`registry/repository` of an image URI with a tag (or none, meaning latest)."""
    head, _, last = uri.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}"


def image(t: Task, entries: dict[str, Entry]) -> Any:
    entry = entries.get(t.name)
    if entry is None:
        return t.image.uri
    answer = get_att(entry.resource, entry.key)
    if entry.digest_only:
        return {"Fn::Join": ["@", [repository(entry.uri), answer]]}
    return answer

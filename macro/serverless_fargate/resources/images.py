"""Images pinned to a digest at deploy time, by `Custom::ImageDigests` lookups.

A custom resource's answer may be at most 4,096 bytes, so answers are kept short and split:
- tasks sharing an image share one entry (keyed by the first such task's name);
- an image written as a literal URI is answered with its digest only (`sha256:...`) and the
  template puts `repository@digest` back together (`Digests`); an intrinsic one, whose
  repository is only known at deploy time, with its whole pinned URI (`Images`);
- entries fill `{D}ImageDigests`, then `{D}ImageDigests2`, `{D}ImageDigests3`... while the
  whole answer fits (envelope, logical and physical IDs counted at their longest), in task
  order (so adding a task never moves another's entry).
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

# A custom resource's whole answer may be at most 4,096 bytes
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html):
# the envelope, the lookup's logical ID, its physical ID and the Data. Each lookup is filled
# while all of them fit, counted at their longest.
ANSWER_LIMIT = 4096
# The envelope as crhelper writes it (JSON, ", " and ": " separators) with empty strings...
_ENVELOPE = (
    '{"Status": "SUCCESS", "PhysicalResourceId": "", "StackId": "", "RequestId": "", '
    '"LogicalResourceId": "", "Reason": "", "Data": {}, "NoEcho": false}'
)
# ...and what fills them: the longest stack ID (a partition and region of up to 20 characters
# each, a 128-character stack name, the stack's UUID) and the request ID (a UUID).
_STACK_ID = len("arn::cloudformation::123456789012:stack//") + 20 + 20 + 128 + 36
ENVELOPE = len(_ENVELOPE) + _STACK_ID + 36
# Bytes of the answer's Data each entry may take besides its key: `"Key": "sha256:<64 hex>", `
# (79), or a whole URI (ECS takes images of up to 255 characters; pinned, a tag becomes a
# 71-character digest: counted at 392 with the quotes and separators).
DIGEST_ENTRY = 80
URI_ENTRY = 400
# The physical ID keeps each digest of the last answer for rollbacks (the lookup function's
# image_digests.physical_id): "images-<16 hex>-" then 43 characters per entry, joined by dots.
# At most 1 KB: 20 entries fit.
MAX_ENTRIES = 20


def physical_id_size(entries: int) -> int:
    return len("images-") + 16 + 1 + 44 * entries - 1


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
            if count and (
                _answer(d, chunk, used + size, count + 1) > ANSWER_LIMIT or count == MAX_ENTRIES
            ):
                chunk, used, count = chunk + 1, 0, 0
            used += size
            count += 1
            by_image[same] = Entry(names.image_digests(d, chunk), t.name, t.image.uri, digest_only)
        out[t.name] = by_image[same]
    return out


def _answer(d: Declaration, chunk: int, data: int, entries: int) -> int:
    """The longest answer of lookup `chunk` with `entries` entries taking `data` bytes."""
    return ENVELOPE + len(names.image_digests(d, chunk)) + physical_id_size(entries) + data


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

"""Images: every task has one, and `{Function: X}` names an image function of this template."""

from __future__ import annotations

from ...errors import Problem, join_path
from ...intrinsics import is_intrinsic
from .. import images
from ..messages import did_you_mean
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule("image.required", "Every task has an Image, its own or the declaration's")
def required(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if not t.given("Image"):
        yield Problem(join_path(t.path, "Image"), "is required (here or at the declaration level)")


@rule("image.function", "{Function: X} names an image Lambda function in this template")
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

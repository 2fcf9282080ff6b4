"""Task sizes: Cpu and Memory must be a pair Fargate offers."""

from __future__ import annotations

from ...errors import Problem, join_path
from ...intrinsics import is_intrinsic
from .. import fargate, fields
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule("size.fargate", "Cpu and Memory are a pair in Fargate's table", reads=("Memory",))
def fargate_size(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    cpu_in, memory_in = t.values.get("Cpu"), t.values.get("Memory")
    cpu, memory = fargate.given_size(cpu_in, memory_in, d.parameters)
    if memory_in is not None and memory is None and not is_intrinsic(memory_in):
        yield Problem(t.where("Memory"), f"{memory_in!r} is not a whole number of MiB")
    if cpu_in is None and memory is not None and fargate.smallest_cpu_for(memory) is None:
        yield Problem(
            t.where("Memory"),
            f"{memory} MiB fits no Fargate CPU size (largest: {fargate.LARGEST_MEMORY})",
        )
        return
    cpu, memory = fargate.task_size(cpu_in, memory_in, d.parameters, fields.default_size())
    if cpu in fargate.FARGATE_MEMORY and (message := fargate.check_cpu_memory(cpu, memory)):
        suffix = f" (Memory from {t.where('Memory')})" if t.inherited("Memory") else ""
        yield Problem(join_path(t.path, "Memory"), message + suffix)

"""Problems found in a template, each with its path, and the exception that carries all of them."""

from __future__ import annotations

from .record import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


@record
class Problem:
    """One thing wrong with the input: where it is and what would be valid."""

    path: str
    message: str

    def __lt__(self, other: Problem) -> bool:
        return (self.path, self.message) < (other.path, other.message)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidTemplate(Exception):
    """Raised with every problem found; never with just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(format_problems(self.problems))


def format_problems(problems: Iterable[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def join_path(base: str, *parts: object) -> str:
    """Dotted path as the contract shows it: Resources.Workers.Properties.Tasks.queue-worker.Cpu."""
    out = base
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else f"{out}.{part}"
    return out

"""The declaration: schema, parsing (defaults, merges, inheritance), rules and the typed model."""

from .model import Declaration, Task
from .parse import Context, parse_declaration

__all__ = ["Context", "Declaration", "Task", "parse_declaration"]

"""`@record`: immutable, typed records, like frozen dataclasses without their cold-start cost.

dataclasses imports `inspect` and typing.NamedTuple imports `typing`; together about 20 ms of
the macro's cold start. A record reads its fields from the class annotations (kept as strings)
and its defaults from class attributes, and gets `__init__` (keyword or positional),
`__eq__`, `__hash__` and `__repr__`. Type checkers see it as a frozen dataclass (PEP 681).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar, dataclass_transform

    T = TypeVar("T")
else:

    def dataclass_transform(**_: object):
        return lambda decorated: decorated


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    names = [n for n in cls.__dict__.get("__annotations__", {}) if not n.startswith("_")]
    defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
    for name in defaults:
        delattr(cls, name)

    fields = frozenset(names)

    count = len(names)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        # The model makes several records per task: the common shapes take short paths.
        if args:
            if len(args) == count and not kwargs:
                self.__dict__.update(zip(names, args, strict=True))
                return
            if len(args) > count or any(n in kwargs for n in names[: len(args)]):
                raise TypeError(f"{cls.__name__}: too many or repeated arguments")
            kwargs.update(zip(names, args, strict=False))
        values = {**defaults, **kwargs} if defaults else kwargs
        if values.keys() != fields:
            missing = sorted(fields - values.keys())
            unexpected = sorted(values.keys() - fields)
            raise TypeError(f"{cls.__name__}: missing {missing}, unexpected {unexpected}")
        self.__dict__.update(values)  # bypasses the immutable __setattr__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        raise AttributeError(f"{cls.__name__} is immutable")

    def __eq__(self: Any, other: Any) -> bool:
        return type(other) is type(self) and all(
            getattr(self, n) == getattr(other, n) for n in names
        )

    def __hash__(self: Any) -> int:
        return hash(tuple(repr(getattr(self, n)) for n in names))

    def __repr__(self: Any) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{cls.__name__}({fields})"

    def _replace(self: Any, **changes: Any) -> Any:
        return cls(**{n: changes.get(n, getattr(self, n)) for n in names})

    for function in (__init__, __setattr__, __eq__, __hash__, __repr__, _replace):
        setattr(cls, function.__name__, function)
    cls.__match_args__ = tuple(names)  # type: ignore[attr-defined,misc]
    return cls

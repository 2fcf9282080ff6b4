"""`@record`: the model's immutable records."""

from __future__ import annotations

import pytest
from serverless_fargate.record import record


@record
class Point:
    x: int
    y: int = 0
    tags: dict = {}  # noqa: RUF012 - a default that is never mutated


def test_fields_defaults_and_positional():
    assert Point(1) == Point(x=1, y=0) == Point(1, 0)
    assert Point(1, 2).y == 2
    assert Point(1).tags == {}
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags={})"


def test_immutable():
    point = Point(1)
    with pytest.raises(AttributeError):
        point.x = 3


def test_errors_name_the_field():
    with pytest.raises(TypeError, match=r"missing \['x'\]"):
        Point()
    with pytest.raises(TypeError, match=r"unexpected \['z'\]"):
        Point(1, z=2)
    with pytest.raises(TypeError):
        Point(1, x=2)
    with pytest.raises(TypeError):
        Point(1, 2, {}, 4)


def test_equality_and_hash():
    assert Point(1) != Point(2)
    assert Point(1) != (1, 0, {})
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1), Point(1), Point(2)}) == 2
    assert Point(1)._replace(y=5) == Point(1, 5)

"""The fast path and jsonschema accept and reject exactly the same declarations."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from serverless_fargate.declaration import fastcheck
from serverless_fargate.declaration.schema_check import _validator
from strategies import JSON, SEEDS, generated_declarations, mutated_declarations


def jsonschema_valid(value):
    return next(iter(_validator().iter_errors(value)), None) is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_declarations())
def test_same_verdict_on_mutated_declarations(properties):
    assert fastcheck.is_valid(properties) == jsonschema_valid(properties)


@settings(max_examples=200, deadline=None)
@given(generated_declarations())
def test_same_verdict_on_generated_declarations(properties):
    assert fastcheck.is_valid(properties) == jsonschema_valid(properties)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_same_verdict_on_arbitrary_json(value):
    assert fastcheck.is_valid(value) == jsonschema_valid(value)


def test_examples_are_valid_both_ways():
    for properties in SEEDS:
        assert fastcheck.is_valid(properties) and jsonschema_valid(properties)


def test_json_semantics_edge_cases():
    cases = [
        {"Tasks": {"a": {"Image": "x", "Cpu": True}}},  # a boolean is not a number
        {"Tasks": {"a": {"Image": "x", "StopTimeout": 30.0}}},  # 30.0 is an integer
        {"Tasks": {"a": {"Image": "x", "StopTimeout": 30.5}}},
        {"Tasks": {"a": {"Image": "x"}}, "LogRetentionInDays": True},  # not the enum's 1
        {"Tasks": {"a": {"Image": "x"}}, "LogRetentionInDays": 1.0},  # but 1.0 is 1
        {"Tasks": {"a": {"Image": {"Ref": "X", "Fn::Sub": "y"}}}},  # two keys: not an intrinsic
    ]
    for properties in cases:
        assert fastcheck.is_valid(properties) == jsonschema_valid(properties), properties

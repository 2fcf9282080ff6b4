"""Hypothesis strategies: arbitrary JSON, CloudFormation-ish values, and declarations."""

from __future__ import annotations

import copy

from conftest import EXAMPLES, load
from hypothesis import strategies as st

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
KEYS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "Image",
            "Cpu",
            "Memory",
            "Tasks",
            "Ref",
            "Fn::Sub",
            "Service",
            "Schedule",
            "Spot",
            "Network",
            "Policies",
            "Environment",
            "Type",
            "Properties",
        ]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=12,
)
INTRINSICS = st.one_of(
    st.builds(lambda n: {"Ref": n}, st.sampled_from(["Size", "AWS::Region", "Missing", "Image"])),
    st.builds(lambda s: {"Fn::Sub": s}, st.text(max_size=20)),
    st.builds(lambda a: {"Fn::GetAtt": [a, "Arn"]}, st.sampled_from(["Queue", "Nope"])),
    st.builds(lambda v: {"Fn::ImportValue": v}, st.text(max_size=8)),
)


# Values that once crashed or slipped through: numbers of any length, non-finite floats, long
# and placeholder-laden strings, deep nesting, non-string keys, intrinsics of the wrong shape.
def _deep(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


HOSTILE = st.one_of(
    # Python's JSON (Lambda's, the CLI's) parses at most 4,300 digits: the longest that arrives.
    st.builds(lambda n: 10**n, st.integers(min_value=15, max_value=4299)),
    st.builds(lambda n: -(10**n), st.integers(min_value=15, max_value=400)),
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308]),
    st.builds(lambda n: "x" * n, st.integers(min_value=60_000, max_value=70_000)),
    st.sampled_from(["${Evil}", "aws:tag", "serverless-fargate:managed", "", " ", "\n", "arn:"]),
    st.builds(_deep, st.integers(min_value=60, max_value=200)),
    st.dictionaries(st.one_of(st.integers(), st.booleans()), SCALARS, min_size=1, max_size=2),
    st.sampled_from(
        [
            {"Fn::Sub": 5},
            {"Fn::Sub": [1, 2]},
            {"Fn::Join": "x"},
            {"Fn::GetAtt": "NoDot"},
            {"Fn::Select": 3},
            {"Fn::If": ["C"]},
            {"Fn::Nope": "x"},
            {"Ref": []},
            {"Ref": ""},
        ]
    ),
)

# Valid declarations to start from: every example's Properties.
SEEDS = [
    resource["Properties"]
    for path in sorted(EXAMPLES.glob("*.yaml"))
    for resource in load(path)["Resources"].values()
    if resource.get("Type") == "Fargate::Tasks"
]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _replace(value, path, new):
    if not path:
        return new
    out = copy.copy(value)
    out[path[0]] = _replace(value[path[0]], path[1:], new)
    return out


def _delete(value, path):
    if len(path) == 1:
        out = copy.copy(value)
        del out[path[0]]
        return out
    out = copy.copy(value)
    out[path[0]] = _delete(value[path[0]], path[1:])
    return out


@st.composite
def mutated_declarations(draw):
    """A valid declaration with one to three changes: a value replaced, a key removed or added."""
    properties = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        paths = list(_paths(properties))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "intrinsic", "hostile", "delete", "add"]))
        if action == "replace":
            properties = _replace(properties, path, draw(JSON))
        elif action == "hostile":
            properties = _replace(properties, path, draw(HOSTILE))
        elif action == "intrinsic":
            properties = _replace(properties, path, draw(INTRINSICS))
        elif action == "delete" and path:
            properties = _delete(properties, path)
        elif action == "add":
            target = properties
            for part in path:
                target = target[part]
            if isinstance(target, dict):
                # A copy, not the map in place: after a replace, `target` may be one of the
                # strategies' own constants ({"Fn::Sub": 5}, ...); adding a key to it changed
                # later draws (hypothesis: FlakyStrategyDefinition, seen in `make check`).
                properties = _replace(properties, path, {**target, draw(KEYS): draw(JSON)})
    return properties


@st.composite
def generated_declarations(draw):
    """Declarations built from valid parts, mostly valid, sometimes not."""
    sizes = [(256, 512), (512, "1GB"), (1024, "2 GB"), (2048, 4096), (4096, "30GB"), (256, 4096)]
    tasks = {}
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        cpu, memory = draw(st.sampled_from(sizes))
        task = {
            "Image": draw(
                st.sampled_from(
                    [
                        "public.ecr.aws/docker/library/python:3.13",
                        "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
                        {"Repository": "app", "Tag": "v2"},
                        "nginx@sha256:" + "a" * 64,
                    ]
                )
            ),
            "Cpu": cpu,
            "Memory": memory,
            "Architecture": draw(st.sampled_from(["X86_64", "ARM64"])),
        }
        if draw(st.booleans()):
            task["Environment"] = draw(
                st.dictionaries(
                    st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True),
                    st.one_of(
                        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=10),
                        st.integers(),
                        st.booleans(),
                    ),
                    max_size=3,
                )
            )
        kind = draw(st.sampled_from(["service", "schedule", "standalone"]))
        if kind == "schedule":
            task["Schedule"] = draw(
                st.sampled_from(
                    ["rate(5 minutes)", "cron(0 2 * * ? *)", "rate(1 day)", "every day"]
                )
            )
        elif kind == "standalone":
            task["Service"] = False
        if kind != "standalone" and draw(st.booleans()):
            task["Spot"] = True
        if draw(st.booleans()):
            task["Policies"] = [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
            ]
        tasks[draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)) + str(index)] = task
    properties = {"Tasks": tasks}
    if draw(st.booleans()):
        properties["Network"] = {
            "Subnets": ["subnet-0123456789abcdef0"],
            "SecurityGroups": ["sg-0123456789abcdef0"],
        }
    return properties

"""No input crashes the macro or loses the user's template (property-based), limits, hostile input."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import least_cpu_time, lint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serverless_fargate.handler import handler
from strategies import JSON, KEYS, generated_declarations, mutated_declarations

OTHER = {
    "Queue": {"Type": "AWS::SQS::Queue"},
    "Image": {"Type": "AWS::ECR::Repository"},
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "é ☃ \u0007"}},
}
LINTED = []


def event(fragment, parameters=None):
    return {
        "region": "us-east-1",
        "accountId": "123456789012",
        "fragment": fragment,
        "transformId": "123456789012::ServerlessFargate",
        "params": {},
        "requestId": "req-1",
        "templateParameterValues": parameters or {"Size": "1024"},
    }


def check_answer(fragment):
    """The protocol's promises for any input; returns the answer."""
    before = copy.deepcopy(fragment)
    answer = handler(event(copy.deepcopy(fragment)), None)
    assert answer["requestId"] == "req-1"
    assert answer["status"] in ("success", "failure")
    if answer["status"] == "failure":
        assert isinstance(answer["errorMessage"], str) and answer["errorMessage"].strip()
        assert "internal error" not in answer["errorMessage"], answer["errorMessage"]
        return answer
    result = json.loads(json.dumps(answer["fragment"]))  # plain JSON, as CloudFormation reads it
    # Everything outside the declarations is exactly what came in.
    for key, value in before.items():
        if key == "Resources":
            for logical_id, resource in value.items():
                if not (isinstance(resource, dict) and resource.get("Type") == "Fargate::Tasks"):
                    assert result["Resources"][logical_id] == resource
        elif key != "Outputs":
            assert result[key] == value
    for name, output in (before.get("Outputs") or {}).items():
        assert result["Outputs"][name] == output
    # Deterministic: the same input gives the same output.
    again = handler(event(copy.deepcopy(fragment)), None)
    assert repr(again) == repr(answer)
    return answer


def with_declaration(properties):
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {**OTHER, "Workers": {"Type": "Fargate::Tasks", "Properties": properties}},
        "Outputs": {"Mine": {"Value": {"Ref": "Queue"}}},
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_declarations())
def test_mutated_declarations(properties):
    check_answer(with_declaration(properties))


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_declarations())
def test_generated_declarations_and_lint_a_sample(properties):
    answer = check_answer(with_declaration(properties))
    if answer["status"] == "success" and len(LINTED) < 8:
        LINTED.append(1)
        assert lint(answer["fragment"]) == []


@settings(max_examples=150, deadline=None)
@given(st.one_of(JSON, st.dictionaries(KEYS, JSON, max_size=5)))
def test_arbitrary_fragments(fragment):
    check_answer(fragment)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=10),
        st.one_of(
            JSON, st.fixed_dictionaries({"Type": st.just("Fargate::Tasks"), "Properties": JSON})
        ),
        max_size=4,
    )
)
def test_arbitrary_resources(resources):
    check_answer({"Resources": resources})


# --- limits ---------------------------------------------------------------------------------


def many(n, **extra):
    tasks = {f"t{i}": {"Image": "nginx"} for i in range(n)}
    return {
        "Resources": {
            "Workers": {
                "Type": "Fargate::Tasks",
                "Properties": {
                    "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
                    "Tasks": tasks,
                    **extra,
                },
            }
        }
    }


def failure(fragment):
    answer = handler(event(fragment), None)
    assert answer["status"] == "failure"
    return answer["errorMessage"]


def test_resource_limit_says_by_how_much_and_what_to_do():
    message = failure(many(170, Outputs=False))
    assert message == (
        "Resources.Workers: the processed template has 513 resources, 13 over CloudFormation's "
        "limit of 500: split the tasks over several stacks (nested stacks work)"
    )


def test_output_limit_says_how_to_stay_under():
    message = failure(many(100))
    assert message == (
        "Resources.Workers: the processed template has 204 outputs, 4 over CloudFormation's limit "
        "of 200: set `Outputs: false` on a declaration or split it"
    )
    assert handler(event(many(100, Outputs=False)), None)["status"] == "success"


def _over_1_mb(text="x", repeat=4000, n=20):
    big = many(n, Outputs=False)
    big["Resources"]["Workers"]["Properties"]["Environment"] = {
        f"V{i}": text * repeat for i in range(15)
    }
    return big


def test_a_template_over_1_mb_is_refused_by_validate_with_the_fix():
    """The tools (validate, plan, expand, the cfn-lint rule: expand_template) refuse a processed
    template over 1 MB, with the declaration and the fix."""
    from serverless_fargate.errors import InvalidTemplate
    from serverless_fargate.transform import expand_template

    with pytest.raises(InvalidTemplate) as refused:
        expand_template(_over_1_mb())
    (problem,) = refused.value.problems
    assert problem.path == "Resources.Workers"
    assert "bytes," in problem.message
    assert "over CloudFormation's limit of 1048576 (1 MB)" in problem.message
    assert "split the tasks over several stacks" in problem.message


def test_a_small_template_copying_a_large_value_into_every_task_is_refused_by_the_macro():
    """64 KB in, 9 MB out (a shared Environment in 150 tasks): an answer past Lambda's 6 MB
    would never reach CloudFormation, so the macro counts and refuses it with the fix."""
    fragment = _over_1_mb(n=150)
    assert len(json.dumps(fragment)) < 70_000
    message = failure(fragment)
    assert "over CloudFormation's limit of 1048576 (1 MB): split the tasks" in message


def test_the_macro_counts_no_bytes_when_its_answer_is_certainly_small(monkeypatch):
    """Over 1 MB the macro leaves a template to CloudFormation when its answer cannot pass
    Lambda's 6 MB: it counts only when the upper bound cannot say so."""
    from serverless_fargate import transform

    def never(*_):
        raise AssertionError("counted")

    monkeypatch.setattr(transform, "template_size", never)
    assert handler(event(many(94, Outputs=False)), None)["status"] == "success"
    monkeypatch.setattr(transform, "ANSWER_BOUND", 10**9)
    assert handler(event(_over_1_mb()), None)["status"] == "success"


def _ascii_size(value):
    return len(json.dumps(value, separators=(",", ":")))


def _bound_holds(fragment):
    """The bound is at least the answer's size (the answer made whole: no count refuses it)."""
    from serverless_fargate import transform as module
    from serverless_fargate.errors import InvalidTemplate

    check_size = module.check_size
    module.check_size = lambda *_: None
    try:
        result = module.transform(fragment, service_token="arn:token", nonce="n")
    except InvalidTemplate:
        return
    finally:
        module.check_size = check_size
    declarations = [
        k
        for k, r in fragment["Resources"].items()
        if isinstance(r, dict) and r.get("Type") == module.RESOURCE_TYPE
    ]
    if declarations:
        assert module.size_bound(fragment, result, declarations) >= _ascii_size(result)


def _events(count):
    return {
        f"E{j}": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["x"]}}}
        for j in range(count)
    }


def _copied_by_every_rule():
    """The declaration's Metadata is written on every generated resource: here 450 event rules
    (the second adversarial review of the bound, F1)."""
    template = many(1, Outputs=False)
    template["Resources"]["Workers"]["Metadata"] = {"Big": "m" * 20000}
    template["Resources"]["Workers"]["Properties"]["Tasks"]["t0"]["Events"] = _events(450)
    return template


def _patched_callers():
    """Each caller gets a variable and grants per task it calls, named with the declaration's
    long logical ID (F2)."""
    long_id = "D" * 230
    template = many(48, Outputs=False)
    template["Resources"][long_id] = template["Resources"].pop("Workers")
    for j in range(200):
        template["Resources"][f"F{j}"] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {"Handler": "a", "Runtime": "python3.12", "CodeUri": "."},
        }
    for task_ in template["Resources"][long_id]["Properties"]["Tasks"].values():
        task_["Callers"] = [f"F{j}" for j in range(200)]
    return template


def _queue_in_every_rule():
    """A task's dead-letter queue, written large, is copied into each of its event rules (F3)."""
    template = many(1, Outputs=False)
    big = {
        "Fn::Join": [
            "",
            ["arn:aws:sqs:us-east-1:123456789012:q", {"Fn::Select": [0, ["", "x" * 20000]]}],
        ]
    }
    template["Resources"]["Workers"]["Properties"]["Tasks"]["t0"].update(
        DeadLetterQueueArn=big, Events=_events(290)
    )
    return template


def _function_image_in_every_declaration():
    """A function's image URI, any intrinsic, is copied into each declaration that runs it
    (F4)."""
    big = {"Fn::Select": [0, ["123456789012.dkr.ecr.us-east-1.amazonaws.com/r:v1", "x" * 150000]]}
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"PackageType": "Image", "ImageUri": big},
            }
        }
    }
    for d in range(45):
        declaration = many(1, Outputs=False)["Resources"]["Workers"]
        declaration["Properties"]["Tasks"]["t0"]["Image"] = {"Function": "Fn"}
        template["Resources"][f"W{d}"] = declaration
    return template


REVIEWED = [
    _copied_by_every_rule,
    _patched_callers,
    _queue_in_every_rule,
    _function_image_in_every_declaration,
]


@pytest.mark.parametrize("make", REVIEWED, ids=[m.__name__ for m in REVIEWED])
def test_small_templates_whose_answer_would_pass_lambdas_limit_are_refused(make):
    fragment = make()
    assert len(json.dumps(fragment)) < 160_000
    _bound_holds(fragment)
    assert "split the tasks over several stacks" in failure(fragment)


def test_the_size_bound_holds_for_every_example():
    from pathlib import Path

    from conftest import load, without_transform

    for path in sorted(Path(__file__).parent.parent.glob("examples/*.yaml")):
        _bound_holds(without_transform(load(path)))


BIG = "q" * 3000
QUEUE = "arn:aws:sqs:us-east-1:123456789012:" + "q" * 80
# Values a task's resources copy, written large (a dead-letter queue's ARN is at most 80 + 48).
LARGE_VALUES = {
    "Environment": {"A": BIG},
    "Tags": {"A": BIG[:256]},
    "Command": [BIG],
    "Policies": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + BIG}],
    "Secrets": {"A": "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + BIG[:200]},
    "Sidecars": [{"Name": "s", "Image": "nginx", "Environment": [{"Name": "A", "Value": BIG}]}],
    "Network": {"Subnets": ["subnet-" + BIG[:1000]], "SecurityGroups": ["sg-" + BIG[:1000]]},
    "DeadLetterQueueArn": QUEUE,
    "Spot": {"Fallback": True},
    "Timeout": "2h",
    "Retries": 3,
}
KINDS = {
    "service": {},
    "schedule": {"Schedule": {"Expression": "rate(1 day)", "TaskCount": 3}},
    "invoked": {
        "Events": {
            f"E{i}": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["x" * 200]}}}
            for i in range(3)
        }
    },
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("level", ["task", "declaration"])
def test_the_size_bound_holds_where_large_values_are_copied(kind, level):
    for name, value in LARGE_VALUES.items():
        if kind == "service" and name in ("DeadLetterQueueArn", "Timeout", "Retries"):
            continue
        template = many(12, Outputs=kind != "invoked")
        props = template["Resources"]["Workers"]["Properties"]
        for task_ in props["Tasks"].values():
            task_.update(KINDS[kind])
            if level == "task":
                task_[name] = value
        if level == "declaration":
            props[name] = value
        _bound_holds(template)


@given(st.one_of(generated_declarations(), mutated_declarations()))
def test_the_size_bound_holds_for_generated_declarations(props):
    _bound_holds({"Resources": {"Workers": {"Type": "Fargate::Tasks", "Properties": props}}})


def test_the_size_check_never_refuses_what_a_shorter_json_would_pass():
    """Non-ASCII text counts its UTF-8 bytes, not the six bytes of a \\u escape: a template
    under 1 MB so written is not refused."""
    from serverless_fargate.transform import MAX_TEMPLATE_BYTES, expand_template, template_size

    processed = expand_template(_over_1_mb("é", 1000))
    escaped = len(json.dumps(processed, separators=(",", ":")))
    assert template_size(processed) < MAX_TEMPLATE_BYTES < escaped


ODD_KEYS = st.one_of(KEYS, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))


def _shortest_json(value):
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


@given(
    st.dictionaries(
        ODD_KEYS,
        st.one_of(JSON, st.dictionaries(ODD_KEYS, st.one_of(JSON, st.dictionaries(KEYS, JSON)))),
    )
)
def test_the_size_check_counts_exactly_what_json_writes(template):
    """The 1 MB check counts a section and a resource at a time: the same number of bytes as
    the whole dump, compact and in UTF-8, whatever the keys (YAML can give numbers, true or
    null as keys) and whatever the text (hypothesis draws no lone surrogate: those count three
    bytes, fewer than JSON's six, which errs towards passing)."""
    from serverless_fargate.transform import template_size

    assert template_size(template) == _shortest_json(template)


def test_the_size_check_counts_every_example_exactly():
    from pathlib import Path

    from conftest import expand, load
    from serverless_fargate.transform import template_size

    for path in sorted(Path(__file__).parent.parent.glob("examples/*.yaml")):
        expanded = expand(load(path))
        assert template_size(expanded) == _shortest_json(expanded), path


# --- hostile input --------------------------------------------------------------------------


def nested(depth):
    value = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def deep_declaration(where, depth):
    properties = {
        "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
        "Tasks": {"w": {"Image": "nginx"}},
    }
    deep = nested(depth)
    if where == "Overrides":
        properties["Tasks"]["w"]["Overrides"] = {"TaskDefinition": deep}
    elif where == "Environment":
        properties["Tasks"]["w"]["Environment"] = {"A": deep}
    else:
        properties["Tasks"]["w"]["Policies"] = [{"Action": "s3:*", "Resource": deep}]
    return {"Resources": {"Workers": {"Type": "Fargate::Tasks", "Properties": properties}}}


@pytest.mark.parametrize("where", ["Overrides", "Environment", "Resource"])
def test_very_deep_input_fails_clearly_and_fast(where):
    message = failure(deep_declaration(where, 5000))
    assert message.startswith("Resources.Workers.Properties.Tasks.w.")
    assert "nested deeper than" in message
    # Refused at the depth bound: 5,000 levels cost about what 100 do (a ratio in one run,
    # not an absolute time). Both are far past the bound, so both stop at it.
    deep, deeper = deep_declaration(where, 100), deep_declaration(where, 5000)
    ratio = least_cpu_time(failure, deeper, 5) / least_cpu_time(failure, deep, 5)
    assert ratio < 10, f"5,000 levels took {ratio:.1f}x the time of 100"


def test_a_deep_resource_elsewhere_is_left_alone():
    fragment = many(1)
    fragment["Resources"]["Other"] = {"Type": "AWS::SNS::Topic", "Metadata": nested(200)}
    assert handler(event(fragment), None)["status"] == "success"


@pytest.mark.parametrize("key", ["café", "task\u0000", "a b", "x\n", "☃", "", "-lead"])
def test_odd_task_keys_are_rejected_by_name(key):
    message = failure(
        {
            "Resources": {
                "Workers": {
                    "Type": "Fargate::Tasks",
                    "Properties": {
                        "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
                        "Tasks": {key: {"Image": "nginx"}},
                    },
                }
            }
        }
    )
    assert "is not a valid name: a task key starts with a letter" in message


def test_unicode_and_control_characters_in_values_pass_through():
    fragment = many(1)
    task = fragment["Resources"]["Workers"]["Properties"]["Tasks"]["t0"]
    task["Environment"] = {"GREETING": "héllo ☃ \u0007\t"}
    task["Command"] = ["echo", "日本語"]
    answer = handler(event(fragment), None)
    assert answer["status"] == "success"
    container = answer["fragment"]["Resources"]["WorkersT0TaskDefinition"]["Properties"][
        "ContainerDefinitions"
    ][0]
    assert container["Environment"] == [{"Name": "GREETING", "Value": "héllo ☃ \u0007\t"}]

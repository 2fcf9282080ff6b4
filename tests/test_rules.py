"""The rules the schema cannot say: Fargate sizes, memory strings, schedules, time zones, names."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from serverless_fargate.declaration import fargate
from serverless_fargate.declaration.rules import schedules
from serverless_fargate.ops.schedules import next_run
from serverless_fargate.resources.names import pascal_case
from strategies import generated_declarations, mutated_declarations


@pytest.mark.parametrize(
    ("text", "mib"),
    [
        (512, 512),
        ("512", 512),
        ("0.5GB", 512),
        ("2 GB", 2048),
        ("3072MB", 3072),
        ("1GiB", 1024),
        ("4gb", 4096),
        ("1.3GB", None),  # not a whole number of MiB
        ("lots", None),
        (True, None),
        # Plain digits take a short path; it reads them as the pattern does.
        ("0512", 512),
        ("123456789", 123456789),
        ("1234567890", None),  # ten digits: more than the pattern takes
        ("\u0661\u0662", None),  # Arabic-Indic digits are digits to str.isdigit, not to [0-9]
        ("", None),
    ],
)
def test_memory_strings(text, mib):
    assert fargate.parse_memory(text) == mib


@pytest.mark.parametrize(
    ("cpu", "valid", "invalid"),
    [
        (256, [512, 1024, 2048], [1536, 4096]),
        (512, [1024, 2048, 3072, 4096], [512, 5120]),
        (1024, [2048, 8192], [1024, 9216]),
        (2048, [4096, 16384], [2048, 17408]),
        (4096, [8192, 30720], [31744]),
        (8192, [16384, 20480, 61440], [17408, 65536]),
        (16384, [32768, 40960, 122880], [36864, 131072]),
    ],
)
def test_fargate_table(cpu, valid, invalid):
    for memory in valid:
        assert fargate.check_cpu_memory(cpu, memory) is None
    for memory in invalid:
        assert fargate.check_cpu_memory(cpu, memory) is not None


def test_size_message_lists_what_is_allowed():
    assert fargate.check_cpu_memory(256, 4096) == (
        "4096 MiB is not valid with Cpu 256 (allowed: 512, 1024, 2048)"
    )
    assert fargate.check_cpu_memory(512, 512) == (
        "512 MiB is not valid with Cpu 512 (allowed: 1024, 2048, 3072, 4096)"
    )
    assert fargate.check_cpu_memory(1024, 512) == (
        "512 MiB is not valid with Cpu 1024 (allowed: 2048 to 8192 in steps of 1024)"
    )


def test_smallest_cpu_for_memory():
    assert fargate.smallest_cpu_for(512) == 256
    assert fargate.smallest_cpu_for(4096) == 512
    assert fargate.smallest_cpu_for(30720) == 4096
    assert fargate.smallest_cpu_for(122880) == 16384
    assert fargate.smallest_cpu_for(3000) is None


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 hour)",
        "rate(12 hours)",
        "rate(7 days)",
        "cron(0 2 * * ? *)",
        "cron(15 10 ? * 6L 2027-2030)",
        "cron(0/15 * * * ? *)",
        "cron(0 8 1 * ? *)",
        "cron(0 9 ? * MON-FRI *)",
        "cron(0 12 ? * 2#1 *)",
        "at(2027-01-01T00:00:00)",
        "at(2028-02-29T23:59:59)",  # a leap day
    ],
)
def test_valid_schedule_expressions(expression):
    assert schedules.check_schedule_expression(expression) is None


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("every day", "is not a rate(), cron() or at() expression"),
        ("rate(5 minute)", "write rate(5 minutes)"),
        ("rate(1 minutes)", "write rate(1 minute)"),
        ("rate(5 weeks)", "minute(s), hour(s) or day(s)"),
        ("rate(0 minutes)", "at least 1"),
        ("cron(0 2 * * *)", "has 5 fields; cron() needs 6"),
        ("cron(0 2 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(61 2 * * ? *)", "not a valid minutes field"),
        ("cron(0 25 * * ? *)", "not a valid hours field"),
        ("at(2027-13-01T00:00:00)", "yyyy-mm-ddThh:mm:ss"),
        ("at(tomorrow)", "yyyy-mm-ddThh:mm:ss"),
        ("at(2027-02-29T00:00:00)", "yyyy-mm-ddThh:mm:ss"),  # not a leap year
        ("at(2100-02-29T00:00:00)", "yyyy-mm-ddThh:mm:ss"),  # centuries are not, unless /400
        ("at(2027-01-01T24:00:00)", "yyyy-mm-ddThh:mm:ss"),
    ],
)
def test_invalid_schedule_expressions(expression, says):
    assert says in schedules.check_schedule_expression(expression)


def test_timezones():
    assert schedules.check_timezone("Europe/Paris") is None
    assert schedules.check_timezone("UTC") is None
    message = schedules.check_timezone("Europe/Pariss")
    assert "did you mean 'Europe/Paris'" in message


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("queue-worker", "QueueWorker"),
        ("nightly_report", "NightlyReport"),
        ("worker", "Worker"),
        ("myTask", "MyTask"),
        ("a-b_c", "ABC"),
        ("api2", "Api2"),
    ],
)
def test_pascal_case(key, name):
    assert pascal_case(key) == name


@pytest.mark.parametrize(
    "expression",
    [
        "rate(" + "9" * 5000 + " minutes)",
        "cron(" + "1" * 5000 + " 2 * * ? *)",
        "cron(0 2 " + "1" * 5000 + " * ? *)",
        "cron(0 2 ? * " + "1" * 5000 + " *)",
        "cron(0 2 * * ? 2027-" + "1" * 5000 + ")",
    ],
    ids=["rate", "cron minutes", "cron day-of-month", "cron day-of-week", "cron year"],
)
def test_thousands_of_digits_are_refused_not_an_internal_error(expression):
    message = schedules.check_schedule_expression(expression)
    assert message is not None and ("digits" in message or "is not a valid" in message)
    assert next_run(expression, "UTC", datetime(2026, 1, 1, tzinfo=UTC)) is None


# --- a task rule runs only for tasks that give what it reads --------------------------------


def _each_task(template, visit):
    """Expands `template` (valid or not), calling `visit(t, d)` for every merged task the task
    rules see."""
    from serverless_fargate.declaration import rules
    from serverless_fargate.errors import InvalidTemplate
    from serverless_fargate.transform import transform

    real = rules.run

    def spy(scope, *args):
        if scope == "task":
            visit(*args)
        return real(scope, *args)

    rules.run = spy
    try:
        transform(template, service_token="arn:token", nonce="n")
    except InvalidTemplate:
        pass
    finally:
        rules.run = real


def _unskipped_misses(template):
    """What the skip by `reads` would hide: (rule, problems) where a task rule found problems
    in a task giving none of the fields it reads."""
    from serverless_fargate.declaration import rules

    missed = []

    def every_rule(t, d):
        for r in rules.RULES:
            if r.scope == "task" and r.reads is not None:
                found = list(r.check(t, d))
                if found and t.values.keys().isdisjoint(r.reads):
                    missed.append((r.id, found))

    _each_task(template, every_rule)
    return missed


def _catalogue():
    from pathlib import Path

    from conftest import load
    from test_fields import RULE_CASES
    from test_invalid import CASES

    yield from ((name, template) for name, template, _ in CASES)
    yield from RULE_CASES.items()
    for path in sorted(Path(__file__).parent.parent.glob("examples/*.yaml")):
        yield path.name, load(path)


def test_a_rule_skipped_for_what_it_reads_finds_nothing_there():
    """Every invalid case of the catalogue, each rule's own case and every example: no rule
    finds a problem in a task that gives none of the fields it reads (so skipping it there,
    as rules.run does, hides nothing)."""
    cases = list(_catalogue())
    assert len(cases) > 100
    for name, template in cases:
        assert _unskipped_misses(template) == [], name


def test_the_check_of_the_skip_can_fail(monkeypatch):
    """A rule declared to read a field other than the one it checks is caught."""
    from conftest import task
    from serverless_fargate.declaration import rules

    wrong = [
        rules.Rule(r.id, r.description, r.scope, r.check, frozenset({"Spot"}))
        if r.id == "size.fargate"
        else r
        for r in rules.RULES
    ]
    monkeypatch.setattr(rules, "RULES", wrong)
    missed = _unskipped_misses(task(Cpu=256, Memory=4096))
    assert [rule_id for rule_id, _ in missed] == ["size.fargate"]


@given(st.one_of(generated_declarations(), mutated_declarations()))
def test_a_rule_skipped_for_what_it_reads_finds_nothing_there_in_generated_declarations(props):
    from conftest import declaration

    assert _unskipped_misses(declaration(props)) == []


QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WILD_KEY = "arn:aws:kms:us-east-1:123456789012:key/*"


def _invoked(**props):
    """A task started by a function of the template (Callers), with `props`."""
    from conftest import task

    template = task(Callers=["Fn"], **props)
    template["Resources"]["Fn"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {"Handler": "a.b", "Runtime": "python3.13", "CodeUri": "."},
    }
    return template


def _pins():
    """(rule, field, template): the rule finds a problem in a task that gives `field` and none
    of the other fields the rule reads, so `field` must be among them (the adversarial review of the skip, W1)."""
    from conftest import declaration, task

    daily = "rate(1 day)"
    return [
        ("image.reference", "Image", task(Image="MyOrg/App")),
        (
            "image.reference",
            "Sidecars",
            declaration(
                {
                    "Network": {"Subnets": ["subnet-1"]},
                    "Tasks": {"worker": {"Sidecars": [{"Name": "s", "Image": "Bad/Image"}]}},
                }
            ),
        ),
        ("runs.kind", "DeadLetterQueueArn", task(DeadLetterQueueArn=QUEUE)),
        ("runs.kind", "DeadLetterQueueKmsKeyArn", task(DeadLetterQueueKmsKeyArn=KEY)),
        ("runs.kind", "Retries", task(Retries=2)),
        ("runs.queue-key", "DeadLetterQueueKmsKeyArn", _invoked(DeadLetterQueueKmsKeyArn=KEY)),
        (
            "runs.queue-key",
            "Schedule",
            task(Schedule={"Expression": daily, "DeadLetterQueueKmsKeyArn": KEY}),
        ),
        ("schedule.queue", "DeadLetterQueueArn", _invoked(DeadLetterQueueArn=QUEUE + ".fifo")),
        (
            "schedule.queue",
            "Schedule",
            task(Schedule={"Expression": daily, "DeadLetterQueueArn": QUEUE + ".fifo"}),
        ),
        ("wildcards.grants", "Secrets", task(Secrets={"A": "arn:aws:ssm:us-east-1:1:parameter/*"})),
        (
            "wildcards.grants",
            "Sidecars",
            task(
                Sidecars=[
                    {
                        "Name": "s",
                        "Image": "nginx",
                        "Secrets": [
                            {"Name": "A", "ValueFrom": "arn:aws:ssm:us-east-1:1:parameter/*"}
                        ],
                    }
                ]
            ),
        ),
        (
            "wildcards.grants",
            "Volumes",
            task(Volumes={"v": {"FileSystemId": "fs-*", "MountPath": "/d"}}),
        ),
        ("wildcards.grants", "SecretsKmsKeyArns", task(SecretsKmsKeyArns=[WILD_KEY])),
        (
            "wildcards.grants",
            "DeadLetterQueueKmsKeyArn",
            _invoked(DeadLetterQueueArn=QUEUE, DeadLetterQueueKmsKeyArn=WILD_KEY),
        ),
        (
            "wildcards.grants",
            "Schedule",
            task(
                Schedule={
                    "Expression": daily,
                    "DeadLetterQueueArn": QUEUE,
                    "DeadLetterQueueKmsKeyArn": WILD_KEY,
                }
            ),
        ),
    ]


def _found_where(rule_id, template):
    """The fields given by each task in which rule `rule_id` finds a problem."""
    from serverless_fargate.declaration import rules

    (rule,) = [r for r in rules.RULES if r.id == rule_id]
    given = []

    def check(t, d):
        if list(rule.check(t, d)):
            given.append(set(t.values))

    _each_task(template, check)
    return rule, given


@pytest.mark.parametrize(
    ("rule_id", "field", "template"), _pins(), ids=[f"{r}-{f}" for r, f, _ in _pins()]
)
def test_every_field_a_rule_reads_is_needed(rule_id, field, template):
    rule, given = _found_where(rule_id, template)
    others = rule.reads - {field}
    assert any(field in g and not g & others for g in given), given


def test_every_field_of_a_rule_that_reads_several_is_pinned():
    """A field dropped from a rule's `reads` would hide a problem some pin shows."""
    from serverless_fargate.declaration import rules

    pinned = {(r, f) for r, f, _ in _pins()}
    several = {
        (r.id, f) for r in rules.RULES if r.reads is not None and len(r.reads) > 1 for f in r.reads
    }
    assert several <= pinned, sorted(several - pinned)


def _unchanged_definitions_refused(template):
    """What resources.task-definition would find in the task definitions it skips: those of
    tasks without Overrides of their definition or container, and without sidecars."""
    from serverless_fargate.declaration import Context, parse_declaration
    from serverless_fargate.declaration.rules import resources as checks
    from serverless_fargate.errors import InvalidTemplate
    from serverless_fargate.settings import METADATA_KEY
    from serverless_fargate.transform import transform

    try:
        result = transform(template, service_token="arn:token", nonce="n")
    except InvalidTemplate:
        return []
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "Fargate::Tasks":
            continue
        model = parse_declaration(logical_id, resource, Context(template, {}))
        skipped = {t.key for t in model.tasks if not checks.changed_by_the_user(t)}
        for generated in result["Resources"].values():
            key = generated.get("Metadata", {}).get(METADATA_KEY, {}).get("Task")
            if generated["Type"] != "AWS::ECS::TaskDefinition" or key not in skipped:
                continue
            props = generated["Properties"]
            found += [(key, p) for p in checks._task_level(props, "at")]
            for container in props["ContainerDefinitions"]:
                found += [(key, p) for p in checks._container(container, "at")]
    return found


def test_a_task_definition_the_user_did_not_change_passes_the_checks_it_skips():
    """Every example and every case of the catalogue that builds: the builder's own task
    definitions pass resources.task-definition's checks, so skipping them hides nothing."""
    for name, template in _catalogue():
        assert _unchanged_definitions_refused(template) == [], name


@given(st.one_of(generated_declarations(), mutated_declarations()))
def test_a_generated_task_definition_the_user_did_not_change_passes_the_checks(props):
    from conftest import declaration

    assert _unchanged_definitions_refused(declaration(props)) == []


def test_the_skip_of_unchanged_definitions_still_checks_overrides_and_sidecars():
    from conftest import problems, task

    overridden = task(Overrides={"TaskDefinition": {"NetworkMode": "bridge"}})
    assert any("awsvpc" in p for p in problems(overridden))
    sidecar = task(Sidecars=[{"Name": "s", "Image": "nginx", "Privileged": True}])
    assert any("privileged" in p for p in problems(sidecar))

"""Shared helpers: expand a template the way the macro does, and lint the result."""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from serverless_fargate import cfn_yaml
from serverless_fargate.errors import InvalidTemplate
from serverless_fargate.transform import transform

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EVENTS = ROOT / "events"
SUBNET = "subnet-0123456789abcdef0"
GROUP = "sg-0123456789abcdef0"
TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:ServerlessFargate-resources"

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture
def fake_aws(monkeypatch):
    """Credentials and region for boto3 against moto; never a real account."""
    for key, value in FAKE_AWS.items():
        monkeypatch.setenv(key, value)


def expand(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The macro's answer for `template` (which is left untouched)."""
    before = copy.deepcopy(template)
    result = transform(template, parameters=parameters, service_token=TOKEN, nonce="test")
    assert template == before, "the transform must not change its input"
    assert_no_null(result)
    return result


def first_null(value: Any, path: str = "") -> str | None:
    """The path of the first null (None) in `value`, or None if it holds none."""
    if value is None:
        return path or "/"
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found = first_null(item, f"{path}/{key}")
        if found is not None:
            return found
    return None


def assert_no_null(template: dict[str, Any]) -> None:
    """CloudFormation refuses a template with a null anywhere ("'null' values are not allowed
    in templates"), even inside a state machine's Definition: every expansion is checked."""
    found = first_null(template)
    assert found is None, f"null at {found}: CloudFormation refuses null values in templates"


def declaration(properties: dict[str, Any], **resource: Any) -> dict[str, Any]:
    """A template with one declaration `Workers` and the given Properties."""
    extra = resource.pop("resources", {})
    return {
        "Resources": {
            **extra,
            "Workers": {"Type": "Fargate::Tasks", "Properties": properties, **resource},
        }
    }


def task(**props: Any) -> dict[str, Any]:
    """A declaration with one task `worker`, network given so no default-VPC lookup appears."""
    return declaration(
        {
            "Network": {"Subnets": [SUBNET], "SecurityGroups": [GROUP]},
            "Tasks": {"worker": {"Image": "public.ecr.aws/docker/library/python:3.13", **props}},
        }
    )


def problems(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> list[str]:
    with pytest.raises(InvalidTemplate) as caught:
        expand(template, parameters)
    return [str(p) for p in caught.value.problems]


def lint(template: dict[str, Any]) -> list[str]:
    """cfn-lint findings (errors and warnings) for a processed template."""
    from cfnlint.api import lint as cfn_lint

    matches = cfn_lint(json.dumps(template, ensure_ascii=False), regions=["us-east-1"])
    return [
        f"{m.rule.id} {m.message} ({'/'.join(map(str, getattr(m, 'path', None) or []))})"
        for m in matches
    ]


def load(path: Path) -> dict[str, Any]:
    return cfn_yaml.load(path.read_text())


def without_transform(template: dict[str, Any]) -> dict[str, Any]:
    """The fragment CloudFormation hands a template-level macro: no Transform section."""
    return {k: v for k, v in template.items() if k != "Transform"}


class _NoManagedPolicies:
    """SAM's managed-policy lookup, offline: the examples name policies by ARN or template."""

    def load(self) -> dict[str, str]:
        return {}


def sam_translate(
    template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The real AWS::Serverless-2016-10-31 transform, in-process (it mutates: give it a copy)."""
    from samtranslator.translator.transform import transform as sam_transform

    fragment = copy.deepcopy(template)
    fragment["Transform"] = "AWS::Serverless-2016-10-31"
    return sam_transform(fragment, parameters or {}, _NoManagedPolicies())


# Property-based tests explore new inputs locally, and the same ones on every CI run. Neither
# can fail by the machine's speed (the suite runs on several workers, beside other work): no
# per-example deadline, no "too slow" health check, whatever a test's own settings leave out.
from hypothesis import HealthCheck as _HealthCheck  # noqa: E402
from hypothesis import settings as _settings  # noqa: E402

_settings.register_profile("untimed", deadline=None, suppress_health_check=[_HealthCheck.too_slow])
_settings.register_profile(
    "ci", _settings.get_profile("untimed"), derandomize=True, print_blob=True
)
_settings.load_profile("ci" if os.environ.get("CI") else "untimed")


def internet_gateway_for_default_vpc(ec2: Any) -> str:
    """moto's default VPC lacks what AWS's has: an internet gateway and the main route table's
    0.0.0.0/0 route to it. Adds them; returns the VPC ID."""
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"
    ]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    main = next(t for t in tables if any(a.get("Main") for a in t["Associations"]))
    ec2.create_route(
        RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway
    )
    return vpc


def least_cpu_time(run: Any, argument: Any, times: int) -> float:
    """The least CPU time of a few runs of `run(argument)`: this process's own time, so other
    processes' load on a shared machine does not count; the least, as the run disturbed least.
    Tests compare two of these (a ratio in one run), never one with a number of seconds."""
    best = float("inf")
    for _ in range(times):
        start = time.process_time()
        run(argument)
        best = min(best, time.process_time() - start)
    return best


# Tests on a simulated deployed stack (moto CloudFormation, ECS, Step Functions executions):
# each stands one up, so they are end-to-end and slow. `make check` leaves them out.
SLOW_FIXTURES = {"stack", "world"}


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    # Slow tests first (a stable sort: each group keeps its files' order). `make test` runs the
    # suite on two workers (pytest-xdist hands out tests in this order, which every worker
    # collects alike): a long test started last would leave the other worker idle until it
    # ends; with the long ones first, both finish on a tail of short tests, close together.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def node_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HOME for the Serverless Framework, which writes ~/.serverless (its compiled-schema cache
    and the last command's status): one per pytest process, so that parallel workers never
    write the same files and the user's own HOME is left alone; shared by one process's
    tests, so the cache is filled once (a cold one costs a few seconds a run)."""
    return tmp_path_factory.mktemp("home")

"""The SAM application that installs the macro: consistent with the code it ships."""

from __future__ import annotations

import importlib
import tomllib

from conftest import ROOT, load
from serverless_fargate import __version__
from serverless_fargate.settings import RESOURCES_FUNCTION_NAME

APP = load(ROOT / "template.yaml")
RESOURCES = APP["Resources"]


def test_handlers_exist():
    for logical_id in ("MacroFunction", "ResourcesFunction"):
        module, _, function = RESOURCES[logical_id]["Properties"]["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), function))


def test_runtime_and_architecture():
    function = APP["Globals"]["Function"]
    assert function["Runtime"] == "python3.13" and function["Architectures"] == ["arm64"]


def test_macro_knows_the_lookup_function():
    env = RESOURCES["MacroFunction"]["Properties"]["Environment"]["Variables"]
    assert env["RESOURCES_FUNCTION_ARN"] == {"Fn::GetAtt": ["ResourcesFunction", "Arn"]}
    assert "SPOT_FUNCTION_ARN" not in env  # no shared Spot function any more
    # Without the variable, the macro falls back to the default name: keep them equal.
    default = APP["Parameters"]["MacroName"]["Default"]
    assert RESOURCES["ResourcesFunction"]["Properties"]["FunctionName"] == {
        "Fn::Sub": "${MacroName}-resources"
    }
    assert f"{default}-resources" == RESOURCES_FUNCTION_NAME
    assert RESOURCES["Macro"]["Properties"]["Name"] == {"Ref": "MacroName"}


def test_serverless_repo_metadata_is_complete():
    meta = APP["Metadata"]["AWS::ServerlessRepo::Application"]
    for key in (
        "Name",
        "Description",
        "Author",
        "SpdxLicenseId",
        "LicenseUrl",
        "ReadmeUrl",
        "Labels",
        "SemanticVersion",
        "SourceCodeUrl",
    ):
        assert meta.get(key), key
    assert (ROOT / meta["LicenseUrl"]).is_file() and (ROOT / meta["ReadmeUrl"]).is_file()
    assert meta["SemanticVersion"] == __version__
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    assert config["default"]["publish"]["parameters"]["semantic_version"] == __version__


def test_roles_are_least_privilege():
    # Only where IAM has no resource-level permissions.
    allowed_star = {"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeRouteTables"}
    for role in ("MacroRole", "ResourcesRole"):
        for policy in RESOURCES[role]["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                if statement["Resource"] == "*":
                    actions = (
                        statement["Action"]
                        if isinstance(statement["Action"], list)
                        else [statement["Action"]]
                    )
                    assert set(actions) <= allowed_star, statement
    macro_actions = [
        s["Action"]
        for p in RESOURCES["MacroRole"]["Properties"]["Policies"]
        for s in p["PolicyDocument"]["Statement"]
    ]
    assert macro_actions == [["logs:CreateLogStream", "logs:PutLogEvents"]]


def test_log_groups_have_retention():
    for logical_id in ("MacroLogGroup", "ResourcesLogGroup"):
        assert RESOURCES[logical_id]["Properties"]["RetentionInDays"] == {
            "Ref": "LogRetentionInDays"
        }


def test_the_application_has_no_function_that_may_change_services():
    """Spot services fall back through each declaration's own rule and workflow
    (resources/spot.py): no shared function may scale one stack's services for another."""
    functions = [k for k, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"]
    assert functions == ["MacroFunction", "ResourcesFunction"]
    actions = [
        action
        for resource in RESOURCES.values()
        if resource["Type"] == "AWS::IAM::Role"
        for policy in resource["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    ]
    assert not [a for a in actions if a in ("ecs:UpdateService", "ecs:RunTask", "iam:PassRole")]
    # The lookup function adds providers to clusters only (FARGATE and FARGATE_SPOT, in code).
    assert "ecs:PutClusterCapacityProviders" in actions


def test_no_rule_of_the_application_hears_every_service_of_the_region():
    assert not [r for r in RESOURCES.values() if r["Type"] == "AWS::Events::Rule"]


# AWS Serverless Application Repository's documented limits (CreateApplication API): `sam
# publish` checks only that the fields are present, so a bad value fails at upload otherwise.
SAR_LIMITS = {
    "Name": (1, 140, r"[a-zA-Z0-9\-]+"),
    "Author": (1, 127, r"[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?"),
    "Description": (1, 256, None),
    "SpdxLicenseId": (1, 127, None),
    "HomePageUrl": (1, 1024, r"https://\S+"),
    "SourceCodeUrl": (1, 1024, r"https://\S+"),
}
LABEL = r"[a-zA-Z0-9+\-_:/@]+"
SEMVER = (
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
FIVE_MB = 5 * 1024 * 1024


def test_serverless_repo_metadata_is_within_every_documented_limit():
    import re

    meta = APP["Metadata"]["AWS::ServerlessRepo::Application"]
    for field, (low, high, pattern) in SAR_LIMITS.items():
        value = meta[field]
        assert isinstance(value, str) and low <= len(value) <= high, (field, len(value))
        if pattern:
            assert re.fullmatch(pattern, value), (field, value)
    assert 0 <= len(meta["Labels"]) <= 10
    for label in meta["Labels"]:
        assert 1 <= len(label) <= 127 and re.fullmatch(LABEL, label), label
    assert re.fullmatch(SEMVER, meta["SemanticVersion"])
    for field in ("LicenseUrl", "ReadmeUrl"):
        path = ROOT / meta[field]
        assert path.is_file() and 0 < path.stat().st_size <= FIVE_MB, field


def test_every_install_path_names_the_capability_it_needs():
    """The application creates IAM roles, and no resource policy (no Lambda permission: SAM
    would make one for a function event source)."""
    import tomllib

    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    assert config["default"]["deploy"]["parameters"]["capabilities"].split() == ["CAPABILITY_IAM"]
    assert not any((r.get("Properties") or {}).get("Events") for r in APP["Resources"].values())
    assert not [r for r in APP["Resources"].values() if r["Type"] == "AWS::Lambda::Permission"]
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deploy to your account", 1)[1].split("\n## ", 1)[0]
    assert "--capabilities CAPABILITY_IAM\n" in section
    assert "Show apps that create custom\nIAM roles or resource policies" in section
    assert "**Uninstall**" in section and "**Upgrade**" in section


def test_every_accepted_security_check_is_explained_in_the_decisions():
    import yaml

    accepted = yaml.safe_load((ROOT / ".checkov.yaml").read_text())["skip-check"]
    decisions = (ROOT / "docs" / "decisions.md").read_text()
    assert accepted
    for check in accepted:
        number = check.removeprefix("CKV_AWS_")
        assert check in decisions or f"/{number}" in decisions, check

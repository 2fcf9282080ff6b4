"""A Serverless Framework service file (serverless.yml) read as the template the framework
packages from it, so `validate` (and the pre-commit hook) check its `Fargate::Tasks`
declarations as they check a SAM template's.

The framework copies `resources` (Transform, Conditions, Resources, Outputs) into the template
it deploys and resolves its own variables (`${sls:stage}`, `${file(...)}`) first. Here each
value holding such a variable stands for a value only the framework knows: a parameter
without a value, which the rules treat as they treat any value known only at deploy time.
A function with an image is the framework's `<Name>LambdaFunction`, so `Image: {Function: ...}`
finds it. Problems name their place in serverless.yml (`resources.Resources...`).
"""

from __future__ import annotations

import re
from typing import Any

from .migrate import framework_function_id, variables

SECTIONS = ("Transform", "Conditions", "Resources", "Outputs")
PREFIX = "resources."


def is_service(document: Any) -> bool:
    """A serverless.yml: `service:` and `resources:`, no template `Resources` of its own."""
    return (
        isinstance(document, dict)
        and "service" in document
        and "Resources" not in document
        and isinstance(document.get("resources"), dict)
    )


def as_template(config: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template the framework would package from this service (the parts
    that matter to the declarations)."""
    resources = config["resources"]
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    parameters: dict[str, Any] = {}
    for section in SECTIONS:
        if section in resources:
            template[section] = _standing_in(resources[section], parameters)
    functions = config.get("functions")
    for name, function in (functions if isinstance(functions, dict) else {}).items():
        if isinstance(function, dict) and function.get("image"):
            logical_id = framework_function_id(str(name))
            uri = "Image" + re.sub(r"[^A-Za-z0-9]", "", logical_id)
            parameters[uri] = {"Type": "String", "Description": f"image of function {name}"}
            template.setdefault("Resources", {}).setdefault(
                logical_id,
                {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "PackageType": "Image",
                        "Code": {"ImageUri": {"Ref": uri}},
                    },
                },
            )
    if parameters:
        template["Parameters"] = parameters
    return template


def _standing_in(value: Any, parameters: dict[str, Any]) -> Any:
    """Values with framework variables as parameters without a value (one per value)."""
    if isinstance(value, dict):
        return {k: _standing_in(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [_standing_in(v, parameters) for v in value]
    framework = [
        inner
        for _, _, inner in variables(value if isinstance(value, str) else "")
        if not inner.startswith("AWS::") and (":" in inner or "(" in inner)
    ]
    if framework:
        name = f"ServerlessVariable{len(parameters) + 1}"
        parameters[name] = {"Type": "String", "Description": f"resolved by the framework: {value}"}
        return {"Ref": name}
    return value


def located(problem_line: str) -> str:
    """A problem of the packaged template, at its place in serverless.yml."""
    for section in SECTIONS:
        if problem_line.startswith(section):
            return PREFIX + problem_line
    return problem_line

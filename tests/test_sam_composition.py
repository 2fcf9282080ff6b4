"""Working next to SAM's own transform, in both orders, with the real aws-sam-translator."""

from __future__ import annotations

import copy

import pytest
from conftest import EXAMPLES, lint, load, problems, sam_translate
from serverless_fargate.cfn_yaml import load as load_text
from serverless_fargate.transform import expand_template

# SAM's transform and cfn-lint on whole examples, in both orders.
pytestmark = pytest.mark.slow

BLOG = EXAMPLES / "lambda-and-worker.yaml"


def fargate_first(template):
    """Transform: [ServerlessFargate, AWS::Serverless-2016-10-31]."""
    return sam_translate(expand_template(template))


def sam_first(template):
    """Transform: [AWS::Serverless-2016-10-31, ServerlessFargate]."""
    return expand_template({k: v for k, v in sam_translate(template).items() if k != "Transform"})


def main_container(result):
    definition = result["Resources"]["WorkersQueueWorkerTaskDefinition"]["Properties"]
    return definition["ContainerDefinitions"][0]


@pytest.mark.parametrize("order", [fargate_first, sam_first], ids=["fargate-first", "sam-first"])
def test_blog_example_in_both_orders(order):
    result = order(load(BLOG))
    assert lint(result) == []
    resources = result["Resources"]
    # One image, two runtimes: the function and the service read the same ImageUri.
    assert resources["Api"]["Type"] == "AWS::Lambda::Function"
    assert resources["Api"]["Properties"]["Code"]["ImageUri"] == {"Ref": "ImageUri"}
    assert resources["WorkersImageDigests"]["Properties"]["Images"]["QueueWorker"] == {
        "Ref": "ImageUri"
    }
    container = main_container(result)
    assert container["Image"] == {"Fn::GetAtt": ["WorkersImageDigests", "QueueWorker"]}
    assert (container["EntryPoint"], container["Command"]) == (["python"], ["-m", "app.worker"])
    assert resources["WorkersQueueWorkerService"]["Type"] == "AWS::ECS::Service"
    assert "ServerlessHttpApi" in resources  # SAM's HTTP API for the function


def test_fargate_first_inherits_globals_and_leaves_them_for_sam():
    result = fargate_first(load(BLOG))
    env = {e["Name"]: e["Value"] for e in main_container(result)["Environment"]}
    assert env == {
        "TABLE_NAME": {"Ref": "Posts"},
        "LOG_LEVEL": "info",
        "QUEUE_URL": {"Ref": "Jobs"},
    }
    function_env = result["Resources"]["Api"]["Properties"]["Environment"]["Variables"]
    assert function_env["TABLE_NAME"] == {"Ref": "Posts"}  # SAM still applied its Globals
    assert result["Resources"]["Api"]["Properties"]["Timeout"] == 30


def test_sam_first_has_no_globals_to_inherit():
    env = {e["Name"] for e in main_container(sam_first(load(BLOG)))["Environment"]}
    assert env == {"QUEUE_URL"}


ZIP_FUNCTION = {
    "Type": "AWS::Serverless::Function",
    "Properties": {
        "Runtime": "python3.13",
        "Handler": "app.handler",
        "CodeUri": "s3://bucket/code.zip",
    },
}


@pytest.mark.parametrize("order", ["fargate-first", "sam-first"])
def test_zip_function_image_is_a_clear_error(order):
    template = copy.deepcopy(load(BLOG))
    template["Resources"]["Api"] = ZIP_FUNCTION
    if order == "sam-first":
        template = {k: v for k, v in sam_translate(template).items() if k != "Transform"}
    else:
        template = {k: v for k, v in template.items() if k != "Transform"}
    found = problems(template)
    assert found == [
        "Resources.Workers.Properties.Tasks.queue-worker.Image.Function: 'Api' is not an image "
        "function (it needs PackageType: Image and an ImageUri, or Metadata.Dockerfile for sam build) "
        "(this template has none)"
    ]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_survives_sam_after_us(path):
    assert lint(fargate_first(load(path))) == []


def test_the_readme_example_works():
    """The first template a reader sees expands, composes with SAM and lints clean."""
    readme = (EXAMPLES.parent / "README.md").read_text()
    snippet = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    template = load_text(snippet)
    template["Parameters"] = {
        "ImageUri": {
            "Type": "String",
            "Default": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
        }
    }
    result = fargate_first(template)
    assert lint(result) == []
    assert {"WorkersQueueWorkerService", "WorkersNightlyReportSchedule", "Api"} <= set(
        result["Resources"]
    )

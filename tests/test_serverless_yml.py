"""Framework users keep validation: `validate` and the pre-commit hook (`--skip-others`) read a
serverless.yml whose `resources` use the transform, with the same messages as for a SAM
template, at their place in serverless.yml."""

from __future__ import annotations

import pytest
from conftest import ROOT
from serverless_fargate.cli import main
from serverless_fargate.migrate import to_serverless

SERVICE = """\
service: shop
provider: {name: aws}
functions:
  api: {image: {name: app}}
resources:
  Transform: ServerlessFargate
  Resources:
    FargateTasks:
      Type: Fargate::Tasks
      Properties:
        ClusterName: shop-${sls:stage}
        Network: {Subnets: ['${ssm:/shop/subnet}']}
        Tasks:
          web:
            Image: {Function: ApiLambdaFunction}
            Cpu: %s
          job:
            Image: ${file(images.yml):job}
            Schedule: rate(1 hour)
"""
TEMPLATE = """\
Transform: ServerlessFargate
Resources:
  FargateTasks:
    Type: Fargate::Tasks
    Properties:
      Tasks:
        web:
          Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1
          Cpu: 300
"""


def test_the_same_message_as_a_sam_template_at_its_place_in_serverless_yml(tmp_path, capsys):
    sam, service = tmp_path / "template.yaml", tmp_path / "serverless.yml"
    sam.write_text(TEMPLATE)
    service.write_text(SERVICE % 300)
    assert main(["validate", str(sam)]) == 1
    expected = capsys.readouterr().err.strip()
    assert expected.startswith("Resources.FargateTasks.Properties.Tasks.web.Cpu: 300")
    assert main(["validate", str(service)]) == 1
    assert capsys.readouterr().err.strip() == f"resources.{expected}"


def test_the_pre_commit_hook_checks_a_serverless_yml(tmp_path, capsys):
    service = tmp_path / "serverless.yml"
    service.write_text(SERVICE % 300)
    assert main(["validate", "--skip-others", str(service)]) == 1
    assert f"{service}: resources.Resources.FargateTasks.Properties.Tasks.web.Cpu: 300" in (
        capsys.readouterr().err
    )


def test_framework_variables_and_image_functions_are_not_problems(tmp_path, capsys):
    service = tmp_path / "serverless.yml"
    service.write_text(SERVICE % 256)
    assert main(["validate", str(service)]) == 0
    assert "valid (1 Fargate::Tasks declaration(s))" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["jobs", "options", "shop"])
def test_a_migrated_serverless_yml_validates(name, tmp_path, capsys):
    text, _ = to_serverless((ROOT / "tests" / "parity" / "services" / f"{name}.yml").read_text())
    service = tmp_path / "serverless.yml"
    service.write_text(text)
    assert main(["validate", "--skip-others", str(service)]) == 0, capsys.readouterr().err

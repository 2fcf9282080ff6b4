"""The command-line tool: expand, validate, plan; exit codes 0, 1 and 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import EXAMPLES, ROOT, lint
from serverless_fargate import cfn_yaml, transform
from serverless_fargate.cli import main

SHORT_FORM = """\
AWSTemplateFormatVersion: 2010-09-09
Transform: ServerlessFargate
Parameters:
  Size: {Type: String, Default: "512"}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Workers:
    Type: Fargate::Tasks
    Properties:
      Network: {Subnets: [subnet-0123456789abcdef0]}
      Tasks:
        worker:
          Image: !Sub ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/app:latest
          Cpu: !Ref Size
          Memory: 1GB
          Environment:
            BUCKET: !Ref Bucket
            ARN: !GetAtt Bucket.Arn
            JOINED: !Join [",", [a, b]]
"""


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(SHORT_FORM)
    return path


def test_expand_yaml_with_short_form_tags(template, capsys):
    assert main(["expand", str(template)]) == 0
    result = cfn_yaml.load(capsys.readouterr().out)
    assert "Transform" not in result  # ours was the only one
    assert result["AWSTemplateFormatVersion"] == "2010-09-09"  # a string, not a date
    main_container = result["Resources"]["WorkersWorkerTaskDefinition"]["Properties"][
        "ContainerDefinitions"
    ][0]
    assert main_container["Environment"] == [
        {"Name": "BUCKET", "Value": {"Ref": "Bucket"}},
        {"Name": "ARN", "Value": {"Fn::GetAtt": ["Bucket", "Arn"]}},
        {"Name": "JOINED", "Value": {"Fn::Join": [",", ["a", "b"]]}},
    ]
    assert lint(result) == []


def test_expand_json_to_file(template, tmp_path):
    out = tmp_path / "out.json"
    assert main(["expand", str(template), "--format", "json", "--output", str(out)]) == 0
    assert "WorkersWorkerService" in json.loads(out.read_text())["Resources"]


def test_parameters_are_validated(template, capsys):
    assert main(["validate", str(template), "--parameter", "Size=4096"]) == 1
    err = capsys.readouterr().err
    assert (
        "Resources.Workers.Properties.Tasks.worker.Memory: 1024 MiB is not valid with Cpu 4096"
        in err
    )


def test_validate_success(template, capsys):
    assert main(["validate", str(template)]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_notes_a_scheduled_task_without_timeout(tmp_path, capsys):
    body = {
        "Transform": "ServerlessFargate",
        "Resources": {
            "Jobs": {
                "Type": "Fargate::Tasks",
                "Properties": {
                    "Network": {"Subnets": ["subnet-1"]},
                    "Tasks": {
                        "nightly": {"Image": "x", "Schedule": "rate(1 day)"},
                        "hourly": {"Image": "x", "Schedule": "rate(1 hour)", "Timeout": "10m"},
                    },
                },
            }
        },
    }
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(body))
    assert main(["validate", str(path)]) == 0  # a note, not an error
    notes = [line for line in capsys.readouterr().err.splitlines() if "Timeout" in line]
    assert len(notes) == 1 and "scheduled task nightly has no Timeout" in notes[0]


def _scheduled(count: int) -> dict:
    tasks = {
        f"job{i}": {"Image": "x", "Schedule": "rate(1 day)", "Timeout": "1h"} for i in range(count)
    }
    return {
        "Transform": "ServerlessFargate",
        "Resources": {
            "Jobs": {
                "Type": "Fargate::Tasks",
                "Properties": {"Network": {"Subnets": ["subnet-1"]}, "Tasks": tasks},
            }
        },
    }


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_a_processed_template_too_large_to_pass_inline_is_noted(tmp_path, capsys, command):
    # CloudFormation takes a processed template of at most 51,200 bytes when the template was
    # given in the request, 1 MB from S3 ("Troubleshoot the processed template").
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    small.write_text(json.dumps(_scheduled(1)))
    large.write_text(json.dumps(_scheduled(3)))
    assert main([command, str(small)]) == 0
    assert "51,200" not in capsys.readouterr().err
    assert main([command, str(large)]) == 0  # a note, not an error: from S3 it deploys
    notes = [line for line in capsys.readouterr().err.splitlines() if "51,200" in line]
    assert len(notes) == 1, notes
    size = transform.template_size(transform.expand_template(_scheduled(3)))
    assert notes[0].startswith(f"note: {large}: the processed template is {size:,} bytes;")
    assert "--s3-bucket" in notes[0] and "--resolve-s3" in notes[0]


def test_the_inline_limit_note_errs_towards_noting(tmp_path, capsys):
    """AWS does not say how the JSON it counts is written: a template under 51,200 bytes in
    UTF-8 but over it with \\u escapes is noted (a note that errs costs a look, not a deploy)."""
    body = _scheduled(1)
    task_ = body["Resources"]["Jobs"]["Properties"]["Tasks"]["job0"]
    task_["Environment"] = {"A": "é" * 5000}
    path = tmp_path / "accents.json"
    path.write_text(json.dumps(body))
    processed = {k: v for k, v in transform.expand_template(body).items() if k != "Transform"}
    assert (
        transform.template_size(processed)
        < 51_200
        < len(json.dumps(processed, separators=(",", ":")))
    )
    assert main(["validate", str(path)]) == 0
    assert "51,200" in capsys.readouterr().err


def test_a_template_over_1_000_000_bytes_is_noted(tmp_path, capsys):
    """Under 1,048,576 bytes it is not refused, but CloudFormation's error message and cfn-lint
    count 1 MB as 1,000,000 bytes: validate says it may be refused."""
    body = _scheduled(1)
    props = body["Resources"]["Jobs"]["Properties"]
    props["Tasks"] = {f"job{i}": {"Image": "x", "Service": False} for i in range(20)}
    props["Environment"] = {f"V{i}": "x" * 3300 for i in range(15)}
    path = tmp_path / "near.json"
    path.write_text(json.dumps(body))
    processed = {k: v for k, v in transform.expand_template(body).items() if k != "Transform"}
    assert 1_000_000 < transform.template_size(processed) <= transform.MAX_TEMPLATE_BYTES
    assert main(["validate", str(path)]) == 0
    (note,) = [line for line in capsys.readouterr().err.splitlines() if "1,000,000" in line]
    assert note.startswith(f"note: {path}: the processed template is ")
    assert "may be refused" in note and "split the tasks" in note


def test_the_inline_limit_note_says_other_transforms_still_run(tmp_path, capsys):
    body = _scheduled(3)
    body["Transform"] = ["ServerlessFargate", "AWS::Serverless-2016-10-31"]
    path = tmp_path / "with-sam.json"
    path.write_text(json.dumps(body))
    assert main(["validate", str(path)]) == 0
    (note,) = [line for line in capsys.readouterr().err.splitlines() if "51,200" in line]
    assert " bytes before AWS::Serverless-2016-10-31 runs;" in note


def test_invalid_template_exits_1_with_every_problem(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(SHORT_FORM.replace("Memory: 1GB", "Memory: 9GB\n          Comand: [x]"))
    assert main(["expand", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "Resources.Workers.Properties.Tasks.worker.Comand: unknown property; did you mean 'Command'?",
        "Resources.Workers.Properties.Tasks.worker.Memory: 9216 MiB is not valid with Cpu 512 (allowed: 1024, 2048, 3072, 4096)",
    ]


def test_not_yaml_exits_1(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("Resources: [unclosed")
    assert main(["expand", str(path)]) == 1
    assert "not valid YAML or JSON" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["expand"],
        ["frobnicate", "x"],
        ["expand", "t.yaml", "--format", "xml"],
        ["expand", "t.yaml", "--parameter", "novalue"],
    ],
)
def test_usage_errors_exit_2(argv):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2


def test_missing_file_exits_2(capsys):
    assert main(["expand", "/nonexistent/template.yaml"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_plan_lists_what_would_be_deployed(capsys):
    assert main(["plan", str(EXAMPLES / "nightly-job.yaml")]) == 0
    out = capsys.readouterr().out
    assert "+ BatchNightlyReportSchedule" in out and "cron(30 2 * * ? *) (Europe/Paris)" in out
    assert "  Reports " in out  # the template's own resource, not marked
    table, estimate = out.split("\nCost estimate, ")  # the table, then what it costs
    assert table.rstrip().endswith("resource(s) generated by ServerlessFargate")
    assert estimate.startswith("us-east-1, USD")
    assert "1024 CPU units, 4096 MiB" in out
    assert (
        "watches runs of nightly_report (timeout 7200 s, 2 retries, Spot, else FARGATE, "
        "rerun if interrupted, failures to a queue)"
    ) in out


def test_plan_marks_the_callers_it_changes_and_describes_rules_and_policies(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(
        """
Resources:
  Api:
    Type: AWS::Lambda::Function
    Properties: {Role: !GetAtt ApiRole.Arn, Runtime: python3.13, Handler: a.b, Code: {ZipFile: x}}
  ApiRole:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {Statement: []}}
  Jobs:
    Type: Fargate::Tasks
    Properties:
      Network: {Subnets: [subnet-1]}
      Tasks:
        export:
          Image: x
          Callers: [Api]
          Events: {Up: {Type: EventBridgeRule, Properties: {Pattern: {source: [aws.s3]}}}}
"""
    )
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "~ Api " in out and "  ApiRole " in out
    assert re.search(
        r'\+ JobsExportUpRule +AWS::Events::Rule +a run per event of \["aws.s3"\]', out
    )
    assert "+ JobsApiCallerPolicy" in out and "for ApiRole" in out
    assert "\n~ 1 function(s) given permission to start tasks (Callers)\n" in out


def test_runs_as_a_module(template):
    result = subprocess.run(
        [sys.executable, "-m", "serverless_fargate", "validate", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_sam_transform_is_kept_for_later(capsys):
    assert main(["expand", str(EXAMPLES / "lambda-and-worker.yaml")]) == 0
    assert cfn_yaml.load(capsys.readouterr().out)["Transform"] == "AWS::Serverless-2016-10-31"


def test_yaml_anchors_work(tmp_path, capsys):
    path = tmp_path / "anchors.yaml"
    path.write_text(
        "Resources:\n  Workers:\n    Type: Fargate::Tasks\n    Properties:\n"
        "      Network: {Subnets: [subnet-0123456789abcdef0]}\n"
        "      Tasks:\n        a: &task {Image: nginx, Command: [run]}\n        b: *task\n"
    )
    assert main(["expand", str(path), "--format", "json"]) == 0
    resources = json.loads(capsys.readouterr().out)["Resources"]
    assert "WorkersATaskDefinition" in resources and "WorkersBTaskDefinition" in resources


BOMB = "\n".join(
    [
        'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
        *(
            f"{n}: &{n} [{','.join([f'*{p}'] * 10)}]"
            for p, n in zip("abcdefg", "bcdefgh", strict=True)
        ),
        "Resources: {W: {Type: Fargate::Tasks, Properties: {Tasks: {w: {Image: x, Command: *h}}}}}",
    ]
)


@pytest.mark.parametrize(
    "content, says",
    [
        (BOMB.encode(), "would expand to over 1000000 values through YAML aliases"),
        (b'Resources:\n  A: {Type: "\xff\xfe"}\n', "not UTF-8 text"),
        (
            b"Resources:\n  W: {Type: Fargate::Tasks, Properties: {Tasks: {w: {Image: x, "
            b"Environment: {1: a}}}}}\n",
            "map keys must be strings; 1 is a number",
        ),
        (b"- just\n- a list\n", "Template: must be a map"),
        (
            b"Resources:\n  A: {Type: AWS::SNS::Topic, Metadata: {blob: !!binary aGVsbG8=}}\n",
            "!!binary is not a CloudFormation value",
        ),
    ],
    ids=["alias bomb", "not UTF-8", "int key", "not a map", "binary"],
)
def test_bad_files_get_a_message_and_exit_1(tmp_path, capsys, content, says):
    path = tmp_path / "t.yaml"
    path.write_bytes(content)
    for command in ("expand", "validate", "plan"):
        assert main([command, str(path)]) == 1
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err


def test_plan_describes_any_role_of_the_users_own(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n"
        "  R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {Statement: "
        '[{Effect: Allow, Principal: {AWS: "*"}, Action: "sts:AssumeRole"}]}}}\n'
        "  Odd: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: 5}}\n"
        "  W: {Type: Fargate::Tasks, Properties: {Network: {Subnets: [s]}, Tasks: {w: {Image: x}}}}\n"
    )
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "R " in out and "Odd" in out and "WWTaskDefinition" in out


def test_plan_shows_every_wildcard_grant(tmp_path, capsys):
    """Wide access is written explicitly (a Policies statement), and plan shows it, beside the
    wildcards AWS leaves no narrower form for (ecr:GetAuthorizationToken)."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n"
        "  W:\n"
        "    Type: Fargate::Tasks\n"
        "    Properties:\n"
        "      Network: {Subnets: [s]}\n"
        "      Tasks:\n"
        "        w:\n"
        "          Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1\n"
        "          Policies:\n"
        "            - Effect: Allow\n"
        "              Action: ssm:GetParametersByPath\n"
        "              Resource: arn:aws:ssm:us-east-1:123456789012:parameter/prod/*\n"
    )
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    task_role = next(line for line in out.splitlines() if "WWTaskRole" in line)
    assert (
        "wildcard grants: ssm:GetParametersByPath on "
        "arn:aws:ssm:us-east-1:123456789012:parameter/prod/*"
    ) in task_role
    execution_role = next(line for line in out.splitlines() if "WExecutionRole" in line)
    assert "ecr:GetAuthorizationToken on *" in execution_role


def test_parameter_fed_cpu_is_checked_and_planned_by_its_value(template, capsys):
    assert main(["validate", str(template), "--parameter", "Size=300"]) == 1
    err = capsys.readouterr().err
    assert "Resources.Workers.Properties.Tasks.worker.Cpu: 300 is not valid" in err
    assert main(["plan", str(template)]) == 0
    out = capsys.readouterr().out
    assert "512 (Size) CPU units" in out and '{"Ref"' not in out


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (
            "Resources:\n  W: {Type: Fargate::Task, Properties: {Tasks: {w: {Image: x}}}}\n",
            "Resources.W.Type: 'Fargate::Task' is not a resource type; did you mean "
            "'Fargate::Tasks'?",
        ),
        (
            "Resources:\n  W: {Type: Fargate::Tasks, Properties: {Tasks: {w: {Image: x}}}}\n",
            "Resources.W.Type: Fargate::Tasks needs the ServerlessFargate transform, which this "
            "template does not list: add `Transform: ServerlessFargate`",
        ),
    ],
    ids=["type misspelt", "no transform"],
)
def test_validate_names_near_misses(tmp_path, capsys, content, says):
    path = tmp_path / "t.yaml"
    path.write_text(content)
    for extra in ([], ["--skip-others"]):
        assert main(["validate", str(path), *extra]) == 1
        captured = capsys.readouterr()
        assert says in captured.err and "valid" not in captured.out


@pytest.mark.parametrize(
    "command",
    [
        ["expand", str(EXAMPLES / "nightly-job.yaml")],
        ["migrate", str(ROOT / "tests" / "migrations" / "minimal.yml")],
        ["lint-setup"],
    ],
    ids=["expand", "migrate", "lint-setup"],
)
@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_an_output_that_cannot_be_written_is_a_message_not_a_traceback(
    tmp_path, capsys, command, where
):
    output = tmp_path / "missing" / "out.yaml" if where == "missing folder" else tmp_path
    assert main([*command, "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert f"serverless-fargate: cannot write {output}: " in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["expand", "t.yaml", "--bogus"], "usage: serverless-fargate expand "),
        (["validate", "t.yaml", "--parameter", "x"], "usage: serverless-fargate validate "),
        (["logs", "stack", "--since", "soon"], "usage: serverless-fargate logs "),
        (["logs", "stack", "--since", "9" * 5000], "usage: serverless-fargate logs "),
        (["run", "stack", "task", "--env", "x"], "usage: serverless-fargate run "),
    ],
    ids=["unknown option", "bad --parameter", "bad --since", "huge --since", "bad --env"],
)
def test_argument_errors_show_the_subcommands_usage(capsys, argv, usage):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    # The day-two commands' usage errors exit 64 (README: exit codes), the others 2.
    assert exited.value.code == (64 if argv[0] in ("status", "run", "logs", "exec") else 2)
    assert capsys.readouterr().err.startswith(usage)


def test_an_unknown_parameter_name_is_an_error_listing_the_templates(template, capsys):
    assert main(["validate", str(template), "--parameter", "Sise=512"]) == 2
    err = capsys.readouterr().err
    assert "--parameter Sise: the template has no parameter 'Sise' (its parameters: Size)" in err

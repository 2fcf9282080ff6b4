"""Fits the tools users already run: SAM-built image functions, pre-commit, and a CLI that
installs on its own (pipx) without the Lambdas' dependencies."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, lint, load, sam_translate
from serverless_fargate.cli import main
from serverless_fargate.transform import expand_template

# Fresh venvs, pre-commit installs, a clone, SAM's transform and cfn-lint: minutes.
pytestmark = pytest.mark.slow

SAM_BUILT = EXAMPLES / "sam-built-image" / "template.yaml"
PUSHED = "123456789012.dkr.ecr.us-east-1.amazonaws.com/samapp7427/api:v1"


def packaged(template):
    """What `sam deploy --resolve-image-repos` hands CloudFormation: ImageUri filled in."""
    out = copy.deepcopy(template)
    out["Resources"]["Api"]["Properties"]["ImageUri"] = PUSHED
    return out


def fargate_first(template):
    return sam_translate(expand_template(template))


def sam_first(template):
    return expand_template({k: v for k, v in sam_translate(template).items() if k != "Transform"})


def worker_image(result):
    definition = result["Resources"]["WorkersWorkerTaskDefinition"]["Properties"]
    return definition["ContainerDefinitions"][0]["Image"]


def test_a_sam_built_function_shows_a_placeholder_until_sam_deploy(capsys):
    result = expand_template(load(SAM_BUILT))
    assert worker_image(result) == "<image of Api: built by sam build, filled in by sam deploy>"
    assert "WorkersImageDigests" not in result["Resources"]  # nothing to look up yet
    assert main(["plan", str(SAM_BUILT)]) == 0
    err = capsys.readouterr().err
    assert "note: " in err and "the image of Api is built by `sam build`" in err
    assert "`sam deploy` fills in the pushed image" in err


@pytest.mark.parametrize("order", [fargate_first, sam_first], ids=["fargate-first", "sam-first"])
def test_the_pushed_image_reaches_the_worker_in_both_orders(order):
    result = order(packaged(load(SAM_BUILT)))
    resources = result["Resources"]
    assert resources["Api"]["Properties"]["Code"]["ImageUri"] == PUSHED
    # A tag, not a digest: resolved at deploy time, like any ECR tag.
    assert resources["WorkersImageDigests"]["Properties"]["Digests"]["Worker"] == PUSHED
    assert worker_image(result) == {
        "Fn::Join": [
            "@",
            [PUSHED.rsplit(":", 1)[0], {"Fn::GetAtt": ["WorkersImageDigests", "Worker"]}],
        ]
    }
    assert lint(result) == []


# --- validate for pre-commit -------------------------------------------------------------


def test_validate_takes_several_files_and_names_each_problems_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "Resources:\n  W:\n    Type: Fargate::Tasks\n    Properties:\n"
        "      Tasks:\n        a: {Image: x, Cpu: 256, Memory: 4096}\n"
    )
    good = EXAMPLES / "standalone.yaml"
    assert main(["validate", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert f"{good}: valid" in captured.out
    assert f"{bad}: Resources.W.Properties.Tasks.a.Memory: 4096 MiB is not valid" in captured.err


def test_skip_others_passes_over_files_without_declarations(tmp_path, capsys):
    workflow = tmp_path / "ci.yml"
    workflow.write_text("on: push\njobs: {build: {runs-on: ubuntu-latest}}\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("key: [unclosed\n")
    assert main(["validate", "--skip-others", str(workflow), str(broken)]) == 0
    assert main(["validate", str(workflow)]) == 1  # without the flag: not a template
    assert main(["validate", str(broken)]) == 1


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The repository as committed-to-be (tracked and new files), as pre-commit clones it."""
    target = tmp_path_factory.mktemp("repo") / "serverless-fargate"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=target, check=True)
    subprocess.run([*git, "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "snapshot"], cwd=target, check=True)
    return target


def test_the_pre_commit_hook_on_a_good_and_a_bad_template(clone, tmp_path):
    """pre-commit itself installs the hook from the repository and runs it."""
    pre_commit = str(Path(sys.executable).with_name("pre-commit"))
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(EXAMPLES / "standalone.yaml", project / "good.yaml")
    (project / "notes.yaml").write_text("not: [a, template]\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)

    def run():
        return subprocess.run(
            [pre_commit, "try-repo", str(clone), "serverless-fargate-validate", "--all-files"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    good = run()
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    (project / "bad.yaml").write_text(
        "Resources:\n  W:\n    Type: Fargate::Tasks\n    Properties:\n"
        "      Tasks:\n        a: {Image: x, Cpu: 256, Memory: 4096}\n"
    )
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    bad = run()
    assert bad.returncode == 1
    assert "Failed" in bad.stdout
    assert "bad.yaml: Resources.W.Properties.Tasks.a.Memory: 4096 MiB is not valid" in bad.stdout


def test_the_cli_installs_on_its_own_without_the_lambdas_dependencies(clone, tmp_path):
    """What `pipx install` does: a fresh virtual environment with the package and its
    dependencies only: boto3 for the day-two commands, not the Lambdas' crhelper and
    Powertools."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(clone)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    cli = str(venv / "bin" / "serverless-fargate")
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == "0.1.0"
    result = subprocess.run(
        [cli, "validate", str(EXAMPLES / "nightly-job.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    for lambda_only in ("crhelper", "aws-lambda-powertools"):
        assert f"{lambda_only}==" not in listed
    assert "boto3==" in listed  # status, run, logs and exec call AWS
    # Without credentials or a stack, an ops command fails with a message, not a traceback.
    status = subprocess.run(
        [cli, "status", "no-such-stack", "--region", "us-east-1"],
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        },
    )
    assert status.returncode == 77  # credentials (README: Exit status)
    assert status.stderr.startswith("serverless-fargate: error: no AWS credentials"), status.stderr
    setup = subprocess.run([cli, "lint-setup"], capture_output=True, text=True, check=True)
    schemas = Path(setup.stdout.split("registry_schemas:\n  - ")[1].split("\n")[0])
    assert (schemas / "fargate-tasks.json").is_file()  # package data is installed

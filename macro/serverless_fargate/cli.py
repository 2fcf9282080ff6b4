"""`serverless-fargate`: expand, validate and plan templates locally; status, run, logs and
exec for a deployed stack (ops/). A thin adapter: argument parsing and exit codes only.

Exit status: 0 success, 1 invalid input, 2 usage error. The day-two commands (ops/) exit
with sysexits codes instead, and `run` with the container's exit code (ops/errors.py; README
"Operating your tasks" has the table).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from . import RESOURCE_TYPE, TRANSFORM_NAME, __version__
from .errors import InvalidTemplate
from .settings import application_function_arn

OPS_COMMANDS = ("status", "run", "logs", "exec")
CLI_NONCE = "local"  # the macro uses CloudFormation's request ID, new on every deploy


class _Parser(argparse.ArgumentParser):
    """argparse's, with the exit status and marked line of a usage error chosen per command."""

    def __init__(
        self, *args: Any, usage_status: int = 2, error_mark: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.usage_status = usage_status
        self.error_mark = error_mark

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        mark = self.error_mark or f"{self.prog}: error:"
        self.exit(self.usage_status, f"{mark} {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="serverless-fargate",
        description="Expand Fargate::Tasks declarations as the ServerlessFargate macro would.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, text in (
        ("expand", "print the processed template"),
        ("validate", "report problems only"),
        ("plan", "print a table of what would be deployed"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        if name == "validate":
            sub.add_argument(
                "template", nargs="+", help="CloudFormation or SAM templates, YAML or JSON"
            )
            sub.add_argument(
                "--skip-others",
                action="store_true",
                help="pass over files that declare no Fargate::Tasks or are not templates "
                "(for pre-commit, which hands over every YAML and JSON file)",
            )
        else:
            sub.add_argument("template", help="a CloudFormation or SAM template, YAML or JSON")
        sub.add_argument("--region", default="us-east-1")
        sub.add_argument("--account", default="123456789012")
        sub.add_argument(
            "--parameter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a template parameter value (repeatable)",
        )
        sub.add_argument(
            "--service-token",
            help="ARN of the lookup Lambda (default: the one the SAM application installs)",
        )
        if name == "expand":
            sub.add_argument("--format", choices=["yaml", "json"], default="yaml")
            sub.add_argument("--output", "-o", help="write here instead of standard output")
    migrate = commands.add_parser(
        "migrate",
        help="turn a serverless.yml using the serverless-fargate plugin into a SAM template",
        description="Write a SAM template with the Fargate::Tasks declaration equivalent to a "
        "Serverless Framework service's fargate: block. Notes go to stderr and into the output.",
    )
    migrate.add_argument("serverless_yml", help="the Serverless Framework service file")
    migrate.add_argument("--output", "-o", help="write here instead of standard output")
    migrate.add_argument(
        "--to",
        choices=["sam", "serverless"],
        default="sam",
        help="sam (default): a SAM template of the Fargate part; serverless: the same "
        "serverless.yml using Transform: ServerlessFargate instead of the plugin",
    )
    setup = commands.add_parser(
        "lint-setup",
        help="print a .cfnlintrc that teaches cfn-lint Fargate::Tasks",
        description="Print cfn-lint settings (YAML) naming this installation's resource schema "
        "and rules: cfn-lint then knows Fargate::Tasks and reports each problem of a "
        "declaration at its line. Save it as .cfnlintrc next to your templates.",
    )
    setup.add_argument("--output", "-o", help="write here instead of standard output")
    _ops_parsers(commands)
    return parser


def _ops_parsers(commands: Any) -> None:
    """Day-two commands: everything is found from the stack name (README: Operating your tasks)."""

    from .ops.errors import ERROR_MARK, USAGE

    def add(name: str, text: str, task: str | None) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=text, description=text, usage_status=USAGE, error_mark=ERROR_MARK
        )
        sub.add_argument("stack", help="the CloudFormation stack's name (or ID)")
        if task == "required":
            sub.add_argument("task", help="a task key, as written under Tasks:")
        elif task == "optional":
            sub.add_argument("task", nargs="?", help="only this task (a key under Tasks:)")
        sub.add_argument("--region", help="AWS region (default: your AWS config's)")
        sub.add_argument("--profile", help="AWS profile (default: your AWS config's)")
        return sub

    status = add("status", "the state of every task of a deployed stack", "optional")
    status.add_argument("--format", choices=["table", "json"], default="table")
    status.add_argument(
        "--tasks", action="store_true", help="each running task of a service, and the last stopped"
    )
    run = add(
        "run",
        "run a task once, as its schedule or service would, and exit with its exit code",
        "required",
    )
    run.add_argument(
        "--command",
        dest="command_line",
        help="the main container's command instead (a shell-like line)",
    )
    run.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="an environment variable"
    )
    run.add_argument(
        "--no-wait", action="store_true", help="print the run's ARN and return at once"
    )
    run.add_argument("--subnets", help="comma-separated subnets instead of the task's own")
    run.add_argument("--security-groups", help="comma-separated security groups (with --subnets)")
    run.add_argument("--public-ip", action="store_true", help="assign a public IP (with --subnets)")
    logs = add("logs", "log lines of the stack's tasks", "optional")
    logs.add_argument(
        "--since", default="1h", help="how far back: 30s, 10m, 2h, 1d or seconds (default 1h)"
    )
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    logs.add_argument(
        "--run",
        help="only this run: an ECS task ID (or its first characters) or ARN, or a scheduled "
        "run's execution name or ARN (as `status` shows them)",
    )
    logs.add_argument(
        "--last", type=int, metavar="N", help="the task's last N runs, run by run (needs TASK)"
    )
    logs.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="json: one JSON object a line (time, task, container, taskId, message)",
    )
    shell = add("exec", "open a shell in a running task of a service (ECS Exec)", "required")
    shell.add_argument(
        "--command", dest="command_line", default="sh", help="what to run (default: sh)"
    )
    shell.add_argument("--container", help="a sidecar's name instead of the main container")
    shell.add_argument("--task", dest="task_id", help="this ECS task ID instead of the first")


def _operate(args: argparse.Namespace) -> int:
    """A day-two command; its exit status (ops/errors.py). Nothing here may end in a
    traceback: Ctrl-C at any moment, a lost network, AWS's errors and our own bugs each end
    with one line on stderr that begins with ERROR_MARK (but Ctrl-C, which says nothing)."""
    try:
        from .ops import errors

        try:
            return _command(args)
        except errors.OpsError as error:
            print(f"{errors.ERROR_MARK} {error}", file=sys.stderr)
            return error.code
        except BrokenPipeError:  # `status | head`: the reader has what it wanted
            sys.stderr.close()
            return 0
        except Exception as error:
            if type(error).__module__.startswith("botocore"):  # what no lookup translated
                print(f"{errors.ERROR_MARK} AWS said: {error}", file=sys.stderr)
                return errors.AWS_FAILED
            if os.environ.get("SERVERLESS_FARGATE_DEBUG"):
                raise
            print(
                f"{errors.ERROR_MARK} internal error ({type(error).__name__}: {error}). Please "
                "report it with the command you ran; SERVERLESS_FARGATE_DEBUG=1 shows where.",
                file=sys.stderr,
            )
            return errors.INTERNAL
    except KeyboardInterrupt:  # before anything started: nothing to say but stop
        return 130


def _command(args: argparse.Namespace) -> int:
    import shlex

    from .declaration.durations import UNITS, seconds
    from .ops.aws import Aws, session
    from .ops.errors import ERROR_MARK, USAGE, OpsError
    from .ops.model import load

    since = None
    if args.command == "logs":
        text = args.since.strip()
        since = int(text) if text.isdigit() else seconds(text)
        if since is None:
            raise OpsError(
                f"--since takes seconds or a number with {'/'.join(UNITS)}, not {text!r}", USAGE
            )
    usage = _Parser(
        prog=f"serverless-fargate {args.command}", usage_status=USAGE, error_mark=ERROR_MARK
    )
    env = _parameters(getattr(args, "env", []), usage, "--env")
    network = None
    if getattr(args, "subnets", None):
        network = {
            "subnets": args.subnets.split(","),
            "assignPublicIp": "ENABLED" if args.public_ip else "DISABLED",
        }
        if args.security_groups:
            network["securityGroups"] = args.security_groups.split(",")
    aws = Aws(session(args.region, args.profile))
    stack = load(aws, args.stack)
    if args.command == "status":
        from .ops import status

        found = status.collect(aws, stack, per_task=args.tasks, only=args.task)
        if args.format == "json":
            print(json.dumps(found, indent=2, default=str))
        else:
            print(status.render(found, colour=sys.stdout.isatty()))
        return 0
    if args.command == "run":
        from .ops.run import run

        return run(
            aws,
            stack,
            args.task,
            command=shlex.split(args.command_line) if args.command_line is not None else None,
            env=env,
            network=network,
            wait=not args.no_wait,
            out=sys.stdout,
            err=sys.stderr,
        )
    if args.command == "logs":
        from .ops.logs import logs

        assert since is not None
        return logs(
            aws,
            stack,
            args.task,
            since=since,
            follow=args.follow,
            run=args.run,
            last=args.last,
            json_lines=args.format == "json",
            out=sys.stdout,
            err=sys.stderr,
        )
    from .ops.exec_command import exec_

    return exec_(
        aws,
        stack,
        args.task,
        command=args.command_line,
        container=args.container,
        task_id=args.task_id,
        profile=args.profile,
        err=sys.stderr,
    )


def _migrate(args: argparse.Namespace) -> int:
    from . import cfn_yaml
    from .migrate import MigrationError, migrate, render, to_serverless

    try:
        with open(args.serverless_yml, encoding="utf-8") as handle:
            text = handle.read()
        config = cfn_yaml.load(text)
    except OSError as error:
        print(
            f"serverless-fargate: cannot read {args.serverless_yml}: {error.strerror}",
            file=sys.stderr,
        )
        return 2
    except Exception as error:  # yaml errors: not a service file
        print(f"{args.serverless_yml}: not valid YAML: {error}", file=sys.stderr)
        return 1
    try:
        if args.to == "serverless":
            output, notes = to_serverless(text)
        else:
            template, notes = migrate(config)
            output = render(template, notes, args.serverless_yml)
    except MigrationError as error:
        print(f"{args.serverless_yml}: {error}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    _write(output, args.output)
    return 0


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


def _parameters(
    pairs: list[str], parser: argparse.ArgumentParser, option: str = "--parameter"
) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            parser.error(f"{option} takes KEY=VALUE, not {pair!r}")
        values[key] = value
    return values


def expand_template(
    template: Any,
    *,
    parameters: dict[str, Any] | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
    service_token: Any = None,
) -> dict[str, Any]:
    """What the macro returns for this template, with the Transform list CloudFormation keeps.

    CloudFormation hands a macro the template without its Transform section; the transforms
    still to run (SAM's, after ours) are kept so the output can be fed to `sam` or cfn-lint.
    """
    from .transform import transform

    fragment = dict(template) if isinstance(template, dict) else template
    remaining = None
    if isinstance(fragment, dict) and "Transform" in fragment:
        names = fragment.pop("Transform")
        names = names if isinstance(names, list) else [names]
        remaining = [n for n in names if n != TRANSFORM_NAME]
    processed = transform(
        fragment,
        parameters=parameters or {},
        service_token=service_token or application_function_arn(),
        nonce=CLI_NONCE,
        region=region,
        account=account,
    )
    if remaining:
        processed = {"Transform": remaining if len(remaining) > 1 else remaining[0], **processed}
    return processed


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C at any moment: no traceback, the shell's status
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "migrate":
        return _migrate(args)
    if args.command in OPS_COMMANDS:
        return _operate(args)
    if args.command == "lint-setup":
        from .lint import config

        _write(config(__version__), args.output)
        return 0
    parameters = _parameters(args.parameter, parser)
    if args.command == "validate":
        # Every file is checked and reported; the worst outcome is the exit status.
        return max(_one(args, path, parameters) for path in args.template)
    return _one(args, args.template, parameters)


def _one(args: argparse.Namespace, path: str, parameters: dict[str, Any]) -> int:
    """Expand, validate or plan one template; the exit status."""
    from . import cfn_yaml

    skip = getattr(args, "skip_others", False)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        print(f"serverless-fargate: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as error:
        if skip:
            return 0
        print(
            f"{path}: not UTF-8 text (byte {error.start}): CloudFormation templates are UTF-8",
            file=sys.stderr,
        )
        return 1
    try:
        template = cfn_yaml.load(text)
    except Exception as error:  # yaml.YAMLError and its kin: the file is not a template
        if skip:
            return 0
        print(f"{path}: not valid YAML or JSON: {error}", file=sys.stderr)
        return 1
    if skip and not _count(template):
        return 0
    try:
        processed = expand_template(
            template,
            parameters=parameters,
            region=args.region,
            account=args.account,
            service_token=args.service_token,
        )
    except InvalidTemplate as error:
        several = args.command == "validate" and (len(args.template) > 1 or skip)
        # Several files at once (pre-commit): each problem line names its file.
        text = "\n".join(f"{path}: {p}" for p in error.problems) if several else str(error)
        print(text, file=sys.stderr)
        return 1
    for function_id in _sam_built(processed):
        print(
            f"note: {path}: the image of {function_id} is built by `sam build`; its tasks show a "
            "placeholder here, and `sam deploy` fills in the pushed image before the macro runs",
            file=sys.stderr,
        )
    if args.command == "validate":
        count = _count(template)
        print(f"{path}: valid ({count} Fargate::Tasks declaration(s))")
        return 0
    if args.command == "plan":
        print(plan(processed, template.get("Resources") or {}))
        return 0
    text = (
        json.dumps(processed, indent=2) + "\n"
        if args.format == "json"
        else cfn_yaml.dump(processed)
    )
    _write(text, args.output)
    return 0


def _sam_built(processed: dict[str, Any]) -> list[str]:
    """Functions whose image `sam build` makes, as placeholders in the expanded template."""
    found = re.findall(r"<image of ([A-Za-z0-9]+): built by sam build", json.dumps(processed))
    return sorted(set(found))


def _count(template: Any) -> int:
    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(resources, dict):
        return 0
    return sum(
        1 for r in resources.values() if isinstance(r, dict) and r.get("Type") == RESOURCE_TYPE
    )


def plan(template: dict[str, Any], original: dict[str, Any] | None = None) -> str:
    """A short table: each resource, its type and what it does; + marks what the macro adds."""
    original = original or {}
    rows = [("", "Logical ID", "Type", "What")]
    for logical_id, resource in template.get("Resources", {}).items():
        mark = "" if logical_id in original else "+"
        if not isinstance(resource, dict):
            rows.append((mark, str(logical_id), "?", ""))
            continue
        rows.append((mark, str(logical_id), str(resource.get("Type", "")), _describe(resource)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [
        f"{m:<{widths[0]}} {a:<{widths[1]}}  {b:<{widths[2]}}  {c}".rstrip() for m, a, b, c in rows
    ]
    lines.insert(1, "-" * min(100, max(len(line) for line in lines)))
    added = sum(1 for row in rows[1:] if row[0])
    lines.append(f"\n+ {added} resource(s) generated by ServerlessFargate")
    return "\n".join(lines)


def _describe(resource: dict[str, Any]) -> str:
    """What a resource does, in a few words; "" for one of an unexpected shape (the user's own
    resources are described too, and may be anything CloudFormation takes)."""
    try:
        return _what(resource)
    except (LookupError, TypeError, AttributeError, ValueError):
        return ""


def _what(resource: dict[str, Any]) -> str:
    props = resource.get("Properties") or {}
    kind = resource.get("Type")
    if kind == "AWS::ECS::TaskDefinition":
        containers = props.get("ContainerDefinitions") or [{}]
        arch = (props.get("RuntimePlatform") or {}).get("CpuArchitecture", "")
        return (
            f"container {containers[0].get('Name')}: {_short(props.get('Cpu'))} CPU units, "
            f"{_short(props.get('Memory'))} MiB, {arch}"
            + (f", +{len(containers) - 1} sidecar(s)" if len(containers) > 1 else "")
        )
    if kind == "AWS::ECS::Service":
        providers = "+".join(
            s["CapacityProvider"] for s in props.get("CapacityProviderStrategy", [])
        )
        return f"{_short(props.get('DesiredCount', 'autoscaled'))} task(s) on {providers}"
    if kind == "AWS::Scheduler::Schedule":
        return f"{_short(props.get('ScheduleExpression'))} ({_short(props.get('ScheduleExpressionTimezone'))})"
    if kind == "AWS::StepFunctions::StateMachine":
        from .resources.workflow_contract import task_settings

        runs = [
            _run(key, settings)
            for key, settings in task_settings(props.get("Definition") or {}).items()
        ]
        return "watches runs of " + "; ".join(runs) if runs else ""
    if kind == "AWS::ApplicationAutoScaling::ScalableTarget":
        return f"{_short(props.get('MinCapacity'))} to {_short(props.get('MaxCapacity'))} tasks"
    if kind == "AWS::ApplicationAutoScaling::ScalingPolicy":
        return "target tracking" if props.get("PolicyType") == "TargetTrackingScaling" else "step"
    if kind == "AWS::CloudWatch::Alarm":
        return _short(props.get("AlarmDescription", ""))
    if kind == "AWS::IAM::Role":
        principal = props["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        service = principal.get("Service") if isinstance(principal, dict) else None
        return f"role for {service}" if isinstance(service, str) else "role"
    if kind == "AWS::EC2::SecurityGroup":
        return _short(props.get("GroupDescription", ""))
    if kind == "AWS::Logs::LogGroup":
        return f"logs kept {_short(props.get('RetentionInDays'))} days"
    if kind and kind.startswith("Custom::"):
        return "deploy-time lookup"
    return ""


def _run(task: str, settings: dict[str, Any]) -> str:
    """How the workflow runs one task, in a few words: timeout, retries, Spot, queue."""
    from .resources.workflow_contract import NO_TIMEOUT

    parts = []
    timeout = settings.get("timeoutSeconds")
    if timeout != str(NO_TIMEOUT):
        parts.append(f"timeout {_short(timeout)} s")
    parts.append(f"{_short(settings.get('retries'))} retries")
    if settings.get("fallback"):
        parts.append("Spot, else FARGATE")
    if settings.get("rerunOnInterruption"):
        parts.append("rerun if interrupted")
    if "deadLetterQueue" in settings:
        parts.append("failures to a queue")
    return f"{task} ({', '.join(parts)})"


def _short(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

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
from collections.abc import Callable, Sequence
from typing import Any

from . import RESOURCE_TYPE, __version__
from .errors import InvalidTemplate

OPS_COMMANDS = ("status", "run", "logs", "exec")


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
        sub.add_argument(
            "--region",
            # plan prices the tasks in this region: the one the AWS CLI would use
            default=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
            if name == "plan"
            else "us-east-1",
        )
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
        if name == "plan":
            _plan_options(sub)
    migrate = commands.add_parser(
        "migrate",
        help="turn a serverless.yml using the serverless-fargate plugin into a SAM template",
        description="Write a SAM template with the Fargate::Tasks declaration equivalent to a "
        "Serverless Framework service's fargate: block. Notes, and the plan of an in-place "
        "update of the plugin's stack (kept, replaced, deleted), go to stderr and, as comments, "
        "into the output (both targets).",
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
    for sub in commands.choices.values():
        sub.set_defaults(subparser=sub)  # argument errors show the subcommand's usage
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
        "--input",
        dest="run_input",
        metavar="JSON",
        help="the run's input, any JSON (a task with Schedule, Events or Callers): the "
        "container reads it in SERVERLESS_FARGATE_INPUT",
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
    from .ops.errors import USAGE, OpsError
    from .ops.model import load

    usage = args.subparser  # the command's usage on an argument error (exit USAGE)
    since = None
    if args.command == "logs":
        text = args.since.strip()
        since = int(text) if text.isdigit() and len(text) < 16 else seconds(text)
        if since is None:
            usage.error(f"--since takes seconds or a number with {'/'.join(UNITS)}, not {text!r}")
    env = _parameters(getattr(args, "env", []), usage, "--env")
    run_input: Any = None
    if getattr(args, "run_input", None) is not None:
        try:
            run_input = json.loads(args.run_input)
        except ValueError as error:
            raise OpsError(
                f"--input is not JSON ({error}): {args.run_input[:60]!r}", USAGE
            ) from None
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
        from .ops.run import NO_INPUT, run

        return run(
            aws,
            stack,
            args.task,
            command=shlex.split(args.command_line) if args.command_line is not None else None,
            env=env,
            network=network,
            input=run_input if args.run_input is not None else NO_INPUT,
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
    from .migrate import MigrationError, plan_lines, run

    try:
        with open(args.serverless_yml, encoding="utf-8") as handle:
            text = handle.read()
        cfn_yaml.load(text)
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
        migrated = run(text, args.serverless_yml, args.to)
    except MigrationError as error:
        print(f"{args.serverless_yml}: {error}", file=sys.stderr)
        return 1
    for note in migrated.notes:
        print(f"warning: {note}", file=sys.stderr)
    print("plan of an update of the plugin's stack:", file=sys.stderr)
    for line in plan_lines(migrated.plan):
        print(f"  {line}", file=sys.stderr)
    return _write(migrated.text, args.output)


def _write(text: str, output: str | None) -> int:
    """Write to `output` (else standard output); the exit status."""
    if not output:
        sys.stdout.write(text)
        return 0
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        print(f"serverless-fargate: cannot write {output}: {error.strerror}", file=sys.stderr)
        return 2
    return 0


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


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C at any moment: no traceback, the shell's status
        return 130


def _main(argv: Sequence[str] | None) -> int:
    args, extra = _parser().parse_known_args(argv)
    parser = args.subparser  # argument errors show the subcommand's usage
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "migrate":
        return _migrate(args)
    if args.command in OPS_COMMANDS:
        return _operate(args)
    if args.command == "lint-setup":
        from .lint import config

        return _write(config(__version__), args.output)
    parameters = _parameters(args.parameter, parser)
    if args.command == "validate":
        # Every file is checked and reported; the worst outcome is the exit status.
        return max(_one(args, path, parameters) for path in args.template)
    return _one(args, args.template, parameters)


def _plan_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--format",
        choices=["table", "json", "mermaid"],
        default="table",
        help="table: resources and a cost estimate; json: the same as data; mermaid: a "
        "flowchart of what the template creates",
    )
    sub.add_argument(
        "--run-minutes",
        type=_positive,
        help="how long a run takes, for the cost of runs (default: the task's Timeout, as an "
        "upper bound)",
    )
    sub.add_argument(
        "--log-mb-per-hour",
        type=_positive,
        help="log ingestion a task writes per hour, in MB (default: the figure the estimate "
        "states)",
    )
    sub.add_argument(
        "--transitions-per-run",
        type=_positive,
        help="Step Functions state transitions of one healthy run of one copy (default: the "
        "figure the estimate states)",
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be more than 0")
    return value


def _plan(
    args: argparse.Namespace,
    template: dict[str, Any],
    processed: dict[str, Any],
    parameters: dict[str, Any],
) -> int:
    """Print what `plan` shows in the chosen format."""
    from .cost import Assumptions, UnknownRegion
    from .plan import report
    from .transform import parameter_values

    given = {
        "run_minutes": args.run_minutes,
        "log_mb_per_hour": args.log_mb_per_hour,
        "transitions_per_run": args.transitions_per_run,
    }
    assumptions = Assumptions(**{k: v for k, v in given.items() if v is not None})
    values = parameter_values(template, parameters)
    try:
        text = report(
            processed,
            template.get("Resources") or {},
            values,
            args.format,
            args.region,
            assumptions,
        )
    except UnknownRegion as error:
        print(f"serverless-fargate: --region: {error}", file=sys.stderr)
        return 2
    print(text, end="")
    return 0


def _one(args: argparse.Namespace, path: str, parameters: dict[str, Any]) -> int:
    """Expand, validate or plan one template; the exit status."""
    from . import cfn_yaml, serverless_yml
    from .transform import expand_template, near_misses, unknown_parameters

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
    where: Callable[[str], str] = str
    if serverless_yml.is_service(template):  # checked as the template the framework packages
        template, where = serverless_yml.as_template(template), serverless_yml.located
    if skip and not _count(template) and not near_misses(template):
        return 0
    unknown, declared = unknown_parameters(template, parameters)
    if unknown:
        listed = ", ".join(declared) or "none"
        for name in unknown:
            print(
                f"serverless-fargate: --parameter {name}: the template has no parameter "
                f"{name!r} (its parameters: {listed})",
                file=sys.stderr,
            )
        return 2
    try:
        processed = expand_template(
            template,
            parameters=parameters,
            region=args.region,
            account=args.account,
            service_token=args.service_token,
            require_transform=args.command == "validate",
        )
    except InvalidTemplate as error:
        several = args.command == "validate" and (len(args.template) > 1 or skip)
        # Several files at once (pre-commit): each problem line names its file.
        lines = [where(str(p)) for p in error.problems]
        text = "\n".join(f"{path}: {line}" for line in lines) if several else "\n".join(lines)
        print(text, file=sys.stderr)
        return 1
    for function_id in _sam_built(processed):
        print(
            f"note: {path}: the image of {function_id} is built by `sam build`; its tasks show a "
            "placeholder here, and `sam deploy` fills in the pushed image before the macro runs",
            file=sys.stderr,
        )
    for key in _without_timeout(processed) if args.command in ("validate", "plan") else []:
        print(
            f"note: {path}: scheduled task {key} has no Timeout: a run that hangs goes on until "
            "its execution times out after a year (TIMED_OUT, counted by the alarm the README "
            "shows). Give it a Timeout to stop it sooner",
            file=sys.stderr,
        )
    if args.command in ("validate", "plan"):
        _note_size_limits(path, processed)
    if args.command == "validate":
        count = _count(template)
        print(f"{path}: valid ({count} Fargate::Tasks declaration(s))")
        return 0
    if args.command == "plan":
        return _plan(args, template, processed, parameters)
    text = (
        json.dumps(processed, indent=2) + "\n"
        if args.format == "json"
        else cfn_yaml.dump(processed)
    )
    return _write(text, args.output)


def _note_size_limits(path: str, processed: dict[str, Any]) -> None:
    """A processed template over 51,200 bytes deploys only from S3, and one over 1,000,000 may
    be refused: say so before a deploy fails. AWS does not say how the JSON it counts is
    written, so the notes count \\u escapes (more bytes than UTF-8): a note errs towards
    being shown (the refusal over 1,048,576, transform.check_size, errs the other way)."""
    from .transform import LIKELY_TEMPLATE_BYTES, MAX_INLINE_TEMPLATE_BYTES, MAX_TEMPLATE_BYTES

    size = len(
        json.dumps({k: v for k, v in processed.items() if k != "Transform"}, separators=(",", ":"))
    )
    others = processed.get("Transform")
    # The transforms still to run (SAM's) change the size further: this is ours alone.
    before = (
        f" before {', '.join(others) if isinstance(others, list) else others} runs"
        if others
        else ""
    )
    if size > MAX_INLINE_TEMPLATE_BYTES:
        print(
            f"note: {path}: the processed template is {size:,} bytes{before}; CloudFormation "
            f"takes one over {MAX_INLINE_TEMPLATE_BYTES:,} bytes only from S3 (neither "
            "`sam deploy` nor `aws cloudformation deploy` checks it), so deploy from S3: "
            "`sam deploy --resolve-s3` (or resolve_s3 or s3_bucket in samconfig.toml) or "
            "`aws cloudformation deploy --s3-bucket BUCKET`",
            file=sys.stderr,
        )
    if size > LIKELY_TEMPLATE_BYTES:
        print(
            f"note: {path}: the processed template is {size:,} bytes{before}: it may be "
            f"refused, as CloudFormation's 1 MB is {LIKELY_TEMPLATE_BYTES:,} bytes by its own "
            f"error message and cfn-lint (this check refuses only over {MAX_TEMPLATE_BYTES:,}): "
            "split the tasks over several stacks",
            file=sys.stderr,
        )


def _without_timeout(processed: dict[str, Any]) -> list[str]:
    """Keys of the scheduled tasks whose workflow has no Timeout to stop a run that hangs."""
    from .resources.workflow_contract import NO_TIMEOUT, task_settings

    found = []
    for resource in (processed.get("Resources") or {}).values():
        if (
            isinstance(resource, dict)
            and resource.get("Type") == "AWS::StepFunctions::StateMachine"
        ):
            definition = (resource.get("Properties") or {}).get("Definition") or {}
            for key, settings in task_settings(definition).items():
                if settings.get("timeoutSeconds") == str(NO_TIMEOUT):
                    found.append(key)
    return found


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""`make bench`: how fast the macro is, against AWS SAM's transform, with pass/fail targets.

Every target is a ratio of two figures measured in the same run, so a slower or busier machine
moves both sides alike. Each expansion figure is measured in a fresh process of its own
(`bench.py measure ...`), so no figure warms another's caches; warm expansion times are medians
over repeated runs in that process.

Targets (issue #22, "Fast again, linear everywhere"):
- warm expansion of 94 tasks at most 0.25 of SAM's time for 94 functions;
- a whole process importing the handler at most 0.10 of one importing SAM's
  `samtranslator.translator.transform`: paired runs (one of each, in turn) with the same
  interpreter, each side's bytecode cached;
- linear growth: the 94-task time at most 9 times the 10-task time.
"""

from __future__ import annotations

import copy
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".aws-sam" / "build" / "MacroFunction"
RESOURCE_LIMIT = 500


# --- inputs -------------------------------------------------------------------------------


def declaration(n: int) -> dict:
    """n tasks, half services and half scheduled (as in the first round's figures), each with
    environment and a policy."""
    tasks = {}
    for i in range(n):
        task = {
            "Image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v{i % 3}",
            "Command": ["python", "-m", f"jobs.job{i}"],
            "Environment": {"STAGE": "prod", "INDEX": i, "TABLE": {"Ref": "Table"}},
            "Policies": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
            ],
        }
        if i % 2:
            task["Schedule"] = {"Expression": "rate(5 minutes)", "Timezone": "Europe/Paris"}
        tasks[f"task-{i}"] = task
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Table": {"Type": "AWS::SNS::Topic"},
            "Workers": {
                "Type": "Fargate::Tasks",
                "Properties": {
                    "Network": {"Subnets": ["subnet-0123456789abcdef0"]},
                    "Outputs": False,
                    "Tasks": tasks,
                },
            },
        },
    }


def sam_template(n: int) -> dict:
    """n functions, each with a schedule event, environment and policies."""
    resources = {"Table": {"Type": "AWS::SNS::Topic"}}
    for i in range(n):
        resources[f"Function{i}"] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.13",
                "Handler": f"jobs.job{i}.handler",
                "CodeUri": "s3://bucket/code.zip",
                "Environment": {
                    "Variables": {"STAGE": "prod", "INDEX": str(i), "TABLE": {"Ref": "Table"}}
                },
                "Policies": [
                    {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": f"arn:aws:s3:::b{i}/*",
                            }
                        ]
                    }
                ],
                "Events": {
                    "Every5": {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}}
                },
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": resources,
    }


# --- one figure per process ---------------------------------------------------------------


def _median_time(run, prepare=lambda: None, minimum_runs: int = 15, budget: float = 3.0) -> float:
    """Median CPU time of this process per run: other processes' load on a shared machine does
    not count (wall time would charge their time slices to whichever side ran then)."""
    for _ in range(3):  # warm up
        run(prepare())
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < minimum_runs or time.perf_counter() - start < budget:
        argument = prepare()
        t0 = time.process_time()
        run(argument)
        times.append(time.process_time() - t0)
        if len(times) >= 200:
            break
    return statistics.median(times)


def measure_ours(n: int) -> float:
    sys.path.insert(0, str(ROOT / "macro"))
    from serverless_fargate.transform import transform

    template = declaration(n)
    return _median_time(lambda t: transform(t, service_token="arn", nonce="n"), lambda: template)


def measure_sam(n: int) -> float:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from samtranslator.translator.transform import transform

    class NoPolicies:
        def load(self) -> dict:
            return {}

    template = sam_template(n)
    # SAM mutates its input: each run gets a fresh copy, made outside the timing.
    return _median_time(lambda t: transform(t, {}, NoPolicies()), lambda: copy.deepcopy(template))


def measure_phases(n: int) -> dict:
    """The two steps of the macro's expansion, each timed alone: parse (the model and every
    check) and build (the resources, with the checks of what Overrides changed); and, for
    information, the count of the processed template's bytes that the tools (validate, plan,
    expand) add against CloudFormation's 1 MB (the macro counts only when an upper bound of its
    answer comes near Lambda's 6 MB, which the 94 tasks' does not)."""
    import gc

    sys.path.insert(0, str(ROOT / "macro"))
    from serverless_fargate.declaration import Context, parse_declaration
    from serverless_fargate.resources import build_declaration
    from serverless_fargate.transform import template_size, transform

    template = declaration(n)
    resource = template["Resources"]["Workers"]
    context = Context(template, {})
    model = parse_declaration("Workers", resource, context)
    processed = transform(template, service_token="arn", nonce="n")
    gc.disable()  # as transform pauses it
    return {
        "parse": _median_time(lambda _: parse_declaration("Workers", resource, context)),
        "build": _median_time(lambda _: build_declaration(model, "arn", "n", None)),
        "size": _median_time(lambda _: template_size(processed)),
    }


def largest_declaration() -> int:
    """The most tasks one declaration can have within CloudFormation's 500 resources."""
    sys.path.insert(0, str(ROOT / "macro"))
    from serverless_fargate.errors import InvalidTemplate
    from serverless_fargate.transform import transform

    n = 1
    while True:
        try:
            transform(declaration(n + 1), service_token="arn", nonce="n")
        except InvalidTemplate:  # over the resource limit
            return n
        n += 1


IMPORT_PAIRS = 31


def measure_import_pair() -> dict:
    """Whole processes: importing the handler vs importing SAM's transform, in turn, with the
    interpreter running this script (which has aws-sam-translator, a dev dependency)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["AWS_DEFAULT_REGION"] = env.get("AWS_DEFAULT_REGION", "us-east-1")
    ours = [sys.executable, "-c", "import serverless_fargate.handler"]
    sam = [sys.executable, "-c", "import samtranslator.translator.transform"]
    ours_env = {**env, "PYTHONPATH": str(ROOT / "macro")}
    for command, command_env in ((ours, ours_env), (sam, env)):  # write and warm the bytecode
        subprocess.run(command, env=command_env, check=True)
    pairs = []
    for _ in range(IMPORT_PAIRS):
        pairs.append((_once(ours, ours_env), _once(sam, env)))
    return {
        "ours": statistics.median(o for o, _ in pairs),
        "sam": statistics.median(s for _, s in pairs),
        "ratio": statistics.median(o / s for o, s in pairs),
    }


def _once(command: list[str], env: dict[str, str]) -> float:
    """CPU time (user + system) of one whole process: what it costs, whatever else runs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _wall(command: list[str], env: dict[str, str], runs: int = 21) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_import() -> dict:
    """Import of the handler from the built package vs a bare start, same interpreter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    # The interpreter itself, not a launcher such as a pyenv shim (a shell script).
    python = subprocess.run(
        [os.environ.get("BENCH_PYTHON", "python3.13"), "-c", "import sys; print(sys.executable)"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    bare = _wall([python, "-c", "pass"], env)
    env_built = {**env, "PYTHONPATH": str(BUILD), "PYTHONDONTWRITEBYTECODE": "1"}
    imported = _wall([python, "-c", "import serverless_fargate.handler"], env_built)
    first_call = _wall(
        [python, "-c", FIRST_CALL.format(example=str(ROOT / "events" / "macro.json"))],
        env_built,
        11,
    )
    return {"bare": bare, "import": imported, "first_call": first_call}


FIRST_CALL = """
import json
from serverless_fargate.handler import handler
event = json.load(open({example!r}))
assert handler(event, None)["status"] == "success"
"""


def measure_package() -> dict:
    files = [p for p in BUILD.rglob("*") if p.is_file()]
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(BUILD))
    return {
        "bytes": sum(p.stat().st_size for p in files),
        "zip": len(buffer.getvalue()),
        "files": len(files),
    }


def measure(what: str, argument: str | None) -> None:
    if what == "ours":
        print(json.dumps(measure_ours(int(argument))))
    elif what == "sam":
        print(json.dumps(measure_sam(int(argument))))
    elif what == "phases":
        print(json.dumps(measure_phases(int(argument))))
    elif what == "largest":
        print(json.dumps(largest_declaration()))
    elif what == "import":
        print(json.dumps(measure_import()))
    elif what == "import-pair":
        print(json.dumps(measure_import_pair()))
    elif what == "package":
        print(json.dumps(measure_package()))
    elif what == "transitions":
        print(json.dumps(measure_transitions()))


def measure_transitions() -> dict:
    """The states a healthy run of one copy enters (each a billed state transition), from the
    history of an execution in moto's interpreter (tests/workflow_harness.py)."""
    import pytest

    sys.path.insert(0, str(ROOT / "tests"))
    from workflow_harness import World

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ[key] = value
    with pytest.MonkeyPatch.context() as monkeypatch, World(monkeypatch) as world:
        plain = world.start([{"exit": 0}])["transitions"]
        given = world.start([{"exit": 0}], given={"input": {"id": 1}})["transitions"]
    return {"schedule": len(plain), "input": len(given), "states": plain}


def report_transitions() -> tuple[str, bool, str]:
    """Issue #23's target, printed on its own line: at most 4 transitions a healthy run."""
    found = run("transitions")
    assert isinstance(found, dict)
    print(
        f"Workflow: a healthy run of one copy enters {found['schedule']} states "
        f"({', '.join(found['states'])}); with input {found['input']}"
    )
    print()
    worst = max(found["schedule"], found["input"])
    return ("a healthy one-copy run at most 4 transitions", worst <= 4, f"{worst}")


# --- the report ---------------------------------------------------------------------------


def run(what: str, argument: object = None) -> object:
    command = [sys.executable, __file__, "measure", what] + ([str(argument)] if argument else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _built_package() -> None:
    try:
        cold = run("import")
    except subprocess.CalledProcessError as error:  # e.g. no python3.13 on PATH
        print(f"(cold start of the built package not measured: {error.stderr.strip()})")
        return
    package = run("package")
    over = cold["import"] - cold["bare"]
    print("Cold start (median wall time of a fresh python3.13, the built package)")
    print(f"  bare interpreter           {cold['bare'] * 1000:7.1f} ms")
    print(f"  import the handler         {cold['import'] * 1000:7.1f} ms  (+{over * 1000:.1f} ms)")
    print(f"  import + first expansion   {cold['first_call'] * 1000:7.1f} ms  (events/macro.json)")
    print()
    print(
        f"Deployment package (sam build): {package['bytes'] / 1e6:.2f} MB in "
        f"{package['files']} files, {package['zip'] / 1e6:.2f} MB zipped"
    )


SMALL, LARGE = 10, 94
# Rounds of the target sizes; the targets take the median of the rounds' ratios. This VM's
# speed swings between seconds (one process measured SAM's 94 functions at 42 ms, the next at
# 69), and a median of five outlasts two bad rounds where one of three outlasted one.
ROUNDS = 5


def main() -> int:
    largest = run("largest")
    # The target sizes in rounds, each round's processes one after the other, so a burst of
    # other load falls on one round; the targets take the median of the rounds' ratios.
    rounds = [{n: (run("ours", n), run("sam", n)) for n in (SMALL, LARGE)} for _ in range(ROUNDS)]
    median = {
        n: tuple(statistics.median(r[n][side] for r in rounds) for side in (0, 1))
        for n in (SMALL, LARGE)
    }
    rows = [(1, run("ours", 1), run("sam", 1))]
    rows += [(n, *median[n]) for n in (SMALL, LARGE)]
    rows.append((largest, run("ours", largest), run("sam", largest)))
    phases = run("phases", LARGE)
    pair = run("import-pair")

    print(
        f"Warm expansion (median CPU time, validation included; {SMALL} and {LARGE}: of {ROUNDS} rounds)"
    )
    print(f"{'tasks':>6}  {'ours':>10}  {'SAM (same n functions)':>22}  {'ours/SAM':>8}")
    for n, ours, sam in rows:
        label = f"{n}*" if n == largest else str(n)
        print(f"{label:>6}  {ours * 1000:>8.2f}ms  {sam * 1000:>20.2f}ms  {ours / sam:>8.3f}")
    print(f"  * the largest declaration within {RESOURCE_LIMIT} resources (Outputs: false)")
    print()
    sam_large = median[LARGE][1]
    print(f"Where {LARGE} tasks' time goes (each step alone; share of SAM's time for {LARGE})")
    for step, what in (
        ("parse", "the model and every check"),
        ("build", "the resources, Overrides checked"),
        ("size", "the tools' count against 1 MB (*)"),
    ):
        seconds = phases[step]
        print(f"  {step:<6} {what:<34} {seconds * 1000:6.2f} ms  {seconds / sam_large:6.3f}")
    print("  * validate, plan and expand; the macro only when its answer could near Lambda's 6 MB")
    print()
    print(f"Whole processes, {IMPORT_PAIRS} pairs run in turn ({Path(sys.executable).name})")
    print(f"  import serverless_fargate.handler          {pair['ours'] * 1000:7.1f} ms (median)")
    print(f"  import samtranslator.translator.transform  {pair['sam'] * 1000:7.1f} ms (median)")
    print(f"  ratio (median of the pairs' ratios)        {pair['ratio']:7.3f}")
    print()
    if BUILD.exists():  # figures for information, not targets
        _built_package()
    else:
        print(f"(no {BUILD.relative_to(ROOT)}: `make sam-check` adds the built package's figures)")
    print()

    cost = report_transitions()
    expansion = statistics.median(r[LARGE][0] / r[LARGE][1] for r in rounds)
    growth = statistics.median(r[LARGE][0] / r[SMALL][0] for r in rounds)
    targets = [
        cost,
        (
            f"{LARGE} tasks at most 0.25 of SAM's time for {LARGE} functions",
            expansion <= 0.25,
            f"{expansion:.3f}",
        ),
        (
            "a process importing the handler at most 0.10 of one importing SAM's transform",
            pair["ratio"] <= 0.10,
            f"{pair['ratio']:.3f}",
        ),
        (
            f"{LARGE}-task time at most 9x the {SMALL}-task time",
            growth <= 9,
            f"{growth:.1f}x",
        ),
    ]
    failed = 0
    for name, ok, figure in targets:
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        measure(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        sys.exit(main())

"""What the tasks of an expanded template cost: per run and per month, on-demand and Spot,
ARM64 and X86_64 side by side, and what watching the runs adds (Step Functions transitions,
Scheduler invocations, log ingestion). An estimate from published prices (pricing/prices.json:
source and date per figure), never a quote. Pure: `estimate` reads the template and the prices
it is given; `render` prints. The formula is in docs/cost.md.

Everything is read from the expanded template (types, references, the settings the workflow
carries, the metadata on task definitions), not from logical-ID patterns.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from .declaration.schedule_expressions import ExpressionError, parse
from .ops.schedules import cron_runs_in_year
from .resources.workflow import NO_TIMEOUT
from .settings import TIMEOUT_TAG
from .template_graph import references, task_metadata

PRICES = Path(__file__).parent / "pricing" / "prices.json"
ARCHITECTURES = ("X86_64", "ARM64")
INCLUDED_STORAGE_GB = 20  # Fargate includes 20 GB of ephemeral storage per task
COUNTING_YEAR = 2027  # cron() matches are counted over a whole (non-leap) year, then / 12
LEFT_OUT = (
    "data transfer (out of AWS, between zones and regions)",
    "NAT gateways and public IPv4 addresses",
    "ECR storage and image pulls",
    "log storage (retention) and queries",
    "SQS, Lambda (deploy-time lookups) and CloudWatch alarms",
    "free tiers (Step Functions, Scheduler)",
    "Savings Plans",
)


class Assumptions(NamedTuple):
    """What the estimate cannot read from the template; each is printed with the figures."""

    run_minutes: float | None = None  # a run's length; else its Timeout as the upper bound
    log_mb_per_hour: float = 10.0  # log ingestion per task-hour
    # State transitions of one healthy run of one copy: a stated figure (the workflow module
    # does not count them): choose the task, read its settings, run and check the copy, report.
    transitions_per_run: float = 20


class UnknownRegion(ValueError):
    """A region with no prices in the data; the message lists the known ones."""


def load_prices() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PRICES.read_text(encoding="utf-8"))
    return data


def region_prices(prices: dict[str, Any], region: str) -> dict[str, Any]:
    known = prices["regions"]
    if region not in known:
        raise UnknownRegion(
            f"no prices for region {region!r}; known regions: {', '.join(sorted(known))}"
        )
    found: dict[str, Any] = known[region]
    return found


def runs_per_month(expression: str, hours_per_month: float) -> tuple[float | None, str]:
    """(runs in an average month, how that was worked out); None when it is not a count a
    month (at(): once) or cannot be worked out."""
    try:
        kind, value = parse(expression)
    except ExpressionError as error:
        return None, str(error)
    if kind == "rate":
        runs = hours_per_month * 3600 / value
        return runs, f"{expression}: {runs:.4g} runs a month ({hours_per_month:g} h / {value} s)"
    if kind == "at":
        return None, f"{expression}: once"
    count = cron_runs_in_year(value, COUNTING_YEAR)
    if count is None:
        return None, f"{expression}: L, W or # not counted here"
    return (
        count / 12,
        f"{expression}: {count / 12:.4g} runs a month ({count} in {COUNTING_YEAR} / 12)",
    )


def estimate(
    processed: dict[str, Any],
    prices: dict[str, Any],
    region: str,
    parameters: dict[str, Any] | None = None,
    assumptions: Assumptions | None = None,
) -> dict[str, Any]:
    """The estimate as plain data (what `plan --format json` prints under "cost").

    Raises UnknownRegion."""
    assumptions = assumptions or Assumptions()
    rates = region_prices(prices, region)
    resources = processed.get("Resources") or {}
    values = parameters or {}
    refs = references(resources)
    by_target: dict[str, list[str]] = {}
    for ref in refs:
        sources = by_target.setdefault(ref.target, [])
        if ref.source not in sources:
            sources.append(ref.source)
    month = float(prices["hours_per_month"])
    tasks = []
    for logical_id, resource in resources.items():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::ECS::TaskDefinition":
            tasks.append(
                _task(
                    logical_id,
                    resource,
                    resources,
                    by_target,
                    values,
                    rates,
                    prices,
                    month,
                    assumptions,
                )
            )
    totals = {
        arch: {
            key: _sum(t["per_month"][arch][key] for t in tasks)
            for key in ("on_demand", "spot_from")
        }
        for arch in ARCHITECTURES
    }
    extras = round(sum(sum(t["extras_per_month"].values()) for t in tasks), 2)
    unpriced = [
        t["task_definition"] for t in tasks if t["per_month"]["X86_64"]["on_demand"] is None
    ]
    return {
        "region": region,
        "currency": prices["currency"],
        "prices_date": prices["date"],
        "sources": prices["sources"],
        "prices_checked": rates["checked"],
        "spot": prices["spot"]["says"],
        "assumptions": {
            "run_minutes": assumptions.run_minutes,
            "log_mb_per_task_hour": assumptions.log_mb_per_hour,
            "transitions_per_healthy_run": assumptions.transitions_per_run,
            "hours_per_month": month,
        },
        "tasks": tasks,
        "total_per_month": totals,
        "extras_per_month": extras,
        "not_in_totals": unpriced,
        "left_out": list(LEFT_OUT),
    }


def _task(
    logical_id: str,
    resource: dict[str, Any],
    resources: dict[str, Any],
    by_target: dict[str, list[str]],
    values: dict[str, Any],
    rates: dict[str, Any],
    prices: dict[str, Any],
    month: float,
    assumptions: Assumptions,
) -> dict[str, Any]:
    props = resource.get("Properties") or {}
    meta = task_metadata(resource)
    notes: list[str] = []
    cpu = _number(props.get("Cpu"), values, "Cpu", notes)
    memory = _number(props.get("Memory"), values, "Memory", notes)
    storage = _number(
        (props.get("EphemeralStorage") or {}).get("SizeInGiB", INCLUDED_STORAGE_GB),
        values,
        "EphemeralStorage",
        notes,
    )
    declared = (props.get("RuntimePlatform") or {}).get("CpuArchitecture", "X86_64")
    hourly = {arch: _hourly(cpu, memory, storage, rates, arch) for arch in ARCHITECTURES}
    users = by_target.get(logical_id, [])
    services = [u for u in users if resources[u].get("Type") == "AWS::ECS::Service"]
    settings = _settings(logical_id, users, resources)
    out: dict[str, Any] = {
        "declaration": meta.get("Declaration"),
        "task": meta.get("Task", logical_id),
        "task_definition": logical_id,
        "kind": meta.get("Kind") or ("service" if services else "run"),
        "vcpu": None if cpu is None else cpu / 1024,
        "memory_gb": None if memory is None else memory / 1024,
        "storage_gb": storage,
        "declared_architecture": declared if isinstance(declared, str) else "?",
        "hourly": {a: _prices(h, a, prices) for a, h in hourly.items()},
    }
    task_hours: float | None
    if services:
        running, most, how = _service_tasks(services, resources, by_target, values, notes)
        out["capacity"] = _providers(resources[services[0]].get("Properties") or {})
        out["runs"] = how
        out["tasks_running"] = running
        out["per_run"] = None
        task_hours = None if running is None else running * month
        per_month = {a: _scaled(out["hourly"][a], task_hours) for a in ARCHITECTURES}
        if most is not None and most != running:
            out["tasks_running_at_most"] = most
            out["per_month_at_most"] = {
                a: _scaled(out["hourly"][a], most * month) for a in ARCHITECTURES
            }
        runs = None
    else:
        copies = _number((settings or {}).get("copies", 1), values, "TaskCount", notes) or 1
        out["copies_per_run"] = copies
        out["capacity"] = _providers(settings or {})
        timeout = (settings or {}).get("timeoutSeconds", _tag(props, TIMEOUT_TAG))
        hours: float | None
        if assumptions.run_minutes is not None:
            hours, length = (
                assumptions.run_minutes / 60,
                f"{assumptions.run_minutes:g} min (--run-minutes)",
            )
        elif timeout is not None and str(timeout) != str(NO_TIMEOUT):
            seconds = _number(timeout, values, "Timeout", notes)
            hours = None if seconds is None else seconds / 3600
            length = f"{timeout} s (its Timeout: an upper bound)"
        else:
            hours, length = None, "unknown: no Timeout; give --run-minutes"
        if hours is not None:
            hours = max(hours, 1 / 60)  # Fargate bills at least one minute
        out["run_length"] = length
        run_hours = None if hours is None else hours * copies
        out["per_run"] = {a: _scaled(out["hourly"][a], run_hours) for a in ARCHITECTURES}
        runs, how, triggers = _runs(logical_id, users, resources, by_target, meta, month)
        out["runs"] = how
        out["runs_per_month"] = None if runs is None else round(runs, 4)
        task_hours = None if runs is None or run_hours is None else runs * run_hours
        per_month = {a: _scaled(out["hourly"][a], task_hours) for a in ARCHITECTURES}
        out["scheduler_invocations_per_month"] = runs if triggers else 0
    out["per_month"] = per_month
    out["extras_per_month"] = _extras(out, settings, runs, task_hours, rates, assumptions)
    out["notes"] = notes
    return out


def _sum(figures: Any) -> float | None:
    """The sum of the known figures; None when none is known (Spot on ARM64)."""
    known = [f for f in figures if f is not None]
    return round(sum(known), 2) if known else None


def _tag(props: dict[str, Any], key: str) -> Any:
    """A tag's value on a resource (a standalone task definition carries its Timeout so)."""
    tags = props.get("Tags")
    listed = tags if isinstance(tags, list) else []
    found = [t.get("Value") for t in listed if isinstance(t, dict) and t.get("Key") == key]
    return found[0] if found else None


def _hourly(
    cpu: float | None, memory: float | None, storage: float | None, rates: dict[str, Any], arch: str
) -> float | None:
    if cpu is None or memory is None or storage is None:
        return None
    fargate = rates["fargate"]
    extra = max(0.0, storage - INCLUDED_STORAGE_GB)
    return (
        cpu / 1024 * fargate[arch]["vcpu_hour"]
        + memory / 1024 * fargate[arch]["gb_hour"]
        + extra * fargate["storage_gb_hour"]
    )


def _prices(hourly: float | None, arch: str, prices: dict[str, Any]) -> dict[str, Any]:
    """On-demand and the lowest Spot price AWS names (up to x% off); Spot: None on ARM64,
    which Fargate Spot does not run."""
    if hourly is None:
        return {"on_demand": None, "spot_from": None}
    spot = None if arch == "ARM64" else hourly * (1 - prices["spot"]["discount_up_to"])
    return {"on_demand": hourly, "spot_from": spot}


def _scaled(hourly: dict[str, Any], hours: float | None) -> dict[str, Any]:
    return {
        k: None if v is None or hours is None else round(v * hours, 6) for k, v in hourly.items()
    }


def _settings(
    task_definition: str, users: list[str], resources: dict[str, Any]
) -> dict[str, Any] | None:
    """The settings a workflow carries for running this task definition: the map in its
    definition that names it as `taskDefinition`."""
    for user in users:
        props = resources[user].get("Properties") or {}
        if resources[user].get("Type") != "AWS::StepFunctions::StateMachine":
            continue
        for found in _maps(props.get("Definition")):
            if found.get("taskDefinition") == {"Ref": task_definition}:
                return found
    return None


def _maps(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [m for item in value for m in _maps(item)]
    if not isinstance(value, dict):
        return []
    return [value, *(m for item in value.values() for m in _maps(item))]


def _providers(props: dict[str, Any]) -> str:
    strategy = props.get("CapacityProviderStrategy") or props.get("capacity") or []
    names = [s.get("CapacityProvider") for s in strategy if isinstance(s, dict)]
    return "+".join(str(n) for n in names) or "FARGATE"


def _service_tasks(
    services: list[str],
    resources: dict[str, Any],
    by_target: dict[str, list[str]],
    values: dict[str, Any],
    notes: list[str],
) -> tuple[float | None, float | None, str]:
    """(tasks running around the clock, at most, how worked out): each service's DesiredCount,
    or its scaling floor (an autoscaled service runs at least MinCapacity, at most
    MaxCapacity)."""
    total: float = 0
    most: float | None = 0
    said = []
    for name in services:
        props = resources[name].get("Properties") or {}
        targets = [
            u
            for u in by_target.get(name, [])
            if resources[u].get("Type") == "AWS::ApplicationAutoScaling::ScalableTarget"
        ]
        if targets:
            scaling = resources[targets[0]].get("Properties") or {}
            low = _number(scaling.get("MinCapacity"), values, "MinCount", notes)
            high = _number(scaling.get("MaxCapacity"), values, "MaxCount", notes)
            if low is None:
                return None, None, "autoscaled from an unknown minimum"
            total += low
            most = None if most is None or high is None else most + high
            said.append(f"{name}: {low:g} to {_g(high)} tasks (autoscaled; the minimum counted)")
            continue
        twin_of = [
            u for u in by_target.get(name, []) if resources[u].get("Type") == "AWS::ECS::Service"
        ]
        if "DesiredCount" not in props and twin_of:
            # A Spot service's on-demand twin: scaled up only while Spot capacity is short,
            # at the on-demand price (the Spot figures' upper bound).
            said.append(f"{name}: only while {twin_of[0]} lacks Spot capacity")
            continue
        count = _number(props.get("DesiredCount", 1), values, "DesiredCount", notes)
        if count is None:
            return None, None, "DesiredCount unknown"
        total += count
        most = None if most is None else most + count
        if count:
            said.append(f"{name}: {count:g} task(s) around the clock")
    return total, most, "; ".join(said) or "no task running"


def _runs(
    task_definition: str,
    users: list[str],
    resources: dict[str, Any],
    by_target: dict[str, list[str]],
    meta: dict[str, Any],
    month: float,
) -> tuple[float | None, str, bool]:
    """(runs a month, how worked out, started by a schedule): the schedules and rules that
    start a workflow running this task definition and name this task (or name none)."""
    # Only the workflows that carry this task's settings run it; another that merely names
    # the task definition (in a policy, say) does not start runs of it.
    workflows = [u for u in users if _settings(task_definition, [u], resources) is not None]
    total: float = 0
    said: list[str] = []
    known, scheduled = True, False
    for workflow in workflows:
        for trigger in by_target.get(workflow, []):
            props = resources[trigger].get("Properties") or {}
            expression = props.get("ScheduleExpression")
            if resources[trigger].get("Type") not in (
                "AWS::Scheduler::Schedule",
                "AWS::Events::Rule",
            ) or not _starts(props, meta.get("Task")):
                continue
            if not isinstance(expression, str):
                said.append(f"{trigger}: on events (count unknown)")
                known = False
                continue
            scheduled = True
            runs, how = runs_per_month(expression, month)
            said.append(f"{trigger}: {how}")
            if runs is None:
                known = False
            else:
                total += runs
    if not said:
        return None, "started by hand or by callers (count unknown)", False
    return (total if known else None), "; ".join(said), scheduled


_TASK_IN_INPUT = re.compile(r'task\\*"\s*:\s*\\*"([^"\\]+)')


def _starts(props: dict[str, Any], task: Any) -> bool:
    """Whether a trigger of a workflow starts a run of `task`: its input names the task, or
    names none (a workflow of one task)."""
    named = set(_TASK_IN_INPUT.findall(json.dumps(props.get("Target"))))
    return not named or task in named


def _extras(
    task: dict[str, Any],
    settings: dict[str, Any] | None,
    runs: float | None,
    task_hours: float | None,
    rates: dict[str, Any],
    assumptions: Assumptions,
) -> dict[str, float]:
    """What the runs add a month: state transitions, Scheduler invocations, log ingestion."""
    extras: dict[str, float] = {}
    if settings is not None and runs is not None:
        transitions = runs * task.get("copies_per_run", 1) * assumptions.transitions_per_run
        extras["step_functions"] = round(
            transitions / 1000 * rates["stepfunctions_per_1000_transitions"], 4
        )
        invocations = task.get("scheduler_invocations_per_month") or 0
        extras["scheduler"] = round(invocations / 1e6 * rates["scheduler_per_million"], 6)
    if task_hours is not None:
        gb = task_hours * assumptions.log_mb_per_hour / 1024
        extras["logs"] = round(gb * rates["logs_ingestion_per_gb"], 4)
    return extras


def _number(value: Any, values: dict[str, Any], what: str, notes: list[str]) -> float | None:
    """A number written as one, as a string, or as a Ref to a parameter (its value or
    default); None with a note when it cannot be known before deploy."""
    if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
        name = value["Ref"]
        if name in values:
            value = values[name]
        else:
            notes.append(f"{what} comes from !Ref {name}: unknown before deploy")
            return None
    try:
        return float(value)
    except (TypeError, ValueError):
        notes.append(f"{what} is {json.dumps(value)}: unknown before deploy")
        return None


def render(cost: dict[str, Any]) -> str:
    """The estimate as text: a block per task, then the totals and what is left out."""
    money = cost["currency"]
    lines = [
        f"Cost estimate, {cost['region']}, {money}: prices of {cost['prices_date']} "
        "(sources: `plan --format json`); an estimate, not a quote.",
        f"Spot: {cost['spot']}.",
        "Each figure: on-demand / Spot from; Fargate Spot does not run ARM64 tasks (-).",
    ]
    for t in cost["tasks"]:
        name = ".".join(str(p) for p in (t["declaration"], t["task"]) if p)
        size = (
            f"{_g(t['vcpu'])} vCPU, {_g(t['memory_gb'])} GB, {_g(t['storage_gb'])} GB storage, "
            f"declared {t['declared_architecture']} on {t['capacity']}"
        )
        lines += ["", f"{name} ({t['kind']}; {size})", f"  runs: {t['runs']}"]
        if t.get("per_run") is not None:
            lines.append(
                f"  a run: {t['copies_per_run']:g} cop{'y' if t['copies_per_run'] == 1 else 'ies'}"
                f", {t['run_length']}"
            )
        lines.append(f"  {'':8}{'per run':>22}{'per month':>24}")
        for arch in ARCHITECTURES:
            run = (t.get("per_run") or {}).get(arch) or {}
            per_month = t["per_month"][arch]
            lines.append(
                f"  {arch:8}{_pair(run) if t.get('per_run') is not None else '-':>22}"
                f"{_pair(per_month):>24}"
            )
        if "per_month_at_most" in t:
            lines.append(f"  scaled out to {t['tasks_running_at_most']:g} tasks, a month:")
            for arch in ARCHITECTURES:
                lines.append(f"  {arch:8}{'':>22}{_pair(t['per_month_at_most'][arch]):>24}")
        extras = t["extras_per_month"]
        if extras:
            lines.append(
                "  + a month: "
                + ", ".join(f"{k.replace('_', ' ')} {_money(v)}" for k, v in extras.items())
            )
        lines += [f"  note: {n}" for n in t["notes"]]
    lines.append("")
    for arch in ARCHITECTURES:
        lines.append(f"Total a month, {arch}: {_pair(cost['total_per_month'][arch])}")
    lines.append(f"  + watching, scheduling and logs: {_money(cost['extras_per_month'])}")
    a = cost["assumptions"]
    lines.append(
        f"Assumed: {a['log_mb_per_task_hour']:g} MB of logs per task-hour, "
        f"{a['transitions_per_healthy_run']:g} state transitions per healthy run, "
        f"{a['hours_per_month']:g} hours a month."
    )
    if cost["not_in_totals"]:
        lines.append(
            "Not in the totals (runs a month or their length unknown): "
            + ", ".join(cost["not_in_totals"])
        )
    lines.append("Left out: " + "; ".join(cost["left_out"]) + ".")
    return "\n".join(lines)


def _pair(prices: dict[str, Any]) -> str:
    on_demand, spot = prices.get("on_demand"), prices.get("spot_from")
    if on_demand is None:
        return "unknown"
    return f"{_money(on_demand)} / {'-' if spot is None else _money(spot)}"


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 1 or value == 0 else f"${value:.4f}"


def _g(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"

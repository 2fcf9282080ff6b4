"""Everything the day-two commands know about a stack, found from its name alone, and every
lookup they make in it (services, schedules, runs, tasks, log events); the commands only act
(start, stop, open a session) and print.

CloudFormation gives the processed template (each generated task definition carries
`Metadata.ServerlessFargate`: declaration, task key, kind), the physical IDs and the outputs
(log group, network: see docs/reference.md). Generated logical IDs come from the macro's own
`resources/names.py`, so the two never disagree. AWS errors become `OpsError`s that say what
to do; every call goes through `Client`, which names the IAM action a refusal was about.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from ..declaration.model import WATCHED_KINDS
from ..resources import logs, names
from ..resources import workflow_contract as contract
from ..settings import METADATA_KEY, TIMEOUT_TAG

# Error codes of a refusal: the message names the IAM action (signing name:operation).
ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
# Error codes of credentials AWS does not accept.
CREDENTIALS_REJECTED = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
}


class OpsError(Exception):
    """A problem the user can act on: the message ends with what to do."""


@dataclass
class _Ids:
    """The two names `resources/names.py` reads from a declaration and a task."""

    logical_id: str
    name: str = ""


@dataclass
class Task:
    stack: str
    declaration: str
    key: str
    kind: str  # service, schedule or standalone
    task_definition: str  # ARN
    cluster: str | None
    log_group: str | None
    service: str | None = None  # physical IDs (an ECS service's is its ARN)
    fallback_service: str | None = None
    schedule: str | None = None  # the schedule's name
    schedule_group: str = "default"
    workflow: str | None = None  # ARN
    network: dict[str, Any] | None = None  # awsvpcConfiguration, from the outputs
    label: str = ""  # how commands name it: the key, or <declaration>/<key> when that is needed

    @property
    def stream_prefix(self) -> str:
        """The main container's streams: <key>/<key>/<ECS task ID>."""
        return stream_prefixes(self, [self.key])[0]


@dataclass
class Stack:
    name: str
    region: str
    tasks: list[Task]

    def task(self, key: str) -> Task:
        """The task named `key`, or `<declaration>/<key>` (two declarations may share a key)."""
        found = [t for t in self.tasks if key in (t.key, f"{t.declaration}/{t.key}")]
        if len(found) == 1:
            return found[0]
        if found:
            raise OpsError(
                f"stack {self.name!r} has task {key!r} in several declarations: "
                f"{', '.join(t.declaration + '/' + t.key for t in found)}. Name one of these."
            )
        known = ", ".join(t.label for t in self.tasks)
        raise OpsError(
            f"stack {self.name!r} has no task {key!r}; its tasks are: {known}. "
            "Use one of these keys (as written under Tasks:)."
        )


class Client:
    """A boto3 client whose refusals and missing credentials become OpsErrors."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._service = client.meta.service_model.signing_name

    @property
    def meta(self) -> Any:
        """The boto3 client's own (region, endpoint)."""
        return self._client.meta

    def __getattr__(self, operation: str) -> Any:
        method = getattr(self._client, operation)

        def call(**kwargs: Any) -> Any:
            return translated(self._service, method, **kwargs)

        return call

    def pages(self, operation: str, key: str, limit: int | None = None, **kwargs: Any) -> list[Any]:
        """Every item under `key` of every page, or of the first `limit` pages (for lists
        newest first, where only the latest matter)."""
        paginator = self._client.get_paginator(operation)

        def collect() -> list[Any]:
            items: list[Any] = []
            for n, page in enumerate(paginator.paginate(**kwargs), start=1):
                items += page.get(key, [])
                if limit is not None and n >= limit:
                    break
            return items

        return translated(self._service, collect)


def translated(service: str, function: Any, **kwargs: Any) -> Any:
    from botocore.exceptions import (
        ClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    try:
        return function(**kwargs)
    except (NoCredentialsError, PartialCredentialsError) as error:
        raise OpsError(
            f"no AWS credentials ({error}). Set AWS_PROFILE or pass --profile, run "
            "`aws configure` or `aws sso login`, or export AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY."
        ) from None
    except NoRegionError:
        raise OpsError("no AWS region: pass --region or set AWS_REGION.") from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in CREDENTIALS_REJECTED:
            raise OpsError(
                f"AWS does not accept your credentials ({code}): they are expired or wrong. "
                "Refresh them (`aws sso login`, new keys) or use another --profile."
            ) from None
        if code in ACCESS_DENIED or status == 403 or "not authorized to perform" in str(error):
            action = f"{service}:{error.operation_name}"
            raise OpsError(
                f"access denied: {action} was refused. Ask for {action} on this "
                "stack's resources, or use a profile that has it (--profile)."
            ) from None
        raise


def session(region: str | None, profile: str | None) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(region_name=region, profile_name=profile)
    except ProfileNotFound:
        raise OpsError(
            f"profile {profile!r} is not in your AWS config: check --profile "
            "(`aws configure list-profiles` lists them)."
        ) from None


def load(aws: Aws, stack_name: str) -> Stack:
    """The stack's tasks, or an OpsError saying why there are none."""
    from botocore.exceptions import ClientError

    region = aws.region
    cloudformation = aws("cloudformation")
    try:
        described = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    except ClientError as error:
        if "does not exist" in str(error):
            raise OpsError(
                f"stack {stack_name!r} does not exist in {region}. Check the name "
                "(`aws cloudformation list-stacks`) and --region/--profile."
            ) from None
        raise
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    body = cloudformation.get_template(StackName=stack_name, TemplateStage="Processed")[
        "TemplateBody"
    ]
    template = body if isinstance(body, dict) else _parse(body)
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId")
        for r in cloudformation.pages(
            "list_stack_resources", "StackResourceSummaries", StackName=stack_name
        )
    }
    tasks = [
        _task(stack_name, logical_id, resource[METADATA_KEY], physical, outputs)
        for logical_id, resource in _generated(template)
        if physical.get(logical_id)
    ]
    several = len({t.declaration for t in tasks}) > 1
    for t in tasks:
        t.label = f"{t.declaration}/{t.key}" if several else t.key
    if not tasks:
        raise OpsError(
            f"stack {stack_name!r} has no Fargate::Tasks: none of its task definitions was "
            f"generated by ServerlessFargate (Metadata.{METADATA_KEY}). Name the stack whose "
            "template has `Transform: ServerlessFargate`; stacks deployed before version 0.2 "
            "need one more deploy."
        )
    return Stack(stack_name, region, tasks)


def _parse(body: str) -> dict[str, Any]:
    try:
        return cast(dict[str, Any], json.loads(body))
    except ValueError:
        from .. import cfn_yaml

        return cast(dict[str, Any], cfn_yaml.load(body))


def _generated(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        metadata = resource.get("Metadata") if isinstance(resource, dict) else None
        if (
            resource.get("Type") == "AWS::ECS::TaskDefinition"
            and isinstance(metadata, dict)
            and isinstance(metadata.get(METADATA_KEY), dict)
        ):
            found.append((logical_id, metadata))
    return found


def _task(
    stack: str,
    logical_id: str,
    meta: dict[str, Any],
    physical: dict[str, str | None],
    outputs: dict[str, str],
) -> Task:
    d = cast(Any, _Ids(meta["Declaration"]))
    t = cast(Any, _Ids(meta["Declaration"], names.pascal_case(meta["Task"])))
    task = Task(
        stack=stack,
        declaration=d.logical_id,
        key=meta["Task"],
        kind=meta["Kind"],
        task_definition=cast(str, physical[logical_id]),
        cluster=outputs.get(names.cluster_output(d)) or physical.get(names.cluster(d)),
        log_group=physical.get(names.log_group(d)),
        service=physical.get(names.service(d, t)),
        fallback_service=physical.get(names.fallback_service(d, t)),
        schedule=physical.get(names.schedule(d, t)),
        workflow=physical.get(names.workflow(d, t)),
    )
    if task.cluster is None and task.service and task.service.count("/") == 2:
        task.cluster = task.service.split("/")[1]  # arn:...:service/<cluster>/<service>
    schedule_arn = outputs.get(names.schedule_output(d, t), "")
    if schedule_arn.count("/") == 2:  # arn:...:schedule/<group>/<name>
        task.schedule_group = schedule_arn.split("/")[1]
    for scope in (t, None):
        subnets = outputs.get(names.subnets_output(d, scope))
        if subnets:
            config: dict[str, Any] = {
                "subnets": subnets.split(","),
                "assignPublicIp": outputs.get(names.assign_public_ip_output(d, scope), "DISABLED"),
            }
            groups = outputs.get(names.security_groups_output(d, scope))
            if groups:
                config["securityGroups"] = groups.split(",")
            task.network = config
            break
    return task


# --- Lookups the commands share -----------------------------------------------------------


class Aws:
    """One client per service for one command, every call through `Client`."""

    def __init__(self, boto_session: Any) -> None:
        if not boto_session.region_name:
            raise OpsError("no AWS region: pass --region or set AWS_REGION.")
        self.session = boto_session
        self.region: str = boto_session.region_name
        self._clients: dict[str, Client] = {}
        self.definitions: dict[str, dict[str, Any]] = {}  # workflow ARN → definition

    def __call__(self, service: str) -> Client:
        if service not in self._clients:
            self._clients[service] = Client(self.session.client(service))
        return self._clients[service]


@dataclass
class RunSettings:
    """How one run of a task starts: what its schedule, service or tags say."""

    cluster: str
    task_definition: str
    network: dict[str, Any]  # awsvpcConfiguration, as boto3 takes it
    capacity: list[dict[str, Any]]  # capacityProviderStrategy, as boto3 takes it
    fallback: bool = False  # Spot short of capacity: run on FARGATE instead
    rerun_on_interruption: bool = False
    timeout: int | None = None  # seconds; then the task is stopped and the run fails


ON_DEMAND = [{"capacityProvider": "FARGATE", "weight": 1}]


def services(aws: Aws, tasks: list[Task]) -> dict[str, dict[str, Any]]:
    """Every service and on-demand twin of these tasks, by ARN (10 per call, per cluster)."""
    wanted: dict[str, list[str]] = {}
    for t in tasks:
        for arn in (t.service, t.fallback_service):
            if arn and t.cluster:
                wanted.setdefault(t.cluster, []).append(arn)
    found: dict[str, dict[str, Any]] = {}
    for cluster, arns in wanted.items():
        for i in range(0, len(arns), 10):
            answer = aws("ecs").describe_services(cluster=cluster, services=arns[i : i + 10])
            for s in answer["services"]:
                found[s["serviceArn"]] = s
    return found


def workflow_settings(aws: Aws, task: Task) -> dict[str, Any]:
    """The settings the workflow runs a scheduled task with (resolved by CloudFormation)."""
    if not task.workflow:
        raise OpsError(f"task {task.key!r} has no workflow in stack {task.stack!r}: deploy again.")
    if task.workflow not in aws.definitions:  # one read per workflow, however many tasks
        described = aws("stepfunctions").describe_state_machine(stateMachineArn=task.workflow)
        aws.definitions[task.workflow] = json.loads(described["definition"])
    found = contract.task_settings(aws.definitions[task.workflow]).get(task.key)
    if found is None:
        raise OpsError(
            f"the workflow of {task.declaration} does not run task {task.key!r}: deploy again."
        )
    return found


def run_settings(aws: Aws, task: Task, network: dict[str, Any] | None = None) -> RunSettings:
    """Settings for a run started here (not through the workflow): the service's own network
    and strategy, a scheduled task's workflow settings, a standalone task's tags and outputs."""
    if not task.cluster:
        raise OpsError(
            f"cannot tell the cluster of {task.key!r}: its declaration has `Outputs: false` and "
            "an existing `Cluster`. Turn outputs on and deploy again."
        )
    settings = RunSettings(task.cluster, task.task_definition, {}, list(ON_DEMAND))
    if task.kind in WATCHED_KINDS:
        declared = workflow_settings(aws, task)
        settings.network = _camel(declared["network"]["AwsvpcConfiguration"])
        settings.capacity = [
            {k: int(v) if k in ("weight", "base") else v for k, v in item.items()}
            for item in _camel(declared["capacity"])
        ]
        settings.fallback = bool(declared.get("fallback"))
        settings.rerun_on_interruption = bool(declared.get("rerunOnInterruption"))
        settings.timeout = contract.timeout_of(declared)
    elif task.kind == "service" and task.service:
        service = services(aws, [task]).get(task.service)
        if service:
            settings.network = service["networkConfiguration"]["awsvpcConfiguration"]
            settings.capacity = service.get("capacityProviderStrategy") or list(ON_DEMAND)
            settings.fallback = task.fallback_service is not None
    else:
        # A standalone task runs on FARGATE (it has no Spot); its Timeout is a tag.
        tags = task_definition_tags(aws, task)
        settings.timeout = int(tags[TIMEOUT_TAG]) if tags.get(TIMEOUT_TAG, "").isdigit() else None
    if network is not None:
        settings.network = network
    elif not settings.network:
        if task.network is None:
            raise OpsError(
                f"cannot tell the network of {task.key!r}: its declaration has `Outputs: false`. "
                "Pass --subnets (and --security-groups), or turn outputs on and deploy again."
            )
        settings.network = task.network
    return settings


def task_definition_tags(aws: Aws, task: Task) -> dict[str, str]:
    answer = aws("ecs").describe_task_definition(
        taskDefinition=task.task_definition, include=["TAGS"]
    )
    return {tag["key"]: tag["value"] for tag in answer.get("tags", [])}


def containers(aws: Aws, task: Task) -> list[str]:
    """The task definition's container names: the main one (the task key) first."""
    answer = aws("ecs").describe_task_definition(taskDefinition=task.task_definition)
    names_ = [c["name"] for c in answer["taskDefinition"]["containerDefinitions"]]
    return sorted(names_, key=lambda name: name != task.key)


def stream_prefixes(task: Task, container_names: list[str]) -> list[str]:
    """Stream-name prefixes of a task's containers, each followed by the ECS task ID."""
    return [f"{logs.stream_prefix(task.key, name)}/{name}/" for name in container_names]


def ecs_tasks(aws: Aws, cluster: str, arns: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for i in range(0, len(arns), 100):
        found += aws("ecs").describe_tasks(cluster=cluster, tasks=arns[i : i + 100])["tasks"]
    return found


def family(task_definition_arn: str) -> str:
    """arn:...:task-definition/<family>:<revision> → <family>."""
    return task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def schedule(aws: Aws, task: Task) -> dict[str, Any]:
    """The scheduled task's schedule as Scheduler describes it."""
    answer = aws("scheduler").get_schedule(Name=task.schedule, GroupName=task.schedule_group)
    return cast(dict[str, Any], answer)


def running_tasks(aws: Aws, task: Task) -> list[str]:
    """ARNs of the task definition's family's running tasks (a standalone task's runs)."""
    if not task.cluster:
        return []
    return aws("ecs").pages(
        "list_tasks",
        "taskArns",
        cluster=task.cluster,
        family=family(task.task_definition),
        desiredStatus="RUNNING",
    )


def service_tasks(aws: Aws, task: Task, described: dict[str, dict[str, Any]]) -> list[str]:
    """ARNs of the running tasks of a service task's Spot service and on-demand twin."""
    running: list[str] = []
    for arn in (task.service, task.fallback_service):
        if arn and arn in described:
            running += aws("ecs").pages(
                "list_tasks",
                "taskArns",
                cluster=task.cluster,
                serviceName=described[arn]["serviceName"],
                desiredStatus="RUNNING",
            )
    return running


def execution_tasks(aws: Aws, task: Task, execution_name: str) -> list[dict[str, Any]]:
    """ECS tasks a workflow execution started (found by their group: workflow_contract)."""
    # The cluster's ARN is an output; without outputs (and with an existing cluster) the
    # workflow's settings name it.
    cluster = task.cluster or workflow_settings(aws, task)["cluster"]
    arns: list[str] = []
    for desired in ("RUNNING", "STOPPED"):
        arns += aws("ecs").pages(
            "list_tasks",
            "taskArns",
            cluster=cluster,
            family=family(task.task_definition),
            desiredStatus=desired,
        )
    found = ecs_tasks(aws, cluster, arns) if arns else []
    prefix = contract.group_prefix(execution_name)
    mine = [t for t in found if str(t.get("group", "")).startswith(prefix)]
    return sorted(mine, key=lambda t: t.get("createdAt") or 0)


def last_runs(aws: Aws, task: Task, limit: int) -> list[dict[str, Any]]:
    """The task's last runs through its workflow, newest first: every execution of a task's
    workflow is a run of that task, whoever started it and however it is named."""
    if not task.workflow:
        return []
    # ListExecutions answers newest first: the first page holds the last runs.
    found = aws("stepfunctions").pages(
        "list_executions", "executions", limit=1, stateMachineArn=task.workflow, maxResults=limit
    )
    found.sort(key=lambda e: e["startDate"], reverse=True)
    results = []
    for summary in found[:limit]:
        result = execution_result(aws, summary["executionArn"])
        result.pop("task")
        results.append(result)
    return results


def log_events(
    aws: Aws, task: Task, prefixes: list[str], run_id: str | None, start: int
) -> list[dict[str, Any]]:
    """The task's log events since `start` (ms), from streams with these prefixes (and of the
    ECS task whose ID begins with `run_id`)."""
    if not task.log_group:
        return []
    # One call per task: a stream-name prefix of the task key, then only this task's streams
    # (another key may begin with this one: `api` and `api-admin`).
    found = aws("logs").pages(
        "filter_log_events",
        "events",
        logGroupName=task.log_group,
        logStreamNamePrefix=task.key,
        startTime=start,
    )
    return [
        e
        for e in found
        if any(e["logStreamName"].startswith(p) for p in prefixes)
        and (run_id is None or e["logStreamName"].rsplit("/", 1)[-1].startswith(run_id))
    ]


def execution_result(aws: Aws, execution_arn: str) -> dict[str, Any]:
    """One workflow execution as a run: its task, status, exit code, duration, whether it
    ran on-demand, and why it failed."""
    e = aws("stepfunctions").describe_execution(executionArn=execution_arn)
    given = _json(e.get("input"))
    result: dict[str, Any] = {
        "task": given.get(contract.TASK) if isinstance(given, dict) else None,
        "execution": e["name"],
        "status": e["status"],
        "started": e["startDate"].isoformat(),
        "seconds": round((e["stopDate"] - e["startDate"]).total_seconds())
        if e.get("stopDate")
        else None,
        "exitCode": None,
        "attempts": None,
        "onDemand": None,
        "reason": None,
    }
    copies: list[dict[str, Any]] = []
    if e["status"] == "SUCCEEDED":
        copies = contract.copies(_json(e.get("output")))
        result["exitCode"] = 0
    elif e["status"] == "FAILED":
        copies = contract.copies(_json(e.get("cause")))
        result["reason"] = e.get("error")
    if copies:
        first = copies[0]
        if e["status"] == "FAILED":
            result["exitCode"] = first.get("exitCode")
            result["reason"] = first.get("reason") or first.get("stopCode") or e.get("error")
        result["onDemand"] = any(bool(c.get("onDemand")) for c in copies)
        result["attempts"] = first.get("attempts")
    elif e["status"] == "FAILED":
        result["reason"] = f"{e.get('error')}: {e.get('cause', '')}".strip(": ")
    return result


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _camel(value: Any) -> Any:
    """CloudFormation's PascalCase keys (the workflow's settings) as boto3's camelCase."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value

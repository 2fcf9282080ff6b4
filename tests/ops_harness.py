"""A deployed stack for the day-two commands, offline: moto's CloudFormation, ECS, Logs,
Scheduler and Step Functions.

What moto 5.2.5 lacks, and how this harness supplies it (each piece says what AWS does):
- Its CloudFormation has no `AWS::Scheduler::Schedule` (and then fails on the outputs that
  name one). Here: a model that creates the schedule in moto's Scheduler with the name
  CloudFormation would generate (`<stack>-<logical ID>-<suffix>`); `Ref` is the name,
  `Fn::GetAtt Arn` its ARN.
- Its `AWS::StepFunctions::StateMachine` reads only `DefinitionString`; AWS also takes
  `Definition`, a JSON object, which the macro writes. It also creates the machine in the
  backend that does not execute; the API (and the interpreter) answer from the other.
- Its `AWS::ECS::TaskDefinition` keeps only the containers and memory (and its RunTask then
  fails on a Fargate container without its own memory). AWS registers every property; here
  the family, sizes, network mode, compatibilities, roles, platform and tags too. Its RunTask
  also wants each container's own memory, which Fargate never needs (the task's applies).
- Its `AWS::ECS::Service` keeps only the cluster, name, count and task definition. AWS keeps
  every property; here the capacity provider strategy, network, deployment configuration,
  ECS Exec flag and tags are copied onto moto's service, in the API's camelCase.
- ECS has no ExecuteCommand: AWS answers with a Session Manager session (sessionId,
  streamUrl, tokenValue) for a RUNNING task of a service with execute command enabled.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from workflow_harness import camel

ACCOUNT = "123456789012"
REGION = "us-east-1"


def teach_moto(monkeypatch: Any) -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel
    from moto.ecs.models import EC2ContainerServiceBackend, Service, TaskDefinition
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.scheduler.models import scheduler_backends
    from moto.stepfunctions.models import StateMachine
    from moto.stepfunctions.responses import get_backend

    class Schedule(CloudFormationModel):
        __module__ = "moto.scheduler.models"  # moto's metaclass files models by service

        def __init__(self, schedule: Any) -> None:
            self.schedule = schedule
            self.physical_resource_id = schedule.name

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::Scheduler::Schedule"

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            return self.schedule.arn

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[override]
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> Schedule:
            p = cloudformation_json["Properties"]
            target = {k[:1].upper() + k[1:]: v for k, v in p["Target"].items()}
            backend = scheduler_backends[account_id][region_name]
            schedule = backend.create_schedule(
                description=p.get("Description"),
                end_date=None,
                flexible_time_window=p["FlexibleTimeWindow"],
                group_name=p.get("GroupName"),
                kms_key_arn=None,
                name=p.get("Name", resource_name),
                schedule_expression=p["ScheduleExpression"],
                schedule_expression_timezone=p.get("ScheduleExpressionTimezone"),
                start_date=None,
                state=p.get("State", "ENABLED"),
                target=target,
                action_after_completion=None,
            )
            return cls(schedule)

    models = {**parsing.get_model_map(), Schedule.cloudformation_type(): Schedule}
    monkeypatch.setattr(parsing, "get_model_map", lambda: models)
    monkeypatch.setattr(parsing, "get_model_list", lambda: list(models.values()))

    def create_state_machine(
        cls: Any,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        p = cloudformation_json["Properties"]
        definition = p.get("DefinitionString") or json.dumps(p["Definition"])
        # In the backend the API answers from (moto's interpreter, when it executes machines).
        return get_backend(account_id, region_name).create_state_machine(
            p.get("StateMachineName", resource_name), definition, p.get("RoleArn", "")
        )

    monkeypatch.setattr(
        StateMachine, "create_from_cloudformation_json", classmethod(create_state_machine)
    )

    def register(
        cls: Any,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        from moto.ecs.models import ecs_backends

        p = camel(cloudformation_json["Properties"])
        return ecs_backends[account_id][region_name].register_task_definition(
            family=p.get("family", f"{resource_name[:200]}"),
            container_definitions=p["containerDefinitions"],
            volumes=p.get("volumes"),
            network_mode=p.get("networkMode"),
            tags=p.get("tags"),
            requires_compatibilities=p.get("requiresCompatibilities"),
            cpu=p.get("cpu"),
            memory=p.get("memory"),
            task_role_arn=p.get("taskRoleArn"),
            execution_role_arn=p.get("executionRoleArn"),
            runtime_platform=p.get("runtimePlatform"),
            ephemeral_storage=p.get("ephemeralStorage"),
        )

    monkeypatch.setattr(TaskDefinition, "create_from_cloudformation_json", classmethod(register))

    requirements = EC2ContainerServiceBackend._calculate_task_resource_requirements

    def calculate(task_definition: Any) -> Any:
        if "FARGATE" in (task_definition.requires_compatibilities or []):
            return {"CPU": 0, "MEMORY": 0, "PORTS": [], "PORTS_UDP": []}
        return requirements(task_definition)

    monkeypatch.setattr(
        EC2ContainerServiceBackend, "_calculate_task_resource_requirements", staticmethod(calculate)
    )

    created = Service.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_service(
        cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any
    ) -> Any:
        service = created(cls, resource_name, cloudformation_json, *args, **kwargs)
        p = cloudformation_json["Properties"]
        service.capacity_provider_strategy = camel(p.get("CapacityProviderStrategy", []))
        service.network_configuration = camel(p.get("NetworkConfiguration", {}))
        service.deployment_configuration = camel(p.get("DeploymentConfiguration", {}))
        service.enable_execute_command = p.get("EnableExecuteCommand") in (True, "true")
        breaker = service.deployment_configuration.get("deploymentCircuitBreaker", {})
        for key in ("enable", "rollback"):  # a Ref to a parameter arrives as text
            if isinstance(breaker.get(key), str):
                breaker[key] = breaker[key] == "true"
        service.tags = camel(p.get("Tags", []))
        return service

    monkeypatch.setattr(Service, "create_from_cloudformation_json", classmethod(create_service))

    def execute_command(self: Any) -> str:
        params = json.loads(self.body)
        backend = self.ecs_backend
        task = backend.describe_tasks(params["cluster"], [params["task"]])[0]
        return json.dumps(
            {
                "clusterArn": task.cluster_arn
                if hasattr(task, "cluster_arn")
                else params["cluster"],
                "containerName": params.get("container"),
                "interactive": True,
                "session": {
                    "sessionId": "ecs-execute-command-0123456789abcdef0",
                    "streamUrl": f"wss://ssmmessages.{REGION}.amazonaws.com/v1/data-channel/ecs-execute-command-0123456789abcdef0",
                    "tokenValue": "token",
                },
                "taskArn": task.task_arn,
            }
        )

    monkeypatch.setattr(
        EC2ContainerServiceResponse, "execute_command", execute_command, raising=False
    )


def install_application() -> None:
    """The SAM application's lookup function, which generated custom resources name."""
    import io
    import zipfile

    import boto3
    from serverless_fargate.settings import RESOURCES_FUNCTION_NAME

    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName="serverless-fargate-application",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    boto3.client("lambda", region_name=REGION).create_function(
        FunctionName=RESOURCES_FUNCTION_NAME,
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
    )


def deploy(
    template: dict[str, Any], stack: str = "shop", parameters: dict[str, str] | None = None
) -> None:
    """Create the stack in moto, as `sam deploy` would after the macro ran."""
    import boto3

    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        Parameters=[
            {"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()
        ],
    )


def _moto_run_task() -> Any:
    from moto.ecs.models import EC2ContainerServiceBackend

    return EC2ContainerServiceBackend.run_task


RUN_TASK = _moto_run_task()


class Runs:
    """What ECS does around a RunTask that moto does not: each container gets a runtimeId,
    and the awslogs driver writes the task's output to <prefix>/<container>/<task ID> in the
    task definition's log group. `lines` is what the next tasks print (one list per task).
    Every RunTask's parameters are recorded in `calls`. A service's tasks are started by its
    deployment (`ecs-svc/...`), which ListTasks(serviceName=...) filters on."""

    def __init__(self) -> None:
        self.lines: list[list[str]] = []
        self.calls: list[dict[str, Any]] = []

    def install(self, monkeypatch: Any) -> None:
        import inspect

        from moto.ecs import models

        original = models.EC2ContainerServiceBackend.run_task
        signature = inspect.signature(RUN_TASK)  # moto's own (another harness may wrap it)
        runs = self

        def run_task(backend: Any, *args: Any, **kwargs: Any) -> Any:
            runs.calls.append(dict(signature.bind(backend, *args, **kwargs).arguments))
            tasks = original(backend, *args, **kwargs)
            for task in tasks:
                for n, container in enumerate(task.containers):
                    container.runtime_id = f"{task.id}-{n}"
                runs.write(backend, task, runs.lines.pop(0) if runs.lines else [])
            return tasks

        monkeypatch.setattr(models.EC2ContainerServiceBackend, "run_task", run_task)

        listed = models.EC2ContainerServiceBackend.list_tasks

        def list_tasks(backend: Any, *args: Any, **kwargs: Any) -> Any:
            bound = inspect.signature(listed).bind(backend, *args, **kwargs).arguments
            service_name = bound.pop("service_name", None)
            tasks = listed(**bound)
            if service_name:
                cluster = backend._get_cluster(bound.get("cluster_str") or "default")
                service = backend.services[f"{cluster.name}:{service_name}"]
                ids = {d["id"] for d in service.deployments}
                tasks = [t for t in tasks if t.started_by in ids]
            return tasks

        monkeypatch.setattr(models.EC2ContainerServiceBackend, "list_tasks", list_tasks)

    @staticmethod
    def write(backend: Any, task: Any, lines: list[str]) -> None:
        import time

        from moto.logs.models import logs_backends

        definition = backend.describe_task_definition(task.task_definition_arn)
        main = definition.container_definitions[0]
        options = (main.get("logConfiguration") or {}).get("options") or {}
        if not lines or not options:
            return
        logs = logs_backends[backend.account_id][backend.region_name]
        stream = f"{options['awslogs-stream-prefix']}/{main['name']}/{task.id}"
        logs.create_log_stream(options["awslogs-group"], stream)
        now = int(time.time() * 1000)
        logs.put_log_events(
            options["awslogs-group"],
            stream,
            [{"timestamp": now + i, "message": line} for i, line in enumerate(lines)],
        )


class StatesMetrics:
    """Step Functions' execution metrics, which moto does not publish. AWS counts each
    execution of a state machine in CloudWatch, namespace `AWS/States`, dimension
    `StateMachineArn`: ExecutionsStarted when it starts, and ExecutionsSucceeded,
    ExecutionsFailed, ExecutionsTimedOut or ExecutionsAborted when it ends ("Monitoring Step
    Functions metrics using Amazon CloudWatch", Step Functions Developer Guide). AWS delivers
    them "on a best-effort basis": a datapoint may come minutes late, or never. So here none
    is visible until a test calls `deliver()` (they have arrived); a test that never does sees
    what a run of the last minutes looks like. `clock` stamps them (a test may date runs back,
    within PutMetricData's two weeks)."""

    NAMESPACE = "AWS/States"
    ENDED = {
        "SUCCEEDED": "ExecutionsSucceeded",
        "FAILED": "ExecutionsFailed",
        "TIMED_OUT": "ExecutionsTimedOut",
        "ABORTED": "ExecutionsAborted",
    }

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.pending: list[dict[str, Any]] = []
        self.clock = lambda: datetime.now(UTC)

    def install(self, monkeypatch: Any) -> None:
        from moto.stepfunctions import models
        from moto.stepfunctions.parser.backend import execution

        # Both of moto's executions: without its interpreter and with it.
        for cls, name in ((models.Execution, "status"), (execution.Execution, "exec_status")):
            monkeypatch.setattr(cls, name, self._watched(name), raising=False)
        from moto.cloudwatch.models import CloudWatchBackend

        answer = CloudWatchBackend.get_metric_data

        def get_metric_data(backend: Any, queries: list[dict[str, Any]], *args: Any, **kwargs: Any):
            # GetMetricData takes at most 500 queries and answers at most 100,800 datapoints
            # before it paginates ("GetMetricData", CloudWatch API reference); moto takes any
            # number and never paginates: here more is refused.
            bound = inspect.signature(answer).bind(backend, queries, *args, **kwargs).arguments
            periods = (bound["end_time"] - bound["start_time"]).total_seconds()
            points = sum(periods // int(q["MetricStat"]["Period"]) for q in queries)
            if len(queries) > 500 or points > 100_800:
                from moto.cloudwatch.exceptions import ValidationError

                raise ValidationError(f"{len(queries)} queries, {points} datapoints: too many")
            return answer(backend, queries, *args, **kwargs)

        monkeypatch.setattr(CloudWatchBackend, "get_metric_data", get_metric_data)

    def _watched(self, name: str) -> property:
        slot = f"_watched_{name}"
        metrics = self

        def get(execution: Any) -> Any:
            return execution.__dict__.get(slot)

        def set_(execution: Any, value: Any) -> None:
            before = execution.__dict__.get(slot)
            execution.__dict__[slot] = value
            new = str(getattr(value, "value", value))
            old = str(getattr(before, "value", before))
            if new == old:
                return
            if new == "RUNNING":
                metrics._count(execution, "ExecutionsStarted")
            elif new in metrics.ENDED:
                metrics._count(execution, metrics.ENDED[new])

        return property(get, set_)

    def _count(self, execution: Any, metric: str) -> None:
        arn = getattr(execution, "state_machine_arn", None)
        if arn:
            self.pending.append(
                {
                    "MetricName": metric,
                    "Dimensions": [{"Name": "StateMachineArn", "Value": arn}],
                    "Value": 1.0,
                    "Unit": "Count",
                    "Timestamp": self.clock(),
                }
            )

    def deliver(self) -> None:
        """The metrics published so far arrive in CloudWatch."""
        import boto3

        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        for i in range(0, len(self.pending), 1000):  # PutMetricData takes 1,000 at most
            cloudwatch.put_metric_data(
                Namespace=self.NAMESPACE, MetricData=self.pending[i : i + 1000]
            )
        self.pending = []

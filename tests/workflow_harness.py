"""Running the generated workflow offline: moto's Step Functions interpreter against moto's ECS.

What moto 5.2.5 lacks, and how this harness supplies it (each piece says what AWS does):
- `_normalise_parameters`/`_normalise_response` of its ECS integration are stubs, so
  PascalCase parameters reached boto3 (KeyError: 'Cluster'). Here: keys converted both ways,
  as Step Functions does (parameters PascalCase in, the task description PascalCase out).
- The same holds for its aws-sdk integration with ECS (ListTasks, DescribeTasks, StopTask).
- Its list of RunTask parameters omits Count, CapacityProviderStrategy and
  EnableECSManagedTags and drops them silently. AWS passes every RunTask parameter.
- Its `.sync` returns the stopped task whatever its exit code. AWS fails the state
  (States.TaskFailed, the task description as JSON in Cause) when an essential container
  exits non-zero or the task stops without running; the harness does the same.
- ECS never runs anything in moto: a script says how each RunTask ends (exit code, Spot
  interruption, still running for a timeout, or no Spot capacity, which AWS reports as a
  RunTask failure "Capacity is unavailable at this time..." and which is raised here as an
  ECS error with that text; the workflow reads only the text).
- Its aws-sdk integration names an ECS error `ecs.<Name>`; Step Functions names it
  `Ecs.<Name>` ("ServiceName.ErrorName ... both in Pascal case",
  https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html), so a
  Retry on `Ecs.ServerException` would never match in moto. Here: `Ecs`. An error ECS does not
  model is `Ecs.EcsException`, as in moto.
- Waits are compressed: the definition's 60 s backoff and 130 s stop grace become 1 s.
- A path of names and literal indices (`$.found.twin[0].DesiredCount`) selects one value in
  AWS (a Reference Path: "a path that identifies a single node"); moto 5.2.5 wraps it in a
  list when it passes through an index (its fix for getmoto/moto#7825, meant for filters).
  Here such a path gives the value; filters (`[?(...)]`) still give a list, as in AWS.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"


def camel(value: Any) -> Any:
    """PascalCase keys (CloudFormation, Step Functions) as the ECS API's camelCase."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def _pascal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


def patch_moto(monkeypatch: Any) -> None:
    """Make moto's ECS integration behave as Step Functions does (see the module's notes)."""
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_ecs as ecs_service,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

    _patch_reference_paths(monkeypatch)
    monkeypatch.setitem(aws_sdk._SERVICE_ERROR_NAMES, "ecs", "Ecs")
    cls = ecs_service.StateTaskServiceEcs
    monkeypatch.setitem(
        ecs_service._SUPPORTED_API_PARAM_BINDINGS,
        "runtask",
        ecs_service._SUPPORTED_API_PARAM_BINDINGS["runtask"]
        | {"Count", "CapacityProviderStrategy", "EnableECSManagedTags"},
    )

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        converted = camel(parameters)
        parameters.clear()
        parameters.update(converted)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None):
        if isinstance(response, dict):
            converted = _pascal(response)
            response.clear()
            response.update(converted)

    def build_sync_resolver(
        self, env, resource_runtime_part, normalised_parameters, state_credentials
    ):
        client = boto_client_for(
            service="ecs", region=resource_runtime_part.region, state_credentials=state_credentials
        )
        submitted = env.stack.pop()
        task_arn = submitted["Tasks"][0]["TaskArn"]
        cluster_arn = submitted["Tasks"][0]["ClusterArn"]
        resource = self._get_sfn_resource()
        kind = self._get_sfn_resource_type()

        def resolve():
            described = client.describe_tasks(cluster=cluster_arn, tasks=[task_arn])["tasks"][0]
            if described["lastStatus"] != "STOPPED":
                return None
            task = _pascal(described)
            codes = [c.get("ExitCode") for c in task.get("Containers", [])]
            if task.get("StopCode") == "TaskFailedToStart" or any(
                c not in (0, None) for c in codes
            ):
                cause = json.dumps(task, default=str)
                raise FailureEventException(
                    FailureEvent(
                        env=env,
                        error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
                        event_type=HistoryEventType.TaskFailed,
                        event_details=EventDetails(
                            taskFailedEventDetails=TaskFailedEventDetails(
                                error="States.TaskFailed",
                                cause=cause,
                                resource=resource,
                                resourceType=kind,
                            )
                        ),
                    )
                )
            return task

        return resolve

    monkeypatch.setattr(cls, "_normalise_parameters", normalise_parameters)
    monkeypatch.setattr(cls, "_normalise_response", normalise_response)
    monkeypatch.setattr(cls, "_build_sync_resolver", build_sync_resolver)

    # The same conversion for the aws-sdk integration of ECS (ListTasks, DescribeTasks,
    # StopTask after a timeout). Other services' boto3 names are PascalCase already.
    sdk = aws_sdk.StateTaskServiceAwsSdk
    sdk_parameters, sdk_response = sdk._normalise_parameters, sdk._normalise_response

    def sdk_normalise_parameters(self, parameters, *args, **kwargs):
        if self._get_boto_service_name() == "ecs":
            return normalise_parameters(self, parameters)
        return sdk_parameters(self, parameters, *args, **kwargs)

    def sdk_normalise_response(self, response, *args, **kwargs):
        if self._get_boto_service_name() == "ecs":
            return normalise_response(self, response)
        return sdk_response(self, response, *args, **kwargs)

    monkeypatch.setattr(sdk, "_normalise_parameters", sdk_normalise_parameters)
    monkeypatch.setattr(sdk, "_normalise_response", sdk_normalise_response)


_REFERENCE_PATH = re.compile(r"\$(?:\.[A-Za-z0-9_-]+|\[\d+\])*")


def _patch_reference_paths(monkeypatch: Any) -> None:
    import importlib
    import sys

    from moto.stepfunctions.parser.asl.utils import json_path

    original = json_path.extract_json

    def extract_json(path: str, data: Any) -> Any:
        value = original(path, data)
        if _REFERENCE_PATH.fullmatch(path) and "[" in path and isinstance(value, list):
            # One node: the value itself (the list moto made around it has one item).
            return value[0] if len(value) == 1 else value
        return value

    users = [
        name
        for name, module in list(sys.modules.items())
        if name.startswith("moto.stepfunctions.parser")
        and getattr(module, "extract_json", None) is original
    ]
    for name in users:
        monkeypatch.setattr(importlib.import_module(name), "extract_json", extract_json)


@dataclass
class Ecs:
    """moto's ECS with a script: one outcome per RunTask call, and a record of the calls."""

    script: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def install(self, monkeypatch: Any) -> None:
        from moto.ecs import models
        from moto.ecs.exceptions import InvalidParameterException
        from moto.moto_api import state_manager

        # Tasks stay where the script puts them (moto would walk them to STOPPED on describes).
        state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
        from moto.ec2.models.elastic_network_interfaces import NetworkInterface

        # moto's awsvpc tasks read a name its network interfaces lack (moto 5.2.5).
        if not hasattr(NetworkInterface, "private_dns_name"):
            monkeypatch.setattr(
                NetworkInterface,
                "private_dns_name",
                property(lambda eni: f"ip-{eni.private_ip_address.replace('.', '-')}.ec2.internal"),
                raising=False,
            )
        original = models.EC2ContainerServiceBackend.run_task
        signature = inspect.signature(original)
        harness = self

        def run_task(backend, *args, **kwargs):
            given = signature.bind(backend, *args, **kwargs).arguments
            outcome = harness.script.pop(0) if harness.script else {"exit": 0}
            harness.calls.append(
                {
                    "capacity": given.get("capacity_provider_strategy"),
                    "group": given.get("group"),
                    "outcome": outcome,
                }
            )
            if outcome.get("capacity"):
                raise InvalidParameterException(
                    "Capacity is unavailable at this time. Please try again later or in a "
                    "different availability zone"
                )
            tasks = original(backend, *args, **kwargs)
            for task in tasks:
                _finish(task, outcome)
            return tasks

        monkeypatch.setattr(models.EC2ContainerServiceBackend, "run_task", run_task)


def _finish(task: Any, outcome: dict[str, Any]) -> None:
    if outcome.get("hang"):
        task.status = "RUNNING"
        return
    task.status = "STOPPED"
    task.desired_status = "STOPPED"
    if outcome.get("interrupted"):
        task.stop_code, task.stopped_reason, code = (
            "SpotInterruption",
            "Your Spot Task was interrupted.",
            outcome.get("exit", 143),  # 143: SIGTERM not handled; 0: handled, exited cleanly
        )
    else:
        task.stop_code = "EssentialContainerExited"
        task.stopped_reason = "Essential container in task exited"
        code = outcome["exit"]
    for container in task.containers:
        container.last_status = "STOPPED"
        container.exit_code = code
        container.exitCode = code


def evaluate(value: Any, refs: dict[str, Any]) -> Any:
    """CloudFormation's intrinsics in a definition, with `refs` for Ref and Fn::GetAtt."""
    if isinstance(value, list):
        return [evaluate(v, refs) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return refs[arg]
        if key == "Fn::GetAtt":
            return refs[".".join(arg) if isinstance(arg, list) else arg]
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else arg
            scope = {**refs, **{k: evaluate(v, refs) for k, v in variables.items()}}
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(scope[m.group(1)]), text)
        if key == "Fn::Join":
            return arg[0].join(str(evaluate(v, refs)) for v in evaluate(arg[1], refs))
        if key == "Fn::Split":
            return evaluate(arg[1], refs).split(arg[0])
        if key == "Fn::Select":
            return evaluate(arg[1], refs)[int(arg[0])]
    return {k: evaluate(v, refs) for k, v in value.items()}


def compress_waits(definition: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(definition)
    copy_states = out["States"]["Run every copy"]["ItemProcessor"]["States"]
    out["States"]["Run every copy"]["ItemSelector"]["state"]["backoff"] = 1
    copy_states["Next attempt"]["Parameters"]["backoff.$"] = "States.MathAdd($.state.backoff, 1)"
    copy_states["Let it stop"]["Seconds"] = 1
    return out


def wait_for(sfn: Any, execution_arn: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.2)
    raise AssertionError(f"execution still running after {seconds} s")


def transformed_input(transformer: dict[str, Any], event: dict[str, Any]) -> Any:
    """What an EventBridge target with this InputTransformer receives for `event`
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html):
    each InputPathsMap path (dot notation, array indices) is read from the event, and its
    value replaces `<name>` in InputTemplate as text (a placeholder in quotes then makes a JSON
    string). A path that finds nothing leaves the placeholder empty, as EventBridge does."""
    text = transformer["InputTemplate"]
    for name, path in transformer["InputPathsMap"].items():
        value: Any = event
        for part in re.findall(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]", path[1:]):
            key, index = part
            if isinstance(value, dict) and key in value:
                value = value[key]
            elif isinstance(value, list) and index and int(index) < len(value):
                value = value[int(index)]
            else:
                value = ""
                break
        text = text.replace(f"<{name}>", value if isinstance(value, str) else json.dumps(value))
    return json.loads(text)

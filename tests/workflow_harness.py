"""Running the generated workflow offline: moto's Step Functions interpreter against moto's ECS.

What moto 5.2.5 lacks, and how this harness supplies it (each piece says what AWS does):
- `_normalise_parameters`/`_normalise_response` of its ECS integration are stubs, so
  PascalCase parameters reached boto3 (KeyError: 'Cluster'). Here: keys converted both ways,
  as Step Functions does (parameters PascalCase in, the task description PascalCase out).
- The same holds for its aws-sdk integration with ECS (ListTasks, DescribeTasks, StopTask).
- Its list of RunTask parameters ("Run Amazon ECS or Fargate tasks with Step Functions")
  omits CapacityProviderStrategy, which Step Functions passes; any other parameter is
  dropped, so the definition must use only those.
- Its `.sync` returns the stopped task whatever its exit code. AWS fails the state
  (States.TaskFailed) when an essential container exits non-zero or the task stops without
  running; the harness does the same (the Cause's format is not documented: the workflow
  does not read it).
- A RunTask that starts no task (HTTP 200 with `Failures`) fails `.sync` with
  AmazonECS.Unknown (same page); a refused RunTask with `ECS.<error code>`. moto raised
  its own error, which it reported as States.Runtime.
- States.ALL catches everything in moto; on AWS it does not catch States.Runtime or
  States.DataLimitExceeded ("Handling errors in Step Functions workflows"): neither is
  caught or retried here.
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
  interruption or retirement, still running for a timeout, or no Spot capacity). `faults`
  makes the workflow's own ECS calls fail (throttling, access denied, server error); each
  RunTask records how many tasks were still running when it was asked for (overlap).
- ECS refuses overrides longer than 8192 characters (RunTask's `overrides`).
- Waits are compressed: the definition's backoffs, stop grace and Retry intervals become 1 s
  (as many tries).
- RunTask refuses overrides longer than 8192 characters, as ECS documents; moto takes any.
- EventBridge rules start Step Functions executions (`events_start_executions`).
- ListTasks answers pages of 100 ARNs with a nextToken, as ECS does (moto answers all at once).
- A task may be left stopping: desired status STOPPED while its containers still run.
- A task says when it was created, started and stopped (createdAt, startedAt, stoppedAt).
- A Task state's evaluated parameters over 256 KiB fail with States.DataLimitExceeded (moto
  checks only results).
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ACCOUNT = "123456789012"
CAPACITY_SHORT_REASON = (
    "Capacity is unavailable at this time. Please try again later or in a different "
    "availability zone"
)
POLLING = [False]  # set while .sync reads the task: faults are for the workflow's own calls
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
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )
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
    # moto's list is AWS's for ecs:runTask ("Run Amazon ECS or Fargate tasks with Step
    # Functions"), less CapacityProviderStrategy, which Step Functions passes to RunTask. Any
    # other parameter is refused, as AWS refuses it when the state machine is created.
    monkeypatch.setitem(
        ecs_service._SUPPORTED_API_PARAM_BINDINGS,
        "runtask",
        ecs_service._SUPPORTED_API_PARAM_BINDINGS["runtask"] | {"CapacityProviderStrategy"},
    )

    def failure(env, error: str, cause: str):
        return FailureEventException(
            FailureEvent(
                env=env,
                error_name=CustomErrorName(error),
                event_type=HistoryEventType.TaskFailed,
                event_details=EventDetails(
                    taskFailedEventDetails=TaskFailedEventDetails(
                        error=error, cause=cause, resource="runTask.sync", resourceType="ecs"
                    )
                ),
            )
        )

    run_service_task = cls._eval_service_task

    def eval_service_task(self, env, resource_runtime_part, normalised_parameters, **rest):
        """RunTask through the optimized integration, as "Run Amazon ECS or Fargate tasks with
        Step Functions" says: a refused call fails the state with ECS.<error code>; a call that
        started no task (Failures) fails it with AmazonECS.Unknown."""
        from botocore.exceptions import ClientError

        try:
            run_service_task(
                self,
                env=env,
                resource_runtime_part=resource_runtime_part,
                normalised_parameters=normalised_parameters,
                **rest,
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "Unknown")
            raise failure(env, f"ECS.{code}", str(error)) from None
        except IndexError:  # moto reads Tasks[0] of an answer without tasks
            failures = [{"Reason": CAPACITY_SHORT_REASON}]
            raise failure(env, "AmazonECS.Unknown", json.dumps({"Failures": failures})) from None

    monkeypatch.setattr(cls, "_eval_service_task", eval_service_task)

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
            POLLING[0] = True  # Step Functions' own polling: no fault is injected in it
            try:
                described = client.describe_tasks(cluster=cluster_arn, tasks=[task_arn])
            finally:
                POLLING[0] = False
            described = described["tasks"][0]
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

    _patch_sfn_integration(monkeypatch)
    _patch_payload_quota(monkeypatch)

    # "Handling errors in Step Functions workflows": "A States.Runtime error isn't retriable,
    # and will always cause the execution to fail"; States.ALL does not catch it (nor
    # States.DataLimitExceeded). moto's Catch and Retry handle both.
    from moto.stepfunctions.parser.asl.component.common.error_name import error_equals_decl

    decl = error_equals_decl.ErrorEqualsDecl
    uncatchable = {
        StatesErrorNameType.StatesRuntime,
        StatesErrorNameType.StatesStatesDataLimitExceeded,
    }
    original_eval = decl._eval_body

    def eval_body(self, env):
        if getattr(env.stack[-1], "typ", None) in uncatchable:
            env.stack.pop()
            env.stack.append(False)
            return
        original_eval(self, env)

    monkeypatch.setattr(decl, "_eval_body", eval_body)


OVERRIDES_LIMIT = 8192  # ECS: "A total of 8192 characters are allowed for overrides" (RunTask)


_REFERENCE_PATH = re.compile(r"\$(?:\.[A-Za-z0-9_-]+|\[\d+\])*")


def _patch_payload_quota(monkeypatch: Any) -> None:
    """A Task state whose parameters, once evaluated, pass 256 KiB fails with
    States.DataLimitExceeded ("Quotas related to state machine executions": maximum input or
    output size for a task, state or execution, 256 KiB; "Handling errors": it is raised "when
    the input of a state is larger than the payload size quota after Parameters processing"),
    which nothing catches. moto checks only task results."""
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
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
        StateTaskService,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.quotas import is_within_size_quota

    original = StateTaskService._eval_parameters

    def eval_parameters(self, env):
        parameters = original(self, env)
        if not is_within_size_quota(parameters):
            error = StatesErrorName(typ=StatesErrorNameType.StatesStatesDataLimitExceeded)
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=error,
                    event_type=HistoryEventType.TaskFailed,
                    event_details=EventDetails(
                        taskFailedEventDetails=TaskFailedEventDetails(
                            error=error.error_name,
                            cause="The state's input after Parameters passes 256 KiB",
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                        )
                    ),
                )
            )
        return parameters

    monkeypatch.setattr(StateTaskService, "_eval_parameters", eval_parameters)


def _patch_sfn_integration(monkeypatch: Any) -> None:
    """states:startExecution.sync:2 ("Start workflow executions from a task state in Step
    Functions"): the state's parameters are StartExecution's in PascalCase, and its result is
    DescribeExecution's answer in PascalCase, `Output` parsed as JSON (`:2`). moto 5.2.5 hands
    the PascalCase keys to boto3 (KeyError: 'StateMachineArn') and keeps boto3's camelCase
    answer: both converted here, at the top level only (Input and Output are the executions'
    own JSON). Its 1 s polling stays."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_service,
    )

    cls = sfn_service.StateTaskServiceSfn
    parameters_of, response_of = cls._normalise_parameters, cls._normalise_response

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        parameters_of(self, parameters, boto_service_name, service_action_name)
        for key in list(parameters):
            parameters[key[:1].lower() + key[1:]] = parameters.pop(key)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None):
        response_of(self, response, boto_service_name, service_action_name)
        if isinstance(response, dict):
            for key in list(response):
                value = response.pop(key)
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                response[key[:1].upper() + key[1:]] = value

    monkeypatch.setattr(cls, "_normalise_parameters", normalise_parameters)
    monkeypatch.setattr(cls, "_normalise_response", normalise_response)


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
    """moto's ECS with a script: one outcome per RunTask call, faults to inject in the calls the
    workflow makes, and a record of the calls.

    `faults` maps an ECS action (RunTask, ListTasks, DescribeTasks, StopTask) to the error
    codes its next calls raise, one per call (ThrottlingException, AccessDeniedException,
    ServerException...). The polling behind `.sync` is Step Functions' own: never faulted."""

    script: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)
    # ListTasks answers pages of at most 100 ARNs with a nextToken (its maxResults default, "ListTasks",
    # Amazon ECS API reference); moto answers every ARN at once. A test may make pages smaller.
    page_size: int = 100
    # Tasks the script left hanging (not stopped since), and the threads of Task states that
    # have seen one of them still running: their Timeout can only elapse (see _timeouts).
    hanging: set[str] = field(default_factory=set)
    awaiting: set[Any] = field(default_factory=set)
    # Seconds each RunTask call takes here: a test's stand-in for a machine so busy that a
    # thread gets no CPU for that long (nothing in AWS: its Timeouts are hours, not seconds).
    stall: float = 0

    def fault(self, action: str) -> None:
        from moto.core.exceptions import JsonRESTError

        if not POLLING[0] and self.faults.get(action):
            code = self.faults[action].pop(0)
            raise JsonRESTError(code, f"{code} injected in {action} (test)")

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
        backend = models.EC2ContainerServiceBackend
        original = backend.run_task
        signature = inspect.signature(original)
        harness = self

        def run_task(backend_, *args, **kwargs):
            harness.fault("RunTask")
            given = signature.bind(backend_, *args, **kwargs).arguments
            outcome = harness.script.pop(0) if harness.script else {"exit": 0}
            harness.calls.append(
                {
                    "capacity": given.get("capacity_provider_strategy"),
                    "group": given.get("group"),
                    "overrides": given.get("overrides"),
                    "outcome": outcome,
                    # Tasks of the cluster still running when this one is asked for.
                    "running": sum(
                        t.last_status == "RUNNING"
                        for tasks in backend_.tasks.values()
                        for t in tasks.values()
                    ),
                }
            )
            if len(json.dumps(given.get("overrides") or {})) > OVERRIDES_LIMIT:
                raise InvalidParameterException("Container Overrides length must be at most 8192")
            time.sleep(harness.stall)
            if outcome.get("capacity"):
                # RunTask answers 200 with no task and a failure (run_task_answer below).
                return []
            tasks = original(backend_, *args, **kwargs)
            for task in tasks:
                # ECS describes when a task was created, started and stopped (Task, Amazon ECS
                # API reference); moto says none of them.
                task.created_at = task.started_at = datetime.now(UTC)
                _finish(task, outcome)
                if outcome.get("hang"):
                    harness.hanging.add(task.task_arn)
            return tasks

        monkeypatch.setattr(backend, "run_task", run_task)
        from moto.ecs.responses import EC2ContainerServiceResponse

        answer = EC2ContainerServiceResponse.run_task

        def run_task_answer(response):
            # RunTask's documented `failures` when it started nothing (moto leaves it empty).
            result = answer(response)
            if not result.result["tasks"]:
                result.result["failures"] = [{"reason": CAPACITY_SHORT_REASON}]
            return result

        monkeypatch.setattr(EC2ContainerServiceResponse, "run_task", run_task_answer)
        listed = EC2ContainerServiceResponse.list_tasks

        def list_tasks_paged(response):
            result = listed(response)
            arns = result.result["taskArns"]
            start = int(response._get_param("nextToken") or 0)
            size = min(int(response._get_param("maxResults") or 100), harness.page_size)
            result.result["taskArns"] = arns[start : start + size]
            if start + size < len(arns):
                result.result["nextToken"] = str(start + size)
            return result

        monkeypatch.setattr(EC2ContainerServiceResponse, "list_tasks", list_tasks_paged)
        original_stop = backend.stop_task

        def stop_task(backend_, cluster_str, task_str, reason):
            # ECS sends SIGTERM and the task stops (TaskStopCode UserInitiated); moto would
            # leave it RUNNING with its manual transitions.
            task = original_stop(backend_, cluster_str, task_str, reason)
            _finish(task, {"exit": 143, "code": "UserInitiated", "reason": reason})
            harness.hanging.discard(task.task_arn)
            return task

        monkeypatch.setattr(backend, "stop_task", stop_task)
        described = backend.describe_tasks

        def describe_tasks(*args: Any, **kwargs: Any) -> Any:
            found = described(*args, **kwargs)
            if any(getattr(t, "task_arn", None) in harness.hanging for t in found):
                harness.awaiting.add(threading.current_thread())
            return found

        monkeypatch.setattr(backend, "describe_tasks", describe_tasks)
        _timeouts(harness, monkeypatch)
        for name, action in (
            ("list_tasks", "ListTasks"),
            ("describe_tasks", "DescribeTasks"),
            ("stop_task", "StopTask"),
        ):
            monkeypatch.setattr(backend, name, _faulted(harness, getattr(backend, name), action))


# A Timeout a test sets (compressed to seconds): at most this many seconds.
TEST_TIMEOUT = 60


def _timeouts(harness: Ecs, monkeypatch: Any) -> None:
    """A Task state's Timeout without the clock. moto waits `TimeoutSeconds` of wall time for a
    state, so a test's 2 s Timeout also bounded every healthy attempt beside it: a thread
    starved for 2 s on a busy machine failed a test that was right. Here a state with a test's
    Timeout times out when, and only when, what it waits for is a task the script left
    hanging (its thread has seen that task still running): the one way the Timeout could
    elapse in AWS, since every other scripted task has stopped. Any other state waits until it
    ends, as moto does for the long Timeouts (the execution's own hang guard is wait_for)."""
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state

    def evaluate_with_timeout(self: Any, env: Any) -> None:
        # moto 5.2.5 ExecutionState._evaluate_with_timeout, but for the wait (marked).
        self.timeout.eval(env=env)
        timeout_seconds: int = env.stack.pop()
        frame = env.open_frame()
        frame.states.reset(input_value=env.states.get_input())
        frame.stack = copy.deepcopy(env.stack)
        outputs: list[Any] = []
        exceptions: list[Exception | None] = [None]
        terminated = threading.Event()

        def exec_and_notify() -> None:
            try:
                self._eval_execution(frame)
                outputs.extend(frame.stack)
            except Exception as ex:
                exceptions.append(ex)
            terminated.set()

        thread = threading.Thread(target=exec_and_notify, daemon=True)
        execute_state.TMP_THREADS.append(thread)
        thread.start()
        # -- the wait: a test's Timeout elapses only on a hanging task, never by the clock
        if timeout_seconds > TEST_TIMEOUT:
            finished_on_time = terminated.wait(timeout_seconds)
        else:
            while not terminated.wait(0.05) and thread not in harness.awaiting:
                pass
            finished_on_time = terminated.is_set()
        # -- (moto's, again)
        frame.set_ended()
        env.close_frame(frame)
        exception = exceptions.pop()
        if exception:
            raise exception
        if not finished_on_time:
            raise execute_state.EvalTimeoutError()
        output = outputs.pop()
        env.stack.append(output)
        if not self._is_language_query_jsonpath():
            env.states.set_result(output)
        if self.assign_decl:
            self.assign_decl.eval(env=env)
        if self.result_selector:
            self.result_selector.eval(env=env)
        if self.result_path:
            self.result_path.eval(env)
        else:
            env.states.reset(input_value=env.stack.pop())

    monkeypatch.setattr(
        execute_state.ExecutionState, "_evaluate_with_timeout", evaluate_with_timeout
    )


def _faulted(harness: Ecs, method: Any, action: str) -> Any:
    import functools

    @functools.wraps(method)  # others bind the backend method's own signature (ops_harness)
    def call(*args: Any, **kwargs: Any) -> Any:
        harness.fault(action)
        return method(*args, **kwargs)

    return call


def _finish(task: Any, outcome: dict[str, Any]) -> None:
    if outcome.get("hang"):
        task.status = "RUNNING"
        if outcome.get("stopping"):
            # ECS is stopping it (desired STOPPED), but its containers still run ("Task
            # lifecycle": lastStatus moves to STOPPED only once they have stopped).
            task.desired_status = "STOPPED"
        return
    task.status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_at = datetime.now(UTC)
    if outcome.get("interrupted"):
        # ECS stops the task: Spot reclaims it, or Fargate retires it (TerminationNotice).
        task.stop_code, task.stopped_reason, code = (
            outcome.get("code", "SpotInterruption"),
            "Your Spot Task was interrupted.",
            outcome.get("exit", 143),  # 143: SIGTERM not handled; 0: handled, exited cleanly
        )
    elif outcome.get("code"):
        task.stop_code, task.stopped_reason = outcome["code"], outcome.get("reason", "")
        code = outcome["exit"]
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


def compress_waits(definition: dict[str, Any], timeout: int | None = None) -> dict[str, Any]:
    """The definition with its 60 s backoffs and 130 s stop grace as 1 s (and, with `timeout`,
    that Timeout in seconds instead of the declared one), wherever they are written."""
    from serverless_fargate.resources.workflow import FIRST_BACKOFF

    out = copy.deepcopy(definition)

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        found = {k: walk(v) for k, v in value.items()}
        if found.get("backoff") == FIRST_BACKOFF:
            found["backoff"] = 1
        if found.get("backoff.$") == f"States.MathAdd($.state.backoff, {FIRST_BACKOFF})":
            found["backoff.$"] = "States.MathAdd($.state.backoff, 1)"
        if found.get("Type") == "Wait" and isinstance(found.get("Seconds"), int):
            found["Seconds"] = 1  # the stop grace, and the checks until a task has stopped
        if "IntervalSeconds" in found:  # a Retry's backoff: as many tries, 1 s apart
            found["IntervalSeconds"], found["BackoffRate"] = 1, 1
        if timeout is not None:
            if "TimeoutSeconds" in found:
                found["TimeoutSeconds"] = timeout
            if "timeoutSeconds" in found:
                found["timeoutSeconds"] = str(timeout)
        return found

    return walk(out)


def transitions(sfn: Any, execution_arn: str) -> list[str]:
    """The states an execution entered, in order: what Step Functions bills (one state
    transition each, "Step Functions pricing")."""
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [
        e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")
    ]


def wait_for(sfn: Any, execution_arn: str, stalled: float = 120) -> dict[str, Any]:
    """The execution once it ends. Fails only if it makes no progress (no new history event)
    for `stalled` seconds: a hang guard, not a speed check, so a slow machine still passes."""
    seen, deadline = 0, time.monotonic() + stalled
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        events = len(sfn.get_execution_history(executionArn=execution_arn)["events"])
        if events != seen:
            seen, deadline = events, time.monotonic() + stalled
        time.sleep(0.2)
    raise AssertionError(f"execution made no progress for {stalled} s")


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


class World:
    """A moto account with a VPC, a cluster, task `worker`'s definition and a queue, in which
    `start` expands a declaration of that task and runs its workflow once."""

    def __init__(self, monkeypatch: Any) -> None:
        patch_moto(monkeypatch)
        self.ecs = Ecs()
        self.ecs.install(monkeypatch)
        self.runs = 0
        self._mock: Any = None

    def __enter__(self) -> World:
        import boto3
        from moto import mock_aws

        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        ec2 = boto3.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        self.group = ec2.create_security_group(GroupName="tasks", Description="t", VpcId=vpc)[
            "GroupId"
        ]
        self.client = boto3.client("ecs")
        cluster = self.client.create_cluster(clusterName="jobs")["cluster"]["clusterArn"]
        definition = self.client.register_task_definition(
            family="jobs-worker",
            containerDefinitions=[{"name": "worker", "image": "x", "memory": 512}],
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
        )["taskDefinition"]["taskDefinitionArn"]
        self.queue = boto3.client("sqs").create_queue(QueueName="failed-runs")["QueueUrl"]
        self.refs = {
            "AWS::Partition": "aws",
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::URLSuffix": "amazonaws.com",
            "WorkersCluster.Arn": cluster,
            "WorkersWorkerTaskDefinition": definition,
        }
        return self

    def __exit__(self, *exc: Any) -> None:
        self._mock.stop()

    def start(
        self,
        script: list[dict[str, Any]],
        given: Any = None,
        timeout: int | None = None,
        **props: Any,
    ) -> dict[str, Any]:
        """Run the workflow once with `given` as input (a schedule's, by default): the
        execution as described, and the states it entered (`transitions`)."""
        import boto3
        from serverless_fargate.resources import workflow_contract as contract
        from serverless_fargate.transform import transform

        props = {"Network": {"Subnets": [self.subnet], "SecurityGroups": [self.group]}, **props}
        schedule = props.pop("Schedule", {"Expression": "rate(1 day)"})
        schedule.setdefault("DeadLetterQueueArn", f"arn:aws:sqs:{REGION}:{ACCOUNT}:failed-runs")
        declared = {
            "Resources": {
                "Workers": {
                    "Type": "Fargate::Tasks",
                    "Properties": {
                        "Tasks": {"worker": {"Image": "x", "Schedule": schedule, **props}}
                    },
                }
            }
        }
        template = transform(declared, parameters=None, service_token="token", nonce="test")
        sfn = boto3.client("stepfunctions")
        # The declaration's Recovery machine first: the task's workflow starts it by ARN.
        recovery = template["Resources"][contract.recovery_logical_id("Workers")]
        recovery_body = compress_waits(
            evaluate(recovery["Properties"]["Definition"], self.refs), timeout
        )
        self.refs["WorkersRecovery"] = sfn.create_state_machine(
            name=f"r{len(self.ecs.calls)}{id(recovery_body)}",
            definition=json.dumps(recovery_body),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/workflow",
        )["stateMachineArn"]
        logical_id = contract.workflow_logical_id("Workers", "Worker")
        body = template["Resources"][logical_id]["Properties"]["Definition"]
        body = compress_waits(evaluate(body, self.refs), timeout)
        machine = sfn.create_state_machine(
            name=f"w{len(self.ecs.calls)}{id(body)}",
            definition=json.dumps(body),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/workflow",
        )["stateMachineArn"]
        self.ecs.script[:] = script
        if given is None:
            given = {
                "task": "worker",
                "schedule": f"arn:aws:scheduler:{REGION}:1:schedule/default/s",
                "scheduledTime": "2026-11-29T02:30:00Z",
            }
        execution = sfn.start_execution(
            stateMachineArn=machine,
            # Scheduler names each execution after its own delivery ID: one name per run (the
            # groups of a run's tasks start with it), the first as in the tests' expectations.
            name="worker-d32c5kddcf5bb8c3" + (f"-{self.runs}" if self.runs else ""),
            input=given if isinstance(given, str) else json.dumps(given),
        )["executionArn"]
        self.runs += 1
        out = wait_for(sfn, execution)
        out["transitions"] = transitions(sfn, execution)
        return out

    def messages(self) -> list[dict[str, Any]]:
        """The dead-letter queue's messages (each read once)."""
        import boto3

        got = boto3.client("sqs").receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def events_start_executions(monkeypatch: Any) -> None:
    """moto's EventBridge has no Step Functions target (it raises NotImplementedError). AWS: a
    rule whose target is a state machine calls StartExecution once per matching event, with the
    target's role, its input the event after the target's InputTransformer ("Amazon
    EventBridge targets"; "Amazon EventBridge input transformation": `aws.events.event.json`
    is the whole event, a variable stands for the JSON value at its path, and a string value
    is written as a JSON string, as the API reference's `{"myInstance": <instance>}` shows).
    The execution's name is EventBridge's own. The role is not checked here: the IAM tests read
    its policy. A path the event lacks fails loudly: AWS documents nothing to rely on there."""
    import boto3
    from jsonpath_ng.ext import parse
    from moto.events.models import Rule

    original = Rule.send_to_targets

    def transformed(target: dict[str, Any], event: dict[str, Any]) -> Any:
        transformer = target.get("InputTransformer")
        if not transformer:
            return event
        text = transformer["InputTemplate"].replace("<aws.events.event.json>", json.dumps(event))
        for name, path in (transformer.get("InputPathsMap") or {}).items():
            found = parse(path).find(event)
            if not found:
                raise AssertionError(f"the event has nothing at {path}: {event}")
            text = text.replace(f"<{name}>", json.dumps(found[0].value))
        return json.loads(text)

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        ours = [t for t in self.targets if t["Arn"].split(":")[2] == "states"]
        # The event as sent (moto keeps its own ingestion-time with it).
        event = {k: v for k, v in original_event.items() if k != "ingestion-time"}
        for target in ours:
            boto3.client("stepfunctions", region_name=REGION).start_execution(
                stateMachineArn=target["Arn"], input=json.dumps(transformed(target, event))
            )
        others = [t for t in self.targets if t not in ours]
        if others:
            saved, self.targets = self.targets, others
            try:
                original(self, original_event, transform_input)
            finally:
                self.targets = saved

    monkeypatch.setattr(Rule, "send_to_targets", send_to_targets)

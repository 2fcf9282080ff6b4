"""From a `Fargate::Tasks` resource to the typed model: validation, defaults, merges, inheritance.

Order: shape (jsonschema) → merge SAM Globals, declaration defaults and each task → the rules
the schema cannot say → the model. Every problem is collected; none stops the others.
"""

from __future__ import annotations

from ..errors import InvalidTemplate, Problem, join_path
from ..intrinsics import is_intrinsic, resolve
from ..settings import ROLE_PATH
from . import grants, images, rules
from .model import (
    Autoscaling,
    Declaration,
    Image,
    Network,
    ScheduleConfig,
    ServiceConfig,
    Spot,
    Task,
    uses_runner,
)
from .schema import DECLARATION_ONLY
from .validate import did_you_mean, schema_problems

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

    from .model import Kind

RESOURCE_ATTRIBUTES = ("Type", "Properties", "Condition", "DependsOn", "Metadata")
MAP_MERGE = frozenset({"Environment", "Secrets", "Tags", "Volumes"})
LIST_CONCAT = frozenset({"Policies", "Sidecars", "DependsOn"})
KIND_KEYS = ("Service", "Schedule")
SPOT_STOP_TIMEOUT = 120  # Spot's two-minute warning arrives as SIGTERM


class Context:
    """What parsing reads besides the declaration: the template and parameter values."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, Any]):
        self.resources: dict[str, Any] = template.get("Resources") or {}
        self.parameters = parameters
        self.globals_function: dict[str, Any] = (
            (template.get("Globals") or {}).get("Function") or {}
            if isinstance(template.get("Globals"), dict)
            else {}
        )


def parse_declaration(logical_id: str, resource: dict[str, Any], context: Context) -> Declaration:
    """The model of one declaration, or InvalidTemplate listing every problem in it."""
    base = f"Resources.{logical_id}"
    problems: list[Problem] = []
    for key in resource:
        if key not in RESOURCE_ATTRIBUTES:
            hint = did_you_mean(key, list(RESOURCE_ATTRIBUTES))
            problems.append(Problem(join_path(base, key), f"not supported on Fargate::Tasks{hint}"))
    properties = resource.get("Properties")
    path = join_path(base, "Properties")
    if not isinstance(properties, dict):
        problems.append(Problem(path, "is required: a map with at least Tasks"))
        raise InvalidTemplate(problems)
    too_deep = _too_deep(properties, path)
    if too_deep is not None:
        raise InvalidTemplate(problems + [too_deep])
    shape = schema_problems(properties, path)
    problems += shape
    tasks_path = join_path(path, "Tasks") + "."
    if any(not p.path.startswith(tasks_path) for p in shape):
        # A declaration-level default is malformed: every task would inherit it.
        raise InvalidTemplate(sorted(set(problems)))
    # Tasks with shape problems are still checked by the rules, for a complete list, but a rule
    # tripping over their malformed values is no new problem (see _Parser.declaration).
    malformed = {p.path[len(tasks_path) :].split(".")[0] for p in shape}
    parser = _Parser(logical_id, path, properties, context, problems, malformed)
    declaration = parser.declaration(resource)
    if problems:
        raise InvalidTemplate(sorted(set(problems)))
    return declaration


class _Parser:
    def __init__(
        self,
        logical_id: str,
        path: str,
        properties: dict[str, Any],
        context: Context,
        problems: list[Problem],
        malformed: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        self.malformed: set[str] = set(malformed)
        self.logical_id: str = logical_id
        self.path: str = path
        self.properties: dict[str, Any] = properties
        self.context: Context = context
        self.problems: list[Problem] = problems
        self.inherit = properties.get("InheritGlobals", True) is not False

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # --- declaration level ------------------------------------------------------------------

    def declaration(self, resource: dict[str, Any]) -> Declaration:
        props = self.properties
        defaults = {k: v for k, v in props.items() if k not in DECLARATION_ONLY}
        inherited = self._globals_defaults() if self.inherit else {}
        tasks_value = props.get("Tasks")
        tasks_in: dict[str, Any] = tasks_value if isinstance(tasks_value, dict) else {}
        tasks: list[Task] = []
        names: dict[str, str] = {}
        for key, task in tasks_in.items():
            name = rules.pascal_case(key)
            task_path = join_path(self.path, "Tasks", key)
            if name in names:
                self.problem(
                    task_path,
                    f"task key {key!r} and {names[name]!r} both become {name!r} in logical IDs; "
                    "rename one",
                )
            names.setdefault(name, key)
            if isinstance(task, dict) and key not in self.malformed:
                parsed = self.task(key, name, task_path, inherited, defaults, task)
                if parsed is not None:
                    tasks.append(parsed)
            elif isinstance(task, dict):
                found = len(self.problems)
                try:
                    self.task(key, name, task_path, inherited, defaults, task)
                except Exception:  # noqa: BLE001 - the shape problems already explain it
                    del self.problems[found:]
        self._check_declaration(tasks)
        return Declaration(
            logical_id=self.logical_id,
            tasks=tuple(tasks),
            network=self._network(),
            cluster=props.get("Cluster"),
            cluster_is_arn=_cluster_is_arn(props.get("Cluster"), self.context.parameters),
            cluster_name=props.get("ClusterName"),
            container_insights=self._insights(tasks),
            log_group_name=props.get("LogGroupName"),
            log_retention_in_days=props.get("LogRetentionInDays", 30),
            permissions_boundary=self._shared_boundary(inherited, tasks),
            tags=_strings({**inherited.get("Tags", {}), **(_map(props.get("Tags")))}),
            outputs=props.get("Outputs", True) is not False,
            condition=resource.get("Condition"),
            depends_on=_as_list(resource.get("DependsOn")),
        )

    def _insights(self, tasks: list[Task]) -> str | None:
        """Container Insights; queue-based scaling needs its RunningTaskCount metric."""
        value = _insights(self.properties.get("ContainerInsights"))
        queued = [
            t.key
            for t in tasks
            if t.service and t.service.autoscaling and t.service.autoscaling.queue_arn is not None
        ]
        if queued and "Cluster" not in self.properties:
            if value == "disabled":
                self.problem(
                    join_path(self.path, "ContainerInsights"),
                    f"queue-based Autoscaling of {', '.join(queued)} reads the service's running "
                    "task count from Container Insights: enable it or leave this out",
                )
            return value or "enabled"
        return value

    def _globals_defaults(self) -> dict[str, Any]:
        """SAM Globals.Function settings that become task defaults (InheritGlobals)."""
        function = self.context.globals_function
        if not isinstance(function, dict):
            return {}
        out: dict[str, Any] = {}
        env = function.get("Environment")
        if isinstance(env, dict) and isinstance(env.get("Variables"), dict):
            out["Environment"] = env["Variables"]
        if isinstance(function.get("Tags"), dict):
            out["Tags"] = function["Tags"]
        if function.get("PermissionsBoundary") is not None:
            out["PermissionsBoundary"] = function["PermissionsBoundary"]
        return out

    def _network(self) -> Network:
        network = self.properties.get("Network")
        network = network if isinstance(network, dict) else {}
        vpc = self.context.globals_function.get("VpcConfig") if self.inherit else None
        subnets = network.get("Subnets")
        groups = network.get("SecurityGroups")
        if subnets is None and isinstance(vpc, dict) and "Network" not in self.properties:
            subnets, groups = vpc.get("SubnetIds"), vpc.get("SecurityGroupIds")
        if isinstance(subnets, list) and not subnets:
            self.problem(
                join_path(self.path, "Network", "Subnets"),
                "must list at least one subnet (or leave Network out to use the default VPC)",
            )
        # Tasks in the default VPC need a public IP to pull images without a NAT gateway.
        public = network.get("AssignPublicIp", subnets is None)
        return Network(subnets=subnets, security_groups=groups, assign_public_ip=public)

    def _shared_boundary(self, inherited: dict[str, Any], tasks: list[Task]) -> Any:
        """The boundary for roles all tasks share (execution role, schedule role)."""
        if "PermissionsBoundary" in self.properties:
            return self.properties["PermissionsBoundary"]
        if "PermissionsBoundary" in inherited:
            return inherited["PermissionsBoundary"]
        bounds = {repr(t.permissions_boundary): t.permissions_boundary for t in tasks}
        if len(bounds) > 1:
            self.problem(
                join_path(self.path, "PermissionsBoundary"),
                "tasks set different PermissionsBoundary values, but the execution and schedule "
                "roles are shared by all tasks: set PermissionsBoundary here, at the declaration "
                "level",
            )
            return None
        return next(iter(bounds.values()), None)

    def _check_declaration(self, tasks: list[Task]) -> None:
        props = self.properties
        if "Cluster" in props:
            for key in ("ClusterName", "ContainerInsights"):
                if key in props:
                    self.problem(
                        join_path(self.path, key),
                        f"applies to a created cluster only; with Cluster the existing cluster's "
                        f"settings are used: remove {key} or Cluster",
                    )
        if props.get("Service") not in (None, False) and "Schedule" in props:
            self.problem(
                join_path(self.path, "Schedule"),
                "the declaration-level defaults set both Service and Schedule; a task is a "
                "service or scheduled, not both",
            )
        if isinstance(props.get("Policies"), list) and props["Policies"]:
            for task in tasks:
                if task.task_role_arn is not None and "Policies" not in (
                    props["Tasks"].get(task.key) or {}
                ):
                    self.problem(
                        join_path(self.path, "Tasks", task.key, "TaskRoleArn"),
                        "this task uses an existing role, so the declaration-level Policies "
                        "cannot be granted to it; move Policies to the tasks that need them",
                    )

    # --- task level -------------------------------------------------------------------------

    def task(self, key, name, path, inherited, defaults, own) -> Task | None:
        merged, origin = _merge(
            [
                (inherited, "Globals.Function"),
                ({k: v for k, v in defaults.items() if k not in KIND_KEYS}, self.path),
                ({k: v for k, v in own.items() if k not in KIND_KEYS}, path),
            ]
        )
        # A task's own Service or Schedule decides its kind; the declaration's is a default.
        kind_source = own if any(k in own for k in KIND_KEYS) else defaults
        kind_path = path if kind_source is own else self.path
        for k in KIND_KEYS:
            if k in kind_source:
                merged[k], origin[k] = kind_source[k], join_path(kind_path, k)

        image = self._image(merged, origin, path)
        cpu, memory = self._size(merged, origin, path)
        kind = self._kind(merged, origin, own, path)
        spot = self._spot(merged.get("Spot"), origin.get("Spot"), kind, "Spot" in own)
        self._check_task(key, merged, origin, kind, path, own)
        self._check_runner_roles(merged, origin, kind, spot)
        if image is None:
            return None
        return Task(
            key=key,
            name=name,
            image=image,
            cpu=cpu,
            memory=memory,
            architecture=merged.get("Architecture", "X86_64"),
            kind=kind,
            command=merged.get("Command"),
            entry_point=merged.get("EntryPoint"),
            environment=_strings(_map(merged.get("Environment"))),
            secrets=_map(merged.get("Secrets")),
            policies=_as_list(merged.get("Policies")),
            task_role_arn=merged.get("TaskRoleArn"),
            execution_role_arn=merged.get("ExecutionRoleArn"),
            permissions_boundary=merged.get("PermissionsBoundary"),
            tags=_strings(_map(merged.get("Tags"))),
            spot=spot,
            stop_timeout=merged.get("StopTimeout", SPOT_STOP_TIMEOUT if spot else None),
            ephemeral_storage=merged.get("EphemeralStorage"),
            readonly_root_filesystem=merged.get("ReadonlyRootFilesystem", False),
            port_mappings=[_port(p) for p in _as_list(merged.get("PortMappings"))],
            health_check=merged.get("HealthCheck"),
            sidecars=_as_list(merged.get("Sidecars")),
            depends_on=list(dict.fromkeys(_as_list(merged.get("DependsOn")))),
            service=self._service(merged.get("Service"), origin.get("Service"))
            if kind == "service"
            else None,
            schedule=_schedule(merged.get("Schedule")) if kind == "schedule" else None,
            overrides=_map(merged.get("Overrides")),
            volumes=_map(merged.get("Volumes")),
            secret_grants=self._secret_grants(merged),
            sidecar_repositories=tuple(
                grants.repository_arns(
                    [
                        s.get("Image")
                        for s in _as_list(merged.get("Sidecars"))
                        if isinstance(s, dict)
                    ],
                    self.context.parameters,
                )
            ),
        )

    def _secret_grants(self, merged: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
        values = list(_map(merged.get("Secrets")).values())
        for sidecar in _as_list(merged.get("Sidecars")):
            if isinstance(sidecar, dict):
                values += [
                    s.get("ValueFrom")
                    for s in _as_list(sidecar.get("Secrets"))
                    if isinstance(s, dict)
                ]
        return tuple(
            grants.secret_grant(v, self.context.resources, self.context.parameters)
            for v in values
            if v is not None
        )

    def _image(self, merged, origin, path) -> Image | None:
        if "Image" not in merged:
            self.problem(join_path(path, "Image"), "is required (here or at the declaration level)")
            return None
        value, where = merged["Image"], origin["Image"]
        if isinstance(value, dict) and "Function" in value:
            return self._function_image(value["Function"], where)
        if isinstance(value, dict) and "Repository" in value:
            return images.from_repository(value["Repository"], value.get("Tag", "latest"))
        if isinstance(value, str) or is_intrinsic(value):
            return images.classify(value, self.context.parameters)
        return None  # the schema reported it

    def _function_image(self, function_id: Any, where: str) -> Image | None:
        resource = self.context.resources.get(function_id) if isinstance(function_id, str) else None
        functions = sorted(
            k
            for k, r in self.context.resources.items()
            if isinstance(r, dict) and images.function_image(r) is not None
        )
        if not isinstance(resource, dict):
            hint = did_you_mean(str(function_id), functions)
            self.problem(
                join_path(where, "Function"),
                f"no resource {function_id!r} in this template{hint or _listing(functions)}",
            )
            return None
        found = images.function_image(resource)
        if found is None:
            self.problem(
                join_path(where, "Function"),
                f"{function_id!r} is not an image function (it needs PackageType: Image and "
                f"an ImageUri){_listing(functions)}",
            )
            return None
        uri, _ = found
        if isinstance(uri, dict) and not is_intrinsic(uri):
            self.problem(join_path(where, "Function"), f"{function_id!r} has an unusable ImageUri")
            return None
        return images.classify(uri, self.context.parameters)

    def _size(self, merged, origin, path) -> tuple[Any, Any]:
        """Cpu and Memory as CloudFormation takes them, checked against Fargate's table."""
        cpu_in, memory_in = merged.get("Cpu"), merged.get("Memory")
        cpu = rules.parse_cpu(resolve(cpu_in, self.context.parameters)) if cpu_in else None
        memory = (
            rules.parse_memory(resolve(memory_in, self.context.parameters))
            if memory_in is not None
            else None
        )
        if cpu_in is None:
            # Without Cpu, the smallest CPU the Memory fits (256 when neither is given).
            cpu = rules.smallest_cpu_for(memory) if memory else 256
            if cpu is None:
                self.problem(
                    origin["Memory"], f"{memory} MiB fits no Fargate CPU size (largest: 122880)"
                )
                return "256", "512"
        if memory_in is None:
            # Without Memory, the smallest size valid for the Cpu (512 for the default 256).
            memory = rules.memory_choices(cpu)[0] if cpu in rules.FARGATE_MEMORY else 512
        if memory_in is not None and memory is None and not is_intrinsic(memory_in):
            self.problem(origin["Memory"], f"{memory_in!r} is not a whole number of MiB")
        if cpu and memory:
            message = rules.check_cpu_memory(cpu, memory)
            if message:
                inherited = "Memory" in origin and not origin["Memory"].startswith(path)
                at = join_path(path, "Memory")
                self.problem(
                    at, message + (f" (Memory from {origin['Memory']})" if inherited else "")
                )
        cpu_out = cpu_in if is_intrinsic(cpu_in) else str(cpu)
        memory_out = memory_in if is_intrinsic(memory_in) else str(memory)
        return cpu_out, memory_out

    def _kind(self, merged, origin, own, path) -> Kind:
        service, schedule = merged.get("Service"), merged.get("Schedule")
        if schedule is not None and service not in (None, False):
            self.problem(
                origin["Service"],
                "a task with Schedule runs on its schedule, not as a service: remove Service or "
                "set it to false",
            )
        if schedule is not None:
            self._check_schedule(schedule, origin["Schedule"])
            return "schedule"
        return "standalone" if service is False else "service"

    def _check_schedule(self, schedule: Any, path: str) -> None:
        params = self.context.parameters
        expression = schedule.get("Expression") if isinstance(schedule, dict) else schedule
        expression_path = join_path(path, "Expression") if isinstance(schedule, dict) else path
        value = resolve(expression, params)
        if isinstance(value, str):
            message = rules.check_schedule_expression(value)
            if message:
                self.problem(expression_path, message)
        if isinstance(schedule, dict):
            zone = resolve(schedule.get("Timezone"), params)
            if isinstance(zone, str):
                message = rules.check_timezone(zone)
                if message:
                    self.problem(join_path(path, "Timezone"), message)

    def _spot(self, value: Any, path: str | None, kind: str, own: bool) -> Spot | None:
        if value is None or value is False or not isinstance(value, (bool, dict)):
            return None
        if kind == "standalone":
            if own:
                self.problem(
                    path or "",
                    "Spot applies to services and scheduled tasks; a standalone task's caller "
                    "chooses its capacity provider in RunTask",
                )
            return None
        spot = Spot(**_fields(value)) if isinstance(value, dict) else Spot()
        if spot.on_demand_weight == 0 and spot.spot_weight == 0:
            self.problem(
                path or "", "OnDemandWeight and SpotWeight are both 0: no task could be placed"
            )
        return spot

    def _service(self, value: Any, path: str | None) -> ServiceConfig:
        config = value if isinstance(value, dict) else {}
        scaling = config.get("Autoscaling")
        service = ServiceConfig(
            **_fields(config),
            autoscaling=Autoscaling(
                min_count=scaling.get("MinCount", 1),
                max_count=scaling.get("MaxCount", 1),
                cpu_target=scaling.get("CpuTarget"),
                memory_target=scaling.get("MemoryTarget"),
                queue_arn=(scaling.get("Queue") or {}).get("Arn"),
                messages_per_task=(scaling.get("Queue") or {}).get("MessagesPerTask", 10),
            )
            if isinstance(scaling, dict)
            else None,
        )
        self._check_deployment(service, path or self.path)
        return service

    def _check_deployment(self, service: ServiceConfig, path: str) -> None:
        values = [
            resolve(v, self.context.parameters)
            for v in (
                service.desired_count,
                service.minimum_healthy_percent,
                service.maximum_percent,
            )
        ]
        if not all(isinstance(v, int) for v in values):
            return
        count, low, high = values
        may_stop = count - -(-count * low // 100)  # count - ceil(count * low%)
        may_start = count * high // 100 - count
        if count > 0 and may_stop <= 0 and may_start <= 0:
            self.problem(
                path,
                f"MinimumHealthyPercent {low} and MaximumPercent {high} with DesiredCount {count} "
                "leave ECS no room to replace a task, so no deployment could finish: lower "
                "MinimumHealthyPercent or raise MaximumPercent",
            )
        scaling = service.autoscaling
        if scaling is not None:
            low_count = resolve(scaling.min_count, self.context.parameters)
            high_count = resolve(scaling.max_count, self.context.parameters)
            if (
                isinstance(low_count, int)
                and isinstance(high_count, int)
                and low_count > high_count
            ):
                self.problem(
                    join_path(path, "Autoscaling", "MinCount"),
                    f"MinCount {low_count} is above MaxCount {high_count}",
                )
            if not (scaling.cpu_target or scaling.memory_target or scaling.queue_arn):
                self.problem(
                    join_path(path, "Autoscaling"),
                    "says nothing to scale on: add CpuTarget, MemoryTarget or Queue",
                )

    def _check_runner_roles(self, merged, origin, kind, spot: Spot | None) -> None:
        """Spot runs with fallback are started by the application's runner, which may pass
        only roles under the path the transform gives its own roles."""
        if not uses_runner(kind, spot):
            return
        for key in ("TaskRoleArn", "ExecutionRoleArn"):
            value = merged.get(key)
            if isinstance(value, str) and f":role{ROLE_PATH}" not in value:
                self.problem(
                    origin[key],
                    f"a Spot scheduled task with Fallback or RerunOnInterruption is started by "
                    f"the ServerlessFargate runner, which may pass only roles under the path "
                    f"{ROLE_PATH}: give the role that path, leave {key} out, or set Spot "
                    f"Fallback: false",
                )

    def _check_task(self, key, merged, origin, kind, path, own) -> None:
        if (
            merged.get("Policies")
            and "TaskRoleArn" in merged
            and origin["Policies"].startswith(path)
        ):
            self.problem(
                origin["Policies"],
                "Policies cannot be granted with TaskRoleArn: the transform creates no role "
                "for this task; attach the policies to that role, or remove TaskRoleArn",
            )
        # A task's own Overrides must fit it; the declaration's apply to the tasks they fit.
        overrides = _map(own.get("Overrides"))
        for section, wanted in (("Service", "service"), ("Schedule", "schedule")):
            if section in overrides and kind != wanted:
                self.problem(
                    join_path(path, "Overrides", section),
                    f"this task is {_article(kind)} {kind} task, so there is no {section.lower()} "
                    "to override",
                )
        for volume_name, volume in _map(merged.get("Volumes")).items():
            if (
                isinstance(volume, dict)
                and volume.get("AccessPointId") is not None
                and volume.get("RootDirectory") not in (None, "/")
            ):
                self.problem(
                    join_path(origin["Volumes"], volume_name, "RootDirectory"),
                    "with AccessPointId the access point sets the directory: remove RootDirectory "
                    "(or give it as the access point's root directory)",
                )
        names = {key}
        for index, sidecar in enumerate(_as_list(merged.get("Sidecars"))):
            name = sidecar.get("Name") if isinstance(sidecar, dict) else None
            if isinstance(name, str):
                if name in names:
                    self.problem(
                        join_path(path, "Sidecars", index, "Name"),
                        f"container name {name!r} is already used"
                        + (" by the main container (the task key)" if name == key else ""),
                    )
                names.add(name)
        for index, target in enumerate(_as_list(merged.get("DependsOn"))):
            if isinstance(target, str) and target not in self.context.resources:
                hint = did_you_mean(target, list(self.context.resources))
                self.problem(
                    join_path(origin["DependsOn"], index),
                    f"no resource {target!r} in this template{hint}",
                )


# --- helpers --------------------------------------------------------------------------------

MAX_DEPTH = 64  # far beyond any real declaration; keeps every recursive step safe


def _too_deep(value: Any, base: str) -> Problem | None:
    """A problem where the value nests deeper than MAX_DEPTH (checked without recursion)."""
    # (value, depth, the first path parts, for the message)
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 0, ())]
    while stack:
        item, depth, head = stack.pop()
        if depth > MAX_DEPTH:
            return Problem(
                join_path(base, *head),
                f"nested deeper than {MAX_DEPTH} levels: no declaration needs that; simplify it",
            )
        if isinstance(item, dict):
            stack.extend(
                (child, depth + 1, head if depth >= 4 else (*head, key))
                for key, child in item.items()
            )
        elif isinstance(item, list):
            stack.extend(
                (child, depth + 1, head if depth >= 4 else (*head, index))
                for index, child in enumerate(item)
            )
    return None


def _merge(layers: list[tuple[dict[str, Any], str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Merge layers, later winning: maps key by key, lists concatenated, Overrides deeply."""
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for layer, path in layers:
        for key, value in layer.items():
            before = merged.get(key)
            if key in MAP_MERGE and isinstance(before, dict) and isinstance(value, dict):
                merged[key] = {**before, **value}
            elif key in LIST_CONCAT and isinstance(before, list) and isinstance(value, list):
                merged[key] = before + value
            elif key == "Overrides" and isinstance(before, dict) and isinstance(value, dict):
                merged[key] = deep_merge(before, value)
            else:
                merged[key] = value
            origin[key] = join_path(path, key)
    return merged, origin


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """`top` merged into a copy of `base`; maps merge recursively, anything else is replaced.

    Values are shared, not copied: nothing downstream mutates them.
    """
    out = dict(base)
    for key, value in top.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _schedule(value: Any) -> ScheduleConfig:
    if isinstance(value, dict):
        return ScheduleConfig(**{"expression": None, **_fields(value)})
    return ScheduleConfig(expression=value)


def _port(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {
            "ContainerPort": value.get("ContainerPort"),
            "Protocol": value.get("Protocol", "tcp"),
        }
    return {"ContainerPort": value, "Protocol": "tcp"}


def _strings(values: dict[str, Any]) -> dict[str, Any]:
    """Environment and tag values as strings: 5 → "5", true → "true"; intrinsics kept."""
    out = {}
    for key, value in values.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (int, float)):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def _insights(value: Any) -> str | None:
    if isinstance(value, bool):
        return "enabled" if value else "disabled"
    return value


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _listing(names: list[str]) -> str:
    return f" (image functions here: {', '.join(names)})" if names else " (this template has none)"


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


_SNAKE = {
    "OnDemandBase": "on_demand_base",
    "OnDemandWeight": "on_demand_weight",
    "SpotWeight": "spot_weight",
    "Fallback": "fallback",
    "RerunOnInterruption": "rerun_on_interruption",
    "DesiredCount": "desired_count",
    "MinimumHealthyPercent": "minimum_healthy_percent",
    "MaximumPercent": "maximum_percent",
    "CircuitBreaker": "circuit_breaker",
    "EnableExecuteCommand": "enable_execute_command",
    "HealthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "Expression": "expression",
    "Timezone": "timezone",
    "Enabled": "enabled",
    "FlexibleWindowMinutes": "flexible_window_minutes",
    "Retries": "retries",
    "MaxEventAgeSeconds": "max_event_age_seconds",
    "DeadLetterQueueArn": "dead_letter_queue_arn",
    "TaskCount": "task_count",
}


def _cluster_is_arn(value: Any, parameters: dict[str, Any]) -> bool:
    """An existing cluster evaluates to its ARN: a literal ARN, Fn::GetAtt X.Arn, or a Ref to a
    parameter whose value is an ARN. Any other intrinsic is taken as the cluster's name."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.startswith("arn:")
    target = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    if isinstance(target, str):
        target = target.split(".", 1)
    if isinstance(target, list) and len(target) == 2 and target[1] == "Arn":
        return True
    name = value.get("Ref") if isinstance(value, dict) else None
    parameter = parameters.get(name) if isinstance(name, str) else None
    return isinstance(parameter, str) and parameter.startswith("arn:")


def _fields(config: dict[str, Any]) -> dict[str, Any]:
    """Model fields from a map the schema checked (unknown keys were reported there)."""
    return {_SNAKE[k]: v for k, v in config.items() if k in _SNAKE}

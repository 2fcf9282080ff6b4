"""`serverless-fargate migrate`: a Serverless Framework service using the `serverless-fargate`
plugin (a `fargate:` block) → a SAM template with the equivalent `Fargate::Tasks` declaration,
or the same serverless.yml using the transform instead of the plugin.

Every option of the plugin is mapped; anything without an equivalent becomes a note (on stderr
and as a comment in the output), never a silent drop. Where the plugin's behaviour was a trap,
or one of our defaults behaves differently, the migration says what changes. Serverless
variables stay for the framework (`--to serverless`) or become template parameters, pseudo
parameters or dynamic references (`--to sam`), each with a note where its value was not known.

The migrated declaration is named `FargateTasks`, the plugin's own prefix: its cluster and log
group keep their logical IDs (`FargateTasksCluster`, `FargateTasksLogGroup`), so deploying the
result as an update of the plugin's stack keeps them, and their logs, in place (`plan`).
"""

from __future__ import annotations

import copy
import re
import shlex
from typing import Any

from .declaration.schema_parts import TASK_KEY_PATTERN
from .resources.names import pascal_case

# The declaration's logical ID: the plugin's prefix, so {D}Cluster and {D}LogGroup are its IDs.
DECLARATION = "FargateTasks"
TASK_KEY = re.compile(TASK_KEY_PATTERN)

FARGATE_KEYS = {
    "clusterName", "containerInsights", "memory", "cpu", "architecture", "environment",
    "logGroupName", "logRetentionInDays", "executionRoleArn", "taskRoleArn", "iamRoleStatements",
    "iamManagedPolicies", "vpc", "tags", "cloudFormationResource", "tasks",
}  # fmt: skip
TASK_KEYS = {
    "name", "image", "executionRoleArn", "taskRoleArn", "vpc", "command", "entryPoint", "memory",
    "cpu", "architecture", "environment", "tags", "service", "schedule", "cloudFormationResource",
    "dependsOn",
}  # fmt: skip
SERVICE_KEYS = {"desiredCount", "maximumPercent", "minimumHealthyPercent", "spot", "strict"}

# fargate.<option> → the declaration's property.
SHARED_FIELDS = {
    "clusterName": "ClusterName", "containerInsights": "ContainerInsights",
    "logGroupName": "LogGroupName", "logRetentionInDays": "LogRetentionInDays", "memory": "Memory",
    "cpu": "Cpu", "architecture": "Architecture", "executionRoleArn": "ExecutionRoleArn",
    "taskRoleArn": "TaskRoleArn",
}  # fmt: skip
# fargate.tasks.<key>.<option> → the task's property.
TASK_FIELDS = {
    "command": "Command", "entryPoint": "EntryPoint", "memory": "Memory", "cpu": "Cpu",
    "architecture": "Architecture", "executionRoleArn": "ExecutionRoleArn",
    "taskRoleArn": "TaskRoleArn", "environment": "Environment", "tags": "Tags",
    "dependsOn": "DependsOn",
}  # fmt: skip
SERVICE_FIELDS = {
    "desiredCount": "DesiredCount", "maximumPercent": "MaximumPercent",
    "minimumHealthyPercent": "MinimumHealthyPercent",
}  # fmt: skip
CFN_SECTIONS = {"task": "TaskDefinition", "container": "Container", "service": "Service"}
NETWORK_LIST_TYPES = {
    "Subnets": "List<AWS::EC2::Subnet::Id>",
    "SecurityGroups": "List<AWS::EC2::SecurityGroup::Id>",
}

# The framework validates the plugin's block with ajv and `coerceTypes: "array"` (one value
# where the schema wants a list becomes a one-item list, "2" where it wants an integer becomes
# 2): the plugin saw the coerced values, so the migration reads them the same way.
COERCED_LISTS = {"subnetIds", "securityGroupIds", "command", "entryPoint", "dependsOn",
                 "iamManagedPolicies"}  # fmt: skip
COERCED_INTEGERS = {"cpu", "desiredCount", "maximumPercent", "minimumHealthyPercent",
                    "logRetentionInDays"}  # fmt: skip
COERCED_BOOLEANS = {"containerInsights", "assignPublicIp", "spot", "strict"}
COERCED_STRINGS = {"memory"}

# The keys of the plugin author's first examples, which 1.1.0 no longer reads.
LEGACY_VPC_KEYS = {"subnets": "subnetIds", "securityGroups": "securityGroupIds"}
# The plugin's logical IDs for each task (compiler.js) → ours for the same resource.
PLUGIN_TASK_IDS = {"ScheduledTask": "Schedule", "Service": "Service", "Task": "TaskDefinition"}
# What the plugin's stack holds that the migrated template keeps under the same logical ID.
KEPT = {
    "FargateTasksCluster": "the cluster: updated in place (same logical ID and name), so "
    "running tasks are not stopped",
    "FargateTasksLogGroup": "the log group and all its logs: updated in place (same logical ID "
    "and name), retained from now on (RetainLogGroup)",
}
# What the plan says of a replaced resource of the plugin's, by kind.
REPLACED = {
    "Service": ": created and stable before the plugin's service is deleted (the two run side "
    "by side for a while: overlap, not a gap)",
    "ScheduledTask": ": see README 'Switching a schedule over' to run each occurrence once",
}
FUNCTION_GONE = (
    "a function of serverless.yml, not in a SAM template: deploy with --to serverless instead, "
    "or write it as AWS::Serverless::Function first"
)
FUNCTION_LOGS_GONE = (
    "the function's log group, with its logs: keep the functions with --to serverless, or "
    "export the logs first"
)
FRAMEWORK_REST = "(the functions' other resources)"
FRAMEWORK_REST_GONE = "IamRoleLambdaExecution, versions, APIs and event sources of the functions"
EXPORT_GONE = (
    "the plugin's output, exported as {}: if another stack imports it (aws cloudformation "
    "list-imports --export-name ...), the update fails: remove that import first"
)
# The framework's own resources; under --to sam nothing deploys through it any more.
FRAMEWORK_RESOURCES = {
    "ServerlessDeploymentBucket": "the framework's deployment bucket: CloudFormation cannot "
    "delete a bucket that holds objects, so empty it first (aws s3 rm s3://BUCKET --recursive)",
    "ServerlessDeploymentBucketPolicy": "its policy",
}

STAGE_SOURCES = {"sls:stage", "opt:stage", "self:provider.stage"}
REGION_SOURCES = {"aws:region", "opt:region", "self:provider.region"}
# ${kind:...} the framework resolves at package time and CloudFormation cannot: a parameter.
UNKNOWN_SOURCES = {
    "nested": "a variable nested in another, resolved by the framework at package time",
    "other": "no CloudFormation equivalent",
    "env": "read the deploying shell's environment",
    "file": "read a file at package time",
    "cf": "read another stack's output at package time (pass it, or export it and use "
    "Fn::ImportValue)",
    "opt": "read a command-line option",
    "s3": "read an S3 object at package time",
    "sls": "a framework value",
    "self": "not a plain value in this file",
    "ssm": "a SecureString, which CloudFormation does not resolve in a container's "
    "environment (use the task's Secrets)",
}

# Where our defaults behave differently from the plugin's, said once per migration.
CHANGED_DEFAULTS = {
    "services": "services deploy with the ECS circuit breaker and rollback (a deployment "
    "that cannot reach steady state rolls back; Service: {CircuitBreaker: false} turns it off), "
    "with ECS managed tags and tags propagated from the service (the plugin: from the task "
    "definition)",
    "names": "task definition families and service names are generated now (the plugin used "
    "each task's name): scripts calling `aws ecs run-task --task-definition NAME` or "
    "`aws ecs update-service --service NAME` break; use `serverless-fargate run STACK TASK` or "
    "the stack's outputs",
    "streams": "log streams are named TASK/CONTAINER/ID now (the plugin: fargate/CONTAINER/ID); "
    "the plugin's streams stay in the same log group",
}

MIGRATED_DESCRIPTION = "Fargate tasks of {service}, migrated from the serverless-fargate plugin"


class MigrationError(Exception):
    pass


def plugin_identifier(name: str) -> str:
    """The plugin's toIdentifier: non-alphanumerics stripped, only the first letter upper-cased
    (`depends-service` → `Dependsservice`)."""
    stripped = re.sub(r"[^0-9A-Za-z]", "", name)
    return stripped[:1].upper() + stripped[1:]


def framework_function_id(name: str) -> str:
    """The framework's logical ID of function `name` (`api-v2` → `ApiDashv2LambdaFunction`)."""
    normalized = name.replace("-", "Dash").replace("_", "Underscore")
    return normalized[:1].upper() + normalized[1:] + "LambdaFunction"


def variables(text: str) -> list[tuple[int, int, str]]:
    """(start, end, inner) of each outermost ${...} in text; nested ones stay in inner."""
    found = []
    depth, start = 0, -1
    index = 0
    while index < len(text):
        if text.startswith("${", index):
            if depth == 0:
                start = index
            depth += 1
            index += 2
            continue
        if text[index] == "}" and depth:
            depth -= 1
            if depth == 0:
                found.append((start, index + 1, text[start + 2 : index]))
        index += 1
    return found


def _coerce(value: Any, key: str) -> Any:
    """One option's value as the framework's validator hands it to the plugin."""
    if key in COERCED_LISTS and isinstance(value, (str, int, float)) and "${" not in str(value):
        return [value]
    if key in COERCED_INTEGERS and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if key in COERCED_BOOLEANS and value in ("true", "false"):
        return value == "true"
    if key in COERCED_STRINGS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def coerced(block: Any) -> Any:
    """The plugin's block with every option coerced as its schema coerces it."""
    if isinstance(block, dict):
        return {k: _coerce(coerced(v), k) for k, v in block.items()}
    if isinstance(block, list):
        return [coerced(v) for v in block]
    return block


class _Migration:
    def __init__(self, config: dict[str, Any], keep_variables: bool = False):
        self.config = config
        self._whole = ""  # the string being resolved (a list variable must be all of it)
        # --to serverless: the framework resolves its own variables, so they stay as written.
        self.keep_variables = keep_variables
        self.notes: list[str] = []  # "path: message", shown on stderr and as comments
        self.parameters: dict[str, dict[str, Any]] = {}
        self.images: dict[str, str] = {}  # image as written → its parameter
        self.provider = config.get("provider") or {}
        self.fargate: Any = config.get("fargate")
        custom = config.get("custom")
        # The old custom.fargate form: plugin 1.1.0 deployed nothing from it.
        self.ignored_by_plugin = False
        if self.fargate is None and isinstance(custom, dict) and "fargate" in custom:
            self.ignored_by_plugin = True
            self.fargate = custom["fargate"]
            self.note(
                "custom.fargate",
                "plugin 1.1.0 reads only a top-level fargate: block and ignored this one (its "
                "tasks were not deployed): migrated as live tasks, check that you want them",
            )
        self.fargate = coerced(copy.deepcopy(self.fargate))
        # provider.vpc and fargate.vpc merged key by key (run), and where the value came from.
        self.vpc: Any = None
        self.vpc_path = "fargate.vpc"
        # The plugin's logical IDs → ours, and the plan of an in-place update.
        self.ids: dict[str, str] = {}
        self.plan: list[tuple[str, str, str]] = []  # (keep|replace|delete, plugin's ID, detail)

    def note(self, path: str, message: str) -> None:
        line = f"{path}: {message}"
        if line not in self.notes:
            self.notes.append(line)

    # --- variables ------------------------------------------------------------------------

    def resolve(self, value: Any, path: str, in_sub: bool = False) -> Any:
        """Strings with ${...} become Ref/Sub/dynamic references; other values are walked.
        In an Fn::Sub (in_sub) a string stays a string, its own ${Name}s CloudFormation's."""
        if isinstance(value, dict):
            return {
                k: self.resolve(v, f"{path}.{k}", in_sub=k == "Fn::Sub") for k, v in value.items()
            }
        if isinstance(value, list):
            if in_sub and value:  # [text, {Name: value}]
                return [self.resolve(value[0], f"{path}[0]", True)] + [
                    self.resolve(v, f"{path}[{i + 1}]") for i, v in enumerate(value[1:])
                ]
            return [self.resolve(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, str) or "${" not in value:
            return value
        parts: list[str] = []
        uses_sub = in_sub
        position = 0
        self._whole = value
        for start, end, inner in variables(value):
            parts.append(value[position:start].replace("${", "${!"))
            position = end
            if _is_cloudformations(inner):
                parts.append(value[start:end])
                uses_sub = True
                continue
            whole = start == 0 and end == len(value) and not in_sub
            kind, replacement = self._variable(inner.strip(), path)
            if kind == "literal" and whole:
                return replacement  # the whole value: keep its type (365 stays a number)
            if kind == "ref" and whole:
                return {"Ref": replacement[2:-1]}
            if kind == "literal":
                parts.append(str(replacement))
            else:
                uses_sub = uses_sub or kind in ("sub", "ref")
                parts.append(replacement)
        parts.append(value[position:].replace("${", "${!"))
        text = "".join(parts)
        return text if in_sub or not uses_sub else {"Fn::Sub": text}

    def _variable(self, expression: str, path: str) -> tuple[str, Any]:
        """("literal"|"sub"|"ref"|"text", what to write) for one ${...} expression."""
        source, fallback = _split_fallback(expression)
        default = fallback.strip("'\"") if fallback[:1] in "'\"" and fallback else None
        if "${" in source:
            # A variable inside another (${file(configs/${sls:stage}.yml):image}): only the
            # framework knows the outer one's value.
            return self._unknown(source, default, UNKNOWN_SOURCES["nested"])
        if source in STAGE_SOURCES:
            stage = self.provider.get("stage")
            stage = stage if "${" not in str(stage or "") else None
            return "ref", self._parameter(
                "Stage", default or stage or "dev", "Deployment stage (was ${sls:stage})"
            )
        if source in REGION_SOURCES:
            return "sub", "${AWS::Region}"
        if source == "aws:accountId":
            return "sub", "${AWS::AccountId}"
        if source == "self:service":
            return "literal", str(self.config.get("service", ""))
        if source.startswith("self:"):
            found = self._lookup(source[5:])
            if isinstance(found, list) and f"${{{expression}}}" == self._whole:
                # A list (subnets from custom:): the framework puts the list itself there.
                return "literal", self.resolve(found, path)
            if isinstance(found, (str, int, float)) and not isinstance(found, bool):
                resolved = self.resolve(found, path)
                if isinstance(resolved, dict) and isinstance(resolved.get("Fn::Sub"), str):
                    return "sub", resolved["Fn::Sub"]  # itself made of variables
                if not isinstance(resolved, dict):
                    return "literal", resolved
        if source.startswith("ssm:") and not source.endswith("~true"):
            return "text", "{{resolve:ssm:" + source[4:].lstrip() + "}}"
        kind = source.split(":", 1)[0].split("(", 1)[0]
        return self._unknown(source, default, UNKNOWN_SOURCES.get(kind, UNKNOWN_SOURCES["other"]))

    def _unknown(self, source: str, default: str | None, why: str) -> tuple[str, str]:
        words = re.findall(r"[A-Za-z0-9]+", source.replace("${", " "))
        name = "".join(w[:1].upper() + w[1:].lower() for w in words)[:60] or "Value"
        self.note(f"${{{source}}}", f"{why}: it became parameter {name}; set it at deploy time")
        return "ref", self._parameter(name, default, f"was ${{{source}}}")

    def _parameter(self, name: str, default: Any, description: str) -> str:
        spec: dict[str, Any] = {"Type": "String", "Description": description}
        if default is not None:
            spec["Default"] = str(default)
        self.parameters.setdefault(name, spec)
        return "${" + name + "}"

    def _lookup(self, dotted: str) -> Any:
        value: Any = self.config
        for part in dotted.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value

    # --- the declaration ------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """The SAM template (or, with keep_variables, its parts for serverless.yml)."""
        if not isinstance(self.fargate, dict) or not isinstance(self.fargate.get("tasks"), dict):
            raise MigrationError(
                "no fargate.tasks in this file: it does not use the serverless-fargate plugin"
            )
        for key in self.fargate:
            if key not in FARGATE_KEYS:
                self.note(
                    f"fargate.{key}", "not an option of the serverless-fargate plugin: not migrated"
                )
        shared = self._shared()
        default_network = self._default_network()
        tasks, own_roles = self._tasks(default_network)
        self._grant(shared, tasks, own_roles)
        self._changed_defaults(tasks)
        properties = dict(shared)
        if default_network is not None:
            properties["Network"] = default_network
        properties["Tasks"] = tasks
        resources = {DECLARATION: {"Type": "Fargate::Tasks", "Properties": properties}}
        self._plan(tasks, shared)
        return self._template(resources)

    def _shared(self) -> dict[str, Any]:
        """The declaration-wide settings: the plugin's fargate-level options and provider's."""
        fargate, provider = self.fargate, self.provider
        shared = {
            target: fargate[source]
            for source, target in SHARED_FIELDS.items()
            if fargate.get(source) is not None
        }
        if fargate.get("logRetentionInDays") is None:
            # An in-place update must not expire the plugin's logs (kept forever by it).
            shared["LogRetentionInDays"] = 3653
            self.note(
                "fargate.logRetentionInDays",
                "the plugin kept the tasks' logs forever; LogRetentionInDays: 3653 (ten years, "
                "the longest CloudWatch offers short of forever) keeps every log it wrote: "
                "lower it when you choose",
            )
        # The log group holds data: keep it even if the stack is deleted or it is replaced.
        shared["RetainLogGroup"] = True
        environment = {**(provider.get("environment") or {}), **(fargate.get("environment") or {})}
        if environment:
            shared["Environment"] = environment
        tags = {**(provider.get("tags") or {}), **(fargate.get("tags") or {})}
        if tags:
            shared["Tags"] = tags
        overrides, sidecars = self._escape_hatches(
            fargate.get("cloudFormationResource"), "fargate.cloudFormationResource"
        )
        if overrides:
            shared["Overrides"] = overrides
        if sidecars:
            shared["Sidecars"] = sidecars
        return shared

    def _default_network(self) -> dict[str, Any] | None:
        # The plugin merges provider.vpc and fargate.vpc key by key, then each task's vpc over
        # that, key by key (a task's subnets keep the shared security groups).
        for where, vpc in (("provider.vpc", self.provider.get("vpc")), ("fargate.vpc", self.fargate.get("vpc"))):  # fmt: skip
            vpc = coerced(vpc)
            if isinstance(vpc, dict) and isinstance(self.vpc, dict):
                self.vpc = {**self.vpc, **vpc}
            elif vpc is not None:
                self.vpc, self.vpc_path = vpc, where
        return self._network(self.vpc, self.vpc_path)

    def _tasks(self, default_network: Any) -> tuple[dict[str, Any], list[str]]:
        tasks: dict[str, Any] = {}
        own_roles = []
        shared_role = self.fargate.get("taskRoleArn")
        for key, task in self.fargate["tasks"].items():
            name, migrated, network = self._task(str(key), task or {}, default_network)
            if migrated.get("TaskRoleArn") or shared_role:
                own_roles.append(name)
            if network != default_network:
                # The plugin's task-level vpc: the task's own Network, replacing the whole map.
                migrated["Network"] = network
            tasks[name] = migrated
        return tasks, own_roles

    def _grant(self, shared: dict[str, Any], tasks: dict[str, Any], own_roles: list[str]) -> None:
        """The plugin's IAM statements and managed policies, on the roles it gave them to."""
        policies = self._policies()
        if not policies:
            return
        if shared.get("TaskRoleArn"):
            self.note(
                "provider.iam",
                "the plugin granted IAM statements and managed policies only "
                "to the role it created; with fargate.taskRoleArn it created none, so they "
                "are not migrated: attach them to that role",
            )
        elif own_roles:
            for task_name, migrated in tasks.items():
                if task_name not in own_roles:
                    migrated["Policies"] = policies
            self.note(
                "provider.iam",
                "tasks with their own taskRoleArn ("
                + ", ".join(own_roles)
                + ") get no IAM statements, as with the plugin; "
                "the others get them as their own Policies",
            )
        else:
            shared["Policies"] = policies
        if len(tasks) > 1 and not shared.get("TaskRoleArn"):
            self.note(
                "fargate.tasks",
                "the plugin shared one IAM role between all tasks; now each "
                "task has its own role with these Policies: narrow each task's Policies to "
                "what it needs",
            )

    def _changed_defaults(self, tasks: dict[str, Any]) -> None:
        if any("Schedule" not in t and t.get("Service") is not False for t in tasks.values()):
            self.note("fargate.tasks", CHANGED_DEFAULTS["services"])
        self.note("fargate.tasks", CHANGED_DEFAULTS["names"])
        self.note("fargate.tasks", CHANGED_DEFAULTS["streams"])

    def _template(self, resources: dict[str, Any]) -> dict[str, Any]:
        own = self.config.get("resources")
        own = own if isinstance(own, dict) else {}
        for key, value in (own.get("Resources") or {}).items():
            if key in resources:
                self.note(f"resources.Resources.{key}", "clashes with the declaration: renamed?")
                continue
            resources[key] = value  # the service's own CloudFormation, as written
        resources = remap(resources, self.ids)
        if "FargateIamTaskRole" not in self.ids and "FargateIamTaskRole" in repr(own):
            self.note(
                "resources",
                "names FargateIamTaskRole, the plugin's one task role, which has no single "
                "successor (each task has its own role now): name the task's role instead ("
                f"{DECLARATION}<Task>TaskRole)",
            )
        functions = self.config.get("functions")
        if isinstance(functions, dict) and functions and not self.keep_variables:
            self.note(
                "functions",
                "not converted: "
                + ", ".join(map(str, functions))
                + " (keep them in serverless.yml, or write them as AWS::Serverless::Function)",
            )
        if not self.keep_variables:
            resources = self.resolve(resources, "Resources")
            self._framework_settings()
        self._list_parameters(resources)
        sections = {
            section: self.resolve(remap(own[section], self.ids), f"resources.{section}")
            if not self.keep_variables
            else remap(own[section], self.ids)
            for section in ("Conditions", "Outputs")
            if isinstance(own.get(section), dict) and own[section]
        }
        template: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": ["ServerlessFargate", "AWS::Serverless-2016-10-31"],
            "Description": MIGRATED_DESCRIPTION.format(
                service=self.config.get("service", "the service")
            ),
        }
        if self.parameters:
            template["Parameters"] = self.parameters
        if "Conditions" in sections:
            template["Conditions"] = sections["Conditions"]
        template["Resources"] = resources
        if "Outputs" in sections:
            template["Outputs"] = sections["Outputs"]
        for section in own:
            if section not in ("Resources", "Outputs", "Conditions") and not self.keep_variables:
                self.note(f"resources.{section}", "not migrated: copy it by hand if needed")
        return template

    def _framework_settings(self) -> None:
        """What a SAM template cannot say: the region, the stack, the framework's plugins."""
        plugins = self.config.get("plugins")
        modules = plugins.get("modules") if isinstance(plugins, dict) else plugins
        if isinstance(plugins, str):
            self.note("plugins", f"{plugins}: not read; framework plugins are not migrated")
        elif isinstance(modules, list):
            others = [str(m) for m in modules if m != "serverless-fargate"]
            if others:
                self.note(
                    "plugins",
                    ", ".join(others) + ": framework plugins have no place in a SAM template and "
                    "are not migrated (keep the framework: --to serverless)",
                )
        region = self.provider.get("region")
        if region:
            self.note("provider.region", f"{region}: deploy with sam deploy --region {region}")
        self.note(
            "service",
            f"the plugin's stack is {self.config.get('service', 'SERVICE')}-{self._stage()}: deploy onto "
            "it (sam deploy --stack-name ...) to update it in place, as planned below",
        )

    def _stage(self) -> str:
        stage = self.provider.get("stage")
        return stage if isinstance(stage, str) and "${" not in stage else "STAGE"

    def _list_parameters(self, resources: dict[str, Any]) -> None:
        """A parameter standing for a whole subnet or security group list takes a list."""
        declaration = resources[DECLARATION]["Properties"]
        networks = [declaration.get("Network")] + [
            t.get("Network") for t in declaration["Tasks"].values() if isinstance(t, dict)
        ]
        for network in networks:
            for key, kind in NETWORK_LIST_TYPES.items():
                value = (network or {}).get(key)
                if isinstance(value, dict) and value.get("Ref") in self.parameters:
                    self.parameters[value["Ref"]]["Type"] = kind

    # --- the plan of an in-place update ---------------------------------------------------

    def _plan(self, tasks: dict[str, Any], shared: dict[str, Any]) -> None:
        """What an update of the plugin's stack with the migrated template keeps, replaces and
        deletes; fills self.ids (the plugin's logical IDs → ours) for remap."""
        if self.ignored_by_plugin:
            self.plan.append(("create", DECLARATION, "every resource: the plugin made none"))
        else:
            self._plan_replacements(tasks, shared)
        if not self.keep_variables:
            self._plan_framework()

    def _plan_framework(self) -> None:
        """Under --to sam: what the framework made, which a SAM template does not have."""
        for logical_id, why in FRAMEWORK_RESOURCES.items():
            self.plan.append(("delete", logical_id, why))
        functions = self.config.get("functions")
        for function in functions if isinstance(functions, dict) else {}:
            logical_id = framework_function_id(str(function))
            self.plan.append(("delete", logical_id, FUNCTION_GONE))
            group = logical_id.removesuffix("LambdaFunction") + "LogGroup"
            self.plan.append(("delete", group, FUNCTION_LOGS_GONE))
        if functions:
            self.plan.append(("delete", FRAMEWORK_REST, FRAMEWORK_REST_GONE))

    def _plan_replacements(self, tasks: dict[str, Any], shared: dict[str, Any]) -> None:
        for logical_id, why in KEPT.items():
            self.plan.append(("keep", logical_id, why))
        exports = f"sls-{self.config.get('service', 'SERVICE')}-{self._stage()}"
        for (key, task), name in zip(self.fargate["tasks"].items(), tasks, strict=True):
            identifier = plugin_identifier(str((task or {}).get("name") or key))
            kinds = ["Task"]
            if tasks[name].get("Schedule"):
                kinds.append("ScheduledTask")
            elif tasks[name].get("Service") is not False:
                kinds.append("Service")
            for kind in kinds:
                mine = f"{DECLARATION}{pascal_case(name)}{PLUGIN_TASK_IDS[kind]}"
                self.ids[identifier + kind] = mine
                self.plan.append(
                    ("replace", identifier + kind, f"by {mine}{REPLACED.get(kind, '')}")
                )
                output = f"{identifier}{kind}Arn"
                gone = EXPORT_GONE.format(f"{exports}-{output}")
                self.plan.append(("delete", f"Outputs.{output}", gone))
        # The plugin's roles, where it made them: for the tasks without a role ARN.
        if any(
            not (t.get("ExecutionRoleArn") or shared.get("ExecutionRoleArn"))
            for t in tasks.values()
        ):
            self.ids["FargateIamExecutionRole"] = f"{DECLARATION}ExecutionRole"
            self.plan.append(
                ("replace", "FargateIamExecutionRole", f"by {DECLARATION}ExecutionRole")
            )
        roles = [f"{DECLARATION}{pascal_case(n)}TaskRole" for n, t in tasks.items() if not (t.get("TaskRoleArn") or shared.get("TaskRoleArn"))]  # fmt: skip
        if len(roles) == 1:
            self.ids["FargateIamTaskRole"] = roles[0]
        if roles:
            detail = "by one role per task (" + ", ".join(roles) + ")"
            self.plan.append(("replace", "FargateIamTaskRole", detail))

    # --- one task -------------------------------------------------------------------------

    def _task(self, key: str, task: dict[str, Any], default_network: Any) -> tuple[str, dict, Any]:
        path = f"fargate.tasks.{key}"
        for option in task:
            if option not in TASK_KEYS:
                self.note(
                    f"{path}.{option}",
                    "not an option of the serverless-fargate plugin: not migrated",
                )
        name = self._task_key(key, task, path)
        out: dict[str, Any] = {}
        if "image" in task:
            out["Image"] = self._image(task["image"], f"{path}.image")
        out.update(
            {target: task[source] for source, target in TASK_FIELDS.items()
             if task.get(source) not in (None, [], {})}
        )  # fmt: skip
        if isinstance(out.get("DependsOn"), list):
            out["DependsOn"] = [self._depends_on(t, f"{path}.dependsOn") for t in out["DependsOn"]]
        self._arguments(out, path)
        self._kind(task, out, path)
        overrides, sidecars = self._escape_hatches(
            task.get("cloudFormationResource"), f"{path}.cloudFormationResource"
        )
        if "Service" in overrides and (out.get("Service") is False or task.get("schedule")):
            overrides.pop("Service")
            self.note(
                f"{path}.cloudFormationResource.service",
                "this task has no service (the plugin ignored it): not migrated",
            )
        if overrides:
            out["Overrides"] = overrides
        if sidecars:
            out["Sidecars"] = sidecars
        # A task's own vpc (with subnets) wins, as with the plugin.
        own = task.get("vpc")
        if own is None:
            return name, out, default_network
        if isinstance(own, dict) and isinstance(self.vpc, dict):
            own = {**self.vpc, **own}
        return name, out, self._network(own, f"{path}.vpc") or default_network

    def _task_key(self, key: str, task: dict[str, Any], path: str) -> str:
        name = str(task.get("name") or key)
        if not TASK_KEY.match(name):
            self.note(
                f"{path}.name", f"{name!r} is not a valid task key here: {key!r} is used instead"
            )
            return key
        if name != key:
            self.note(f"{path}.name", f"the task is keyed {name!r}, the plugin's name for it")
        return name

    def _arguments(self, out: dict[str, Any], path: str) -> None:
        for option, target in (("command", "Command"), ("entryPoint", "EntryPoint")):
            value = out.get(target)
            line = value[0] if isinstance(value, list) and len(value) == 1 else None
            if isinstance(line, str) and "${" not in line and len(shlex.split(line)) > 1:
                # The plugin passed one string as one argument; ECS would look for a program
                # named after the whole line. Split as a shell would.
                out[target] = shlex.split(line)
                self.note(
                    f"{path}.{option}",
                    f"a string: split into {out[target]!r}; check the arguments",
                )
            elif isinstance(value, list):
                out[target] = [v if isinstance(v, (str, dict)) else str(v) for v in value]

    def _kind(self, task: dict[str, Any], out: dict[str, Any], path: str) -> None:
        """Schedule, standalone task definition, or service, as the plugin decided."""
        given = task.get("service")
        service: dict[str, Any] = given if isinstance(given, dict) else {}
        for option in service:
            if option not in SERVICE_KEYS:
                self.note(
                    f"{path}.service.{option}",
                    "not an option of the plugin's service: not migrated",
                )
        if task.get("schedule"):
            out["Schedule"] = task["schedule"]
            if service:
                self._ignored_service(service, path)
        elif given is False:
            # The plugin makes only a task definition for it (a migration, a one-off job).
            out["Service"] = False
        else:
            config = {
                target: service[source]
                for source, target in SERVICE_FIELDS.items()
                if service.get(source) is not None
            }
            if service.get("strict") is True:  # the plugin's "strict" mode: never two at once
                config.setdefault("MaximumPercent", 100)
                config.setdefault("MinimumHealthyPercent", 0)
            if config:
                out["Service"] = config
        if service.get("spot"):
            out["Spot"] = True
            self.note(
                f"{path}.service.spot",
                "Spot now falls back to on-demand Fargate when Spot capacity "
                "is short (the plugin left the task unstarted); set Spot: {Fallback: false} to keep "
                "the old behaviour. Its containers get StopTimeout 120 (Spot's two-minute "
                "warning) unless the task sets one",
            )

    def _ignored_service(self, service: dict[str, Any], path: str) -> None:
        self.note(
            f"{path}.service",
            "the plugin ignored service: on a scheduled task (its runs were on-demand, one at "
            "a time)"
            + (
                "; service.spot is kept: runs now use Fargate Spot, with fallback to on-demand"
                if service.get("spot")
                else ""
            )
            + (
                "; desiredCount and deployment percentages have no meaning for schedules and "
                "are dropped"
                if set(service) - {"spot", "strict"}
                else ""
            ),
        )

    def _policies(self) -> list[Any]:
        provider, fargate = self.provider, self.fargate
        role = (
            ((provider.get("iam") or {}).get("role") or {})
            if isinstance(provider.get("iam"), dict)
            else {}
        )
        if isinstance(role, str):
            self.note(
                "provider.iam.role", "a role ARN for the functions: tasks get their own roles"
            )
            role = {}
        statements = [
            *(role.get("statements") or []),
            *(provider.get("iamRoleStatements") or []),
            *(fargate.get("iamRoleStatements") or []),
        ]
        managed = [
            *_coerce(role.get("managedPolicies") or [], "iamManagedPolicies"),
            *_coerce(provider.get("iamManagedPolicies") or [], "iamManagedPolicies"),
            *(fargate.get("iamManagedPolicies") or []),
        ]
        return [*managed, *statements]

    def _network(self, vpc: Any, path: str) -> dict[str, Any] | None:
        """The plugin's vpc as a Network; any shape it cannot read is said, never dropped."""
        if vpc is None:
            return None
        if isinstance(vpc, dict):
            # subnets/securityGroups: the keys of the plugin author's first examples.
            for old, new in LEGACY_VPC_KEYS.items():
                if old in vpc and new not in vpc:
                    self.note(
                        f"{path}.{old}",
                        f"plugin 1.1.0 reads only {new} (it deployed these tasks without "
                        f"them): migrated as {new}",
                    )
            subnets = _coerce(vpc.get("subnetIds", vpc.get("subnets")), "subnetIds")
            groups = _coerce(vpc.get("securityGroupIds", vpc.get("securityGroups")), "subnetIds")
            if subnets:
                network: dict[str, Any] = {"Subnets": subnets}
                if groups:
                    network["SecurityGroups"] = groups
                if vpc.get("assignPublicIp") is not None:
                    network["AssignPublicIp"] = vpc["assignPublicIp"]
                return network
        shown = vpc if isinstance(vpc, str) else "a map without subnetIds"
        self.note(
            path,
            f"{shown}: not read by the migration, so these tasks would run in the default VPC "
            "with public IPs; write Network: {Subnets: [...], SecurityGroups: [...]} yourself",
        )
        return None

    def _escape_hatches(self, resource: Any, path: str) -> tuple[dict[str, Any], list[Any]]:
        overrides: dict[str, Any] = {}
        sidecars: list[Any] = []
        for section, value in (resource or {}).items():
            if section in CFN_SECTIONS and value:
                overrides[CFN_SECTIONS[section]] = value
            elif section == "additionalContainers":
                containers = value.values() if isinstance(value, dict) else value or []
                sidecars.extend(containers)
            elif value:
                self.note(f"{path}.{section}", "no equivalent: not migrated")
        return overrides, sidecars

    # --- images ---------------------------------------------------------------------------

    def _image(self, image: Any, path: str) -> Any:
        images = (self.provider.get("ecr") or {}).get("images") or {}
        if isinstance(image, str) and image in images:
            built = images[image] or {}
            if isinstance(built, str):  # `NAME: URI`, which the framework also accepts
                built = {"uri": built}
            if self.keep_variables:
                return self._framework_image(image, built)
            return self._built_image(image, built)
        if isinstance(image, str) and ("/" in image or "${" in image):
            if self.keep_variables and "${" not in image and "@sha256:" not in image:
                self.note(path, f"{image!r}: a tag, resolved to its digest at each deploy")
            return image
        if self.keep_variables:
            self.note(
                path,
                f"{image!r} names no image of provider.ecr.images and no registry: the "
                "transform pulls it from Docker Hub; write its full URI if that is not meant",
            )
            return image
        return self._image_parameter(image, path)

    def _built_image(self, image: str, built: dict[str, Any]) -> dict[str, str]:
        name = pascal_case(re.sub(r"[^A-Za-z0-9]+", "-", image)) + "ImageUri"
        folder = str(built.get("path", ".")).rstrip("/") or "."
        source = built.get("uri") or f"built from {folder}/{built.get('file', 'Dockerfile')}"
        self._parameter(
            name, built.get("uri"), f"Image '{image}' ({source}); push it to ECR and pass its URI"
        )
        if not built.get("uri"):
            self.note(
                f"provider.ecr.images.{image}",
                f"image '{image}' was built by the Serverless Framework: build and push "
                f"it (docker build, docker push), then pass its URI as parameter {name}, or use "
                "Image: {Function: <an image function of your SAM template>}",
            )
        return {"Ref": name}

    def _image_parameter(self, image: Any, path: str) -> dict[str, str]:
        """An image the plugin resolved by name only: one parameter per distinct image."""
        text = str(image)
        if text not in self.images:
            name = pascal_case(re.sub(r"[^A-Za-z0-9]+", "-", text)) + "ImageUri"
            if name in self.parameters:
                name = f"Task{len(self.images) + 1}ImageUri"
            self.images[text] = name
            self._parameter(name, None, f"Image for {text}")
        name = self.images[text]
        self.note(path, f"image {text!r} is not in provider.ecr.images: it became parameter {name}")
        return {"Ref": name}

    def _framework_image(self, image: str, built: dict[str, Any]) -> Any:
        """In serverless.yml: the URI, the function that builds the same image, or a variable
        the framework reads from the environment."""
        if built.get("uri"):
            return built["uri"]
        function = self._image_function(image)
        if function is not None:
            return {"Function": function}
        variable = re.sub(r"[^A-Za-z0-9]+", "_", image).upper() + "_IMAGE_URI"
        self.note(
            f"provider.ecr.images.{image}",
            f"the framework builds image '{image}' for functions only: push it and pass its URI "
            f"in the environment variable {variable} when packaging",
        )
        return "${env:" + variable + "}"

    def _image_function(self, image: str) -> str | None:
        """The framework's logical ID of a function built from the same image, if any."""
        for name, function in (self.config.get("functions") or {}).items():
            used = function.get("image") if isinstance(function, dict) else None
            if isinstance(used, dict):
                used = used.get("name")
            if used == image:
                return framework_function_id(str(name))
        return None

    def _depends_on(self, target: Any, path: str) -> Any:
        """The plugin's logical ID of another task (`WorkerTask`, `WorkerService`,
        `WorkerScheduledTask`) as ours; anything else as written."""
        tasks = self.fargate.get("tasks") or {}
        for key, task in tasks.items():
            name = str((task or {}).get("name") or key)
            identifier = plugin_identifier(name)
            for theirs, ours in PLUGIN_TASK_IDS.items():
                if target == f"{identifier}{theirs}":
                    mapped = f"{DECLARATION}{pascal_case(name)}{ours}"
                    self.note(path, f"{target} (the plugin's ID) is {mapped} now")
                    return mapped
        return target


def _is_cloudformations(inner: str) -> bool:
    """${Name}, ${Name.Attr} or ${AWS::Region}: Fn::Sub's own, which the framework leaves
    alone (its variables have a source: `${sls:stage}`, `${file(...)}`)."""
    return bool(re.fullmatch(r"[A-Za-z0-9.]+|AWS::[A-Za-z]+", inner.strip()))


def _split_fallback(expression: str) -> tuple[str, str]:
    """`source, fallback` of a variable, the comma outside any nested ${...}."""
    depth = 0
    for index, char in enumerate(expression):
        if expression.startswith("${", index):
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == "," and depth == 0:
            return expression[:index].strip(), expression[index + 1 :].strip()
    return expression.strip(), ""


# The short forms that name a resource, as ruamel.yaml keeps them (the tag), and their long form.
SHORT_FORMS = {"!Ref": "Ref", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub"}


def remap(value: Any, ids: dict[str, str]) -> Any:
    """The plugin's logical IDs, wherever CloudFormation names a resource (Ref, Fn::GetAtt,
    ${...} of Fn::Sub, DependsOn), as the migrated template's. Maps are edited in place (so a
    ruamel.yaml map keeps its comments) and returned."""
    if not ids:
        return value
    tag = getattr(getattr(value, "tag", None), "value", None)  # ruamel.yaml's `!Ref X`, ...
    if tag in SHORT_FORMS:
        if isinstance(getattr(value, "value", None), str):
            value.value = remap({SHORT_FORMS[tag]: value.value}, ids)[SHORT_FORMS[tag]]
            return value
        if isinstance(value, list):
            value[:] = remap({SHORT_FORMS[tag]: list(value)}, ids)[SHORT_FORMS[tag]]
            return value
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = remap(item, ids)
        return value
    if not isinstance(value, dict):
        return value
    for key in list(value):
        item = value[key]
        if key in ("Ref", "DependsOn") and isinstance(item, str):
            value[key] = ids.get(item, item)
        elif key == "DependsOn" and isinstance(item, list):
            value[key] = [ids.get(i, i) if isinstance(i, str) else i for i in item]
        elif key == "Fn::GetAtt" and isinstance(item, list) and item:
            item[0] = ids.get(item[0], item[0])
        elif key == "Fn::GetAtt" and isinstance(item, str) and "." in item:
            head, _, tail = item.partition(".")
            value[key] = f"{ids.get(head, head)}.{tail}"
        elif key == "Fn::Sub":
            value[key] = _remap_sub(item, ids)
        else:
            value[key] = remap(item, ids)
    return value


def _remap_sub(item: Any, ids: dict[str, str]) -> Any:
    def one(text: str) -> str:
        return re.sub(
            r"\$\{([A-Za-z0-9]+)((?:\.[A-Za-z0-9.]+)?)\}",
            lambda m: "${" + ids.get(m.group(1), m.group(1)) + m.group(2) + "}",
            text,
        )

    if isinstance(item, str):
        return one(item)
    if isinstance(item, list) and item and isinstance(item[0], str):
        item[0] = one(item[0])
        if len(item) > 1:
            item[1] = remap(item[1], ids)
    return item


class Migrated:
    """A migration's result: the text to write, its notes and its plan."""

    def __init__(self, text: str, notes: list[str], plan: list[tuple[str, str, str]]):
        self.text, self.notes, self.plan = text, notes, plan


def migrate(config: Any) -> tuple[dict[str, Any], list[str]]:
    """(SAM template, notes) for a parsed serverless.yml; raises MigrationError if unusable."""
    template, notes, _ = _sam(config)
    return template, notes


def _sam(config: Any) -> tuple[dict[str, Any], list[str], list[tuple[str, str, str]]]:
    if not isinstance(config, dict):
        raise MigrationError("not a Serverless Framework service (expected a map)")
    migration = _Migration(config)
    return migration.run(), migration.notes, migration.plan


def plan_lines(plan: list[tuple[str, str, str]]) -> list[str]:
    """The plan of an in-place update of the plugin's stack, one line per resource."""
    return [f"{action:<7} {logical_id}: {detail}" for action, logical_id, detail in plan]


def _header(source: str, notes: list[str], plan: list[tuple[str, str, str]], deploy: str) -> str:
    lines = [f"Migrated from {source} by `serverless-fargate migrate`.", f"Deploy: {deploy}"]
    if notes:
        lines.append("Review these before deploying:")
        lines += [f"  - {note}" for note in notes]
    lines.append("Deployed as an update of the plugin's stack, CloudFormation will:")
    lines += [f"  {line}" for line in plan_lines(plan)]
    return "".join(f"# {line}\n" for line in lines)


def render(template: dict[str, Any], notes: list[str], source: str, plan: Any = ()) -> str:
    """YAML with the notes (and the plan) as comments at the top."""
    from . import cfn_yaml

    deploy = "sam deploy --guided --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"
    return _header(source, notes, list(plan), deploy) + cfn_yaml.dump(template)


def run(text: str, source: str, target: str) -> Migrated:
    """`migrate --to target` of serverless.yml text: the file to write, notes and plan."""
    from . import cfn_yaml

    if target == "serverless":
        output, notes, plan = _to_serverless(text)
        deploy = "serverless deploy (onto the same stage: an update of the plugin's stack)"
        return Migrated(_header(source, notes, plan, deploy) + output, notes, plan)
    template, notes, plan = _sam(cfn_yaml.load(text))
    return Migrated(render(template, notes, source, plan), notes, plan)


def to_serverless(text: str) -> tuple[str, list[str]]:
    """The service's serverless.yml, using the transform instead of the plugin (see
    _to_serverless), with the notes and plan as comments at its top."""
    migrated = run(text, "serverless.yml", "serverless")
    return migrated.text, migrated.notes


def _to_serverless(text: str) -> tuple[str, list[str], list[tuple[str, str, str]]]:
    """The plugin out of `plugins`, the `fargate:` block out, `resources.Transform` (merged)
    and one `Fargate::Tasks` resource in. Comments and key order survive (ruamel.yaml round
    trip); Serverless variables stay for the framework to resolve; the plugin's logical IDs in
    the service's own resources are remapped."""
    from io import StringIO

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from . import cfn_yaml

    config = cfn_yaml.load(text)
    if not isinstance(config, dict):
        raise MigrationError("not a Serverless Framework service (expected a map)")
    migration = _Migration(config, keep_variables=True)
    declaration = migration.run()["Resources"][DECLARATION]

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long value (an image URI) onto a line of its own
    yaml.indent(mapping=2, sequence=4, offset=2)  # `  - item`, as serverless.yml files write
    data = yaml.load(text)
    _drop_plugin(data, migration)
    if "fargate" in data:
        del data["fargate"]
    elif isinstance(data.get("custom"), dict) and "fargate" in data["custom"]:
        del data["custom"]["fargate"]
        if not data["custom"]:
            del data["custom"]
    if not isinstance(data.get("resources"), dict):
        data["resources"] = CommentedMap()
    resources = data["resources"]
    transform = resources.get("Transform")
    names = (
        [] if transform is None else [transform] if isinstance(transform, str) else list(transform)
    )
    if "ServerlessFargate" not in names:
        names.insert(0, "ServerlessFargate")
    if "Transform" in resources:
        resources["Transform"] = names
    else:
        resources.insert(0, "Transform", names)
    if not isinstance(resources.get("Resources"), dict):
        resources["Resources"] = CommentedMap()
    if DECLARATION in resources["Resources"]:
        raise MigrationError(f"resources.Resources already has a resource named {DECLARATION}")
    for section in ("Resources", "Outputs", "Conditions"):
        if isinstance(resources.get(section), dict):
            remap(resources[section], migration.ids)
    resources["Resources"][DECLARATION] = declaration
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue(), migration.notes, migration.plan


def _drop_plugin(data: Any, migration: _Migration) -> None:
    plugins = data.get("plugins")
    if isinstance(plugins, str):
        # plugins: ${file(plugins.yml)}: a list the migration cannot edit here.
        migration.note(
            "plugins",
            f"{plugins}: remove serverless-fargate from that list yourself (the plugin and "
            "the transform would both make the tasks)",
        )
        return
    modules = plugins.get("modules") if isinstance(plugins, dict) else plugins
    if isinstance(modules, list) and "serverless-fargate" in modules:
        modules.remove("serverless-fargate")
        if not modules:
            del data["plugins"]

"""`serverless-fargate migrate`: a Serverless Framework service using the `serverless-fargate`
plugin (a `fargate:` block) → a SAM template with the equivalent `Fargate::Tasks` declaration.

Every option of the plugin is mapped; anything without an equivalent becomes a warning (on
stderr) and a comment in the output, never a silent drop. Where the plugin's behaviour was a
trap, the migration says what changes. Serverless variables become template parameters,
pseudo parameters or dynamic references, or are reported.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from .resources.names import pascal_case

TASK_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_VARIABLE = re.compile(r"\$\{([^{}]+)\}")
PROVIDER_KEYS = {
    "iamRoleStatements",
    "iamManagedPolicies",
    "iam",
    "environment",
    "vpc",
    "tags",
    "ecr",
}
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
CFN_SECTIONS = {"task": "TaskDefinition", "container": "Container", "service": "Service"}


class MigrationError(Exception):
    pass


class _Migration:
    def __init__(self, config: dict[str, Any], keep_variables: bool = False):
        self.config = config
        self._whole = ""  # the string being resolved (a list variable must be all of it)
        # --to serverless: the framework resolves its own variables, so they stay as written.
        self.keep_variables = keep_variables
        self.provider = config.get("provider") or {}
        self.fargate = config.get("fargate")
        custom = config.get("custom")
        if self.fargate is None and isinstance(custom, dict) and "fargate" in custom:
            # Older plugin versions read their settings from custom.fargate.
            self.fargate = custom["fargate"]
        self.notes: list[str] = []  # "path: message", shown on stderr and as comments
        self.parameters: dict[str, dict[str, Any]] = {}
        # provider.vpc and fargate.vpc merged key by key (run), and where the value came from.
        self.vpc: Any = None
        self.vpc_path = "fargate.vpc"

    def note(self, path: str, message: str) -> None:
        line = f"{path}: {message}"
        if line not in self.notes:
            self.notes.append(line)

    # --- variables ------------------------------------------------------------------------

    def resolve(self, value: Any, path: str) -> Any:
        """Strings with ${...} become Ref/Sub/dynamic references; other values are walked."""
        if isinstance(value, dict):
            return {k: self.resolve(v, f"{path}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, str) or "${" not in value:
            return value
        parts: list[str] = []
        uses_sub = False
        position = 0
        self._whole = value
        for match in _VARIABLE.finditer(value):
            parts.append(value[position : match.start()].replace("${", "${!"))
            kind, replacement = self._variable(match.group(1).strip(), path)
            if kind == "literal" and match.group(0) == value:
                return replacement  # the whole value: keep its type (365 stays a number)
            if kind == "literal":
                parts.append(str(replacement))
            else:
                uses_sub = uses_sub or kind in ("sub", "ref")
                parts.append(replacement)
                if kind == "ref" and match.group(0) == value:
                    return {"Ref": replacement[2:-1]}
            position = match.end()
        parts.append(value[position:])
        text = "".join(parts)
        return {"Fn::Sub": text} if uses_sub else text

    def _variable(self, expression: str, path: str) -> tuple[str, str]:
        """("literal"|"sub"|"ref"|"text", what to write) for one ${...} expression."""
        source, _, fallback = expression.partition(",")
        source, fallback = source.strip(), fallback.strip()
        default = fallback.strip("'\"") if fallback[:1] in "'\"" and fallback else None
        if source in ("sls:stage", "opt:stage", "self:provider.stage"):
            stage = (
                self.provider.get("stage")
                if "${" not in str(self.provider.get("stage", ""))
                else None
            )
            return "ref", self._parameter(
                "Stage", default or stage or "dev", "Deployment stage (was ${sls:stage})"
            )
        if source in ("aws:region", "opt:region", "self:provider.region"):
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
            name = "Self" + pascal_case(re.sub(r"[^A-Za-z0-9]+", "-", source[5:]))
            self.note(
                f"${{{source}}}", f"not a plain value in this file: it became parameter {name}"
            )
            return "ref", self._parameter(name, default, f"was ${{{source}}}")
        if source.startswith("env:"):
            name = "Env" + pascal_case(re.sub(r"[^A-Za-z0-9]+", "-", source[4:].lower()))
            self.note(
                f"${{{source}}}",
                f"read the deploying shell's environment: it became parameter {name}",
            )
            return "ref", self._parameter(name, default, f"was ${{{source}}}")
        if source.startswith("ssm:"):
            return "text", "{{resolve:ssm:" + source[4:].lstrip() + "}}"
        name = f"Unresolved{len(self.parameters) + 1}"
        self.note(
            f"${{{expression}}}",
            f"no CloudFormation equivalent: it became parameter {name}; set it at deploy time",
        )
        return "ref", self._parameter(name, default, f"was ${{{expression}}}")

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
        if not isinstance(self.fargate, dict) or not isinstance(self.fargate.get("tasks"), dict):
            raise MigrationError(
                "no fargate.tasks in this file: it does not use the serverless-fargate plugin"
            )
        fargate, provider = self.fargate, self.provider
        for key in fargate:
            if key not in FARGATE_KEYS:
                self.note(
                    f"fargate.{key}", "not an option of the serverless-fargate plugin: not migrated"
                )

        shared: dict[str, Any] = {}
        for source, target in (("clusterName", "ClusterName"), ("containerInsights", "ContainerInsights"),
                               ("logGroupName", "LogGroupName"), ("logRetentionInDays", "LogRetentionInDays"),
                               ("memory", "Memory"), ("cpu", "Cpu"), ("architecture", "Architecture"),
                               ("executionRoleArn", "ExecutionRoleArn"), ("taskRoleArn", "TaskRoleArn")):  # fmt: skip
            if fargate.get(source) is not None:
                shared[target] = fargate[source]
        if fargate.get("logRetentionInDays") is None:
            self.note(
                "fargate.logRetentionInDays",
                "the plugin kept the tasks' logs forever; they are kept 30 days now: set "
                "LogRetentionInDays (up to 3653) to keep them longer",
            )
        environment = {**(provider.get("environment") or {}), **(fargate.get("environment") or {})}
        if environment:
            shared["Environment"] = environment
        tags = {**(provider.get("tags") or {}), **(fargate.get("tags") or {})}
        if tags:
            shared["Tags"] = tags
        policies = self._policies()
        overrides, sidecars = self._escape_hatches(
            fargate.get("cloudFormationResource"), "fargate.cloudFormationResource"
        )
        if overrides:
            shared["Overrides"] = overrides
        if sidecars:
            shared["Sidecars"] = sidecars
        # The plugin merges provider.vpc and fargate.vpc key by key, then each task's vpc over
        # that, key by key (a task's subnets keep the shared security groups).
        for where, vpc in (("provider.vpc", provider.get("vpc")), ("fargate.vpc", fargate.get("vpc"))):  # fmt: skip
            if isinstance(vpc, dict) and isinstance(self.vpc, dict):
                self.vpc = {**self.vpc, **vpc}
            elif vpc is not None:
                self.vpc, self.vpc_path = vpc, where
        default_network = self._network(self.vpc, self.vpc_path)

        tasks: dict[str, Any] = {}
        own_roles = []
        for key, task in fargate["tasks"].items():
            name, migrated, network = self._task(key, task or {}, default_network)
            if migrated.get("TaskRoleArn") or (
                shared.get("TaskRoleArn") and "TaskRoleArn" not in migrated
            ):
                own_roles.append(name)
            if network != default_network:
                # The plugin's task-level vpc: the task's own Network, replacing the whole map.
                migrated["Network"] = network
            tasks[name] = migrated

        if policies:
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
            if len(fargate["tasks"]) > 1 and not shared.get("TaskRoleArn"):
                self.note(
                    "fargate.tasks",
                    "the plugin shared one IAM role between all tasks; now each "
                    "task has its own role with these Policies: narrow each task's Policies to "
                    "what it needs",
                )

        properties = dict(shared)
        if default_network is not None:
            properties["Network"] = default_network
        properties["Tasks"] = tasks
        resources: dict[str, Any] = {
            "Fargate": {"Type": "Fargate::Tasks", "Properties": properties}
        }

        own = self.config.get("resources")
        own = own if isinstance(own, dict) else {}
        for key, value in (own.get("Resources") or {}).items():
            if key in resources:
                self.note(f"resources.Resources.{key}", "clashes with the declaration: renamed?")
                continue
            resources[key] = value  # the service's own CloudFormation, as written
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
        self._list_parameters(resources)
        conditions = own.get("Conditions") if isinstance(own.get("Conditions"), dict) else None
        outputs = own.get("Outputs") if isinstance(own.get("Outputs"), dict) else None
        conditions = self.resolve(conditions, "resources.Conditions") if conditions else None
        outputs = self.resolve(outputs, "resources.Outputs") if outputs else None
        template: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": ["ServerlessFargate", "AWS::Serverless-2016-10-31"],
            "Description": f"Fargate tasks of {self.config.get('service', 'the service')}, migrated "
            "from the serverless-fargate plugin",
        }
        if self.parameters:
            template["Parameters"] = self.parameters
        if conditions:
            template["Conditions"] = conditions
        template["Resources"] = resources
        if outputs:
            template["Outputs"] = outputs
        for section in own:
            if section not in ("Resources", "Outputs", "Conditions"):
                self.note(f"resources.{section}", "not migrated: copy it by hand if needed")
        return template

    def _list_parameters(self, resources: dict[str, Any]) -> None:
        """A parameter standing for a whole subnet or security group list takes a list."""
        declaration = resources["Fargate"]["Properties"]
        networks = [declaration.get("Network")] + [
            t.get("Network") for t in declaration["Tasks"].values() if isinstance(t, dict)
        ]
        kinds = {"Subnets": "List<AWS::EC2::Subnet::Id>", "SecurityGroups": "List<AWS::EC2::SecurityGroup::Id>"}  # fmt: skip
        for network in networks:
            for key, kind in kinds.items():
                value = (network or {}).get(key)
                if isinstance(value, dict) and value.get("Ref") in self.parameters:
                    self.parameters[value["Ref"]]["Type"] = kind

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
        fargate = fargate or {}
        statements = [
            *(role.get("statements") or []),
            *(provider.get("iamRoleStatements") or []),
            *(fargate.get("iamRoleStatements") or []),
        ]
        managed = [
            *(role.get("managedPolicies") or []),
            *(provider.get("iamManagedPolicies") or []),
            *(fargate.get("iamManagedPolicies") or []),
        ]
        return [*managed, *statements]

    def _network(self, vpc: Any, path: str) -> dict[str, Any] | None:
        """The plugin's vpc as a Network; any shape it cannot read is said, never dropped."""
        if vpc is None:
            return None
        if isinstance(vpc, dict):
            # subnets/securityGroups: the keys of the plugin author's first examples.
            subnets = vpc.get("subnetIds", vpc.get("subnets"))
            groups = vpc.get("securityGroupIds", vpc.get("securityGroups"))
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

    def _image(self, image: Any, path: str) -> Any:
        images = (self.provider.get("ecr") or {}).get("images") or {}
        if isinstance(image, str) and image in images:
            name = pascal_case(re.sub(r"[^A-Za-z0-9]+", "-", image)) + "ImageUri"
            built = images[image] or {}
            if isinstance(built, str):  # `NAME: URI`, which the framework also accepts
                built = {"uri": built}
            if self.keep_variables:
                return self._framework_image(image, built)
            folder = str(built.get("path", ".")).rstrip("/") or "."
            source = built.get("uri") or f"built from {folder}/{built.get('file', 'Dockerfile')}"
            self._parameter(
                name,
                built.get("uri"),
                f"Image '{image}' ({source}); push it to ECR and pass its URI",
            )
            if not built.get("uri"):
                self.note(
                    f"provider.ecr.images.{image}",
                    f"image '{image}' was built by the Serverless Framework: build and push "
                    f"it (docker build, docker push), then pass its URI as parameter {name}, or use "
                    "Image: {Function: <an image function of your SAM template>}",
                )
            return {"Ref": name}
        if isinstance(image, str) and "/" in image or self.keep_variables:
            return image
        name = "TaskImageUri"
        self.note(
            path, f"image {image!r} is not in provider.ecr.images: it became parameter {name}"
        )
        self._parameter(name, None, f"Image for {image}")
        return {"Ref": name}

    def _depends_on(self, target: Any, path: str) -> Any:
        """The plugin's logical ID of another task (`WorkerTask`, `WorkerService`,
        `WorkerScheduledTask`) as ours; anything else as written."""
        tasks = (self.fargate or {}).get("tasks") or {}
        for key, task in tasks.items():
            name = pascal_case(str((task or {}).get("name") or key))
            for theirs, ours in (("ScheduledTask", "Schedule"), ("Task", "TaskDefinition"), ("Service", "Service")):  # fmt: skip
                if target == f"{name}{theirs}":
                    mapped = f"Fargate{name}{ours}"
                    self.note(path, f"{target} (the plugin's ID) is {mapped} now")
                    return mapped
        return target

    def _framework_image(self, image: str, built: dict[str, Any]) -> Any:
        """In serverless.yml: the URI, or a variable the framework reads from the environment."""
        if built.get("uri"):
            return built["uri"]
        variable = re.sub(r"[^A-Za-z0-9]+", "_", image).upper() + "_IMAGE_URI"
        self.note(
            f"provider.ecr.images.{image}",
            f"the framework builds image '{image}' for functions only: push it and pass its URI "
            f"in the environment variable {variable} when packaging",
        )
        return "${env:" + variable + "}"

    def _task(self, key: str, task: dict[str, Any], default_network: Any) -> tuple[str, dict, Any]:
        path = f"fargate.tasks.{key}"
        for option in task:
            if option not in TASK_KEYS:
                self.note(
                    f"{path}.{option}",
                    "not an option of the serverless-fargate plugin: not migrated",
                )
        name = task.get("name") or key
        if not TASK_KEY.match(name):
            self.note(
                f"{path}.name", f"{name!r} is not a valid task key here: {key!r} is used instead"
            )
            name = key
        elif name != key:
            self.note(f"{path}.name", f"the task is keyed {name!r}, the plugin's name for it")
        out: dict[str, Any] = {}
        if "image" in task:
            out["Image"] = self._image(task["image"], f"{path}.image")
        for source, target in (("command", "Command"), ("entryPoint", "EntryPoint"), ("memory", "Memory"),
                               ("cpu", "Cpu"), ("architecture", "Architecture"),
                               ("executionRoleArn", "ExecutionRoleArn"), ("taskRoleArn", "TaskRoleArn"),
                               ("environment", "Environment"), ("tags", "Tags"), ("dependsOn", "DependsOn")):  # fmt: skip
            if task.get(source) not in (None, [], {}):
                out[target] = task[source]
        if isinstance(out.get("DependsOn"), str):
            out["DependsOn"] = [out["DependsOn"]]
        if isinstance(out.get("DependsOn"), list):
            out["DependsOn"] = [self._depends_on(t, f"{path}.dependsOn") for t in out["DependsOn"]]
        for option, target in (("command", "Command"), ("entryPoint", "EntryPoint")):
            value = out.get(target)
            if isinstance(value, str):
                # ECS takes a list; the plugin passed a string as one argument. Split as a shell.
                out[target] = shlex.split(value)
                self.note(
                    f"{path}.{option}",
                    f"a string: split into {out[target]!r}; check the arguments",
                )
            elif isinstance(value, list):
                out[target] = [v if isinstance(v, (str, dict)) else str(v) for v in value]
        standalone = task.get("service") is False
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
                self.note(
                    f"{path}.service",
                    "the plugin ignored service: on a scheduled task (its runs "
                    "were on-demand, one at a time)"
                    + (
                        "; service.spot is kept: runs now use Fargate Spot, with fallback to on-demand"
                        if service.get("spot")
                        else ""
                    )
                    + (
                        "; desiredCount and deployment percentages have no meaning for schedules and are dropped"
                        if set(service) - {"spot", "strict"}
                        else ""
                    ),
                )
        elif standalone:
            # The plugin makes only a task definition for it (a migration, a one-off job).
            out["Service"] = False
        else:
            config: dict[str, Any] = {}
            strict = service.get("strict") is True
            for source, target in (("desiredCount", "DesiredCount"), ("maximumPercent", "MaximumPercent"),
                                   ("minimumHealthyPercent", "MinimumHealthyPercent")):  # fmt: skip
                if service.get(source) is not None:
                    config[target] = service[source]
            if strict:  # the plugin's "strict" mode: never two tasks at once
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
        overrides, sidecars = self._escape_hatches(
            task.get("cloudFormationResource"), f"{path}.cloudFormationResource"
        )
        if (
            "Service" in overrides
            and out.get("Service") is False
            or ("Service" in overrides and task.get("schedule"))
        ):
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


def migrate(config: Any) -> tuple[dict[str, Any], list[str]]:
    """(SAM template, notes) for a parsed serverless.yml; raises MigrationError if unusable."""
    if not isinstance(config, dict):
        raise MigrationError("not a Serverless Framework service (expected a map)")
    migration = _Migration(config)
    return migration.run(), migration.notes


def render(template: dict[str, Any], notes: list[str], source: str) -> str:
    """YAML with the notes as comments at the top."""
    from . import cfn_yaml

    header = [f"# Migrated from {source} by `serverless-fargate migrate`.",
              "# Deploy: sam deploy --guided --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"]  # fmt: skip
    if notes:
        header.append("# Review these before deploying:")
        header += [f"#   - {note}" for note in notes]
    return "\n".join(header) + "\n" + cfn_yaml.dump(template)


def to_serverless(text: str) -> tuple[str, list[str]]:
    """The service's serverless.yml, using the transform instead of the plugin: the plugin out
    of `plugins`, the `fargate:` block out, `resources.Transform` (merged) and one
    `Fargate::Tasks` resource in. Comments and key order survive (ruamel.yaml round trip);
    Serverless variables stay for the framework to resolve."""
    from io import StringIO

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from . import cfn_yaml

    config = cfn_yaml.load(text)
    if not isinstance(config, dict):
        raise MigrationError("not a Serverless Framework service (expected a map)")
    migration = _Migration(config, keep_variables=True)
    declaration = migration.run()["Resources"]["Fargate"]

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long value (an image URI) onto a line of its own
    yaml.indent(mapping=2, sequence=4, offset=2)  # `  - item`, as serverless.yml files write
    data = yaml.load(text)
    plugins = data.get("plugins")
    modules = plugins.get("modules") if isinstance(plugins, dict) else plugins
    if isinstance(modules, list) and "serverless-fargate" in modules:
        modules.remove("serverless-fargate")
        if not modules:
            del data["plugins"]
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
    if "Fargate" in resources["Resources"]:
        raise MigrationError("resources.Resources already has a resource named Fargate")
    resources["Resources"]["Fargate"] = declaration
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue(), migration.notes

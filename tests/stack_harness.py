"""Moto's CloudFormation stack update, made as strict as AWS's where an in-place migration
depends on it. Each difference from moto 5.2.5 follows a documented behaviour:

- Order. "During stack update operations, if CloudFormation needs to replace an existing
  resource, it first creates a new resource and then deletes the old resource"; resources
  removed from the template are deleted last, in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-monitor-stack.html).
  Moto deletes removed resources first, which would let a new resource take a name the old
  one still holds: here removal comes last, and a new resource whose explicit name an existing
  resource of the stack holds fails the update, as it does in AWS.
- Updates with no interruption keep the physical resource
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html):
  AWS::Logs::LogGroup and AWS::ECS::Cluster are replaced only when LogGroupName or ClusterName
  changes (their CloudFormation references). Moto drops a log group from the stack on update
  and replaces a cluster whose name was generated.
- A resource removed from the template is deleted (moto leaves an ECS service active).
- DeletionPolicy: Retain keeps a resource removed from the template (the DeletionPolicy
  attribute's reference); moto deletes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.ecs.models import ecs_backends
from moto.logs.models import logs_backends

# The property that names each resource type, where it has one the template may set.
NAME_PROPERTIES = {
    "AWS::ECS::Cluster": "ClusterName",
    "AWS::ECS::Service": "ServiceName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Events::Rule": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::S3::Bucket": "BucketName",
}
# Types updated in place (no interruption) unless their name property changes.
IN_PLACE = {"AWS::Logs::LogGroup", "AWS::ECS::Cluster"}

_ATTEMPTS = parsing.MAX_UPDATE_ATTEMPTS


def _name(resources: parsing.ResourceMap, resource: dict[str, Any]) -> Any:
    prop = NAME_PROPERTIES.get(resource.get("Type", ""))
    value = (resource.get("Properties") or {}).get(prop) if prop else None
    if value is None:
        return None
    named = parsing.clean_json(value, resources)
    if resource["Type"] == "AWS::ECS::Service":  # unique within its cluster
        cluster = parsing.clean_json(resource["Properties"].get("Cluster"), resources)
        return (cluster, named)
    return named


def _retry(names: list[str], action: Any) -> None:
    """Moto's passes: what fails on a dependency is tried again in the next pass."""
    error: Exception | None = None
    for _ in range(_ATTEMPTS):
        for name in names.copy():
            try:
                action(name)
            except Exception as failure:  # a dependency not done yet: try again
                error = failure
            else:
                names.remove(name)
        if not names:
            return
    assert error is not None
    raise error


def _update(self: parsing.ResourceMap, template: dict[str, Any], parameters: Any = None) -> None:
    actions = self.build_resource_diff(template, parameters)
    old = dict(self._resource_json_map)
    old_names = {name: _name(self, old[name]) for name in old if name in self._parsed_resources}
    taken = {(old[n]["Type"], named): n for n, named in old_names.items() if named is not None}

    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = template["Resources"]
    kept = {
        name
        for name in actions["Modify"]
        if old[name]["Type"] in IN_PLACE
        and template["Resources"][name]["Type"] == old[name]["Type"]
        and old_names.get(name) == _name(self, template["Resources"][name])
    }

    for name in actions["Add"]:
        resource = template["Resources"][name]
        holder = taken.get((resource["Type"], _name(self, resource)))
        if holder is not None:
            raise ValidationError(
                message=f"{name}: {_name(self, resource)} already exists in stack (held by "
                f"{holder}, which the update deletes only after creating its new resources)"
            )
        _ = self[name]

    def modify(name: str) -> None:
        if name in kept:
            self._keep(name, template["Resources"][name])
            return
        self._parsed_resources[name] = parsing.parse_and_update_resource(
            name, template["Resources"][name], self, self._account_id, self._region_name
        )

    _retry([n for n in actions["Modify"]], modify)

    def remove(name: str) -> None:
        if old[name].get("DeletionPolicy") == "Retain":
            self._parsed_resources.pop(name, None)
            return
        resource = self._parsed_resources.pop(name, None)
        if old[name]["Type"] == "AWS::ECS::Service" and resource is not None:
            # Moto leaves a removed service running; CloudFormation deletes it.
            ecs = ecs_backends[self._account_id][self._region_name]
            ecs.delete_service(resource.cluster_name, resource.name, force=True)
        elif resource is not None:
            self._delete_resource(resource, old[name])

    _retry(list(actions["Remove"]), remove)


def _keep(self: parsing.ResourceMap, name: str, resource: dict[str, Any]) -> None:
    """An update with no interruption: same physical resource, new settings applied."""
    current = self._parsed_resources[name]
    properties = parsing.clean_json(resource.get("Properties") or {}, self)
    if resource["Type"] == "AWS::Logs::LogGroup":
        backend = logs_backends[self._account_id][self._region_name]
        if properties.get("RetentionInDays") is not None:
            backend.put_retention_policy(current.name, int(properties["RetentionInDays"]))
        else:
            backend.delete_retention_policy(current.name)


@contextlib.contextmanager
def strict_updates() -> Iterator[None]:
    """Inside: moto's stack updates follow AWS's order and in-place rules (see above)."""
    original = parsing.ResourceMap.update
    parsing.ResourceMap.update = _update  # type: ignore[method-assign]
    parsing.ResourceMap._keep = _keep  # type: ignore[attr-defined]
    try:
        yield
    finally:
        parsing.ResourceMap.update = original  # type: ignore[method-assign]
        del parsing.ResourceMap._keep  # type: ignore[attr-defined]

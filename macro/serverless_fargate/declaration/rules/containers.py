"""Containers, ports, volumes and networks of a task."""

from __future__ import annotations

from ...errors import Problem, join_path
from .. import fields
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule(
    "container.names",
    "Container names are unique in a task (the main one is the task key)",
    reads=("Sidecars",),
)
def unique_names(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    names = {t.key}
    sidecars = t.get("Sidecars")
    for index, sidecar in enumerate(sidecars if isinstance(sidecars, list) else []):
        name = sidecar.get("Name") if isinstance(sidecar, dict) else None
        if not isinstance(name, str):
            continue
        if name in names:
            yield Problem(
                join_path(t.path, "Sidecars", index, "Name"),
                f"container name {name!r} is already used"
                + (" by the main container (the task key)" if name == t.key else ""),
            )
        names.add(name)


@rule("container.ports", "A port and protocol are mapped once", reads=("PortMappings",))
def unique_ports(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    seen: set[tuple[object, object]] = set()
    ports = t.get("PortMappings")
    for index, port in enumerate(ports if isinstance(ports, list) else []):
        number = port.get("ContainerPort") if isinstance(port, dict) else port
        default = fields.PORT["Protocol"].default
        protocol = port.get("Protocol", default) if isinstance(port, dict) else default
        if not isinstance(number, int) or not isinstance(protocol, str):
            continue  # the schema refused it
        if (number, protocol) in seen:
            yield Problem(
                join_path(t.where("PortMappings"), index),
                f"port {number}/{protocol} is already mapped",
            )
        seen.add((number, protocol))


@rule("volume.access-point", "An EFS access point sets the directory itself", reads=("Volumes",))
def access_point_directory(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    volumes = t.get("Volumes")
    for name, volume in (volumes if isinstance(volumes, dict) else {}).items():
        if (
            isinstance(volume, dict)
            and volume.get("AccessPointId") is not None
            and volume.get("RootDirectory") not in (None, "/")
        ):
            yield Problem(
                join_path(t.where("Volumes"), name, "RootDirectory"),
                "with AccessPointId the access point sets the directory: remove RootDirectory "
                "(or give it as the access point's root directory)",
            )


@rule("network.subnets", "A Network with Subnets lists at least one", reads=("Network",))
def some_subnet(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    network = t.get("Network")
    if isinstance(network, dict) and network.get("Subnets") == []:
        yield Problem(
            join_path(t.where("Network"), "Subnets"),
            "must list at least one subnet (or leave Network out to use the default VPC)",
        )

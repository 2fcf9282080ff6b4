"""Read CloudFormation YAML (short-form tags such as !Ref, !Sub, !GetAtt) and write it back."""

from __future__ import annotations

from typing import Any

import yaml

_SCALAR_TAGS = {"Ref": "Ref", "Condition": "Condition"}


class CfnLoader(yaml.SafeLoader):
    """SafeLoader plus CloudFormation tags; dates stay strings, as CloudFormation reads them."""


# CloudFormation keeps `2010-09-09` a string; YAML 1.1 would make it a date.
CfnLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = _SCALAR_TAGS.get(suffix, f"Fn::{suffix}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - YAML has no other node kind
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node {node!r}")
    return {name: value}


CfnLoader.add_multi_constructor("!", _construct)


def load(text: str) -> Any:
    """A template from YAML or JSON text (JSON is YAML)."""
    return yaml.load(text, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # generated resources share objects; CloudFormation wants them written out


def dump(template: Any) -> str:
    return yaml.dump(template, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)

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


def _refuse(loader: CfnLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"!!{node.tag.rsplit(':', 1)[-1]} is not a CloudFormation value (text, numbers, "
        "true/false, null, lists and maps)",
        node.start_mark,
    )


# YAML types JSON has no form for: no template can hold them.
for _tag in ("binary", "set", "omap", "pairs"):
    CfnLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)


# A template is at most 1 MB; this many nodes, aliases expanded, is far beyond any real one.
MAX_NODES = 1_000_000


class TooLarge(yaml.YAMLError):
    """The document would expand to more nodes than any template has (a YAML alias bomb)."""


def load(text: str) -> Any:
    """A template from YAML or JSON text (JSON is YAML); refuses documents whose aliases
    would expand them past MAX_NODES before building anything."""
    loader = CfnLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node)
        if size > MAX_NODES:
            raise TooLarge(
                f"the document would expand to over {MAX_NODES} values through YAML aliases "
                "(&anchor/*alias); no template is that large"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(root: yaml.Node) -> int:
    """Node count with every alias expanded, without recursion; shared nodes counted once each
    time they are referenced, computed once (so the count itself is cheap)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if done or not children:
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            sizes[id(node)] = min(total, MAX_NODES + 1)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # generated resources share objects; CloudFormation wants them written out


def dump(template: Any) -> str:
    return yaml.dump(template, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)

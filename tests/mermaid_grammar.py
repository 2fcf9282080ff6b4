"""A strict check of the Mermaid flowchart subset `plan --format mermaid` writes.

Mermaid itself (tests/mermaid, with jsdom) parses the examples' charts when node is set up;
this check runs everywhere, against Mermaid's flowchart syntax
(https://mermaid.js.org/syntax/flowchart.html) and more strictly than Mermaid: anything outside
the subset is an error (docs/decisions.md).

    flowchart LR
    subgraph ID["TEXT"]  ...  end          (not nested)
    ID["TEXT"]  |  ID("TEXT")  |  ID[("TEXT")]
    ID -->|LABEL| ID
ID: letters, digits, `_`; never a Mermaid keyword; each node declared once, before or after
the edges that use it (Mermaid allows both), but every edge's ends must be declared. TEXT: no
`"`; `<br/>` is the only tag. LABEL: letters, digits, spaces and `_ , . -`.
"""

from __future__ import annotations

import re

KEYWORDS = {
    "end",
    "graph",
    "flowchart",
    "subgraph",
    "style",
    "classdef",
    "class",
    "click",
    "linkstyle",
    "direction",
    "default",
}
_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_TEXT = r'"(?:[^"<>]|<br/>)*"'
_NODE = re.compile(rf"^(?P<id>{_ID})(?:\[{_TEXT}\]|\({_TEXT}\)|\[\({_TEXT}\)\])$")
_SUBGRAPH = re.compile(rf"^subgraph (?P<id>{_ID})\[{_TEXT}\]$")
_EDGE = re.compile(rf"^(?P<a>{_ID}) -->\|(?P<label>[A-Za-z0-9 _,.-]+)\| (?P<b>{_ID})$")


def problems(text: str) -> list[str]:
    """Every way `text` is outside the subset, as 'line N: ...'; [] when it is inside."""
    found: list[str] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != "flowchart LR":
        found.append("line 1: must be 'flowchart LR'")
    nodes: set[str] = set()
    groups: set[str] = set()
    edges: list[tuple[int, str, str]] = []
    open_group: str | None = None
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not line:
            continue
        if line == "end":
            if open_group is None:
                found.append(f"line {number}: 'end' without a subgraph")
            open_group = None
            continue
        if match := _SUBGRAPH.match(line):
            if open_group is not None:
                found.append(f"line {number}: subgraph inside subgraph {open_group}")
            open_group = match["id"]
            found += _id_problems(number, open_group, groups | nodes)
            groups.add(open_group)
            continue
        if match := _NODE.match(line):
            found += _id_problems(number, match["id"], nodes | groups)
            nodes.add(match["id"])
            continue
        if match := _EDGE.match(line):
            edges.append((number, match["a"], match["b"]))
            continue
        found.append(f"line {number}: not a node, edge, subgraph or end: {line!r}")
    if open_group is not None:
        found.append(f"subgraph {open_group} has no 'end'")
    for number, a, b in edges:
        for end in (a, b):
            if end not in nodes:
                found.append(f"line {number}: {end} is not a declared node")
    return found


def _id_problems(number: int, name: str, taken: set[str]) -> list[str]:
    out = []
    if name.lower() in KEYWORDS:
        out.append(f"line {number}: {name} is a Mermaid keyword")
    if name in taken:
        out.append(f"line {number}: {name} is declared twice")
    return out

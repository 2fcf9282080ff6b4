"""cfn-lint integration: plain `cfn-lint` understands raw templates that use the transform.

`serverless-fargate lint-setup` prints a `.cfnlintrc` naming two directories of this package:
- `schemas/`: a resource provider schema for `Fargate::Tasks` (`registry_schemas`), so cfn-lint
  knows the type (no E3006);
- `rules/`: cfn-lint rules (`append_rules`) that run this project's own validation and report
  each problem at the line of the offending property (E9100), and lint what a valid
  declaration expands to with cfn-lint's own rules, reported at the declaration (E9101).

Nothing here is imported by the macro: only cfn-lint loads it.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
RULES = HERE / "rules"


def config(version: str) -> str:
    """The `.cfnlintrc` (YAML) for this installation."""
    return (
        "# cfn-lint settings for templates with Transform: ServerlessFargate.\n"
        f"# Written by `serverless-fargate lint-setup` ({version}); run it again after an\n"
        "# upgrade or a reinstall, as the paths point into the installed package.\n"
        "registry_schemas:\n"
        f"  - {SCHEMAS}\n"
        "append_rules:\n"
        f"  - {RULES}\n"
    )

"""cfn-lint loads this file from `append_rules` (see serverless_fargate/lint/__init__.py).

cfn-lint may run from another environment (pipx, the editor's): the directory holding the
`serverless_fargate` package is added at the end of the path, so cfn-lint's own packages win
and only ours is found there.
"""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)

from serverless_fargate.lint.rule import (  # noqa: E402
    FargateTasksExpansion,
    FargateTasksValid,
)

__all__ = ["FargateTasksExpansion", "FargateTasksValid"]

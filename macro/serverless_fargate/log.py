"""Structured JSON log lines in AWS Lambda Powertools' shape, without its import cost.

The macro runs in every deploy's path; importing Powertools' Logger costs about 50 ms of cold
start (measured with `python -X importtime`), most of the budget. The lookup Lambda uses
Powertools itself; both write the same keys (level, location, message, timestamp, service, and
any extra keys), so one CloudWatch Logs Insights query reads both.
"""

from __future__ import annotations

import json
import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}


class Logger:
    def __init__(self, service: str) -> None:
        self.service = os.environ.get("POWERTOOLS_SERVICE_NAME", service)
        level = os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO").upper()
        self.level = LEVELS.get(level, 20)

    def _emit(self, level: str, message: str, extra: dict[str, Any] | None, trace: bool) -> None:
        if LEVELS[level] < self.level:
            return
        frame = sys._getframe(2)
        now = time.time()
        line: dict[str, Any] = {
            "level": level,
            "location": f"{frame.f_code.co_name}:{frame.f_lineno}",
            "message": message,
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
            + f",{int(now % 1 * 1000):03d}+0000",
            "service": self.service,
            **(extra or {}),
        }
        if trace:
            import traceback  # only on the error path: it costs ~5 ms to import

            line["exception"] = traceback.format_exc()
        sys.stdout.write(json.dumps(line, default=str) + "\n")

    def info(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._emit("INFO", message, extra, False)

    def exception(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._emit("ERROR", message, extra, True)

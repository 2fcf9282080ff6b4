"""Log lines of ECS tasks as they arrive (awslogs streams in the declaration's log group)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TextIO

from .aws import Aws


class Tail:
    """Follows one task's main-container stream from its first line."""

    def __init__(self, aws: Aws, group: str, stream: str, out: TextIO, label: str = "") -> None:
        self.aws, self.group, self.stream, self.out, self.label = aws, group, stream, out, label
        self._token: str | None = None

    def poll(self) -> int:
        """Print what is new; how many lines. A stream not there yet (the task is starting)
        has no lines."""
        from botocore.exceptions import ClientError

        printed = 0
        while True:
            kwargs: dict[str, Any] = {
                "logGroupName": self.group,
                "logStreamName": self.stream,
                "startFromHead": True,
            }
            if self._token:
                kwargs["nextToken"] = self._token
            try:
                page = self.aws("logs").get_log_events(**kwargs)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    return printed
                raise
            for event in page.get("events", []):
                self.out.write(f"{self.label}{event['message'].rstrip()}\n")
                printed += 1
            self.out.flush()
            token = page.get("nextForwardToken")
            if not token or token == self._token:
                return printed
            self._token = token


def timestamp(milliseconds: int) -> str:
    return (
        datetime.fromtimestamp(milliseconds / 1000, UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )

"""boto3 clients with standard retries, so throttling is retried rather than failing a deploy."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

RETRIES = Config(
    retries={"mode": "standard", "max_attempts": 6}, connect_timeout=5, read_timeout=20
)


@lru_cache(maxsize=32)
def client(service: str, region: str | None = None) -> Any:
    return boto3.client(service, region_name=region, config=RETRIES)

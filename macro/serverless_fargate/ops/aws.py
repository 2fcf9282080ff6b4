"""The AWS client wrapper every day-two command talks through: one client per service,
throttling retried with backoff, and every failure an `OpsError` whose message says what to do
and whose code says what kind it is (errors.py). boto3 is imported only by ops/, never by the
macro.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .errors import AWS_FAILED, CREDENTIALS, NOT_FOUND, USAGE, OpsError

# Error codes of a refusal: the message names the IAM action (signing name:operation).
ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
# Error codes of credentials AWS does not accept.
CREDENTIALS_REJECTED = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
}
# botocore's "adaptive" mode retries throttling and server errors with exponential backoff
# and also slows the client's own rate after a throttle: `status` and `logs --follow` make
# their calls concurrently or in rounds, where a quota such as FilterLogEvents' 5 per second
# is reached first ("Retry behavior", AWS SDKs and Tools Reference Guide).
RETRIES = {"mode": "adaptive", "total_max_attempts": 8}
# A service's IAM action prefix where it is not its signing name (CloudWatch signs as
# `monitoring`; its actions are `cloudwatch:...`, Service Authorization Reference).
IAM_PREFIX = {"monitoring": "cloudwatch"}
CONNECT_TIMEOUT = 10  # seconds; then the network is down or the endpoint wrong


class Client:
    """A boto3 client whose refusals, missing credentials and lost connections become
    OpsErrors."""

    def __init__(self, client: Any, region: str) -> None:
        self._client = client
        self._service = client.meta.service_model.signing_name
        self._region = region

    @property
    def meta(self) -> Any:
        """The boto3 client's own (region, endpoint)."""
        return self._client.meta

    def __getattr__(self, operation: str) -> Any:
        method = getattr(self._client, operation)

        def call(**kwargs: Any) -> Any:
            return self.translated(method, **kwargs)

        return call

    def pages(self, operation: str, key: str, limit: int | None = None, **kwargs: Any) -> list[Any]:
        """Every item under `key` of every page, or of the first `limit` pages (for lists
        newest first, where only the latest matter)."""
        return self.first_pages(operation, key, limit, **kwargs)[0]

    def first_pages(
        self,
        operation: str,
        key: str,
        limit: int | None = None,
        until: Callable[[list[Any]], bool] | None = None,
        **kwargs: Any,
    ) -> tuple[list[Any], bool]:
        """(items, whether more pages were left unread): every page, or the first `limit`,
        or until `until(items so far)` holds."""
        paginator = self._client.get_paginator(operation)

        def collect() -> tuple[list[Any], bool]:
            items: list[Any] = []
            for n, page in enumerate(paginator.paginate(**kwargs), start=1):
                items += page.get(key, [])
                if (limit is not None and n >= limit) or (until is not None and until(items)):
                    return items, bool(page.get("nextToken") or page.get("NextToken"))
            return items, False

        return self.translated(collect)

    def translated(self, function: Any, **kwargs: Any) -> Any:
        return translated(self._service, function, self._client.meta, **kwargs)


def translated(service: str, function: Any, meta: Any = None, **kwargs: Any) -> Any:
    from botocore.exceptions import (
        ClientError,
        HTTPClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )
    from botocore.exceptions import ConnectionError as BotoConnectionError

    try:
        return function(**kwargs)
    except (NoCredentialsError, PartialCredentialsError) as error:
        raise OpsError(
            f"no AWS credentials ({error}). Set AWS_PROFILE or pass --profile, run "
            "`aws configure` or `aws sso login`, or export AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY.",
            CREDENTIALS,
        ) from None
    except NoRegionError:
        raise OpsError("no AWS region: pass --region or set AWS_REGION.", USAGE) from None
    except (BotoConnectionError, HTTPClientError) as error:
        # Raised on this machine (DNS, connection refused, timeout, TLS, proxy): AWS said
        # nothing. botocore has already retried it.
        endpoint = getattr(meta, "endpoint_url", None) or "AWS"
        region = getattr(meta, "region_name", None) or "?"
        lost = OpsError(
            f"cannot reach {endpoint} ({type(error).__name__}: {error}). Check your network "
            f"or VPN, the region ({region}: --region, AWS_REGION), and any endpoint setting "
            "(AWS_ENDPOINT_URL, endpoint_url in your AWS config) or proxy.",
            AWS_FAILED,
        )
        lost.connection = True
        raise lost from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in CREDENTIALS_REJECTED:
            raise OpsError(
                f"AWS does not accept your credentials ({code}): they are expired or wrong. "
                "Refresh them (`aws sso login`, new keys) or use another --profile.",
                CREDENTIALS,
            ) from None
        if code in ACCESS_DENIED or status == 403 or "not authorized to perform" in str(error):
            action = f"{IAM_PREFIX.get(service, service)}:{error.operation_name}"
            raise OpsError(
                f"access denied: {action} was refused. Ask for {action} on this "
                "stack's resources, or use a profile that has it (--profile).",
                CREDENTIALS,
            ) from None
        raise


def aws_said(error: Exception) -> OpsError:
    """An AWS error nobody handled more precisely, as one line."""
    return OpsError(f"AWS said: {error}", AWS_FAILED)


def session(region: str | None, profile: str | None) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(region_name=region, profile_name=profile)
    except ProfileNotFound:
        raise OpsError(
            f"profile {profile!r} is not in your AWS config: check --profile "
            "(`aws configure list-profiles` lists them).",
            NOT_FOUND,
        ) from None


class Aws:
    """One client per service for one command, every call through `Client`. Safe to share
    between threads: boto3 clients are, and they are made under a lock (sessions are not)."""

    def __init__(self, boto_session: Any) -> None:
        if not boto_session.region_name:
            raise OpsError("no AWS region: pass --region or set AWS_REGION.", USAGE)
        self.session = boto_session
        self.region: str = boto_session.region_name
        self._clients: dict[str, Client] = {}
        self._lock = threading.Lock()
        self.definitions: dict[str, dict[str, Any]] = {}  # workflow ARN → definition
        # API calls made so far through these clients (botocore's before-call: retries not
        # counted): what `status` weighs against its budget.
        self.calls = 0
        self._calls_lock = threading.Lock()

    def _count(self, **kwargs: Any) -> None:
        with self._calls_lock:  # clients are shared by threads
            self.calls += 1

    def __call__(self, service: str) -> Client:
        with self._lock:
            if service not in self._clients:
                from botocore.config import Config

                # AWS_MAX_ATTEMPTS (or max_attempts in the AWS config) wins, as in the CLI.
                retries = {"mode": "adaptive"} if _max_attempts_set(self.session) else RETRIES
                config = Config(
                    retries=dict(retries),  # type: ignore[arg-type]
                    connect_timeout=CONNECT_TIMEOUT,
                    max_pool_connections=16,
                )
                client = self.session.client(service, config=config)
                client.meta.events.register("before-call", self._count)
                self._clients[service] = Client(client, self.region)
            return self._clients[service]


def _max_attempts_set(boto_session: Any) -> bool:
    return boto_session._session.get_config_variable("max_attempts") is not None

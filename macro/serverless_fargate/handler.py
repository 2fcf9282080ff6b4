"""The macro Lambda: CloudFormation's macro protocol around `transform` (a thin adapter).

Always answers `success` with the processed fragment or `failure` with every problem; never
raises, never returns a half-processed template.
"""

from __future__ import annotations

import os

from .errors import InvalidTemplate
from .log import Logger
from .settings import application_function_arn
from .transform import transform

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

logger = Logger(service="serverless-fargate-macro")


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    request_id = event.get("requestId", "") if isinstance(event, dict) else ""
    fragment = event.get("fragment") if isinstance(event, dict) else None
    response: dict[str, Any] = {"requestId": request_id}
    if fragment is None:
        message = "the macro event has no fragment: not a CloudFormation macro event"
        return {**response, "status": "failure", "fragment": None, "errorMessage": message}
    try:
        values = event.get("templateParameterValues")
        parameters = values if isinstance(values, dict) else {}  # transform keeps usable ones
        processed = transform(
            fragment,
            parameters=parameters,
            service_token=os.environ.get("RESOURCES_FUNCTION_ARN") or application_function_arn(),
            nonce=request_id,
            region=_text(event.get("region")),
            account=_text(event.get("accountId")),
        )
    except InvalidTemplate as error:
        message = str(error)
        logger.info(
            "invalid template", extra={"request_id": request_id, "problems": len(error.problems)}
        )
        return {**response, "status": "failure", "fragment": fragment, "errorMessage": message}
    except Exception as error:  # the protocol needs an answer, whatever went wrong
        logger.exception("internal error", extra={"request_id": request_id})
        message = (
            f"ServerlessFargate internal error ({type(error).__name__}: {error}); your template "
            f"was not changed. Please report it with request ID {request_id}."
        )
        return {**response, "status": "failure", "fragment": fragment, "errorMessage": message}
    resources = processed.get("Resources") or {}
    logger.info("expanded", extra={"request_id": request_id, "resources": len(resources)})
    return {**response, "status": "success", "fragment": processed}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

"""Conditional GET for the API: every 200 carries an ETag of its body, and a client that has it gets a 304."""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response

Run = Callable[..., HttpResponseBase]


def conditional(run: Run) -> Run:
    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
            return response
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'  # type: ignore[attr-defined]
        response["ETag"] = etag
        return get_conditional_response(request, etag=etag, response=response) or response  # type: ignore[arg-type]

    return wrapper

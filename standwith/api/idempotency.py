"""Idempotency-Key: a retried write gets the first answer again instead of doing the work twice.

The key's record is written in the same transaction as the work, before it. A
second request with the same key waits on the unique index until the first
commits (PostgreSQL; SQLite takes one writer at a time anyway), then finds the
record and replays its answer. If the work fails, the record goes with it, so a
retry runs it afresh.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from standwith.api.errors import ApiError
from standwith.api.models import ApiToken, IdempotentRequest

HEADER = "Idempotency-Key"
LONGEST_KEY = 255

Answer = tuple[int, dict[str, Any]]


def key_of(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key.strip() or len(key) > LONGEST_KEY or not key.isprintable():
        raise ApiError(
            400,
            "bad_idempotency_key",
            _("An Idempotency-Key is 1 to %(n)d printable characters, unique to each request you mean.")
            % {"n": LONGEST_KEY},
        )
    return key


def once(request: HttpRequest, token: ApiToken, work: Callable[[], Answer]) -> Answer:
    """Run `work` unless a request with the same key ran it; then give that request's answer."""
    key = key_of(request)
    if key is None:
        return work()
    fingerprint = hashlib.sha256(
        b"\0".join([(request.method or "").encode(), request.path.encode(), request.body])
    ).digest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    token=token, key=key, fingerprint=fingerprint, status=0, response={}
                )
        except IntegrityError:
            earlier = IdempotentRequest.objects.get(token=token, key=key)
            if bytes(earlier.fingerprint) != fingerprint:
                raise ApiError(
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was used for a different request. Use a new key for each request."),
                ) from None
            return earlier.status, earlier.response
        status, body = work()
        record.status, record.response = status, body
        record.save(update_fields=["status", "response"])
    return status, body

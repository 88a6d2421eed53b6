"""The proof-of-work challenge (ALTCHA's protocol, solved in the signer's browser), checked on the sign path.

The site hands out challenges signed with its own key (`create`, one HMAC, no
storage), and the petition page's script solves one in the background while
the person fills in the form: it tries counters until a PBKDF2-SHA256 key
derived from the challenge's nonce and the counter starts with the challenge's
prefix. The sign view then takes the solution (`spend`) only if the challenge
is the site's own, unexpired, solved, and not solved before.

Single use is kept by recording each accepted challenge's signature until it
expires: in Redis where there is one (an atomic add), else in the database,
which all the web worker processes of the embedded default share (a
per-process cache would let a solution through once per process).
"""

import math
import time
from datetime import timedelta

import altcha
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from standwith.shield.models import SpentChallenge

FIELD = "altcha"  # the sign form's field that carries the solution
ALGORITHM = "PBKDF2/SHA-256"
# One derived key in 256 starts with a zero byte: the expected number of tries.
KEY_PREFIX = "00"
TRIES = 256
LIFETIME = timedelta(minutes=10)
# A real solution is about 600 characters; anything far longer is not one, and is not even parsed.
MAX_LENGTH = 2000
# Kept a little past expiry, so that web servers whose clocks differ slightly still refuse a replay.
CLOCK_MARGIN_SECONDS = 60


class Refused(Exception):
    """The solution is missing, unreadable, not the site's, wrong, expired or already used."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"proof-of-work solution refused: {reason}")
        self.reason = reason


def create(lifetime: timedelta = LIFETIME) -> dict[str, object]:
    """A new signed challenge, as the JSON the page's script fetches."""
    # CHALLENGE_COMPLEXITY is the expected number of PBKDF2 rounds in all: spread over the expected tries,
    # so that each try is long enough for the browser's native code, not JavaScript, to do most of the work.
    cost = max(1, math.ceil(settings.CHALLENGE_COMPLEXITY / TRIES))
    challenge = altcha.create_challenge(
        ALGORITHM,
        cost,
        key_prefix=KEY_PREFIX,
        expires_at=int(time.time() + lifetime.total_seconds()),
        hmac_secret=settings.CHALLENGE_KEY,
    )
    return challenge.to_dict()


def spend(payload: str) -> None:
    """Accept a solved challenge, once; raise Refused otherwise."""
    if not payload:
        raise Refused("missing")
    if len(payload) > MAX_LENGTH:
        raise Refused("too long")
    try:
        solved = altcha.Payload.from_base64(payload)
    except (ValueError, KeyError, TypeError, RecursionError):
        raise Refused("unreadable") from None
    result = altcha.verify_solution(solved, settings.CHALLENGE_KEY)
    if result.expired:
        raise Refused("expired")
    if result.invalid_signature:
        raise Refused("not the site's")
    if not result.verified:
        raise Refused("wrong")
    # Both are the site's own, under a valid signature.
    signature, expires_at = str(solved.challenge.signature), solved.challenge.parameters.expires_at
    if not isinstance(expires_at, int):
        raise Refused("no expiry")
    if not _record_spent(signature, expires_at + CLOCK_MARGIN_SECONDS):
        raise Refused("used before")


def _record_spent(signature: str, keep_until: int) -> bool:
    """Record a challenge as solved; False if it already was."""
    if settings.REDIS_URL:
        recorded = record_spent_in_cache(signature, keep_until)
        if recorded is not None:
            return recorded
        # Redis did not answer: the database keeps the record meanwhile, so a solution still counts once.
    return record_spent_in_database(signature, keep_until)


def record_spent_in_cache(signature: str, keep_until: int) -> bool | None:
    """An atomic add: True if recorded now, False if recorded before, None if the cache did not answer."""
    key = f"challenge-spent:{signature}"
    if cache.add(key, 1, timeout=max(1, keep_until - int(time.time()))):
        return True
    # The site's cache answers False both for a key that exists and while Redis is unreachable.
    return False if cache.get(key) is not None else None


def record_spent_in_database(signature: str, keep_until: int) -> bool:
    """A row per solved challenge, its signature the primary key: the second insert fails."""
    try:
        with transaction.atomic():
            # Expired records go as new ones come in: one indexed delete, usually of nothing.
            SpentChallenge.objects.filter(expires_at__lt=int(time.time())).delete()
            SpentChallenge.objects.create(signature=signature, expires_at=keep_until)
    except IntegrityError:
        return False
    return True

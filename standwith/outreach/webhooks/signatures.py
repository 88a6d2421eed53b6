"""Signing deliveries, and checking a signature as a receiver should.

The header reads `Standwith-Signature: t=<unix time>,v1=<hex>`, where the hex
is HMAC-SHA256, keyed by the endpoint's secret, of "<t>.<body>". The time is
signed with the body so a recorded delivery cannot be replayed later. This
module uses only Python's standard library, so receivers can copy `verify`.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Standwith-Signature"
EVENT_HEADER = "Standwith-Event"
DELIVERY_HEADER = "Standwith-Delivery"
DEFAULT_TOLERANCE = 300


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={_digest(secret, moment, body)}"


def verify(secret: str, header: str, body: bytes, tolerance: int = DEFAULT_TOLERANCE) -> bool:
    """Whether `header` signs exactly `body` with `secret`, within `tolerance` seconds of now.

    Several v1 values may be given (while a secret is being changed); any one
    matching is enough. Compares in constant time.
    """
    timestamp = None
    candidates = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates or abs(time.time() - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)

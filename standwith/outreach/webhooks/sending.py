"""Posting one delivery over HTTP, with short timeouts and no redirects followed."""

import http.client
import socket
import ssl
from dataclasses import dataclass

from standwith.outreach.webhooks.addresses import RefusedAddress, Target, resolve

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
EXCERPT_BYTES = 500


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str
    excerpt: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the host name resolves to now."""

    def __init__(self, target: Target, address: str) -> None:
        super().__init__(target.host, target.port, timeout=CONNECT_TIMEOUT)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), timeout=CONNECT_TIMEOUT)
        self.sock.settimeout(READ_TIMEOUT)


class _PinnedTLSConnection(_PinnedConnection):
    def connect(self) -> None:
        super().connect()
        # The certificate is checked against the host name, not the address.
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """Post `body` to `url`; a refusal, a network error or a timeout comes back as an Answer too."""
    try:
        target = resolve(url)
    except RefusedAddress as refused:
        return Answer(None, str(refused), "")
    kind = _PinnedTLSConnection if target.scheme == "https" else _PinnedConnection
    connection = kind(target, target.addresses[0])
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": "standwith-webhooks", **headers},
        )
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        return Answer(response.status, "" if 200 <= response.status < 300 else response.reason[:200], excerpt)
    except TimeoutError:
        return Answer(None, "timed out", "")
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, f"{type(error).__name__}: {error}"[:300], "")
    finally:
        connection.close()

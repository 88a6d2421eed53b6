"""Which addresses the site will post to.

An endpoint's address is typed by staff, so it could point the site at its
own network (a database, a cloud's metadata service). Every address it
resolves to must be public, unless STANDWITH_WEBHOOK_ALLOW_PRIVATE says
otherwise (tests, local development); the connection then goes to the
address that was checked, so a second DNS answer cannot swap in another.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class RefusedAddress(Exception):
    """The site will not post here; the message says why, for staff."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def parse(url: str) -> tuple[str, str, int, str]:
    """The scheme, host, port and path of an address the site may post to, or RefusedAddress."""
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise RefusedAddress(_("This is not a valid web address.")) from None
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes:
        raise RefusedAddress(_("The address must start with https://."))
    if not parts.hostname:
        raise RefusedAddress(_("The address has no host name."))
    if parts.username or parts.password:
        raise RefusedAddress(_("The address must not hold a user name or password."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """Where to post `url`: its host's addresses, each checked; RefusedAddress if any is not allowed."""
    scheme, host, port, path = parse(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedAddress(_("The host name %(host)s could not be found.") % {"host": host}) from None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in found))
    if not settings.WEBHOOK_ALLOW_PRIVATE and not all(_public(address) for address in addresses):
        raise RefusedAddress(
            _("%(host)s is on a private or local network; the site only posts to public addresses.") % {"host": host}
        )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)

"""Who the client is, as far as the network can say."""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted_proxies() -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in settings.TRUSTED_PROXIES)


def _is_trusted(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in _trusted_proxies())


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the peer, or what a trusted proxy says it saw.

    A forwarding header is read only when the peer is a configured proxy, and
    from the right: each trusted hop is skipped, and the first address that
    no trusted proxy added is the client. Anything a client wrote further
    left is its own claim and ignored.
    """
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if not _is_trusted(peer):
        return peer or None
    header = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
    hops = [hop.strip() for hop in str(request.META.get(header, "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return peer

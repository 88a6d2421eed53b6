"""Keyed digests: finding a repeat signer or a busy network without storing
who they are.

The key (STANDWITH_DIGEST_KEY) is never stored in the database, so a leaked
dump cannot be matched against a list of addresses or IPs.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def _digest(*parts: str) -> bytes:
    message = "\x00".join(parts).encode()
    return hmac.new(bytes(settings.DIGEST_KEY), message, hashlib.sha256).digest()


def email_digest(petition_id: int, canonical_email: str) -> bytes:
    # The petition is part of the message, so the same person's digests on
    # two petitions do not match: a dump does not link their signatures.
    return _digest("email", str(petition_id), canonical_email)


def _prefix(ip: str, ipv4_bits: int, ipv6_bits: int) -> str | None:
    """The network of `ip` at these lengths (an IPv4 address mapped into IPv6 counts as IPv4)."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    bits = ipv4_bits if address.version == 4 else ipv6_bits
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


def network_prefix(ip: str) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network an address belongs to."""
    return _prefix(ip, 24, 48)


def domain_digest(canonical_email: str) -> bytes:
    """Groups signatures by the domain of their address (a flood from one domain), without storing it."""
    return _digest("domain", canonical_email.rpartition("@")[2])[:16]


def address_digest(ip: str) -> bytes | None:
    """The client's IPv4 address, or its IPv6 /64 (one subscriber may use any address in their /64)."""
    scope = _prefix(ip, 32, 64)
    return _digest("address", scope)[:16] if scope else None


def network_digest(ip: str) -> bytes | None:
    prefix = network_prefix(ip)
    return _digest("network", prefix)[:16] if prefix else None

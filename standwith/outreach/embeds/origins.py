"""The websites allowed to frame an embed, as Content-Security-Policy `frame-ancestors` sources.

Staff paste addresses as they find them in a browser; each is cut down to an
origin (scheme, host and port) or refused with the reason. What reaches the
header is rebuilt from checked parts, so no pasted text can add a directive
to the policy or widen it past the partner's own sites.
"""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Enough for a partner's sites in several languages; the header stays short.
MAX_ORIGINS = 20
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origins(text: str) -> list[str]:
    """The origins written one a line, normalised and without repeats; ValidationError naming the first bad one."""
    origins: list[str] = []
    for line in text.splitlines():
        if line.strip():
            origin = normalise_origin(line)
            if origin not in origins:
                origins.append(origin)
    if not origins:
        raise ValidationError(
            _("Please list at least one website address, such as https://www.example.org."), code="required"
        )
    if len(origins) > MAX_ORIGINS:
        raise ValidationError(
            _("Please list at most %(max)d website addresses.") % {"max": MAX_ORIGINS}, code="too_many"
        )
    return origins


def normalise_origin(raw: str) -> str:
    text = raw.strip()

    def refuse(reason: str) -> ValidationError:
        return ValidationError(
            _("“%(origin)s” cannot frame the petition: %(reason)s") % {"origin": text[:200], "reason": reason},
            code="invalid_origin",
        )

    # Spaces, semicolons, commas and quotes would end the source or the directive in the header.
    if any(character.isspace() or character in ";,'\"\\" for character in text):
        raise refuse(_("a website address has no spaces, commas, semicolons or quotes."))
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not text.lower().startswith(f"{scheme}://"):
        raise refuse(_("start it with https:// (or http://)."))
    if "@" in parts.netloc:
        raise refuse(_("a website address has no user name or password in it."))
    # A frame's ancestors are whole sites: a path would suggest a limit the browser does not apply.
    if parts.path not in {"", "/"} or "?" in text or "#" in text:
        raise refuse(_("give the site only (such as https://www.example.org), without a path."))
    try:
        port = parts.port
    except ValueError:
        raise refuse(_("its port is not a number from 1 to 65535.")) from None
    host = parts.hostname or ""
    if host.startswith("[") or ":" in host:
        address = host.strip("[]")
        if not re.fullmatch(r"[0-9a-f:.]+", address):
            raise refuse(_("this is not a valid host name."))
        host = f"[{address}]"
    else:
        host = _checked_name(host, refuse)
    if port == 0:
        raise refuse(_("its port is not a number from 1 to 65535."))
    shown_port = f":{port}" if port is not None and port != DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{shown_port}"


def _checked_name(host: str, refuse: Callable[[str], ValidationError]) -> str:
    """A host name in the ASCII form browsers compare, with at most a leading `*.` for its subdomains."""
    wildcard = host.startswith("*.")
    name = host[2:] if wildcard else host
    if "*" in name:
        raise refuse(_("only a leading “*.” may stand for subdomains, as in https://*.example.org."))
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise refuse(_("this is not a valid host name.")) from None
    labels = name.split(".")
    if not name or not all(_LABEL.match(label) for label in labels):
        raise refuse(_("this is not a valid host name."))
    # `*.org` would let every site under a top-level domain frame the form.
    if wildcard and (len(labels) < 2 or _IPV4.match(name)):
        raise refuse(_("“*.” may only stand for the subdomains of one site, as in https://*.example.org."))
    return f"*.{name}" if wildcard else name

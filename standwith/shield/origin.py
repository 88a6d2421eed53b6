"""Where a form post comes from.

Public pages carry no per-visitor token (they are the same bytes for
everyone, so a proxy can cache them), so the sign form is protected from
cross-site posting by checking the browser's Origin header instead, or its
Referer when it sends no Origin.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request: HttpRequest) -> set[str]:
    own = f"{request.scheme}://{request.get_host()}".lower()
    return {own, settings.SITE_ORIGIN.lower(), *(o.rstrip("/").lower() for o in settings.EMBED_ORIGINS)}


def comes_from_allowed_origin(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer", "")
        origin = _origin_of(referer) if referer else None
    elif origin == "null":
        return False
    return origin is not None and origin.lower() in allowed_origins(request)

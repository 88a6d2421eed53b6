"""Personal share links: each confirmed signer's `?ref=` code, and the signatures it brings.

A code is the signature's id in base 36 and a keyed tag over the petition and
that id, so it needs no column of its own and no index on the sign path, and
checking one costs no query: a forged, garbled or another petition's code
fails the tag and is ignored. Only a code that passes costs one query, to find
the referrer's depth. Nothing about a code is ever reported back to a visitor:
a signature with a bad code goes through as if it had none.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.crypto import constant_time_compare, salted_hmac

from standwith.campaigns.sharing import petition_address
from standwith.signing.models import Signature

_SALT = "standwith.signing.referral"
_TAG_LENGTH = 10  # base-36 digits: 48 bits of the HMAC, more than anyone can guess through the sign form
_CODE = re.compile(rf"^([0-9a-z]{{1,13}})-([0-9a-z]{{{_TAG_LENGTH}}})$")
# The largest depth the column holds; chains that long are recorded at this depth.
MAX_DEPTH = 32767

# The petition page is the same bytes for every visitor (it is cached, see standwith/public.py), so the code a
# visitor arrived with cannot be written into its form. The answer to a `?ref=` address carries it in this
# cookie instead, outside the cached body, and the sign view reads it back. A cookie works without JavaScript;
# live-count.js also copies the code into the form, for browsers that refuse cookies and for embedded forms.
# HttpOnly, as no script needs it; SameSite=Lax, as the form posts to the same site; a day, since people sign
# soon after opening a friend's link or not at all, and a code should not linger on a shared computer.
COOKIE = "standwith_ref"
COOKIE_AGE = 24 * 60 * 60


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def _tag(petition_id: int, signature_id: int) -> str:
    digest = salted_hmac(_SALT, f"{petition_id}.{signature_id}", algorithm="sha256").digest()
    return _base36(int.from_bytes(digest[:6])).rjust(_TAG_LENGTH, "0")


def code_for(petition_id: int, signature_id: int) -> str:
    return f"{_base36(signature_id)}-{_tag(petition_id, signature_id)}"


def well_formed(code: str) -> bool:
    """Whether `code` has a code's shape (which says nothing about whether it is real)."""
    return bool(_CODE.match(code))


def signature_id_of(petition_id: int, code: str) -> int | None:
    """The id of the signature whose code on this petition `code` is, or None for anything else."""
    match = _CODE.match(code)
    if match is None:
        return None
    signature_id = int(match[1], 36)
    return signature_id if constant_time_compare(match[2], _tag(petition_id, signature_id)) else None


def share_link(signature: Signature) -> str:
    """The signer's personal link to the petition, to share with people they trust."""
    return petition_address(signature.petition, ref=code_for(signature.petition_id, signature.pk))


@dataclass(frozen=True)
class Referral:
    referred_by: int  # the referrer's signature id
    depth: int  # of the new signature


def referral(petition_id: int, code: str) -> Referral | None:
    """Who brought a new signature on this petition, if `code` is a live confirmed signer's."""
    referrer_id = signature_id_of(petition_id, code)
    if referrer_id is None:
        return None
    # Only confirmed, standing signatures: a link is given once a signer confirms, and one whose signature was
    # withdrawn or struck off as fraud brings nobody any more.
    depth = (
        Signature.objects.filter(pk=referrer_id, petition_id=petition_id, state=Signature.State.VALIDATED)
        .values_list("referral_depth", flat=True)
        .first()
    )
    if depth is None:
        return None
    return Referral(referred_by=referrer_id, depth=min(depth + 1, MAX_DEPTH))


def remembers_referral(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep a `?ref=` code in a cookie for the sign form; the page itself stays the cached one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        code = request.GET.get("ref", "").strip().lower()
        if response.status_code == 200 and well_formed(code):
            response.set_cookie(
                COOKIE, code, max_age=COOKIE_AGE, httponly=True, samesite="Lax", secure=request.is_secure()
            )
            # A shared cache must not hand this visitor's cookie to the next one.
            patch_cache_control(response, private=True)
        return response

    return wrapper


def code_sent(form_value: str, request: HttpRequest) -> str:
    """The code a signer came with: from the form if a script put it there, else from the cookie."""
    return form_value or request.COOKIES.get(COOKIE, "").strip().lower()

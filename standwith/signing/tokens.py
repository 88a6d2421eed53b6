"""Signed, expiring confirmation tokens for emailed links."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

_SALT = "standwith.signing.confirm"


class BadToken(Exception):
    pass


class ExpiredToken(BadToken):
    pass


def make_confirm_token(petition_id: int, signature_id: int) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{petition_id}.{signature_id}")


def read_confirm_token(token: str) -> tuple[int, int]:
    """The (petition id, signature id) the token was made for."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=timedelta(days=settings.CONFIRM_TOKEN_MAX_AGE_DAYS))
    except signing.SignatureExpired as error:
        raise ExpiredToken from error
    except signing.BadSignature as error:
        raise BadToken from error
    petition_id, _, signature_id = value.partition(".")
    if not (petition_id.isdigit() and signature_id.isdigit()):
        raise BadToken
    return int(petition_id), int(signature_id)

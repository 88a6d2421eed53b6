"""Signed, expiring tokens for emailed links: a pair of ids (petition, signature; petition, target) under a purpose."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

_SALT = "standwith.signing.confirm"


class BadToken(Exception):
    pass


class ExpiredToken(BadToken):
    pass


def make_pair_token(salt: str, first: int, second: int) -> str:
    return signing.TimestampSigner(salt=salt).sign(f"{first}.{second}")


def read_pair_token(salt: str, token: str, max_age: timedelta) -> tuple[int, int]:
    """The two ids the token was made for under `salt`, if it is genuine and younger than `max_age`."""
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpiredToken from error
    except signing.BadSignature as error:
        raise BadToken from error
    first, _, second = value.partition(".")
    if not (first.isdigit() and second.isdigit()):
        raise BadToken
    return int(first), int(second)


def make_confirm_token(petition_id: int, signature_id: int) -> str:
    return make_pair_token(_SALT, petition_id, signature_id)


def read_confirm_token(token: str) -> tuple[int, int]:
    """The (petition id, signature id) the token was made for."""
    return read_pair_token(_SALT, token, timedelta(days=settings.CONFIRM_TOKEN_MAX_AGE_DAYS))

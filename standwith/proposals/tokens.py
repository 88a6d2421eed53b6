"""Signed links in the mails a proposer and their supporters receive; no account, no password."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from standwith.signing.tokens import BadToken, ExpiredToken


def _max_age(purpose: str) -> timedelta:
    # Confirming an address works as long as a signature's confirmation does;
    # the proposer's own page for a year, the life of a petition and then some.
    return timedelta(days=settings.CONFIRM_TOKEN_MAX_AGE_DAYS if purpose == "confirm" else 365)


def make_token(purpose: str, supporter_id: int) -> str:
    return signing.TimestampSigner(salt=f"standwith.proposals.{purpose}").sign(str(supporter_id))


def read_token(purpose: str, token: str) -> int:
    """The supporter id the token was made for, for this purpose only."""
    signer = signing.TimestampSigner(salt=f"standwith.proposals.{purpose}")
    try:
        value = signer.unsign(token, max_age=_max_age(purpose))
    except signing.SignatureExpired as error:
        raise ExpiredToken from error
    except signing.BadSignature as error:
        raise BadToken from error
    if not value.isdigit():
        raise BadToken
    return int(value)

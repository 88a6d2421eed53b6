"""Who is calling: an organisation's API token, found by the digest of what the client sent."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer

from standwith.api import errors
from standwith.api.models import ApiToken, Scope
from standwith.campaigns.models import Petition
from standwith.shield import limits

PREFIX = "sw_"
# Far longer than any token we make; anything longer is refused before it is hashed.
LONGEST = 100
LAST_USED_EVERY = timedelta(minutes=1)


def digest_of(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def find(raw: str) -> ApiToken | None:
    """The active token the client sent, counted against its rate limit; None for anything else."""
    if not raw.startswith(PREFIX) or len(raw) > LONGEST:
        return None  # costs no query: most junk is not even shaped like a token
    token = (
        ApiToken.objects.select_related("organization").filter(digest=digest_of(raw), revoked_at__isnull=True).first()
    )
    if token is None:
        return None
    if settings.API_TOKEN_LIMIT:
        limits.check_rules([limits.Rule(f"token:{token.pk}", *settings.API_TOKEN_LIMIT)])
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class BearerToken(HttpBearer):
    """`Authorization: Bearer sw_…`"""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return find(token.strip())


class OsdiToken(APIKeyHeader):
    """`OSDI-API-Token: sw_…`, the header OSDI clients send."""

    param_name = "OSDI-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiToken | None:
        return find((key or "").strip())


def caller(request: HttpRequest, scope: Scope) -> ApiToken:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if scope not in token.scopes:
        raise errors.forbidden_scope(scope)
    return token


def reachable_petitions(token: ApiToken, scope: Scope) -> QuerySet[Petition]:
    """Petitions this token may act on: its organisation's, and for figures and new signatures, those it
    co-runs as a partner. Signers' personal data only ever of the organisation's own petitions."""
    if scope == Scope.READ_PERSONAL_DATA:
        mine = Q(organization_id=token.organization_id)
    else:
        mine = Q(organization_id=token.organization_id) | Q(partners=token.organization_id)
    return Petition.objects.filter(mine).exclude(state=Petition.State.DRAFT).distinct()


def petition_for(token: ApiToken, scope: Scope, slug: str) -> Petition:
    petition = reachable_petitions(token, scope).select_related("organization").filter(slug=slug).first()
    if petition is None:
        raise errors.not_found()
    return petition

"""The JSON API at /api/v1/: public petitions and figures for anyone; an organisation's own part with its token."""

from typing import Any, Literal

from django.conf import settings
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, Header, Query, Status
from ninja.decorators import decorate_view

from standwith.api import errors, idempotency, pages
from standwith.api import services as api_services
from standwith.api.auth import BearerToken, caller, petition_for
from standwith.api.base import Api
from standwith.api.caching import conditional
from standwith.api.models import Scope
from standwith.api.schemas import (
    Error,
    InvalidError,
    OrganisationStatisticsOut,
    PetitionOut,
    PetitionPage,
    PublicStatisticsOut,
    RecordedOut,
    RowId,
    SignatureBatchIn,
    SignaturesIn,
    SignerOut,
    SignerPage,
    Slug,
)
from standwith.api.signers import may_see_ids, record, signer_out, signers_from
from standwith.campaigns.models import Petition
from standwith.campaigns.services import PUBLIC_STATES, PetitionRemoved, campaign, public_petition
from standwith.public import public_page
from standwith.shield.network import client_ip
from standwith.signing import counting, statistics
from standwith.signing.models import Signature

Language = Literal["en", "ru", "es", "fr", "de", "ar"]
PublicState = Literal["open", "closed", "archived"]

api = Api(
    title="standwith API",
    version="1",
    description=(
        "Petitions and their figures for anyone, without a token; an organisation's own figures, "
        "signatures collected elsewhere and, with the people:read scope, its signers, with a token "
        "(`Authorization: Bearer sw_…`). Errors are JSON: a code in `error`, a sentence in `detail`."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
bearer = BearerToken()
REFUSALS: dict[int, Any] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    410: Error,
    413: Error,
    422: InvalidError,
    429: Error,
}


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _summary(petition: Petition, count: int) -> dict[str, Any]:
    return {
        "slug": petition.slug,
        "title": petition.title,
        "summary": petition.summary,
        "state": petition.state,
        "language": petition.language,
        "verification": petition.verification,
        "signature_count": count,
        "goal": petition.goal,
        "deadline": petition.deadline,
        "published_at": petition.published_at,
        "organization": {"slug": petition.organization.slug, "name": petition.organization.name},
        # Without a language: the site sends each reader to the page in their own.
        "url": _absolute(f"/p/{petition.slug}/"),
        "api_url": _absolute(f"/api/v1/petitions/{petition.slug}"),
    }


def _public_statistics(petition_id: int, *, wait: bool = True) -> dict[str, Any] | None:
    figures = statistics.public_statistics(petition_id) if wait else statistics.counted_public_statistics(petition_id)
    if figures is None:
        return None
    return {
        "minimum_group_size": settings.PUBLIC_MIN_GROUP_SIZE,
        "by_country": [{"country": row.country, "signatures": row.signatures} for row in figures.by_country],
        "by_day": [{"date": row.date, "signatures": row.signatures} for row in figures.by_day],
    }


def _public_or_404(slug: Slug) -> Petition:
    try:
        petition = public_petition(slug)
    except PetitionRemoved as removed:
        # As the site answers, but in the API's own shape: a code in `error`, the reason in `detail`.
        raise errors.ApiError(410, "removed", removed.reason or _("This petition has been removed.")) from None
    if petition is None:
        raise errors.not_found()
    return petition


@api.read("/petitions", response={200: PetitionPage, **REFUSALS}, summary="List public petitions", tags=["public"])
@decorate_view(public_page(query=("state", "organization", "language", "page", "per_page")), conditional)
def list_petitions(
    request: HttpRequest,
    state: PublicState | None = None,
    organization: str | None = Query(None, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$"),  # type: ignore[type-arg]
    language: str | None = Query(None, max_length=10, pattern=r"^[a-z]{2,3}(-[a-zA-Z0-9]{1,8})?$"),  # type: ignore[type-arg]
    page: int = Query(1, ge=1, le=pages.MAX_PAGE),  # type: ignore[type-arg]
    per_page: int = Query(pages.DEFAULT_PER_PAGE, ge=1, le=pages.MAX_PER_PAGE),  # type: ignore[type-arg]
) -> dict[str, Any]:
    petitions = Petition.objects.filter(state__in=[state] if state else PUBLIC_STATES).select_related("organization")
    if organization:
        petitions = petitions.filter(organization__slug=organization)
    if language:
        petitions = petitions.filter(language=language)
    # NULLs placed explicitly: PostgreSQL and SQLite put them at opposite ends of a descending order.
    newest = petitions.order_by(F("published_at").desc(nulls_last=True), "-pk")
    found = pages.page_of(newest, page, per_page)
    counts = counting.stored_counts([petition.pk for petition in found.items])
    return {
        "page": found.number,
        "per_page": found.per_page,
        "total_pages": found.total_pages,
        "total_records": found.total_records,
        "items": [_summary(petition, counts.get(petition.pk, 0)) for petition in found.items],
    }


@api.read(
    "/petitions/{slug}",
    response={200: PetitionOut, **REFUSALS},
    summary="A public petition",
    tags=["public"],
    url_name="petition",
)
@decorate_view(public_page(query=("language",)), conditional)
def get_petition(request: HttpRequest, slug: Slug, language: Language | None = None) -> dict[str, Any]:
    petition = _public_or_404(slug)
    shown = campaign(petition, language or petition.language)
    case = shown.case
    return {
        **_summary(petition, counting.stored_count(petition.pk)),
        "title": shown.petition.title,
        "summary": shown.petition.summary,
        "text": shown.petition.body,
        "text_language": shown.petition.lang["body"],
        "case": None
        if case is None
        else {
            "slug": case.slug,
            "title": case.title,
            "summary": case.summary,
            "persons": [
                {
                    "name": person.name,
                    "age": person.age,
                    "location": person.location,
                    "status": person.status,
                    "status_since": person.status_since,
                }
                for person in shown.persons
            ],
        },
        "partners": [{"slug": p.slug, "name": p.name} for p in shown.partners],
        "targets": [
            {"name": t.name, "role": t.role, "organisation": t.organisation, "country": t.country.code or None}
            for t in shown.targets
        ],
        "milestones": [{"threshold": m.threshold, "reached_at": m.reached_at} for m in shown.milestones],
        # The count JSON is polled by every open petition page: it never waits for a count.
        "statistics": _public_statistics(petition.pk, wait=False),
    }


@api.read(
    "/petitions/{slug}/statistics",
    response={200: PublicStatisticsOut, **REFUSALS},
    summary="A public petition's confirmed signatures by country and by day",
    tags=["public"],
)
@decorate_view(public_page(), conditional)
def get_public_statistics(request: HttpRequest, slug: Slug) -> dict[str, Any] | None:
    return _public_statistics(_public_or_404(slug).pk)


@api.read(
    "/organization/petitions/{slug}/statistics",
    auth=bearer,
    response={200: OrganisationStatisticsOut, **REFUSALS},
    summary="Full figures of one of your petitions (statistics:read)",
    tags=["organisation"],
)
@decorate_view(conditional)
def get_statistics(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    token = caller(request, Scope.READ_STATISTICS)
    petition = petition_for(token, Scope.READ_STATISTICS, slug)
    figures = statistics.organisation_statistics(petition.pk)
    return {
        "signature_count": counting.stored_count(petition.pk),
        "by_state": figures["by_state"],
        "by_country": [{"country": c, "signatures": n} for c, n in figures["by_country"]],  # type: ignore[attr-defined]
        "by_day": [{"date": d, "signed": s, "confirmed": c} for d, s, c in figures["by_day"]],  # type: ignore[attr-defined]
        "by_source": [{"source": s, "signatures": n} for s, n in figures["by_source"]],  # type: ignore[attr-defined]
        "by_channel": figures["by_channel"],
        "vouched": figures["vouched"],
    }


@api.post(
    "/organization/petitions/{slug}/signatures",
    auth=bearer,
    response={202: RecordedOut, 409: Error, 503: Error, **REFUSALS},
    summary="Record signatures collected elsewhere (signatures:write)",
    description=(
        'One signature, or up to 100 as {"signatures": [...]}; all are taken or none. Checked as the web '
        "form checks them. Each signer is mailed as on the site, and counts once they confirm, unless your "
        "organisation may vouch and marks them verified_offline. Send an Idempotency-Key header so that a "
        "retry cannot record twice; the same key with the same request gets the first answer again."
    ),
    tags=["organisation"],
)
def record_signatures(
    request: HttpRequest,
    slug: Slug,
    body: Body[SignaturesIn],
    idempotency_key: str | None = Header(  # type: ignore[type-arg]
        None,
        alias=idempotency.HEADER,
        description="Any unique string per request you mean, up to 255 printable characters; a retry with the "
        "same key and body gets the first answer, kept for a day.",
    ),
) -> Status[dict[str, Any]]:
    token = caller(request, Scope.RECORD_SIGNATURES)
    petition = petition_for(token, Scope.RECORD_SIGNATURES, slug)
    entries = body.signatures if isinstance(body, SignatureBatchIn) else [body]
    signers = signers_from(entries, petition, token.organization_id)
    shows_ids = may_see_ids(token, petition)

    def work() -> tuple[int, dict[str, Any]]:
        ids = record(token, petition, signers)
        return 202, {"recorded": len(ids), "signature_ids": ids if shows_ids else None}

    return Status(*idempotency.once(request, token, work))


@api.read(
    "/organization/petitions/{slug}/signatures",
    auth=bearer,
    response={200: SignerPage, **REFUSALS},
    summary="Your petition's signers, newest first (people:read, audited)",
    tags=["organisation"],
)
def list_signers(
    request: HttpRequest,
    slug: Slug,
    state: Literal["pending", "validated", "invalidated", "withdrawn"] | None = None,
    page: int = Query(1, ge=1, le=pages.MAX_PAGE),  # type: ignore[type-arg]
    per_page: int = Query(pages.DEFAULT_PER_PAGE, ge=1, le=pages.MAX_PER_PAGE),  # type: ignore[type-arg]
) -> HttpResponse | dict[str, Any]:
    token = caller(request, Scope.READ_PERSONAL_DATA)
    petition = petition_for(token, Scope.READ_PERSONAL_DATA, slug)
    signatures = Signature.objects.filter(petition=petition)
    if state:
        signatures = signatures.filter(state=state)
    found = pages.page_of(signatures.order_by("-created_at", "-id"), page, per_page)
    api_services.audit_personal_data(token, petition, [s.pk for s in found.items], client_ip=client_ip(request))
    return {
        "page": found.number,
        "per_page": found.per_page,
        "total_pages": found.total_pages,
        "total_records": found.total_records,
        "items": [signer_out(petition, signature) for signature in found.items],
    }


@api.read(
    "/organization/petitions/{slug}/signatures/{signature_id}",
    auth=bearer,
    response={200: SignerOut, **REFUSALS},
    summary="One signer of your petition (people:read, audited)",
    tags=["organisation"],
)
def get_signer(request: HttpRequest, slug: Slug, signature_id: RowId) -> dict[str, Any]:
    token = caller(request, Scope.READ_PERSONAL_DATA)
    petition = petition_for(token, Scope.READ_PERSONAL_DATA, slug)
    signature = Signature.objects.filter(petition=petition, pk=signature_id).first()
    if signature is None:
        raise errors.not_found()
    api_services.audit_personal_data(token, petition, [signature.pk], client_ip=client_ip(request))
    return signer_out(petition, signature)

"""OSDI 1.x at /api/osdi/v1/: an organisation's petitions, their signatures and signers, for OSDI clients.

Links are HAL (application/hal+json); identifiers are `standwith:<id>`. standwith links nobody across
petitions, so a person is one signer of one petition and shares the signature's id. Only signatures that
stand (pending or confirmed) are shown: someone who withdrew, or was struck off as fraud, is not exported.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Schema, Status

from standwith.api import errors, idempotency, pages
from standwith.api import services as api_services
from standwith.api.auth import BearerToken, OsdiToken, caller, petition_for, reachable_petitions
from standwith.api.base import Api, ReadableJSON
from standwith.api.models import ApiToken, Scope
from standwith.api.osdi_schemas import PostalAddressIn, RecordSignatureIn
from standwith.api.schemas import Error, InvalidError, RowId, SignatureIn, Slug
from standwith.api.signers import may_see_ids, record, signers_from
from standwith.campaigns.models import Petition
from standwith.shield.network import client_ip
from standwith.signing import counting, crypto
from standwith.signing.models import Signature


class HalJSON(ReadableJSON):
    media_type = "application/hal+json"


PREFIX = "/api/osdi/v1"
NAMESPACE = "standwith"
ORIGIN = "standwith"
# The rels are OSDI's, so their docs are OSDI's own pages.
CURIES = [{"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}]
LANGUAGES = {"en", "ru", "es", "fr", "de", "ar"}
# Signatures that stand; a withdrawn or invalidated signer is nobody's supporter to export.
STANDING = [Signature.State.PENDING, Signature.State.VALIDATED]

api = Api(
    title="standwith OSDI API",
    version="1.0",
    description=(
        "OSDI 1.x (https://opensupporter.github.io/osdi-docs/) for an organisation's petitions, their signatures "
        "and signers. Send your token as `OSDI-API-Token: sw_…` or `Authorization: Bearer sw_…`. A person is one "
        "signer of one petition (standwith links nobody across petitions), with the id of their signature. "
        "Collections take `page` (from 1) and `per_page` (1 to 100, default 25; more is refused with 422), also "
        "spelt `$page`/`$per_page`, and people and signatures take `filter` such as `modified_date gt "
        "'2024-01-31'`. Errors are JSON: a code in `error`, a sentence in `detail`."
    ),
    urls_namespace="osdi",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=HalJSON(),
    auth=[OsdiToken(), BearerToken()],
)
REFUSALS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 413: Error, 422: InvalidError, 429: Error}
RESOURCE: dict[int, Any] = {200: dict[str, Any], **REFUSALS}


class Paging(Schema):
    page: int | None = Field(None, ge=1, le=pages.MAX_PAGE, description="From 1.")
    per_page: int | None = Field(None, ge=1, le=pages.MAX_PER_PAGE, description="1 to 100; 25 when left out.")
    dollar_page: int | None = Field(None, alias="$page", ge=1, le=pages.MAX_PAGE, description="Same as page.")
    dollar_per_page: int | None = Field(
        None, alias="$per_page", ge=1, le=pages.MAX_PER_PAGE, description="Same as per_page."
    )


class Filtering(Schema):
    filter: str | None = Field(
        None, max_length=500, description="OData: `created_date` or `modified_date`, `gt` or `lt`, a quoted date."
    )
    dollar_filter: str | None = Field(None, alias="$filter", max_length=500, description="Same as filter.")


def _href(path: str, query: dict[str, Any] | None = None) -> dict[str, str]:
    return {"href": settings.SITE_URL + PREFIX + path + (f"?{urlencode(query)}" if query else "")}


def _date(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _any_scope(request: HttpRequest, *scopes: Scope) -> ApiToken:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if not any(scope in token.scopes for scope in scopes):
        raise errors.forbidden_scope(" or ".join(scopes))
    return token


# --- filters -------------------------------------------------------------------------------------------------

CONDITION = re.compile(r"^(created_date|modified_date)\s+(gt|lt)\s+'([^']{1,40})'$")


def _filtered(items: QuerySet[Any], filtering: Filtering, columns: dict[str, str]) -> QuerySet[Any]:
    text = (filtering.filter or filtering.dollar_filter or "").strip()
    if not text:
        return items
    for condition in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        match = CONDITION.match(condition.strip())
        moment = _parsed(match.group(3)) if match else None
        if match is None or moment is None:
            raise errors.ApiError(
                400,
                "bad_filter",
                _(
                    "This filter is not understood. Use created_date or modified_date, gt or lt, and a quoted "
                    "ISO 8601 date, such as: modified_date gt '2024-01-31'."
                ),
            )
        field, operator = match.group(1), match.group(2)
        items = items.filter(**{f"{columns[field]}__{operator}": moment})
    return items


def _parsed(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _paged(items: QuerySet[Any], paging: Paging) -> pages.Page[Any]:
    number = paging.page or paging.dollar_page or 1
    per_page = paging.per_page or paging.dollar_per_page or pages.DEFAULT_PER_PAGE
    return pages.page_of(items, number, per_page)


def _collection(
    rel: str, path: str, found: pages.Page[Any], resources: list[dict[str, Any]], filtering: Filtering | None
) -> dict[str, Any]:
    """The OSDI collection envelope; `_embedded` is always there, empty past the end, as clients stop on it."""
    query: dict[str, Any] = {"per_page": found.per_page}
    text = filtering and (filtering.filter or filtering.dollar_filter)
    if text:
        query["filter"] = text
    links: dict[str, Any] = {
        "self": _href(path, {"page": found.number, **query}),
        "curies": CURIES,
        rel: [resource["_links"]["self"] for resource in resources if "self" in resource["_links"]],
    }
    if found.has_next:
        links["next"] = _href(path, {"page": found.number + 1, **query})
    if found.has_previous:
        links["previous"] = _href(path, {"page": min(found.number - 1, max(found.total_pages, 1)), **query})
    return {
        "total_pages": found.total_pages,
        "per_page": found.per_page,
        "page": found.number,
        "total_records": found.total_records,
        "_links": links,
        "_embedded": {rel: resources},
    }


# --- resources -----------------------------------------------------------------------------------------------


def _petition(token: ApiToken, petition: Petition, count: int) -> dict[str, Any]:
    path = f"/petitions/{petition.slug}"
    links: dict[str, Any] = {"self": _href(path)}
    # Only links the token can follow.
    if Scope.READ_PERSONAL_DATA in token.scopes and petition.organization_id == token.organization_id:
        links["osdi:signatures"] = _href(f"{path}/signatures")
    if Scope.RECORD_SIGNATURES in token.scopes:
        links["osdi:record_signature_helper"] = _href(f"{path}/record_signature_helper")
    return {
        "identifiers": [f"{NAMESPACE}:{petition.slug}"],
        "origin_system": ORIGIN,
        "created_date": _date(petition.created_at),
        "modified_date": _date(petition.updated_at),
        "title": petition.title,
        "description": petition.summary,
        "summary": petition.summary,
        "petition_text": petition.body,
        "browser_url": f"{settings.SITE_URL}/p/{petition.slug}/",
        "target": [{"name": target.name} for target in petition.targets.all()],
        "total_signatures": count,
        "_links": links,
    }


# A signature has no column for when it last changed: the latest of the moments it changed state stands in
# for one, so that a client syncing by modified_date hears of a confirmation or a vouched count.
MODIFIED = Greatest(
    "created_at",
    Coalesce("validated_at", "created_at"),
    Coalesce("confirmed_at", "created_at"),
)


def _modified(signature: Signature) -> datetime:
    return max(moment for moment in (signature.created_at, signature.validated_at, signature.confirmed_at) if moment)


def _signature(signature: Signature, petition_slug: str) -> dict[str, Any]:
    return {
        "identifiers": [f"{NAMESPACE}:{signature.pk}"],
        "origin_system": ORIGIN,
        "created_date": _date(signature.created_at),
        "modified_date": _date(_modified(signature)),
        "action_date": _date(signature.created_at),
        "_links": {
            "self": _href(f"/petitions/{petition_slug}/signatures/{signature.pk}"),
            "osdi:petition": _href(f"/petitions/{petition_slug}"),
            "osdi:person": _href(f"/people/{signature.pk}"),
        },
    }


def _person(signature: Signature) -> dict[str, Any]:
    petition_id = signature.petition_id
    # Blank once erased, by the signer, by retention or by an emergency erase of the petition's key.
    name = crypto.decrypt_or_blank(petition_id, "name", signature.name_encrypted).split()
    consented = signature.consent_campaign_updates or signature.consent_org_updates
    address: dict[str, Any] = {"country": signature.country, "primary": True}
    if signature.postcode_encrypted:
        address["postal_code"] = crypto.decrypt_or_blank(petition_id, "postcode", signature.postcode_encrypted)
    person: dict[str, Any] = {
        "identifiers": [f"{NAMESPACE}:{signature.pk}"],
        "origin_system": ORIGIN,
        "created_date": _date(signature.created_at),
        "modified_date": _date(_modified(signature)),
        "given_name": " ".join(name[:-1]) if len(name) > 1 else " ".join(name),
        "email_addresses": [
            {
                "address": crypto.decrypt_or_blank(petition_id, "email", signature.email_encrypted),
                "primary": True,
                # Updates go only to an address its owner confirmed, with their consent.
                "status": "subscribed" if consented and signature.confirmed_at else "unsubscribed",
            }
        ],
        "postal_addresses": [address],
        "languages_spoken": [signature.language],
        "_links": {"self": _href(f"/people/{signature.pk}")},
    }
    if len(name) > 1:
        person["family_name"] = name[-1]
    return person


def _audit(request: HttpRequest, token: ApiToken, signatures: Iterable[Signature]) -> None:
    by_petition: dict[int, list[Signature]] = defaultdict(list)
    for signature in signatures:
        by_petition[signature.petition_id].append(signature)
    for shown in by_petition.values():
        api_services.audit_personal_data(token, shown[0].petition, [s.pk for s in shown], client_ip=client_ip(request))


def _signatures_of(token: ApiToken) -> QuerySet[Signature]:
    return (
        Signature.objects.filter(petition__in=reachable_petitions(token, Scope.READ_PERSONAL_DATA), state__in=STANDING)
        .select_related("petition")
        .annotate(osdi_modified=MODIFIED)
    )


SIGNATURE_DATES = {"created_date": "created_at", "modified_date": "osdi_modified"}


# --- entry point ---------------------------------------------------------------------------------------------


@api.read("/", auth=None, response=RESOURCE, summary="The API entry point (no token needed)", tags=["osdi"])
def entry_point(request: HttpRequest) -> dict[str, Any]:
    return {
        "motd": _("standwith: petitions for people in danger. Send your token as OSDI-API-Token."),
        "vendor_name": "standwith",
        "product_name": "standwith",
        "osdi_version": "1.0",
        "max_pagesize": pages.MAX_PER_PAGE,
        "namespace": NAMESPACE,
        "_links": {
            "curies": CURIES,
            "self": {**_href("/"), "title": _("This API entry point")},
            "osdi:petitions": {**_href("/petitions"), "title": _("Your organisation's petitions")},
            "osdi:people": {**_href("/people"), "title": _("Signers of your organisation's petitions")},
            "docs": {**_href("/docs"), "title": _("Documentation")},
        },
    }


# --- petitions -----------------------------------------------------------------------------------------------

PETITION_DATES = {"created_date": "created_at", "modified_date": "updated_at"}


@api.read(
    "/petitions",
    response=RESOURCE,
    summary="Your organisation's petitions, and those it runs as a partner (statistics:read or signatures:write)",
    tags=["osdi"],
)
def list_petitions(request: HttpRequest, paging: Query[Paging], filtering: Query[Filtering]) -> dict[str, Any]:
    token = _any_scope(request, Scope.READ_STATISTICS, Scope.RECORD_SIGNATURES)
    petitions = _filtered(reachable_petitions(token, Scope.READ_STATISTICS), filtering, PETITION_DATES)
    found = _paged(petitions.prefetch_related("targets").order_by("-created_at", "-pk"), paging)
    counts = counting.stored_counts([petition.pk for petition in found.items])
    resources = [_petition(token, petition, counts[petition.pk]) for petition in found.items]
    return _collection("osdi:petitions", "/petitions", found, resources, filtering)


@api.read(
    "/petitions/{slug}",
    response=RESOURCE,
    summary="A petition (statistics:read or signatures:write)",
    tags=["osdi"],
)
def get_petition(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    token = _any_scope(request, Scope.READ_STATISTICS, Scope.RECORD_SIGNATURES)
    petition = petition_for(token, Scope.READ_STATISTICS, slug)
    resource = _petition(token, petition, counting.stored_count(petition.pk))
    resource["_links"] = {"curies": CURIES, **resource["_links"]}
    return resource


# --- signatures ----------------------------------------------------------------------------------------------


@api.read(
    "/petitions/{slug}/signatures",
    response=RESOURCE,
    summary="Your petition's signatures, newest first (people:read, audited)",
    tags=["osdi"],
)
def list_signatures(
    request: HttpRequest, slug: Slug, paging: Query[Paging], filtering: Query[Filtering]
) -> dict[str, Any]:
    token = caller(request, Scope.READ_PERSONAL_DATA)
    petition = petition_for(token, Scope.READ_PERSONAL_DATA, slug)
    signatures = _filtered(_signatures_of(token).filter(petition=petition), filtering, SIGNATURE_DATES)
    found = _paged(signatures.order_by("-created_at", "-id"), paging)
    _audit(request, token, found.items)
    resources = [_signature(signature, slug) for signature in found.items]
    return _collection("osdi:signatures", f"/petitions/{slug}/signatures", found, resources, filtering)


@api.read(
    "/petitions/{slug}/signatures/{signature_id}",
    response=RESOURCE,
    summary="A signature of your petition (people:read, audited)",
    tags=["osdi"],
)
def get_signature(request: HttpRequest, slug: Slug, signature_id: RowId) -> dict[str, Any]:
    token = caller(request, Scope.READ_PERSONAL_DATA)
    petition = petition_for(token, Scope.READ_PERSONAL_DATA, slug)
    signature = _signatures_of(token).filter(petition=petition, pk=signature_id).first()
    if signature is None:
        raise errors.not_found()
    _audit(request, token, [signature])
    resource = _signature(signature, slug)
    resource["_links"] = {"curies": CURIES, **resource["_links"]}
    return resource


# --- people --------------------------------------------------------------------------------------------------


@api.read(
    "/people",
    response=RESOURCE,
    summary="Signers of your organisation's petitions, newest first (people:read, audited)",
    tags=["osdi"],
)
def list_people(request: HttpRequest, paging: Query[Paging], filtering: Query[Filtering]) -> dict[str, Any]:
    token = caller(request, Scope.READ_PERSONAL_DATA)
    people = _filtered(_signatures_of(token), filtering, SIGNATURE_DATES)
    found = _paged(people.order_by("-created_at", "-id"), paging)
    _audit(request, token, found.items)
    return _collection("osdi:people", "/people", found, [_person(s) for s in found.items], filtering)


@api.read(
    "/people/{person_id}",
    response=RESOURCE,
    summary="A signer of one of your organisation's petitions (people:read, audited)",
    tags=["osdi"],
)
def get_person(request: HttpRequest, person_id: RowId) -> dict[str, Any]:
    token = caller(request, Scope.READ_PERSONAL_DATA)
    signature = _signatures_of(token).filter(pk=person_id).first()
    if signature is None:
        raise errors.not_found()
    _audit(request, token, [signature])
    person = _person(signature)
    person["_links"] = {"curies": CURIES, **person["_links"]}
    return person


# --- record signature helper ---------------------------------------------------------------------------------

# Where the web form's field names were, in what the OSDI client sent.
OSDI_FIELDS = {
    "name": "person.given_name",
    "email": "person.email_addresses.{email}.address",
    "country": "person.postal_addresses.{postal}.country",
    "postcode": "person.postal_addresses.{postal}.postal_code",
    "source": "referrer_data.source",
}


def _primary(items: list[Any]) -> int:
    return next((index for index, item in enumerate(items) if item.primary), 0)


def _signature_in(body: RecordSignatureIn) -> tuple[SignatureIn, dict[str, int]]:
    person = body.person
    where = {"email": _primary(person.email_addresses), "postal": _primary(person.postal_addresses)}
    postal: PostalAddressIn = person.postal_addresses[where["postal"]]
    country = (postal.country or "").strip().upper()
    if len(country) != 2:
        # The web form asks every signer for their country; so must the API.
        raise errors.invalid(
            [
                {
                    "field": OSDI_FIELDS["country"].format(**where),
                    "problem": _("A two-letter ISO 3166 country code, such as RU or US, is required."),
                }
            ]
        )
    spoken = [language for language in person.languages_spoken or [] if language in LANGUAGES]
    name = " ".join(part.strip() for part in (person.given_name, person.family_name) if part and part.strip())
    entry = SignatureIn(
        name=name,
        email=person.email_addresses[where["email"]].address,
        country=country,
        postcode=postal.postal_code or "",
        language=spoken[0] if spoken else None,  # type: ignore[arg-type]
        source=(body.referrer_data.source if body.referrer_data else None) or "",
        verified_offline=False,  # OSDI has no way to say it; vouching stays with /api/v1/
    )
    return entry, where


@api.post(
    "/petitions/{slug}/record_signature_helper",
    response={200: dict[str, Any], 409: Error, 503: Error, **REFUSALS},
    summary="Record a signature and its signer in one request (signatures:write)",
    description=(
        "OSDI's record signature helper. The person needs an email address and a postal address with a country; "
        "their name is given_name and family_name. Every other field OSDI defines is accepted and ignored "
        "(tags, lists, comments, triggers, phone numbers…). Consent to updates is never inferred: an email "
        "status sent here is ignored. The signer is mailed as on the site and counts once they confirm. "
        "The answer is the signature; its identifiers and links to it and to the person only for a token with "
        "people:read on your own petition. Send an Idempotency-Key header so that a retry cannot record twice."
    ),
    tags=["osdi"],
)
def record_signature_helper(request: HttpRequest, slug: Slug, body: Body[RecordSignatureIn]) -> Status[dict[str, Any]]:
    token = caller(request, Scope.RECORD_SIGNATURES)
    petition = petition_for(token, Scope.RECORD_SIGNATURES, slug)
    entry, where = _signature_in(body)
    try:
        signers = signers_from([entry], petition, token.organization_id)
    except errors.ApiError as refusal:
        for problem in refusal.problems or []:
            problem["field"] = OSDI_FIELDS.get(problem["field"], problem["field"]).format(**where)
        raise
    shows_ids = may_see_ids(token, petition)

    def work() -> tuple[int, dict[str, Any]]:
        (signature_id,) = record(token, petition, signers)
        if not shows_ids:
            # Alike for a new signer and one who had signed before: nothing here tells them apart.
            return 200, {
                "origin_system": ORIGIN,
                "_links": {"curies": CURIES, "osdi:petition": _href(f"/petitions/{petition.slug}")},
            }
        signature = Signature.objects.get(pk=signature_id)
        resource = _signature(signature, petition.slug)
        resource["_links"] = {"curies": CURIES, **resource["_links"]}
        return 200, resource

    return Status(*idempotency.once(request, token, work))


@api.post(
    "/petitions/{slug}/signatures",
    response={200: dict[str, Any], 409: Error, 503: Error, **REFUSALS},
    summary="The record signature helper, at the address Action Network clients post to (signatures:write)",
    description="The same as POST /petitions/{slug}/record_signature_helper.",
    tags=["osdi"],
)
def record_signature(request: HttpRequest, slug: Slug, body: Body[RecordSignatureIn]) -> Status[dict[str, Any]]:
    return record_signature_helper(request, slug, body)

"""The data officers' screens: find a signer and read their personal data, each look written to the audit log.

Only data officers (for their organisations' petitions) and admins get in. The list never counts or scans
the signatures table: it shows one chosen petition's signers, newest first, a page at a time, and no
personal data; the name, address and postcode are decrypted on a signature's own page only.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition
from standwith.shield.network import client_ip
from standwith.signing import crypto, digests
from standwith.signing.emails import InvalidEmail, parse_address
from standwith.signing.models import ErasureRecord, Signature
from standwith.staff.access import AdminsReadOnly, data_organisations
from standwith.staff.services import record


def petitions_in_reach(request: HttpRequest) -> QuerySet[Petition]:
    """The petitions whose signers this person may look up."""
    scope = data_organisations(request)
    petitions = Petition.objects.order_by("-created_at", "-pk")
    return petitions if scope is None else petitions.filter(organization_id__in=scope)


def chosen_petition(request: HttpRequest) -> Petition | None:
    """The petition picked in the list's filter, if this person may see its signers (asked once a request)."""
    if not hasattr(request, "_chosen_petition"):
        try:
            chosen = petitions_in_reach(request).filter(pk=int(request.GET.get("petition", ""))).first()
        except ValueError:
            chosen = None
        request._chosen_petition = chosen  # type: ignore[attr-defined]
    return request._chosen_petition  # type: ignore[attr-defined,no-any-return]


class PetitionFilter(admin.SimpleListFilter):
    title = _("petition")
    parameter_name = "petition"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(pk), title) for pk, title in petitions_in_reach(request).values_list("pk", "title")]

    def choices(self, changelist: Any) -> Any:
        # No "All": the list shows one petition's signers at a time, never the whole table.
        yield from list(super().choices(changelist))[1:]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        petition = chosen_petition(request)
        return queryset.none() if petition is None else queryset.filter(petition=petition)


class PeekingPaginator(Paginator[Signature]):
    """Counts nothing: knows the rows up to the page shown, and whether one more page follows.

    A COUNT over a viral petition's millions of signatures would take seconds on every page view.
    """

    def __init__(self, queryset: QuerySet[Signature], per_page: int, page_number: int) -> None:
        super().__init__(queryset, per_page)
        self.queryset = queryset
        self.page_number = max(page_number, 1)

    @cached_property
    def count(self) -> int:
        before = (self.page_number - 1) * self.per_page
        ids = self.queryset.values_list("pk", flat=True)[before : before + self.per_page + 1]
        return before + len(ids)


# What a signature's own page shows, decrypted personal data included; the binary digests and ciphertexts never.
DETAIL_FIELDS = (
    "petition",
    "state",
    "name",
    "email",
    "postcode",
    "country",
    "language",
    "source",
    "referrer_host",
    "consent_campaign_updates",
    "consent_org_updates",
    "show_name_publicly",
    "created_at",
    "validated_at",
    "confirmed_at",
    "ended_at",
)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin[Signature]):
    change_list_template = "signing/signature_list.html"
    list_display = ["id", "petition", "state", "country", "language", "source", "created_at", "confirmed_at", "erased"]
    list_filter = [PetitionFilter, "state"]
    list_select_related = ["petition"]
    # Newest first along the (petition, created_at) index; the admin adds -pk to break ties.
    ordering = ["-created_at"]
    # Sorting by another column, showing all rows or counting per filter choice would each read a
    # petition's every signature.
    sortable_by = ()
    list_max_show_all = 0
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    actions = None
    fields = DETAIL_FIELDS
    readonly_fields = DETAIL_FIELDS

    @admin.display(description=_("Erased"), boolean=True)
    def erased(self, signature: Signature) -> bool:
        return signature.erased_at is not None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Signature]:
        scope = data_organisations(request)
        queryset = super().get_queryset(request)
        return queryset if scope is None else queryset.filter(petition__organization_id__in=scope)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Signature | None:
        # Looked up among every organisation's signatures, so that another organisation's is refused
        # (403) by has_view_permission, not reported as missing.
        try:
            return Signature.objects.select_related("petition").get(pk=int(object_id))
        except (Signature.DoesNotExist, ValueError):
            return None

    def get_paginator(self, request: HttpRequest, queryset: Any, per_page: int, *args: Any, **kwargs: Any) -> Any:
        try:
            page_number = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            page_number = 1
        return PeekingPaginator(queryset, per_page, page_number)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = data_organisations(request)
        if scope is None:
            return True
        return obj.petition.organization_id in scope if obj is not None else bool(scope)

    # Nobody edits or deletes a signature by hand: invalidation is to come through the shield's bulk, audited tools.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Signature], search_term: str
    ) -> tuple[QuerySet[Signature], bool]:
        # Only an exact address, turned into the chosen petition's digest: rows are never decrypted to search.
        # It comes in a POSTed form, never the query string, so that no access log, browser history or
        # Referer keeps the addresses looked up.
        search_term = request.POST.get("q", "") if request.method == "POST" else ""
        if not search_term.strip():
            return queryset, False
        petition = chosen_petition(request)
        if petition is None:
            self.message_user(request, _("Choose a petition first: a search looks among one petition's signers."))
            return queryset.none(), False
        try:
            address = parse_address(search_term)
        except InvalidEmail:
            self.message_user(
                request, _("That is not an email address; type a whole one, such as name@example.org."), messages.ERROR
            )
            return queryset.none(), False
        queryset = queryset.filter(email_digest=digests.email_digest(petition.pk, address.canonical))
        matched = queryset.count()
        # That someone was looked up, and whether they were found; never the address itself.
        record(request.user, "signature.search", petition, client_ip=client_ip(request), matched=matched)
        if not matched:
            self.message_user(request, _("No signature in this list has that address."))
        return queryset, False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if "cl" in context:
            # Newer and older pages only: the paginator knows no total to number them by.
            page, last = context["cl"].page_num, context["cl"].paginator.num_pages
            context["petition"] = chosen_petition(request)
            context["newer_page"] = context["cl"].get_query_string({PAGE_VAR: page - 1}) if page > 1 else None
            context["older_page"] = context["cl"].get_query_string({PAGE_VAR: page + 1}) if page < last else None
        return response

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Signature | None = None,
    ) -> Any:
        if obj is not None:
            # Reading a signer's personal data is itself on the record: who looked at whom, when, from where.
            record(request.user, "signature.view", obj, client_ip=client_ip(request))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _open(self, signature: Signature, field: str) -> str:
        sealed = getattr(signature, f"{field}_encrypted")
        if sealed is None:
            return ""
        try:
            return crypto.decrypt(signature.petition_id, field, sealed)
        except crypto.UndecryptableError:
            return gettext("Cannot be read: this petition's data key has been erased.")

    @admin.display(description=_("name"))
    def name(self, signature: Signature) -> str:
        return self._open(signature, "name")

    @admin.display(description=_("email address"))
    def email(self, signature: Signature) -> str:
        return self._open(signature, "email")

    @admin.display(description=_("postcode"))
    def postcode(self, signature: Signature) -> str:
        return self._open(signature, "postcode")


@admin.register(ErasureRecord)
class ErasureRecordAdmin(AdminsReadOnly):
    """What retention sweeps and emergency erases erased, as counts: admins read it, nobody changes it."""

    list_display = ["at", "kind", "petition", "signatures", "by"]
    list_filter = ["kind"]
    list_select_related = ["petition", "by"]
    date_hierarchy = "at"

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from standwith.campaigns.models import (
    Case,
    Organization,
    Person,
    Petition,
    ResponseSubmission,
    Statement,
    Target,
    TargetResponse,
    TimelineEvent,
    Translation,
    Update,
)
from standwith.campaigns.services import (
    announce_response,
    publish_drafts,
    record_submission,
    remove_response,
    save_response,
)
from standwith.proposals.models import Proposal
from standwith.proposals.services import backers
from standwith.reports.links import petition_links
from standwith.shield.network import client_ip
from standwith.staff.access import (
    AdminsOnlyChangeAdmin,
    FollowsParentInline,
    OrganisationScopedAdmin,
    SharedContentAdmin,
)
from standwith.staff.admin import move_selected, move_with_reason
from standwith.staff.services import NotAllowed


class TranslationFormSet(BaseGenericInlineFormSet[Translation, Any]):
    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        # Known before saving, so Translation.clean can check the field against the item's model.
        form.instance.content_type = ContentType.objects.get_for_model(self.instance)
        return form

    def clean(self) -> None:
        super().clean()
        # The database would refuse a second row for one language and field (a 500); say so instead.
        seen = set()
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE") or not form.cleaned_data:
                continue
            key = (form.cleaned_data["language"], form.cleaned_data["field"])
            if key in seen:
                raise forms.ValidationError(_("Each text has one translation per language."))
            seen.add(key)


class TranslationInline(FollowsParentInline, GenericTabularInline):
    """Translations of this item's texts, one row per language and field."""

    model = Translation
    formset = TranslationFormSet  # type: ignore[assignment]
    extra = 0
    fields = ["language", "field", "text"]

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "language":
            return forms.ChoiceField(choices=settings.LANGUAGES, label=db_field.verbose_name)
        if db_field.name == "field":
            names = getattr(self.parent_model, "TRANSLATED_FIELDS", ())
            return forms.ChoiceField(choices=[(name, name) for name in names], label=db_field.verbose_name)
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Organization)
class OrganizationAdmin(AdminsOnlyChangeAdmin):
    list_display = ["name", "slug", "website", "accepts_proposals"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Signatures it vouches for skip the emailed check: only those who run the site grant that.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "vouches_offline"]


@admin.register(Target)
class TargetAdmin(SharedContentAdmin):
    list_display = ["name", "role", "organisation", "country"]
    search_fields = ["name", "role", "organisation"]
    inlines = [TranslationInline]


class PersonInline(FollowsParentInline, admin.TabularInline[Person, Case]):
    model = Person
    extra = 0


@admin.register(Case)
class CaseAdmin(OrganisationScopedAdmin):
    list_display = ["title", "organization", "country", "created_at"]
    list_filter = ["organization", "country"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PersonInline, TranslationInline]


class CaseItemAdmin(OrganisationScopedAdmin):
    """Timeline events, statements and updates, each with its translations."""

    organisation_path = "case__organization"
    list_filter = ["case"]
    inlines = [TranslationInline]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})}}


@admin.register(TimelineEvent)
class TimelineEventAdmin(CaseItemAdmin):
    list_display = ["date", "precision", "place", "text", "case"]
    search_fields = ["text", "place"]


@admin.register(Statement)
class StatementAdmin(CaseItemAdmin):
    list_display = ["speaker", "organisation", "date", "case"]
    search_fields = ["speaker", "organisation", "quote"]


@admin.register(Update)
class UpdateAdmin(CaseItemAdmin):
    list_display = ["title", "case", "published_at", "mail_it"]
    search_fields = ["title", "body"]
    actions = ["publish_now"]
    readonly_fields = ["mail_it"]

    @admin.display(description=_("Mailing"))
    def mail_it(self, update: Update) -> str:
        if update.pk is None or update.published_at is None:
            return str(_("Publish it to mail it to the signers."))
        return format_html(
            '<a href="{}?update={}">{}</a>', reverse("admin:outreach_mailing_add"), update.pk, _("Mail it to signers")
        )

    @admin.action(description=_("Publish the selected drafts now"))
    def publish_now(self, request: HttpRequest, queryset: models.QuerySet[Update]) -> None:
        published = publish_drafts(queryset, request.user, client_ip=client_ip(request))
        self.message_user(
            request, ngettext("%(n)d update published.", "%(n)d updates published.", published) % {"n": published}
        )


class OriginFilter(admin.SimpleListFilter):
    title = _("origin")
    parameter_name = "origin"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("public", _("Proposed by the public")), ("staff", _("Written by staff"))]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Petition]) -> models.QuerySet[Petition]:
        if self.value() in {"public", "staff"}:
            return queryset.filter(proposal__isnull=self.value() == "staff")
        return queryset


@admin.register(Petition)
class PetitionAdmin(OrganisationScopedAdmin):
    list_display = ["title", "organization", "state", "deadline", "created_at"]
    list_select_related = ["organization"]
    show_full_result_count = False
    list_filter = ["state", OriginFilter, "verification", "organization"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["targets", "partners"]
    inlines = [TranslationInline]
    # The state changes only through the lifecycle, which checks roles and records each move.
    readonly_fields = [
        "state",
        "origin",
        "published_at",
        "removal_reason",
        "shields_raised_at",
        "shields_reason",
        "fraud_console",
        "sources",
        "reports",
    ]
    actions = [
        move_selected(Petition.State.PENDING, _("Submit for review")),
        move_selected(Petition.State.OPEN, _("Publish")),
        move_selected(Petition.State.CLOSED, _("Close")),
        move_selected(Petition.State.ARCHIVED, _("Archive")),
        move_with_reason(Petition.State.DRAFT, _("Send back for changes")),
        move_with_reason(Petition.State.REJECTED, _("Reject or remove")),
    ]

    @admin.display(description=_("Origin"))
    def origin(self, petition: Petition) -> str:
        proposal = Proposal.objects.filter(petition=petition).first()
        if proposal is None:
            return str(_("Written by staff"))
        confirmed = backers(proposal)
        return ngettext(
            "Proposed by the public; %(n)d supporter confirmed",
            "Proposed by the public; %(n)d supporters confirmed",
            confirmed,
        ) % {"n": confirmed}

    @admin.display(description=_("Fraud console"))
    def fraud_console(self, petition: Petition) -> str:
        if petition.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("shield_console", args=[petition.pk]), _("Open"))

    @admin.display(description=_("Sources and referrals"))
    def sources(self, petition: Petition) -> str:
        if petition.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("sources", args=[petition.pk]), _("Open"))

    @admin.display(description=_("Reports"))
    def reports(self, petition: Petition) -> str:
        if petition.pk is None:
            return "—"
        return format_html_join(" · ", '<a href="{}">{}</a>', petition_links(petition.pk)) or "—"

    def get_ordering(self, request: HttpRequest) -> list[str]:
        # The review queue is worked oldest first, so nobody waits behind newer proposals.
        if request.GET.get("state__exact") == Petition.State.PENDING:
            return ["created_at", "pk"]
        return ["-created_at", "pk"]


@admin.register(TargetResponse)
class TargetResponseAdmin(OrganisationScopedAdmin):
    """Targets' answers to petitions, with their translations; every change goes through the audited service."""

    organisation_path = "petition__organization"
    list_display = ["target", "petition", "date"]
    list_filter = ["petition"]
    list_select_related = ["target", "petition"]
    search_fields = ["text", "target__name", "petition__title"]
    autocomplete_fields = ["petition", "target"]
    inlines = [TranslationInline]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})},
        # A link typed without a scheme is taken as https, as Django 6 will do.
        models.URLField: {"assume_scheme": "https"},
    }

    actions = ["announce"]

    def save_model(self, request: HttpRequest, obj: TargetResponse, form: Any, change: bool) -> None:
        save_response(obj, request.user, client_ip=client_ip(request))

    @admin.action(description=_("Publish as an update and prepare its mailing to the signers"))
    def announce(self, request: HttpRequest, queryset: models.QuerySet[TargetResponse]) -> HttpResponse | None:
        mailings = []
        for response in queryset.select_related("petition__case", "petition__organization", "target"):
            try:
                mailings.append(announce_response(response, request.user, client_ip=client_ip(request)))
            except (ValidationError, NotAllowed) as refusal:
                self.message_user(request, " ".join(getattr(refusal, "messages", [str(refusal)])), messages.ERROR)
        if len(mailings) == 1:
            # Straight to the draft: staff preview it and start it there.
            return HttpResponseRedirect(reverse("admin:outreach_mailing_change", args=[mailings[0].pk]))
        if mailings:
            self.message_user(
                request,
                ngettext(
                    "%(n)d update published; its mailing waits in Mailings as a draft.",
                    "%(n)d updates published; their mailings wait in Mailings as drafts.",
                    len(mailings),
                )
                % {"n": len(mailings)},
            )
        return None

    def delete_model(self, request: HttpRequest, obj: TargetResponse) -> None:
        remove_response(obj, request.user, client_ip=client_ip(request))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[TargetResponse]) -> None:
        for response in queryset.select_related("petition", "target"):
            remove_response(response, request.user, client_ip=client_ip(request))


@admin.register(ResponseSubmission)
class ResponseSubmissionAdmin(OrganisationScopedAdmin):
    """Answers targets sent through their link: checked by staff, then recorded as the target's response."""

    organisation_path = "petition__organization"
    list_display = ["target", "petition", "sender", "submitted_at", "recorded"]
    list_filter = ["petition"]
    list_select_related = ["target", "petition"]
    readonly_fields = ["petition", "target", "sender", "text", "submitted_at", "recorded_as"]
    actions = ["record"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # they come only from targets' links

    @admin.display(boolean=True, description=_("Recorded"))
    def recorded(self, submission: ResponseSubmission) -> bool:
        return submission.recorded_as_id is not None

    @admin.action(description=_("Record as the target's response"))
    def record(self, request: HttpRequest, queryset: models.QuerySet[ResponseSubmission]) -> None:
        recorded = 0
        for submission in queryset.select_related("petition", "target").filter(recorded_as__isnull=True):
            record_submission(submission, request.user, client_ip=client_ip(request))
            recorded += 1
        self.message_user(
            request,
            ngettext("%(n)d answer recorded as a response.", "%(n)d answers recorded as responses.", recorded)
            % {"n": recorded},
        )

"""Mailings in the admin: the list, and the screens of standwith.outreach.staff_views in place of its forms."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from standwith.outreach import staff_views
from standwith.outreach.models import Mailing

COLUMNS: tuple[str, ...] = ("update", "state", "petition_titles", "sent_of", "started_at", "finished_at")


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin[Mailing]):
    """Seen and sent by the organisation's campaigners and the site's admins; never edited as a form.

    A mailing changes only through the services' controls (start, pause, resume,
    cancel), each audited; it is never deleted, so what was sent stays on record.
    """

    list_display = COLUMNS
    list_display_links = ["update"]
    list_filter = ["state"]
    list_select_related = ["update", "organization"]
    show_full_result_count = False

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        # Campaigners see their own organisations' mailings; admins see everyone's, so they are told whose.
        if staff_views.mailing_organisations(request) is None:
            return (*COLUMNS, "organization")
        return COLUMNS

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"title": _("Mailings"), **(extra_context or {})})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mailing]:
        queryset = super().get_queryset(request).prefetch_related("petitions")
        return staff_views.scoped(queryset, request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return staff_views.may_mail(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return staff_views.may_mail(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return staff_views.may_mail(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return staff_views.may_mail(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Petitions"))
    def petition_titles(self, mailing: Mailing) -> str:
        return ", ".join(sorted(petition.title for petition in mailing.petitions.all()))

    @admin.display(description=_("Sent / recipients"))
    def sent_of(self, mailing: Mailing) -> str:
        if mailing.state in (Mailing.State.DRAFT, Mailing.State.PREPARING):
            return "—"
        sent, recipients = (number_format(n, force_grouping=True) for n in (mailing.sent, mailing.recipients))
        return f"{sent} / {recipients}"

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        return staff_views.compose(request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return staff_views.mailing_page(request, object_id)

    def get_urls(self) -> list[URLPattern]:
        def view(function: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(function)

        controls = [
            path(
                f"<int:mailing_id>/{action}/",
                view(staff_views.control),
                {"action": action},
                name=f"outreach_mailing_{action}",
            )
            for action in ("start", "pause", "resume", "cancel")
        ]
        return [
            path("<int:mailing_id>/progress/", view(staff_views.progress_json), name="outreach_mailing_progress"),
            path(
                "<int:mailing_id>/preview/<str:language>/",
                view(staff_views.preview_html),
                name="outreach_mailing_preview",
            ),
            path("<int:mailing_id>/test/", view(staff_views.send_test), name="outreach_mailing_test"),
            *controls,
            *super().get_urls(),
        ]

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from standwith.shield.network import client_ip
from standwith.staff import services
from standwith.staff.access import AdminsOnlyChangeAdmin, AdminsReadOnly, staff_roles
from standwith.staff.models import AuditRecord, Membership, ReasonTemplate, Role, SiteSwitches


@admin.register(Membership)
class MembershipAdmin(AdminsOnlyChangeAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(AuditRecord)
class AuditRecordAdmin(AdminsReadOnly):
    """The audit log, to read and filter; nobody changes it here."""

    list_display = ["at", "actor_name", "action", "object_type", "object_repr", "network"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "at"
    # The admin's "N results" counts the whole table on every page view; a long log makes that slow.
    show_full_result_count = False


def move_selected(state: str, description: "StrOrPromise") -> Any:
    """An admin action that moves each selected petition through the lifecycle service."""

    @admin.action(description=description)
    def action(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _move_each(modeladmin, request, queryset, state)

    action.__name__ = f"move_to_{state}"
    return action


class SiteSwitchesForm(forms.ModelForm[SiteSwitches]):
    signing_paused = forms.BooleanField(
        required=False,
        label=_("Pause all signing"),
        help_text=_("Open petitions' deadlines move on by the time signing was paused."),
    )

    class Meta:
        model = SiteSwitches
        fields = ["read_only", "proposals_open", "banner"]


@admin.register(SiteSwitches)
class SiteSwitchesAdmin(admin.ModelAdmin[SiteSwitches]):
    """The one row of switches; each change goes through the staff services, which check the role and audit it."""

    form = SiteSwitchesForm
    fields = ["signing_paused", "read_only", "proposals_open", "banner"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return Role.ADMIN in staff_roles(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(staff_roles(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(staff_roles(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["signing_paused"].initial = obj is not None and obj.signing_paused_since is not None
        return form

    def save_model(self, request: HttpRequest, obj: SiteSwitches, form: Any, change: bool) -> None:
        where = client_ip(request)
        before = SiteSwitches.objects.get(pk=1)
        wanted = form.cleaned_data
        if wanted["signing_paused"] and before.signing_paused_since is None:
            services.pause_signing(request.user, client_ip=where)
        elif not wanted["signing_paused"] and before.signing_paused_since is not None:
            services.resume_signing(request.user, client_ip=where)
        if wanted["read_only"] != before.read_only:
            services.set_read_only(request.user, wanted["read_only"], client_ip=where)
        if wanted["proposals_open"] != before.proposals_open:
            services.set_proposals_open(request.user, wanted["proposals_open"], client_ip=where)
        if wanted["banner"] != before.banner:
            services.set_banner(request.user, wanted["banner"], client_ip=where)


@admin.register(ReasonTemplate)
class ReasonTemplateAdmin(AdminsOnlyChangeAdmin):
    list_display = ["title", "text", "position"]


class ReasonForm(forms.Form):
    template = forms.ModelChoiceField(
        ReasonTemplate.objects.all(), required=False, label=_("Reason"), empty_label=_("Choose a reason…")
    )
    details = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), label=_("In your own words")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = [data["template"].text if data.get("template") else "", (data.get("details") or "").strip()]
        data["reason"] = " ".join(part for part in parts if part)
        if not data["reason"]:
            raise forms.ValidationError(_("Please choose a reason or write one."))
        return data


def move_with_reason(state: str, description: "StrOrPromise") -> Any:
    """An admin action that asks for a reason on a page of its own, then moves each selected petition."""

    @admin.action(description=description)
    def action(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            _move_each(modeladmin, request, queryset, state, form.cleaned_data["reason"])
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "petitions": queryset,
            "form": form,
            "action": f"move_to_{state}_with_reason",
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "staff/move_with_reason.html", context)

    action.__name__ = f"move_to_{state}_with_reason"
    return action


def _move_each(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any], state: str, reason: str = ""
) -> None:
    moved, refused = 0, []
    for petition in queryset.select_related("organization"):
        try:
            services.move_petition(petition, state, request.user, reason=reason, client_ip=client_ip(request))
            moved += 1
        except services.NotAllowed as error:
            refused.append(f"{petition}: {error}")
    if moved:
        modeladmin.message_user(
            request, ngettext("%(n)d petition moved.", "%(n)d petitions moved.", moved) % {"n": moved}
        )
    for line in refused:
        modeladmin.message_user(request, line, level=messages.WARNING)

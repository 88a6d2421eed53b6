"""Staff screens for an organisation's API tokens: made by its admins, shown once, revoked, never edited."""

from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from standwith.api import services
from standwith.api.models import ApiToken, Scope
from standwith.campaigns.models import Organization, Petition
from standwith.shield.network import client_ip
from standwith.staff.models import Membership, Role

# What a new token's owner can try first, by scope: a request its scope allows.
EXAMPLES = {
    Scope.READ_STATISTICS: ("GET", "/api/v1/organization/petitions/{slug}/statistics"),
    Scope.READ_PERSONAL_DATA: ("GET", "/api/v1/organization/petitions/{slug}/signatures"),
    Scope.RECORD_SIGNATURES: ("POST", "/api/v1/organization/petitions/{slug}/signatures"),
}


def token_organisations(request: HttpRequest) -> set[int] | None:
    """Ids of the organisations whose tokens this person manages; None means every one.

    Narrower than the admin role elsewhere: a token opens an organisation's data to another system, so only
    that organisation's own admins hand one out; superusers, who run the site, see them all.
    """
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    mine = Membership.objects.filter(user=user, role=Role.ADMIN)
    return set(mine.values_list("organization_id", flat=True))


# Short enough for a column of the list; the form spells each scope out.
SHORT = {
    Scope.READ_STATISTICS.value: _("Statistics"),
    Scope.RECORD_SIGNATURES.value: _("Record signatures"),
    Scope.READ_PERSONAL_DATA.value: _("Personal data (audited)"),
}


def _when(moment: datetime) -> str:
    return localtime(moment).strftime("%Y-%m-%d %H:%M")


def _by(moment: datetime | None, person: Any) -> str:
    if moment is None:
        return ""
    return f"{_when(moment)} · {person}" if person is not None else _when(moment)


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", str(_("Active"))), ("revoked", str(_("Revoked")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in {"active", "revoked"}:
            return queryset.filter(revoked_at__isnull=self.value() == "active")
        return queryset


def _scope_choice(scope: Scope) -> tuple[str, SafeString]:
    label = format_html("{} <code>{}</code>", scope.label, scope.value)
    if scope == Scope.READ_PERSONAL_DATA:
        label = format_html('{} <strong class="personal-data">{}</strong>', label, _("Personal data · audited"))
    return scope.value, label


class ApiTokenForm(forms.ModelForm[ApiToken]):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[_scope_choice(scope) for scope in Scope],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
        help_text=_(
            "Give a token only what its system needs. A token with the personal data scope can read signers' "
            "names and email addresses; every such read is written to the audit log."
        ),
    )

    class Meta:
        model = ApiToken
        fields = ["name", "organization", "scopes"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    form = ApiTokenForm
    list_display = ["name", "organization", "scopes_shown", "hint_shown", "created", "last_used", "state"]
    list_filter = [StateFilter, "organization"]
    list_select_related = ["organization", "created_by", "revoked_by"]
    search_fields = ["name", "hint"]
    shown = ["organization", "scopes_shown", "hint_shown", "created", "last_used", "state"]
    readonly_fields = ["name", *shown]
    actions = ["revoke_selected"]
    change_form_template = "admin/api/apitoken/change_form.html"

    @admin.display(description=_("scopes"))
    def scopes_shown(self, token: ApiToken) -> str:
        return format_html_join("", "<div>{}</div>", ((SHORT.get(scope, scope),) for scope in token.scopes))

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, token: ApiToken) -> str:
        return _by(token.created_at, token.created_by)

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, token: ApiToken) -> str:
        return _when(token.last_used_at) if token.last_used_at else pgettext("API token last used", "never")

    @admin.display(description=_("token"), ordering="hint")
    def hint_shown(self, token: ApiToken) -> str:
        return format_html("<code>{}…</code>", token.hint)

    @admin.display(description=_("state"), ordering="revoked_at")
    def state(self, token: ApiToken) -> str:
        if token.active:
            return pgettext("API token state", "active")
        return str(_("revoked %(when)s") % {"when": _by(token.revoked_at, token.revoked_by)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        queryset = super().get_queryset(request)
        scope = token_organisations(request)
        return queryset if scope is None else queryset.filter(organization_id__in=scope)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return ["name", "organization", "scopes"] if obj is None else ["name", *self.shown]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name != "organization":
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        # A plain list, without the admin's edit and add buttons: organisations are not managed from here.
        scope = token_organisations(request)
        choices = Organization.objects.all() if scope is None else Organization.objects.filter(pk__in=scope)
        return db_field.formfield(queryset=choices.order_by("name"))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        scope = token_organisations(request)
        if scope is not None and len(scope) == 1:
            return {"organization": next(iter(scope))}
        return super().get_changeform_initial_data(request)

    def _manages(self, request: HttpRequest, obj: ApiToken | None) -> bool:
        scope = token_organisations(request)
        if scope is None:
            return True
        return bool(scope) and (obj is None or obj.organization_id in scope)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a token is made once; the only change is revoking it, through its own step

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, not deleted: the audit log keeps pointing at it

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self._manages(request, None)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        extra = {"show_save_and_add_another": False, "show_save_and_continue": False, **(extra_context or {})}
        return super().add_view(request, form_url, extra)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token, secret = services.create_token(
            request.user,  # type: ignore[arg-type]
            obj.organization,
            obj.name,
            form.cleaned_data["scopes"],
            client_ip=client_ip(request),
        )
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding, obj._state.db = False, token._state.db
        request._api_token_secret = secret  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None) -> HttpResponse:
        secret: str = request._api_token_secret  # type: ignore[attr-defined]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Your new API token"),
            "opts": ApiToken._meta,
            "token": obj,
            "secret": secret,
            "examples": self._examples(obj),
        }
        return TemplateResponse(request, "admin/api/apitoken/secret.html", context)

    def _examples(self, token: ApiToken) -> list[dict[str, str]]:
        petition = (
            Petition.objects.filter(organization_id=token.organization_id)
            .exclude(state=Petition.State.DRAFT)
            .order_by("-pk")
            .values_list("slug", flat=True)
            .first()
        )
        slug = petition or "<slug>"
        examples = []
        for scope in token.scopes:
            method, address = EXAMPLES[Scope(scope)]
            url = settings.SITE_URL + address.format(slug=slug)
            examples.append({"method": method, "url": url, "scope": str(Scope(scope).label)})
        return examples

    def get_urls(self) -> list[URLPattern]:
        revoke = path(
            "<int:token_id>/revoke/",
            self.admin_site.admin_view(self.revoke_view),
            name="api_apitoken_revoke",
        )
        return [revoke, *super().get_urls()]

    def revoke_view(self, request: HttpRequest, token_id: int) -> HttpResponse:
        token = get_object_or_404(self.get_queryset(request), pk=token_id)
        change_url = reverse("admin:api_apitoken_change", args=[token.pk])
        if not token.active:
            self.message_user(request, _("This token was already revoked."), level=messages.WARNING)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            services.revoke_token(request.user, token, client_ip=client_ip(request))  # type: ignore[arg-type]
            self.message_user(request, _("The token is revoked: the API refuses it from now on."))
            return HttpResponseRedirect(change_url)
        return self._confirm_revoke(request, [token], single=True)

    def _confirm_revoke(self, request: HttpRequest, tokens: list[ApiToken], *, single: bool) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revoke API tokens?") if not single else _("Revoke this API token?"),
            "opts": ApiToken._meta,
            "tokens": tokens,
            "single": single,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/api/apitoken/revoke.html", context)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> HttpResponse | None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        if not tokens:
            self.message_user(request, _("The selected tokens were already revoked."), level=messages.WARNING)
            return None
        if request.POST.get("confirmed") != "yes":
            return self._confirm_revoke(request, tokens, single=False)
        for token in tokens:
            services.revoke_token(request.user, token, client_ip=client_ip(request))  # type: ignore[arg-type]
        done = len(tokens)
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", done) % {"n": done})
        return None

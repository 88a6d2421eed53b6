"""Staff screens for webhooks: an organisation's endpoints, and what was sent to them."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from standwith.outreach.webhooks import keys, services
from standwith.outreach.webhooks.addresses import RefusedAddress, resolve
from standwith.outreach.webhooks.models import Delivery, Endpoint, Event
from standwith.shield.network import client_ip
from standwith.staff.access import AuditedAdmin, staff_roles
from standwith.staff.models import Membership, Role
from standwith.staff.services import NotAllowed

# Besides admins, who see every organisation's: these members see their own organisation's.
MEMBERS_WHO_SEE = [Role.CAMPAIGNER, Role.DATA_OFFICER]


def _memberships(request: HttpRequest, roles: list[Role]) -> set[int]:
    if not request.user.is_authenticated:
        return set()
    mine = Membership.objects.filter(user=request.user, role__in=roles)
    return set(mine.values_list("organization_id", flat=True))


def webhook_organisations(request: HttpRequest) -> set[int] | None:
    """Ids of the organisations whose webhooks this person may see; None means every one."""
    if Role.ADMIN in staff_roles(request):
        return None
    return _memberships(request, MEMBERS_WHO_SEE)


def may_share_personal_data(request: HttpRequest, organization_id: int | None) -> bool:
    if Role.ADMIN in staff_roles(request):
        return True
    return organization_id in _memberships(request, [Role.DATA_OFFICER])


def _https_by_default(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class EndpointForm(forms.ModelForm[Endpoint]):
    events = forms.MultipleChoiceField(
        choices=Event.choices, widget=forms.CheckboxSelectMultiple, label=_("Events to send")
    )

    class Meta:
        model = Endpoint
        fields = ["organization", "url", "description", "events", "personal_data"]
        formfield_callback = _https_by_default

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        try:
            resolve(url)
        except RefusedAddress as refused:
            raise forms.ValidationError(str(refused)) from None
        return url


@admin.register(Endpoint)
class EndpointAdmin(AuditedAdmin):
    form = EndpointForm
    # A plain box: the admin's own shows the address typed as a link, "Currently: …", even on a form refused.
    formfield_overrides = {models.URLField: {"assume_scheme": "https", "widget": forms.URLInput(attrs={"size": 60})}}
    list_display = ["url", "organization", "events_taken", "active", "last_success_at", "deliveries_link"]
    list_filter = ["active", "organization"]
    list_select_related = ["organization"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "active",
        "disabled_at",
        "disabled_reason",
        "last_success_at",
        "failing_since",
        "consecutive_failures",
        "created_at",
        "deliveries_link",
    ]
    actions = ["disable_selected", "enable_selected", "rotate_secret"]

    @admin.display(description=_("events"))
    def events_taken(self, endpoint: Endpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, endpoint: Endpoint) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">{}</a>', url, _("See deliveries"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Endpoint]:
        scope = webhook_organisations(request)
        queryset = super().get_queryset(request)
        return queryset if scope is None else queryset.filter(organization_id__in=scope)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        chosen = ["organization", "url", "description", "events", "personal_data"]
        return chosen if obj is None else [*chosen, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []  # nothing has happened to a new endpoint yet
        fields = [*self.readonly_fields, "organization"]  # the secret is sealed to its organisation
        if Role.ADMIN not in staff_roles(request):
            fields += ["url", "description", "events"]
        if not may_share_personal_data(request, obj.organization_id):
            fields.append("personal_data")
        return fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(staff_roles(request) & {Role.ADMIN, *MEMBERS_WHO_SEE})

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = webhook_organisations(request)
        if scope is None:
            return True
        return bool(scope) and (obj is None or obj.organization_id in scope)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return Role.ADMIN in staff_roles(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A data officer may come in to switch personal data on or off, and nothing else.
        if Role.ADMIN in staff_roles(request):
            return True
        officer_of = _memberships(request, [Role.DATA_OFFICER])
        return bool(officer_of) and (obj is None or obj.organization_id in officer_of)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only once disabled: no event is on its way to it, and its history goes with it knowingly.
        return Role.ADMIN in staff_roles(request) and (obj is None or not obj.active)

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        wanted = bool(form.cleaned_data.get("personal_data"))
        if change:
            obj.personal_data = Endpoint.objects.values_list("personal_data", flat=True).get(pk=obj.pk)
        else:
            obj.personal_data = False
            secret = keys.new_secret()
            obj.secret_encrypted = keys.seal(obj.organization_id, secret)
            request._webhook_secret = secret  # type: ignore[attr-defined]
        if "personal_data" in form.changed_data:
            form.changed_data.remove("personal_data")  # recorded on its own, by the service that checks the role
        super().save_model(request, obj, form, change)
        if wanted != obj.personal_data and may_share_personal_data(request, obj.organization_id):
            services.set_personal_data(obj, wanted, actor=request.user, client_ip=client_ip(request))

    def response_add(self, request: HttpRequest, obj: Endpoint, post_url_continue: str | None = None) -> HttpResponse:
        return self._show_secret(request, obj, request._webhook_secret, renewed=False)  # type: ignore[attr-defined]

    def _show_secret(self, request: HttpRequest, endpoint: Endpoint, secret: str, *, renewed: bool) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("The endpoint's secret"),
            "opts": Endpoint._meta,
            "endpoint": endpoint,
            "secret": secret,
            "renewed": renewed,
        }
        return TemplateResponse(request, "webhooks/secret.html", context)

    @admin.action(description=_("Disable the selected endpoints"), permissions=["manage"])
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        done = sum(
            services.disable(endpoint, str(_("Disabled by staff.")), actor=request.user, client_ip=client_ip(request))
            for endpoint in queryset
        )
        self.message_user(
            request, ngettext("%(n)d endpoint disabled.", "%(n)d endpoints disabled.", done) % {"n": done}
        )

    @admin.action(description=_("Enable the selected endpoints"), permissions=["manage"])
    def enable_selected(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        done = sum(services.enable(endpoint, actor=request.user, client_ip=client_ip(request)) for endpoint in queryset)
        self.message_user(request, ngettext("%(n)d endpoint enabled.", "%(n)d endpoints enabled.", done) % {"n": done})

    @admin.action(description=_("Give the selected endpoint a new secret"), permissions=["manage"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> HttpResponse | None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Choose one endpoint at a time for a new secret."), level=messages.WARNING)
            return None
        secret = services.rotate_secret(chosen[0], actor=request.user, client_ip=client_ip(request))
        return self._show_secret(request, chosen[0], secret, renewed=True)

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return Role.ADMIN in staff_roles(request)


class EndpointFilter(admin.SimpleListFilter):
    """The endpoints this person may see, to list one's deliveries."""

    title = _("endpoint")
    parameter_name = "endpoint__id__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scope = webhook_organisations(request)
        endpoints = Endpoint.objects.select_related("organization")
        if scope is not None:
            endpoints = endpoints.filter(organization_id__in=scope)
        return [(str(endpoint.pk), str(endpoint)) for endpoint in endpoints]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(endpoint_id=value) if value and value.isdigit() else queryset


DELIVERY_FIELDS: list[Any] = [
    "endpoint",
    "event",
    "status",
    "public_id",
    "payload_shown",
    "attempts",
    "created_at",
    "retrying_since",
    "last_attempt_at",
    "next_attempt_at",
    "delivered_at",
    "last_status_code",
    "last_error",
    "response_excerpt",
]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["created_at", "event", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = [EndpointFilter, "status", "event"]
    list_select_related = ["endpoint__organization"]
    show_full_result_count = False
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS
    actions = ["send_again"]

    @admin.display(description=_("payload"))
    def payload_shown(self, delivery: Delivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2, ensure_ascii=False))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        scope = webhook_organisations(request)
        queryset = super().get_queryset(request)
        return queryset if scope is None else queryset.filter(endpoint__organization_id__in=scope)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(staff_roles(request) & {Role.ADMIN, *MEMBERS_WHO_SEE})

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = webhook_organisations(request)
        if scope is None:
            return True
        return bool(scope) and (obj is None or obj.endpoint.organization_id in scope)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_send_permission(self, request: HttpRequest) -> bool:
        return bool(staff_roles(request) & {Role.ADMIN, Role.CAMPAIGNER})

    @admin.action(description=_("Send the selected deliveries again"), permissions=["send"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        sent, refused = 0, []
        for delivery in queryset.select_related("endpoint__organization"):
            try:
                if Role.ADMIN not in staff_roles(request) and delivery.endpoint.organization_id not in _memberships(
                    request, [Role.CAMPAIGNER]
                ):
                    raise NotAllowed(_("Your role does not allow this."))
                services.send_again(delivery, actor=request.user, client_ip=client_ip(request))
                sent += 1
            except (services.NotPossible, NotAllowed) as error:
                refused.append(f"{delivery}: {error}")
        if sent:
            self.message_user(
                request, ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", sent) % {"n": sent}
            )
        for line in refused:
            self.message_user(request, line, level=messages.WARNING)

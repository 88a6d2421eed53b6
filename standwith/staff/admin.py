from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from standwith.shield.network import client_ip
from standwith.staff import services
from standwith.staff.models import AuditRecord, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin[AuditRecord]):
    """The audit log, to read and filter; nobody changes it here."""

    list_display = ["at", "actor_name", "action", "object_type", "object_repr", "network"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "at"
    # The admin's "N results" counts the whole table on every page view; a long log makes that slow.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def move_selected(state: str, description: "StrOrPromise") -> Any:
    """An admin action that moves each selected petition through the lifecycle service."""

    @admin.action(description=description)
    def action(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> None:
        moved, refused = 0, []
        for petition in queryset.select_related("organization"):
            try:
                services.move_petition(petition, state, request.user, client_ip=client_ip(request))
                moved += 1
            except services.NotAllowed as error:
                refused.append(f"{petition}: {error}")
        if moved:
            modeladmin.message_user(
                request, ngettext("%(n)d petition moved.", "%(n)d petitions moved.", moved) % {"n": moved}
            )
        for line in refused:
            modeladmin.message_user(request, line, level=messages.WARNING)

    action.__name__ = f"move_to_{state}"
    return action

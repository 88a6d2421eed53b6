"""Who sees and changes what in the staff screens, by role and organisation.

Roles, not Django's per-model permission table, decide: a campaigner works
on their own organisations' campaigns only, moderators and admins see every
organisation's, and only admins delete or manage the site.
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from standwith.campaigns.models import Organization
from standwith.shield.network import client_ip
from standwith.staff.models import Membership, Role
from standwith.staff.services import SITE_WIDE, record, roles_of


def staff_roles(request: HttpRequest) -> set[Role]:
    """Every role this person holds anywhere (cached on the request: admin pages ask many times)."""
    cached: set[Role] | None = getattr(request, "_staff_roles", None)
    if cached is None:
        cached = roles_of(request.user, None) | _organisation_roles(request)
        request._staff_roles = cached  # type: ignore[attr-defined]
    return cached


def _organisation_roles(request: HttpRequest) -> set[Role]:
    if not request.user.is_authenticated or not request.user.is_active:
        return set()
    return {Role(role) for role in Membership.objects.filter(user=request.user).values_list("role", flat=True)}


def campaign_organisations(request: HttpRequest) -> set[int] | None:
    """Ids of the organisations whose campaigns this person may edit; None means every one."""
    if staff_roles(request) & SITE_WIDE:
        return None
    if not request.user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=request.user, role=Role.CAMPAIGNER).values_list("organization_id", flat=True)
    )


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Every change made through these screens goes into the audit log, with the fields it touched."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = "edit" if change else "add"
        record(
            request.user,
            f"{obj._meta.model_name}.{action}",
            obj,
            client_ip=client_ip(request),
            fields=sorted(form.changed_data),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(request.user, f"{obj._meta.model_name}.delete", obj, client_ip=client_ip(request))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            record(request.user, f"{obj._meta.model_name}.delete", obj, client_ip=client_ip(request))
        super().delete_queryset(request, queryset)


class OrganisationScopedAdmin(AuditedAdmin):
    """Campaign content, each item belonging to an organisation through `organisation_path`."""

    organisation_path = "organization"

    def _in_scope(self, request: HttpRequest, obj: models.Model | None) -> bool:
        scope = campaign_organisations(request)
        if obj is None or scope is None:
            return True
        owner = obj
        for step in self.organisation_path.split("__"):
            owner = getattr(owner, step)
        return getattr(owner, "pk", None) in scope

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        queryset = super().get_queryset(request)
        scope = campaign_organisations(request)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.organisation_path}__in": scope})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(staff_roles(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        roles = staff_roles(request)
        return bool(roles & (SITE_WIDE | {Role.CAMPAIGNER})) and self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        roles = staff_roles(request)
        return Role.ADMIN in roles or Role.CAMPAIGNER in roles

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        roles = staff_roles(request)
        if Role.ADMIN in roles:
            return True
        return Role.CAMPAIGNER in roles and self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return Role.ADMIN in staff_roles(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # A campaigner can only file new work under their own organisations.
        scope = campaign_organisations(request)
        if scope is not None and db_field.related_model is Organization:
            kwargs["queryset"] = Organization.objects.filter(pk__in=scope)
        elif scope is not None and hasattr(db_field.related_model, "organization"):
            kwargs["queryset"] = db_field.related_model.objects.filter(organization__in=scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AdminsOnlyChangeAdmin(AuditedAdmin):
    """Shared records (organisations, memberships): every staff member may look, admins change."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(staff_roles(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(staff_roles(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return Role.ADMIN in staff_roles(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return Role.ADMIN in staff_roles(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return Role.ADMIN in staff_roles(request)


class SharedContentAdmin(AdminsOnlyChangeAdmin):
    """Records every organisation's campaigns share (targets): campaigners add and edit too."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(staff_roles(request) & {Role.CAMPAIGNER, Role.ADMIN})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(staff_roles(request) & {Role.CAMPAIGNER, Role.ADMIN})


class FollowsParentInline:
    """An inline anyone may edit who may edit the item it belongs to, and no one else."""

    def _parent_admin(self) -> admin.ModelAdmin[Any]:
        inline: Any = self  # mixed into an InlineModelAdmin, which has both
        return inline.admin_site._registry[inline.parent_model]  # type: ignore[no-any-return]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)


def data_organisations(request: HttpRequest) -> set[int] | None:
    """Ids of the organisations whose signers' personal data this person may see; None means every one.

    Only data officers and admins: a moderator's site-wide role covers petitions, not the people who sign
    them. Cached on the request, as admin pages ask many times.
    """
    if not hasattr(request, "_data_organisations"):
        scope: set[int] | None = None
        if Role.ADMIN not in staff_roles(request):
            scope = set()
            if request.user.is_authenticated and request.user.is_active:
                officer_of = Membership.objects.filter(user=request.user, role=Role.DATA_OFFICER)
                scope = set(officer_of.values_list("organization_id", flat=True))
        request._data_organisations = scope  # type: ignore[attr-defined]
    return request._data_organisations  # type: ignore[attr-defined,no-any-return]


class AdminsReadOnly(admin.ModelAdmin[Any]):
    """A record only ever added to by the site (the audit log, erasure records): admins read it, nobody edits it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return Role.ADMIN in staff_roles(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return Role.ADMIN in staff_roles(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

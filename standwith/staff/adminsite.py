"""The admin site, open only to staff who have also given a second factor.

Kept free of model imports: Django loads this module while it is still
reading INSTALLED_APPS.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


def awaits_second_factor(user: Any) -> bool:
    """Signed in with a password as staff, but not yet with a code."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and not user.is_verified())


def second_factor_url(next_url: str) -> str:
    return f"{reverse('staff_verify')}?{urlencode({'next': next_url})}" if next_url else reverse("staff_verify")


class StaffAdminSite(admin.AdminSite):
    """Django's admin, where a password alone is not enough.

    Signing in takes two pages: the admin's own password form, then a code
    from an authenticator app (or enrolling one, the first time).
    """

    site_header = site_title = "standwith"
    index_template = "staff/admin_index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return super().has_permission(request) and bool(user.is_verified())

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if awaits_second_factor(request.user):
            return HttpResponseRedirect(second_factor_url(request.GET.get("next", "")))
        response = super().login(request, extra_context)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            # The password was right; the address the login form checked and
            # chose is where to go once the code is right too.
            return HttpResponseRedirect(second_factor_url(response.url))
        return response


class StaffAdminConfig(AdminConfig):
    default_site = "standwith.staff.adminsite.StaffAdminSite"

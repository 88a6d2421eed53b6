"""Staff pages of a petition's reports, under /admin/reports/ (each behind the admin's sign-in and second factor)."""

from django.urls import path  # noqa: F401  (each report's helper adds its paths below)

urlpatterns: list = []  # type: ignore[type-arg]

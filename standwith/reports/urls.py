"""Staff pages of a petition's reports, under /admin/reports/ (each behind the admin's sign-in and second factor)."""

from django.urls import path

urlpatterns: list = []  # type: ignore[type-arg]

from django.contrib import admin  # noqa: E402

from standwith.reports import export_views, paper_views  # noqa: E402

urlpatterns += [
    path("<int:petition_id>/export/", admin.site.admin_view(export_views.export_csv), name="export_csv"),
    path("<int:petition_id>/paper/", admin.site.admin_view(paper_views.paper_signatures), name="paper_signatures"),
]

from standwith.reports import dashboard_views  # noqa: E402

urlpatterns += [
    path("<int:petition_id>/dashboard/", admin.site.admin_view(dashboard_views.dashboard), name="dashboard"),
]

from standwith.signing import shred_views  # noqa: E402

urlpatterns += [
    path(
        "<int:petition_id>/emergency-erase/",
        admin.site.admin_view(shred_views.emergency_erase),
        name="emergency_erase",
    ),
]

from standwith.reports import packet_views  # noqa: E402

urlpatterns += [
    path("<int:petition_id>/packet/", admin.site.admin_view(packet_views.packet_page), name="packet"),
    path(
        "<int:petition_id>/packet/<int:build_id>.pdf",
        admin.site.admin_view(packet_views.packet_download),
        name="packet_download",
    ),
    path("<int:petition_id>/paper-form.pdf", admin.site.admin_view(packet_views.paper_form_pdf), name="paper_form"),
]

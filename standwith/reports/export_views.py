"""The CSV export screen of a petition's signers, served inside the admin (behind its sign-in and second factor)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition
from standwith.reports import export
from standwith.shield.network import client_ip
from standwith.staff.access import data_organisations


class ExportForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=[(column.key, column.label) for column in export.COLUMNS],
        initial=list(export.DEFAULT_COLUMNS),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one column.")},
    )
    states = forms.ChoiceField(
        label=_("Signatures"),
        choices=[
            ("confirmed", _("Confirmed only (those that count)")),
            ("all", _("All: waiting, confirmed, invalidated and withdrawn")),
        ],
        initial="confirmed",
        widget=forms.RadioSelect,
    )


def _petition(request: HttpRequest, petition_id: int) -> Petition:
    petition = get_object_or_404(Petition.objects.select_related("organization"), pk=petition_id)
    scope = data_organisations(request)
    if scope is not None and petition.organization_id not in scope:
        raise PermissionDenied
    return petition


def export_csv(request: HttpRequest, petition_id: int) -> HttpResponse | StreamingHttpResponse:
    petition = _petition(request, petition_id)
    form = ExportForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        job = export.Export(
            petition=petition,
            columns=export.columns_from(form.cleaned_data["columns"]),
            everyone=form.cleaned_data["states"] == "all",
            actor=request.user,
            client_ip=client_ip(request),
        )
        try:
            job.start()
        except export.KeyDestroyed:
            form.add_error(
                None,
                gettext(
                    "This petition's data key was destroyed (an emergency erase): its signers' names, addresses "
                    "and postcodes can no longer be read by anyone. Export without those columns, or use the "
                    "dashboard for its figures."
                ),
            )
            status = 409
        else:
            filename = f"{petition.slug}-signers-{timezone.now():%Y-%m-%d}.csv"
            response = StreamingHttpResponse(export.stream(job), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            # Personal data: no cache anywhere keeps a copy.
            response["Cache-Control"] = "no-store"
            return response
    elif request.method == "POST":
        status = 400
    context = {
        **admin.site.each_context(request),
        "title": gettext("Export signers as CSV: %(petition)s") % {"petition": petition.title},
        "opts": Petition._meta,
        "petition": petition,
        "form": form,
    }
    return render(request, "reports/export.html", context, status=status)

"""The staff screen of where a petition's signatures came from, served inside the admin (behind its sign-in)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext

from standwith.campaigns.models import Petition
from standwith.signing.sources import sources
from standwith.staff.services import roles_of


def sources_screen(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = get_object_or_404(Petition.objects.select_related("organization"), pk=petition_id)
    # Any role in the petition's organisation, or a site-wide one: these are counts, naming no one.
    if not roles_of(request.user, petition.organization):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": gettext("Where signatures come from: %(petition)s") % {"petition": petition.title},
        "opts": Petition._meta,
        "petition": petition,
        "sources": sources(petition),
    }
    return render(request, "signing/sources.html", context)

"""Entering a petition's paper signatures, served inside the admin (behind its sign-in and second factor)."""

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition
from standwith.campaigns.services import takes_signatures
from standwith.reports import paper
from standwith.shield.network import client_ip
from standwith.signing.services import PetitionNotOpen, SigningPaused

# A form's entry ticket is spent for this long: a second click on "Add" records nothing more.
ENTRY_SECONDS = 24 * 60 * 60


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), error_messages={"required": _("Choose a CSV file.")})
    verified_in_person = forms.BooleanField(label=_("Every signer in this file was verified in person"), required=False)


def _petition(request: HttpRequest, petition_id: int) -> Petition:
    petition = get_object_or_404(Petition.objects.select_related("organization"), pk=petition_id)
    if not paper.may_enter(request.user, petition):
        raise PermissionDenied
    return petition


def _page(request: HttpRequest, petition: Petition, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("form", paper.PaperSignatureForm(petition=petition))
    context.setdefault("upload_form", UploadForm())
    return render(
        request,
        "reports/paper.html",
        {
            **admin.site.each_context(request),
            "title": gettext("Paper signatures: %(petition)s") % {"petition": petition.title},
            "opts": Petition._meta,
            "petition": petition,
            "open": takes_signatures(petition),
            "entry": secrets.token_urlsafe(12),
            "counts": paper.paper_counts(petition),
            "max_rows": paper.MAX_UPLOAD_ROWS,
            "max_mb": paper.MAX_UPLOAD_BYTES // (1024 * 1024),
            "columns": ", ".join(paper.COLUMNS),
            "opened_on": paper.opened_on(petition),
            **context,
        },
        status=status,
    )


def paper_signatures(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = _petition(request, petition_id)
    if request.method != "POST":
        return _page(request, petition)
    if not takes_signatures(petition):
        return _page(request, petition, status=409)
    action = request.POST.get("action")
    user = request.user
    assert isinstance(user, User)  # admin_view lets only signed-in staff through
    try:
        if action == "one":
            return _one(request, petition, user)
        if action == "upload":
            return _upload(request, petition, user)
        if action == "record":
            return _record(request, petition, user)
    except SigningPaused:
        messages.error(request, gettext("Signing is paused on the whole site for now; nothing was recorded."))
        return redirect("paper_signatures", petition.pk)
    except PetitionNotOpen:
        return _page(request, petition, status=409)
    return _page(request, petition, status=400)


def _one(request: HttpRequest, petition: Petition, user: User) -> HttpResponse:
    form = paper.PaperSignatureForm(request.POST, petition=petition)
    if not form.is_valid():
        return _page(request, petition, status=400, form=form)
    entry = request.POST.get("entry", "")[:64]
    # The page's own ticket, spent once: a double click or a reload adds the signature only once.
    if entry and not cache.add(f"paper-entry:{petition.pk}:{user.pk}:{entry}", True, ENTRY_SECONDS):
        messages.warning(request, gettext("That signature was recorded already."))
        return redirect("paper_signatures", petition.pk)
    paper.record_one(petition, form, user, client_ip=client_ip(request))
    messages.success(request, gettext("The paper signature was recorded."))
    return redirect("paper_signatures", petition.pk)


def _upload(request: HttpRequest, petition: Petition, user: User) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, petition, status=400, upload_form=form)
    upload_file = form.cleaned_data["file"]
    verified = form.cleaned_data["verified_in_person"]
    try:
        if upload_file.size > paper.MAX_UPLOAD_BYTES:
            raise paper.UploadRefused(paper.too_big(), status=413)
        upload = paper.read_upload(petition, upload_file.read(), verified_in_person=verified)
    except paper.UploadRefused as refused:
        form.add_error("file", refused.message)
        return _page(request, petition, status=refused.status, upload_form=form)
    ticket = paper.keep_for_recording(petition, user, upload, verified_in_person=verified) if upload.good else ""
    return render(
        request,
        "reports/paper_preview.html",
        {
            **admin.site.each_context(request),
            "title": gettext("Check the file before recording: %(petition)s") % {"petition": petition.title},
            "opts": Petition._meta,
            "petition": petition,
            "upload": upload,
            "ticket": ticket,
            "verified": verified,
            "file_name": upload_file.name,
        },
    )


def _record(request: HttpRequest, petition: Petition, user: User) -> HttpResponse:
    ticket = request.POST.get("ticket", "")[:64]
    try:
        count = paper.record_kept(petition, user, ticket, client_ip=client_ip(request))
    except paper.TicketUsed:
        messages.warning(
            request,
            gettext("These signatures were recorded already, or their preview expired: upload the file again."),
        )
        return redirect("paper_signatures", petition.pk)
    messages.success(
        request,
        ngettext("%(n)d paper signature was recorded.", "%(n)d paper signatures were recorded.", count) % {"n": count},
    )
    return redirect("paper_signatures", petition.pk)

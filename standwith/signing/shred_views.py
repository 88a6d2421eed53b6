"""The staff page of a petition's emergency erase, served inside the admin (behind its sign-in and second factor)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from standwith.campaigns.models import Petition
from standwith.shield.network import client_ip
from standwith.signing import shredding
from standwith.signing.models import ErasureRecord, PetitionKey, Signature


class ConfirmForm(forms.Form):
    slug = forms.CharField(
        label=_("The petition's address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("A new code from your authenticator app"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _context(request: HttpRequest, petition: Petition, form: ConfirmForm) -> dict[str, Any]:
    signatures = Signature.objects.filter(petition=petition)
    return {
        **admin.site.each_context(request),
        "title": gettext("Emergency erase: %(petition)s") % {"petition": petition.title},
        "opts": Petition._meta,
        "petition": petition,
        "form": form,
        "readable": signatures.filter(erased_at__isnull=True).count(),
        "total": signatures.count(),
        "has_key": PetitionKey.objects.filter(petition=petition).exists(),
        "erasures": ErasureRecord.objects.filter(petition=petition, kind=ErasureRecord.Kind.EMERGENCY).select_related(
            "by"
        ),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def emergency_erase(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = get_object_or_404(Petition.objects.select_related("organization"), pk=petition_id)
    if not shredding.may_erase(request.user):
        raise PermissionDenied
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                shredding.confirm(
                    request.user,
                    petition,
                    form.cleaned_data["slug"],
                    form.cleaned_data["code"],
                    client_ip=client_ip(request),
                )
            except shredding.Refused as refusal:
                form.add_error(None, str(refusal))
            else:
                erasure = shredding.emergency_erase(petition, request.user, client_ip=client_ip(request))
                messages.success(
                    request,
                    ngettext(
                        "The data key is destroyed: the personal data of %(n)d signer can no longer be read.",
                        "The data key is destroyed: the personal data of %(n)d signers can no longer be read.",
                        erasure.signatures,
                    )
                    % {"n": erasure.signatures},
                )
                return HttpResponseRedirect(reverse("emergency_erase", args=[petition.pk]))
        # A code is good once: the field comes back empty, for the next one.
        data = request.POST.copy()
        data["code"] = ""
        form.data = data
        # Nothing was erased: say so with a refusal, not a page that looks like it worked.
        return render(request, "signing/shred.html", _context(request, petition, form), status=400)
    return render(request, "signing/shred.html", _context(request, petition, form))

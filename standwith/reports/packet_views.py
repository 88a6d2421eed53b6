"""The delivery packet's staff page: ask for one (with translations), see it being built, download it.

Anyone who works on the petition may: campaigners and data officers of its organisation, moderators and
admins. The packet names only signers who asked to be named publicly, so it is not personal data in the
sense the exports are; asking and downloading are audited all the same.
"""

import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition
from standwith.reports import packet, packet_builds, paper_form
from standwith.reports.models import PacketBuild
from standwith.shield.network import client_ip
from standwith.staff.models import Role
from standwith.staff.services import record, roles_of

MAY_DOWNLOAD = {Role.CAMPAIGNER, Role.DATA_OFFICER, Role.MODERATOR, Role.ADMIN}


def _petition(request: HttpRequest, petition_id: int) -> Petition:
    petition = get_object_or_404(Petition.objects.select_related("organization"), pk=petition_id)
    if not roles_of(request.user, petition.organization) & MAY_DOWNLOAD:
        raise PermissionDenied
    return petition


class PacketForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Add the petition's translations into"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The original text is always included."),
    )

    def __init__(self, *args: object, petition: Petition, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["languages"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(code, packet.language_name(code)) for code in packet.translated_languages(petition)]


def packet_page(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = _petition(request, petition_id)
    form = PacketForm(request.POST if request.method == "POST" else None, petition=petition)
    if request.method == "POST":
        if form.is_valid():
            packet_builds.request_packet(
                petition,
                request.user,
                form.cleaned_data["languages"],
                translation.get_language() or "en",
                client_ip=client_ip(request),
            )
            messages.success(
                request, gettext("The packet is being built. Reload this page in a moment to download it.")
            )
            return redirect("packet", petition.pk)
    elif request.method != "GET":
        return HttpResponse(status=405)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Delivery packet: %(petition)s") % {"petition": petition.title},
        "opts": Petition._meta,
        "petition": petition,
        "form": form,
        # The table wants the page's width.
        "is_nav_sidebar_enabled": False,
        "paper_forms": [(code, packet.language_name(code)) for code in paper_form.languages(petition)],
        "builds": PacketBuild.objects.filter(petition=petition).select_related("requested_by")[
            : packet_builds.KEEP_PER_PETITION
        ],
        "original_language": packet.language_name(petition.language),
    }
    return render(request, "reports/packet.html", context, status=400 if form.errors else 200)


def packet_download(request: HttpRequest, petition_id: int, build_id: int) -> FileResponse:
    petition = _petition(request, petition_id)
    build = get_object_or_404(PacketBuild, pk=build_id, petition=petition)
    path = packet_builds.packet_file(build)
    if path is None:
        raise Http404(gettext("This packet is not ready, or has been replaced by a newer one."))
    record(request.user, "packet.download", petition, client_ip=client_ip(request), packet=build.pk)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{petition.slug}-packet.pdf", content_type="application/pdf"
    )


def paper_form_pdf(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The blank signature form, in ?language= (one of the petition's), else the petition's own language."""
    petition = _petition(request, petition_id)
    language = request.GET.get("language") or petition.language
    if not paper_form.language_allowed(petition, language):
        choices = ", ".join(paper_form.languages(petition))
        return HttpResponse(
            gettext("This petition has no text in that language. Choose one of: %(languages)s.")
            % {"languages": choices},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    buffer = io.BytesIO()
    paper_form.build(petition, language, buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{petition.slug}-form-{language}.pdf"'
    return response

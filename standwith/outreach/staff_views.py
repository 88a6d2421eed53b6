"""The staff screens for mailings, inside the admin (behind its sign-in and second factor).

Composing, the mailing's page (previews per language, a test to oneself, the
controls, live progress) and the progress JSON it polls. Only the
organisation's campaigners and the site's admins see them; every change goes
through standwith.outreach.mailings, which checks roles again and audits it.
No screen here shows a recipient's address or name.
"""

import logging
import re
import smtplib
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries as known_countries

from standwith.campaigns.models import Petition, Update
from standwith.outreach import composing, mailings
from standwith.outreach.models import Mailing
from standwith.shield.network import client_ip
from standwith.staff.access import staff_roles
from standwith.staff.models import Membership, Role
from standwith.staff.services import NotAllowed, roles_of

logger = logging.getLogger(__name__)
State = Mailing.State
MOVING = {State.PREPARING, State.SENDING}
# A preview is the letter as mail apps will show it: its own inline styles, nothing loaded, no script.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)
_LIST_SEPARATORS = re.compile(r"[\s,;]+")


def mailing_organisations(request: HttpRequest) -> set[int] | None:
    """Ids of the organisations whose mailings this person may see and send; None means every one."""
    if Role.ADMIN in staff_roles(request):
        return None
    if not request.user.is_authenticated:
        return set()
    mine = Membership.objects.filter(user=request.user, role=Role.CAMPAIGNER)
    return set(mine.values_list("organization_id", flat=True))


def may_mail(request: HttpRequest, mailing: Mailing | None = None) -> bool:
    if mailing is None:
        return bool(staff_roles(request) & mailings.MAILERS)
    return bool(roles_of(request.user, mailing.organization) & mailings.MAILERS)


def _staff(request: HttpRequest) -> User:
    """The staff member signed in: every view here is behind the admin's sign-in."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _mailing(request: HttpRequest, mailing_id: int | str) -> Mailing:
    """The mailing, for someone who may send it; 403 for anyone else."""
    if not str(mailing_id).isdigit():
        raise Http404
    found = Mailing.objects.select_related("organization", "update__case", "created_by")
    mailing = get_object_or_404(found, pk=mailing_id)
    if not may_mail(request, mailing):
        raise PermissionDenied
    return mailing


def _page(mailing: Mailing) -> str:
    return reverse("admin:outreach_mailing_change", args=[mailing.pk])


def _words(value: str) -> list[str]:
    return [word for word in _LIST_SEPARATORS.split(value.strip()) if word]


class UpdateChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    languages: dict[int, list[str]]

    def label_from_instance(self, obj: Any) -> str:
        languages = ", ".join(self.languages.get(obj.pk, []))
        return f"{obj.title} ({obj.case.title}; {languages})"


class PetitionChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.organization.name}, {obj.get_state_display()})"


class ComposeForm(forms.Form):
    update = UpdateChoice(
        queryset=Update.objects.none(),
        label=_("Update"),
        help_text=_(
            "A published update of one of your organisation's cases, with the languages it can be mailed in. "
            "Each signer gets it in the language they signed in, else in the petition's, else in the update's own."
        ),
    )
    petitions = PetitionChoices(
        queryset=Petition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Petitions"),
        help_text=_(
            "Their confirmed signers who agreed to hear more get it, once per address; "
            "those who unsubscribed or whose address bounced do not."
        ),
    )
    countries = forms.CharField(
        label=_("Only signers in these countries"),
        required=False,
        max_length=2000,
        help_text=_("Two-letter country codes, separated by commas: GB, FR. Leave empty for every country."),
    )
    sources = forms.CharField(
        label=_("Only signers from these sources"),
        required=False,
        max_length=2000,
        help_text=_("Source codes, separated by commas. Leave empty for every source."),
    )
    from_name = forms.CharField(
        label=_("Sender's name"),
        required=False,
        strip=False,
        help_text=_("Leave empty to send in the organisation's name."),
    )
    rate = forms.IntegerField(label=_("Messages per second"), required=False)

    def __init__(self, *args: Any, scope: set[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        updates = Update.objects.filter(published_at__isnull=False).select_related("case__organization")
        petitions = Petition.objects.select_related("organization").order_by("organization__name", "-created_at")
        if scope is not None:
            updates = updates.filter(case__organization__in=scope)
            petitions = petitions.filter(organization__in=scope)
        update_field: Any = self.fields["update"]
        update_field.queryset = updates
        update_field.languages = composing.languages_of(list(updates))
        petitions_field: Any = self.fields["petitions"]
        petitions_field.queryset = petitions
        self.fields["rate"].help_text = _("Leave empty for the site's rate: %(rate)s per second.") % {
            "rate": number_format(settings.MAILING_RATE)
        }

    def clean_countries(self) -> list[str]:
        return [code.upper() for code in _words(self.cleaned_data["countries"])]

    def clean_sources(self) -> list[str]:
        return _words(self.cleaned_data["sources"])


# Where a refusal from create_mailing belongs on the form; anything else (the sender's name, the update's
# texts) names what it is about and shows above the form.
_FIELD_OF_ERROR = {
    "no_petitions": "petitions",
    "foreign_petition": "petitions",
    "foreign_update": "update",
    "draft_update": "update",
    "country": "countries",
    "source": "sources",
    "rate": "rate",
}


def compose(request: HttpRequest) -> HttpResponse:
    if not may_mail(request):
        raise PermissionDenied
    scope = mailing_organisations(request)
    if request.method == "POST":
        form = ComposeForm(request.POST, scope=scope)
        if form.is_valid():
            data = form.cleaned_data
            update = data["update"]
            try:
                mailing = mailings.create_mailing(
                    update.case.organization,
                    update,
                    list(data["petitions"]),
                    created_by=_staff(request),
                    countries=data["countries"],
                    sources=data["sources"],
                    from_name=data["from_name"],
                    rate=data["rate"],
                )
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            except ValidationError as error:
                form.add_error(_FIELD_OF_ERROR.get(str(error.code)), error)
            else:
                messages.success(
                    request, gettext("Draft saved. Look at the previews and send yourself a test before starting it.")
                )
                return redirect(_page(mailing))
    else:
        form = ComposeForm(scope=scope, initial={"update": request.GET.get("update")})
    context = {
        **admin.site.each_context(request),
        "title": gettext("Compose a mailing"),
        "opts": Mailing._meta,
        "form": form,
    }
    return render(request, "admin/outreach/mailing/compose.html", context, status=400 if form.errors else 200)


def _duration(length: timedelta | None) -> str:
    if length is None:
        return "—"
    minutes, seconds = divmod(int(length.total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def _progress(mailing: Mailing) -> dict[str, Any]:
    now = mailings.progress(mailing)
    done = now.sent + now.failed + now.skipped
    return {
        "state": now.state,
        "recipients": now.recipients,
        "sent": now.sent,
        "failed": now.failed,
        "skipped": now.skipped,
        "remaining": now.remaining,
        "done": done,
        "per_second": now.per_second,
        "eta_seconds": int(now.eta.total_seconds()) if now.eta else None,
        # As the page shows them, in the staff member's language, so the script only puts them in place.
        "shown": {
            "state": str(State(now.state).label),
            "recipients": number_format(now.recipients, force_grouping=True),
            "sent": number_format(now.sent, force_grouping=True),
            "failed": number_format(now.failed, force_grouping=True),
            "skipped": number_format(now.skipped, force_grouping=True),
            "remaining": number_format(now.remaining, force_grouping=True),
            "percent": number_format(100 * done / now.recipients, 1) + " %" if now.recipients else "—",
            "per_second": number_format(now.per_second, 1) if now.per_second is not None else "—",
            # Only a mailing that is sending gets nearer its end.
            "eta": _duration(now.eta) if now.state in MOVING else "—",
        },
    }


def _controls(mailing: Mailing) -> list[str]:
    """The controls the mailing's state allows (the services refuse any other)."""
    found = []
    if mailing.state == State.DRAFT:
        found.append("start")
    if mailing.state == State.SENDING:
        found.append("pause")
    if mailing.state == State.PAUSED:
        found.append("resume")
    if mailing.state not in (State.CANCELLED, State.FINISHED):
        found.append("cancel")
    return found


def _described(mailing: Mailing) -> dict[str, Any]:
    return {
        "petitions": list(mailing.petitions.order_by("title").values_list("title", flat=True)),
        "countries": [known_countries.name(code) or code for code in mailing.countries],
        "sender": mailing.from_name or mailing.organization.name,
        "rate": mailing.rate or settings.MAILING_RATE,
        "languages": composing.languages(mailing.update),
    }


@require_GET
def mailing_page(request: HttpRequest, mailing_id: int | str) -> HttpResponse:
    mailing = _mailing(request, mailing_id)
    described = _described(mailing)
    names = dict(settings.LANGUAGES)
    context = {
        **admin.site.each_context(request),
        "title": str(mailing),
        "opts": Mailing._meta,
        "mailing": mailing,
        "described": described,
        "progress": _progress(mailing),
        "moving": mailing.state in MOVING,
        "controls": _controls(mailing),
        "letters": [
            (mailings.preview(mailing, language), names.get(language, language)) for language in described["languages"]
        ],
        "email": _staff(request).email,
    }
    return render(request, "admin/outreach/mailing/mailing.html", context)


@require_GET
def progress_json(request: HttpRequest, mailing_id: int) -> JsonResponse:
    return JsonResponse(_progress(_mailing(request, mailing_id)))


@require_GET
@xframe_options_sameorigin
def preview_html(request: HttpRequest, mailing_id: int, language: str) -> HttpResponse:
    """The letter's HTML alone, for the sandboxed frame on the mailing's page."""
    letter = mailings.preview(_mailing(request, mailing_id), language)
    response = HttpResponse(letter.html)
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response


@require_POST
def send_test(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _mailing(request, mailing_id)
    language = request.POST.get("language", "")
    if language not in composing.languages(mailing.update):
        messages.error(request, gettext("Choose one of the update's languages for the test."))
        return redirect(_page(mailing))
    try:
        address = mailings.send_test(mailing, _staff(request), language, client_ip=client_ip(request))
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (smtplib.SMTPException, OSError):
        logger.warning("test of mailing %s not sent", mailing.pk, exc_info=True)
        messages.error(request, gettext("The mail server did not take the test. Try again in a moment."))
    else:
        messages.success(
            request,
            gettext("A test in %(language)s went to %(address)s.")
            % {"language": dict(settings.LANGUAGES).get(language, language), "address": address},
        )
    return redirect(_page(mailing))


_ACTIONS = {
    "start": mailings.start,
    "pause": mailings.pause,
    "resume": mailings.resume,
    "cancel": mailings.cancel,
}
_DONE = {
    "start": _("Started: recipients are being chosen, then sending begins."),
    "pause": _("Paused. Nothing more goes out until it is resumed."),
    "resume": _("Resumed where it stopped."),
    "cancel": _("Cancelled. Nothing more goes out; what was sent stays recorded."),
}
_TOO_LATE = {
    "start": _("This mailing has already been started."),
    "pause": _("Only a mailing that is sending can be paused."),
    "resume": _("Only a paused mailing can be resumed."),
    "cancel": _("This mailing is already over."),
}
# Starting mails many people and cancelling cannot be undone: both ask first.
_CONFIRMED_FIRST = {"start", "cancel"}


@require_http_methods(["GET", "POST"])
def control(request: HttpRequest, mailing_id: int, action: str) -> HttpResponse:
    mailing = _mailing(request, mailing_id)
    if request.method == "GET":
        if action not in _CONFIRMED_FIRST:
            return HttpResponse(status=405, headers={"Allow": "POST"})
        context = {
            **admin.site.each_context(request),
            "title": gettext("Start sending?") if action == "start" else gettext("Cancel this mailing?"),
            "opts": Mailing._meta,
            "mailing": mailing,
            "action": action,
            "allowed": action in _controls(mailing),
            "described": _described(mailing),
            "progress": _progress(mailing),
        }
        return render(request, "admin/outreach/mailing/confirm.html", context)
    try:
        _ACTIONS[action](mailing, _staff(request), client_ip=client_ip(request))
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except mailings.WrongState:
        messages.error(request, str(_TOO_LATE[action]))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(_DONE[action]))
    return redirect(_page(mailing))


def scoped(queryset: QuerySet[Mailing], request: HttpRequest) -> QuerySet[Mailing]:
    scope = mailing_organisations(request)
    return queryset if scope is None else queryset.filter(organization__in=scope)

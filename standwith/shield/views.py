"""The fraud console and the bulk-invalidation screens, served inside the admin (behind its sign-in and second factor).

Moderators and admins see any petition's console and act on it; a campaigner
sees their own organisation's petitions' consoles but may not strike off
signatures. Every change goes through standwith.shield.services, which audits it.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from standwith.campaigns.models import Petition
from standwith.shield import console, services
from standwith.shield.network import client_ip
from standwith.signing import counting
from standwith.signing.models import Invalidation, Signature
from standwith.staff.models import Role
from standwith.staff.services import SITE_WIDE, NotAllowed, roles_of

VIEWERS = SITE_WIDE | {Role.CAMPAIGNER}


def _petition_roles(request: HttpRequest, petition_id: int) -> tuple[Petition, set[Role]]:
    """The petition and the roles this person holds over it; 403 for those who may not see its console."""
    petition = get_object_or_404(Petition.objects.select_related("organization"), pk=petition_id)
    roles = roles_of(request.user, petition.organization)
    if not roles & VIEWERS:
        raise PermissionDenied
    return petition, roles


# Chart geometry, in SVG user units: the plot, and room for the axes' labels.
PLOT_WIDTH, PLOT_HEIGHT, LEFT, TOP, BOTTOM = 840, 160, 48, 10, 26
CONFIRMED_FILL, UNCONFIRMED_FILL = "#417690", "#e0a526"


def _ceiling(most: int) -> int:
    """The top of the scale: the smallest 1, 2 or 5 times a power of ten at or above the highest bar."""
    scale = 1
    while True:
        for factor in (1, 2, 5):
            if scale * factor >= most:
                return scale * factor
        scale *= 10


def _units(value: float) -> str:
    # SVG wants a dot for decimals whatever the page's language, so numbers are written here, not localised.
    return f"{value:.1f}"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    heading: str  # of the time column in the data table
    bars: list[dict[str, Any]]
    ticks: list[dict[str, str]]
    gridlines: list[dict[str, str]]
    width: int = LEFT + PLOT_WIDTH + 8
    height: int = TOP + PLOT_HEIGHT + BOTTOM
    left: int = LEFT
    label_x: int = LEFT - 6
    axis_y: int = TOP + PLOT_HEIGHT
    tick_y: int = TOP + PLOT_HEIGHT + 4
    tick_label_y: int = TOP + PLOT_HEIGHT + 16


def _chart(
    key: str,
    title: str,
    buckets: list[console.Bucket],
    label_format: str,
    tick: Callable[[datetime.datetime], str | None],
    busiest_text: str,
) -> Chart:
    scale = _ceiling(max((bucket.total for bucket in buckets), default=0))
    step = PLOT_WIDTH / len(buckets)
    base = TOP + PLOT_HEIGHT
    bars, ticks = [], []
    for number, bucket in enumerate(buckets):
        local = timezone.localtime(bucket.start)
        x = LEFT + number * step
        confirmed = PLOT_HEIGHT * bucket.confirmed / scale
        unconfirmed = PLOT_HEIGHT * bucket.unconfirmed / scale
        bars.append(
            {
                "bucket": bucket,
                "when": date_format(local, label_format),
                "x": _units(x + step * 0.1),
                "width": _units(step * 0.8),
                "confirmed_y": _units(base - confirmed),
                "confirmed_height": _units(confirmed),
                "unconfirmed_y": _units(base - confirmed - unconfirmed),
                "unconfirmed_height": _units(unconfirmed),
            }
        )
        label = tick(local)
        if label is not None:
            ticks.append({"x": _units(x), "label": label})
    gridlines = [
        {"y": _units(base - PLOT_HEIGHT * part), "label": number_format(scale * part, decimal_pos=0)}
        for part in (0, 0.5, 1)
        if scale * part == int(scale * part)
    ]
    total = sum(bucket.total for bucket in buckets)
    busiest = max(buckets, key=lambda bucket: bucket.total)
    description = gettext("%(total)s signatures, %(confirmed)s of them confirmed.") % {
        "total": number_format(total),
        "confirmed": number_format(sum(bucket.confirmed for bucket in buckets)),
    }
    if total:
        description += " " + busiest_text % {
            "when": date_format(timezone.localtime(busiest.start), label_format),
            "n": number_format(busiest.total),
        }
    return Chart(key, title, description, gettext("Starting at"), bars, ticks, gridlines)


def _charts(data: console.Console) -> list[Chart]:
    return [
        _chart(
            "minutes",
            gettext("Signatures per minute, last 2 hours"),
            data.per_minute,
            "H:i",
            lambda local: date_format(local, "H:i") if local.minute % 15 == 0 else None,
            gettext("The busiest minute began at %(when)s, with %(n)s."),
        ),
        _chart(
            "hours",
            gettext("Signatures per hour, last 7 days"),
            data.per_hour,
            "D j M, H:i",
            lambda local: date_format(local, "D j M") if local.hour == 0 else None,
            gettext("The busiest hour began on %(when)s, with %(n)s."),
        ),
    ]


class InvalidationForm(forms.Form):
    network = forms.CharField(
        label=_("Network"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text=_("An address or a prefix (203.0.113.0/24, 2001:db8::/48), or a network's #digest from the console."),
    )
    domain = forms.CharField(
        label=_("Email domain"),
        required=False,
        max_length=260,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text=_("Such as example.org, or a domain's #digest from the console."),
    )
    since = forms.DateTimeField(
        label=_("Signed since"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S"),
    )
    until = forms.DateTimeField(
        label=_("Signed before"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S"),
    )
    source = forms.CharField(label=_("Source code"), required=False, max_length=64)
    unconfirmed_days = forms.IntegerField(
        label=_("Unconfirmed for at least (days)"), required=False, min_value=0, max_value=3650
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "class": "vLargeTextField"}),
        help_text=_("Kept with the invalidation and in the audit log."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            raise forms.ValidationError(_("“Signed since” must come before “Signed before”."))
        return data

    def criteria(self) -> services.Criteria:
        data = self.cleaned_data
        return services.Criteria(
            network=data["network"],
            domain=data["domain"],
            since=data["since"],
            until=data["until"],
            source=data["source"],
            unconfirmed_days=data["unconfirmed_days"],
        )


def _fingerprint(criteria: services.Criteria) -> str:
    return json.dumps(criteria.as_record(), sort_keys=True)


def _described(criteria: dict[str, object]) -> str:
    fields = InvalidationForm.base_fields
    return "; ".join(f"{fields[name].label if name in fields else name}: {value}" for name, value in criteria.items())


def fraud_console(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition, roles = _petition_roles(request, petition_id)
    data = console.console(petition)
    invalidations = petition.invalidations.select_related("created_by", "undone_by")[:50]
    context = {
        **admin.site.each_context(request),
        # The charts and tables want the page's whole width.
        "is_nav_sidebar_enabled": False,
        "title": gettext("Fraud console: %(petition)s") % {"petition": petition.title},
        "opts": Petition._meta,
        "petition": petition,
        "count": counting.stored_count(petition.pk),
        "data": data,
        "charts": _charts(data),
        "confirmed_fill": CONFIRMED_FILL,
        "unconfirmed_fill": UNCONFIRMED_FILL,
        "invalidations": [(batch, _described(batch.criteria)) for batch in invalidations],
        "may_act": bool(roles & SITE_WIDE),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "shield/console.html", context)


def invalidate(request: HttpRequest, petition_id: int) -> HttpResponse:
    """Criteria and a reason; a first submit previews what they match, a second (confirmed) strikes it off."""
    petition, roles = _petition_roles(request, petition_id)
    if not roles & SITE_WIDE:
        raise PermissionDenied
    preview = None
    if request.method == "POST":
        form = InvalidationForm(request.POST)
        if form.is_valid():
            criteria = form.criteria()
            try:
                found = services.matching(petition, criteria)
            except services.BadCriteria as error:
                form.add_error(None, str(error))
            else:
                # Only what was previewed is acted on: criteria changed after the preview are previewed again.
                if request.POST.get("confirm") and request.POST.get("previewed") == _fingerprint(criteria):
                    return _strike_off(request, petition, criteria, form.cleaned_data["reason"])
                preview = found.aggregate(
                    signatures=Count("pk"), counted=Count("pk", filter=Q(state=Signature.State.VALIDATED))
                )
                preview["fingerprint"] = _fingerprint(criteria)
    else:
        form = InvalidationForm(
            initial={name: request.GET[name] for name in InvalidationForm.base_fields if name in request.GET}
        )
    context = {
        **admin.site.each_context(request),
        "title": gettext("Invalidate signatures: %(petition)s") % {"petition": petition.title},
        "opts": Petition._meta,
        "petition": petition,
        "form": form,
        "preview": preview,
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "shield/invalidate.html", context, status=400 if form.errors else 200)


def _strike_off(request: HttpRequest, petition: Petition, criteria: services.Criteria, reason: str) -> HttpResponse:
    try:
        batch = services.invalidate(petition, criteria, reason, request.user, client_ip=client_ip(request))
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    messages.success(
        request,
        gettext("%(signatures)s signatures invalidated; the count fell by %(counted)s.")
        % {"signatures": number_format(batch.signatures), "counted": number_format(batch.counted)},
    )
    return redirect("shield_console", petition.pk)


@require_POST
def undo(request: HttpRequest, invalidation_id: int) -> HttpResponse:
    batch = get_object_or_404(Invalidation.objects.select_related("petition__organization"), pk=invalidation_id)
    if not roles_of(request.user, batch.petition.organization) & SITE_WIDE:
        raise PermissionDenied
    try:
        batch = services.undo(batch, request.user, client_ip=client_ip(request))
    except NotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("Invalidation undone: %(signatures)s signatures restored.")
            % {"signatures": number_format(batch.signatures)},
        )
    return redirect("shield_console", batch.petition_id)

"""A petition's staff dashboard: its figures at a glance, drawn as charts on the server. Counts only, naming no one."""

import datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language_bidi, gettext

from standwith.campaigns.models import Petition
from standwith.reports import charts
from standwith.signing.statistics import DashboardStatistics, PeriodCount, dashboard_statistics
from standwith.staff.services import roles_of

TOP = 10
DAY = datetime.timedelta(days=1)


def dashboard(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = get_object_or_404(Petition.objects.select_related("organization"), pk=petition_id)
    # Any role in the petition's organisation, or a site-wide one: aggregates only, so nothing to audit.
    if not roles_of(request.user, petition.organization):
        raise PermissionDenied
    figures = dashboard_statistics(petition.pk)
    context = {
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,  # the charts want the page's whole width
        "title": gettext("Dashboard: %(petition)s") % {"petition": petition.title},
        "opts": Petition._meta,
        "petition": petition,
        "figures": figures,
        "counted_at": timezone.localtime(figures.counted_at),
        "time_zone": timezone.get_current_timezone_name(),
        **_charts(figures, get_language_bidi()),
    }
    return render(request, "reports/dashboard.html", context)


def _charts(figures: DashboardStatistics, rtl: bool) -> dict[str, Any]:
    funnel = figures.funnel
    confirmed, pending = gettext("Confirmed"), gettext("Waiting for confirmation")
    hourly = bool(figures.by_hour)
    periods = _without_gaps(figures.by_hour, datetime.timedelta(hours=1)) if hourly else _without_gaps(figures.by_day)
    labels = [_period_label(p, hourly) for p in periods]
    top_countries = [(charts.country_name(code), n) for code, n in figures.by_country[:TOP]]
    top_sources = [(code or gettext("No source code"), n) for code, n in figures.by_source[:TOP]]
    funnel_rows = [
        (gettext("Signed"), funnel.signed),
        (gettext("Confirmed"), funnel.confirmed),
        (gettext("Counting now"), funnel.counting),
    ]
    time_title = gettext("Signatures per hour (UTC)") if hourly else gettext("Signatures per day (UTC)")
    return {
        "confirmation_rate": (
            gettext("%(percent)d%%") % {"percent": round(100 * funnel.confirmed / funnel.signed)}
            if funnel.signed
            else "–"
        ),
        "time_chart": charts.time_bars(
            "over-time",
            time_title,
            labels,
            [
                charts.Series(confirmed, [p.confirmed for p in periods], charts.CONFIRMED),
                charts.Series(pending, [p.pending for p in periods], charts.PENDING),
            ],
            rtl=rtl,
            width=960,
        ),
        "time_table": charts.table(
            time_title,
            [gettext("Hour") if hourly else gettext("Day"), confirmed, pending],
            [(label, p.confirmed, p.pending) for label, p in zip(labels, periods, strict=True)],
        ),
        "map_chart": charts.world_map(
            "by-country", gettext("Confirmed signatures by country"), figures.by_country, rtl=rtl
        ),
        "country_chart": charts.bars("top-countries", gettext("Top countries"), top_countries, rtl=rtl, width=360),
        "country_table": charts.table(
            gettext("Confirmed signatures by country"),
            [gettext("Country"), gettext("Signatures")],
            [(charts.country_name(code), n) for code, n in figures.by_country],
        ),
        "countries": len(figures.by_country),
        "source_chart": charts.bars("by-source", gettext("Top sources"), top_sources, rtl=rtl, width=400),
        "source_table": charts.table(
            gettext("Confirmed signatures by source"),
            [gettext("Source code"), gettext("Signatures")],
            [(code or gettext("No source code"), n) for code, n in figures.by_source],
        ),
        "funnel_chart": charts.bars(
            "funnel",
            gettext("From signing to counting"),
            funnel_rows,
            colours=(charts.PENDING, charts.CONFIRMED, charts.CONFIRMED),
            rtl=rtl,
            width=400,
        ),
        "funnel_table": charts.table(
            gettext("From signing to counting"),
            [gettext("Step"), gettext("Signatures")],
            [
                *funnel_rows,
                (gettext("Waiting for confirmation"), funnel.pending),
                (gettext("Withdrawn by the signer"), funnel.withdrawn),
                (gettext("Invalidated"), funnel.invalidated),
            ],
        ),
    }


def _without_gaps(periods: list[PeriodCount], step: datetime.timedelta = DAY) -> list[PeriodCount]:
    """Every period from the first to the last, quiet ones as zero: a gap in time shows as a gap, not closed up."""
    if not periods:
        return []
    known = {period.start: period for period in periods}
    filled, start = [], periods[0].start
    while start <= periods[-1].start:
        filled.append(known.get(start, PeriodCount(start, 0, 0)))
        start += step
    return filled


def _period_label(period: PeriodCount, hourly: bool) -> str:
    if hourly:
        return date_format(period.start, "SHORT_DATE_FORMAT") + " " + period.start.strftime("%H:00")
    return date_format(period.start.date(), "SHORT_DATE_FORMAT")

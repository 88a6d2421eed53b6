"""Aggregate figures of a petition's signatures: by country, by day, by state. Never a person.

Public figures count confirmed signatures only and fold every country with
fewer signers than PUBLIC_MIN_GROUP_SIZE into "other", so that a lone signer
from a small place cannot be picked out of a chart or an API answer. They
are counted at most every STATISTICS_CACHE_SECONDS, so a spike of readers
costs one count, not one per reader (see freshcache).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from standwith.freshcache import fresh
from standwith.signing.models import Signature

OTHER = "other"


@dataclass(frozen=True)
class CountryCount:
    country: str  # an ISO 3166 code, or OTHER for the small countries folded together
    signatures: int


@dataclass(frozen=True)
class DayCount:
    date: datetime.date  # UTC
    signatures: int


@dataclass(frozen=True)
class PublicStatistics:
    by_country: list[CountryCount]  # largest first, OTHER last
    by_day: list[DayCount]  # oldest first, days without signatures left out


def public_statistics(petition_id: int) -> PublicStatistics:
    return fresh(f"statistics:{petition_id}", settings.STATISTICS_CACHE_SECONDS, lambda: _count_public(petition_id))


def counted_public_statistics(petition_id: int) -> PublicStatistics | None:
    """The public figures, or None while another process counts them for the first time.

    For the busy pages (the petition page, the count JSON): at ten million signatures a count takes
    seconds, and every process counting at once after a restart would stall them all.
    """
    return fresh(
        f"statistics:{petition_id}",
        settings.STATISTICS_CACHE_SECONDS,
        lambda: _count_public(petition_id),
        meanwhile=lambda: None,
    )


def _count_public(petition_id: int) -> PublicStatistics:
    confirmed = Signature.objects.filter(petition_id=petition_id, state=Signature.State.VALIDATED)
    return PublicStatistics(
        by_country=fold_small_countries(countries(confirmed), settings.PUBLIC_MIN_GROUP_SIZE),
        by_day=[DayCount(day, n) for day, n in days(confirmed)],
    )


def countries(signatures: QuerySet[Signature]) -> list[tuple[str, int]]:
    rows = signatures.order_by().values_list("country").annotate(n=Count("*"))
    return sorted(((country, n) for country, n in rows), key=lambda row: (-row[1], row[0]))


def days(signatures: QuerySet[Signature]) -> list[tuple[datetime.date, int]]:
    rows = (
        signatures.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=datetime.UTC))
        .values_list("day")
        .annotate(n=Count("*"))
        .order_by("day")
    )
    return list(rows)


def fold_small_countries(rows: list[tuple[str, int]], minimum: int) -> list[CountryCount]:
    shown = [CountryCount(country, n) for country, n in rows if n >= minimum]
    folded = sum(n for _, n in rows if n < minimum)
    return shown + ([CountryCount(OTHER, folded)] if folded else [])


def organisation_statistics(petition_id: int) -> dict[str, object]:
    """What an organisation's own token sees of its petition: every state, source and country, still no person.

    Reused for a minute: at ten million signatures they take seconds to count, and a token may ask often.
    """
    return fresh(f"organisation-statistics:{petition_id}", 60, lambda: _count_organisation(petition_id))


def _count_organisation(petition_id: int) -> dict[str, object]:
    signatures = Signature.objects.filter(petition_id=petition_id)
    states = dict(signatures.order_by().values_list("state").annotate(n=Count("*")))
    per_day = (
        signatures.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=datetime.UTC))
        .values("day")
        .annotate(
            signed=Count("*"),
            confirmed=Count("pk", filter=Q(state=Signature.State.VALIDATED)),
        )
        .order_by("day")
    )
    sources = signatures.filter(state=Signature.State.VALIDATED).order_by().values_list("source").annotate(n=Count("*"))
    channels = (
        signatures.filter(state=Signature.State.VALIDATED).order_by().values_list("channel").annotate(n=Count("*"))
    )
    return {
        "by_state": {state: states.get(state, 0) for state in Signature.State.values},
        "by_country": countries(signatures.filter(state=Signature.State.VALIDATED)),
        "by_day": [(row["day"], row["signed"], row["confirmed"]) for row in per_day],
        "by_source": sorted(sources, key=lambda row: (-row[1], row[0])),
        "by_channel": dict(channels),
        "vouched": signatures.filter(state=Signature.State.VALIDATED, vouched_by__isnull=False).count(),
    }


@dataclass(frozen=True)
class PeriodCount:
    start: datetime.datetime  # UTC, the start of the day or hour
    confirmed: int  # signed in this period and counting now
    pending: int  # signed in this period and still waiting for confirmation


@dataclass(frozen=True)
class Funnel:
    signed: int  # every signature ever made, whatever became of it
    confirmed: int  # ever counted: confirmed, or counted at once, even if withdrawn or struck off since
    counting: int  # counting now
    pending: int
    withdrawn: int
    invalidated: int


@dataclass(frozen=True)
class DashboardStatistics:
    counted_at: datetime.datetime
    funnel: Funnel
    by_day: list[PeriodCount]  # oldest first, days without signatures left out
    by_hour: list[PeriodCount]  # the same per hour, only while the petition is young (HOURLY_FOR), else empty
    by_country: list[tuple[str, int]]  # counting signatures, largest first, every country named (staff only)
    by_source: list[tuple[str, int]]  # counting signatures, largest first; "" for none


# A petition whose signatures span less than this is shown per hour too: per day it would be a bar or two.
HOURLY_FOR = datetime.timedelta(days=3)
DASHBOARD_CACHE_SECONDS = 60


def dashboard_statistics(petition_id: int) -> DashboardStatistics:
    """The staff dashboard's figures, counted at most once a minute however many staff keep reloading it."""
    return fresh(f"dashboard:{petition_id}", DASHBOARD_CACHE_SECONDS, lambda: _count_dashboard(petition_id))


def _count_dashboard(petition_id: int) -> DashboardStatistics:
    signatures = Signature.objects.filter(petition_id=petition_id).order_by()
    validated, pending = Signature.State.VALIDATED, Signature.State.PENDING
    totals = signatures.aggregate(
        signed=Count("*"),
        confirmed=Count("pk", filter=Q(validated_at__isnull=False)),
        counting=Count("pk", filter=Q(state=validated)),
        pending=Count("pk", filter=Q(state=pending)),
        withdrawn=Count("pk", filter=Q(state=Signature.State.WITHDRAWN)),
        invalidated=Count("pk", filter=Q(state=Signature.State.INVALIDATED)),
    )
    per_state = {
        "confirmed": Count("pk", filter=Q(state=validated)),
        "pending": Count("pk", filter=Q(state=pending)),
    }

    def periods(trunc: TruncDate | TruncHour) -> list[PeriodCount]:
        rows = signatures.annotate(period=trunc).values("period").annotate(**per_state).order_by("period")
        out = []
        for row in rows:
            start = row["period"]
            if not isinstance(start, datetime.datetime):  # TruncDate gives a date
                start = datetime.datetime.combine(start, datetime.time(), tzinfo=datetime.UTC)
            out.append(PeriodCount(start, row["confirmed"], row["pending"]))
        return out

    by_day = periods(TruncDate("created_at", tzinfo=datetime.UTC))
    young = bool(by_day) and by_day[-1].start - by_day[0].start < HOURLY_FOR
    counting = signatures.filter(state=validated)
    sources = counting.values_list("source").annotate(n=Count("*"))
    return DashboardStatistics(
        counted_at=timezone.now(),
        funnel=Funnel(**totals),
        by_day=by_day,
        by_hour=periods(TruncHour("created_at", tzinfo=datetime.UTC)) if young else [],
        by_country=countries(counting),
        by_source=sorted(sources, key=lambda row: (-row[1], row[0])),
    )

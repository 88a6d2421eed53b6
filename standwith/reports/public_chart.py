"""The small chart on a public petition page: confirmed signatures over time and the top countries."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi, gettext

from standwith.reports import charts
from standwith.signing.statistics import OTHER, counted_public_statistics

# Below this many confirmed signatures there is no chart: a line through two or three points says
# nothing, and with every country folded into "other" the list would be one row. It also keeps a
# new or quiet petition's page free of the statistics queries.
MINIMUM_SIGNATURES = 10
TOP_COUNTRIES = 5


@dataclass(frozen=True)
class SignatureChart:
    growth: SafeString
    total: int
    # (name, signatures): the largest countries by name, then every other one together. Named only
    # from the public statistics, which have already folded countries under the minimum group size away.
    countries: list[tuple[str, int]]
    minimum: int  # the group size under which a country is not named


def signature_chart(petition_id: int, count: int) -> SignatureChart | None:
    """`count` is the page's count, already at hand: a petition far from the minimum costs no query at all."""
    if count < MINIMUM_SIGNATURES:
        return None
    figures = counted_public_statistics(petition_id)
    if figures is None:
        return None  # being counted by another process: the next render has it
    total = sum(day.signatures for day in figures.by_day)
    if total < MINIMUM_SIGNATURES:
        return None
    named = [row for row in figures.by_country if row.country != OTHER]
    shown = [(charts.country_name(row.country), row.signatures) for row in named[:TOP_COUNTRIES]]
    rest = sum(row.signatures for row in figures.by_country) - sum(n for _name, n in shown)
    if rest:
        shown.append((gettext("Other countries"), rest))
    return SignatureChart(
        growth=charts.growth(
            "signature-growth",
            gettext("Confirmed signatures over time"),
            [(day.date, day.signatures) for day in figures.by_day],
            rtl=get_language_bidi(),
        ),
        total=total,
        countries=shown,
        minimum=settings.PUBLIC_MIN_GROUP_SIZE,
    )

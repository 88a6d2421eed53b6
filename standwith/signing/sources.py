"""Where a petition's signatures came from: source codes, referring sites, and signers' personal share links.

Only live signatures (waiting or confirmed) are counted, so a flood struck off
leaves the figures. All of it comes from one pass over the petition's
signatures, grouped in the database and read off one index alone (see the
Signature model's indexes): on PostgreSQL, a petition with a million
signatures takes about 0.4 s. Nothing here is on a path the public can reach.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Value
from django.db.models.functions import Least
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition
from standwith.signing.models import Signature

LIVE = [Signature.State.PENDING, Signature.State.VALIDATED]
# How many sources and sites are listed by name; the rest are summed into one row.
TOP = 15
# Depths from here on are shown together: chains that long are rare, and each step is shown before it.
DEEPEST = 3


@dataclass
class Row:
    label: str
    confirmed: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.confirmed + self.pending


@dataclass
class Sources:
    total: Row
    by_source: list[Row] = field(default_factory=list)
    by_site: list[Row] = field(default_factory=list)
    by_depth: list[Row] = field(default_factory=list)

    @property
    def through_personal_links(self) -> Row:
        """Signatures brought by someone's personal share link, at any depth."""
        referred = self.by_depth[1:]
        return Row(
            str(_("Through personal links")),
            confirmed=sum(row.confirmed for row in referred),
            pending=sum(row.pending for row in referred),
        )


# Counting a column the index carries (not the id, which it does not) keeps the scan off the table.
_COUNTS = {
    "confirmed": Count("state", filter=Q(state=Signature.State.VALIDATED)),
    "pending": Count("state", filter=Q(state=Signature.State.PENDING)),
}


def _ranked(groups: dict[str, Row], blank: str, others: str) -> list[Row]:
    """The TOP largest groups by name (the blank one under `blank`), then one row for all the others."""
    ranked = sorted(groups.values(), key=lambda row: (-row.total, row.label))
    shown = [Row(row.label or blank, row.confirmed, row.pending) for row in ranked[:TOP]]
    rest = ranked[TOP:]
    if rest:
        shown.append(Row(others, sum(row.confirmed for row in rest), sum(row.pending for row in rest)))
    return shown


def sources(petition: Petition) -> Sources:
    live = Signature.objects.filter(petition=petition, state__in=LIVE)
    total = Row(str(_("All signatures")))
    by_source: dict[str, Row] = {}
    by_site: dict[str, Row] = {}
    by_depth = [Row(str(depth)) for depth in range(DEEPEST + 1)]
    by_depth[DEEPEST].label = f"{DEEPEST}+"
    # One pass, grouped by every dimension at once, then folded here: three queries would read the
    # petition's signatures three times over. The groups are few: codes and sites are a campaign's channels
    # (a script inventing sites makes more, but never more than the signatures it got past the shields).
    groups = live.values_list("source", "referrer_host", Least("referral_depth", Value(DEEPEST))).annotate(**_COUNTS)
    for source, site, depth, confirmed, pending in groups.order_by():
        for row in (
            total,
            by_source.setdefault(source, Row(source)),
            by_site.setdefault(site, Row(site)),
            by_depth[depth],
        ):
            row.confirmed += confirmed
            row.pending += pending
    return Sources(
        total=total,
        by_source=_ranked(by_source, str(_("(no source code)")), str(_("All other source codes"))),
        by_site=_ranked(by_site, str(_("(none: typed in, an app, or not told)")), str(_("All other sites"))),
        by_depth=by_depth,
    )

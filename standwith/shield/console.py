"""What the fraud console shows about a petition: its signing rate, the networks and domains it comes from, where.

Built from the keyed digests signatures keep, never from addresses: a network
shows as its digest (its prefix cannot be recovered, by design), a domain as
its name only when it is the digest of a well-known mail provider's.

Every query reads a bounded created_at range off the (petition, created_at, id)
or (petition, state, created_at, id) index: a viral petition has millions of
signatures, and nothing here may count its whole history. Only live signatures
(waiting or confirmed) are counted, so a flood struck off leaves the console.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour, TruncMinute
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from standwith.campaigns.models import Petition
from standwith.signing import digests
from standwith.signing.models import Signature

LIVE = [Signature.State.PENDING, Signature.State.VALIDATED]
TOP = 10
# What "usual" means: a group's share of the petition's signatures over this long before the window.
BASELINE = datetime.timedelta(days=7)
# A group is worth a look when it is a fair part of the window (not one signer among many) and it has no
# history there or takes this many times its usual share.
UNUSUAL = 3.0
SIZEABLE = 0.05

WINDOWS = [
    ("5m", _("Last 5 minutes"), datetime.timedelta(minutes=5)),
    ("1h", _("Last hour"), datetime.timedelta(hours=1)),
    ("1d", _("Last day"), datetime.timedelta(days=1)),
]

# The most common mail providers worldwide. Their digests are worked out here so that their groups can be
# named; any other domain stays a digest, so the console names no small organisation's domain.
# Aliases that addresses are folded from (googlemail.com, ya.ru...) are left out: they never appear.
KNOWN_DOMAINS = """
gmail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.es yahoo.it yahoo.ca yahoo.co.jp yahoo.com.br
yahoo.co.in yahoo.com.ar yahoo.com.mx ymail.com rocketmail.com outlook.com outlook.fr outlook.de outlook.es
hotmail.com hotmail.co.uk hotmail.fr hotmail.de hotmail.it hotmail.es hotmail.ca hotmail.com.br hotmail.com.ar
live.com live.co.uk live.fr live.it msn.com icloud.com me.com mac.com aol.com proton.me protonmail.com pm.me
tutanota.com tuta.io zoho.com mail.com gmx.com gmx.de gmx.net gmx.at gmx.ch web.de t-online.de freenet.de
posteo.de mailbox.org orange.fr wanadoo.fr free.fr sfr.fr laposte.net libero.it virgilio.it tiscali.it
alice.it mail.ru bk.ru inbox.ru list.ru yandex.ru rambler.ru ukr.net i.ua qq.com 163.com 126.com sina.com
sohu.com yeah.net foxmail.com aliyun.com naver.com daum.net hanmail.net rediffmail.com comcast.net
verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net earthlink.net btinternet.com sky.com
virginmedia.com ntlworld.com talktalk.net bigpond.com optusnet.com.au shaw.ca rogers.com sympatico.ca
videotron.ca uol.com.br bol.com.br terra.com.br ig.com.br seznam.cz centrum.cz wp.pl o2.pl onet.pl
interia.pl abv.bg ziggo.nl telenet.be skynet.be bluewin.ch telia.com online.no
""".split()  # noqa: SIM905 -- a list of 120 quoted strings would be harder to read and keep


@cache
def _known_domains(key: bytes) -> dict[bytes, str]:
    # Keyed by the digest key, so a changed key (tests, a rotation) is not answered from stale digests.
    return {digests.domain_digest("x@" + domain): domain for domain in KNOWN_DOMAINS}


def domain_label(digest: bytes) -> str:
    return _known_domains(bytes(settings.DIGEST_KEY)).get(digest) or "#" + digest.hex()[:8]


def network_label(digest: bytes) -> str:
    return "#" + digest.hex()[:8]


def _live(petition: Petition, since: datetime.datetime, until: datetime.datetime) -> QuerySet[Signature]:
    """The petition's live signatures made in [since, until): always a range on the index."""
    return Signature.objects.filter(
        petition=petition, state__in=LIVE, created_at__gte=since, created_at__lt=until
    ).order_by()


_CONFIRMED = Q(confirmed_at__isnull=False)


@dataclass(frozen=True)
class Bucket:
    start: datetime.datetime
    total: int
    confirmed: int

    @property
    def unconfirmed(self) -> int:
        return self.total - self.confirmed


def _series(petition: Petition, now: datetime.datetime, step: datetime.timedelta, buckets: int) -> list[Bucket]:
    trunc = TruncMinute if step == datetime.timedelta(minutes=1) else TruncHour
    # The current bucket as the database truncates it (in the current time zone), then stepped back in
    # absolute time, so that the buckets match the database's across a change of daylight saving.
    local = timezone.localtime(now).replace(second=0, microsecond=0)
    last = (local.replace(minute=0) if trunc is TruncHour else local).astimezone(datetime.UTC)
    starts = [last - step * back for back in reversed(range(buckets))]
    rows = (
        _live(petition, starts[0], now)
        .annotate(bucket=trunc("created_at"))
        .values("bucket")
        .annotate(total=Count("pk"), confirmed=Count("pk", filter=_CONFIRMED))
    )
    # Aware datetimes compare as instants, whichever zone each side is expressed in.
    found = {row["bucket"]: row for row in rows}
    return [
        Bucket(start, found[start]["total"], found[start]["confirmed"]) if start in found else Bucket(start, 0, 0)
        for start in starts
    ]


def per_minute(petition: Petition, now: datetime.datetime) -> list[Bucket]:
    """Signatures per minute over the last two hours, oldest first."""
    return _series(petition, now, datetime.timedelta(minutes=1), 120)


def per_hour(petition: Petition, now: datetime.datetime) -> list[Bucket]:
    """Signatures per hour over the last seven days, oldest first."""
    return _series(petition, now, datetime.timedelta(hours=1), 24 * 7)


@dataclass(frozen=True)
class Group:
    """Signatures sharing a network or a domain in a window, against how much of the petition it usually is."""

    digest: bytes
    label: str
    count: int
    share: float  # of the window's signatures
    usual_share: float  # over BASELINE before the window; 0 when the group had none

    @property
    def hex(self) -> str:
        return self.digest.hex()

    @property
    def percent(self) -> float:
        return 100 * self.share

    @property
    def usual_percent(self) -> float:
        return 100 * self.usual_share

    @property
    def ratio(self) -> float | None:
        return self.share / self.usual_share if self.usual_share else None

    @property
    def unusual(self) -> bool:
        return self.count >= 5 and self.share >= SIZEABLE and (self.ratio is None or self.ratio >= UNUSUAL)

    @property
    def departure(self) -> str:
        if self.ratio is None:
            return pgettext("a group of signatures with no history", "new")
        shown = f"{self.ratio:.0f}" if self.ratio >= 10 else f"{self.ratio:.1f}"
        return gettext("×%(ratio)s its usual share") % {"ratio": shown}


@dataclass(frozen=True)
class Window:
    key: str
    label: str
    since: datetime.datetime
    total: int
    confirmed: int
    usual_total: int  # signatures over BASELINE before the window
    networks: list[Group]
    domains: list[Group]

    @property
    def kinds(self) -> list[tuple[str, list[Group]]]:
        return [("network", self.networks), ("domain", self.domains)]

    @property
    def confirmed_percent(self) -> float | None:
        return 100 * self.confirmed / self.total if self.total else None


def _window(petition: Petition, key: str, label: str, length: datetime.timedelta, now: datetime.datetime) -> Window:
    since = now - length
    signatures = _live(petition, since, now)
    totals = signatures.aggregate(total=Count("pk"), confirmed=Count("pk", filter=_CONFIRMED))
    top = {
        field: [
            (bytes(row[field]), row["n"])
            for row in signatures.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(n=Count("pk"))
            .order_by("-n", field)[:TOP]
        ]
        for field in ("network_digest", "domain_digest")
    }
    # One pass over the week before: its total, and how many each of the window's top groups had in it.
    usual = {"total": Count("pk")}
    for field, found in top.items():
        for number, (digest, _n) in enumerate(found):
            usual[f"{field}{number}"] = Count("pk", filter=Q(**{field: digest}))
    before = _live(petition, since - BASELINE, since).aggregate(**usual)
    total, usual_total = totals["total"], before["total"]

    def groups(field: str, name: Callable[[bytes], str]) -> list[Group]:
        return [
            Group(
                digest=digest,
                label=name(digest),
                count=n,
                share=n / total,
                usual_share=before[f"{field}{number}"] / usual_total if usual_total else 0.0,
            )
            for number, (digest, n) in enumerate(top[field])
        ]

    return Window(
        key=key,
        label=label,
        since=since,
        total=total,
        confirmed=totals["confirmed"],
        usual_total=usual_total,
        networks=groups("network_digest", network_label),
        domains=groups("domain_digest", domain_label),
    )


def windows(petition: Petition, now: datetime.datetime) -> list[Window]:
    """The last 5 minutes, hour and day: totals, the proportion confirmed, the top networks and domains."""
    return [_window(petition, key, str(label), length, now) for key, label, length in WINDOWS]


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    count: int
    share: float

    @property
    def percent(self) -> float:
        return 100 * self.share


def countries_last_day(petition: Petition, now: datetime.datetime) -> list[Country]:
    """The ten countries most signatures came from in the last day, then all the others as one line."""
    rows = list(
        _live(petition, now - datetime.timedelta(days=1), now)
        .values_list("country")
        .annotate(n=Count("pk"))
        .order_by("-n", "country")
    )
    total = sum(n for _code, n in rows)
    if len(rows) > TOP:
        rows = [*rows[:TOP], ("", sum(n for _code, n in rows[TOP:]))]
    return [
        Country(code, (countries.name(code) or code) if code else gettext("Other countries"), n, n / total)
        for code, n in rows
    ]


@dataclass(frozen=True)
class Console:
    now: datetime.datetime
    per_minute: list[Bucket]
    per_hour: list[Bucket]
    windows: list[Window]
    countries: list[Country]


def console(petition: Petition, now: datetime.datetime | None = None) -> Console:
    now = now or timezone.now()
    return Console(
        now=now,
        per_minute=per_minute(petition, now),
        per_hour=per_hour(petition, now),
        windows=windows(petition, now),
        countries=countries_last_day(petition, now),
    )

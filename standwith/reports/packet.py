"""The delivery packet: a petition handed to its targets, with proof of how many people signed and how we know.

Built as a PDF in one pass and in bounded memory: the aggregates are a few queries, the names are streamed and
sorted off-memory (standwith.reports.public_names) and laid out a page at a time. It holds nobody's email,
postcode or address, and names only signers who asked to be shown, whose signature counts and who have not
been erased. Countries with fewer than PUBLIC_MIN_GROUP_SIZE signers are folded into "other" in the charts,
as on the public page: a packet goes to the very authorities some signers may fear.
"""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries
from markdown_it import MarkdownIt
from markdown_it.token import Token
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from standwith.campaigns.models import Petition, Translation
from standwith.campaigns.services import campaign
from standwith.reports import packet_charts, pdf
from standwith.reports.public_names import SortedNames
from standwith.signing import counting, statistics
from standwith.signing.models import Invalidation, Signature

# Names are laid out in blocks of this many rows; a block that does not fit a column is split.
NAMES_PER_BLOCK = 60
NAME_LEADING = 11.5
TOP_COUNTRIES = 15
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": True})


@dataclass(frozen=True)
class Verification:
    """How the count was arrived at, in figures."""

    policy: str
    confirmed: int  # counted from the signatures themselves, now
    counter: int  # what the public counter says
    pending: int
    withdrawn: int
    invalidated: int  # signatures in the invalidated state now
    batches: int  # invalidations made by staff and not undone
    struck_off: int  # signatures in those batches
    struck_off_counted: int  # of which had counted before
    offline: int  # confirmed signatures collected on paper
    vouched: int  # confirmed signatures an organisation vouched for in person
    erased: int  # confirmed signatures whose personal data is erased, still counted
    shown: int  # confirmed signers who asked to be named


def verification(petition: Petition) -> Verification:
    validated = Q(state=Signature.State.VALIDATED)
    figures = Signature.objects.filter(petition=petition).aggregate(
        confirmed=Count("pk", filter=validated),
        pending=Count("pk", filter=Q(state=Signature.State.PENDING)),
        withdrawn=Count("pk", filter=Q(state=Signature.State.WITHDRAWN)),
        invalidated=Count("pk", filter=Q(state=Signature.State.INVALIDATED)),
        offline=Count("pk", filter=validated & Q(channel=Signature.Channel.PAPER)),
        vouched=Count("pk", filter=validated & Q(vouched_by__isnull=False)),
        erased=Count("pk", filter=validated & Q(erased_at__isnull=False)),
        shown=Count("pk", filter=validated & Q(show_name_publicly=True, erased_at__isnull=True)),
    )
    batches = Invalidation.objects.filter(petition=petition, undone_at__isnull=True).aggregate(
        batches=Count("pk"), struck_off=Sum("signatures"), counted=Sum("counted")
    )
    return Verification(
        policy=str(petition.get_verification_display()),
        counter=counting.stored_count(petition.pk),
        batches=batches["batches"],
        struck_off=batches["struck_off"] or 0,
        struck_off_counted=batches["counted"] or 0,
        **figures,
    )


def translated_languages(petition: Petition) -> list[str]:
    """Languages the petition's own text is translated into, in the site's order."""
    found = set(
        Translation.objects.filter(
            content_type=ContentType.objects.get_for_model(Petition), object_id=petition.pk
        ).values_list("language", flat=True)
    )
    return [code for code, _name in settings.LANGUAGES if code in found and code != petition.language]


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _inline(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(pdf.markup(child.content))
        elif child.type in ("softbreak",):
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("<br/>")
        elif child.type in ("strong_open", "strong_close"):
            parts.append("<b>" if child.nesting == 1 else "</b>")
        elif child.type in ("em_open", "em_close"):
            parts.append("<i>" if child.nesting == 1 else "</i>")
    return "".join(parts)


def markdown_flowables(text: str) -> list[Flowable]:
    """Staff's Markdown as paragraphs: emphasis, lists and headings kept, links as their text."""
    styles = pdf.styles()
    flowables: list[Flowable] = []
    style = styles["body"]
    bullet: str | None = None
    ordinal = 0
    for token in _markdown.parse(text):
        if token.type == "heading_open":
            style = styles["subheading"]
        elif token.type == "heading_close":
            style = styles["body"]
        elif token.type == "bullet_list_open":
            bullet, ordinal = "•", 0
        elif token.type == "ordered_list_open":
            bullet, ordinal = "#", 0
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            bullet = None
        elif token.type == "inline":
            if bullet is not None:
                ordinal += 1
                mark = f"{ordinal}." if bullet == "#" else bullet
                flowables.append(Paragraph(_inline(token), styles["body"], bulletText=mark))
            else:
                flowables.append(Paragraph(_inline(token), style))
            flowables.append(Spacer(0, 4))
    return flowables


class NameRows(Flowable):
    """Numbered names with their country, one a line, drawn straight on the canvas (thousands a second)."""

    def __init__(self, rows: Sequence[tuple[int, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, NAME_LEADING * len(self.rows)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        fits = int(available_height // NAME_LEADING)
        if fits <= 0 or fits >= len(self.rows):
            return [] if fits <= 0 else [self]
        return [NameRows(self.rows[:fits]), NameRows(self.rows[fits:])]

    def draw(self) -> None:
        canvas = self.canv
        number_width = 36.0
        country_width = 84.0
        name_width = self.width - number_width - country_width - 6
        y = NAME_LEADING * len(self.rows) - 8.5
        for number, name, country in self.rows:
            canvas.setFillColor(pdf.MUTED)
            pdf.draw(canvas, number_width - 5, y, _number(number), 7, align="right")
            canvas.setFillColor(pdf.INK)
            pdf.draw(canvas, number_width, y, pdf.fit(name, 8.5, name_width), 8.5)
            canvas.setFillColor(pdf.MUTED)
            pdf.draw(canvas, self.width, y, pdf.fit(country, 7, country_width), 7, align="right")
            y -= NAME_LEADING


@dataclass
class Packet:
    petition: Petition
    languages: list[str]  # translations to include besides the original
    verification: Verification
    built_at: datetime.datetime


def _country_name(code: str, cache: dict[str, str]) -> str:
    if code not in cache:
        cache[code] = str(countries.name(code)) or code
    return cache[code]


def _facts_table(rows: list[tuple[str, str]]) -> Table:
    styles = pdf.styles()
    data = [[Paragraph(label, styles["cell"]), Paragraph(value, styles["figure_cell"])] for label, value in rows]
    table = Table(data, colWidths=[None, 80], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, pdf.RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _petition_text(petition: Petition, language: str, heading: str) -> list[Flowable]:
    styles = pdf.styles()
    shown = campaign(petition, language).petition
    # Each text in the language it is shown in: a missing translation falls back to the original.
    texts = {field: shown.lang.get(field, language) for field in ("title", "summary", "body")}
    if texts["body"].split("-")[0] in pdf.RIGHT_TO_LEFT_LANGUAGES:
        # Right-to-left Markdown is set as plain paragraphs: emphasis is lost, the reading order is kept.
        body: list[Flowable] = []
        for block in shown.body.split("\n\n"):
            if block.strip():
                body += [pdf.paragraph(block, styles["body"], texts["body"]), Spacer(0, 4)]
    else:
        body = markdown_flowables(shown.body)
    return [
        Paragraph(pdf.markup(heading), styles["heading"]),
        pdf.paragraph(shown.title, styles["subheading"], texts["title"]),
        pdf.paragraph(shown.summary, styles["lead"], texts["summary"]),
        Spacer(0, 6),
        *body,
    ]


def _front(packet: Packet, frame_width: float) -> Iterator[Flowable]:
    petition, figures, styles = packet.petition, packet.verification, pdf.styles()
    story = campaign(petition, petition.language)
    yield Paragraph(pdf.markup(_("Delivery of a petition")), styles["small"])
    yield Paragraph(pdf.markup(petition.title), styles["title"])
    when = date_format(packet.built_at, "DATE_FORMAT")
    yield Paragraph(pdf.markup(_("Delivered on %(date)s") % {"date": when}), styles["lead"])
    yield Spacer(0, 10)
    yield Paragraph(_number(figures.confirmed), styles["figure"])
    yield Paragraph(
        pdf.markup(
            ngettext(
                "person signed and confirmed this petition.",
                "people signed and confirmed this petition.",
                figures.confirmed,
            )
        ),
        styles["lead"],
    )
    yield Spacer(0, 10)
    yield Paragraph(pdf.markup(_("Addressed to")), styles["heading"])
    for target in story.targets:
        line = ", ".join(part for part in (target.name, target.role, target.organisation) if part)
        country = getattr(target.item, "country", None)
        if country:
            line += f" ({country.name})"
        yield Paragraph(pdf.markup(line), styles["body"], bulletText="•")
    if not story.targets:
        yield Paragraph(pdf.markup(_("No target is named.")), styles["body"])
    yield Paragraph(pdf.markup(_("From")), styles["heading"])
    yield Paragraph(pdf.markup(petition.organization.name), styles["body"], bulletText="•")
    for partner in story.partners:
        yield Paragraph(pdf.markup(_("%(name)s (partner)") % {"name": partner.name}), styles["body"], bulletText="•")
    original = language_name(petition.language)
    yield from _petition_text(
        petition, petition.language, _("The petition (original text, %(language)s)") % {"language": original}
    )
    for language in packet.languages:
        yield from _petition_text(
            petition, language, _("The petition in %(language)s (translation)") % {"language": language_name(language)}
        )
    yield from _verification(packet)
    yield from _milestones(packet)
    yield from _charts(packet, frame_width)


def _verification(packet: Packet) -> Iterator[Flowable]:
    figures, styles = packet.verification, pdf.styles()
    yield Paragraph(pdf.markup(_("How the signatures were counted")), styles["heading"])
    if packet.petition.verification == Petition.Verification.EMAIL:
        policy = _(
            "A signature counts once its signer has opened the confirmation link emailed to the address they gave, "
            "proving the address is theirs; one signature per address."
        )
    else:
        policy = _(
            "A signature counts as soon as it is made; a confirmation link is still emailed to the signer. "
            "One signature per address."
        )
    yield Paragraph(pdf.markup(_("Policy: %(policy)s.") % {"policy": figures.policy} + " " + policy), styles["body"])
    yield Spacer(0, 4)
    when = date_format(packet.built_at, "DATETIME_FORMAT")
    exact = _(
        "The count above was made from the signatures themselves when this document was built (%(when)s), "
        "not read from the running counter."
    ) % {"when": when}
    if figures.counter != figures.confirmed:
        exact += " " + _("The public counter showed %(counter)s at that moment; it is corrected in the background.") % {
            "counter": _number(figures.counter)
        }
    yield Paragraph(pdf.markup(exact), styles["body"])
    yield Spacer(0, 6)
    rows = [
        (_("Confirmed signatures (counted)"), figures.confirmed),
        (_("…of which collected on paper and entered by staff"), figures.offline),
        (_("…of which vouched for in person by an organisation"), figures.vouched),
        (
            _("…of which personal data was since erased at the signer's request or by retention (still counted)"),
            figures.erased,
        ),
        (_("…of which the signer asked to be named below"), figures.shown),
        (_("Waiting for confirmation (not counted)"), figures.pending),
        (_("Withdrawn by their signers (not counted)"), figures.withdrawn),
        (_("Invalidated as fraudulent or duplicate (not counted)"), figures.invalidated),
    ]
    yield _facts_table([(pdf.markup(label), _number(value)) for label, value in rows])
    yield Spacer(0, 6)
    if figures.batches:
        struck = ngettext(
            "Staff struck off signatures in %(batches)s invalidation: %(signatures)s signatures, of which %(counted)s "
            "had counted. Each invalidation is recorded with its criteria, its reason and who made it.",
            "Staff struck off signatures in %(batches)s invalidations: %(signatures)s signatures, of which "
            "%(counted)s had counted. Each invalidation is recorded with its criteria, its reason and who made it.",
            figures.batches,
        ) % {
            "batches": _number(figures.batches),
            "signatures": _number(figures.struck_off),
            "counted": _number(figures.struck_off_counted),
        }
    else:
        struck = _("No signatures were struck off by staff.")
    yield Paragraph(pdf.markup(struck), styles["body"])


def _milestones(packet: Packet) -> Iterator[Flowable]:
    styles = pdf.styles()
    milestones = list(packet.petition.milestones.order_by("threshold"))
    if not milestones:
        return
    yield Paragraph(pdf.markup(_("Milestones")), styles["heading"])
    yield _facts_table(
        [
            (
                pdf.markup(_("%(count)s signatures") % {"count": _number(milestone.threshold)}),
                pdf.markup(date_format(milestone.reached_at, "DATE_FORMAT")),
            )
            for milestone in milestones
        ]
    )


def _charts(packet: Packet, width: float) -> Iterator[Flowable]:
    styles = pdf.styles()
    confirmed = Signature.objects.filter(petition=packet.petition, state=Signature.State.VALIDATED)
    days = statistics.days(confirmed)
    folded = statistics.fold_small_countries(statistics.countries(confirmed), settings.PUBLIC_MIN_GROUP_SIZE)
    if not days:
        return
    yield CondPageBreak(220)
    yield Paragraph(pdf.markup(_("Signatures per day")), styles["heading"])
    yield Paragraph(pdf.markup(_("Confirmed signatures by the day they were made (UTC).")), styles["small"])
    yield Spacer(0, 4)
    yield packet_charts.per_day(days, width)
    cache: dict[str, str] = {}
    rows = [
        (_("Other countries") if row.country == statistics.OTHER else _country_name(row.country, cache), row.signatures)
        for row in folded
    ]
    shown = [row for row in rows if row[0] != _("Other countries")][:TOP_COUNTRIES]
    rest = sum(count for _name, count in rows) - sum(count for _name, count in shown)
    if rest:
        shown.append((_("Other countries"), rest))
    note = _(
        "Countries with fewer than %(minimum)d signers are counted under “other countries”, so that no one "
        "can be singled out."
    ) % {"minimum": settings.PUBLIC_MIN_GROUP_SIZE}
    yield KeepTogether(
        [
            Paragraph(pdf.markup(_("Signatures per country")), styles["heading"]),
            Paragraph(pdf.markup(note), styles["small"]),
            Spacer(0, 6),
            packet_charts.per_country(shown, width),
        ]
    )
    counts = {row.country: row.signatures for row in folded if row.country != statistics.OTHER}
    yield KeepTogether(
        [
            Paragraph(pdf.markup(_("Where the signers live")), styles["heading"]),
            Spacer(0, 4),
            packet_charts.world_map(counts, width),
        ]
    )


def _names(packet: Packet, names: SortedNames) -> Iterator[Flowable]:
    styles = pdf.styles()
    yield NextPageTemplate("columns-first")
    yield PageBreak()
    yield Paragraph(pdf.markup(_("Signers who agreed to be named")), styles["heading"])
    intro = ngettext(
        "%(shown)s of the %(confirmed)s people who signed asked for their name to be shown publicly. Only their "
        "name and country are listed; no address is given here.",
        "%(shown)s of the %(confirmed)s people who signed asked for their names to be shown publicly. Only their "
        "names and countries are listed; no address is given here.",
        names.total,
    ) % {"shown": _number(names.total), "confirmed": _number(packet.verification.confirmed)}
    if names.unreadable:
        intro += " " + _("%(count)s names could not be read (their encryption key was destroyed).") % {
            "count": _number(names.unreadable)
        }
    yield Paragraph(pdf.markup(intro), styles["small"])
    yield FrameBreak()
    if not names.total:
        yield Paragraph(pdf.markup(_("No signer asked to be named.")), styles["body"])
        return
    cache: dict[str, str] = {}
    block: list[tuple[int, str, str]] = []
    for number, (name, country) in enumerate(names, start=1):
        block.append((number, name, _country_name(country, cache)))
        if len(block) == NAMES_PER_BLOCK:
            yield NameRows(block)
            block = []
    if block:
        yield NameRows(block)


def build(
    petition: Petition, out: IO[bytes], *, languages: Sequence[str] = (), interface_language: str | None = None
) -> Packet:
    """Write the packet as PDF to `out`; `languages` adds the petition's translations into those languages.

    The document's own words are in `interface_language` (the staff member's), the petition in its own.
    """
    wanted = [code for code in translated_languages(petition) if code in languages]
    packet = Packet(petition, wanted, verification(petition), datetime.datetime.now(datetime.UTC))
    with translation.override(interface_language or translation.get_language()):
        title = _("Delivery packet: %(title)s") % {"title": petition.title}
        footer = f"{petition.title} · " + _("%(count)s signatures") % {"count": _number(packet.verification.confirmed)}
        document = pdf.Document(out, title=title, footer=footer)
        with SortedNames(petition) as names:
            document.build_streaming(_story(packet, names, document.width))
    return packet


def _story(packet: Packet, names: SortedNames, width: float) -> Iterator[Flowable]:
    yield from _front(packet, width)
    yield from _names(packet, names)

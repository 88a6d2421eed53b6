"""The blank signature form staff print for a street stall: the petition in one of its languages, empty rows.

One landscape A4 page: what is asked and of whom, a table for ROWS signers, what happens to their data, and the
petition's address with a QR code for those who would rather sign on their phone.
"""

from typing import IO

import segno
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from standwith.campaigns.models import Petition
from standwith.campaigns.services import campaign
from standwith.campaigns.sharing import petition_address
from standwith.reports import packet, pdf

ROWS = 9
ROW_HEIGHT = 9.5 * mm
QR_SIZE = 30 * mm
# Tells the campaign how many signatures its paper forms brought online.
SOURCE = "paper-form"


def languages(petition: Petition) -> list[str]:
    """The languages a form can be printed in: the petition's own, then those it is translated into."""
    return [petition.language, *packet.translated_languages(petition)]


class QrCode(Flowable):
    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.code = segno.make_qr(text, error="m")
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        matrix = list(self.code.matrix)
        border = 2
        modules = len(matrix) + 2 * border
        cell = self.size / modules
        canvas: Canvas = self.canv
        canvas.setFillColorRGB(0, 0, 0)
        for row, line in enumerate(matrix):
            for column, dark in enumerate(line):
                if dark:
                    x = (column + border) * cell
                    y = self.size - (row + border + 1) * cell
                    canvas.rect(x, y, cell, cell, stroke=0, fill=1)


def _box() -> str:
    return "☐"


def build(petition: Petition, language: str, out: IO[bytes]) -> None:
    """Write the form in `language` (one of `languages(petition)`) as PDF to `out`."""
    with translation.override(language):
        _build(petition, language, out)


def _build(petition: Petition, language: str, out: IO[bytes]) -> None:
    styles = pdf.styles()
    story = campaign(petition, language)
    address = petition_address(petition, SOURCE)
    document = pdf.Document(
        out,
        title=_("Signature form: %(title)s") % {"title": story.petition.title},
        footer=_("Signature form · %(address)s") % {"address": petition_address(petition)},
        pagesize=landscape(A4),
    )
    width = document.width
    targets = "; ".join(", ".join(part for part in (target.name, target.role) if part) for target in story.targets)
    heading = [
        pdf.paragraph(story.petition.title, styles["title"], story.petition.lang.get("title", language)),
        pdf.paragraph(story.petition.summary, styles["body"], story.petition.lang.get("summary", language)),
        Spacer(0, 3),
    ]
    if targets:
        heading.append(Paragraph(pdf.markup(_("To: %(targets)s") % {"targets": targets}), styles["small"]))
    heading.append(
        Paragraph(
            pdf.markup(
                _("A petition by %(organisation)s. Sign online: %(address)s")
                % {"organisation": petition.organization.name, "address": petition_address(petition)}
            ),
            styles["small"],
        )
    )
    top = Table([[heading, QrCode(address, QR_SIZE)]], colWidths=[width - QR_SIZE - 6 * mm, QR_SIZE + 6 * mm])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))

    cell = styles["cell"]
    small_head = ParagraphStyle("head", parent=cell, fontName=pdf.BOLD, fontSize=8, leading=10)
    columns = [
        (_("Full name"), 0.24),
        (_("Email address"), 0.26),
        (_("Country"), 0.12),
        (_("Show my name publicly"), 0.09),
        (_("Email me updates on this campaign"), 0.11),
        (_("Signature"), 0.18),
    ]
    header = [Paragraph(pdf.markup(label), small_head) for label, _share in columns]
    box = Paragraph(f'<font size="14">{_box()}</font>', ParagraphStyle("box", parent=cell, alignment=1))
    rows = [header] + [["", "", "", box, box, ""] for _row in range(ROWS)]
    table = Table(
        rows,
        colWidths=[width * share for _label, share in columns],
        rowHeights=[None] + [ROW_HEIGHT] * ROWS,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, pdf.MUTED),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f6")),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
            ]
        )
    )
    privacy = _(
        "What happens to your data: %(organisation)s types this form into the petition's site and then destroys the "
        "paper. Your name and email address are stored encrypted and used to count your signature and to email "
        "you a confirmation. Your name and country are shown in the list handed to the petition's targets only if "
        "you tick “show my name publicly”; news of this campaign is emailed only if you tick “email me updates”. "
        "Every email carries a link to withdraw your signature, change your choices or erase your data. Personal "
        "data is erased %(days)s days after the petition closes; the count stays."
    ) % {"organisation": petition.organization.name, "days": petition.organization.retention_days}
    document.build(
        [
            top,
            Spacer(0, 4 * mm),
            table,
            Spacer(0, 3 * mm),
            Paragraph(pdf.markup(privacy), styles["small"]),
        ]
    )


def language_allowed(petition: Petition, language: str) -> bool:
    return language in languages(petition) and language in dict(settings.LANGUAGES)

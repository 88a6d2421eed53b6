"""The look shared by the site's printed documents (the delivery packet, the blank paper form): fonts, page, styles.

Signers write their names in every script. DejaVu Sans, shipped with the code (free licence, see
campaigns/fonts/LICENSE), draws Latin, Cyrillic, Greek, Arabic and Hebrew; Chinese, Japanese and Korean come
from WenQuanYi Zen Hei (Debian's fonts-wqy-zenhei, which `make run` and `make test` install; 16 MB, too big to
ship in the package) or, on a machine without it, from ReportLab's built-in Asian font, which is not embedded:
PDF readers supply it themselves (Adobe's do; poppler only with CJK fonts of its own). Right-to-left text is
put in visual order and Arabic letters joined by standwith.reports.textshaping. Colour emoji have no outline
font ReportLab can embed: those in DejaVu (a few symbols) show, others show as an empty box.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from standwith.reports.textshaping import visual

REGULAR, BOLD, FALLBACK = "StandwithSans", "StandwithSans-Bold", "StandwithFallback"
FONTS = Path(__file__).resolve().parent.parent / "campaigns" / "fonts"
# Where Debian's fonts-wqy-zenhei (Chinese, Japanese, Korean) and fonts-droid-fallback (no Hangul) put theirs:
# ReportLab embeds TrueType outlines only, which rules out Noto CJK (CFF).
CJK_FONTS = [
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), 0),
]
CJK_BUILT_IN = "STSong-Light"

INK = colors.HexColor("#1f2a33")
ACCENT = colors.HexColor("#417690")
MUTED = colors.HexColor("#5f6b73")
RULE = colors.HexColor("#c9d3d9")

MARGIN = 18 * mm
FOOTER_HEIGHT = 10 * mm
HEADER_HEIGHT = 24 * mm


@dataclass(frozen=True)
class Coverage:
    main: frozenset[str]  # characters DejaVu Sans draws
    fallback: str  # the font for Chinese, Japanese and Korean
    fallback_draws: frozenset[str] | None  # its characters; None: unknown (the built-in font), tried for all


@cache
def register_fonts() -> Coverage:
    """Register the fonts once per process (reading the CJK font takes half a second)."""
    regular = TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    main = frozenset(chr(code) for code in regular.face.charToGlyph)
    for path, index in CJK_FONTS:
        if path.exists():
            fallback = TTFont(FALLBACK, str(path), subfontIndex=index)
            pdfmetrics.registerFont(fallback)
            return Coverage(main, FALLBACK, frozenset(chr(code) for code in fallback.face.charToGlyph))
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_BUILT_IN))
    return Coverage(main, CJK_BUILT_IN, None)


def runs(text: str, font: str = REGULAR) -> list[tuple[str, str]]:
    """The text in drawing order, cut into (font, text) runs: the main font where it has the glyph.

    A character no font has (most emoji) stays in the main font, which draws it as an empty box: a gap
    would hide that something was there.
    """
    coverage = register_fonts()
    result: list[tuple[str, str]] = []
    for character in visual(text):
        # Spaces stay with the run they are in rather than starting a new one.
        if character in coverage.main or character.isspace():
            wanted = font
        elif coverage.fallback_draws is None or character in coverage.fallback_draws:
            wanted = coverage.fallback
        else:
            wanted = font
        if result and result[-1][0] == wanted:
            result[-1] = (wanted, result[-1][1] + character)
        else:
            result.append((wanted, character))
    return result


def markup(text: str, font: str = REGULAR) -> str:
    """Text as Paragraph markup, escaped, with the fallback font where the main one lacks a glyph."""
    return "".join(
        escape(part) if name == font else f'<font face="{name}">{escape(part)}</font>'
        for name, part in runs(text, font)
    )


def text_width(text: str, size: float, font: str = REGULAR) -> float:
    return float(sum(pdfmetrics.stringWidth(part, name, size) for name, part in runs(text, font)))


def fit(text: str, size: float, width: float, font: str = REGULAR) -> str:
    """The text, cut with an ellipsis if it is wider than `width`."""
    if text_width(text, size, font) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle] + "…", size, font) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"


def draw(canvas: Canvas, x: float, y: float, text: str, size: float, font: str = REGULAR, align: str = "left") -> None:
    """Draw one line of text on the canvas, in as many fonts as its characters need."""
    parts = runs(text, font)
    if align == "right":
        x -= sum(pdfmetrics.stringWidth(part, name, size) for name, part in parts)
    for name, part in parts:
        canvas.setFont(name, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, name, size)


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14, textColor=INK, alignment=TA_LEFT)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11.5, textColor=MUTED),
        "lead": ParagraphStyle("lead", parent=body, fontSize=12, leading=17),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=22, leading=27, spaceAfter=6),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD,
            fontSize=14,
            leading=18,
            spaceBefore=14,
            spaceAfter=6,
            textColor=ACCENT,
            keepWithNext=True,
        ),
        "subheading": ParagraphStyle(
            "subheading",
            parent=body,
            fontName=BOLD,
            fontSize=11,
            leading=15,
            spaceBefore=8,
            spaceAfter=3,
            keepWithNext=True,
        ),
        "figure": ParagraphStyle("figure", parent=body, fontName=BOLD, fontSize=30, leading=36, textColor=ACCENT),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=12),
        "figure_cell": ParagraphStyle("figure_cell", parent=body, fontSize=9, leading=12, alignment=TA_RIGHT),
    }


RIGHT_TO_LEFT_LANGUAGES = {"ar", "fa", "he", "ur"}


class RightToLeftParagraph(Flowable):
    """Plain text in a right-to-left language, wrapped by us and set flush right.

    Platypus wraps lines left to right, so a paragraph put in visual order as a whole would start its first
    line with the paragraph's last words. Each line is chosen in reading order first, then put in visual order.
    """

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text = " ".join(text.split())
        self.style = style
        self.lines: list[str] = []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        size, font = self.style.fontSize, self.style.fontName
        lines: list[str] = []
        for word in self.text.split(" "):
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and text_width(candidate, size, font) <= available_width:
                lines[-1] = candidate
            else:
                lines.append(word)
        self.lines = lines
        return available_width, self.style.leading * len(lines)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        fits = int(available_height // self.style.leading)
        if fits <= 0:
            return []
        if fits >= len(self.lines):
            return [self]
        return [
            RightToLeftParagraph(" ".join(self.lines[:fits]), self.style),
            RightToLeftParagraph(" ".join(self.lines[fits:]), self.style),
        ]

    def draw(self) -> None:
        canvas: Canvas = self.canv
        canvas.setFillColor(self.style.textColor)
        y = self.style.leading * len(self.lines) - self.style.fontSize
        for line in self.lines:
            draw(canvas, self.width, y, line, self.style.fontSize, self.style.fontName, align="right")
            y -= self.style.leading


def paragraph(text: str, style: ParagraphStyle, language: str = "") -> Flowable:
    """Plain text as a paragraph in this style, right to left in a language written so."""
    if language.split("-")[0] in RIGHT_TO_LEFT_LANGUAGES:
        return RightToLeftParagraph(text, style)
    from reportlab.platypus import Paragraph

    return Paragraph(markup(text, style.fontName), style)


def paragraph_text(text: str) -> str:
    """Plain text as Paragraph markup, its line breaks kept."""
    return "<br/>".join(markup(line) for line in text.splitlines())


class Document(BaseDocTemplate):
    """An A4 document with the shared footer; `columns` pages set the text in two columns (long lists)."""

    def __init__(
        self, out: IO[bytes], *, title: str, footer: str, pagesize: tuple[float, float] = A4, **kwargs: Any
    ) -> None:
        register_fonts()
        super().__init__(
            out,
            pagesize=pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + FOOTER_HEIGHT,
            title=title,
            author="standwith",
            creator="standwith",
            **kwargs,
        )
        self.footer = footer
        width, height = self.width, self.height
        gutter = 8 * mm
        column = (width - gutter) / 2
        left, bottom, head = self.leftMargin, self.bottomMargin, HEADER_HEIGHT
        self.addPageTemplates(
            [
                PageTemplate("page", [Frame(left, bottom, width, height, id="text")], self._frame),
                # A list's first page: its heading across the page, then the two columns.
                PageTemplate(
                    "columns-first",
                    [
                        Frame(left, bottom + height - head, width, head, id="head"),
                        Frame(left, bottom, column, height - head, id="left"),
                        Frame(left + column + gutter, bottom, column, height - head, id="right"),
                    ],
                    self._frame,
                    autoNextPageTemplate="columns",
                ),
                PageTemplate(
                    "columns",
                    [
                        Frame(self.leftMargin, self.bottomMargin, column, height, id="left"),
                        Frame(self.leftMargin + column + gutter, self.bottomMargin, column, height, id="right"),
                    ],
                    self._frame,
                ),
            ]
        )

    def _frame(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        y = MARGIN + FOOTER_HEIGHT - 4 * mm
        page_width = self.pagesize[0]
        canvas.line(MARGIN, y, page_width - MARGIN, y)
        canvas.setFillColor(MUTED)
        draw(canvas, MARGIN, MARGIN, fit(self.footer, 8, page_width - 2 * MARGIN - 30 * mm), 8)
        page = _("Page %(number)d") % {"number": canvas.getPageNumber()}
        draw(canvas, page_width - MARGIN, MARGIN, page, 8, align="right")
        canvas.restoreState()

    def build_streaming(self, flowables: Iterable[Flowable], lookahead: int = 8) -> None:
        """Lay out flowables as they are produced, holding only a few at a time (platypus's build wants a list).

        What Platypus's own build does, minus holding the whole story: the canvas still keeps each finished
        page's drawing commands until it writes the file, a few kilobytes a page.
        """
        source: Iterator[Flowable] = iter(flowables)
        pending: list[Flowable] = []

        def refill() -> None:
            while len(pending) < lookahead:
                item = next(source, None)
                if item is None:
                    return
                pending.append(item)

        self._startBuild()
        self.canv._doctemplate = self
        try:
            refill()
            while pending:
                self.clean_hanging()
                self.handle_flowable(pending)
                refill()
        finally:
            del self.canv._doctemplate
        self._endBuild()

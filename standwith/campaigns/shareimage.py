"""The picture a shared link shows (Open Graph, X cards): title, live count, organisation, campaign picture.

Networks fetch it whenever someone shares a link, and rendering one takes a
tenth of a second or more, so each petition and language is rendered about
once per SHARE_IMAGE_SECONDS and kept in the shared cache; the count on it
may be that much behind the page.

Text is laid out with raqm (bidi and shaping), so an Arabic title reads right
to left with joined letters; the fonts are vendored, so the picture looks the
same on every server.
"""

import functools
import io
import logging
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import ngettext
from PIL import Image, ImageDraw, ImageFont, ImageOps, features

from standwith.campaigns import services
from standwith.campaigns.models import Petition
from standwith.freshcache import fresh
from standwith.signing import counting

logger = logging.getLogger(__name__)

SHARE_IMAGE_SECONDS = 600
WIDTH, HEIGHT = 1200, 630
PANEL = 460  # the picture's share of the width
MARGIN = 56
TEXT_WIDTH = WIDTH - PANEL - 2 * MARGIN
TITLE_SIZES = (64, 56, 48, 42)
TITLE_LINES = 3
ELLIPSIS = "…"

FONTS = Path(__file__).resolve().parent / "fonts"
SITE_CSS = Path(__file__).resolve().parents[1] / "static" / "standwith" / "site.css"
# Without raqm Pillow can neither reorder nor join Arabic letters; the picture
# is still made, with Latin and Cyrillic right.
RAQM = features.check("raqm")
LAYOUT = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC


def share_png(petition: Petition, language: str) -> bytes:
    """The petition's share image in this language, as PNG bytes, from the cache when it is there."""
    return fresh(f"share-image:{petition.pk}:{language}", SHARE_IMAGE_SECONDS, lambda: render(petition, language))


def render(petition: Petition, language: str) -> bytes:
    with translation.override(language):
        title = str(services.campaign(petition, language).petition.title)
        count = counting.stored_count(petition.pk)
        # The same words as the count on the page, so every catalogue already has them.
        words = ngettext("person has signed", "people have signed", count)
        signed = f"{number_format(count, force_grouping=True)} {words}"
        rtl = translation.get_language_bidi()
    image = draw(
        title=title, signed=signed, organisation=petition.organization.name, picture=_picture(petition), rtl=rtl
    )
    buffer = io.BytesIO()
    # Full colour, for the faces in campaign pictures; `optimize` would take twice as long to save 1%.
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def draw(*, title: str, signed: str, organisation: str, picture: Image.Image | None, rtl: bool) -> Image.Image:
    """The card: picture panel on the side a reader starts from, text beside it, aligned as the page is."""
    palette = colours()
    image = Image.new("RGB", (WIDTH, HEIGHT), palette["paper"])
    panel_x = WIDTH - PANEL if rtl else 0
    if picture is None:
        image.paste(palette["accent"], (panel_x, 0, panel_x + PANEL, HEIGHT))
    else:
        fitted = ImageOps.fit(picture.convert("RGBA"), (PANEL, HEIGHT), Image.Resampling.LANCZOS)
        image.paste(fitted, (panel_x, 0), fitted)  # its own alpha as the mask: a transparent logo sits on paper
    canvas = ImageDraw.Draw(image)
    start = WIDTH - PANEL - MARGIN if rtl else PANEL + MARGIN

    def write(y: int, text: str, font: ImageFont.FreeTypeFont, fill: str, anchor: str) -> None:
        # Anchors: l/r for the edge the page's direction starts from; a (ascender) or s (baseline).
        canvas.text(
            (start, y), text, font=font, fill=fill, anchor=("r" if rtl else "l") + anchor, direction=_direction(text)
        )

    brand = _font(bold=True, size=36)
    stand_width = brand.getlength("stand")
    brand_x = start - brand.getlength("standwith") if rtl else start
    canvas.text((brand_x, MARGIN), "stand", font=brand, fill=palette["ink"], anchor="la")
    canvas.text((brand_x + stand_width, MARGIN), "with", font=brand, fill=palette["accent"], anchor="la")

    font, lines = fit(title, bold=True, sizes=TITLE_SIZES, lines=TITLE_LINES)
    for number, line in enumerate(lines):
        write(MARGIN + 84 + number * round(font.size * 1.22), line, font, palette["ink"], "a")

    font, lines = fit(signed, bold=True, sizes=(38, 32, 28), lines=1)
    for line in lines:
        write(HEIGHT - MARGIN - 56, line, font, palette["accent"], "s")
    font, lines = fit(organisation, bold=False, sizes=(28, 24), lines=1)
    for line in lines:
        write(HEIGHT - MARGIN, line, font, palette["muted"], "s")
    return image


@functools.cache
def colours() -> dict[str, str]:
    """The site's palette, from the custom properties of its stylesheet, so the card matches the pages.

    The first definition of each wins: that is the light base palette, should
    a dark scheme redefine them further down.
    """
    palette: dict[str, str] = {}
    for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,8})\b", SITE_CSS.read_text()):
        palette.setdefault(name, value)
    return palette


@functools.cache
def _font(*, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(FONTS / name, size, layout_engine=LAYOUT)


def _is_rtl(text: str) -> bool:
    """Whether text starts right to left: its first strong character decides, as in the Unicode bidi rules."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in {"R", "AL"}:
            return True
        if kind == "L":
            return False
    return False


def _direction(text: str) -> str | None:
    if not RAQM:
        return None
    return "rtl" if _is_rtl(text) else "ltr"


def fit(text: str, *, bold: bool, sizes: tuple[int, ...], lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of these sizes at which the text fits in so many lines; else the smallest, ellipsised."""
    for size in sizes:
        font = _font(bold=bold, size=size)
        wrapped, complete = _wrap(text, font, lines)
        if complete:
            break
    return font, wrapped


def _wrap(text: str, font: ImageFont.FreeTypeFont, most: int) -> tuple[list[str], bool]:
    """Up to `most` lines of the text no wider than the text column, and whether all of it fits in them."""
    direction = _direction(text)

    def fits(line: str) -> bool:
        return font.getlength(line, direction=direction) <= TEXT_WIDTH

    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if fits(joined):
            line = joined
            continue
        if line:
            lines.append(line)
        line = word
        while not fits(line):  # a word wider than the column breaks where it must
            cut = max(1, _longest(line, fits))
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    if len(lines) <= most:
        return lines, True
    rest = " ".join(lines[most - 1 :])
    words = rest.split(" ")
    kept = next(
        (" ".join(words[:n]) for n in range(len(words) - 1, 0, -1) if fits(" ".join(words[:n]) + ELLIPSIS)),
        rest[: _longest(rest, lambda part: fits(part + ELLIPSIS))],
    )
    return [*lines[: most - 1], kept.rstrip(" ,.;:–-") + ELLIPSIS], False


def _longest(text: str, fits: Callable[[str], bool]) -> int:
    """How many of the text's first characters fit, by bisection."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def _picture(petition: Petition) -> Image.Image | None:
    case = petition.case
    if case is None or not case.picture:
        return None
    try:
        with case.picture.open("rb") as file, Image.open(file) as image:
            # A JPEG decodes at a fraction of its size when that still covers the panel: much faster for big photos.
            image.draft("RGB", (HEIGHT, HEIGHT))
            return ImageOps.exif_transpose(image).convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        # A missing or unreadable file must not take the card down; the panel is drawn plain instead.
        logger.warning("campaign picture %s of case %s could not be read", case.picture.name, case.pk, exc_info=True)
        return None

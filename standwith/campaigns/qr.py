"""QR codes for printed posters.

A code points at the petition's address without a language, so each reader
lands on the page in their own (the site redirects by Accept-Language), and
with the `poster` source, so the campaign can tell how many signatures the
posters brought.
"""

import io

import segno

from standwith.campaigns.models import Petition
from standwith.campaigns.sharing import petition_address

# "m" survives about 15% of the code being damaged or dirty; segno raises it
# further when that costs no extra size.
ERROR_CORRECTION = "m"
# Four modules of quiet zone, as the standard asks, so scanners find the code on a busy poster.
BORDER = 4
# Pixels per module: about 4 cm wide at 300 dpi for a typical address.
PNG_SCALE = 10
# Millimetres per module: the SVG's natural size; its viewBox lets a designer scale it to anything.
SVG_MILLIMETRES = 2


def poster_address(petition: Petition) -> str:
    return petition_address(petition, "poster")


def poster_code(petition: Petition) -> segno.QRCode:
    return segno.make_qr(poster_address(petition), error=ERROR_CORRECTION)


def poster_svg(petition: Petition) -> bytes:
    buffer = io.BytesIO()
    poster_code(petition).save(buffer, kind="svg", scale=SVG_MILLIMETRES, unit="mm", border=BORDER)
    return buffer.getvalue()


def poster_png(petition: Petition) -> bytes:
    buffer = io.BytesIO()
    poster_code(petition).save(buffer, kind="png", scale=PNG_SCALE, border=BORDER)
    return buffer.getvalue()

import io
from xml.etree import ElementTree

import segno
from PIL import Image

from standwith.campaigns.models import Petition

SVG = "{http://www.w3.org/2000/svg}"


def poster_address(settings, petition):
    return f"{settings.SITE_URL}/p/{petition.slug}/?source=poster"


def test_it_serves_the_poster_code_as_svg(client, petition, settings):
    response = client.get(f"/p/{petition.slug}/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert ElementTree.fromstring(response.content).tag == f"{SVG}svg"
    expected = io.BytesIO()
    segno.make_qr(poster_address(settings, petition), error="m").save(
        expected, kind="svg", scale=2, unit="mm", border=4
    )
    assert response.content == expected.getvalue()


def test_it_serves_the_poster_code_as_a_png_that_encodes_the_address(client, petition, settings):
    response = client.get(f"/p/{petition.slug}/qr.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    # No decoder here: read each module off the picture and compare it with the code for the address
    # at medium error correction (the level is written in the code's own modules, so it is compared too).
    code = segno.make_qr(poster_address(settings, petition), error="m")
    modules = len(code.matrix)
    scale = image.width // (modules + 8)
    assert scale == 10
    assert image.size == ((modules + 8) * scale, (modules + 8) * scale)
    grey = image.convert("L")
    read = [
        [int(grey.getpixel(((4 + x) * scale + scale // 2, (4 + y) * scale + scale // 2)) < 128) for x in range(modules)]
        for y in range(modules)
    ]
    assert read == [list(row) for row in code.matrix]


def test_it_names_the_files_after_the_petition(client, petition):
    svg = client.get(f"/p/{petition.slug}/qr.svg")
    png = client.get(f"/p/{petition.slug}/qr.png")

    assert svg["Content-Disposition"] == 'inline; filename="free-them-qr.svg"'
    assert png["Content-Disposition"] == 'inline; filename="free-them-qr.png"'


def test_it_lets_anyone_cache_the_codes_for_a_day(client, petition):
    for kind in ("svg", "png"):
        cache_control = client.get(f"/p/{petition.slug}/qr.{kind}")["Cache-Control"]

        assert "public" in cache_control
        assert "max-age=86400" in cache_control


def test_it_sends_a_poster_reader_to_the_page_in_their_language(client, petition):
    response = client.get(f"/p/{petition.slug}/?source=poster", headers={"Accept-Language": "ru"})

    assert response.status_code == 302
    assert response["Location"] == f"/ru/p/{petition.slug}/?source=poster"


def test_it_has_no_codes_for_a_draft_petition(client, petition):
    petition.state = Petition.State.DRAFT
    petition.save()

    assert client.get(f"/p/{petition.slug}/qr.svg").status_code == 404
    assert client.get(f"/p/{petition.slug}/qr.png").status_code == 404

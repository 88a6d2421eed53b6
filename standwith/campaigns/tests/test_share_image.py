import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from PIL import Image

from standwith.campaigns import shareimage
from standwith.campaigns.models import Case, Petition, Translation
from standwith.signing import counting

ARABIC_TITLE = "أطلقوا سراح صالح وإسماعيل"


def image_of(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return image.convert("RGB")


def translate_title(petition: Petition, language: str, text: str) -> None:
    Translation.objects.create(
        content_type=ContentType.objects.get_for_model(Petition),
        object_id=petition.pk,
        language=language,
        field="title",
        text=text,
    )


def picture_file(colour: tuple[int, int, int]) -> ContentFile[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="people.png")


@pytest.fixture
def case_with_picture(petition, organization, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = Case(organization=organization, slug="two-men", title="Two men", summary="Taken in June.")
    case.picture.save("people.png", picture_file((20, 110, 200)), save=False)
    case.save()
    petition.case = case
    petition.save()
    return case


def colour_at(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int]:
    """The one colour of every pixel in the box; fails when the box is not a single colour."""
    colours = image.crop(box).getcolors()
    assert colours is not None
    assert len(colours) == 1, colours
    colour = colours[0][1]
    assert isinstance(colour, tuple)
    red, green, blue = colour[:3]
    return red, green, blue


def hex_colour(name: str) -> tuple[int, int, int]:
    value = shareimage.colours()[name].lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def test_it_serves_a_png_of_1200_by_630(client, petition):
    response = client.get(f"/en/p/{petition.slug}/share.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert image_of(response.content).size == (1200, 630)


def test_it_draws_the_title_and_count_in_the_pages_language(client, petition):
    translate_title(petition, "ru", "Освободите их")
    counting.add(petition.pk, 1234)

    russian = client.get(f"/ru/p/{petition.slug}/share.png").content
    english = client.get(f"/en/p/{petition.slug}/share.png").content

    assert russian != english
    expected = shareimage.draw(
        title="Освободите их", signed="1\xa0234 человека подписали", organisation="All Out", picture=None, rtl=False
    )
    assert image_of(russian).tobytes() == expected.tobytes()


def test_it_shows_the_original_title_where_there_is_no_translation(client, petition):
    content = client.get(f"/ru/p/{petition.slug}/share.png").content

    expected = shareimage.draw(
        title="Free them", signed="0 человек подписали", organisation="All Out", picture=None, rtl=False
    )
    assert image_of(content).tobytes() == expected.tobytes()


def test_it_renders_an_arabic_title_right_to_left_against_the_start_edge():
    drawn = shareimage.draw(title=ARABIC_TITLE, signed="12 people", organisation="All Out", picture=None, rtl=True)
    untitled = shareimage.draw(title="", signed="12 people", organisation="All Out", picture=None, rtl=True)

    assert drawn.tobytes() != untitled.tobytes()
    # In a right-to-left page the text column ends where the picture panel begins, on the right.
    title_band = drawn.crop((0, 120, shareimage.WIDTH - shareimage.PANEL, 330)).convert("L")
    inked = title_band.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert inked is not None
    column_end = shareimage.WIDTH - shareimage.PANEL - shareimage.MARGIN
    assert column_end - 8 <= inked[2] <= column_end
    assert inked[0] > shareimage.MARGIN - 8


def test_it_serves_an_arabic_page_its_image(client, petition):
    translate_title(petition, "ar", ARABIC_TITLE)

    response = client.get(f"/ar/p/{petition.slug}/share.png")

    assert response.status_code == 200
    assert image_of(response.content).size == (1200, 630)


def test_it_wraps_a_long_title_to_three_lines_and_ellipsises_it():
    title = "Free Salekh Magamadov and Ismail Isayev, detained in Nizhny Novgorod and handed to Chechen police " * 2

    font, lines = shareimage.fit(title, bold=True, sizes=shareimage.TITLE_SIZES, lines=3)

    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert font.size == shareimage.TITLE_SIZES[-1]
    assert all(font.getlength(line) <= shareimage.TEXT_WIDTH for line in lines)


def test_it_draws_a_short_title_large_and_whole():
    font, lines = shareimage.fit("Free them", bold=True, sizes=shareimage.TITLE_SIZES, lines=3)

    assert lines == ["Free them"]
    assert font.size == shareimage.TITLE_SIZES[0]


def test_it_breaks_a_word_too_long_for_a_line():
    word = "Menschenrechtsverteidigerinnenunterstützungsgesetz" * 2

    font, lines = shareimage.fit(word, bold=True, sizes=(64,), lines=3)

    assert len(lines) == 3
    assert word.startswith("".join(lines).removesuffix("…"))
    assert all(font.getlength(line) <= shareimage.TEXT_WIDTH for line in lines)


def test_it_shows_the_case_picture(client, petition, case_with_picture):
    image = image_of(client.get(f"/en/p/{petition.slug}/share.png").content)

    assert colour_at(image, (20, 20, 440, 610)) == (20, 110, 200)


def test_it_shows_a_plain_brand_panel_without_a_picture(client, petition):
    image = image_of(client.get(f"/en/p/{petition.slug}/share.png").content)

    assert colour_at(image, (0, 0, shareimage.PANEL, 630)) == hex_colour("accent")


def test_it_shows_the_plain_panel_when_the_picture_file_is_gone(client, petition, case_with_picture):
    case_with_picture.picture.storage.delete(case_with_picture.picture.name)

    response = client.get(f"/en/p/{petition.slug}/share.png")

    assert response.status_code == 200
    assert colour_at(image_of(response.content), (0, 0, shareimage.PANEL, 630)) == hex_colour("accent")


def test_it_renders_once_per_period_and_language(client, petition, monkeypatch):
    renders = []
    render = shareimage.render

    def counted(petition, language):
        renders.append(language)
        return render(petition, language)

    monkeypatch.setattr(shareimage, "render", counted)

    first = client.get(f"/en/p/{petition.slug}/share.png")
    second = client.get(f"/en/p/{petition.slug}/share.png")
    client.get(f"/ru/p/{petition.slug}/share.png")

    assert renders == ["en", "ru"]
    assert second.content == first.content


def test_it_lets_anyone_cache_the_image_for_ten_minutes(client, petition):
    response = client.get(f"/en/p/{petition.slug}/share.png")

    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=600" in cache_control


def test_it_has_no_image_for_a_draft_petition(client, petition):
    petition.state = Petition.State.DRAFT
    petition.save()

    assert client.get(f"/en/p/{petition.slug}/share.png").status_code == 404


def test_it_has_no_image_for_a_made_up_slug(client, db):
    assert client.get("/en/p/no-such-petition/share.png").status_code == 404

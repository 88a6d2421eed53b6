import datetime
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from standwith.campaigns.models import Case, Person, Petition, TimelineEvent
from standwith.conftest import translate

pytestmark = pytest.mark.django_db

PAGE = "/{}/p/free-salekh-and-ismail/"


def test_it_tells_the_case_beside_the_sign_form(client, campaign):
    page = client.get(PAGE.format("en")).content.decode()

    assert '<h1 lang="en">Free Salekh and Ismail</h1>' in page
    assert "Salekh Magamadov" in page
    assert "Ismail Isayev" in page
    assert "17 years old" in page
    assert "Detained since 4 February 2021" in page
    assert '<time datetime="2021-02-04">4 February 2021</time>' in page
    assert '<time datetime="2020-06">June 2020</time>' in page  # only the month is known
    assert "Marc Behrendt" in page
    assert "Freedom House" in page
    assert "Antony Blinken" in page
    assert "Freedom House joins the call" in page  # the latest update
    assert 'name="email"' in page
    assert "not translated" not in page


def test_it_lists_the_timeline_newest_first_and_folds_the_oldest(client, campaign):
    page = client.get(PAGE.format("en")).content.decode()

    abducted = page.index('datetime="2021-02-04"')
    investigated = page.index('datetime="2021-02-07"')
    fled = page.index("forced to leave Chechnya")
    folded = page.index("<details")
    assert investigated < abducted < folded < fled
    assert "Show 2 earlier events" in page


def test_it_tells_the_case_in_russian(client, campaign):
    page = client.get(PAGE.format("ru")).content.decode()

    assert '<html lang="ru" dir="ltr">' in page
    assert '<h1 lang="ru">Свободу Салеху и Исмаилу</h1>' in page
    assert "Салех Магамадов" in page
    assert "17 лет" in page
    assert "Под стражей с 4 февраля 2021 г." in page
    assert "Июнь 2020" in page
    assert "Энтони Блинкен" in page
    assert "К призыву присоединилась Freedom House" in page
    assert "не переведена" not in page  # the demo is complete in Russian


def test_it_shows_an_untranslated_field_in_the_original_with_a_note(client, petition):
    translate(petition, "ru", title="Освободите их")

    page = client.get(f"/ru/p/{petition.slug}/").content.decode()

    assert '<h1 lang="ru">Освободите их</h1>' in page
    assert '<p class="summary" lang="en">Two young men are in danger.</p>' in page
    assert "ещё не переведена" in page
    assert "(Английский)" in page


def test_it_writes_right_to_left_pages_in_arabic(client, campaign):
    page = client.get(PAGE.format("ar")).content.decode()

    assert '<html lang="ar" dir="rtl">' in page
    assert '<h1 lang="en">Free Salekh and Ismail</h1>' in page  # no Arabic text yet: the original, marked
    assert 'class="untranslated"' in page


def test_it_shows_an_edit_at_once(client, campaign):
    client.get("/ru/c/salekh-magamadov-and-ismail-isayev/")  # the campaign's story is now in cache
    event = TimelineEvent.objects.get(date=datetime.date(2021, 2, 7))
    translation = event.translations.get(field="text", language="ru")
    translation.text = "Новый текст о расследовании"
    translation.save()

    page = client.get(PAGE.format("ru")).content.decode()

    assert "Новый текст о расследовании" in page


def test_it_shows_a_petition_without_a_case(client, petition):
    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    assert "Free them" in page
    assert "What happened" not in page


def test_it_shows_a_status_change(client, campaign):
    Person.objects.filter(name="Ismail Isayev").update(
        status=Person.Status.RELEASED, status_since=datetime.date(2021, 3, 1)
    )
    Person.objects.get(name="Ismail Isayev").save()  # as staff do in the admin

    page = client.get(PAGE.format("en")).content.decode()

    assert "Released on 1 March 2021" in page
    assert "Detained since 4 February 2021" in page  # Salekh


def test_it_announces_the_campaign_feed(client, campaign):
    page = client.get(PAGE.format("ru")).content.decode()

    feed = '<link rel="alternate" type="application/atom+xml" href="/ru/c/salekh-magamadov-and-ismail-isayev/feed"'
    assert feed in page


def test_it_offers_the_case_page_with_every_petition(client, campaign):
    Petition.objects.create(
        organization=campaign.organization,
        case=campaign.case,
        slug="eu-act-now",
        title="EU: act now",
        summary="Ask the EU.",
        body="Body.",
        state=Petition.State.OPEN,
    )
    Petition.objects.create(
        organization=campaign.organization,
        case=campaign.case,
        slug="a-draft",
        title="Not yet public",
        summary="Draft.",
        body="Body.",
    )

    page = client.get("/en/c/salekh-magamadov-and-ismail-isayev/").content.decode()

    assert "Free Salekh and Ismail" in page
    assert "EU: act now" in page
    assert "Not yet public" not in page
    assert "Freedom House joins the call" in page


def test_it_hides_a_case_whose_petitions_are_all_drafts(client, organization):
    case = Case.objects.create(organization=organization, slug="quiet", title="Quiet", summary="Not yet.")
    Petition.objects.create(organization=organization, case=case, slug="draft", title="D", summary="S", body="B")

    assert client.get("/en/c/quiet/").status_code == 404
    assert client.get("/en/c/no-such-case/").status_code == 404


def test_it_renders_a_whole_campaign_in_a_fixed_number_of_queries(client, campaign, django_assert_num_queries):
    # Petition, count slots, the site switches (for the banner), then the
    # story: people, events, statements, updates, other petitions, targets,
    # targets' responses, partners, milestones, and one for every translation.
    with django_assert_num_queries(13):
        client.get(PAGE.format("ru"))
    with django_assert_num_queries(0):  # the page itself is then served from cache
        client.get(PAGE.format("ru"))


def test_it_shows_the_campaign_picture_with_its_description(client, campaign):
    buffer = BytesIO()
    Image.new("RGB", (40, 20), (20, 110, 200)).save(buffer, format="PNG")
    case = campaign.case
    case.picture.save("people.png", ContentFile(buffer.getvalue()), save=False)
    case.picture_text = "Two young men at a protest"
    case.picture_credit = "Photo: All Out"
    case.save()

    page = client.get(PAGE.format("en")).content.decode()

    src = page.split('<figure class="picture">', 1)[1].split('src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/media/cases/people")
    assert 'alt="Two young men at a protest" lang="en" width="40" height="20"' in page
    assert "Photo: All Out" in page
    picture = client.get(src)
    assert picture.status_code == 200
    assert b"".join(picture.streaming_content) == buffer.getvalue()
    assert "public" in picture["Cache-Control"]


def test_it_serves_nothing_outside_the_media_folder(client, campaign):
    for path in ["/media/../standwith.sqlite3", "/media/%2e%2e/standwith.sqlite3"]:
        assert client.get(path).status_code == 400  # refused as suspicious, before any file is opened
    assert client.get("/media/cases/missing.png").status_code == 404


@pytest.mark.parametrize(
    ("language", "field", "model", "refused"),
    [("xx", "title", Petition, "language"), ("ru", "slug", Petition, "field"), ("ru", "name", Case, "field")],
)
def test_it_refuses_a_translation_the_site_cannot_show(petition, organization, language, field, model, refused):
    from django.core.exceptions import ValidationError

    from standwith.campaigns.models import Translation

    item = (
        petition
        if model is Petition
        else Case.objects.create(organization=organization, slug="c", title="C", summary="S")
    )
    translation = Translation(item=item, language=language, field=field, text="Текст")

    with pytest.raises(ValidationError) as refusal:
        translation.full_clean()

    assert refused in refusal.value.message_dict

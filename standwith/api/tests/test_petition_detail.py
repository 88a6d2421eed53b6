import datetime

import pytest
from django.utils import timezone

from standwith.api.tests.conftest import stored_signature
from standwith.campaigns.models import Case, Milestone, Person, Petition
from standwith.conftest import translate
from standwith.signing import counting

pytestmark = pytest.mark.django_db


def test_it_describes_a_petition_and_its_count(client, petition):
    counting.add(petition.pk, 17)

    response = client.get(f"/api/v1/petitions/{petition.slug}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["slug"] == "free-them"
    assert data["title"] == "Free them"
    assert data["state"] == "open"
    assert data["signature_count"] == 17
    assert data["goal"] == 1000
    assert data["url"].endswith("/p/free-them/")
    assert data["targets"] == [{"name": "A. President", "role": "President", "organisation": "", "country": "US"}]


def test_it_lets_a_proxy_cache_it_and_serve_it_through_a_blip(client, petition):
    cache_control = client.get(f"/api/v1/petitions/{petition.slug}")["Cache-Control"]

    for directive in ["public", "max-age=1", "stale-while-revalidate=30", "stale-if-error=86400"]:
        assert directive in cache_control


def test_it_keeps_non_latin_text_readable(client, petition):
    petition.title = "Свободу Салеху и Исмаилу"
    petition.save()

    assert "Свободу".encode() in client.get(f"/api/v1/petitions/{petition.slug}").content


def test_it_answers_404_in_json_for_an_unknown_or_unpublished_petition(client, petition):
    petition.state = Petition.State.DRAFT
    petition.save()

    for slug in [petition.slug, "no-such-petition"]:
        response = client.get(f"/api/v1/petitions/{slug}")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_it_counts_no_rows_to_answer(client, petition, django_assert_num_queries):
    client.get(f"/api/v1/petitions/{petition.slug}")

    with django_assert_num_queries(0):
        client.get(f"/api/v1/petitions/{petition.slug}")


def test_it_refuses_to_be_written_to(client, petition):
    response = client.post(f"/api/v1/petitions/{petition.slug}", {})

    assert response.status_code == 405
    # ninja gathers the methods in a set: their order changes from one process to the next.
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}
    assert response.json()["error"] == "method_not_allowed"
    assert "does not take that kind of request" in response.json()["title"]


@pytest.fixture
def case_petition(petition, other_organization):
    case = Case.objects.create(
        organization=petition.organization, slug="two-men", title="Two men", summary="Detained in May."
    )
    Person.objects.create(case=case, name="Salekh", age=24, location="Grozny", status_since=datetime.date(2026, 5, 1))
    Person.objects.create(
        case=case, name="Ismail", location="Unknown", status_since=datetime.date(2026, 5, 2), position=1
    )
    petition.case = case
    petition.save()
    petition.partners.add(other_organization)
    Milestone.objects.create(petition=petition, threshold=100, reached_at=timezone.now())
    Milestone.objects.create(petition=petition, threshold=500, reached_at=timezone.now())
    return petition


def test_it_tells_the_case_its_people_partners_targets_and_milestones(client, case_petition):
    data = client.get(f"/api/v1/petitions/{case_petition.slug}").json()

    assert data["case"]["slug"] == "two-men"
    assert data["case"]["title"] == "Two men"
    assert data["case"]["summary"] == "Detained in May."
    assert [(p["name"], p["age"], p["location"], p["status_since"]) for p in data["case"]["persons"]] == [
        ("Salekh", 24, "Grozny", "2026-05-01"),
        ("Ismail", None, "Unknown", "2026-05-02"),
    ]
    assert data["partners"] == [{"slug": "amnesty", "name": "Amnesty"}]
    assert data["targets"][0]["name"] == "A. President"
    assert [m["threshold"] for m in data["milestones"]] == [500, 100]
    assert data["text"] == "They were **detained**."
    assert data["text_language"] == "en"


def test_it_has_no_case_for_a_petition_that_stands_alone(client, petition):
    data = client.get(f"/api/v1/petitions/{petition.slug}").json()

    assert data["case"] is None
    assert data["partners"] == []
    assert data["milestones"] == []


def test_it_gives_the_texts_in_the_language_asked_for(client, case_petition):
    translate(case_petition, "ru", title="Свободу им", summary="Двое в опасности.", body="Их **задержали**.")
    translate(case_petition.case, "ru", title="Двое", summary="Задержаны в мае.")
    translate(case_petition.case.persons.get(name="Salekh"), "ru", name="Салех", location="Грозный")

    data = client.get(f"/api/v1/petitions/{case_petition.slug}", {"language": "ru"}).json()

    assert data["title"] == "Свободу им"
    assert data["summary"] == "Двое в опасности."
    assert data["text"] == "Их **задержали**."
    assert data["text_language"] == "ru"
    assert data["language"] == "en"  # the petition's own language, whatever was asked
    assert data["case"]["title"] == "Двое"
    assert data["case"]["persons"][0]["name"] == "Салех"
    assert data["case"]["persons"][0]["location"] == "Грозный"
    assert data["case"]["persons"][1]["name"] == "Ismail"


def test_it_falls_back_to_the_original_where_no_translation_exists(client, petition):
    data = client.get(f"/api/v1/petitions/{petition.slug}", {"language": "fr"}).json()

    assert data["title"] == "Free them"
    assert data["text_language"] == "en"


def test_it_keeps_languages_apart_in_its_cache(client, petition):
    translate(petition, "ru", title="Свободу им", summary="Двое.", body="Текст.")

    english = client.get(f"/api/v1/petitions/{petition.slug}").json()
    russian = client.get(f"/api/v1/petitions/{petition.slug}", {"language": "ru"}).json()

    assert (english["title"], russian["title"]) == ("Free them", "Свободу им")


@pytest.mark.parametrize("language", ["xx", "RU", "ru-RU", ""])
def test_it_refuses_a_language_it_does_not_speak(client, petition, language):
    response = client.get(f"/api/v1/petitions/{petition.slug}", {"language": language})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "language"
    assert response["Cache-Control"] == "no-store"


def test_it_embeds_the_public_statistics(client, petition):
    for n in range(10):
        stored_signature(
            petition,
            f"s{n}@example.org",
            country="FR",
            created_at=datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC),
        )

    statistics = client.get(f"/api/v1/petitions/{petition.slug}").json()["statistics"]

    assert statistics == {
        "minimum_group_size": 10,
        "by_country": [{"country": "FR", "signatures": 10}],
        "by_day": [{"date": "2026-11-01", "signatures": 10}],
    }


@pytest.mark.parametrize("state", ["closed", "archived"])
def test_it_describes_a_petition_that_no_longer_takes_signatures(client, petition, state):
    petition.state = state
    petition.save()

    data = client.get(f"/api/v1/petitions/{petition.slug}").json()

    assert data["state"] == state


@pytest.mark.parametrize("state", ["pending", "rejected"])
def test_it_hides_a_petition_that_is_not_public(client, petition, state):
    petition.state = state
    petition.save()

    assert client.get(f"/api/v1/petitions/{petition.slug}").status_code == 404


def test_it_answers_head_without_a_body(client, petition):
    response = client.head(f"/api/v1/petitions/{petition.slug}")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("path", ["/api/v1/petitions/free-them", "/api/v1/petitions/free-them/statistics"])
def test_it_answers_for_a_petition_taken_down_after_it_was_public(client, petition, path):
    Petition.objects.filter(pk=petition.pk).update(
        state=Petition.State.REJECTED, published_at=timezone.now(), removal_reason="Breaks the rules."
    )

    response = client.get(path)

    assert response.status_code == 410
    assert response.json() == {"error": "removed", "detail": "Breaks the rules."}
    assert response["Cache-Control"] == "no-store"


def test_it_answers_without_waiting_while_the_figures_are_first_counted(client, petition):
    from django.core.cache import cache

    cache.add(f"statistics:{petition.pk}:renewing", 1, 10)  # another process is counting them

    data = client.get(f"/api/v1/petitions/{petition.slug}").json()

    assert data["statistics"] is None
    assert data["signature_count"] == 0

import datetime
from typing import Any

import pytest
from django.utils import timezone

from standwith import freshcache
from standwith.api.tests.conftest import stored_signature
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

NOV_1 = datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC)


def sign_many(petition, country: str, n: int, *, start: int = 0, **fields) -> None:
    for i in range(start, start + n):
        stored_signature(petition, f"{country.lower()}{i}@example.org", country=country, **fields)


def statistics_of(client, petition) -> dict[str, Any]:
    response = client.get(f"/api/v1/petitions/{petition.slug}/statistics")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def test_it_counts_only_confirmed_signatures(client, petition):
    sign_many(petition, "FR", 10, created_at=NOV_1)
    for n, state in enumerate(["pending", "invalidated", "withdrawn"]):
        sign_many(petition, "FR", 10, start=100 * (n + 1), state=state, created_at=NOV_1)

    assert statistics_of(client, petition) == {
        "minimum_group_size": 10,
        "by_country": [{"country": "FR", "signatures": 10}],
        "by_day": [{"date": "2026-11-01", "signatures": 10}],
    }


def test_it_folds_a_country_of_nine_signers_into_other(client, petition):
    sign_many(petition, "FR", 12)
    sign_many(petition, "IS", 9)

    assert statistics_of(client, petition)["by_country"] == [
        {"country": "FR", "signatures": 12},
        {"country": "other", "signatures": 9},
    ]


def test_it_names_a_country_of_ten_signers(client, petition):
    sign_many(petition, "IS", 10)
    sign_many(petition, "LI", 1)
    sign_many(petition, "MC", 2)

    assert statistics_of(client, petition)["by_country"] == [
        {"country": "IS", "signatures": 10},
        {"country": "other", "signatures": 3},
    ]


def test_it_never_shows_a_single_small_country_even_alone(client, petition):
    sign_many(petition, "LI", 1)

    assert statistics_of(client, petition)["by_country"] == [{"country": "other", "signatures": 1}]


def test_it_lists_named_countries_largest_first_then_by_code(client, petition, settings):
    settings.PUBLIC_MIN_GROUP_SIZE = 1
    sign_many(petition, "FR", 2)
    sign_many(petition, "DE", 2)
    sign_many(petition, "US", 3)

    assert [row["country"] for row in statistics_of(client, petition)["by_country"]] == ["US", "DE", "FR"]


@pytest.mark.parametrize(("minimum", "named"), [(3, True), (4, False)])
def test_it_follows_the_configured_minimum_group_size(client, petition, settings, minimum, named):
    settings.PUBLIC_MIN_GROUP_SIZE = minimum
    sign_many(petition, "IS", 3)

    data = statistics_of(client, petition)

    assert data["minimum_group_size"] == minimum
    assert data["by_country"] == [{"country": "IS" if named else "other", "signatures": 3}]


def test_it_counts_days_in_utc_whatever_the_time_zone_in_use(client, petition):
    stored_signature(petition, "a@example.org", created_at=datetime.datetime(2026, 11, 1, 23, 30, tzinfo=datetime.UTC))
    stored_signature(petition, "b@example.org", created_at=datetime.datetime(2026, 11, 2, 0, 30, tzinfo=datetime.UTC))
    stored_signature(petition, "c@example.org", created_at=datetime.datetime(2026, 11, 2, 20, 0, tzinfo=datetime.UTC))

    with timezone.override("Asia/Tokyo"):
        by_day = statistics_of(client, petition)["by_day"]

    assert by_day == [{"date": "2026-11-01", "signatures": 1}, {"date": "2026-11-02", "signatures": 2}]


def test_it_leaves_out_days_without_signatures(client, petition):
    stored_signature(petition, "a@example.org", created_at=NOV_1)
    stored_signature(petition, "b@example.org", created_at=NOV_1 + datetime.timedelta(days=3))

    assert [row["date"] for row in statistics_of(client, petition)["by_day"]] == ["2026-11-01", "2026-11-04"]


def test_it_answers_empty_figures_for_a_petition_nobody_signed(client, petition):
    assert statistics_of(client, petition) == {"minimum_group_size": 10, "by_country": [], "by_day": []}


def test_it_reuses_its_figures_until_they_are_forgotten(client, petition, settings):
    settings.PUBLIC_CACHE_SECONDS = 0  # the page cache out of the way: only the figures' own cache is left
    sign_many(petition, "FR", 10)
    assert statistics_of(client, petition)["by_country"] == [{"country": "FR", "signatures": 10}]

    stored_signature(petition, "late@example.org", country="FR")
    assert statistics_of(client, petition)["by_country"] == [{"country": "FR", "signatures": 10}]

    freshcache.forget(f"statistics:{petition.pk}")
    assert statistics_of(client, petition)["by_country"] == [{"country": "FR", "signatures": 11}]


def test_it_counts_once_for_many_readers(client, petition, settings, django_assert_num_queries):
    settings.PUBLIC_CACHE_SECONDS = 0  # every request renders: the figures must come from their own cache
    statistics_of(client, petition)

    with django_assert_num_queries(0):
        statistics_of(client, petition)


@pytest.mark.parametrize("state", ["draft", "pending", "rejected"])
def test_it_answers_404_for_a_petition_that_is_not_public(client, petition, state):
    petition.state = state
    petition.save()
    Signature.objects.all().delete()

    response = client.get(f"/api/v1/petitions/{petition.slug}/statistics")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_it_shows_the_figures_of_a_closed_petition(client, petition):
    sign_many(petition, "FR", 10)
    petition.state = "closed"
    petition.save()

    assert statistics_of(client, petition)["by_country"] == [{"country": "FR", "signatures": 10}]

"""The chart on the public petition page: counts of confirmed signatures only, never a country of fewer than 10."""

import datetime
import hashlib
import re

import pytest
from django.core.cache import cache

from standwith import freshcache
from standwith.reports.tests.seeding import seed
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)


def chart(page: str) -> str:
    match = re.search(r'<section class="signature-chart".*?</section>', page, re.S)
    return match.group(0) if match else ""


def rows(section: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', section)


def test_it_names_a_country_of_ten_and_folds_a_country_of_nine(client, petition):
    seed(petition, 10, country="DE", at=DAY)
    seed(petition, 9, country="FR", at=DAY + datetime.timedelta(days=1))

    section = chart(client.get(f"/en/p/{petition.slug}/").content.decode())

    assert rows(section) == [("Germany", "10"), ("Other countries", "9")]
    assert "France" not in section
    assert "19 confirmed signatures so far." in section
    assert 'role="img"' in section
    assert "<desc" in section


def test_it_never_names_a_country_however_many_small_ones_there_are(client, petition):
    for country in ["FR", "IT", "ES", "PT", "MT", "NL", "BE"]:
        seed(petition, 9, country=country, at=DAY)

    section = chart(client.get(f"/en/p/{petition.slug}/").content.decode())

    assert rows(section) == [("Other countries", "63")]


def test_it_counts_only_confirmed_signatures(client, petition):
    seed(petition, 12, country="DE", at=DAY)
    seed(petition, 50, country="US", state=Signature.State.PENDING, at=DAY)
    seed(petition, 50, country="RU", state=Signature.State.WITHDRAWN, at=DAY)

    section = chart(client.get(f"/en/p/{petition.slug}/").content.decode())

    assert rows(section) == [("Germany", "12")]


def test_it_shows_the_five_largest_countries_and_the_rest_together(client, petition):
    for n, country in enumerate(["US", "RU", "CN", "BR", "DE", "IN", "JP"]):
        seed(petition, 100 - n, country=country, at=DAY)
    seed(petition, 3, country="MT", at=DAY)

    section = chart(client.get(f"/en/p/{petition.slug}/").content.decode())

    assert [name for name, _n in rows(section)] == [
        "United States of America",
        "Russia",
        "China",
        "Brazil",
        "Germany",
        "Other countries",
    ]
    assert rows(section)[-1] == ("Other countries", str(95 + 94 + 3))


@pytest.mark.parametrize("confirmed", [0, 9])
def test_it_shows_no_chart_with_fewer_than_ten_confirmed_signatures(client, petition, confirmed):
    seed(petition, confirmed, country="DE", at=DAY)
    seed(petition, 30, country="DE", state=Signature.State.PENDING, at=DAY)

    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    assert chart(page) == ""
    assert "signature-growth" not in page


def test_it_speaks_the_pages_language(client, petition):
    seed(petition, 1200, country="DE", at=DAY)
    seed(petition, 15, country="RU", at=DAY + datetime.timedelta(days=2))

    section = chart(client.get(f"/ru/p/{petition.slug}/").content.decode())

    assert rows(section) == [("Германия", "1\xa0200"), ("Россия", "15")]


def test_it_draws_right_to_left_on_an_arabic_page(client, petition):
    seed(petition, 20, country="EG", at=DAY)
    seed(petition, 10, country="EG", at=DAY + datetime.timedelta(days=1))

    section = chart(client.get(f"/ar/p/{petition.slug}/").content.decode())

    assert rows(section) == [("مصر", "30")]
    points = re.search(r'<polyline points="([^"]*)"', section).group(1).split()
    assert float(points[0].split(",")[0]) > float(points[-1].split(",")[0])  # the first day on the right


def test_it_costs_no_query_once_the_page_is_cached(client, petition, django_assert_num_queries):
    seed(petition, 20, country="DE", at=DAY)
    client.get(f"/en/p/{petition.slug}/")

    with django_assert_num_queries(0):
        for _ in range(10):
            client.get(f"/en/p/{petition.slug}/")


def test_a_new_render_of_the_page_reuses_the_counted_figures(client, petition, django_assert_max_num_queries):
    seed(petition, 20, country="DE", at=DAY)
    path = f"/en/p/{petition.slug}/"
    client.get(path)
    seed(petition, 30, country="FR", at=DAY)
    freshcache.forget(f"page:en:{hashlib.sha256(f'{path}?'.encode()).hexdigest()}")  # as if the page went stale

    with django_assert_max_num_queries(12) as captured:
        section = chart(client.get(path).content.decode())

    assert not any("GROUP BY" in query["sql"] for query in captured.captured_queries)
    assert rows(section) == [("Germany", "20")]  # the figures counted for the first render


def test_it_leaves_the_chart_out_while_another_process_counts_the_figures(client, petition):
    seed(petition, 12, country="DE", at=DAY)
    # At ten million signatures a first count takes seconds: one process counts, the others render without it.
    cache.add(f"statistics:{petition.pk}:renewing", 1, 10)

    page = client.get(f"/en/p/{petition.slug}/")

    assert page.status_code == 200
    assert chart(page.content.decode()) == ""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from standwith.campaigns import demo
from standwith.campaigns.models import Organization, Petition, Target
from standwith.signing import counting

pytestmark = pytest.mark.django_db


def test_it_lists_open_petitions_with_their_counts_on_the_home_page(client, petition, instant_petition):
    counting.add(petition.pk, 1234)
    petition.state = Petition.State.OPEN
    instant_petition.state = Petition.State.DRAFT
    instant_petition.save()

    page = client.get("/en/").content.decode()

    assert "Free them" in page
    assert "1,234" in page
    assert "Count at once" not in page


def test_it_shows_the_petition_its_targets_count_and_sign_form(client, petition):
    counting.add(petition.pk, 250)

    response = client.get(f"/en/p/{petition.slug}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 lang="en">Free them</h1>' in page
    assert '<li lang="en"><strong lang="en">A. President</strong>, <span lang="en">President</span>' in page
    assert "<strong>detained</strong>" in page  # the body's Markdown, rendered
    assert "<strong data-count>250</strong>" in page
    assert 'max="1000" value="250"' in page
    assert f'action="/en/p/{petition.slug}/sign"' in page
    for field in ["name", "email", "country", "postcode", "consent_campaign_updates", "show_name_publicly"]:
        assert f'name="{field}"' in page


def test_it_renders_markdown_without_letting_script_through(client, petition):
    petition.body = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> **ok**"
    petition.save()

    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "<img src=x" not in page
    assert "<strong>ok</strong>" in page


def test_it_serves_the_same_cacheable_bytes_to_every_visitor(client, petition):
    first = client.get(f"/en/p/{petition.slug}/")
    second = client.get(f"/en/p/{petition.slug}/", headers={"Cookie": "sessionid=abc", "User-Agent": "other"})

    assert first.content == second.content
    cache_control = first["Cache-Control"]
    for directive in ["public", "max-age=1", "stale-while-revalidate=30", "stale-if-error=86400"]:
        assert directive in cache_control
    assert not first.cookies
    assert "csrfmiddlewaretoken" not in first.content.decode()


def test_it_serves_a_refresh_storm_from_the_cache(client, petition, django_assert_num_queries):
    client.get(f"/en/p/{petition.slug}/")

    with django_assert_num_queries(0):
        for _ in range(20):
            assert client.get(f"/en/p/{petition.slug}/").status_code == 200


def test_it_does_not_let_made_up_query_strings_bypass_the_cache(client, petition, django_assert_num_queries):
    client.get(f"/en/p/{petition.slug}/")

    with django_assert_num_queries(0):
        for n in range(20):
            client.get(f"/en/p/{petition.slug}/?utm={n}")


def test_it_carries_a_campaign_source_into_the_form(client, petition):
    page = client.get(f"/en/p/{petition.slug}/?source=whatsapp").content.decode()

    assert 'name="source" value="whatsapp"' in page


def test_it_shows_a_closed_petition_with_its_count_and_no_form(client, petition):
    counting.add(petition.pk, 42)
    petition.state = Petition.State.CLOSED
    petition.save()

    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    assert "This petition is closed" in page
    assert "<strong data-count>42</strong>" in page
    assert "<form" not in page


@pytest.mark.parametrize("state", [Petition.State.DRAFT, Petition.State.PENDING, Petition.State.REJECTED])
def test_it_does_not_show_a_petition_that_is_not_public(client, petition, state):
    petition.state = state
    petition.save()

    assert client.get(f"/en/p/{petition.slug}/").status_code == 404


def test_it_answers_an_unknown_petition_with_a_clear_page(client, db):
    response = client.get("/en/p/nothing-here/")

    assert response.status_code == 404
    assert "There is nothing at this address" in response.content.decode()


def test_it_loads_no_resource_from_another_site(client, petition):
    response = client.get(f"/en/p/{petition.slug}/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    loaded = resources_of(response.content.decode())
    assert loaded  # the stylesheet and scripts, at least
    for url in loaded:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url


def test_it_offers_every_language_in_the_switcher(client, petition):
    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    for code in ["en", "ru", "es", "fr", "de"]:
        expected = f"/{code}/p/{petition.slug}/"
        assert f'href="{expected}" hreflang="{code}"' in page


def test_it_serves_the_check_email_and_thanks_pages(client, petition):
    assert "Check your email" in client.get(f"/en/p/{petition.slug}/check-email").content.decode()
    thanks = client.get(f"/en/p/{petition.slug}/thanks").content.decode()
    assert "Thank you for signing" in thanks
    assert "https://t.me/share/url?url=http%3A%2F%2F127.0.0.1%3A8000%2Fp%2Ffree-them%2F" in thanks


class TestDemo:
    def test_it_loads_the_demo_campaign(self, client, db):
        call_command("demo")

        petition = Petition.objects.get(slug=demo.SLUG)
        assert petition.state == Petition.State.OPEN
        assert petition.organization.name == "All Out"
        assert [p.name for p in petition.partners.all()] == ["Freedom House"]
        assert sorted(t.role for t in petition.targets.all()) == [
            "President of the United States",
            "Secretary of State",
        ]
        page = client.get("/en/p/free-salekh-and-ismail/").content.decode()
        assert "Salekh Magamadov" in page
        assert "Ismail Isayev" in page

    def test_it_loads_the_demo_twice_without_duplicating_anything(self, db):
        call_command("demo")
        call_command("demo")

        assert Petition.objects.count() == 1
        assert Organization.objects.count() == 2
        assert Target.objects.count() == 2


def test_it_names_the_countries_in_the_language_of_the_page(client, petition):
    english = client.get(f"/en/p/{petition.slug}/").content.decode()
    russian = client.get(f"/ru/p/{petition.slug}/").content.decode()

    assert '<option value="FR">France</option>' in english
    assert '<option value="FR">Франция</option>' in russian


def test_it_keeps_the_chosen_country_when_the_form_comes_back_with_errors(sign, petition):
    page = sign(petition, name="", country="FR").content.decode()

    assert '<option value="FR" selected>France</option>' in page


def resources_of(page: str) -> list[str]:
    """Addresses a browser fetches on its own when it loads this page (links a reader follows are not)."""
    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if tag == "link" and values.get("rel") in {"stylesheet", "icon", "preload", "modulepreload"}:
                found.append(values.get("href") or "")
            elif tag in {"script", "img", "iframe", "source", "video", "audio", "embed"} and values.get("src"):
                found.append(values["src"] or "")

    Parser().feed(page)
    return found

"""A person signs the demo petition in Chromium, confirms by email, and is counted."""

import json
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from standwith.e2e.browser import Visitor
from standwith.e2e.site import Site, mail_text, wait_until

pytestmark = pytest.mark.e2e

SLUG = "free-salekh-and-ismail"
PETITION = f"/en/p/{SLUG}/"
Screenshot = Callable[[Page, str], Path]


def api_count(site: Site) -> int:
    with urllib.request.urlopen(f"{site.base_url}/api/v1/petitions/{SLUG}", timeout=10) as response:  # noqa: S310
        return int(json.load(response)["signature_count"])


def stored_count(site: Site) -> int:
    return int(
        site.database.value(
            "SELECT COALESCE(SUM(count), 0) FROM signing_countslot WHERE petition_id = %s", site.petition_id(SLUG)
        )
    )


def shown_count(page: Page) -> int:
    return int(re.sub(r"\D", "", page.locator("[data-count]").inner_text()))


def page_shows_count(page: Page, expected: int) -> bool:
    page.reload()
    return shown_count(page) == expected


def newest_signature(site: Site) -> dict[str, Any]:
    columns = ("id", "state", "country", "language", "consent_campaign_updates", "email_encrypted", "name_encrypted")
    rows = site.database.query(
        f"SELECT {', '.join(columns)} FROM signing_signature WHERE petition_id = %s ORDER BY id DESC LIMIT 1",  # noqa: S608
        site.petition_id(SLUG),
    )
    return dict(zip(columns, rows[0], strict=True))


def confirmation_link(site: Site, email: str) -> str:
    """The link in the one email the site sent to this address."""
    messages = wait_until(lambda: site.mails_to(email), 15, f"the confirmation email to {email}")
    assert len(messages) == 1
    found = re.search(rf"{re.escape(site.base_url)}/[a-z]{{2}}/p/{SLUG}/confirm/\S+/", mail_text(messages[0]))
    assert found, mail_text(messages[0])
    return found.group(0)


def sign_up(page: Page, name: str, email: str) -> None:
    page.get_by_label("Your name", exact=True).fill(name)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Country", exact=True).select_option("RU")
    page.get_by_label("Email me updates about this campaign", exact=True).check()
    page.get_by_role("button", name="Sign the petition").click()


def test_it_signs_confirms_and_counts_a_person_in_a_browser(site: Site, visitor: Visitor, screenshot: Screenshot):
    before = stored_count(site)
    page = visitor.open()
    page.goto(PETITION)
    wait_until(lambda: page_shows_count(page, before), 5, f"the page to show {before}")
    assert api_count(site) == before
    screenshot(page, "01-petition")

    page.get_by_role("button", name="Sign the petition").click()
    expect(page.locator(".error-summary")).to_be_visible()
    invalid = page.locator(".field.invalid")
    assert invalid.count() == 3  # name, email, country
    for field in invalid.all():
        # A screen reader reads each field's error out with the field.
        message = field.locator(".field-error").inner_text()
        assert message
        expect(field.locator("input, select")).to_have_accessible_description(message)
    screenshot(page, "02-petition-form-errors")

    email = f"anna.{uuid4().hex[:8]}@example.org"
    sign_up(page, "Анна Кузнецова", email)
    page.wait_for_url(f"**/p/{SLUG}/check-email")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    screenshot(page, "03-check-email")

    link = confirmation_link(site, email)
    assert site.mails_to(email)[0]["Subject"].startswith("Please confirm your signature")
    assert "Hello Анна Кузнецова," in mail_text(site.mails_to(email)[0])
    signature = newest_signature(site)
    assert (signature["state"], signature["country"], signature["language"]) == ("pending", "RU", "en")
    assert signature["consent_campaign_updates"]
    # A leaked database names nobody: neither the address nor the name is in the row.
    assert email.encode() not in bytes(signature["email_encrypted"])
    assert "Анна".encode() not in bytes(signature["name_encrypted"])

    response = page.goto(link)
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", name="Confirm your signature")).to_be_visible()
    screenshot(page, "04-confirm")
    # Mail scanners open links before people do: opening the link changes nothing,
    # for longer than the public count is cached.
    assert newest_signature(site)["state"] == "pending"
    assert stored_count(site) == before
    watch_until = time.monotonic() + 2.5
    while time.monotonic() < watch_until:
        assert api_count(site) == before
        time.sleep(0.25)

    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_url(re.compile(rf"/p/{SLUG}/thanks\?ref=[0-9a-z-]+$"))
    expect(page.get_by_role("heading", name="Thank you for signing")).to_be_visible()
    screenshot(page, "05-thanks")
    assert newest_signature(site)["state"] == "validated"

    wait_until(lambda: api_count(site) == before + 1, 5, f"the API to count {before + 1}")
    page.goto(PETITION)
    wait_until(lambda: page_shows_count(page, before + 1), 5, f"the page to show {before + 1}")
    screenshot(page, "06-petition-after")
    assert visitor.off_site_requests() == []


def test_it_signs_and_confirms_with_javascript_turned_off(site: Site, visitor: Visitor):
    before = stored_count(site)
    page = visitor.open(java_script_enabled=False)
    page.goto(PETITION)

    email = f"ivan.{uuid4().hex[:8]}@example.org"
    sign_up(page, "Иван Петров", email)
    page.wait_for_url(f"**/p/{SLUG}/check-email")
    page.goto(confirmation_link(site, email))
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_url(re.compile(rf"/p/{SLUG}/thanks\?ref=[0-9a-z-]+$"))

    assert newest_signature(site)["state"] == "validated"
    wait_until(lambda: api_count(site) == before + 1, 5, f"the API to count {before + 1}")
    assert visitor.off_site_requests() == []


def test_it_fits_a_phone_screen_without_sideways_scrolling(site: Site, visitor: Visitor, screenshot: Screenshot):
    page = visitor.open(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(PETITION)
    expect(page.get_by_role("button", name="Sign the petition")).to_be_visible()
    screenshot(page, "07-petition-mobile")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert visitor.off_site_requests() == []


def test_it_shows_the_petition_in_russian(site: Site, visitor: Visitor, screenshot: Screenshot):
    page = visitor.open()
    page.goto(f"/ru/p/{SLUG}/")
    screenshot(page, "08-petition-ru")

    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("nav.languages [aria-current=true]").inner_text() == "Русский"
    assert page.locator("select[name=country] option[value=RU]").inner_text() == "Россия"
    assert visitor.off_site_requests() == []

"""The demo campaign read, signed and shared in several languages in Chromium, and checked with axe-core."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect

from standwith.e2e.browser import Visitor
from standwith.e2e.site import Site, mail_text, wait_until

pytestmark = pytest.mark.e2e

SLUG = "free-salekh-and-ismail"
CASE = "salekh-magamadov-and-ismail-isayev"
Screenshot = Callable[[Page, str], Path]
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# WCAG 2.2 AA, as axe-core tags its rules.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]})
    return [
        f"{violation['id']}: {violation['help']} at {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]


def test_it_reads_the_campaign_in_the_browsers_language(site: Site, visitor: Visitor, screenshot: Screenshot):
    page = visitor.open(locale="ru-RU")
    page.goto(f"/p/{SLUG}/?source=telegram")  # a shared link names no language

    assert page.url == f"{site.base_url}/ru/p/{SLUG}/?source=telegram"
    assert page.locator("html").get_attribute("lang") == "ru"
    expect(page.get_by_role("heading", level=1)).to_have_text("Свободу Салеху и Исмаилу")
    expect(page.locator(".people")).to_contain_text("Салех Магамадов")
    expect(page.locator(".people")).to_contain_text("Под стражей с 4 февраля 2021 г.")
    expect(page.get_by_role("heading", name="Что произошло")).to_be_visible()
    expect(page.locator(".statements")).to_contain_text("Freedom House")
    expect(page.locator(".targets")).to_contain_text("Энтони Блинкен")
    assert page.locator("input[name=source]").input_value() == "telegram"
    screenshot(page, "10-campaign-ru")

    # The oldest events are folded away and open on request.
    earlier = page.locator("details.earlier")
    expect(earlier.locator(".event").first).to_be_hidden()
    earlier.locator("summary").click()
    expect(earlier.locator(".event").first).to_be_visible()
    assert visitor.off_site_requests() == []


def test_it_signs_in_russian_and_mails_in_russian(site: Site, visitor: Visitor, screenshot: Screenshot):
    page = visitor.open(locale="ru-RU")
    page.goto(f"/p/{SLUG}/?source=whatsapp")
    email = f"olga.{uuid4().hex[:8]}@example.org"
    page.get_by_label("Ваше имя", exact=True).fill("Ольга Смирнова")
    page.get_by_label("Адрес электронной почты", exact=True).fill(email)
    page.get_by_label("Страна", exact=True).select_option("DE")
    page.get_by_role("button", name="Подписать петицию").click()
    page.wait_for_url(f"**/ru/p/{SLUG}/check-email")
    expect(page.get_by_role("heading", name="Проверьте почту")).to_be_visible()

    (message,) = wait_until(lambda: site.mails_to(email), 15, f"the confirmation email to {email}")
    # The encoded subject is folded onto its own line; mail programs drop the space that leaves.
    assert message["Subject"].strip() == "Подтвердите свою подпись: Свободу Салеху и Исмаилу"
    text = mail_text(message)
    assert "Ольга Смирнова" in text
    link = re.search(rf"{re.escape(site.base_url)}/ru/p/{SLUG}/confirm/\S+/", text)
    assert link, text
    page.goto(link.group(0))
    page.get_by_role("button", name="Подтвердить подпись").click()
    page.wait_for_url(re.compile(rf"/ru/p/{SLUG}/thanks\?ref=[0-9a-z-]+$"))
    expect(page.get_by_role("heading", name="Спасибо за подпись")).to_be_visible()
    expect(page.locator(".tally progress")).to_be_visible()  # the count against the goal
    screenshot(page, "11-thanks-ru")

    row = site.database.query(
        "SELECT language, source, state FROM signing_signature WHERE petition_id = %s ORDER BY id DESC LIMIT 1",
        site.petition_id(SLUG),
    )[0]
    assert tuple(row) == ("ru", "whatsapp", "validated")
    assert visitor.off_site_requests() == []


def test_it_switches_language_from_any_page(site: Site, visitor: Visitor):
    page = visitor.open(locale="en-GB")
    page.goto(f"/p/{SLUG}/")
    assert page.url.endswith(f"/en/p/{SLUG}/")

    page.locator("nav.languages").get_by_role("link", name="Deutsch").click()

    page.wait_for_url(f"**/de/p/{SLUG}/")
    assert page.locator("html").get_attribute("lang") == "de"
    expect(page.locator("nav.languages [aria-current=true]")).to_have_text("Deutsch")
    expect(page.get_by_role("button", name=re.compile("Petition"))).to_be_visible()


def test_it_offers_sharing_as_plain_links_and_copies_the_address(site: Site, visitor: Visitor):
    page = visitor.open(locale="en-GB")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/en/p/{SLUG}/")

    hrefs = page.locator(".share a").evaluate_all("links => links.map(link => link.href)")
    starts = ["https://t.me/", "https://wa.me/", "https://x.com/", "https://www.facebook.com/", "https://vk.com/"]
    starts.append("mailto:")
    assert [next(start for start in starts if href.startswith(start)) for href in hrefs] == starts
    assert all("source%3D" in href or "source=" in href for href in hrefs)

    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{site.base_url}/p/{SLUG}/?source=link"
    assert visitor.off_site_requests() == []  # nothing was loaded from the networks


def test_it_serves_the_campaign_feeds_as_valid_atom(site: Site, visitor: Visitor):
    page = visitor.open()
    page.goto(f"/ru/p/{SLUG}/")
    feed = page.locator('link[rel=alternate][type="application/atom+xml"]').first.get_attribute("href")
    assert feed == f"/ru/c/{CASE}/feed"

    for address in [feed, "/en/feed"]:
        response = page.request.get(address)
        assert response.ok
        root = ET.fromstring(response.body())
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        assert root.findall("{http://www.w3.org/2005/Atom}entry")


@pytest.mark.parametrize("language", ["en", "ru", "ar"])
def test_it_looks_right_on_desktop_and_phone(site: Site, visitor: Visitor, screenshot: Screenshot, language: str):
    desktop = visitor.open()
    desktop.goto(f"/{language}/p/{SLUG}/")
    screenshot(desktop, f"12-campaign-{language}-desktop")
    phone = visitor.open(**PHONE)
    phone.goto(f"/{language}/p/{SLUG}/")
    screenshot(phone, f"13-campaign-{language}-phone")

    expected = "rtl" if language == "ar" else "ltr"
    assert desktop.locator("html").get_attribute("dir") == expected
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert visitor.off_site_requests() == []


def test_it_stays_usable_at_320_pixels_and_at_200_percent_zoom(site: Site, visitor: Visitor, screenshot: Screenshot):
    narrow = visitor.open(viewport={"width": 320, "height": 640})
    narrow.goto(f"/en/p/{SLUG}/")
    screenshot(narrow, "14-campaign-320px")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320

    # 200% zoom of a 1280 px window lays the page out in 640 CSS pixels.
    zoomed = visitor.open(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    zoomed.goto(f"/en/p/{SLUG}/")
    assert zoomed.evaluate("document.documentElement.scrollWidth") <= 640
    expect(zoomed.get_by_role("button", name="Sign the petition")).to_be_visible()


PAGES = [
    "/en/",
    f"/en/p/{SLUG}/",
    f"/ru/p/{SLUG}/",
    f"/ar/p/{SLUG}/",
    f"/en/c/{CASE}/",
    f"/en/p/{SLUG}/check-email",
    f"/ru/p/{SLUG}/thanks",
    "/en/search?q=Chechnya",
    "/de/search?q=zzzz",
    "/en/p/no-such-petition/",
]


@pytest.mark.parametrize("address", PAGES)
def test_it_passes_the_accessibility_checker(site: Site, visitor: Visitor, address: str):
    page = visitor.open()
    page.goto(address)

    assert violations(page) == []


def test_it_announces_form_errors_accessibly(site: Site, visitor: Visitor):
    page = visitor.open()
    page.goto(f"/es/p/{SLUG}/")
    page.locator("form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()

    assert page.locator(".error-summary").get_attribute("role") == "alert"
    assert violations(page) == []

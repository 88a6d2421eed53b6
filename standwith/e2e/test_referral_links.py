"""Personal share links in a real browser: the thanks page gives a confirmed signer their link, and friends who
open it are attributed to them, with the page's script (the code copied into the form) and without it (the
code kept in a cookie)."""

import re
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import Page

from standwith.e2e.browser import Visitor
from standwith.e2e.site import Site
from standwith.e2e.test_browser_signing import PETITION, SLUG, confirmation_link, newest_signature, sign_up

pytestmark = pytest.mark.e2e

Screenshot = Callable[[Page, str], Path]


def attribution(site: Site, signature_id: int) -> tuple[int | None, int]:
    (row,) = site.database.query(
        "SELECT referred_by_id, referral_depth FROM signing_signature WHERE id = %s", signature_id
    )
    return row[0], row[1]


def confirm_and_share(site: Site, page: Page, email: str) -> str:
    """Confirm through the emailed link; the personal link the thanks page offers."""
    page.goto(confirmation_link(site, email))
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_url(re.compile(rf"/p/{SLUG}/thanks\?ref=[0-9a-z-]+$"))
    link = page.locator("#share-address").input_value()
    assert link.startswith(f"{site.base_url}/p/{SLUG}/?source=link&ref=")
    return link


def test_a_friend_who_opens_a_signers_link_is_counted_as_brought_by_them(
    site: Site, visitor: Visitor, screenshot: Screenshot
):
    first = visitor.open()
    first.goto(PETITION)
    first_email = f"lena.{uuid4().hex[:8]}@example.org"
    sign_up(first, "Lena Ivanova", first_email)
    first.wait_for_url(f"**/p/{SLUG}/check-email")
    referrer = newest_signature(site)["id"]
    link = confirm_and_share(site, first, first_email)
    screenshot(first, "20-thanks-personal-link")

    friend = visitor.open()
    friend.goto(link)
    code = link.rpartition("ref=")[2]
    assert friend.locator("input[name=ref]").input_value() == code
    (cookie,) = [c for c in friend.context.cookies() if c["name"] == "standwith_ref"]
    assert (cookie["value"], cookie["httpOnly"], cookie["sameSite"]) == (code, True, "Lax")
    friend_email = f"marat.{uuid4().hex[:8]}@example.org"
    sign_up(friend, "Marat Aliev", friend_email)
    friend.wait_for_url(f"**/p/{SLUG}/check-email")
    brought = newest_signature(site)["id"]
    assert attribution(site, brought) == (referrer, 1)

    # The friend's own link, opened by someone whose browser runs no scripts: the cookie carries the code.
    second_link = confirm_and_share(site, friend, friend_email)
    third = visitor.open(java_script_enabled=False)
    third.goto(second_link)
    assert third.locator("input[name=ref]").input_value() == ""
    sign_up(third, "Aslan Dudaev", f"aslan.{uuid4().hex[:8]}@example.org")
    third.wait_for_url(f"**/p/{SLUG}/check-email")
    assert attribution(site, newest_signature(site)["id"]) == (brought, 2)
    assert visitor.off_site_requests() == []

"""A flood on the running site, looked at in the fraud console and struck off through its screens, in Chromium."""

import http.client
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from standwith.e2e.browser import Visitor
from standwith.e2e.site import Site, run_command_ok

pytestmark = pytest.mark.e2e

Screenshot = Callable[[Page, str], Path]
PASSWORD = "a long pass phrase for fighting fraud"  # noqa: S105 (a test account on a throwaway site)
KEY = "3132333435363738393031323334353637383930"  # the authenticator app's secret, hex
SETUP = f"""
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

user = User.objects.create_superuser("fraud@example.org", "fraud@example.org", "{PASSWORD}")
TOTPDevice.objects.create(user=user, name="phone", key="{KEY}", confirmed=True)
"""
HONEST = 40
FLOOD = 60


def post_signature(site: Site, slug: str, ip: str, name: str, email: str) -> int:
    """Sign as a browser behind the site's trusted proxy would, from `ip`; the status, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=30)
    try:
        body = urllib.parse.urlencode({"name": name, "email": email, "country": "FR"})
        headers = {
            "Origin": site.origin,
            "X-Forwarded-For": ip,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection.request("POST", f"/en/p/{slug}/sign", body, headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_staff_see_a_flood_in_the_console_and_strike_it_off(site: Site, visitor: Visitor, screenshot: Screenshot):
    run_command_ok(site.env, "shell", "-c", SETUP)
    slug = "free-salekh-and-ismail"
    for n in range(FLOOD):
        if n < HONEST:
            assert post_signature(site, slug, f"100.64.{n}.9", f"Person {n}", f"p{n}@crowd{n}.org") == 303
        assert post_signature(site, slug, f"203.0.113.{n + 1}", "Bot", f"bot{n}@flood-mail.net") == 303

    page = visitor.open()
    page.goto("/admin/")
    page.locator("#id_username").fill("fraud@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.locator("input[name=code]").fill(f"{totp(bytes.fromhex(KEY)):06d}")
    page.locator("#login-form [type=submit]").click()

    petition_id = site.petition_id(slug)
    page.goto(f"/admin/fraud/{petition_id}/")
    # The flood's network leads the last 5 minutes, with no history before them.
    flood_row = page.locator("#window-5m tbody tr").nth(1)
    expect(flood_row.locator("td").first).to_have_text(str(FLOOD))
    expect(flood_row).to_contain_text("new")
    expect(flood_row).to_be_visible()
    screenshot(page, "40-fraud-console-flood")

    flood_row.get_by_role("link", name="Invalidate…").click()
    page.get_by_label("Reason").fill("Scripted flood from one network")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text(f"{FLOOD} signatures match")).to_be_visible()
    screenshot(page, "41-fraud-invalidate-preview")
    page.get_by_role("button", name=f"Invalidate {FLOOD} signatures").click()
    expect(page.locator(".messagelist")).to_be_visible()
    screenshot(page, "42-fraud-console-after")

    signatures = "signing_signature"
    assert site.database.count(signatures, "petition_id = %s AND state = 'invalidated'", petition_id) == FLOOD
    assert site.database.count(signatures, "petition_id = %s AND state = 'pending'", petition_id) >= HONEST
    assert visitor.off_site_requests() == []

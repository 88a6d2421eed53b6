"""An admin sets up an endpoint in Chromium against the real site, and reads what was delivered to it."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from standwith.e2e.site import Server, provisioned, run_command_ok, start_server, wait_until
from standwith.outreach.webhooks.signatures import verify
from standwith.outreach.webhooks.tests.receiver import Receiver, start

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "a long pass phrase for webhooks"  # noqa: S105 (a test account on a throwaway site)
TOTP_KEY = "3132333435363738393031323334353637383930"
SETUP = f"""
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from standwith.campaigns.models import Organization
from standwith.staff.models import Membership, Role

all_out = Organization.objects.create(slug="all-out", name="All Out")
user = User.objects.create_user("ada@example.org", "ada@example.org", "{PASSWORD}", is_staff=True)
Membership.objects.create(user=user, organization=all_out, role=Role.ADMIN)
TOTPDevice.objects.create(user=user, name="Authenticator app", key="{TOTP_KEY}", confirmed=True)
"""
MAILING_FINISHED = """
from standwith.outreach.webhooks import services
services.emit(services.Endpoint.objects.get().organization_id, "mailing.finished", {"mailing": {"id": 4, "sent": 1200}})
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    """The running site, and the environment its commands run in."""
    with provisioned(tmp_path) as (env, _database):
        env["STANDWITH_WEBHOOK_ALLOW_PRIVATE"] = "1"  # the receiver is on loopback
        run_command_ok(env, "shell", "-c", SETUP)
        started = start_server(env, tmp_path / "serve.log", workers=1, task_workers=1)
        yield started, env
        started.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    listening = start(found)
    yield found
    listening.shutdown()
    listening.server_close()


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_it_lets_an_admin_add_an_endpoint_copy_its_secret_and_read_its_deliveries(
    server: tuple[Server, dict[str, str]], receiver: Receiver, browser: Browser
) -> None:
    site, env = server
    # Pages work without JavaScript; staff screens too.
    context = browser.new_context(base_url=site.base_url, java_script_enabled=False)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/admin/")
    page.locator("#id_username").fill("ada@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.locator("input[name=code]").fill(f"{totp(bytes.fromhex(TOTP_KEY)):06d}")
    page.locator("#login-form [type=submit]").click()

    page.goto("/admin/webhooks/endpoint/add/")
    page.get_by_label("Organization").select_option(label="All Out")
    page.locator("#id_url").fill("ftp://example.org/hooks")
    page.check("input[value='mailing.finished']")
    page.locator("input[name=_save]").click()
    expect(page.locator(".errorlist")).to_have_text("The address must start with https://.")
    shoot(page, "60-webhooks-address-refused")

    page.locator("#id_url").fill(receiver.url)
    page.locator("input[name=_save]").click()
    secret = page.locator("input.webhook-secret").input_value()
    shoot(page, "61-webhooks-secret-shown-once")
    page.get_by_role("link", name="I have copied it: continue").click()
    assert secret not in page.content()
    shoot(page, "62-webhooks-endpoint")

    run_command_ok(env, "shell", "-c", MAILING_FINISHED)
    (request,) = wait_until(lambda: receiver.requests or None, 20, "the delivery to arrive")
    assert verify(secret, request.headers["Standwith-Signature"], request.body)
    assert json.loads(request.body)["data"] == {"mailing": {"id": 4, "sent": 1200}}

    page.goto("/admin/webhooks/endpoint/")
    shoot(page, "63-webhooks-endpoints")
    page.get_by_role("link", name="See deliveries").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Delivered")
    shoot(page, "64-webhooks-deliveries")
    rows.first.locator("th a").click()
    expect(page.locator("body")).to_contain_text('"sent": 1200')
    shoot(page, "65-webhooks-delivery")
    context.close()

    assert all(url.startswith(site.base_url) for url in requested)

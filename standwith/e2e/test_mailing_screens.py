"""A campaigner mails an update to a petition's signers through the staff screens of the running site, in Chromium."""

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from standwith.e2e.browser import Visitor
from standwith.e2e.conftest import SCREENSHOTS, stop_cleanly
from standwith.e2e.site import Site, provisioned, run_command_ok, start_server, wait_until

pytestmark = pytest.mark.e2e

Screenshot = Callable[[Page, str], Path]
PASSWORD = "a long pass phrase for mailing supporters"  # noqa: S105 (a test account on a throwaway site)
KEY = "3132333435363738393031323334353637383931"  # the authenticator app's secret, hex
ENGLISH, RUSSIAN = 24, 8
SLUG = "mailing-screens-petition"
SETUP = f"""
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from standwith.campaigns.models import Case, Organization, Petition
from standwith.signing import services
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature
from standwith.staff.models import Membership, Role

all_out = Organization.objects.get(slug="all-out")
case = Case.objects.get(slug="salekh-magamadov-and-ismail-isayev")
user = User.objects.create_user("mailer@example.org", "mailer@example.org", "{PASSWORD}", is_staff=True)
Membership.objects.create(user=user, organization=all_out, role=Role.CAMPAIGNER)
TOTPDevice.objects.create(user=user, name="phone", key="{KEY}", confirmed=True)
petition = Petition.objects.create(
    organization=all_out, case=case, slug="{SLUG}", title="Mailing screens",
    summary="S", body="B", state="open",
)
for number in range({ENGLISH + RUSSIAN}):
    language = "en" if number < {ENGLISH} else "ru"
    signer = services.Signer(
        name=f"Supporter {{number}}", email=parse_address(f"supporter{{number}}@mailing.example"), country="FR",
        consent_campaign_updates=True, language=language,
    )
    services.sign(petition, signer)
    services.confirm(petition, Signature.objects.filter(petition=petition).latest("pk").pk)
"""


@pytest.fixture(scope="module")
def mailing_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A site of its own whose workers send in batches of four, so that progress moves while staff watch."""
    data_dir = tmp_path_factory.mktemp("mailing-site")
    with ExitStack() as cleanup:
        env, database = cleanup.enter_context(provisioned(data_dir))
        env.update(STANDWITH_MAILING_BATCH_SIZE="4", STANDWITH_MAILING_LANES="1")
        run_command_ok(env, "demo")
        server = start_server(env, data_dir / "serve.log", workers=1, task_workers=1)
        cleanup.callback(stop_cleanly, server)
        yield Site(server=server, env=env, data_dir=data_dir, database=database, demo_row_counts=[])


@pytest.fixture
def visitor(browser: Browser, mailing_site: Site) -> Iterator[Visitor]:
    visitor = Visitor(browser, mailing_site)
    yield visitor
    visitor.close()


def sign_in(page: Page) -> None:
    page.goto("/admin/")
    page.locator("#id_username").fill("mailer@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.locator("input[name=code]").fill(f"{totp(bytes.fromhex(KEY)):06d}")
    page.locator("#login-form [type=submit]").click()


def update_mails(site: Site) -> list[tuple[str, str]]:
    return sorted(
        (str(message["To"]), str(message["Subject"]).strip())
        for message in site.mails()
        if str(message["To"]).endswith("@mailing.example") and "List-Unsubscribe" in message
    )


def test_a_campaigner_composes_previews_starts_pauses_and_finishes_a_mailing(
    mailing_site: Site, visitor: Visitor, screenshot: Screenshot
):
    site = mailing_site
    run_command_ok(site.env, "shell", "-c", SETUP)
    # Taller than the page: a full-page capture that had to resize the window would miss the preview frames.
    page = visitor.open(viewport={"width": 1280, "height": 3000})
    sign_in(page)

    page.goto("/admin/outreach/mailing/add/")
    page.locator("#id_update").select_option(
        label="Freedom House joins the call (Salekh Magamadov and Ismail Isayev; en, ru)"
    )
    page.get_by_label("Mailing screens (All Out, Open)").check()
    # Slow enough to watch, and to pause, on a few dozen messages.
    page.get_by_label("Messages per second").fill("3")
    page.get_by_label("Only signers in these countries").fill("FR, XX")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".errorlist")).to_contain_text("Unknown country codes: XX")
    page.get_by_label("Only signers in these countries").fill("FR")
    page.get_by_label("Sender's name").fill("All Out campaigns")
    screenshot(page, "50-mailing-compose")
    page.get_by_role("button", name="Save the draft").click()

    expect(page.locator(".messagelist")).to_contain_text("Draft saved.")
    expect(page.locator("#preview-ru")).to_contain_text("К призыву присоединилась Freedom House")
    frame = page.frame_locator("#preview-en iframe")
    expect(frame.locator("h1")).to_have_text("Freedom House joins the call")
    screenshot(page, "51-mailing-draft")
    # Chromium's page captures leave sandboxed frames blank; the frame alone shows what staff see in it.
    page.locator("#preview-ru iframe").screenshot(path=str(SCREENSHOTS / "51-mailing-preview-ru.png"))

    page.get_by_role("link", name="Start sending…").click()
    expect(page.get_by_role("button", name="Yes, start sending")).to_be_visible()
    screenshot(page, "51-mailing-start-confirm")
    page.get_by_role("button", name="Yes, start sending").click()
    state = page.locator('[data-field="state"]')
    expect(state).to_have_text("Sending", timeout=30_000)
    # The script fills in the counts as they grow, without reloading the page.
    expect(page.locator('[data-field="sent"]')).not_to_have_text("0", timeout=20_000)
    screenshot(page, "52-mailing-sending")

    page.get_by_role("button", name="Pause").click()
    expect(state).to_have_text("Paused")
    paused_at = int(page.locator('[data-field="sent"]').inner_text())
    assert paused_at < ENGLISH + RUSSIAN
    screenshot(page, "53-mailing-paused")

    page.get_by_role("button", name="Resume").click()
    expect(state).to_have_text("Sent", timeout=60_000)
    expect(page.locator('[data-field="remaining"]')).to_have_text("0")
    screenshot(page, "54-mailing-finished")

    page.goto("/admin/outreach/mailing/")
    expect(page.locator("#result_list")).to_contain_text(f"{ENGLISH + RUSSIAN} / {ENGLISH + RUSSIAN}")
    screenshot(page, "55-mailing-list")

    everyone = ENGLISH + RUSSIAN
    mails = wait_until(lambda: update_mails(site) if len(update_mails(site)) >= everyone else None, 20, "the mail")
    assert len(mails) == everyone == len({to for to, _subject in mails})
    subjects = dict(mails)
    assert subjects["supporter0@mailing.example"] == "Freedom House joins the call"
    assert subjects[f"supporter{ENGLISH}@mailing.example"] == "К призыву присоединилась Freedom House"
    assert any(re.search(r"/admin/outreach/mailing/\d+/progress/$", url) for url in visitor.requested)
    assert visitor.off_site_requests() == []

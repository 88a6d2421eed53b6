"""The proof-of-work challenge in Chromium: solved in the background as a person signs, explained without JavaScript."""

import re
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page, Route, expect

from standwith.e2e.browser import Visitor
from standwith.e2e.conftest import SCREENSHOTS
from standwith.e2e.site import Site, run_command_ok

pytestmark = pytest.mark.e2e

Screenshot = Callable[[Page, str], Path]
SHIELDED = "shielded-for-the-challenge"
UNSHIELDED = "unshielded-for-the-challenge"
SETUP = f"""
from standwith.campaigns.models import Organization, Petition

all_out = Organization.objects.get(slug="all-out")
for slug, mode in [("{SHIELDED}", "always"), ("{UNSHIELDED}", "off")]:
    Petition.objects.get_or_create(
        slug=slug,
        defaults=dict(organization=all_out, title="Release the detained activists", summary="S", body="B",
                      state="open", shield_mode=mode),
    )
"""
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WAITING = "One moment: your browser is making a quick check before sending your signature…"


@pytest.fixture(scope="module")
def petitions(site: Site) -> None:
    run_command_ok(site.env, "shell", "-c", SETUP)


def violations(page: Page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]})
    return [
        f"{violation['id']}: {violation['help']} at {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]


def sign_box(page: Page, name: str) -> None:
    """Save the sign box alone, to look at beside the whole pages."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#sign").screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def fill_in(page: Page, email: str) -> None:
    page.locator("input[name=name]").fill("Lena Petrova")
    page.locator("input[name=email]").fill(email)
    page.locator("select[name=country]").select_option("DE")


def challenges_asked(visitor: Visitor) -> int:
    return sum(1 for url in visitor.requested if url.endswith("/api/v1/challenge"))


def hold_challenges(page: Page) -> list[Route]:
    """Keep the challenge from arriving until the test lets it, as on a slow connection or a slow phone."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/api/v1/challenge", hold)
    return held


def test_it_solves_the_challenge_in_the_background_and_waits_for_it_to_sign(
    site: Site, petitions: None, visitor: Visitor, screenshot: Screenshot
):
    before = site.signatures(SHIELDED)
    page = visitor.open()
    # A worker or a fetch refused by the Content-Security-Policy would show here.
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    held = hold_challenges(page)
    page.goto(f"/en/p/{SHIELDED}/")
    page.wait_for_load_state("load")
    assert challenges_asked(visitor) == 0  # a reader who does not sign solves nothing
    assert violations(page) == []

    fill_in(page, f"lena.{uuid4().hex[:8]}@example.org")
    assert challenges_asked(visitor) == 1  # asked for once the person starts on the form
    page.get_by_role("button", name="Sign the petition").click()
    status = page.get_by_role("status").filter(has_text=WAITING)
    expect(status).to_be_visible()
    assert site.signatures(SHIELDED) == before  # nothing sent yet: the form waits for its answer
    sign_box(page, "challenge-waiting")
    screenshot(page, "60-challenge-waiting")
    assert violations(page) == []

    with page.expect_request(lambda request: request.method == "POST" and request.url.endswith("/sign")) as posted:
        held.pop().continue_()
    page.wait_for_url(f"**/en/p/{SHIELDED}/check-email")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert "altcha=ey" in (posted.value.post_data or "")  # base64 of the JSON answer
    assert site.signatures(SHIELDED) == before + 1
    assert any(url.endswith("/static/standwith/altcha/pbkdf2.js") for url in visitor.requested)
    assert visitor.off_site_requests() == []
    assert errors == []


def test_it_signs_with_the_answer_found_while_the_person_typed(site: Site, petitions: None, visitor: Visitor):
    before = site.signatures(SHIELDED)
    page = visitor.open()
    page.goto(f"/en/p/{SHIELDED}/")
    fill_in(page, f"jonas.{uuid4().hex[:8]}@example.org")
    expect(page.locator("input[name=altcha]")).to_have_value(re.compile(r"^ey"))  # solved while they typed
    sign_box(page, "challenge-ready")

    page.get_by_role("button", name="Sign the petition").click()

    page.wait_for_url(f"**/en/p/{SHIELDED}/check-email")
    assert site.signatures(SHIELDED) == before + 1
    assert visitor.off_site_requests() == []


def test_it_says_so_from_right_to_left_in_arabic(site: Site, petitions: None, visitor: Visitor, screenshot: Screenshot):
    page = visitor.open(locale="ar")
    held = hold_challenges(page)
    page.goto(f"/ar/p/{SHIELDED}/")
    fill_in(page, f"amal.{uuid4().hex[:8]}@example.org")
    page.locator("form button[type=submit]").click()

    status = page.locator("[data-challenge-status]")
    expect(status).not_to_be_empty()
    assert status.evaluate("element => getComputedStyle(element).direction") == "rtl"
    sign_box(page, "challenge-waiting-ar")
    screenshot(page, "61-challenge-waiting-ar")
    assert violations(page) == []
    held.pop().continue_()
    page.wait_for_url(f"**/ar/p/{SHIELDED}/check-email")
    assert visitor.off_site_requests() == []


def test_it_explains_what_to_do_without_javascript_while_the_shields_are_up_and_stores_nothing(
    site: Site, petitions: None, visitor: Visitor, screenshot: Screenshot
):
    before = site.signatures(SHIELDED)
    page = visitor.open(java_script_enabled=False)
    page.goto(f"/en/p/{SHIELDED}/")
    fill_in(page, f"no.script.{uuid4().hex[:8]}@example.org")

    with page.expect_response(lambda response: response.url.endswith("/sign")) as answered:
        page.get_by_role("button", name="Sign the petition").click()

    assert answered.value.status == 403
    expect(page.get_by_role("heading", name="Signing needs a quick check just now")).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("Please allow JavaScript for this site and sign again")
    expect(page.locator(".notice")).to_contain_text("Nothing you sent was recorded")
    expect(page.get_by_role("link", name="Back to “Release the detained activists”")).to_be_visible()
    screenshot(page, "62-challenge-without-javascript")
    assert site.signatures(SHIELDED) == before
    assert challenges_asked(visitor) == 0
    assert visitor.off_site_requests() == []


def test_it_gives_the_same_accessible_explanation_when_the_script_is_blocked(
    site: Site, petitions: None, visitor: Visitor
):
    # As with an extension that blocks scripts; axe itself needs JavaScript, so this is where it checks the page.
    before = site.signatures(SHIELDED)
    page = visitor.open()
    page.route("**/static/standwith/challenge.js", lambda route: route.abort())
    page.goto(f"/en/p/{SHIELDED}/")
    fill_in(page, f"blocked.{uuid4().hex[:8]}@example.org")

    with page.expect_response(lambda response: response.url.endswith("/sign")) as answered:
        page.get_by_role("button", name="Sign the petition").click()

    assert answered.value.status == 403
    expect(page.get_by_role("heading", name="Signing needs a quick check just now")).to_be_visible()
    assert violations(page) == []
    assert site.signatures(SHIELDED) == before


def test_it_signs_without_javascript_while_the_shields_are_down(site: Site, petitions: None, visitor: Visitor):
    before = site.signatures(UNSHIELDED)
    page = visitor.open(java_script_enabled=False)
    page.goto(f"/en/p/{UNSHIELDED}/")
    fill_in(page, f"no.script.{uuid4().hex[:8]}@example.org")

    page.get_by_role("button", name="Sign the petition").click()

    page.wait_for_url(f"**/en/p/{UNSHIELDED}/check-email")
    assert site.signatures(UNSHIELDED) == before + 1
    assert visitor.off_site_requests() == []

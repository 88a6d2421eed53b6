"""A moderator signs in with a second factor for the first time and works the review queue, in Chromium."""

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from standwith.e2e.browser import Visitor
from standwith.e2e.site import Site, run_command_ok

pytestmark = pytest.mark.e2e

Screenshot = Callable[[Page, str], Path]
PASSWORD = "a long pass phrase for moderating"  # noqa: S105 (a test account on a throwaway site)
SETUP = f"""
from django.contrib.auth.models import User
from standwith.campaigns.models import Organization, Petition
from standwith.staff.models import Membership, Role

all_out = Organization.objects.get(slug="all-out")
user = User.objects.create_user("moderator@example.org", "moderator@example.org", "{PASSWORD}", is_staff=True)
Membership.objects.create(user=user, organization=all_out, role=Role.MODERATOR)
for slug, title in [("free-them-too", "Free them too"), ("a-doubtful-proposal", "A doubtful proposal")]:
    Petition.objects.create(organization=all_out, slug=slug, title=title, summary="S", body="B", state="pending")
"""


def code_for(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key):06d}"


def petition_state(site: Site, slug: str) -> str:
    return str(site.database.value("SELECT state FROM campaigns_petition WHERE slug = %s", slug))


def test_it_walks_a_moderator_from_first_sign_in_through_the_review_queue(
    site: Site, visitor: Visitor, screenshot: Screenshot
):
    run_command_ok(site.env, "shell", "-c", SETUP)
    page = visitor.open()

    page.goto("/admin/")
    page.locator("#id_username").fill("moderator@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    screenshot(page, "20-staff-enrol")

    secret = page.locator("code.secret-key").inner_text()
    page.locator("input[name=code]").fill(code_for(secret))
    page.locator("#login-form [type=submit]").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4} [a-z2-7]{4}", code) for code in codes)  # shown in two halves to copy
    screenshot(page, "21-staff-recovery-codes")
    page.get_by_role("link", name="I have kept them: continue").click()

    page.goto("/admin/campaigns/petition/?state__exact=pending")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    assert "Free them too" in rows.first.inner_text()  # the oldest waits least
    screenshot(page, "22-staff-review-queue")

    rows.filter(has_text="Free them too").locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "move_to_open")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("1 petition moved.")
    assert petition_state(site, "free-them-too") == "open"

    page.goto("/admin/campaigns/petition/?state__exact=pending")
    page.locator("#result_list tbody tr").filter(has_text="A doubtful proposal").locator(
        "input[name=_selected_action]"
    ).check()
    page.select_option("select[name=action]", "move_to_rejected_with_reason")
    page.locator("button[name=index]").click()
    page.get_by_label("Reason").select_option(label="Not actionable")
    page.get_by_label("In your own words").fill("Please name who can act on this.")
    screenshot(page, "23-staff-reject-with-reason")
    page.locator("input[name=apply]").click()
    expect(page.locator(".messagelist")).to_contain_text("1 petition moved.")
    assert petition_state(site, "a-doubtful-proposal") == "rejected"

    response = page.goto("/en/p/free-them-too/")
    assert response is not None
    assert response.status == 200
    actions = [
        row[0]
        for row in site.database.query(
            "SELECT action FROM staff_auditrecord WHERE actor_name = %s ORDER BY id", "moderator@example.org"
        )
    ]
    assert actions == ["staff.otp_enrolled", "staff.signed_in", "petition.publish", "petition.reject"]
    assert visitor.off_site_requests() == []

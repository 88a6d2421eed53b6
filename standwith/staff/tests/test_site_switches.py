import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.conftest import otp_login
from standwith.signing.models import Signature
from standwith.staff import services, switches
from standwith.staff.models import AuditRecord, Membership, Role, SiteSwitches

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(organization):
    user = User.objects.create_user("admin", "admin@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
    return user


@pytest.mark.parametrize("role", [Role.CAMPAIGNER, Role.MODERATOR, Role.DATA_OFFICER])
def test_it_lets_only_admins_flip_a_switch(organization, role):
    user = User.objects.create_user("someone", "someone@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)

    for flip in [
        lambda: services.pause_signing(user),
        lambda: services.set_read_only(user, True),
        lambda: services.set_banner(user, "Hello"),
    ]:
        with pytest.raises(services.NotAllowed):
            flip()

    site = SiteSwitches.objects.get()
    assert (site.signing_paused_since, site.read_only, site.banner) == (None, False, "")
    assert not AuditRecord.objects.exists()


def test_it_refuses_signatures_and_confirmations_while_signing_is_paused(client, petition, admin_user, sign):
    services.pause_signing(admin_user, client_ip="198.51.100.7")

    response = sign(petition)

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "Signing is paused" in response.content.decode()
    assert not Signature.objects.exists()
    entry = AuditRecord.objects.get()
    assert (entry.action, entry.network) == ("site.signing_paused", "198.51.100.0/24")


def test_it_moves_deadlines_on_by_the_time_signing_was_paused(petition, admin_user):
    deadline = timezone.now() + datetime.timedelta(days=3)
    Petition.objects.filter(pk=petition.pk).update(deadline=deadline)
    services.pause_signing(admin_user)
    SiteSwitches.objects.filter(pk=1).update(signing_paused_since=timezone.now() - datetime.timedelta(hours=2))

    services.resume_signing(admin_user)

    moved = Petition.objects.get(pk=petition.pk).deadline - deadline
    assert datetime.timedelta(hours=2) <= moved < datetime.timedelta(hours=2, minutes=1)
    assert switches.current().signing_paused_since is None
    assert [entry.action for entry in AuditRecord.objects.order_by("pk")] == [
        "site.signing_paused",
        "site.signing_resumed",
    ]


def test_it_pauses_once_however_often_it_is_asked(admin_user):
    first = services.pause_signing(admin_user).signing_paused_since
    second = services.pause_signing(admin_user).signing_paused_since

    assert first == second
    assert AuditRecord.objects.count() == 1


def test_it_refuses_every_change_in_read_only_mode_but_keeps_pages_readable(client, petition, admin_user, sign):
    services.set_read_only(admin_user, True)

    refused = sign(petition)
    page = client.get(f"/ru/p/{petition.slug}/")

    assert refused.status_code == 503
    assert "read-only" in refused.content.decode()
    assert not Signature.objects.exists()
    assert page.status_code == 200
    api = client.post(f"/api/v1/petitions/{petition.slug}", "{}", content_type="application/json")
    assert api.status_code == 503
    assert api.json()["error"] == "unavailable"
    assert api.json()["title"] == "The site is read-only for a short while"


def test_it_lets_an_admin_turn_read_only_mode_off_in_the_admin(client, petition, admin_user):
    services.set_read_only(admin_user, True)
    otp_login(client, admin_user)

    response = client.post(
        "/admin/staff/siteswitches/1/change/",
        {"read_only": "", "proposals_open": "on", "banner": "Back to normal soon"},
        follow=True,
    )

    assert response.status_code == 200
    site = SiteSwitches.objects.get()
    assert (site.read_only, site.banner) == (False, "Back to normal soon")
    assert [entry.action for entry in AuditRecord.objects.order_by("pk")] == [
        "site.read_only_on",
        "site.read_only_off",
        "site.banner_set",
    ]


def test_it_lets_an_admin_stop_public_proposals_in_the_admin(client, petition, admin_user):
    otp_login(client, admin_user)

    response = client.post("/admin/staff/siteswitches/1/change/", {"proposals_open": "", "banner": ""}, follow=True)

    assert response.status_code == 200
    assert SiteSwitches.objects.get().proposals_open is False
    (entry,) = AuditRecord.objects.all()
    assert entry.action == "site.proposals_stopped"
    assert entry.details == {"before": {"proposals_open": True}, "after": {"proposals_open": False}}
    assert "Proposals are closed for now" in client.get("/en/propose/").content.decode()


def test_it_shows_the_banner_on_every_page_escaped(client, petition, admin_user):
    services.set_banner(admin_user, "  Maintenance <b>tonight</b>\n at 22:00  ")

    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    banner = '<div class="site-banner" role="status"><div class="wrap"><p dir="auto">'
    assert f"{banner}Maintenance &lt;b&gt;tonight&lt;/b&gt; at 22:00</p>" in page


def test_it_says_on_the_petition_page_that_signing_is_paused(client, petition, admin_user):
    services.pause_signing(admin_user)

    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    assert "Signing is paused for a short while" in page
    assert 'name="email"' not in page


def test_it_refuses_a_confirmation_while_signing_is_paused(client, petition, admin_user, sign, run_tasks, mailoutbox):
    sign(petition)
    run_tasks()
    link = mailoutbox[-1].body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    services.pause_signing(admin_user)

    response = client.post(link)

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert Signature.objects.get().state == Signature.State.PENDING


def test_it_keeps_the_first_pause_when_a_second_admin_pauses_from_a_stale_cache(admin_user, monkeypatch):
    first = services.pause_signing(admin_user).signing_paused_since
    stale = SiteSwitches(pk=1)  # what another process may still hold for a few seconds
    monkeypatch.setattr(switches, "current", lambda: stale)

    services.pause_signing(admin_user)

    assert SiteSwitches.objects.get().signing_paused_since == first
    assert AuditRecord.objects.count() == 1

"""Embeds in the admin: kept by the petition's own staff, checked, audited, with snippets to copy."""

import pytest
from django.contrib.auth.models import User

from standwith.campaigns.models import Organization, Petition
from standwith.conftest import otp_login
from standwith.outreach.embeds.models import Embed
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

ADD = "/admin/embeds/embed/add/"


def staff(organization: Organization, role: Role, name: str = "campaigner") -> User:
    user = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def campaigner(client, organization):
    user = staff(organization, Role.CAMPAIGNER)
    otp_login(client, user)
    return user


def form(petition: Petition, partner: Organization, **overrides: object) -> dict[str, object]:
    return {
        "petition": petition.pk,
        "partner": partner.pk,
        "origins": "https://partner.example/\nhttps://www.partner.example",
        "source": "fh-web",
        "active": "on",
        **overrides,
    }


def test_it_lets_a_campaigner_of_the_petitions_organisation_add_an_embed_and_audits_it(
    client, campaigner, petition, partner
):
    response = client.post(ADD, form(petition, partner))

    assert response.status_code == 302
    embed = Embed.objects.get()
    assert embed.origins == "https://partner.example\nhttps://www.partner.example"
    assert len(embed.key) >= 24
    record = AuditRecord.objects.get()
    assert (record.action, record.actor_name, record.object_id) == ("embed.add", "campaigner", str(embed.pk))


def test_it_refuses_a_bad_origin_with_a_clear_message_and_saves_nothing(client, campaigner, petition, partner):
    response = client.post(ADD, form(petition, partner, origins="https://partner.example/petitions/free-them"))

    assert response.status_code == 200
    assert (
        "“https://partner.example/petitions/free-them” cannot frame the petition: give the site only "
        "(such as https://www.example.org), without a path."
    ) in response.content.decode()
    assert not Embed.objects.exists()
    assert not AuditRecord.objects.exists()


def test_it_refuses_a_source_code_the_sign_form_would_drop(client, campaigner, petition, partner):
    response = client.post(ADD, form(petition, partner, source="fh web!"))

    assert response.status_code == 200
    assert "Use letters, digits, dots, dashes and underscores only" in response.content.decode()
    assert not Embed.objects.exists()


def test_it_refuses_an_organisation_that_does_not_run_the_petition(client, campaigner, petition):
    stranger = Organization.objects.create(slug="stranger", name="Stranger")

    response = client.post(ADD, form(petition, stranger))

    assert response.status_code == 200
    assert "This organisation does not run this petition" in response.content.decode()
    assert not Embed.objects.exists()


def test_it_shows_both_snippets_for_the_partner_to_copy(client, campaigner, embed, settings):
    response = client.get(f"/admin/embeds/embed/{embed.pk}/change/")

    page = response.content.decode()
    assert f'&lt;script src="{settings.SITE_URL}/static/standwith/embed.js" data-petition-embed="{embed.key}"' in page
    assert f'&lt;iframe src="{settings.SITE_URL}/en/embed/{embed.key}/" title="Sign the petition"' in page


def test_it_stops_the_frame_at_once_when_staff_make_the_embed_inactive(client, campaigner, embed, petition, partner):
    assert client.get(f"/en/embed/{embed.key}/").status_code == 200

    client.post(f"/admin/embeds/embed/{embed.pk}/change/", form(petition, partner, origins=embed.origins, active=""))

    assert client.get(f"/en/embed/{embed.key}/").status_code == 404
    assert AuditRecord.objects.get().details["fields"] == ["active"]


def test_it_keeps_other_organisations_staff_away_from_the_embed(client, embed):
    otp_login(client, staff(Organization.objects.create(slug="other", name="Other"), Role.CAMPAIGNER, "outsider"))

    assert client.get("/admin/embeds/embed/").content.decode().count(embed.source) == 0
    changed = client.post(f"/admin/embeds/embed/{embed.pk}/change/", {"origins": "https://evil.example"})

    assert changed.status_code in {302, 403}
    embed.refresh_from_db()
    assert embed.origins.startswith("https://partner.example")
    assert not AuditRecord.objects.exists()

import hashlib
import re

import pytest
from django.contrib.auth.models import User

from standwith.api.models import ApiToken
from standwith.api.services import create_token
from standwith.campaigns.models import Organization
from standwith.conftest import otp_login
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

LIST = "/admin/api/apitoken/"
ADD = f"{LIST}add/"
SECRET = re.compile(r'<code class="api-token-secret"[^>]*>(sw_[\w-]+)</code>')


def staff(organization, name, role):
    user = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def other():
    return Organization.objects.create(slug="other", name="Other")


@pytest.fixture
def ada(client, organization):
    user = staff(organization, "ada", Role.ADMIN)
    otp_login(client, user)
    return user


def made(organization, name="CRM sync", scopes=("statistics:read",)):
    return create_token(None, organization, name, list(scopes), client_ip=None)[0]


def statistics(client, petition, secret):
    return client.get(
        f"/api/v1/organization/petitions/{petition.slug}/statistics", headers={"Authorization": f"Bearer {secret}"}
    )


def test_it_shows_the_new_token_once_and_keeps_only_its_digest(client, ada, petition):
    response = client.post(
        ADD, {"name": "CRM sync", "organization": petition.organization.pk, "scopes": ["statistics:read"]}
    )

    page = response.content.decode()
    secret = SECRET.search(page).group(1)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "will not be shown again" in page
    assert f'curl -H "Authorization: Bearer {secret}" http://' in page
    assert f"/api/v1/organization/petitions/{petition.slug}/statistics" in page
    token = ApiToken.objects.get()
    assert (token.name, token.scopes, token.created_by) == ("CRM sync", ["statistics:read"], ada)
    assert bytes(token.digest) == hashlib.sha256(secret.encode()).digest()
    assert token.hint == secret[:8]
    for later in (LIST, f"{LIST}{token.pk}/change/", f"{LIST}{token.pk}/revoke/"):
        assert secret not in client.get(later).content.decode()
    assert statistics(client, petition, secret).status_code == 200
    record = AuditRecord.objects.get(action="api_token.create")
    assert (record.actor_name, record.details) == ("ada", {"scopes": ["statistics:read"]})


def test_it_refuses_a_token_without_a_scope(client, ada, organization):
    response = client.post(ADD, {"name": "CRM sync", "organization": organization.pk})

    assert response.status_code == 200
    assert "Choose at least one scope." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_refuses_an_unknown_scope(client, ada, organization):
    response = client.post(ADD, {"name": "CRM", "organization": organization.pk, "scopes": ["statistics:read", "all"]})

    assert response.status_code == 200
    assert "Select a valid choice. all is not one of the available choices." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_marks_the_personal_data_scope_on_the_form(client, ada):
    page = client.get(ADD).content.decode()

    assert re.search(r'value="people:read".*?Personal data · audited', page, re.S)
    assert "every such read is written to the audit log" in page


def test_it_offers_and_accepts_only_organisations_the_person_administers(client, ada, organization, other):
    page = client.get(ADD).content.decode()
    refused = client.post(ADD, {"name": "Theirs", "organization": other.pk, "scopes": ["statistics:read"]})

    assert f'<option value="{organization.pk}" selected>' in page
    assert f'<option value="{other.pk}"' not in page
    assert "Select a valid choice." in refused.content.decode()
    assert not ApiToken.objects.exists()


def test_it_shows_an_admin_only_their_organisations_tokens(client, ada, organization, other):
    mine, theirs = made(organization, "Ours"), made(other, "Theirs")

    listed = client.get(LIST).content.decode()

    assert "Ours" in listed
    assert "Theirs" not in listed
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code in {302, 404}
    assert client.post(f"{LIST}{theirs.pk}/revoke/").status_code == 404
    client.post(LIST, {"action": "revoke_selected", "_selected_action": [theirs.pk], "confirmed": "yes"})
    theirs.refresh_from_db()
    assert theirs.active
    assert mine.active
    assert not AuditRecord.objects.filter(action="api_token.revoke").exists()


def test_it_lets_a_superuser_see_every_organisations_tokens(client, organization, other):
    otp_login(client, User.objects.create_superuser("root", "root@example.org", None))
    made(organization, "Ours"), made(other, "Theirs")

    listed = client.get(LIST).content.decode()

    assert "Ours" in listed
    assert "Theirs" in listed


@pytest.mark.parametrize("role", [Role.CAMPAIGNER, Role.MODERATOR, Role.DATA_OFFICER])
def test_it_keeps_other_roles_out(client, organization, role):
    token = made(organization)
    otp_login(client, staff(organization, "cam", role))

    assert client.get(LIST).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.get(f"{LIST}{token.pk}/change/").status_code in {302, 403}
    assert client.post(f"{LIST}{token.pk}/revoke/").status_code == 404
    assert (
        client.post(ADD, {"name": "x", "organization": organization.pk, "scopes": ["people:read"]}).status_code == 403
    )
    assert "API tokens" not in client.get("/admin/").content.decode()
    token.refresh_from_db()
    assert token.active
    assert ApiToken.objects.count() == 1


def test_it_shows_a_token_read_only_with_no_delete(client, ada, organization):
    token = made(organization, scopes=["people:read", "statistics:read"])

    page = client.get(f"{LIST}{token.pk}/change/").content.decode()
    posted = client.post(f"{LIST}{token.pk}/change/", {"name": "Renamed"})
    deleted = client.post(f"{LIST}{token.pk}/delete/", {"post": "yes"})

    assert 'name="name"' not in page
    assert "<div>Personal data (audited)</div><div>Statistics</div>" in page
    assert f"{token.hint}…" in page
    assert posted.status_code == 403
    assert deleted.status_code == 403
    token.refresh_from_db()
    assert token.name == "CRM sync"


def test_it_revokes_a_token_after_asking_and_the_api_refuses_it_at_once(client, ada, petition):
    token, secret = create_token(ada, petition.organization, "CRM", ["statistics:read"], client_ip=None)
    assert statistics(client, petition, secret).status_code == 200

    asked = client.get(f"{LIST}{token.pk}/revoke/")
    token.refresh_from_db()
    assert asked.status_code == 200
    assert "Revoking cannot be undone." in asked.content.decode()
    assert token.active

    done = client.post(f"{LIST}{token.pk}/revoke/")

    token.refresh_from_db()
    assert done.status_code == 302
    assert (token.active, token.revoked_by) == (False, ada)
    refused = statistics(client, petition, secret)
    assert refused.status_code == 401
    assert refused.json()["error"]
    record = AuditRecord.objects.get(action="api_token.revoke")
    assert (record.actor_name, record.object_id) == ("ada", str(token.pk))
    page = client.get(f"{LIST}{token.pk}/change/").content.decode()
    assert "This token is revoked" in page
    assert "/revoke/" not in page


def test_it_revokes_selected_tokens_from_the_list_after_asking(client, ada, organization):
    first, second = made(organization, "One"), made(organization, "Two")
    chosen = {"action": "revoke_selected", "_selected_action": [first.pk, second.pk]}

    asked = client.post(LIST, chosen)
    assert "Yes, revoke them" in asked.content.decode()
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2

    client.post(LIST, {**chosen, "confirmed": "yes"})

    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
    assert AuditRecord.objects.filter(action="api_token.revoke").count() == 2
    assert "revoked" in client.get(LIST).content.decode()


def test_it_does_not_revoke_a_token_twice(client, ada, organization):
    token = made(organization)
    client.post(f"{LIST}{token.pk}/revoke/")

    again = client.post(f"{LIST}{token.pk}/revoke/", follow=True)

    assert "This token was already revoked." in again.content.decode()
    assert AuditRecord.objects.filter(action="api_token.revoke").count() == 1

"""Fixtures for mailings: an organisation's campaign with an update, and signers made as signing makes them."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from standwith.campaigns.models import Case, Organization, Petition, Update
from standwith.conftest import translate
from standwith.outreach import mailings
from standwith.outreach.models import Mailing
from standwith.signing import crypto, digests
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature
from standwith.staff.models import Membership, Role


@pytest.fixture(autouse=True)
def _one_connection(settings: Any) -> None:
    # Sending threads open database connections of their own, which cannot see a test's uncommitted rows;
    # the crash test, which runs real workers against a committed database, sends with several.
    settings.MAILING_CONNECTIONS = 1


@pytest.fixture
def case(organization: Organization) -> Case:
    return Case.objects.create(
        organization=organization, slug="the-two", title="The two", summary="Two young men.", language="en"
    )


@pytest.fixture
def update(case: Case) -> Update:
    update = Update.objects.create(
        case=case,
        title="They were moved to Grozny",
        body="The two were **transferred** on Monday.\n\nWrite to the governor.",
        published_at=timezone.now() - timedelta(hours=1),
    )
    translate(update, "ru", title="Их перевели в Грозный", body="Их **перевели** в понедельник.")
    return update


@pytest.fixture
def petition(petition: Petition, case: Case) -> Petition:
    """The shared petition, as part of the update's campaign."""
    petition.case = case
    petition.save(update_fields=["case"])
    return petition


@pytest.fixture
def other_petition(organization: Organization) -> Petition:
    """A petition of the same organisation on another campaign, in German."""
    return Petition.objects.create(
        organization=organization,
        slug="other-campaign",
        title="Another campaign",
        summary="Elsewhere.",
        body="Body.",
        language="de",
        state=Petition.State.OPEN,
    )


@pytest.fixture
def mailer(organization: Organization) -> User:
    user = User.objects.create_user("campaigner", email="campaigner@all-out.example", is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=Role.CAMPAIGNER)
    return user


@pytest.fixture
def signer(db: None) -> Any:
    """Add a signature as the sign path stores it: confirmed, validated and consenting unless told otherwise."""

    def make(petition: Petition, email: str, **fields: Any) -> Signature:
        address = parse_address(email)
        now = timezone.now()
        values: dict[str, Any] = {
            "country": "GB",
            "language": "en",
            "consent_campaign_updates": True,
            "consent_org_updates": False,
            "state": Signature.State.VALIDATED,
            "validated_at": now,
            "confirmed_at": now,
            **fields,
        }
        return Signature.objects.create(
            petition=petition,
            email_digest=digests.email_digest(petition.pk, address.canonical),
            email_encrypted=crypto.encrypt(petition.pk, "email", address.deliverable),
            name_encrypted=crypto.encrypt(petition.pk, "name", "A Signer"),
            created_at=now,
            **values,
        )

    return make


@pytest.fixture
def mailing(organization: Organization, update: Update, petition: Petition, mailer: User) -> Mailing:
    return mailings.create_mailing(organization, update, [petition], created_by=mailer)

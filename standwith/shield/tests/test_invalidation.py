"""Bulk invalidation by criteria, with a preview, a reason, an audit record, the count corrected, and undo."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.shield import services
from standwith.shield.services import BadCriteria, Criteria
from standwith.signing import counting, digests
from standwith.signing import services as signing
from standwith.signing.emails import parse_address
from standwith.signing.models import Invalidation, Signature
from standwith.staff.models import AuditRecord, Membership, Role
from standwith.staff.services import NotAllowed

pytestmark = pytest.mark.django_db


def sign(petition: Petition, email: str, ip: str, source: str = "", confirm: bool = True) -> Signature:
    signer = signing.Signer(name="Sam", email=parse_address(email), country="FR", client_ip=ip, source=source)
    signing.sign(petition, signer)
    signature = Signature.objects.latest("pk")
    if confirm:
        signing.confirm(petition, signature.pk)
    return signature


@pytest.fixture
def moderator(organization) -> User:
    user = User.objects.create_user("mod@example.org")
    Membership.objects.create(user=user, organization=organization, role=Role.MODERATOR)
    return user


@pytest.fixture
def flooded(petition: Petition) -> Petition:
    """Four honest signers from four networks, and a flood of five from one /24 and one domain."""
    for number, ip in enumerate(["198.51.100.7", "192.0.2.9", "2001:db8:1::5", "203.0.114.1"]):
        sign(petition, f"person{number}@example.org", ip)
    for number in range(4):
        sign(petition, f"bot{number}@spam-mail.net", f"203.0.113.{number + 10}", source="ad")
    sign(petition, "bot-pending@spam-mail.net", "203.0.113.99", source="ad", confirm=False)
    assert counting.stored_count(petition.pk) == 8
    return petition


def test_it_previews_then_strikes_off_a_network_and_undoes_it(flooded, moderator):
    criteria = Criteria(network="203.0.113.0/24")

    assert services.preview(flooded, criteria) == 5
    batch = services.invalidate(flooded, criteria, "Scripted flood from one network", moderator, client_ip="192.0.2.1")

    assert (batch.signatures, batch.counted) == (5, 4)
    assert counting.stored_count(flooded.pk) == 4
    assert Signature.objects.filter(state=Signature.State.INVALIDATED).count() == 5
    assert services.preview(flooded, criteria) == 0
    entry = AuditRecord.objects.get(action="signatures.invalidate")
    assert entry.actor == moderator
    assert entry.network == "192.0.2.0/24"
    assert entry.details["criteria"] == {"network": "203.0.113.0/24"}
    assert entry.details["signatures"] == 5

    services.undo(batch, moderator)

    assert counting.stored_count(flooded.pk) == 8
    states = sorted(Signature.objects.filter(source="ad").values_list("state", flat=True))
    assert states == ["pending", "validated", "validated", "validated", "validated"]
    assert not Signature.objects.filter(invalidation__isnull=False).exists()
    assert AuditRecord.objects.filter(action="signatures.invalidation_undone").count() == 1
    with pytest.raises(NotAllowed):
        services.undo(batch, moderator)
    assert counting.stored_count(flooded.pk) == 8


def test_the_count_stays_honest_against_a_recount(flooded, moderator):
    services.invalidate(flooded, Criteria(domain="spam-mail.net"), "Junk domain", moderator)

    assert counting.reconcile(flooded.pk) is None  # nothing to correct
    assert counting.stored_count(flooded.pk) == 4


@pytest.mark.parametrize(
    ("criteria", "matched"),
    [
        (Criteria(network="203.0.113.200"), 5),  # any address in the /24
        (Criteria(network="2001:db8:1:ffff::1/48"), 1),
        (Criteria(domain="SPAM-mail.NET"), 5),
        (Criteria(domain="@spam-mail.net"), 5),
        (Criteria(source="ad"), 5),
        (Criteria(source="ad", domain="example.org"), 0),
        (Criteria(unconfirmed_days=0), 1),
        (Criteria(unconfirmed_days=3), 0),
    ],
)
def test_each_criterion_matches_what_it_says(flooded, criteria, matched):
    assert services.preview(flooded, criteria) == matched


def test_a_time_window_matches_signatures_made_in_it(flooded):
    Signature.objects.filter(source="ad").update(created_at=timezone.now() - datetime.timedelta(hours=3))
    since = timezone.now() - datetime.timedelta(hours=4)
    until = timezone.now() - datetime.timedelta(hours=2)

    assert services.preview(flooded, Criteria(since=since, until=until)) == 5
    assert services.preview(flooded, Criteria(since=until)) == 4


def test_it_only_strikes_off_the_petition_it_is_asked_about(flooded, moderator, instant_petition):
    sign(instant_petition, "bot-elsewhere@spam-mail.net", "203.0.113.50")

    services.invalidate(flooded, Criteria(domain="spam-mail.net"), "Junk domain", moderator)

    assert Signature.objects.get(petition=instant_petition).state == Signature.State.VALIDATED


def test_a_group_can_be_named_by_its_digest_as_the_console_shows_it(flooded, moderator):
    network = "#" + (digests.network_digest("203.0.113.0") or b"").hex().upper()
    domain = " #" + digests.domain_digest("x@spam-mail.net").hex()

    assert services.preview(flooded, Criteria(network=network)) == 5
    assert services.preview(flooded, Criteria(domain=domain)) == 5
    assert services.preview(flooded, Criteria(network="#" + "0" * 32)) == 0
    batch = services.invalidate(flooded, Criteria(network=network), "Flood", moderator)

    assert (batch.signatures, batch.counted) == (5, 4)
    assert batch.criteria == {"network": network}
    assert counting.stored_count(flooded.pk) == 4


@pytest.mark.parametrize(
    "criteria",
    [
        Criteria(),
        Criteria(network="not an address"),
        Criteria(domain="no spaces allowed.net"),
        Criteria(domain="@"),
        Criteria(network="#abc"),  # a digest cut short
        Criteria(network="#" + "g" * 32),
        Criteria(domain="#" + "0" * 33),
    ],
)
def test_bad_criteria_are_refused_and_change_nothing(flooded, moderator, criteria):
    with pytest.raises(BadCriteria):
        services.invalidate(flooded, criteria, "Reason", moderator)

    assert not Invalidation.objects.exists()
    assert counting.stored_count(flooded.pk) == 8


def test_a_reason_is_required(flooded, moderator):
    with pytest.raises(NotAllowed):
        services.invalidate(flooded, Criteria(source="ad"), "   ", moderator)

    assert counting.stored_count(flooded.pk) == 8


@pytest.mark.parametrize("role", [Role.CAMPAIGNER, Role.DATA_OFFICER, None])
def test_only_moderators_and_admins_may_invalidate_or_undo(flooded, moderator, organization, role):
    batch = services.invalidate(flooded, Criteria(source="ad"), "Flood", moderator)
    user = User.objects.create_user("someone@example.org")
    if role is not None:
        Membership.objects.create(user=user, organization=organization, role=role)

    with pytest.raises(NotAllowed):
        services.invalidate(flooded, Criteria(domain="example.org"), "No", user)
    with pytest.raises(NotAllowed):
        services.undo(batch, user)

    assert counting.stored_count(flooded.pk) == 4


def test_an_invalidated_signature_cannot_be_confirmed_into_the_count(flooded, moderator):
    pending = Signature.objects.get(state=Signature.State.PENDING)
    services.invalidate(flooded, Criteria(source="ad"), "Flood", moderator)

    assert signing.confirm(flooded, pending.pk) is signing.Confirmation.UNAVAILABLE
    assert counting.stored_count(flooded.pk) == 4

"""A petition proposed by the public, from the form to publication, rejection or changes, through real mail."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from standwith.campaigns.models import Organization, Petition, Target
from standwith.proposals import services
from standwith.proposals.models import Proposal, Supporter
from standwith.proposals.tokens import make_token
from standwith.signing import counting
from standwith.signing.models import Signature
from standwith.staff.models import AuditRecord, Membership, Role
from standwith.staff.services import move_petition, set_proposals_open, set_read_only

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/[a-z]{2}/(?:propose|support)/[^\s]+)")


@pytest.fixture
def open_to_proposals(organization: Organization, settings) -> Organization:
    settings.PROPOSAL_SUPPORTERS = 2
    organization.accepts_proposals = True
    organization.save()
    return organization


@pytest.fixture
def moderator(organization: Organization) -> User:
    user = User.objects.create_user("mod@example.org", "mod@example.org", "a long passphrase")
    Membership.objects.create(user=user, organization=organization, role=Role.MODERATOR)
    return user


def proposal_data(**overrides: str) -> dict[str, str]:
    data = {
        "organisation": "all-out",
        "title": "Protect LGBT+ people fleeing Chechnya",
        "summary": "Offer emergency visas to those at risk.",
        "body": "People are **detained** and handed back.\n\n- One\n- Two",
        "target_name": "Annalena Example",
        "target_role": "Foreign Minister",
        "name": "Айдар Иванов",
        "email": "aidar@example.org",
        "country": "DE",
    }
    data.update(overrides)
    return data


def links(message: mail.EmailMessage) -> list[str]:
    return LINK.findall(str(message.body))


def propose(client, language: str = "en", **overrides: str):
    return client.post(f"/{language}/propose/", proposal_data(**overrides))


def confirmed_proposal(client, run_tasks) -> tuple[Proposal, str]:
    """A proposal whose proposer has confirmed; returns it and the supporters' link path."""
    assert propose(client).status_code == 303
    run_tasks()
    client.post(links(mail.outbox[-1])[0])
    run_tasks()
    proposal = Proposal.objects.get()
    return proposal, f"/en/support/{proposal.key}/"


def support(client, path: str, run_tasks, email: str, name: str = "Layla") -> None:
    response = client.post(path, {"name": name, "email": email, "country": "FR"})
    assert response.status_code == 303, response.content.decode()[:2000]
    assert response["Location"] == "/en/support/sent"
    run_tasks()
    confirm = links(mail.outbox[-1])[0]
    assert client.post(confirm).status_code == 200


def test_a_proposal_goes_from_the_form_to_publication_in_the_proposers_language(
    client, open_to_proposals, moderator, run_tasks
):
    page = client.get("/ru/propose/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()

    response = propose(client, "ru")
    assert response.status_code == 303
    assert response["Location"] == "/ru/propose/sent"
    petition = Petition.objects.get()
    assert petition.state == Petition.State.DRAFT
    assert petition.language == "ru"
    assert petition.organization == open_to_proposals
    assert [t.name for t in petition.targets.all()] == ["Annalena Example"]
    proposer = Supporter.objects.get()
    assert proposer.is_proposer
    assert proposer.language == "ru"
    # Sealed, like a signature: the database holds no address or name in the clear.
    assert b"aidar" not in bytes(proposer.email_encrypted)
    assert "Айдар".encode() not in bytes(proposer.name_encrypted)

    assert run_tasks() == 1
    (confirm_mail,) = mail.outbox
    assert confirm_mail.to == ["aidar@example.org"]
    assert confirm_mail.subject == "Подтвердите вашу петицию: Protect LGBT+ people fleeing Chechnya"
    assert "Здравствуйте, Айдар Иванов" in confirm_mail.body
    (confirm_path,) = links(confirm_mail)
    # Opening the link (as a mail scanner does) confirms nothing; the button does.
    assert client.get(confirm_path).status_code == 200
    assert Proposal.objects.get().confirmed_at is None
    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 303
    manage_path = confirmed["Location"]
    assert manage_path.startswith("/ru/propose/mine/")

    run_tasks()
    collect = mail.outbox[-1]
    assert collect.subject == "Попросите о поддержке: Protect LGBT+ people fleeing Chechnya"
    support_path, mailed_manage = links(collect)
    assert mailed_manage.startswith("/ru/propose/mine/")
    page = client.get(manage_path).content.decode()
    assert "Сбор поддержки" in page
    assert f"{SITE}{support_path}" in page

    support(client, support_path.replace("/ru/", "/en/"), run_tasks, "layla@example.org")
    assert Petition.objects.get().state == Petition.State.DRAFT
    support(client, support_path.replace("/ru/", "/en/"), run_tasks, "omar@example.org", name="عمر")

    petition.refresh_from_db()
    assert petition.state == Petition.State.PENDING
    submitted = AuditRecord.objects.get(action="petition.submit")
    assert submitted.actor is None
    assert submitted.details["supporters"] == 2
    run_tasks()
    assert mail.outbox[-1].subject == "Ваша петиция на проверке: Protect LGBT+ people fleeing Chechnya"
    assert mail.outbox[-1].to == ["aidar@example.org"]

    move_petition(petition, Petition.State.OPEN, moderator)
    petition.refresh_from_db()
    assert petition.state == Petition.State.OPEN
    assert timezone.now() + timedelta(days=181) < petition.deadline < timezone.now() + timedelta(days=183)
    # The proposer and both supporters now count as signers; none of them asked for updates.
    signatures = Signature.objects.filter(petition=petition)
    assert signatures.count() == 3
    assert set(signatures.values_list("state", flat=True)) == {Signature.State.VALIDATED}
    assert not signatures.filter(consent_campaign_updates=True).exists()
    assert counting.stored_count(petition.pk) == 3
    assert client.get(f"/en/p/{petition.slug}/").status_code == 200
    run_tasks()
    published = mail.outbox[-1]
    assert published.subject == "Ваша петиция опубликована: Protect LGBT+ people fleeing Chechnya"
    assert f"{SITE}/p/{petition.slug}/" in published.body
    assert "Опубликована" in client.get(manage_path).content.decode()


def test_a_rejection_reaches_the_proposer_with_the_reason(client, open_to_proposals, moderator, run_tasks, settings):
    settings.PROPOSAL_SUPPORTERS = 0
    propose(client, "es", name="Ana")
    run_tasks()
    client.post(links(mail.outbox[-1])[0])
    petition = Petition.objects.get()
    assert petition.state == Petition.State.PENDING  # no supporters needed here

    move_petition(petition, Petition.State.REJECTED, moderator, reason="A petition on this already exists.")
    run_tasks()

    rejected = mail.outbox[-1]
    assert rejected.subject == "Tu petición no se publicó: Protect LGBT+ people fleeing Chechnya"
    assert "A petition on this already exists." in rejected.body
    assert not Signature.objects.exists()


def test_a_proposal_sent_back_is_changed_by_its_proposer_and_returns_to_review(
    client, open_to_proposals, moderator, run_tasks, settings
):
    settings.PROPOSAL_SUPPORTERS = 0
    propose(client)
    run_tasks()
    manage_path = client.post(links(mail.outbox[-1])[0])["Location"]
    petition = Petition.objects.get()
    # Before the moderators ask, there is nothing to change.
    assert client.post(manage_path, proposal_data(title="Something else entirely")).status_code == 409

    move_petition(petition, Petition.State.DRAFT, moderator, reason="Please name the minister correctly.")
    run_tasks()
    sent_back = mail.outbox[-1]
    assert sent_back.subject == "Your petition needs changes: Protect LGBT+ people fleeing Chechnya"
    assert "Please name the minister correctly." in sent_back.body
    (mailed,) = links(sent_back)
    assert mailed.startswith("/en/propose/mine/")

    page = client.get(mailed).content.decode()
    assert "Please name the minister correctly." in page
    assert 'value="Annalena Example"' in page
    bad = client.post(manage_path, proposal_data(title="Short"))
    assert bad.status_code == 400
    assert Petition.objects.get().state == Petition.State.DRAFT

    response = client.post(
        manage_path, proposal_data(title="Protect people fleeing Chechnya now", target_name="Annalena Baerbock")
    )
    assert response.status_code == 303
    petition.refresh_from_db()
    assert petition.state == Petition.State.PENDING
    assert petition.title == "Protect people fleeing Chechnya now"
    assert [t.name for t in petition.targets.all()] == ["Annalena Baerbock"]
    assert AuditRecord.objects.filter(action="petition.resubmit", object_id=str(petition.pk)).exists()
    # A second tab sending the same changes finds it in review.
    assert client.post(manage_path, proposal_data()).status_code == 409


def test_similar_petitions_are_shown_before_a_proposal_is_sent(client, open_to_proposals, petition):
    Petition.objects.filter(pk=petition.pk).update(
        title="Stop the persecution of LGBT+ people in Chechnya", summary="Act now."
    )

    first = propose(client)

    assert first.status_code == 200
    page = first.content.decode()
    assert "Is one of these your petition?" in page
    assert f'href="/en/p/{petition.slug}/"' in page
    assert 'name="seen_similar" value="on"' in page
    assert not Proposal.objects.exists()

    second = propose(client, seen_similar="on")
    assert second.status_code == 303
    assert Proposal.objects.count() == 1


def test_unrelated_petitions_are_not_offered_as_similar(client, open_to_proposals, petition):
    response = propose(client, title="Fund the village library in Ardmore", summary="Books for every child.")

    assert response.status_code == 303


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "Too short"}, "Ensure this value has at least 10 characters"),
        ({"title": "Free them\u202e all of them"}, "This text contains characters that cannot be shown."),
        ({"summary": "!!! ??? ..."}, "Please write this with words."),
        ({"body": "x" * 5001}, "Ensure this value has at most 5000 characters"),
        ({"email": "not-an-address"}, "Please check your email address"),
        ({"country": "XX"}, "Please choose your country from the list."),
        ({"name": "\u200b"}, "Your name contains characters that cannot be shown."),
        ({"organisation": "freedom-house"}, "Select a valid choice."),
    ],
)
def test_bad_proposals_get_a_clear_message_and_change_nothing(client, open_to_proposals, change, message):
    Organization.objects.create(slug="freedom-house", name="Freedom House")  # takes no proposals

    response = propose(client, **change)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Petition.objects.exists()
    assert not Supporter.objects.exists()


def test_a_huge_proposal_is_refused_with_413(client, open_to_proposals):
    response = propose(client, body="x" * 3_000_000)

    assert response.status_code == 413
    assert "far longer than this form takes" in response.content.decode()
    assert not Petition.objects.exists()


def test_proposals_can_be_stopped_site_wide_and_per_organisation(client, open_to_proposals, admin_user):
    set_proposals_open(admin_user, False)

    assert "Proposals are closed for now" in client.get("/en/propose/").content.decode()
    assert propose(client).status_code == 409
    assert not Petition.objects.exists()

    set_proposals_open(admin_user, True)
    Organization.objects.update(accepts_proposals=False)
    assert propose(client).status_code == 409
    assert not Petition.objects.exists()


def test_support_is_asked_for_once_per_address_and_reveals_nothing(client, open_to_proposals, run_tasks):
    proposal, path = confirmed_proposal(client, run_tasks)
    sent = len(mail.outbox)

    for email in ["layla@example.org", "Layla@Example.org", "aidar@example.org"]:  # the last is the proposer's
        response = client.post(path, {"name": "Layla", "email": email, "country": "FR"})
        assert response.status_code == 303
    run_tasks()

    assert proposal.supporters.count() == 2  # the proposer and Layla, once
    assert len(mail.outbox) == sent + 1


def test_support_links_that_do_not_fit_are_refused(client, open_to_proposals, run_tasks, settings):
    settings.PROPOSAL_SUPPORTERS = 1
    assert propose(client).status_code == 303
    proposal = Proposal.objects.get()
    path = f"/en/support/{proposal.key}/"
    # Before the proposer confirms, the link leads nowhere.
    assert client.get(path).status_code == 404
    assert client.get("/en/support/not-a-key/").status_code == 404

    run_tasks()
    client.post(links(mail.outbox[-1])[0])
    run_tasks()
    support(client, path, run_tasks, "layla@example.org")
    assert Petition.objects.get().state == Petition.State.PENDING

    late = client.post(path, {"name": "Omar", "email": "omar@example.org", "country": "FR"})
    assert late.status_code == 409
    assert "It has the support it needs" in late.content.decode()
    assert proposal.supporters.count() == 2


def test_a_supporter_confirming_after_review_began_is_told_and_not_counted(client, open_to_proposals, run_tasks):
    proposal, path = confirmed_proposal(client, run_tasks)
    for email in ["a@example.org", "b@example.org", "c@example.org"]:
        client.post(path, {"name": "Sam", "email": email, "country": "FR"})
    run_tasks()
    confirm_links = [
        links(message)[0] for message in mail.outbox if message.subject.startswith("Please confirm your support")
    ]
    for link in confirm_links[:2]:
        client.post(link)
    assert Petition.objects.get().state == Petition.State.PENDING

    late = client.post(confirm_links[2])

    assert late.status_code == 409
    assert proposal.supporters.filter(confirmed_at__isnull=False).count() == 3  # the proposer and two


@pytest.mark.parametrize("purpose", ["confirm", "manage"])
def test_forged_and_crossed_links_are_refused(client, open_to_proposals, run_tasks, purpose):
    proposal, _ = confirmed_proposal(client, run_tasks)
    proposer = proposal.supporters.get()
    token = make_token(purpose, proposer.pk)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    path = {"confirm": "/en/propose/confirm/{}/", "manage": "/en/propose/mine/{}/"}
    other = {"confirm": "manage", "manage": "confirm"}[purpose]

    assert client.get(path[purpose].format(forged)).status_code == 404
    # A link made for one purpose does not open the other.
    assert client.get(path[other].format(token)).status_code == 404


def test_an_expired_confirmation_link_is_explained(client, open_to_proposals, run_tasks, settings):
    propose(client)
    run_tasks()
    settings.CONFIRM_TOKEN_MAX_AGE_DAYS = 0

    response = client.post(links(mail.outbox[-1])[0])

    assert response.status_code == 410
    assert Proposal.objects.get().confirmed_at is None


def test_a_supporters_link_opens_no_proposers_page(client, open_to_proposals, run_tasks):
    proposal, path = confirmed_proposal(client, run_tasks)
    client.post(path, {"name": "Sam", "email": "sam@example.org", "country": "FR"})
    supporter = proposal.supporters.get(is_proposer=False)

    assert client.get(f"/en/propose/mine/{make_token('manage', supporter.pk)}/").status_code == 404


def test_the_site_read_only_refuses_proposals(client, open_to_proposals, admin_user):
    set_read_only(admin_user, True)

    assert propose(client).status_code == 503
    assert not Petition.objects.exists()


def test_proposals_nobody_confirmed_are_purged_once_their_link_expires(client, open_to_proposals, run_tasks):
    propose(client, email="first@example.org")
    propose(client, email="second@example.org")
    run_tasks()
    client.post(links(mail.outbox[-1])[0])  # the second proposer confirms
    kept = Proposal.objects.get(confirmed_at__isnull=False)
    for email in ["keen@example.org", "idle@example.org"]:
        client.post(f"/en/support/{kept.key}/", {"name": "Sam", "email": email, "country": "FR"})
    run_tasks()
    client.post(links(mail.outbox[-2])[0])  # the first supporter confirms, the second never does
    Proposal.objects.update(created_at=timezone.now() - timedelta(days=31))
    Supporter.objects.update(created_at=timezone.now() - timedelta(days=31))

    assert services.purge_unconfirmed() == 1

    assert list(Proposal.objects.all()) == [kept]
    assert kept.supporters.count() == 2
    assert not kept.supporters.filter(confirmed_at__isnull=True).exists()
    assert Petition.objects.count() == 1
    assert Target.objects.count() == 1

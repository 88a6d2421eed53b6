"""Who a mailing goes to: consenting, confirmed, still subscribed signers, once each, in their language."""

import pytest

from standwith.outreach import mailings, optouts
from standwith.outreach.composing import unsubscribe_url
from standwith.outreach.models import Delivery
from standwith.outreach.tests.helpers import recipients_of, send_all
from standwith.outreach.tokens import make_unsubscribe_token
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.MAILING_RATE = 10_000


def test_it_mails_confirmed_signers_who_agreed_to_hear_about_the_campaign(
    mailing, mailer, petition, signer, smtp_sink, run_tasks
):
    signer(petition, "yes@example.org")
    signer(petition, "org-only@example.org", consent_campaign_updates=False, consent_org_updates=True)
    signer(petition, "no-consent@example.org", consent_campaign_updates=False)
    signer(petition, "pending@example.org", state=Signature.State.PENDING, validated_at=None, confirmed_at=None)
    signer(petition, "unconfirmed@example.org", confirmed_at=None)
    signer(petition, "invalidated@example.org", state=Signature.State.INVALIDATED)

    sent = send_all(mailing, mailer, run_tasks)

    assert recipients_of(smtp_sink) == ["org-only@example.org", "yes@example.org"]
    assert (sent.state, sent.recipients, sent.sent, sent.failed, sent.skipped) == ("finished", 2, 2, 0, 0)


def test_it_counts_consent_to_this_campaign_only_on_the_campaigns_own_petitions(
    organization, update, petition, other_petition, mailer, signer, smtp_sink, run_tasks
):
    signer(petition, "campaign@example.org")
    signer(other_petition, "other-campaign@example.org")
    signer(other_petition, "other-org-consent@example.org", consent_campaign_updates=False, consent_org_updates=True)
    mailing = mailings.create_mailing(organization, update, [petition, other_petition], created_by=mailer)

    send_all(mailing, mailer, run_tasks)

    assert recipients_of(smtp_sink) == ["campaign@example.org", "other-org-consent@example.org"]


def test_it_sends_one_copy_to_someone_who_signed_several_of_the_petitions(
    organization, update, petition, other_petition, mailer, signer, smtp_sink, run_tasks
):
    signer(petition, "Twice@Example.org")
    signer(other_petition, "twice+tag@example.org", consent_org_updates=True)
    mailing = mailings.create_mailing(organization, update, [petition, other_petition], created_by=mailer)

    sent = send_all(mailing, mailer, run_tasks)

    assert recipients_of(smtp_sink) == ["Twice@example.org"]
    assert sent.recipients == sent.sent == 1


def test_it_writes_to_each_signer_in_their_language_else_the_petitions(
    organization, update, petition, other_petition, mailer, signer, smtp_sink, run_tasks
):
    signer(petition, "reads-russian@example.org", language="ru")
    signer(petition, "reads-french@example.org", language="fr")
    signer(other_petition, "reads-german@example.org", language="de", consent_org_updates=True)
    mailing = mailings.create_mailing(organization, update, [petition, other_petition], created_by=mailer)

    send_all(mailing, mailer, run_tasks)

    subjects = {addresses[0]: str(message["Subject"]) for _sender, addresses, message in smtp_sink.messages}
    assert subjects == {
        "reads-russian@example.org": "Их перевели в Грозный",
        # No French version: the petition's own language (English) has one.
        "reads-french@example.org": "They were moved to Grozny",
        # Neither German nor the update in the German petition's language: the update's own.
        "reads-german@example.org": "They were moved to Grozny",
    }
    russian = next(m for _s, a, m in smtp_sink.messages if a == ["reads-russian@example.org"])
    assert "/ru/unsubscribe/" in russian["List-Unsubscribe"]
    assert "перевели" in russian.get_body(("plain",)).get_content()


def test_it_leaves_out_who_unsubscribed_from_the_organisation_and_who_bounced(
    mailing, mailer, petition, signer, smtp_sink, run_tasks
):
    signer(petition, "stays@example.org")
    gone = signer(petition, "unsubscribed@example.org")
    signer(petition, "bounced@example.org")
    signer(petition, "complained@example.org")
    signer(petition, "soft@example.org")
    optouts.unsubscribe(make_unsubscribe_token(mailing.organization_id, gone.pk))
    optouts.record_bounce("hard", address="bounced@example.org", status="5.1.1")
    optouts.record_bounce("complaint", address="complained@example.org")
    optouts.record_bounce("soft", address="soft@example.org", status="4.2.2")

    send_all(mailing, mailer, run_tasks)

    assert recipients_of(smtp_sink) == ["soft@example.org", "stays@example.org"]


def test_it_skips_who_unsubscribed_after_the_recipients_were_chosen(
    mailing, mailer, petition, signer, smtp_sink, run_tasks, organization
):
    signer(petition, "stays@example.org")
    leaving = signer(petition, "leaves-meanwhile@example.org")
    mailings.start(mailing, mailer)
    mailings.prepare(mailing)
    optouts.unsubscribe(make_unsubscribe_token(organization.pk, leaving.pk))
    while run_tasks():
        pass

    mailing.refresh_from_db()
    assert recipients_of(smtp_sink) == ["stays@example.org"]
    assert (mailing.recipients, mailing.sent, mailing.skipped) == (2, 1, 1)
    assert Delivery.objects.get(signature=leaving).state == Delivery.State.SKIPPED


def test_it_filters_by_country_and_source(organization, update, petition, mailer, signer, smtp_sink, run_tasks):
    signer(petition, "de-partner@example.org", country="DE", source="partner")
    signer(petition, "de-direct@example.org", country="DE")
    signer(petition, "fr-partner@example.org", country="FR", source="partner")
    mailing = mailings.create_mailing(
        organization, update, [petition], created_by=mailer, countries=["DE"], sources=["partner"]
    )

    send_all(mailing, mailer, run_tasks)

    assert recipients_of(smtp_sink) == ["de-partner@example.org"]


def test_it_gives_each_recipient_their_own_unsubscribe_link(mailing, mailer, petition, signer, smtp_sink, run_tasks):
    first = signer(petition, "first@example.org")
    signer(petition, "second@example.org")

    send_all(mailing, mailer, run_tasks)

    links = {addresses[0]: message["List-Unsubscribe"].strip() for _s, addresses, message in smtp_sink.messages}
    assert links["first@example.org"] == f"<{unsubscribe_url(mailing.organization, first.pk, 'en')}>"
    assert links["first@example.org"] != links["second@example.org"]

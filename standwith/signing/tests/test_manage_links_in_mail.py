"""Every email to a signer carries the link to their signature: the confirmation, the repeat, and every mailing."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from standwith.campaigns.models import Case, Update
from standwith.outreach import composing, mailings
from standwith.outreach.tests.helpers import send_all
from standwith.signing import services
from standwith.signing.models import Signature
from standwith.signing.tests.manage_helpers import link, press, signed
from standwith.staff.models import Membership, Role

pytestmark = pytest.mark.django_db

MANAGE_LINK = re.compile(r"https?://[^/\s]+(/(\w\w)/p/free-them/manage/[^/\s\"]+/)")


def links_in(text: str) -> list[str]:
    return [match.group(1) for match in MANAGE_LINK.finditer(text)]


def test_the_confirmation_mail_carries_the_signers_link(sign, client, petition, run_tasks):
    sign(petition, email="ada@example.org")
    run_tasks()

    (message,) = mail.outbox
    (path,) = links_in(message.body)
    assert links_in(str(message.alternatives[0][0])) == [path]
    signature = Signature.objects.get()
    response = client.get(path)
    assert response.status_code == 200
    assert "ada@example.org" in response.content.decode()
    assert Signature.objects.get(pk=signature.pk).state == Signature.State.PENDING


def test_the_mail_to_a_repeat_signer_carries_the_link_too(client, petition, run_tasks):
    signed(petition)
    run_tasks()
    mail.outbox.clear()

    signed(petition, language="ru", confirm=False)
    run_tasks()

    (message,) = mail.outbox
    (path,) = links_in(message.body)
    assert path.startswith("/en/")  # the signature's own language: the first signing's
    assert client.get(path).status_code == 200


def test_a_link_from_the_confirmation_mail_withdraws_the_signature(sign, client, petition, run_tasks):
    sign(petition, email="ada@example.org")
    run_tasks()
    (path,) = links_in(mail.outbox[0].body)

    press(client, path, "withdraw")

    assert Signature.objects.get().state == Signature.State.WITHDRAWN


@pytest.fixture
def mailing(organization, petition):
    case = Case.objects.create(
        organization=organization, slug="the-two", title="The two", summary="Two.", language="en"
    )
    petition.case = case
    petition.save(update_fields=["case"])
    update = Update.objects.create(
        case=case,
        title="They were moved",
        body="Write to the governor.",
        published_at=timezone.now() - timedelta(hours=1),
    )
    mailer = User.objects.create_user("campaigner", email="campaigner@all-out.example", is_staff=True)
    Membership.objects.create(user=mailer, organization=organization, role=Role.CAMPAIGNER)
    return mailings.create_mailing(organization, update, [petition], created_by=mailer), mailer


def test_every_mailing_carries_each_recipients_own_link(client, petition, mailing, smtp_sink, run_tasks, settings):
    settings.MAILING_CONNECTIONS = 1
    ada = signed(petition, "ada@example.org", consent_campaign_updates=True)
    grace = signed(petition, "grace@example.org", consent_campaign_updates=True)
    run_tasks()
    smtp_sink.messages.clear()

    send_all(*mailing, run_tasks)

    found = {}
    for _sender, (to,), message in smtp_sink.messages:
        (path,) = links_in(message.get_body(("plain",)).get_content())
        assert links_in(message.get_body(("html",)).get_content()) == [path]
        found[to] = path
    assert set(found) == {"ada@example.org", "grace@example.org"}
    assert found["ada@example.org"] != found["grace@example.org"]
    assert "ada@example.org" in client.get(found["ada@example.org"]).content.decode()
    press(client, found["grace@example.org"], "withdraw")
    assert Signature.objects.get(pk=grace.pk).state == Signature.State.WITHDRAWN
    assert Signature.objects.get(pk=ada.pk).state == Signature.State.VALIDATED


def test_a_withdrawn_signer_gets_no_mailing(client, petition, mailing, smtp_sink, run_tasks, settings):
    settings.MAILING_CONNECTIONS = 1
    signed(petition, "ada@example.org", consent_campaign_updates=True)
    grace = signed(petition, "grace@example.org", consent_campaign_updates=True)
    services.confirm(petition, grace.pk)
    run_tasks()
    press(client, link(grace), "withdraw")
    smtp_sink.messages.clear()

    send_all(*mailing, run_tasks)

    assert [to for _sender, (to,), _message in smtp_sink.messages] == ["ada@example.org"]


def test_turning_consent_off_through_the_link_stops_the_mailing(
    client, petition, mailing, smtp_sink, run_tasks, settings
):
    settings.MAILING_CONNECTIONS = 1
    signed(petition, "ada@example.org", consent_campaign_updates=True)
    grace = signed(petition, "grace@example.org", consent_campaign_updates=True)
    run_tasks()
    press(client, link(grace), "consents")
    smtp_sink.messages.clear()

    send_all(*mailing, run_tasks)

    assert [to for _sender, (to,), _message in smtp_sink.messages] == ["ada@example.org"]


def test_a_staff_members_test_copy_links_to_the_privacy_notice_instead(mailing, settings):
    settings.SITE_URL = "https://standwith.example"

    addressed = composing.envelope(
        mailing[0], "campaigner@all-out.example", delivery_id=None, signature_id=0, language="de"
    )

    assert addressed.manage_url == "https://standwith.example/de/privacy"

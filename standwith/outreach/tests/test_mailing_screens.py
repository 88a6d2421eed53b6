"""The staff screens for mailings: who sees them, composing, previews and tests, the controls, live progress."""

import html
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from standwith.campaigns.models import Case, Organization, Petition, Update
from standwith.conftest import otp_login
from standwith.outreach import mailings
from standwith.outreach.models import Mailing
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "campaigner", "admin", "other_campaigner", "moderator", "data_officer"]
SENDERS = {"campaigner", "admin"}
LIST = "/admin/outreach/mailing/"
COMPOSE = "/admin/outreach/mailing/add/"


@pytest.fixture(autouse=True)
def _small_batches(settings):
    settings.MAILING_RATE = 10_000
    settings.MAILING_BATCH_SIZE = 2
    settings.MAILING_LANES = 1


@pytest.fixture
def elsewhere(db) -> Organization:
    return Organization.objects.create(slug="elsewhere", name="Elsewhere")


@pytest.fixture
def people(organization, elsewhere, mailer) -> dict[str, User]:
    grants = {
        "admin": (elsewhere, Role.ADMIN),
        "other_campaigner": (elsewhere, Role.CAMPAIGNER),
        "moderator": (elsewhere, Role.MODERATOR),
        "data_officer": (organization, Role.DATA_OFFICER),
    }
    found = {"campaigner": mailer}
    for name, (where, role) in grants.items():
        found[name] = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
        Membership.objects.create(user=found[name], organization=where, role=role)
    return found


def as_person(client: Client, people: dict[str, User], who: str) -> Client:
    if who != "anonymous":
        otp_login(client, people[who])
    return client


def assert_refused(response, who: str) -> None:
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == 403


def page_url(mailing: Mailing, part: str = "change") -> str:
    return f"/admin/outreach/mailing/{mailing.pk}/{part}/"


@pytest.fixture
def five(petition, signer):
    return [signer(petition, f"signer{index}@example.org") for index in range(5)]


def sending(mailing: Mailing, mailer: User) -> Mailing:
    """Started, its recipients chosen, nothing sent yet."""
    mailings.start(mailing, mailer)
    mailings.prepare(mailing)
    mailing.refresh_from_db()
    return mailing


def actions(mailing: Mailing) -> list[str]:
    records = AuditRecord.objects.filter(object_type="outreach.mailing", object_id=str(mailing.pk)).order_by("pk")
    return list(records.values_list("action", flat=True))


def text_of(response) -> str:
    return html.unescape(str(response.content.decode()))


# Who sees what


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lists_mailings_to_their_organisations_campaigners_and_to_admins_only(client, people, mailing, who):
    response = as_person(client, people, who).get(LIST)

    if who in {"anonymous", "moderator", "data_officer"}:
        assert_refused(response, who)
        return
    assert response.status_code == 200
    assert (page_url(mailing) in response.content.decode()) == (who in SENDERS)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_shows_a_mailings_screens_only_to_those_who_may_send_it(client, people, mailing, who):
    client = as_person(client, people, who)
    responses = [
        client.get(page_url(mailing)),
        client.get(page_url(mailing, "progress")),
        client.get(page_url(mailing, "preview/en")),
        client.get(page_url(mailing, "start")),
        client.get(COMPOSE),
    ]

    if who in SENDERS:
        assert [response.status_code for response in responses] == [200] * 5
        return
    for response in responses[:4]:
        assert_refused(response, who)
    if who != "other_campaigner":  # a campaigner elsewhere composes for their own organisation
        assert_refused(responses[4], who)


@pytest.mark.parametrize("who", sorted(set(PEOPLE) - SENDERS))
def test_it_lets_nobody_else_start_test_or_cancel_a_mailing(client, people, mailing, five, smtp_sink, who):
    client = as_person(client, people, who)
    responses = [
        client.post(page_url(mailing, "start")),
        client.post(page_url(mailing, "test"), {"language": "en"}),
        client.post(page_url(mailing, "cancel")),
    ]

    for response in responses:
        assert_refused(response, who)
    assert Mailing.objects.get(pk=mailing.pk).state == "draft"
    assert smtp_sink.messages == []
    assert actions(mailing) == ["mailing.create"]


def test_it_never_deletes_a_mailing_from_the_admin(client, people, mailing):
    client = as_person(client, people, "admin")

    assert client.post(page_url(mailing, "delete"), {"post": "yes"}).status_code == 403
    assert Mailing.objects.filter(pk=mailing.pk).exists()


def test_a_strange_mailing_id_is_not_found(client, people):
    client = as_person(client, people, "admin")

    assert client.get("/admin/outreach/mailing/abc/change/").status_code == 404
    assert client.get("/admin/outreach/mailing/99999/change/").status_code == 404


# Composing


def compose_data(update: Update, petitions: list[Petition], **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "update": update.pk,
        "petitions": [petition.pk for petition in petitions],
        "countries": "",
        "sources": "",
        "from_name": "",
        "rate": "",
    }
    data.update(overrides)
    return data


def test_it_offers_the_organisations_published_updates_with_their_languages(client, people, update, petition):
    page = text_of(as_person(client, people, "campaigner").get(COMPOSE))

    assert "They were moved to Grozny (The two; en, ru)" in page
    assert "Free them (All Out, Open)" in page


def test_it_composes_a_draft_and_sends_nothing_yet(client, people, update, petition, other_petition, smtp_sink):
    client = as_person(client, people, "campaigner")
    data = compose_data(
        update,
        [petition, other_petition],
        countries="gb, FR;de",
        sources="newsletter partner.x",
        from_name="All Out campaigns",
        rate="20",
    )

    response = client.post(COMPOSE, data)

    mailing = Mailing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_url(mailing)
    assert (mailing.organization.slug, mailing.update, mailing.state) == ("all-out", update, "draft")
    assert set(mailing.petitions.all()) == {petition, other_petition}
    assert (mailing.countries, mailing.sources) == (["DE", "FR", "GB"], ["newsletter", "partner.x"])
    assert (mailing.from_name, mailing.rate, mailing.created_by) == ("All Out campaigns", 20, people["campaigner"])
    assert actions(mailing) == ["mailing.create"]
    assert smtp_sink.messages == []
    assert "Draft saved." in text_of(client.get(response["Location"]))


@pytest.fixture
def foreign(elsewhere) -> tuple[Update, Petition]:
    """Another organisation's published update and petition."""
    from django.utils import timezone

    case = Case.objects.create(organization=elsewhere, slug="theirs", title="Theirs", summary=".", language="en")
    update = Update.objects.create(case=case, title="Their news", body="News.", published_at=timezone.now())
    petition = Petition.objects.create(
        organization=elsewhere, slug="theirs", title="Their petition", summary=".", body=".", language="en"
    )
    return update, petition


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"petitions": []}, "This field is required."),
        ({"countries": "GB, XX"}, "Unknown country codes: XX"),
        ({"countries": "G<script>"}, "Unknown country codes: G<SCRIPT>"),
        ({"sources": "news letter!"}, "A source is a short code of letters, digits, dots and dashes."),
        ({"from_name": "All Out\r\nBcc: everyone@example.org"}, "may not contain line breaks or control characters"),
        ({"from_name": "A" * 101}, "The sender's name is longer than 100 characters."),
        ({"rate": "0"}, "The rate is a number of messages per second, from 1."),
        ({"rate": "fast"}, "Enter a whole number."),
        ({"update": "not a number"}, "Select a valid choice."),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message_and_creates_nothing(
    client, people, update, petition, change, message
):
    data = {**compose_data(update, [petition]), **change}
    response = as_person(client, people, "campaigner").post(COMPOSE, data)

    assert response.status_code == 400
    assert message in text_of(response)
    assert not Mailing.objects.exists()


def test_a_campaigner_cannot_mail_another_organisations_update_or_petition(client, people, update, petition, foreign):
    their_update, their_petition = foreign
    client = as_person(client, people, "campaigner")

    assert "Their news" not in text_of(client.get(COMPOSE))
    for data in (compose_data(their_update, [petition]), compose_data(update, [their_petition])):
        response = client.post(COMPOSE, data)
        assert response.status_code == 400
        assert "Select a valid choice." in text_of(response)
    assert not Mailing.objects.exists()


def test_an_admin_cannot_mix_one_organisations_update_with_anothers_petitions(
    client, people, update, petition, foreign
):
    response = as_person(client, people, "admin").post(COMPOSE, compose_data(update, [foreign[1]]))

    assert response.status_code == 400
    assert "Only the organisation's own petitions can be mailed." in text_of(response)
    assert not Mailing.objects.exists()


def test_it_refuses_an_update_too_long_or_malformed_to_mail(client, people, update, petition):
    client = as_person(client, people, "campaigner")
    Update.objects.filter(pk=update.pk).update(body="x" * 50_001)
    too_long = client.post(COMPOSE, compose_data(update, [petition]))
    Update.objects.filter(pk=update.pk).update(body="Hidden\x07bell")
    malformed = client.post(COMPOSE, compose_data(update, [petition]))

    assert too_long.status_code == malformed.status_code == 400
    assert "The text (en) is longer than 50000 characters." in text_of(too_long)
    assert "The text (en) contains control characters." in text_of(malformed)
    assert not Mailing.objects.exists()


def test_draft_updates_are_not_offered(client, people, update, petition):
    Update.objects.filter(pk=update.pk).update(published_at=None)
    response = as_person(client, people, "campaigner").post(COMPOSE, compose_data(update, [petition]))

    assert response.status_code == 400
    assert "Select a valid choice." in text_of(response)


# The mailing's page, previews and tests


def test_the_page_previews_each_language_and_names_no_recipient(client, people, mailing, five, run_tasks, smtp_sink):
    mailings.start(mailing, people["campaigner"])
    while run_tasks():
        pass
    page = text_of(as_person(client, people, "campaigner").get(page_url(mailing)))

    assert "They were moved to Grozny" in page
    assert "Их перевели в Грозный" in page
    assert f'src="{page_url(mailing, "preview/ru")}"' in page
    assert 'sandbox=""' in page
    assert "Every country" in page
    for address in ("signer0@example.org", "signer4@example.org"):
        assert address not in page
    assert not re.search(r"[\w.+-]+@example\.org", page)
    assert "A Signer" not in page


def test_the_html_preview_is_served_sandboxed_and_loads_nothing(client, people, mailing):
    response = as_person(client, people, "campaigner").get(page_url(mailing, "preview/ru"))

    assert response.status_code == 200
    assert "Их <strong>перевели</strong> в понедельник." in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_a_test_goes_to_the_staff_member_in_the_chosen_language(client, people, mailing, five, smtp_sink):
    response = as_person(client, people, "campaigner").post(page_url(mailing, "test"), {"language": "ru"})

    assert response.status_code == 302
    [(_sender, to, message)] = smtp_sink.messages
    assert to == ["campaigner@all-out.example"]
    assert message["Subject"] == "Их перевели в Грозный"
    assert actions(mailing) == ["mailing.create", "mailing.test"]
    assert Mailing.objects.get(pk=mailing.pk).state == "draft"
    assert "A test in Russian went to campaigner@all-out.example." in text_of(client.get(page_url(mailing)))


def test_someone_without_an_address_is_told_and_nothing_is_sent(client, people, mailing, smtp_sink):
    User.objects.filter(pk=people["campaigner"].pk).update(email="")
    client = as_person(client, people, "campaigner")

    page = text_of(client.get(page_url(mailing)))
    response = client.post(page_url(mailing, "test"), {"language": "en"})

    assert "Your account has no email address to send a test to." in page
    assert 'name="language"' not in page
    assert response.status_code == 302
    assert "Your account has no email address to send the test to." in text_of(client.get(page_url(mailing)))
    assert smtp_sink.messages == []


def test_a_test_in_a_language_the_update_lacks_is_refused(client, people, mailing, smtp_sink):
    client = as_person(client, people, "campaigner")
    client.post(page_url(mailing, "test"), {"language": "de"})

    assert "Choose one of the update's languages for the test." in text_of(client.get(page_url(mailing)))
    assert smtp_sink.messages == []


def test_a_mail_server_that_is_down_gets_a_message_not_an_error_page(client, people, mailing, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    client = as_person(client, people, "campaigner")

    response = client.post(page_url(mailing, "test"), {"language": "en"})

    assert response.status_code == 302
    assert "The mail server did not take the test." in text_of(client.get(page_url(mailing)))


# Controls


def buttons(client: Client, mailing: Mailing) -> set[str]:
    page = client.get(page_url(mailing)).content.decode()
    return {action for action in ("start", "pause", "resume", "cancel") if page_url(mailing, action) in page}


def test_the_buttons_follow_the_state(client, people, mailing, five, run_tasks, smtp_sink):
    client = as_person(client, people, "campaigner")
    mailer = people["campaigner"]

    assert buttons(client, mailing) == {"start", "cancel"}
    sending(mailing, mailer)
    assert buttons(client, mailing) == {"pause", "cancel"}
    mailings.pause(mailing, mailer)
    assert buttons(client, mailing) == {"resume", "cancel"}
    mailings.resume(mailing, mailer)
    while run_tasks():
        pass
    assert Mailing.objects.get(pk=mailing.pk).state == "finished"
    assert buttons(client, mailing) == set()


def test_starting_asks_first_then_sends_to_every_signer(client, people, mailing, five, run_tasks, smtp_sink):
    client = as_person(client, people, "campaigner")

    confirm = client.get(page_url(mailing, "start"))
    assert confirm.status_code == 200
    assert "Yes, start sending" in text_of(confirm)
    assert Mailing.objects.get(pk=mailing.pk).state == "draft"

    response = client.post(page_url(mailing, "start"))

    assert response.status_code == 302
    assert response["Location"] == page_url(mailing)
    assert Mailing.objects.get(pk=mailing.pk).state == "preparing"
    entry = AuditRecord.objects.get(action="mailing.start")
    assert (entry.actor, entry.network) == (people["campaigner"], "127.0.0.0/24")
    while run_tasks():
        pass
    assert len(smtp_sink.messages) == 5
    page = text_of(client.get(page_url(mailing)))
    assert "Started: recipients are being chosen, then sending begins." in page
    assert re.search(r'data-field="sent">5<', page)


def test_pause_resume_and_cancel_through_the_screens_are_audited(client, people, mailing, five, smtp_sink):
    client = as_person(client, people, "campaigner")
    sending(mailing, people["campaigner"])

    assert client.post(page_url(mailing, "pause")).status_code == 302
    assert Mailing.objects.get(pk=mailing.pk).state == "paused"
    assert client.post(page_url(mailing, "resume")).status_code == 302
    assert Mailing.objects.get(pk=mailing.pk).state == "sending"
    confirm = client.get(page_url(mailing, "cancel"))
    assert "Yes, cancel the mailing" in text_of(confirm)
    assert Mailing.objects.get(pk=mailing.pk).state == "sending"
    assert client.post(page_url(mailing, "cancel")).status_code == 302

    assert Mailing.objects.get(pk=mailing.pk).state == "cancelled"
    assert actions(mailing) == [
        "mailing.create",
        "mailing.start",
        "mailing.pause",
        "mailing.resume",
        "mailing.cancel",
    ]
    controls = AuditRecord.objects.filter(action__in=["mailing.pause", "mailing.resume", "mailing.cancel"])
    assert {(entry.actor, entry.network) for entry in controls} == {(people["campaigner"], "127.0.0.0/24")}
    assert "Cancelled. Nothing more goes out" in text_of(client.get(page_url(mailing)))


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_changes_refuse_a_get(client, people, mailing, action):
    response = as_person(client, people, "campaigner").get(page_url(mailing, action))

    assert response.status_code == 405
    assert Mailing.objects.get(pk=mailing.pk).state == "draft"


def test_changes_refuse_a_post_without_the_csrf_token(people, mailing, five, smtp_sink):
    client = as_person(Client(enforce_csrf_checks=True), people, "campaigner")

    for action in ("start", "cancel"):
        assert client.post(page_url(mailing, action)).status_code == 403
    assert client.post(page_url(mailing, "test"), {"language": "en"}).status_code == 403
    assert Mailing.objects.get(pk=mailing.pk).state == "draft"
    assert smtp_sink.messages == []
    assert actions(mailing) == ["mailing.create"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("pause", "Only a mailing that is sending can be paused."),
        ("resume", "Only a paused mailing can be resumed."),
    ],
)
def test_a_control_the_state_does_not_allow_says_so_and_changes_nothing(client, people, mailing, action, message):
    client = as_person(client, people, "campaigner")

    response = client.post(page_url(mailing, action))

    assert response.status_code == 302
    assert message in text_of(client.get(page_url(mailing)))
    assert Mailing.objects.get(pk=mailing.pk).state == "draft"
    assert actions(mailing) == ["mailing.create"]


def test_a_second_start_or_cancel_says_so(client, people, mailing, five):
    client = as_person(client, people, "campaigner")
    client.post(page_url(mailing, "start"))
    client.post(page_url(mailing, "start"))
    assert "This mailing has already been started." in text_of(client.get(page_url(mailing)))

    client.post(page_url(mailing, "cancel"))
    assert "This mailing is already over." in text_of(client.get(page_url(mailing, "cancel")))
    client.post(page_url(mailing, "cancel"))

    assert "This mailing is already over." in text_of(client.get(page_url(mailing)))
    assert actions(mailing) == ["mailing.create", "mailing.start", "mailing.cancel"]


def test_starting_an_update_edited_into_something_unsendable_is_refused(client, people, mailing, five):
    Update.objects.filter(pk=mailing.update_id).update(title="Moved\r\nBcc: everyone@example.org")
    client = as_person(client, people, "campaigner")

    client.post(page_url(mailing, "start"))

    assert "may not contain line breaks or control characters" in text_of(client.get(page_url(mailing)))
    assert Mailing.objects.get(pk=mailing.pk).state == "draft"


# Progress


def test_the_progress_json_follows_the_counters(client, people, mailing, five, run_tasks, smtp_sink):
    client = as_person(client, people, "campaigner")
    smtp_sink.refused.add("signer3@example.org")
    assert client.get(page_url(mailing, "progress")).json()["state"] == "draft"

    sending(mailing, people["campaigner"])
    before = client.get(page_url(mailing, "progress"))
    while run_tasks():
        pass
    after = client.get(page_url(mailing, "progress")).json()

    assert before["Cache-Control"].startswith("max-age=0")
    assert "no-store" in before["Cache-Control"] or "no-cache" in before["Cache-Control"]
    started = before.json()
    assert (started["state"], started["recipients"], started["remaining"], started["done"]) == ("sending", 5, 5, 0)
    assert started["shown"]["state"] == "Sending"
    assert (after["state"], after["sent"], after["failed"], after["remaining"]) == ("finished", 4, 1, 0)
    assert after["shown"]["percent"] == "100.0 %"
    assert after["shown"]["state"] == "Sent"


def test_the_page_refreshes_itself_only_while_sending(client, people, mailing, five):
    client = as_person(client, people, "campaigner")
    draft = client.get(page_url(mailing)).content.decode()
    sending(mailing, people["campaigner"])
    live = client.get(page_url(mailing)).content.decode()

    assert "mailing-progress.js" not in draft
    assert 'http-equiv="refresh"' not in draft
    assert re.search(r'<script src="/static/standwith/mailing-progress[.\w]*\.js" defer>', live)
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in live
    assert ">Refresh</a>" in live


def test_the_list_shows_state_and_how_many_were_sent(client, people, mailing, five, run_tasks, smtp_sink):
    mailings.start(mailing, people["campaigner"])
    while run_tasks():
        pass
    page = text_of(as_person(client, people, "campaigner").get(LIST))

    assert "They were moved to Grozny" in page
    assert "5 / 5" in page
    assert "Free them" in page

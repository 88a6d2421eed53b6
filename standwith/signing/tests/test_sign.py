import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from standwith.campaigns.models import Petition
from standwith.conftest import data_statements
from standwith.signing import counting, crypto, digests, referrals
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


def only_signature() -> Signature:
    (signature,) = Signature.objects.all()
    return signature


def queued_mail_kinds() -> list[str]:
    return [
        task.args_kwargs["args"][1]
        for task in DBTaskResult.objects.filter(task_path="standwith.signing.tasks.send_signature_mail")
    ]


def test_it_records_a_pending_signature_and_redirects_to_check_your_email(sign, petition):
    response = sign(petition, name="Ada Lovelace", email="Ada@Example.org", postcode="sw1a 1aa")

    assert response.status_code == 303
    assert response["Location"] == f"/en/p/{petition.slug}/check-email"
    signature = only_signature()
    assert signature.state == Signature.State.PENDING
    assert signature.country == "GB"
    assert signature.language == "en"
    assert crypto.decrypt(petition.pk, "email", signature.email_encrypted) == "Ada@example.org"
    assert crypto.decrypt(petition.pk, "name", signature.name_encrypted) == "Ada Lovelace"
    assert crypto.decrypt(petition.pk, "postcode", signature.postcode_encrypted) == "SW1A 1AA"
    assert bytes(signature.email_digest) == digests.email_digest(petition.pk, "ada@example.org")
    assert queued_mail_kinds() == ["signed"]


def test_it_does_not_count_an_unconfirmed_signature(sign, petition):
    sign(petition)

    assert counting.stored_count(petition.pk) == 0


def test_it_counts_at_once_on_a_petition_without_email_verification(sign, instant_petition):
    sign(instant_petition)

    signature = only_signature()
    assert signature.state == Signature.State.VALIDATED
    assert signature.confirmed_at is None
    assert counting.stored_count(instant_petition.pk) == 1
    assert queued_mail_kinds() == ["signed"]


def test_it_stores_no_personal_data_in_the_clear(sign, petition):
    sign(petition, name="Салех Магамадов", email="salekh.m@example.org", postcode="364000")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM signing_signature")
        row = b" ".join(
            bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
            for value in cursor.fetchone()
        )
    for secret in ["salekh", "example.org", "Салех".encode().decode(), "364000"]:
        assert secret.encode() not in row


def test_it_keeps_only_a_keyed_digest_of_the_network_never_the_ip(client, petition):
    client.post(
        f"/en/p/{petition.slug}/sign",
        {"name": "Ada", "email": "ada@example.org", "country": "GB"},
        headers={"Origin": "http://testserver"},
        REMOTE_ADDR="203.0.113.77",
    )

    signature = only_signature()
    assert bytes(signature.network_digest) == digests.network_digest("203.0.113.1")
    assert b"203.0.113" not in bytes(signature.network_digest)


def test_it_ignores_a_forwarded_for_header_from_an_untrusted_peer(client, petition):
    client.post(
        f"/en/p/{petition.slug}/sign",
        {"name": "Ada", "email": "ada@example.org", "country": "GB"},
        headers={"Origin": "http://testserver", "X-Forwarded-For": "198.51.100.9"},
        REMOTE_ADDR="203.0.113.77",
    )

    assert bytes(only_signature().network_digest) == digests.network_digest("203.0.113.77")


def test_it_records_the_language_the_signer_used(client, petition):
    response = client.post(
        f"/ru/p/{petition.slug}/sign",
        {"name": "Иван", "email": "ivan@example.ru", "country": "RU"},
        headers={"Origin": "http://testserver"},
    )

    assert response.status_code == 303
    assert response["Location"] == f"/ru/p/{petition.slug}/check-email"
    assert only_signature().language == "ru"


@pytest.mark.parametrize(
    "name",
    ["Салех Магамадов", "إسماعيل عيساييف", "Zoë 🏳️‍🌈 Smith", "李小龍", "Nguyễn Thị Minh Khai", "O'Brien-Smith"],
)
def test_it_accepts_names_in_any_script(sign, petition, name):
    assert sign(petition, name=name).status_code == 303

    assert crypto.decrypt(petition.pk, "name", only_signature().name_encrypted) == name


def test_it_keeps_the_tracking_source_and_only_the_host_of_the_referrer(sign, petition):
    sign(petition, source="telegram", came_from="https://news.example.com/story?id=42&email=x@y.z")

    signature = only_signature()
    assert signature.source == "telegram"
    assert signature.referrer_host == "news.example.com"


def test_it_drops_a_malformed_source_instead_of_refusing_the_signer(sign, petition):
    assert sign(petition, source="<script>").status_code == 303

    assert only_signature().source == ""


class TestRepeatSignatures:
    def test_it_answers_a_repeat_exactly_like_a_first_signature(self, sign, petition):
        first = sign(petition, email="same@example.org")
        again = sign(petition, email="same@example.org", name="Someone Else")

        assert (first.status_code, first["Location"]) == (again.status_code, again["Location"])
        assert first.content == again.content
        assert sorted(first.headers) == sorted(again.headers)

    def test_it_keeps_one_signature_per_inbox(self, sign, petition):
        for email in ["Jane.Doe@gmail.com", "janedoe+petition@googlemail.com", " JANEDOE@GMAIL.COM "]:
            assert sign(petition, email=email).status_code == 303

        assert Signature.objects.count() == 1
        assert crypto.decrypt(petition.pk, "email", only_signature().email_encrypted) == "Jane.Doe@gmail.com"

    def test_it_mails_a_repeat_signer_once_and_not_again_within_ten_minutes(self, sign, petition):
        for _ in range(5):
            sign(petition, email="same@example.org")

        assert queued_mail_kinds() == ["signed", "signed_again"]

    def test_it_mails_a_repeat_signer_again_after_ten_minutes(self, sign, petition):
        sign(petition, email="same@example.org")
        sign(petition, email="same@example.org")
        Signature.objects.update(reminded_at="2000-01-01T00:00:00Z")

        sign(petition, email="same@example.org")

        assert queued_mail_kinds() == ["signed", "signed_again", "signed_again"]

    def test_it_does_not_overwrite_the_first_signature(self, sign, petition):
        sign(petition, email="same@example.org", name="First Name", country="FR")
        sign(petition, email="same@example.org", name="Second Name", country="DE")

        signature = only_signature()
        assert signature.country == "FR"
        assert crypto.decrypt(petition.pk, "name", signature.name_encrypted) == "First Name"

    def test_it_lets_the_same_person_sign_two_petitions(self, sign, petition, instant_petition):
        sign(petition, email="same@example.org")
        sign(instant_petition, email="same@example.org")

        digests_ = {bytes(d) for d in Signature.objects.values_list("email_digest", flat=True)}
        assert len(digests_) == 2  # digests differ, so a dump does not link the two signatures


class TestPetitionsThatTakeNoSignatures:
    @pytest.mark.parametrize("state", [Petition.State.CLOSED, Petition.State.ARCHIVED])
    def test_it_explains_that_a_closed_petition_takes_no_signatures(self, sign, petition, state):
        Petition.objects.filter(pk=petition.pk).update(state=state)

        response = sign(petition)

        assert response.status_code == 409
        assert "no longer takes signatures" in response.content.decode()
        assert not Signature.objects.exists()

    def test_it_treats_a_petition_past_its_deadline_as_closed(self, sign, petition):
        petition.deadline = "2020-01-01T00:00:00Z"
        petition.save()

        assert sign(petition).status_code == 409
        assert not Signature.objects.exists()

    @pytest.mark.parametrize("state", [Petition.State.DRAFT, Petition.State.PENDING, Petition.State.REJECTED])
    def test_it_does_not_reveal_a_petition_that_is_not_public(self, sign, petition, state):
        petition.state = state
        petition.save()

        response = sign(petition)

        assert response.status_code == 404
        assert not Signature.objects.exists()

    def test_it_answers_404_for_an_unknown_petition(self, client):
        response = client.post("/en/p/no-such-petition/sign", {"name": "A"}, headers={"Origin": "http://testserver"})

        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


class TestOrigin:
    def test_it_refuses_a_post_from_another_site(self, client, petition):
        response = client.post(
            f"/en/p/{petition.slug}/sign",
            {"name": "Ada", "email": "ada@example.org", "country": "GB"},
            headers={"Origin": "https://evil.example"},
        )

        assert response.status_code == 403
        assert "Please sign on the petition page" in response.content.decode()
        assert not Signature.objects.exists()

    @pytest.mark.parametrize("headers", [{}, {"Origin": "null"}, {"Referer": "https://evil.example/page"}])
    def test_it_refuses_a_post_without_a_trustworthy_origin(self, client, petition, headers):
        response = client.post(
            f"/en/p/{petition.slug}/sign", {"name": "Ada", "email": "ada@example.org", "country": "GB"}, headers=headers
        )

        assert response.status_code == 403
        assert not Signature.objects.exists()

    def test_it_falls_back_to_the_referer_when_a_browser_sends_no_origin(self, client, petition):
        response = client.post(
            f"/en/p/{petition.slug}/sign",
            {"name": "Ada", "email": "ada@example.org", "country": "GB"},
            headers={"Referer": f"http://testserver/p/{petition.slug}/"},
        )

        assert response.status_code == 303

    def test_it_accepts_a_partner_embed_it_is_configured_to_allow(self, client, petition, settings):
        settings.EMBED_ORIGINS = ["https://partner.example"]

        response = client.post(
            f"/en/p/{petition.slug}/sign",
            {"name": "Ada", "email": "ada@example.org", "country": "GB"},
            headers={"Origin": "https://partner.example"},
        )

        assert response.status_code == 303


def rate_limit_statements() -> list[str]:
    # With Redis the rate limits cost one Redis round trip and no SQL; without
    # it, one upsert bumps and reads every limit's counter (see shield/limits.py).
    return [] if settings.REDIS_URL else ['INSERT INTO "shield_limitcounter"']


def test_it_signs_with_a_pinned_number_of_queries(sign, petition):
    sign(petition, email="warm-up@example.org")  # loads the petition into cache and its key into memory

    with data_statements() as statements:
        response = sign(petition, email="counted@example.org")

    assert response.status_code == 303
    limit_statements = rate_limit_statements()
    assert [sql.split(" (")[0] for sql in statements[: len(limit_statements)]] == limit_statements
    statements = statements[len(limit_statements) :]
    if connection.vendor == "postgresql":
        # One statement inserts the signature and its email task (see signing/outbox.py).
        assert len(statements) == 1
        assert statements[0].startswith('WITH new_signature AS (INSERT INTO "signing_signature"')
    else:
        assert [sql.split(" (")[0] for sql in statements] == [
            'INSERT INTO "signing_signature"',
            'INSERT INTO "django_tasks_database_dbtaskresult"',
        ]


def test_it_answers_a_repeat_with_a_pinned_number_of_queries(sign, petition):
    sign(petition, email="same@example.org")

    with data_statements() as statements:
        sign(petition, email="same@example.org")

    # The rate limits (a repeat is an attempt like any other), the refused
    # insert, the earlier signature, the reminder claim, its email.
    assert len(statements) == len(rate_limit_statements()) + 4


def test_it_looks_up_a_referrer_with_one_query_and_only_for_a_code_that_passes_its_check(sign, petition):
    sign(petition, email="referrer@example.org")
    referrer = Signature.objects.get()
    Signature.objects.filter(pk=referrer.pk).update(state=Signature.State.VALIDATED, validated_at=timezone.now())
    code = referrals.code_for(petition.pk, referrer.pk)
    with data_statements() as plain:
        sign(petition, email="plain@example.org")
    with data_statements() as forged:
        sign(petition, email="forged@example.org", ref=code[:-1] + ("1" if code[-1] == "0" else "0"))

    with data_statements() as referred:
        sign(petition, email="referred@example.org", ref=code)

    assert len(forged) == len(plain)
    assert len(referred) == len(plain) + 1
    assert referred[len(rate_limit_statements())].startswith('SELECT "signing_signature"."referral_depth"')

"""After an emergency erase, no signer's address, name or postcode can be found anywhere: not in any table, not
through any screen or API, not with the site's own keys, not in the mail files the site wrote."""

import json
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection

from standwith.api import services as api_services
from standwith.api.idempotency import HEADER as IDEMPOTENCY_KEY
from standwith.api.models import Scope
from standwith.campaigns.models import Case, Update
from standwith.conftest import ORIGIN, otp_login, sign_data
from standwith.outreach.models import Delivery, Mailing
from standwith.outreach.webhooks import keys as webhook_keys
from standwith.outreach.webhooks.models import Delivery as WebhookDelivery
from standwith.outreach.webhooks.models import Endpoint, Event
from standwith.signing import crypto, services
from standwith.signing.models import ErasureRecord, Signature
from standwith.signing.shredding import emergency_erase
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db

SIGNERS = [
    {"name": "Салех Магамадов", "email": "Salekh.Zhdqv@Example.org", "country": "RU", "postcode": "364051"},
    {"name": "فاطمة الزهراء", "email": "fatima.qwrtzx@example.net", "country": "EG", "postcode": "QX7 4ZW"},
    {"name": "Zbigniew Plumbusworth", "email": "ZBIG.plumbusxx+petition@example.com", "country": "PL"},
]
BY_API = {
    "name": "Wilhelmina Quorrington",
    "email": "wquorrington@example.org",
    "country": "GB",
    "postcode": "KW17 9QZ",
}
API = "/api/v1/organization/petitions/free-them/signatures"


def needles() -> list[str]:
    """Everything that would name or locate one of these signers, as the database might hold it."""
    found = []
    for person in [*SIGNERS, BY_API]:
        email = person["email"]
        found += [email, email.split("@")[0].split("+")[0], person.get("postcode", "")]
        found += [part for part in person["name"].split() if len(part) >= 4]
    found = [needle for needle in found if needle]
    # JSON columns may keep text escaped (\u0421...), and any column may hold it in another case.
    return found + [json.dumps(needle)[1:-1] for needle in found if not needle.isascii()]


def database_values() -> Iterator[tuple[str, str, object]]:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            # Table names from the database itself, quoted: nothing from outside reaches this statement.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    yield table, column, value


def leaks() -> list[tuple[str, str, str]]:
    """Where in the database any of the needles is, in any case, in text or bytes."""
    wanted = [needle.lower() for needle in needles()]
    found = []
    for table, column, value in database_values():
        if value is None:
            continue
        if isinstance(value, (bytes, memoryview)):
            text = bytes(value).decode("utf-8", "replace").lower()
        else:
            text = str(value).lower()
        found += [(table, column, needle) for needle in wanted if needle in text]
    return found


def mail_text(path: Path) -> str:
    """A message as its reader sees it: headers decoded, and every part's body."""
    message = BytesParser(policy=default_policy).parsebytes(path.read_bytes())
    parts = [f"{name}: {value}" for name, value in message.items()]
    parts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    return "\n".join(str(part) for part in parts).lower()


def mail_file_leaks(directory: Path) -> list[str]:
    wanted = [needle.lower() for needle in needles()]
    return [path.name for path in directory.glob("*.eml") for needle in wanted if needle in mail_text(path)]


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@example.org", "unused-password-1")


@pytest.fixture
def mail_dir(settings, tmp_path):
    settings.EMAIL_BACKEND = "standwith.outreach.mailfiles.MessageFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    return tmp_path


@pytest.fixture
def signed(client, petition, organization, admin_user, mail_dir, run_tasks):
    """A petition whose signers' data has been copied about as the site copies it, before the erase."""
    Endpoint.objects.create(
        organization=organization,
        url="https://hooks.example.org/in",
        events=[Event.SIGNATURE_CONFIRMED],
        secret_encrypted=webhook_keys.seal(organization.pk, "whsec_x"),
        personal_data=True,
    )
    for person in SIGNERS:
        response = client.post(f"/en/p/{petition.slug}/sign", sign_data(**person), headers={"Origin": ORIGIN})
        assert response.status_code in (200, 302, 303)
    _token, secret = api_services.create_token(admin_user, organization, "Sync", list(Scope.values), client_ip=None)
    bearer = {"Authorization": f"Bearer {secret}"}
    answer = client.post(API, BY_API, content_type="application/json", headers={**bearer, IDEMPOTENCY_KEY: "k-1"})
    assert answer.status_code == 202
    run_tasks()  # the confirmation mails, written to files
    signatures = list(Signature.objects.filter(petition=petition).order_by("pk"))
    for signature in signatures:
        services.confirm(petition, signature.pk)
    run_tasks()  # the webhook deliveries
    assert WebhookDelivery.objects.exists()
    case = Case.objects.create(organization=organization, slug="the-case", title="The case", summary="S.")
    mailing = Mailing.objects.create(
        organization=organization, update=Update.objects.create(case=case, title="News", body="B.")
    )
    for number, signature in enumerate(signatures):
        Delivery.objects.create(
            mailing=mailing,
            signature=signature,
            recipient=bytes([number]) * 32,
            state=Delivery.State.FAILED,
            error=f"550 5.1.1 <{crypto.decrypt(petition.pk, 'email', signature.email_encrypted)}>: no such user",
        )
    otp_login(client, admin_user)
    assert client.get(f"/admin/signing/signature/{signatures[0].pk}/change/").status_code == 200
    assert client.get(API, headers=bearer).status_code == 200
    assert AuditRecord.objects.filter(action__in=["signature.view", "api.personal_data_read"]).count() == 2
    return {"signatures": signatures, "bearer": bearer}


def test_it_finds_the_signers_in_the_database_and_mail_files_before_the_erase(signed, mail_dir):
    assert leaks()  # the mail server's error texts quote the addresses: the search does find them
    assert mail_file_leaks(mail_dir)


def test_it_leaves_no_signer_in_any_table_after_the_erase(signed, petition, admin_user):
    emergency_erase(petition, admin_user)

    assert leaks() == []


def test_it_leaves_no_signer_in_the_mail_files_the_site_wrote(signed, petition, admin_user, mail_dir):
    emergency_erase(petition, admin_user)

    assert mail_file_leaks(mail_dir) == []


def test_it_leaves_nothing_the_sites_own_keys_can_open(signed, petition, admin_user):
    sealed = [(s.name_encrypted, s.email_encrypted) for s in signed["signatures"]]

    emergency_erase(petition, admin_user)

    # Even the ciphertexts as they were (a backup's copy) no longer open with the master key in hand.
    for name, email in sealed:
        with pytest.raises(crypto.UndecryptableError):
            crypto.decrypt(petition.pk, "name", name)
        with pytest.raises(crypto.UndecryptableError):
            crypto.decrypt(petition.pk, "email", email)


def test_it_shows_nobody_on_the_signer_screens_or_the_api(signed, petition, admin_user, client):
    emergency_erase(petition, admin_user)

    listing = client.get(f"/admin/signing/signature/?petition={petition.pk}")
    detail = client.get(f"/admin/signing/signature/{signed['signatures'][0].pk}/change/")
    api = client.get(API, headers=signed["bearer"])
    one = client.get(f"{API}/{signed['signatures'][1].pk}", headers=signed["bearer"])

    assert (listing.status_code, detail.status_code, api.status_code, one.status_code) == (200, 200, 200, 200)
    shown = (listing.content + detail.content + api.content + one.content).decode().lower()
    assert not [needle for needle in needles() if needle.lower() in shown]
    assert {(item["name"], item["email"], item["postcode"]) for item in api.json()["items"]} == {("", "", "")}


def test_it_keeps_the_count_and_the_figures(signed, petition, admin_user):
    before = list(Signature.objects.filter(petition=petition).order_by("pk").values_list("state", "country", "source"))

    emergency_erase(petition, admin_user)

    after = list(Signature.objects.filter(petition=petition).order_by("pk").values_list("state", "country", "source"))
    assert after == before
    assert len(after) == 4


def test_it_records_the_erase_in_the_audit_log_and_the_erasure_records(signed, petition, admin_user):
    emergency_erase(petition, admin_user, client_ip="203.0.113.9")

    audit = AuditRecord.objects.get(action="petition.emergency_erase")
    assert (audit.actor, audit.object_id, audit.details["signatures"], audit.network) == (
        admin_user,
        str(petition.pk),
        4,
        "203.0.113.0/24",
    )
    erasure = ErasureRecord.objects.get()
    assert (erasure.kind, erasure.petition, erasure.signatures, erasure.by) == ("emergency", petition, 4, admin_user)

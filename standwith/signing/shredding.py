"""Emergency erase: destroy a petition's data key, so none of its signers' personal data can be read again.

For the moment the data itself is in danger (a server about to be seized, a breach in progress): deleting the
one key row makes every copy of the petition's names, addresses and postcodes unreadable at once, in this
database and in any backup taken after the master key is rotated or destroyed (crypto-shredding). Then the
ciphertexts and every keyed digest that could confirm a guessed address are wiped from the rows too, in
batches; the count, states, countries, dates and sources stay, so the petition's figures do not change.

The petition itself goes on as it was: a new signature gets a new key (one process learns of the erase at
once, the others within crypto.KEY_RECHECK_SECONDS). Staff who want it to stop taking signatures close it.
"""

import datetime
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import django_otp
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from standwith.campaigns.models import Petition
from standwith.signing import crypto
from standwith.signing.erasure import BATCH, erased_digest
from standwith.signing.models import ErasureRecord, PetitionKey, Signature
from standwith.staff.models import Role
from standwith.staff.services import NotAllowed, record, roles_of

ACTION = "petition.emergency_erase"
# Signatures written under the old key by another process in the moments before it let go of the key are
# wiped with the rest: everything signed up to this long after the erase.
STRAGGLERS = datetime.timedelta(seconds=crypto.KEY_RECHECK_SECONDS * 3)
SCRUBBED_FIELDS = [
    "email_digest",
    "email_encrypted",
    "name_encrypted",
    "postcode_encrypted",
    "network_digest",
    "domain_digest",
    "consent_campaign_updates",
    "consent_org_updates",
    "erased_at",
]


class Refused(Exception):
    """The second confirmation did not match; nothing was changed."""


def may_erase(user: Any) -> bool:
    """Site admins only: an act that cannot be undone, over any organisation's signers."""
    return Role.ADMIN in roles_of(user, None)


def app_code_is_right(user: Any, code: str) -> bool:
    """Whether one of the user's authenticator apps takes this code now (each code once: a replay is refused)."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return False
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if django_otp.verify_token(user, device.persistent_id, code) is not None:
            return True
    return False


def confirm(user: Any, petition: Petition, slug: str, code: str, *, client_ip: str | None) -> None:
    """Check the second confirmation: the petition's address typed out, and a fresh code from the app."""
    if not may_erase(user):
        raise NotAllowed(_("Only site admins may erase a petition's data."))
    slug_matches = slug.strip() == petition.slug
    # Asked before this code is tried: a wrong code itself starts a short wait, and is not "too many".
    waiting = any(not device.verify_is_allowed()[0] for device in TOTPDevice.objects.filter(user=user, confirmed=True))
    # The code is checked even when the slug is wrong, so a wrong code always counts towards the device's wait.
    code_is_right = app_code_is_right(user, code)
    if not slug_matches:
        raise Refused(_("The address you typed is not this petition's. Nothing was erased."))
    if not code_is_right:
        record(user, "staff.second_factor_failed", user, client_ip=client_ip, method="totp", purpose=ACTION)
        if waiting:
            raise Refused(
                _("Too many wrong codes in a row: please wait a few seconds, then try again. Nothing was erased.")
            )
        raise Refused(_("That code is not right, or was used already. Nothing was erased."))


def emergency_erase(petition: Petition, actor: Any, *, client_ip: str | None = None) -> ErasureRecord:
    """Destroy the petition's data key now, then wipe what is left of its signers; audited.

    The key goes first, in a transaction of its own: from that commit on, the data is unreadable, however
    long the wiping that follows takes or wherever it is cut short (`finish` completes it).
    """
    if not may_erase(actor):
        raise NotAllowed(_("Only site admins may erase a petition's data."))
    with transaction.atomic():
        had_key = PetitionKey.objects.filter(petition=petition).delete()[0] > 0
        signers = Signature.objects.filter(petition=petition, erased_at__isnull=True).count()
        erasure = ErasureRecord.objects.create(
            kind=ErasureRecord.Kind.EMERGENCY, petition=petition, signatures=signers, by=actor
        )
        record(actor, ACTION, petition, client_ip=client_ip, signatures=signers, had_key=had_key)
    crypto.forget_keys(petition.pk)
    scrub(petition, erasure.at)
    remove_mail_files(petition)
    return erasure


def _left(petition: Petition, erased_at: datetime.datetime) -> QuerySet[Signature]:
    return Signature.objects.filter(petition=petition, erased_at__isnull=True, created_at__lte=erased_at + STRAGGLERS)


def scrub(petition: Petition, erased_at: datetime.datetime) -> int:
    """Wipe ciphertexts and digests of the signatures made before the erase; how many. Idempotent."""
    from standwith.outreach.models import Delivery

    scrubbed = 0
    while ids := list(_left(petition, erased_at).order_by("pk").values_list("pk", flat=True)[:BATCH]):
        now = timezone.now()
        with transaction.atomic():
            rows = list(Signature.objects.select_for_update().filter(pk__in=ids, erased_at__isnull=True))
            for row in rows:
                # Its own id's digest keeps the row's place in the one-per-inbox index, and lets the person sign
                # again; the keyed digest of the address could confirm a guessed one with the site's secrets.
                row.email_digest = erased_digest(row.pk)
                row.email_encrypted = row.name_encrypted = b""
                row.postcode_encrypted = row.network_digest = row.domain_digest = None
                # Nobody can be written to any more: mailings pass them by.
                row.consent_campaign_updates = row.consent_org_updates = False
                row.erased_at = now
            Signature.objects.bulk_update(rows, SCRUBBED_FIELDS)
            # Mailing deliveries: the recipient's digest, and a mail server's error text that can quote the address.
            deliveries = list(Delivery.objects.filter(signature_id__in=ids).only("pk", "state"))
            for delivery in deliveries:
                delivery.recipient, delivery.error = erased_digest(delivery.pk), ""
                if delivery.state == Delivery.State.QUEUED:
                    delivery.state = Delivery.State.SKIPPED  # a mailing under way cannot address them now
            Delivery.objects.bulk_update(deliveries, ["recipient", "error", "state"], batch_size=BATCH)
        scrubbed += len(rows)
    return scrubbed


def finish() -> int:
    """Complete emergency erases whose wiping was cut short (the daily sweep calls this); how many rows."""
    done = 0
    for erasure in ErasureRecord.objects.filter(kind=ErasureRecord.Kind.EMERGENCY).select_related("petition"):
        if erasure.petition is not None and _left(erasure.petition, erasure.at).exists():
            done += scrub(erasure.petition, erasure.at)
    return done


def _mentions(message: Message, needle: str) -> bool:
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and needle.encode() in payload:
            return True
    return any(needle in str(value) for value in message.values())


def remove_mail_files(petition: Petition) -> int:
    """With mail written to files (the embedded default), delete the messages about this petition; how many.

    They hold signers' addresses and names in the clear. Mail sent over SMTP is out of the site's reach.
    """
    if settings.EMAIL_BACKEND != "standwith.outreach.mailfiles.MessageFileBackend":
        return 0
    directory = Path(settings.EMAIL_FILE_PATH)
    if not directory.is_dir():
        return 0
    # Every mail about a petition links to it, by its address.
    needle = f"/p/{petition.slug}/"
    removed = 0
    for path in directory.glob("*.eml"):
        try:
            if _mentions(message_from_bytes(path.read_bytes()), needle):
                path.unlink()
                removed += 1
        except OSError:
            continue  # gone already, or unreadable: the next one
    return removed

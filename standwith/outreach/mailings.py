"""Mailings of campaign updates to consenting signers: composing, choosing recipients, and staff's controls.

The one write path for the staff screens, the tests and the bench. Sending
itself is in sending.py; every control here is recorded in the audit log.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries as known_countries

from standwith.campaigns.models import Organization, Petition, Update
from standwith.outreach import composing, recipients
from standwith.outreach.composing import RefusedContent
from standwith.outreach.models import Batch, Delivery, Mailing, Suppression, Unsubscription
from standwith.signing.models import Signature
from standwith.staff.models import Role
from standwith.staff.services import NotAllowed, record, roles_of

State = Mailing.State
# Who may mail an organisation's signers: its campaigners, and admins.
MAILERS = {Role.CAMPAIGNER, Role.ADMIN}
PREPARE_CHUNK = 2000
_SOURCE = re.compile(r"[\w.:-]{1,64}")


class WrongState(Exception):
    """The mailing is not in a state where this can be done (sending one that is sent, say)."""

    def __init__(self, mailing: Mailing, action: str) -> None:
        super().__init__(f"cannot {action} a mailing that is {mailing.state}")
        self.mailing = mailing


def _allowed(user: User, organization: Organization) -> None:
    if not roles_of(user, organization) & MAILERS:
        raise NotAllowed(_("Only the organisation's campaigners and admins may send its mailings."))


def create_mailing(
    organization: Organization,
    update: Update,
    petitions: Sequence[Petition],
    *,
    created_by: User,
    countries: Iterable[str] = (),
    sources: Iterable[str] = (),
    from_name: str = "",
    rate: int | None = None,
) -> Mailing:
    """A draft mailing of `update` to the signers of `petitions`, optionally of some countries or sources only."""
    _allowed(created_by, organization)
    countries, sources = sorted(set(countries)), sorted(set(sources))
    if not petitions:
        raise ValidationError(_("Choose at least one petition."), code="no_petitions")
    if any(petition.organization_id != organization.pk for petition in petitions):
        raise ValidationError(_("Only the organisation's own petitions can be mailed."), code="foreign_petition")
    if update.case.organization_id != organization.pk:
        raise ValidationError(_("This update belongs to another organisation."), code="foreign_update")
    if update.published_at is None:
        raise ValidationError(_("Publish the update before mailing it."), code="draft_update")
    if unknown := [code for code in countries if code not in dict(known_countries)]:
        raise ValidationError(_("Unknown country codes: %(codes)s") % {"codes": ", ".join(unknown)}, code="country")
    if any(not _SOURCE.fullmatch(source) for source in sources):
        raise ValidationError(_("A source is a short code of letters, digits, dots and dashes."), code="source")
    if len(from_name) > 100:
        raise RefusedContent(_("The sender's name is longer than 100 characters."), code="oversize")
    composing.check_line(from_name, _("The sender's name"))
    if rate is not None and not 1 <= rate <= 1_000_000:
        raise ValidationError(_("The rate is a number of messages per second, from 1."), code="rate")
    composing.check_update(update)
    with transaction.atomic():
        mailing = Mailing.objects.create(
            organization=organization,
            update=update,
            countries=countries,
            sources=sources,
            from_name=from_name,
            rate=rate,
            created_by=created_by,
        )
        mailing.petitions.set(petitions)
        record(created_by, "mailing.create", mailing, petitions=[p.pk for p in petitions])
    return mailing


def preview(mailing: Mailing, language: str) -> composing.Letter:
    """The message as signers reading `language` will get it (the update's own language if it has no such version)."""
    available = composing.languages(mailing.update)
    return composing.letter(mailing, language if language in available else available[0])


def send_test(mailing: Mailing, user: User, language: str | None = None, *, client_ip: str | None = None) -> str:
    """Mail the message to the staff member themselves; returns the address it went to."""
    from standwith.outreach import connection

    _allowed(user, mailing.organization)
    if not user.email:
        raise ValidationError(_("Your account has no email address to send the test to."), code="no_email")
    composing.check_update(mailing.update)
    shown = preview(mailing, language or mailing.update.case.language)
    addressed = composing.envelope(mailing, user.email, delivery_id=None, signature_id=0, language=shown.language)
    connection.send(composing.message(mailing, shown, addressed))
    record(user, "mailing.test", mailing, client_ip=client_ip, language=shown.language)
    return user.email


def start(mailing: Mailing, actor: User, *, client_ip: str | None = None) -> None:
    """Choose the recipients (in a task: there may be millions) and then send."""
    from standwith.outreach.tasks import prepare_mailing

    _allowed(actor, mailing.organization)
    composing.check_update(mailing.update)
    with transaction.atomic():
        if not Mailing.objects.filter(pk=mailing.pk, state=State.DRAFT).update(state=State.PREPARING):
            raise WrongState(mailing, "start")
        record(actor, "mailing.start", mailing, client_ip=client_ip)
        prepare_mailing.enqueue(mailing.pk)
    mailing.refresh_from_db()


def pause(mailing: Mailing, actor: User, *, client_ip: str | None = None) -> None:
    """Stop sending after the messages in hand; resume() carries on where it stopped."""
    _allowed(actor, mailing.organization)
    with transaction.atomic():
        current = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if current.state != State.SENDING:
            raise WrongState(current, "pause")
        now = timezone.now()
        active = current.active_seconds + _since(current.resumed_at, now)
        Mailing.objects.filter(pk=mailing.pk).update(state=State.PAUSED, active_seconds=active, resumed_at=None)
        record(actor, "mailing.pause", current, client_ip=client_ip)
    mailing.refresh_from_db()


def resume(mailing: Mailing, actor: User, *, client_ip: str | None = None) -> None:
    _allowed(actor, mailing.organization)
    with transaction.atomic():
        current = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if current.state != State.PAUSED:
            raise WrongState(current, "resume")
        current.state, current.resumed_at, current.run = State.SENDING, timezone.now(), current.run + 1
        current.save(update_fields=["state", "resumed_at", "run"])
        record(actor, "mailing.resume", current, client_ip=client_ip)
        _start_lanes(current)
    mailing.refresh_from_db()


def cancel(mailing: Mailing, actor: User, *, client_ip: str | None = None) -> None:
    """Send no more of it; what has gone stays recorded."""
    _allowed(actor, mailing.organization)
    with transaction.atomic():
        current = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if current.state in (State.CANCELLED, State.FINISHED):
            raise WrongState(current, "cancel")
        now = timezone.now()
        current.active_seconds += _since(current.resumed_at, now)
        current.state, current.resumed_at, current.finished_at = State.CANCELLED, None, now
        current.save(update_fields=["state", "active_seconds", "resumed_at", "finished_at"])
        tell_finished(current)
        record(actor, "mailing.cancel", current, client_ip=client_ip, sent=current.sent)
    mailing.refresh_from_db()


@dataclass(frozen=True)
class Progress:
    state: str
    recipients: int
    sent: int
    failed: int
    skipped: int
    remaining: int
    per_second: float | None
    eta: timedelta | None


def progress(mailing: Mailing) -> Progress:
    """How far a mailing is, from the counters on its row (one read, however big the mailing)."""
    current = Mailing.objects.get(pk=mailing.pk)
    done = current.sent + current.failed + current.skipped
    remaining = max(0, current.recipients - done) if current.state not in (State.CANCELLED, State.FINISHED) else 0
    active = current.active_seconds + _since(current.resumed_at, timezone.now())
    per_second = round(done / active, 1) if active > 0 and done else None
    eta = timedelta(seconds=round(remaining / per_second)) if per_second and remaining else None
    return Progress(
        state=current.state,
        recipients=current.recipients,
        sent=current.sent,
        failed=current.failed,
        skipped=current.skipped,
        remaining=remaining,
        per_second=per_second,
        eta=eta,
    )


def _since(moment: datetime | None, now: datetime) -> float:
    return (now - moment).total_seconds() if moment is not None else 0.0


def eligible(mailing: Mailing, petition: Petition) -> Q:
    """The signatures of `petition` that may get this mailing, as the database can filter them."""
    consent = Q(consent_org_updates=True)
    if petition.case_id is not None and petition.case_id == mailing.update.case_id:
        consent |= Q(consent_campaign_updates=True)
    condition = Q(petition_id=petition.pk, state=Signature.State.VALIDATED, confirmed_at__isnull=False) & consent
    if mailing.countries:
        condition &= Q(country__in=mailing.countries)
    if mailing.sources:
        condition &= Q(source__in=mailing.sources)
    return condition


def prepare(mailing: Mailing) -> int:
    """Record one delivery per inbox among the eligible signers, in batches; then start sending.

    Safe to run again after a crash: a delivery already recorded is kept, and
    the batches are made only once every delivery is in.
    """
    if not Mailing.objects.filter(pk=mailing.pk, state=State.PREPARING).exists():
        return 0
    for petition in mailing.petitions.order_by("pk"):
        after = 0
        while True:
            chunk = list(
                Signature.objects.filter(eligible(mailing, petition), pk__gt=after)
                .order_by("pk")
                .only("pk", "petition_id", "email_encrypted")[:PREPARE_CHUNK]
            )
            if not chunk:
                break
            after = chunk[-1].pk
            _record_deliveries(mailing, chunk)
    with transaction.atomic():
        current = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if current.state != State.PREPARING:
            return 0
        Batch.objects.filter(mailing=current).delete()
        ids = list(Delivery.objects.filter(mailing=current).order_by("pk").values_list("pk", flat=True))
        size = settings.MAILING_BATCH_SIZE
        Batch.objects.bulk_create(
            Batch(mailing=current, first_delivery=ids[i], last_delivery=ids[min(i + size, len(ids)) - 1])
            for i in range(0, len(ids), size)
        )
        now = timezone.now()
        current.state, current.recipients, current.run = State.SENDING, len(ids), current.run + 1
        current.started_at = current.resumed_at = now
        current.save(update_fields=["state", "recipients", "run", "started_at", "resumed_at"])
        _start_lanes(current)
    return len(ids)


def _record_deliveries(mailing: Mailing, signatures: list[Signature]) -> None:
    found = []
    for signature in signatures:
        address = recipients.canonical(recipients.address_of(signature))
        found.append((signature, address))
    blocked = blocked_addresses(mailing.organization_id, [address for _, address in found])
    Delivery.objects.bulk_create(
        [
            Delivery(mailing=mailing, signature=signature, recipient=recipients.recipient_digest(mailing.pk, address))
            for signature, address in found
            if address not in blocked
        ],
        # The same inbox met again (on another petition, or in a rerun): the first one found stays.
        ignore_conflicts=True,
    )


def blocked_addresses(organization_id: int, addresses: list[str]) -> set[str]:
    """Those of these (canonical) addresses unsubscribed from the organisation or suppressed site-wide."""
    by_unsubscribe = {recipients.unsubscribe_digest(organization_id, a): a for a in addresses}
    by_suppression = {recipients.suppression_digest(a): a for a in addresses}
    unsubscribed = Unsubscription.objects.filter(organization_id=organization_id, digest__in=list(by_unsubscribe))
    suppressed = Suppression.objects.filter(digest__in=list(by_suppression))
    return {by_unsubscribe[bytes(d)] for d in unsubscribed.values_list("digest", flat=True)} | {
        by_suppression[bytes(d)] for d in suppressed.values_list("digest", flat=True)
    }


def _start_lanes(mailing: Mailing) -> None:
    from standwith.outreach.tasks import send_mailing

    for lane in range(settings.MAILING_LANES):
        send_mailing.enqueue(mailing.pk, mailing.run, lane)


def tell_finished(mailing: Mailing) -> None:
    """Queue the organisation's `mailing.finished` webhooks, in the transaction that ends the mailing."""
    from standwith.outreach.webhooks import services as webhooks  # which imports this app's models

    counts = {name: getattr(mailing, name) for name in ("recipients", "sent", "failed", "skipped")}
    webhooks.emit(
        mailing.organization_id,
        "mailing.finished",
        {"mailing": {"id": mailing.pk, "state": mailing.state, "update": mailing.update_id, **counts}},
    )

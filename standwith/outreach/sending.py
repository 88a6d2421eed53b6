"""Sending a mailing: workers claim batches of deliveries in key order, under leases.

What holds, whatever crashes:
- A batch is worked by one worker at a time (claimed with SKIP LOCKED on
  PostgreSQL; SQLite has one writer), under a lease the worker renews; a dead
  worker's batch is claimed again once its lease ends, and only what is still
  queued in it is sent.
- Each delivery is recorded as the mail server accepts it: the row is marked
  sent inside a transaction opened before the message goes, and committed
  the moment the server answers 250. A crash before the answer rolls the mark
  back, so the message is sent again on resume, as it must be if the server
  never took it. What remains is the window of RFC 1047: the server has
  taken the message but the worker dies before its COMMIT leaves (while the
  server processes the end of data, or in the microseconds after its answer).
  A kill there repeats that one message; nothing is ever skipped. On SQLite
  the open transaction holds the one write lock for the length of an SMTP
  exchange, which the embedded default's small scale allows.
- Counters on the mailing row grow once per batch, as the batch is closed.
"""

import signal
import smtplib
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import connection as database
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from standwith.outreach import composing, connection, recipients
from standwith.outreach.mailings import blocked_addresses, tell_finished
from standwith.outreach.models import Batch, Delivery, Mailing
from standwith.signing.models import Signature

State = Mailing.State
SLICE_SECONDS = 10
# How often a worker looks again at the mailing's state (paused? cancelled?) while it sends.
CHECK_EVERY_SECONDS = 1.0


class Throttle:
    """At most `rate` messages a second for one mailing, across every worker sharing the cache.

    Workers take a few sends at a time from a counter per second, so the cache
    is asked about twenty times a second whatever the rate.
    """

    def __init__(self, mailing_id: int, rate: int) -> None:
        self.key = f"mailing-rate:{mailing_id}"
        self.rate = rate
        self.step = max(1, rate // 20)
        self.left = 0

    def wait(self) -> None:
        while self.left == 0:
            second = int(time.time())
            key = f"{self.key}:{second}"
            cache.add(key, 0, timeout=5)
            try:
                taken = cache.incr(key, self.step)
            except ValueError:  # expired between the two calls
                continue
            if taken - self.step < self.rate:
                self.left = min(self.step, self.rate - (taken - self.step))
            else:
                time.sleep(max(0.0, second + 1 - time.time()))
        self.left -= 1


@dataclass
class Lane:
    """One worker's share of a mailing for one slice of time."""

    mailing: Mailing
    run: int
    # The update's languages, and each petition's own language, for choosing a signer's.
    languages: list[str]
    petition_languages: dict[int, str]
    # Petitions of the update's own campaign, whose signers may have agreed to its updates only.
    campaign_petitions: set[int]
    # Each petition's address, for the signer's own manage link in every message.
    petition_slugs: dict[int, str] = field(default_factory=dict)
    worker: str = field(default_factory=lambda: uuid.uuid4().hex)
    stopping: bool = False
    checked_at: float = 0.0

    @classmethod
    def of(cls, mailing: Mailing) -> "Lane":
        petitions = list(mailing.petitions.values_list("pk", "language", "case_id", "slug"))
        return cls(
            mailing,
            mailing.run,
            languages=composing.languages(mailing.update),
            petition_languages={pk: language for pk, language, _, _ in petitions},
            campaign_petitions={pk for pk, _, case, _ in petitions if case == mailing.update.case_id},
            petition_slugs={pk: slug for pk, _, _, slug in petitions},
            checked_at=time.monotonic(),
        )

    def still_wanted(self) -> bool:
        now = time.monotonic()
        if now - self.checked_at >= CHECK_EVERY_SECONDS:
            self.checked_at = now
            current = Mailing.objects.filter(pk=self.mailing.pk).values_list("state", "run").first()
            self.stopping = self.stopping or current != (State.SENDING, self.run)
        return not self.stopping and not worker_stopping()


def worker_stopping() -> bool:
    """Whether the task worker this runs in was asked to stop (Ctrl-C, a deploy's SIGTERM).

    django-tasks-db's worker lets the task in hand finish; a slice of a mailing
    then ends after the message in hand instead of sending on to its end.
    """
    handler = signal.getsignal(signal.SIGTERM)
    worker = getattr(handler, "__self__", None)
    return worker is not None and getattr(worker, "running", True) is False


def claim(mailing_id: int, worker: str) -> Batch | None:
    now = timezone.now()
    with transaction.atomic():
        batch = (
            Batch.objects.select_for_update(skip_locked=True)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now), mailing_id=mailing_id, done=False)
            .order_by("pk")
            .first()
        )
        if batch is None:
            return None
        batch.leased_until = now + timedelta(seconds=settings.MAILING_LEASE_SECONDS)
        batch.leased_by = worker
        batch.save(update_fields=["leased_until", "leased_by"])
    return batch


def _renew(batch: Batch, worker: str) -> bool:
    """Extend the lease while sending; False if it ran out and another worker has the batch."""
    until = timezone.now() + timedelta(seconds=settings.MAILING_LEASE_SECONDS)
    kept = Batch.objects.filter(pk=batch.pk, leased_by=worker, done=False).update(leased_until=until)
    batch.leased_until = until
    return kept == 1


def _release(batch: Batch, worker: str, *, until: datetime | None = None) -> None:
    Batch.objects.filter(pk=batch.pk, leased_by=worker, done=False).update(leased_until=until)


def _close(batch: Batch) -> None:
    """Mark the batch done and add what became of its deliveries to the mailing's counters, exactly once."""
    with transaction.atomic():
        if not Batch.objects.filter(pk=batch.pk, done=False).update(done=True, leased_until=None):
            return
        counts = dict(
            Delivery.objects.filter(
                mailing_id=batch.mailing_id, pk__gte=batch.first_delivery, pk__lte=batch.last_delivery
            )
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        Mailing.objects.filter(pk=batch.mailing_id).update(
            sent=F("sent") + counts.get(Delivery.State.SENT, 0),
            failed=F("failed") + counts.get(Delivery.State.FAILED, 0),
            skipped=F("skipped") + counts.get(Delivery.State.SKIPPED, 0),
        )


class ServerTrouble(Exception):
    """The mail server is unreachable or failing; the batch is left for later."""


def send_batch(lane: Lane, batch: Batch, throttle: Throttle) -> bool:
    """Send what is still queued in the batch; True if the batch was finished."""
    mailing = lane.mailing
    queued = list(
        Delivery.objects.filter(
            mailing_id=mailing.pk,
            pk__gte=batch.first_delivery,
            pk__lte=batch.last_delivery,
            state=Delivery.State.QUEUED,
        )
        .select_related("signature")
        .only(
            "pk",
            "signature__id",
            "signature__petition_id",
            "signature__email_encrypted",
            "signature__language",
            "signature__state",
            "signature__confirmed_at",
            "signature__consent_org_updates",
            "signature__consent_campaign_updates",
        )
        .order_by("pk")
    )
    addressed = [(delivery, recipients.address_of(delivery.signature)) for delivery in queued]
    blocked = blocked_addresses(mailing.organization_id, [recipients.canonical(a) for _, a in addressed])
    to_send, to_skip = [], []
    for delivery, address in addressed:
        signature = delivery.signature
        consents = signature.consent_org_updates or (
            signature.consent_campaign_updates and signature.petition_id in lane.campaign_petitions
        )
        if (
            recipients.canonical(address) in blocked
            or not consents
            or signature.state != Signature.State.VALIDATED
            or signature.confirmed_at is None
        ):
            to_skip.append(delivery.pk)
        else:
            to_send.append((delivery, address))
    if to_skip:
        Delivery.objects.filter(pk__in=to_skip, state=Delivery.State.QUEUED).update(state=Delivery.State.SKIPPED)

    # Each language's message is rendered and built once for the batch, then stamped with each recipient.
    stamps: dict[str, composing.Stamp] = {}
    renew_at = time.monotonic() + settings.MAILING_LEASE_SECONDS / 2
    for delivery, address in to_send:
        if not lane.still_wanted():
            _release(batch, lane.worker)
            return False
        if time.monotonic() >= renew_at:
            if not _renew(batch, lane.worker):
                return False
            renew_at = time.monotonic() + settings.MAILING_LEASE_SECONDS / 2
        signature = delivery.signature
        language = composing.language_for(
            signature.language, lane.petition_languages[signature.petition_id], lane.languages
        )
        if language not in stamps:
            stamps[language] = composing.Stamp(mailing, composing.letter(mailing, language))
        message = stamps[language].copy(
            composing.envelope(
                mailing,
                address,
                delivery_id=delivery.pk,
                signature_id=signature.pk,
                language=language,
                petition=(signature.petition_id, lane.petition_slugs[signature.petition_id]),
            )
        )
        throttle.wait()
        try:
            _send_and_record(delivery.pk, message)
        except smtplib.SMTPRecipientsRefused as error:
            refused = next(iter(error.recipients.values()), (0, b""))
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.FAILED, error=f"{refused[0]} {refused[1]!r}"[:200]
            )
        except (smtplib.SMTPException, OSError) as error:
            _release(batch, lane.worker, until=timezone.now() + timedelta(seconds=30))
            raise ServerTrouble(str(error)) from error
    _close(batch)
    return True


def _send_and_record(delivery_id: int, message: EmailMessage) -> None:
    with transaction.atomic():
        if database.vendor == "postgresql":
            # The commit need not wait for the disk: against the worker dying, a commit PostgreSQL has
            # taken is safe; only a crash of the database server itself could lose the last fraction of
            # a second of records, and resend those messages. Waiting for the disk on every message
            # would make the disk's flush time the pace of every mailing. One round trip for both.
            with database.cursor() as cursor:
                cursor.execute(
                    f"SET LOCAL synchronous_commit = off; UPDATE {Delivery._meta.db_table}"  # noqa: S608 - a model's own table name
                    " SET state = %s, sent_at = %s WHERE id = %s AND state = %s",
                    [Delivery.State.SENT, timezone.now(), delivery_id, Delivery.State.QUEUED],
                )
        else:
            Delivery.objects.filter(pk=delivery_id, state=Delivery.State.QUEUED).update(
                state=Delivery.State.SENT, sent_at=timezone.now()
            )
        connection.send(message)
        # Leaving the block commits at once: the server has the message, and now the record is made.


def work(mailing_id: int, run: int, *, seconds: float = SLICE_SECONDS) -> datetime | None:
    """Send batches of the mailing for up to `seconds`; returns when to carry on, or None if this lane is done.

    With MAILING_CONNECTIONS above one, as many threads send side by side, each
    on its own SMTP and database connections: a worker spends most of its time
    waiting for the mail server's answers, and need not wait for one at a time.
    """
    mailing = Mailing.objects.select_related("organization", "update__case").filter(pk=mailing_id).first()
    if mailing is None or (mailing.state, mailing.run) != (State.SENDING, run):
        return None
    ends = time.monotonic() + seconds
    if settings.MAILING_CONNECTIONS == 1:
        return _send_until(mailing, ends)
    outcomes: list[datetime | None] = []

    def side_by_side() -> None:
        try:
            outcomes.append(_send_until(mailing, ends))
        except Exception:
            outcomes.append(timezone.now() + timedelta(seconds=30))
            raise
        finally:
            connection.drop()
            database.close()

    threads = [threading.Thread(target=side_by_side) for _ in range(settings.MAILING_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    later = [when for when in outcomes if when is not None]
    return min(later) if later else None


def _send_until(mailing: Mailing, ends: float) -> datetime | None:
    lane = Lane.of(mailing)
    throttle = Throttle(mailing.pk, mailing.rate or settings.MAILING_RATE)
    while time.monotonic() < ends:
        if not lane.still_wanted():
            # Paused or cancelled: this lane ends. Its worker stopping: another carries the lane on.
            return None if lane.stopping else timezone.now()
        batch = claim(mailing.pk, lane.worker)
        if batch is None:
            return _finish_or_wait(mailing)
        try:
            if not send_batch(lane, batch, throttle):
                return None if lane.stopping else timezone.now()
        except ServerTrouble:
            return timezone.now() + timedelta(seconds=30)
    return timezone.now()


def _finish_or_wait(mailing: Mailing) -> datetime | None:
    """No batch free: finish the mailing if none is left, else come back when the next lease runs out."""
    leased = (
        Batch.objects.filter(mailing=mailing, done=False)
        .order_by("leased_until")
        .values_list("leased_until", flat=True)
    )
    if leased.exists():
        first = leased.first()
        return max(first or timezone.now(), timezone.now()) + timedelta(seconds=0.5)
    now = timezone.now()
    with transaction.atomic():
        current = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if current.state == State.SENDING:
            current.active_seconds += (now - current.resumed_at).total_seconds() if current.resumed_at else 0
            current.state, current.finished_at, current.resumed_at = State.FINISHED, now, None
            current.save(update_fields=["state", "finished_at", "resumed_at", "active_seconds"])
            tell_finished(current)
    return None

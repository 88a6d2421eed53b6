"""Telling organisations' own systems of events: what is sent where, when to try again, when to give up.

Events are recorded as deliveries, with their tasks, in the transaction of
the change they are about (the transactional outbox): a crash leaves
neither or both.
"""

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from standwith.campaigns.models import Milestone, Petition
from standwith.freshcache import forget, fresh
from standwith.outreach.webhooks import keys
from standwith.outreach.webhooks.models import Delivery, Endpoint, Event
from standwith.outreach.webhooks.sending import Answer, post
from standwith.outreach.webhooks.signatures import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    signature_header,
)
from standwith.signing import crypto
from standwith.signing.models import Signature

# First retry a minute after a failure, then doubling up to four hours, for a day in all (about 13 attempts).
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=4)
RETRY_FOR = timedelta(days=1)
# An endpoint that has failed every attempt for a day, at least this many times, is disabled.
DISABLE_AFTER = timedelta(days=1)
DISABLE_MIN_FAILURES = 5
# Which events an organisation's endpoints take is asked on every confirmation; kept this long, in seconds.
SUBSCRIPTIONS_CACHE_SECONDS = 10


class NotPossible(Exception):
    """A staff request that cannot be done as things are; the message says why."""


def _subscriptions_key(organization_id: int) -> str:
    return f"webhooks:events:{organization_id}"


def subscribed_events(organization_id: int) -> frozenset[str]:
    """The events some active endpoint of the organisation takes; no query while cached."""

    def load() -> frozenset[str]:
        active = Endpoint.objects.filter(organization_id=organization_id, active=True).order_by()
        chosen = active.values_list("events", flat=True)
        return frozenset(event for events in chosen for event in events)

    return fresh(_subscriptions_key(organization_id), SUBSCRIPTIONS_CACHE_SECONDS, load)


def forget_subscriptions(organization_id: int) -> None:
    forget(_subscriptions_key(organization_id))
    # A change in a transaction that is still open would be read back stale by a run in between.
    transaction.on_commit(lambda: forget(_subscriptions_key(organization_id)))


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (from 1)."""
    wait: timedelta = FIRST_RETRY * 2 ** min(attempt - 1, 20)
    return min(wait, LONGEST_WAIT)


def emit(organization_id: int, event: str, data: dict[str, Any]) -> list[Delivery]:
    """Queue `event` for each of the organisation's active endpoints that takes it; call inside the change's
    transaction. `data` must hold no personal data: it is stored as it is."""
    if event not in subscribed_events(organization_id):
        return []
    from standwith.outreach.webhooks.tasks import deliver  # the tasks module imports this one

    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(organization_id=organization_id, active=True)
        .order_by()
        .only("pk", "events")
        if event in endpoint.events
    ]
    now = timezone.now()
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(endpoint=endpoint, event=event, payload=data, created_at=now, retrying_since=now)
                for endpoint in endpoints
            ]
        )
        for delivery in deliveries:
            deliver.enqueue(delivery.pk, 1)
    return deliveries


def _petition(petition: Petition) -> dict[str, Any]:
    return {"id": petition.pk, "slug": petition.slug}


def signature_confirmed(petition: Petition, signature_id: int) -> None:
    if Event.SIGNATURE_CONFIRMED not in subscribed_events(petition.organization_id):
        return
    found = Signature.objects.filter(pk=signature_id).values("country", "language").first()
    signature = dict(found) if found is not None else {}
    emit(
        petition.organization_id,
        Event.SIGNATURE_CONFIRMED,
        {"petition": _petition(petition), "signature": {"id": signature_id, **signature}},
    )


def milestone_reached(milestone: Milestone) -> None:
    petition = milestone.petition
    emit(
        petition.organization_id,
        Event.MILESTONE_REACHED,
        {
            "petition": _petition(petition),
            "milestone": {"threshold": milestone.threshold, "reached_at": milestone.reached_at.isoformat()},
        },
    )


def petition_state_changed(petition: Petition, action: str, origin: str, to: str) -> None:
    emit(
        petition.organization_id,
        Event.PETITION_STATE_CHANGED,
        {"petition": _petition(petition), "action": action, "from": origin, "to": to},
    )


def body_of(delivery: Delivery, endpoint: Endpoint) -> bytes:
    """What is posted: the stored payload, and the signer's name and address only if the endpoint may have them."""
    data = dict(delivery.payload)
    if endpoint.personal_data and delivery.event == Event.SIGNATURE_CONFIRMED:
        signer = _signer(data["petition"]["id"], data["signature"]["id"])
        if signer is not None:
            data["signer"] = signer
    envelope = {
        "id": str(delivery.public_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": data,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def _signer(petition_id: int, signature_id: int) -> dict[str, str] | None:
    signature = Signature.objects.filter(
        pk=signature_id, petition_id=petition_id, state=Signature.State.VALIDATED
    ).first()
    if signature is None:
        return None  # withdrawn or invalidated since: their data goes nowhere
    try:
        return {
            "name": crypto.decrypt(petition_id, "name", signature.name_encrypted),
            "email": crypto.decrypt(petition_id, "email", signature.email_encrypted),
        }
    except crypto.UndecryptableError:
        return None  # the petition's key was erased


def attempt(delivery_id: int, number: int) -> str:
    """Make attempt `number` at a delivery, once, and schedule the next or give up; says what happened."""
    now = timezone.now()
    stalled = now - timedelta(seconds=settings.TASK_STALLED_AFTER_SECONDS)
    # Claimed with one conditional UPDATE: a duplicate task finds it taken; a run whose worker died is taken over.
    claimed = Delivery.objects.filter(
        Q(attempts=number - 1) | Q(attempts=number, last_attempt_at__lt=stalled),
        pk=delivery_id,
        status=Delivery.Status.PENDING,
    ).update(attempts=number, last_attempt_at=now)
    if not claimed:
        return "done before"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, next_attempt_at=None, last_error=_("The endpoint is disabled.")
        )
        return "endpoint disabled"
    try:
        secret = keys.unseal(endpoint.organization_id, endpoint.secret_encrypted)
    except crypto.UndecryptableError as error:
        answer = Answer(None, str(error), "")
    else:
        body = body_of(delivery, endpoint)
        answer = post(
            endpoint.url,
            body,
            {
                SIGNATURE_HEADER: signature_header(secret, body),
                EVENT_HEADER: delivery.event,
                DELIVERY_HEADER: str(delivery.public_id),
            },
        )
    return _record(delivery, number, answer)


def _record(delivery: Delivery, number: int, answer: Answer) -> str:
    from standwith.outreach.webhooks.tasks import deliver

    now = timezone.now()
    outcome = {"last_status_code": answer.status, "last_error": answer.error[:300], "response_excerpt": answer.excerpt}
    endpoint = Endpoint.objects.filter(pk=delivery.endpoint_id)
    with transaction.atomic():
        if answer.ok:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.DELIVERED, delivered_at=now, next_attempt_at=None, **outcome
            )
            endpoint.update(consecutive_failures=0, failing_since=None, last_success_at=now)
            return f"delivered ({answer.status})"
        endpoint.update(
            consecutive_failures=F("consecutive_failures") + 1, failing_since=Coalesce("failing_since", now)
        )
        next_at = now + retry_delay(number)
        if next_at - delivery.retrying_since > RETRY_FOR:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, next_attempt_at=None, **outcome
            )
            result = f"failed after {number} attempts: {answer.error}"
        else:
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=next_at, **outcome)
            deliver.using(run_after=next_at).enqueue(delivery.pk, number + 1)
            result = f"{answer.error or answer.status}; attempt {number + 1} at {next_at:%Y-%m-%d %H:%M:%S}"
        _disable_if_failing(delivery.endpoint_id, now)
    return result


def _disable_if_failing(endpoint_id: int, now: datetime) -> None:
    failing = Endpoint.objects.filter(
        pk=endpoint_id,
        active=True,
        failing_since__lte=now - DISABLE_AFTER,
        consecutive_failures__gte=DISABLE_MIN_FAILURES,
    ).first()
    if failing is not None:
        disable(failing, _("No delivery has succeeded for a day."), actor=None)


def disable(endpoint: Endpoint, reason: str, *, actor: Any, client_ip: str | None = None) -> bool:
    """Stop sending to an endpoint; when the site does it (actor None), its organisation's staff are mailed.

    Returns whether it was active until now.
    """
    from standwith.outreach.webhooks.tasks import send_disabled_notice
    from standwith.staff.services import record  # staff.services imports campaigns, which emits here

    now = timezone.now()
    with transaction.atomic():
        if not Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
            active=False, disabled_at=now, disabled_reason=reason[:300]
        ):
            return False
        endpoint.refresh_from_db()
        record(actor, "endpoint.disable", endpoint, client_ip=client_ip, reason=reason)
        forget_subscriptions(endpoint.organization_id)
        if actor is None:
            send_disabled_notice.enqueue(endpoint.pk, int(now.timestamp()))
    return True


def enable(endpoint: Endpoint, *, actor: Any, client_ip: str | None = None) -> bool:
    """Send to a disabled endpoint again, its failures forgiven; returns whether it was disabled until now."""
    from standwith.staff.services import record

    with transaction.atomic():
        if not Endpoint.objects.filter(pk=endpoint.pk, active=False).update(
            active=True, disabled_at=None, disabled_reason="", failing_since=None, consecutive_failures=0
        ):
            return False
        endpoint.refresh_from_db()
        record(actor, "endpoint.enable", endpoint, client_ip=client_ip)
        forget_subscriptions(endpoint.organization_id)
    return True


def rotate_secret(endpoint: Endpoint, *, actor: Any, client_ip: str | None = None) -> str:
    """Give the endpoint a new secret, returned to be shown once; deliveries from now on are signed with it."""
    from standwith.staff.services import record

    secret = keys.new_secret()
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            secret_encrypted=keys.seal(endpoint.organization_id, secret), updated_at=timezone.now()
        )
        record(actor, "endpoint.rotate_secret", endpoint, client_ip=client_ip)
    return secret


def set_personal_data(endpoint: Endpoint, on: bool, *, actor: Any, client_ip: str | None = None) -> None:
    """Let an endpoint receive signers' names and addresses, or stop it; only a data officer of the
    organisation or an admin may, since it hands personal data to another system."""
    from standwith.staff.models import Role
    from standwith.staff.services import NotAllowed, record, roles_of

    if not roles_of(actor, endpoint.organization) & {Role.DATA_OFFICER, Role.ADMIN}:
        raise NotAllowed(_("Only a data officer of the organisation or an admin may change this."))
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(personal_data=on, updated_at=timezone.now())
        endpoint.personal_data = on
        record(actor, "endpoint.personal_data", endpoint, client_ip=client_ip, on=on)


def send_again(delivery: Delivery, *, actor: Any, client_ip: str | None = None) -> None:
    """Try a delivery again now, with a fresh day of retries; refused while its endpoint is disabled."""
    from standwith.outreach.webhooks.tasks import deliver
    from standwith.staff.services import record

    if not delivery.endpoint.active:
        raise NotPossible(_("Its endpoint is disabled; enable it first."))
    now = timezone.now()
    with transaction.atomic():
        # Conditional on the attempts seen, so two staff pressing at once queue one run, not two.
        if (
            not Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts)
            .exclude(status=Delivery.Status.PENDING)
            .update(status=Delivery.Status.PENDING, retrying_since=now, next_attempt_at=now, delivered_at=None)
        ):
            raise NotPossible(_("It is being sent already."))
        deliver.enqueue(delivery.pk, delivery.attempts + 1)
        record(actor, "delivery.send_again", delivery, client_ip=client_ip, event=delivery.event)

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Organization, Petition, Update


class SentMessage(models.Model):
    """A record that one outgoing message left, so a retried task never sends it twice."""

    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at"])]


class MailingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PREPARING = "preparing", _("Choosing recipients")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")
    FINISHED = "finished", _("Sent")


class Mailing(models.Model):
    """A campaign update mailed to the consenting signers of some of an organisation's petitions.

    Counters are kept on this row, added to once per finished batch, so that
    staff watching the progress never make the database count millions of rows.
    """

    State = MailingState

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="mailings")
    update = models.ForeignKey(Update, on_delete=models.PROTECT, related_name="mailings")
    petitions = models.ManyToManyField(Petition, related_name="mailings")
    # Empty means every country, every source.
    countries = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    from_name = models.CharField(max_length=100, blank=True)
    # Messages per second for this mailing; None means the site's MAILING_RATE.
    rate = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=MailingState.choices, default=MailingState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Time spent sending, paused stretches left out: the rate and the ETA come from it.
    active_seconds = models.FloatField(default=0)
    resumed_at = models.DateTimeField(null=True, blank=True)
    # Which run of sending workers is current: a pause ends a run, a resume starts the next,
    # so workers of an earlier run still finishing their batch never carry on beside the new ones.
    run = models.PositiveIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Unsubscribed, bounced or no longer consenting by the time their batch went out.
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(state__in=MailingState.values), name="mailing_state_valid")]

    def __str__(self) -> str:
        return str(_("Mailing of “%(update)s”")) % {"update": self.update.title}


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Refused by the mail server")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """One person's copy of a mailing: at most one per inbox, recorded as soon as the mail server takes it."""

    State = DeliveryState

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    # Keyed digest of the canonical address and the mailing: someone who signed several of the
    # petitions gets one copy, and the digest links nobody across mailings.
    recipient = models.BinaryField(max_length=32)
    # The signature whose address, language and consent this copy goes by.
    signature = models.ForeignKey("signing.Signature", on_delete=models.CASCADE, related_name="+", db_index=False)
    state = models.CharField(max_length=8, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["mailing", "recipient"], name="delivery_one_per_inbox"),
            models.CheckConstraint(condition=Q(state__in=DeliveryState.values), name="delivery_state_valid"),
        ]
        # Batches are ranges of ids within a mailing: read off this index in key order.
        indexes = [models.Index(fields=["mailing", "id"], name="delivery_mailing_keyset")]


class Batch(models.Model):
    """A range of a mailing's deliveries that one worker sends at a time, under a lease.

    A worker that dies leaves its lease to run out; the next worker to claim
    the batch sends what is still queued in it and nothing else.
    """

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="batches")
    first_delivery = models.BigIntegerField()
    last_delivery = models.BigIntegerField()
    leased_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=64, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "batches"
        indexes = [models.Index(fields=["mailing", "done", "id"], name="batch_mailing_todo")]


class Unsubscription(models.Model):
    """Someone asked for no more mail from an organisation; a keyed digest of their address, never the address."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="unsubscriptions")
    digest = models.BinaryField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "digest"], name="unsubscription_once")]


class BounceKind(models.TextChoices):
    HARD = "hard", _("Hard bounce")
    SOFT = "soft", _("Soft bounce")
    COMPLAINT = "complaint", _("Complaint")


class Suppression(models.Model):
    """An address no mailing goes to again, from any organisation: it bounced for good or its owner complained."""

    digest = models.BinaryField(max_length=32, unique=True)
    kind = models.CharField(max_length=10, choices=BounceKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)


class Bounce(models.Model):
    """A bounce or complaint as it came in, matched to its delivery when the return address says which."""

    Kind = BounceKind

    kind = models.CharField(max_length=10, choices=BounceKind.choices)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="bounces")
    status = models.CharField(max_length=16, blank=True)  # the RFC 3463 code, e.g. 5.1.1
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["received_at"])]

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Organization


class Event(models.TextChoices):
    SIGNATURE_CONFIRMED = "signature.confirmed", _("A signer confirmed their signature")
    MILESTONE_REACHED = "milestone.reached", _("A petition passed a milestone")
    PETITION_STATE_CHANGED = "petition.state_changed", _("A petition was published, closed or otherwise moved")
    MAILING_FINISHED = "mailing.finished", _("A mailing finished sending")


class Endpoint(models.Model):
    """An address of an organisation's own system that is told of events as they happen."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Event names, from Event.
    events = models.JSONField(_("events"), default=list)
    # Sealed by the master key (webhooks/keys.py): the site signs every delivery with it.
    secret_encrypted = models.BinaryField()
    # Signers' names and addresses go out only while a data officer of the organisation (or an admin) says so.
    personal_data = models.BooleanField(
        _("send signers' names and email addresses"),
        default=False,
        help_text=_("Only a data officer of the organisation or an admin can change this."),
    )
    active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Since when every attempt has failed; cleared by a success. A day of it disables the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["organization", "url"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active=True, disabled_at__isnull=True) | Q(active=False, disabled_at__isnull=False),
                name="webhook_endpoint_disabled_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.url}"


class Delivery(models.Model):
    """One event sent (or being sent) to one endpoint: what, how often tried, and how it went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    # Sent as Standwith-Delivery, so receivers can recognise a delivery they have seen.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=Event.choices)
    # Never personal data: a signer's name and address are added at send time when the endpoint allows it.
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Retries stop a day after this: the delivery's creation, or the moment staff sent it again.
    retrying_since = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # The start of the receiver's answer, to help find what went wrong; never more.
    response_excerpt = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]), name="webhook_delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint.url}"

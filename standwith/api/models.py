from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Organization


class Scope(models.TextChoices):
    READ_STATISTICS = "statistics:read", _("Read statistics of the organisation's petitions")
    RECORD_SIGNATURES = "signatures:write", _("Record signatures collected elsewhere")
    # Every use is audited: a token with this scope can read signers' names and email addresses.
    READ_PERSONAL_DATA = "people:read", _("Read signers' personal data (every use is audited)")


class ApiToken(models.Model):
    """An organisation's key to its part of the API; only a digest of the secret is kept."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, so you know what breaks if you revoke it.")
    )
    scopes = models.JSONField(_("scopes"), default=list)
    # SHA-256 of the whole token: the token is 256 random bits, so a fast digest is as safe as a slow one
    # and lets each request find its token by an index look-up.
    digest = models.BinaryField(max_length=32, unique=True)
    # The token's first characters, for staff to tell tokens apart; not enough to guess the rest.
    hint = models.CharField(max_length=12)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped at most once a minute, so busy tokens do not write a row on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["organization", "-created_at"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.name} ({self.hint}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotentRequest(models.Model):
    """A write request made with an Idempotency-Key, and the answer it got, replayed to a retry."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body: the same key with a different request is refused, not replayed.
    fingerprint = models.BinaryField(max_length=32)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotent_request_once_per_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_age")]

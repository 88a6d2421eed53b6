from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition

# Lets the database itself check a digest's length (`email_digest__length`).
models.BinaryField.register_lookup(Length)


class PetitionKey(models.Model):
    """A petition's data key, wrapped (encrypted) by the master key.

    Personal data of a petition's signers is encrypted under this key alone,
    so erasing this row makes every copy of that data unreadable, backups
    included, once the master key is gone or rotated.
    """

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="data_key")
    master_key_id = models.CharField(max_length=16)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)


class Invalidation(models.Model):
    """Signatures struck off together by staff, with what they had in common and why; it can be undone."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="invalidations")
    # What staff asked for, as they typed it (a network prefix, a domain...): the record of why these.
    criteria = models.JSONField()
    reason = models.TextField()
    signatures = models.PositiveIntegerField()
    # How many of them counted: the count fell by this much, and rises by it again on undo.
    counted = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(_("%(n)d signatures invalidated on %(petition)s")) % {
            "n": self.signatures,
            "petition": self.petition,
        }


class SignatureState(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    VALIDATED = "validated", _("Confirmed")
    INVALIDATED = "invalidated", _("Invalidated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SignatureChannel(models.TextChoices):
    WEB = "web", _("Signed on the site")
    API = "api", _("Recorded through the API")
    PAPER = "paper", _("Signed on paper, entered by staff")


class Signature(models.Model):
    State = SignatureState
    Channel = SignatureChannel

    # Indexed below, with the columns the sources screen groups by.
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="signatures", db_index=False)
    # Keyed HMAC of the normalised address and the petition: finds a repeat
    # without storing the address in the clear, and links nobody across petitions.
    email_digest = models.BinaryField(max_length=32)
    email_encrypted = models.BinaryField()
    name_encrypted = models.BinaryField()
    postcode_encrypted = models.BinaryField(null=True)
    country = models.CharField(max_length=2)
    language = models.CharField(max_length=10)
    consent_campaign_updates = models.BooleanField(default=False)
    consent_org_updates = models.BooleanField(default=False)
    show_name_publicly = models.BooleanField(default=False)
    source = models.CharField(max_length=64, blank=True)
    referrer_host = models.CharField(max_length=253, blank=True)
    # Whose personal share link brought this signer (see signing/referrals.py), and how many links deep:
    # 0 came on their own, 1 through someone who came on their own, 2 through someone referred... Kept when
    # the referrer is erased, so the petition's figures do not change. Indexed only where set (below).
    referred_by = models.ForeignKey("self", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    # A default in the database too, for rows written by raw SQL (bulk loads).
    referral_depth = models.PositiveSmallIntegerField(default=0, db_default=0)
    state = models.CharField(max_length=12, choices=SignatureState.choices, default=SignatureState.PENDING)
    # How it reached us; a default in the database too, for rows written by raw SQL (bulk loads).
    channel = models.CharField(max_length=8, choices=SignatureChannel.choices, default="web", db_default="web")
    # The organisation that checked this signer in person and vouched for them: the signature counted without
    # an emailed confirmation (the signer can still confirm their address, to get updates).
    vouched_by = models.ForeignKey(
        "campaigns.Organization", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Keyed digests of the client's /24 or /48 network and of the address's
    # domain, for fraud analysis; cleared after IP_DIGEST_RETENTION_DAYS.
    network_digest = models.BinaryField(max_length=16, null=True)
    domain_digest = models.BinaryField(max_length=16, null=True)
    # Set while invalidated in bulk: which batch, and the state to return to if it is undone.
    # Indexed only where set (below): every new signature has none, and should not pay for an index entry.
    invalidation = models.ForeignKey(
        Invalidation, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # A default in the database too, for rows written by raw SQL (the outbox statement, bulk loads).
    invalidated_from = models.CharField(max_length=12, blank=True, default="", db_default="")
    created_at = models.DateTimeField()
    validated_at = models.DateTimeField(null=True)
    # When the signer proved the address is theirs; on `none` petitions this
    # can come after validated_at, and only confirmed addresses get updates.
    confirmed_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    # When the signer was last mailed because they signed again; bounds how
    # often a repeat signature can make us mail someone's inbox.
    reminded_at = models.DateTimeField(null=True)
    # When its personal data was erased (signing/erasure.py): only its petition, country, day and state are left.
    erased_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "email_digest"], name="signature_one_per_inbox"),
            models.CheckConstraint(condition=Q(state__in=SignatureState.values), name="signature_state_valid"),
            models.CheckConstraint(condition=Q(email_digest__length=32), name="signature_digest_is_32_bytes"),
            models.CheckConstraint(
                condition=~Q(state="validated") | Q(validated_at__isnull=False),
                name="signature_validated_has_time",
            ),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="signature_country_code"),
        ]
        # Ending in the id, so that a petition's signers read newest first (all, or in one state) come
        # straight off an index, however many millions there are: no sort, no matter how deep the page.
        indexes = [
            models.Index(fields=["petition", "state", "created_at", "id"], name="signature_petition_state_new"),
            models.Index(fields=["petition", "created_at", "id"], name="signature_petition_newest"),
            models.Index(
                fields=["invalidation"], condition=Q(invalidation__isnull=False), name="signature_invalidation"
            ),
            # The petition's own index, carrying what the sources screen (signing/sources.py) and the statistics
            # (signing/statistics.py) count by, so that they read a million signatures off the index alone in
            # about a third of a second, against twice that and more from the table. In place of the plain index
            # on the petition, so inserts keep as many.
            models.Index(
                fields=["petition"],
                include=["state", "source", "referrer_host", "referral_depth", "country"],
                name="signature_petition_sources",
            ),
            # Erasing a signature clears the links that point at it: a lookup by referrer. Most signers came
            # on their own, and pay for no index entry.
            models.Index(fields=["referred_by"], condition=Q(referred_by__isnull=False), name="signature_referred_by"),
        ]

    def __str__(self) -> str:
        # Never the signer's name: this shows in the audit log and the admin's breadcrumbs.
        return str(_("Signature %(id)s")) % {"id": self.pk}


class CountSlot(models.Model):
    """One of a petition's counter rows; the public count is their sum.

    Confirmations add to a random slot, so a viral petition's counter is not
    one hot row that every confirmation must queue on.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="count_slots")
    slot = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "slot"], name="countslot_unique"),
            models.CheckConstraint(condition=Q(slot__lt=settings.COUNT_SLOTS), name="countslot_in_range"),
        ]


class CountCorrection(models.Model):
    """A drift between the counter and the signatures, found and corrected."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="count_corrections")
    counter_said = models.BigIntegerField()
    signatures_say = models.BigIntegerField()
    corrected_at = models.DateTimeField(auto_now_add=True)

    @property
    def delta(self) -> int:
        return self.signatures_say - self.counter_said


class ErasureKind(models.TextChoices):
    RETENTION = "retention", _("Kept past the retention period")
    EMERGENCY = "emergency", _("Emergency erase")
    NETWORK_DIGESTS = "network_digests", _("Network and domain digests past their retention")


class ErasureRecord(models.Model):
    """What was erased, when, of which petition, and at whose hand: the answer to "what happened to that data?".

    Apart from the audit log, which records what staff did: most erasures are the site's own sweeps, and the
    digest sweep spans every petition. Counts only; nothing here can name a signer.
    """

    Kind = ErasureKind

    kind = models.CharField(max_length=16, choices=ErasureKind.choices)
    # None for the sweep of network digests, which spans every petition.
    petition = models.ForeignKey(Petition, null=True, on_delete=models.CASCADE, related_name="+")
    signatures = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # None when the site did it by itself (a retention sweep).
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ErasureKind.values), name="erasure_record_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.signatures}"

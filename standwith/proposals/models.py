from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition, Target


class Proposal(models.Model):
    """A petition proposed by a member of the public, on its way to the moderators.

    The petition itself waits as a draft while the proposer confirms their
    address and gathers supporters through a private link; with enough of
    them it goes to the review queue like any other petition.
    """

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="proposal")
    # Whom the proposer addressed, as they wrote it; theirs to change when the petition is sent back.
    target = models.ForeignKey(Target, null=True, on_delete=models.SET_NULL, related_name="+")
    # The private link's secret: shared by the proposer with the people they ask to support it.
    key = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the proposer confirmed their address.")
    )
    submitted_at = models.DateTimeField(null=True, blank=True, help_text=_("When it first went to review."))

    def __str__(self) -> str:
        return self.petition.title


class Supporter(models.Model):
    """Someone backing a proposal before it is public: its proposer, or one of the people they asked.

    Personal data is sealed under the petition's own key, like a signature's,
    so once the petition is published a confirmed supporter becomes a
    signature without their data ever being decrypted.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supporters")
    is_proposer = models.BooleanField(default=False)
    email_digest = models.BinaryField(max_length=32)
    email_encrypted = models.BinaryField()
    name_encrypted = models.BinaryField()
    country = models.CharField(max_length=2)
    # Everything mailed to this person is in the language they wrote in.
    language = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "email_digest"], name="supporter_one_per_inbox"),
            models.UniqueConstraint(fields=["proposal"], condition=Q(is_proposer=True), name="supporter_one_proposer"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="supporter_country_code"),
        ]

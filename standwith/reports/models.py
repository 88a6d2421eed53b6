from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition


class PacketState(models.TextChoices):
    QUEUED = "queued", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PacketBuild(models.Model):
    """A delivery packet asked for by staff, built in the background into a file under the data directory.

    In the background because a million-signature petition takes longer to lay out than a web request may last.
    """

    State = PacketState

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="packet_builds")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Translations included besides the original text, and the language of the document's own words.
    languages = models.JSONField(default=list)
    interface_language = models.CharField(max_length=10)
    state = models.CharField(max_length=8, choices=PacketState.choices, default=PacketState.QUEUED)
    # The file's name inside PACKET_DIR; set once it is written whole.
    file_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    signatures = models.PositiveBigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=PacketState.values), name="packetbuild_state_valid")
        ]

    def __str__(self) -> str:
        return str(_("Delivery packet %(id)s")) % {"id": self.pk}

    def language_names(self) -> str:
        names = dict(settings.LANGUAGES)
        return ", ".join(str(names.get(code, code)) for code in self.languages)

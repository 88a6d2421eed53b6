from django.db import models


class SentMessage(models.Model):
    """A record that one outgoing message left, so a retried task never sends it twice."""

    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at"])]

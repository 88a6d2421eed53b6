from django.db import models


class ScheduledJob(models.Model):
    """When a periodic job is next due; workers claim a run by moving it on."""

    name = models.CharField(max_length=64, primary_key=True)
    next_run_at = models.DateTimeField()

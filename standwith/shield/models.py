from django.db import models


class LimitCounter(models.Model):
    """Sign attempts let through under one rate limit, in its current and previous fixed window.

    Used where there is no Redis (the embedded default): the database is what
    all the web worker processes share. See standwith/shield/limits.py.
    """

    key = models.CharField(max_length=64, primary_key=True)  # what is limited, and a keyed digest of whom
    slot = models.BigIntegerField()  # the current window: Unix time // window length
    current = models.PositiveIntegerField()
    previous = models.PositiveIntegerField()
    expires_at = models.BigIntegerField()  # Unix time after which neither window counts any more


class SpentChallenge(models.Model):
    """A proof-of-work challenge whose solution was accepted, kept until it expires so it is accepted only once.

    Used where there is no Redis (the embedded default), or while Redis does
    not answer. See standwith/shield/challenge.py.
    """

    signature = models.CharField(max_length=128, primary_key=True)  # the site's HMAC of the challenge, in hex
    expires_at = models.BigIntegerField(db_index=True)  # Unix time after which the record may go: its challenge expired

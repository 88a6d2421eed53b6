"""Baselines for `make bench`, mounted only when STANDWITH_BENCH_VIEWS=1.

Each is the least a view in this same server can do for its kind of request,
so the bench reports the real paths as ratios against them.
"""

import os

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


@csrf_exempt
def insert(request: HttpRequest) -> HttpResponse:
    """One bare INSERT of a row as wide as a signature, into a copy of its table."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_baseline (petition_id, email_digest, email_encrypted, name_encrypted,"
            " postcode_encrypted, country, language, consent_campaign_updates, consent_org_updates,"
            " show_name_publicly, source, referrer_host, state, network_digest, created_at)"
            " VALUES (1, %s, %s, %s, %s, 'GB', 'en', true, false, false, '', '', 'pending', %s, %s)",
            [os.urandom(32), os.urandom(58), os.urandom(46), os.urandom(36), os.urandom(16), now],
        )
    response = HttpResponse(status=303)
    response["Location"] = "/"
    return response

from datetime import timedelta

import pytest
from django.utils import timezone

from standwith.signing.models import Signature
from standwith.signing.tasks import purge_network_digests

pytestmark = pytest.mark.django_db


def test_it_forgets_network_digests_after_the_retention_period(sign, petition, settings):
    sign(petition, email="old@example.org")
    sign(petition, email="new@example.org")
    old = Signature.objects.order_by("pk").first()
    Signature.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.IP_DIGEST_RETENTION_DAYS + 1)
    )

    assert purge_network_digests.call() == 1

    old, new = Signature.objects.order_by("pk")
    assert old.network_digest is None
    assert old.domain_digest is None
    assert new.network_digest is not None
    assert new.domain_digest is not None

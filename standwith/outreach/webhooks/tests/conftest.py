from collections.abc import Iterator
from typing import Any

import pytest

from standwith.campaigns.models import Organization
from standwith.outreach.webhooks import keys
from standwith.outreach.webhooks.models import Endpoint, Event
from standwith.outreach.webhooks.tests.receiver import Receiver, start

SECRET = "whsec_test-secret-for-the-receiver"


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    # The receiver runs on loopback; the tests about refusing private addresses switch this off.
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = start(found)
    yield found
    server.shutdown()
    server.server_close()


def make_endpoint(organization: Organization, url: str, events: list[str] | None = None, **extra: Any) -> Endpoint:
    return Endpoint.objects.create(
        organization=organization,
        url=url,
        events=events if events is not None else list(Event.values),
        secret_encrypted=keys.seal(organization.pk, SECRET),
        **extra,
    )


@pytest.fixture
def endpoint(organization: Organization, receiver: Receiver) -> Endpoint:
    return make_endpoint(organization, receiver.url)

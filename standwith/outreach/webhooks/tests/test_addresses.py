import pytest

from standwith.outreach.webhooks import services
from standwith.outreach.webhooks.addresses import RefusedAddress, resolve
from standwith.outreach.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://172.16.5.5/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
def test_it_refuses_a_private_loopback_or_link_local_address(production, url):
    with pytest.raises(RefusedAddress, match="private or local network"):
        resolve(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.215.14/hook", "must start with https://"),
        ("ftp://93.184.215.14/hook", "must start with https://"),
        ("https://user:pass@93.184.215.14/hook", "user name or password"),
        ("https:///hook", "no host name"),
        ("https://93.184.215.14:99999/hook", "not a valid web address"),
        ("https://no-such-host.invalid/hook", "could not be found"),
    ],
)
def test_it_refuses_an_address_it_cannot_or_should_not_post_to(production, url, reason):
    with pytest.raises(RefusedAddress, match=reason):
        resolve(url)


def test_it_accepts_a_public_https_address(production):
    target = resolve("https://93.184.215.14:8443/hooks?source=standwith")

    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "93.184.215.14",
        8443,
        "/hooks?source=standwith",
    )


def test_it_refuses_at_send_time_an_endpoint_that_now_points_inside(
    organization, endpoint, receiver, run_tasks, settings
):
    (delivery,) = services.emit(organization.pk, "mailing.finished", {})
    settings.WEBHOOK_ALLOW_PRIVATE = False

    run_tasks()

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error == "The address must start with https://."


def test_it_allows_loopback_and_plain_http_where_the_setting_says(receiver):
    assert resolve(receiver.url).addresses == ("127.0.0.1",)

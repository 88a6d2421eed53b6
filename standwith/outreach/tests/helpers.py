"""Running a mailing to its end in tests, as the workers would."""

from typing import Any

from standwith.outreach import mailings
from standwith.outreach.models import Mailing


def send_all(mailing: Mailing, mailer: Any, run_tasks: Any) -> Mailing:
    """Start the mailing and run its tasks until none is left; the mailing as it is then."""
    mailings.start(mailing, mailer)
    while run_tasks():
        pass
    mailing.refresh_from_db()
    return mailing


def recipients_of(sink: Any) -> list[str]:
    return sorted(address for _sender, addresses, _message in sink.messages for address in addresses)

import os
import tempfile
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from standwith.shield import disposable

DEFAULT_SOURCE = (
    "https://raw.githubusercontent.com/disposable-email-domains/disposable-email-domains/main/"
    "disposable_email_blocklist.conf"
)
_MAX_BYTES = 10 * 1024 * 1024  # the list is a few hundred kilobytes; anything far larger is not it

HEADER = """\
# Email domains that hand out throwaway inboxes: addresses at these domains,
# or at any of their subdomains, cannot sign. One domain a line, in ASCII.
#
# Source: {source}, taken {day}.
# The default source, the disposable-email-domains project
#   (https://github.com/disposable-email-domains/disposable-email-domains),
#   is dedicated to the public domain under CC0 1.0 Universal.
# Replace it with: standwith update_disposable_domains [--from FILE_OR_URL]
"""


def read_source(source: str) -> bytes:
    if source.startswith(("https://", "http://")):
        # Only http(s) reaches urlopen, so no file: or custom scheme can be smuggled in.
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310
            return bytes(response.read(_MAX_BYTES + 1))
    with Path(source).open("rb") as file:
        return file.read(_MAX_BYTES + 1)


class Command(BaseCommand):
    help = (
        "Replace the list of disposable email domains that cannot sign, from a file or URL "
        "(by default the disposable-email-domains project's published list). "
        "Running workers read the new list when they restart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", default=DEFAULT_SOURCE, help="a file path or an http(s) URL")

    def handle(self, *args: Any, source: str, **options: Any) -> None:
        try:
            raw = read_source(source)
        except OSError as error:
            raise CommandError(f"could not read {source}: {error}") from None
        if len(raw) > _MAX_BYTES:
            raise CommandError(f"{source} is larger than {_MAX_BYTES} bytes; it is not a domain list")
        try:
            domains = disposable.parse_domains(raw.decode("utf-8"))
        except (UnicodeDecodeError, disposable.MalformedList) as error:
            raise CommandError(f"{source} is not a domain list ({error}); the current list is kept") from None
        text = HEADER.format(source=source, day=date.today().isoformat()) + "".join(f"{d}\n" for d in sorted(domains))
        target = disposable.DATA_FILE
        # Written beside the list and renamed over it, so a reader sees the old list or the new, never half of one.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".disposable_domains.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)  # mkstemp makes it private; the web workers must read it
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        disposable.blocked_domains.cache_clear()
        self.stdout.write(f"{len(domains)} disposable domains written to {target}.")

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from standwith.outreach import bounces, optouts


class Command(BaseCommand):
    help = "Read bounce reports and complaints from an mbox file or a Maildir; stop mail to addresses that bounce."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="an mbox file or a Maildir folder")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        found = {"hard": 0, "soft": 0, "complaint": 0, "other": 0}
        try:
            for message in bounces.messages(path):
                report = bounces.read(message)
                if report is None:
                    found["other"] += 1
                    continue
                optouts.record_bounce(
                    report.kind, address=report.address, delivery_id=report.delivery_id, status=report.status
                )
                found[report.kind] += 1
        except (OSError, ValueError) as error:
            raise CommandError(f"could not read {path}: {error}") from error
        self.stdout.write(
            "{hard} hard bounces, {soft} soft bounces, {complaint} complaints, {other} other messages".format(**found)
        )

import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from standwith.campaigns.models import Petition
from standwith.reports import export


class Command(BaseCommand):
    help = (
        "Write a petition's signers as CSV (personal data: the file is readable by its owner only). "
        "On behalf of a staff member who is a data officer of the petition's organisation, or an admin; "
        "the audit log records who asked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the petition's slug")
        parser.add_argument("--out", required=True, help="the file to write (it must not exist yet), or - for stdout")
        parser.add_argument("--as", dest="username", required=True, help="the staff member who asked for it")
        parser.add_argument(
            "--columns",
            default=",".join(export.DEFAULT_COLUMNS),
            help=f"comma-separated, some of: {', '.join(export.BY_KEY)} (default: %(default)s)",
        )
        parser.add_argument("--all", action="store_true", help="every signature, not only the confirmed ones")

    def handle(self, *args: Any, slug: str, out: str, username: str, columns: str, all: bool, **options: Any) -> None:
        petition = Petition.objects.select_related("organization").filter(slug=slug).first()
        if petition is None:
            raise CommandError(f"no petition {slug!r}")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active staff member {username!r}")
        if not export.may_export(user, petition):
            raise CommandError(f"{username} is neither a data officer of {petition.organization} nor an admin")
        try:
            chosen = export.columns_from([key.strip() for key in columns.split(",") if key.strip()])
        except export.UnknownColumn as error:
            raise CommandError(f"unknown columns: {error}; choose from {', '.join(export.BY_KEY)}") from None
        if not chosen:
            raise CommandError("choose at least one column")
        try:
            export.check_readable(petition, chosen)
        except export.KeyDestroyed:
            raise CommandError(
                "this petition's data key was destroyed (an emergency erase): names, addresses and postcodes "
                "can no longer be read; export without those columns"
            ) from None
        job = export.Export(petition=petition, columns=chosen, everyone=all, actor=user, via="command")
        if out == "-":
            self._write(job, sys.stdout.buffer)
            return
        try:
            # Created readable by its owner only, and never over an existing file.
            descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise CommandError(f"cannot create {out}: {error.strerror}") from None
        with os.fdopen(descriptor, "wb") as file:
            self._write(job, file)
        self.stderr.write(f"{job.rows} rows written to {out}")

    def _write(self, job: export.Export, file: Any) -> None:
        job.start()
        for chunk in export.stream(job):
            file.write(chunk)

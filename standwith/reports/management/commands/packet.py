import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from standwith.campaigns.models import Petition
from standwith.reports import packet
from standwith.staff.services import record


class Command(BaseCommand):
    help = (
        "Write a petition's delivery packet as PDF: its text, targets, count and how it was verified, charts, and "
        "the names of signers who asked to be named publicly. No email address or other personal data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the petition's slug")
        parser.add_argument("--out", required=True, help="the PDF file to write (replaced if it exists)")
        parser.add_argument(
            "--languages", default="", help="comma-separated languages of translations to add, e.g. ru,fr"
        )

    def handle(self, *args: Any, slug: str, out: str, languages: str, **options: Any) -> None:
        petition = Petition.objects.select_related("organization").filter(slug=slug).first()
        if petition is None:
            raise CommandError(f"no petition {slug!r}")
        wanted = [code.strip() for code in languages.split(",") if code.strip()]
        available = packet.translated_languages(petition)
        unknown = [code for code in wanted if code not in available]
        if unknown:
            raise CommandError(
                f"not translated into {', '.join(unknown)}; translations: {', '.join(available) or 'none'}"
            )
        temporary = f"{out}.part"
        try:
            with open(temporary, "wb") as file:
                made = packet.build(petition, file, languages=wanted)
            os.replace(temporary, out)
        except OSError as error:
            raise CommandError(f"cannot write {out}: {error.strerror}") from None
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        record(None, "packet.build", petition, via="command", languages=wanted)
        self.stdout.write(f"{out}: {made.verification.confirmed} confirmed signatures, {os.path.getsize(out)} bytes")

"""Delivery packets asked for by staff: queued, built by a worker into a file, downloaded, audited."""

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.reports import packet
from standwith.reports.models import PacketBuild
from standwith.staff.services import User, record

# Older packets of a petition are deleted when a new one is ready: a packet is made to be handed over, not archived.
KEEP_PER_PETITION = 5


def packet_dir() -> Path:
    return Path(settings.DATA_DIR) / "packets"


def request_packet(
    petition: Petition, actor: User, languages: Sequence[str], interface_language: str, *, client_ip: str | None = None
) -> PacketBuild:
    from standwith.reports.tasks import build_packet

    wanted = [code for code in packet.translated_languages(petition) if code in languages]
    with transaction.atomic():
        build = PacketBuild.objects.create(
            petition=petition,
            requested_by=actor if actor.is_authenticated else None,
            languages=wanted,
            interface_language=interface_language,
        )
        record(actor, "packet.request", petition, client_ip=client_ip, packet=build.pk, languages=wanted)
        build_packet.enqueue(build.pk)
    return build


def run_build(build: PacketBuild) -> None:
    """Write the packet to a file, whole or not at all (a temporary name until it is complete)."""
    directory = packet_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"packet-{build.petition_id}-{build.pk}.pdf"
    descriptor, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as out:
            made = packet.build(
                build.petition, out, languages=build.languages, interface_language=build.interface_language
            )
        os.replace(temporary, directory / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    build.state = PacketBuild.State.READY
    build.file_name = name
    build.size = (directory / name).stat().st_size
    build.signatures = made.verification.confirmed
    build.finished_at = timezone.now()
    build.save(update_fields=["state", "file_name", "size", "signatures", "finished_at"])
    _forget_older(build)


def _forget_older(build: PacketBuild) -> None:
    older = PacketBuild.objects.filter(petition_id=build.petition_id).order_by("-created_at", "-pk")[KEEP_PER_PETITION:]
    for stale in older:
        if stale.file_name:
            (packet_dir() / stale.file_name).unlink(missing_ok=True)
        stale.delete()


def packet_file(build: PacketBuild) -> Path | None:
    if build.state != PacketBuild.State.READY or not build.file_name:
        return None
    path = packet_dir() / build.file_name
    return path if path.exists() else None

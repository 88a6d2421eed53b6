from django.utils import timezone
from django_tasks import task

from standwith.reports import packet_builds
from standwith.reports.models import PacketBuild


@task()
def build_packet(build_id: int) -> str:
    """Build a queued packet; a retry of one already built or failed does nothing."""
    build = PacketBuild.objects.select_related("petition__organization").filter(pk=build_id).first()
    if build is None or build.state != PacketBuild.State.QUEUED:
        return "nothing to do"
    try:
        packet_builds.run_build(build)
    except Exception as error:
        PacketBuild.objects.filter(pk=build.pk).update(
            state=PacketBuild.State.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
        raise
    return f"built {build.file_name}"

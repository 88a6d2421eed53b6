from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from standwith.campaigns.models import Petition
from standwith.outreach.services import deliver, retrying
from standwith.signing import counting, retention, shredding
from standwith.signing.mails import signature_mail
from standwith.signing.models import Signature


@task()
def send_signature_mail(signature_id: int, kind: str, mail_id: str, attempt: int = 1) -> str:
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is None:
        return "signature gone"
    message = signature_mail(signature, kind)
    if message is None:
        return "nothing to send"
    return retrying(
        attempt,
        lambda when: send_signature_mail.using(run_after=when).enqueue(signature_id, kind, mail_id, attempt + 1),
        lambda: deliver(f"signature:{mail_id}", message),
    )


@task()
def reconcile_counts() -> int:
    """Recount every petition that can still change; returns how many were corrected."""
    recent = timezone.now() - timedelta(days=7)
    petitions = Petition.objects.filter(state=Petition.State.OPEN) | Petition.objects.filter(updated_at__gte=recent)
    return sum(1 for pk in petitions.values_list("pk", flat=True).distinct() if counting.reconcile(pk))


@task()
def purge_network_digests() -> int:
    """Forget network and domain digests past IP_DIGEST_RETENTION_DAYS; recorded when any went."""
    return retention.purge_network_digests()


@task()
def erase_expired_personal_data() -> int:
    """Erase signers' personal data of petitions closed longer than their organisation keeps it; how many.

    Also completes any emergency erase whose wiping was cut short."""
    return sum(erased.signatures for erased in retention.erase_expired()) + shredding.finish()

"""Petitions proposed by the public: from the proposer's draft to the moderators' queue, and back to them.

A proposal goes: proposed (a draft petition, the proposer's address not yet
confirmed) -> collecting (confirmed; the proposer shares a private link) ->
in review (enough supporters confirmed; pending like any other petition) ->
published, rejected, or sent back for changes (draft again, until the proposer
revises it and it returns to review). The moderators' moves go through the
staff lifecycle; what follows for the proposer is in receivers.py.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from standwith.campaigns.models import Organization, Petition, Target
from standwith.campaigns.services import forget_cached_petition
from standwith.proposals.models import Proposal, Supporter
from standwith.signing import counting, crypto, digests
from standwith.signing.emails import Address
from standwith.signing.models import Signature
from standwith.staff import switches
from standwith.staff.models import AuditRecord
from standwith.staff.services import record

State = Petition.State


class ProposalsClosed(Exception):
    """The site, or this organisation, takes no proposals now."""


class NotCollecting(Exception):
    """This proposal takes no more supporters: it is in review, decided, or not yet confirmed."""


class NotRevisable(Exception):
    """Only a proposal the moderators sent back can be changed."""


@dataclass(frozen=True)
class Draft:
    title: str
    summary: str
    body: str
    target_name: str
    target_role: str


@dataclass(frozen=True)
class Person:
    name: str
    email: Address
    country: str
    language: str


def organisations_taking_proposals() -> models.QuerySet[Organization]:
    if not switches.current().proposals_open:
        return Organization.objects.none()
    return Organization.objects.filter(accepts_proposals=True)


def propose(organization: Organization, draft: Draft, proposer: Person) -> Proposal:
    """File a proposal as a draft petition and mail the proposer a link to confirm their address."""
    if not organisations_taking_proposals().filter(pk=organization.pk).exists():
        raise ProposalsClosed
    with transaction.atomic():
        petition = Petition.objects.create(
            organization=organization,
            slug=_free_slug(draft.title),
            title=draft.title,
            summary=draft.summary,
            body=draft.body,
            language=proposer.language,
            state=State.DRAFT,
        )
        target = Target.objects.create(name=draft.target_name, role=draft.target_role)
        petition.targets.add(target)
        proposal = Proposal.objects.create(petition=petition, target=target, key=secrets.token_urlsafe(32))
        supporter = _add_supporter(proposal, proposer, is_proposer=True)
        _queue_mail(supporter.pk, "confirm_proposal")
    return proposal


def _free_slug(title: str) -> str:
    # The title's words where it has Latin letters, and a random tail: proposals share titles.
    stem = slugify(title)[:60].strip("-") or "petition"
    while True:
        slug = f"{stem}-{secrets.token_hex(3)}"
        if not Petition.objects.filter(slug=slug).exists():
            return slug


def _add_supporter(proposal: Proposal, person: Person, *, is_proposer: bool) -> Supporter:
    petition_id = proposal.petition_id
    return Supporter.objects.create(
        proposal=proposal,
        is_proposer=is_proposer,
        email_digest=digests.email_digest(petition_id, person.email.canonical),
        email_encrypted=crypto.encrypt(petition_id, "email", person.email.deliverable),
        name_encrypted=crypto.encrypt(petition_id, "name", person.name),
        country=person.country,
        language=person.language,
    )


def collecting(proposal: Proposal) -> bool:
    return (
        proposal.confirmed_at is not None and proposal.submitted_at is None and proposal.petition.state == State.DRAFT
    )


def backers(proposal: Proposal) -> int:
    """Supporters besides the proposer who have confirmed."""
    return proposal.supporters.filter(is_proposer=False, confirmed_at__isnull=False).count()


def supporters_needed(proposal: Proposal) -> int:
    return max(0, settings.PROPOSAL_SUPPORTERS - backers(proposal))


def support(proposal: Proposal, person: Person) -> None:
    """Add someone's support and mail them a link to confirm it.

    Returns nothing, and does nothing more for an address already on the
    proposal, so the answer never tells whether someone supports it.
    """
    if not collecting(proposal):
        raise NotCollecting
    try:
        with transaction.atomic():
            supporter = _add_supporter(proposal, person, is_proposer=False)
            _queue_mail(supporter.pk, "confirm_support")
    except IntegrityError:
        pass


def confirm(supporter_id: int) -> Supporter | None:
    """Confirm a proposer's or a supporter's address; None when they are gone.

    The proposer's confirmation opens the collection of supporters; the
    supporter that makes the number sends the petition to review. The
    proposal's row is locked meanwhile, so two last supporters confirming at
    once cannot both miss (or both make) the number.
    """
    with transaction.atomic():
        proposal_id = Supporter.objects.filter(pk=supporter_id).values_list("proposal_id", flat=True).first()
        if proposal_id is None:
            return None
        proposal = Proposal.objects.select_for_update().select_related("petition").get(pk=proposal_id)
        supporter = Supporter.objects.get(pk=supporter_id)
        if supporter.confirmed_at is not None:
            return supporter
        if not supporter.is_proposer and not collecting(proposal):
            raise NotCollecting
        supporter.confirmed_at = timezone.now()
        supporter.save(update_fields=["confirmed_at"])
        if supporter.is_proposer:
            proposal.confirmed_at = supporter.confirmed_at
            proposal.save(update_fields=["confirmed_at"])
            _queue_mail(supporter.pk, "collect")
        if collecting(proposal) and supporters_needed(proposal) == 0:
            _to_review(proposal, "petition.submit")
    return supporter


def _to_review(proposal: Proposal, action: str) -> None:
    petition = proposal.petition
    if not Petition.objects.filter(pk=petition.pk, state=State.DRAFT).update(
        state=State.PENDING, updated_at=timezone.now()
    ):
        return
    petition.state = State.PENDING
    if proposal.submitted_at is None:
        proposal.submitted_at = timezone.now()
        proposal.save(update_fields=["submitted_at"])
    record(
        None, action, petition, origin=State.DRAFT, to=State.PENDING, reason="proposal", supporters=backers(proposal)
    )
    _queue_mail(proposer_of(proposal).pk, "in_review")


def revisable(proposal: Proposal) -> bool:
    """Sent back by the moderators: in the proposer's hands again."""
    return proposal.submitted_at is not None and proposal.petition.state == State.DRAFT


def stage(proposal: Proposal) -> str:
    """Where a proposal stands, as its proposer's page tells it."""
    state = proposal.petition.state
    if state == State.DRAFT:
        if proposal.confirmed_at is None:
            return "unconfirmed"
        return "changes" if revisable(proposal) else "collecting"
    if state == State.PENDING:
        return "review"
    return "rejected" if state == State.REJECTED else "published"


def draft_of(proposal: Proposal) -> dict[str, str]:
    petition, target = proposal.petition, proposal.target
    return {
        "title": petition.title,
        "summary": petition.summary,
        "body": petition.body,
        "target_name": target.name if target else "",
        "target_role": target.role if target else "",
    }


def last_reason(proposal: Proposal) -> str:
    """What the moderators last said to the proposer, from the audit log of their moves."""
    details = (
        AuditRecord.objects.filter(
            object_type=Petition._meta.label_lower,
            object_id=str(proposal.petition_id),
            action__in=["petition.send_back", "petition.reject", "petition.remove"],
        )
        .values_list("details", flat=True)
        .first()
    )
    return str(details.get("reason", "")) if details else ""


def proposer_of(proposal: Proposal) -> Supporter:
    return proposal.supporters.get(is_proposer=True)


def revise(proposal: Proposal, draft: Draft) -> None:
    """Take the proposer's changes to a proposal sent back to them, and return it to review."""
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update(of=("self",)).select_related("petition", "target").get(pk=proposal.pk)
        )
        petition = proposal.petition
        if not revisable(proposal):
            raise NotRevisable
        Petition.objects.filter(pk=petition.pk).update(
            title=draft.title, summary=draft.summary, body=draft.body, updated_at=timezone.now()
        )
        # Only the proposer's own target: moderators may have added shared ones meanwhile.
        if proposal.target_id is not None:
            Target.objects.filter(pk=proposal.target_id).update(name=draft.target_name, role=draft.target_role)
        _to_review(proposal, "petition.resubmit")


def published(petition: Petition) -> None:
    """A proposal's petition is public: its confirmed supporters' backing becomes signatures.

    Their data is already sealed under the petition's key, so it is copied,
    never decrypted. They confirmed their address but consented to nothing
    more, so they get no updates and their names stay private.
    """
    proposal = petition.proposal
    rows = [
        Signature(
            petition_id=petition.pk,
            email_digest=supporter.email_digest,
            email_encrypted=supporter.email_encrypted,
            name_encrypted=supporter.name_encrypted,
            country=supporter.country,
            language=supporter.language,
            source="proposal",
            state=Signature.State.VALIDATED,
            created_at=supporter.created_at,
            validated_at=supporter.confirmed_at,
            confirmed_at=supporter.confirmed_at,
        )
        for supporter in proposal.supporters.filter(confirmed_at__isnull=False)
    ]
    Signature.objects.bulk_create(rows)
    counting.add(petition.pk, len(rows))
    if petition.deadline is None:
        deadline = timezone.now() + timedelta(days=settings.PROPOSAL_OPEN_DAYS)
        Petition.objects.filter(pk=petition.pk).update(deadline=deadline)
    transaction.on_commit(lambda: forget_cached_petition(petition))
    _queue_mail(proposer_of(proposal).pk, "published")


def purge_unconfirmed() -> int:
    """Delete proposals whose proposer never confirmed before the link expired; returns how many.

    Nobody vouched for these, so nothing of them is kept: the draft petition,
    its target and the address it was sent from go. Supporters who never
    confirmed go too, from every proposal.
    """
    expired = timezone.now() - timedelta(days=settings.CONFIRM_TOKEN_MAX_AGE_DAYS)
    Supporter.objects.filter(is_proposer=False, confirmed_at__isnull=True, created_at__lt=expired).delete()
    stale = Proposal.objects.filter(confirmed_at__isnull=True, created_at__lt=expired, petition__state=State.DRAFT)
    purged = 0
    for proposal in stale.select_related("petition"):
        with transaction.atomic():
            proposal.petition.delete()  # its proposal and supporters go with it
            if proposal.target_id is not None:
                Target.objects.filter(pk=proposal.target_id, petitions__isnull=True).delete()
        purged += 1
    return purged


def _queue_mail(supporter_id: int, kind: str, reason: str = "") -> None:
    from standwith.proposals.tasks import send_proposal_mail

    send_proposal_mail.enqueue(supporter_id, kind, uuid.uuid4().hex, reason)


def tell_proposer(petition: Petition, kind: str, reason: str) -> None:
    """Mail the proposer a moderator's decision ("rejected", "sent_back") with its reason."""
    _queue_mail(proposer_of(petition.proposal).pk, kind, reason)

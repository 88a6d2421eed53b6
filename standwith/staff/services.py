"""What staff may do, the petition lifecycle they move petitions through, and the audit log of it."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as Account
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Organization, Petition
from standwith.campaigns.services import forget_cached_petition
from standwith.signing.digests import network_prefix
from standwith.staff import switches
from standwith.staff.models import AuditRecord, Membership, Role, SiteSwitches
from standwith.staff.signals import petition_moved

State = Petition.State
User = Account | AnonymousUser
# Roles that hold for every organisation, wherever the membership was given.
SITE_WIDE = {Role.MODERATOR, Role.ADMIN}


class NotAllowed(Exception):
    """This person may not do this, here, now."""


def roles_of(user: User, organization: Organization | None) -> set[Role]:
    """The roles `user` holds for `organization`: its own memberships there, and any site-wide role."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if getattr(user, "is_superuser", False):
        return set(Role)
    roles = set()
    for organization_id, role in Membership.objects.filter(user=user).values_list("organization_id", "role"):
        if role in SITE_WIDE or (organization is not None and organization_id == organization.pk):
            roles.add(Role(role))
    return roles


def record(
    actor: User | None,
    action: str,
    item: models.Model,
    *,
    client_ip: str | None = None,
    **details: object,
) -> AuditRecord:
    """Add a line to the audit log; `actor` None means the site itself (a deadline, say)."""
    person = actor if actor is not None and actor.is_authenticated else None
    return AuditRecord.objects.create(
        actor=person,
        actor_name=person.get_username() if person is not None else "standwith",
        action=action,
        object_type=item._meta.label_lower,
        object_id=str(item.pk),
        object_repr=str(item)[:200],
        details=details,
        network=(network_prefix(client_ip) or "") if client_ip else "",
    )


@dataclass(frozen=True)
class Move:
    action: str
    roles: frozenset[Role]  # besides admins, who may make every move
    needs_reason: bool = False


_MODERATORS = frozenset({Role.MODERATOR})
_RUNNERS = frozenset({Role.CAMPAIGNER, Role.MODERATOR})

# The petition lifecycle: draft -> pending review -> open -> closed -> archived,
# and rejected, from review or, as a removal, once public.
MOVES: dict[tuple[str, str], Move] = {
    (State.DRAFT, State.PENDING): Move("submit", frozenset({Role.CAMPAIGNER})),
    (State.PENDING, State.DRAFT): Move("send_back", _MODERATORS, needs_reason=True),
    (State.PENDING, State.OPEN): Move("publish", _MODERATORS),
    (State.PENDING, State.REJECTED): Move("reject", _MODERATORS, needs_reason=True),
    (State.OPEN, State.CLOSED): Move("close", _RUNNERS),
    (State.CLOSED, State.ARCHIVED): Move("archive", _RUNNERS),
    (State.OPEN, State.REJECTED): Move("remove", _MODERATORS, needs_reason=True),
    (State.CLOSED, State.REJECTED): Move("remove", _MODERATORS, needs_reason=True),
    (State.ARCHIVED, State.REJECTED): Move("remove", _MODERATORS, needs_reason=True),
}


def allowed_moves(user: User, petition: Petition) -> list[str]:
    """The states `user` may move `petition` to from where it is now."""
    roles = roles_of(user, petition.organization)
    return [
        target
        for (source, target), move in MOVES.items()
        if source == petition.state and (Role.ADMIN in roles or roles & move.roles)
    ]


def move_petition(
    petition: Petition, to: str, actor: User, *, reason: str = "", client_ip: str | None = None
) -> Petition:
    """Move a petition to another state, if this person may; recorded in the audit log.

    The state is changed with a conditional UPDATE, so two moderators acting
    at once cannot both move the same petition.
    """
    origin = str(petition.state)
    move = MOVES.get((origin, to))
    if move is None:
        raise NotAllowed(_("A petition cannot go from this state to that one."))
    roles = roles_of(actor, petition.organization)
    if Role.ADMIN not in roles and not roles & move.roles:
        raise NotAllowed(_("Your role does not allow this."))
    reason = reason.strip()
    if move.needs_reason and not reason:
        raise NotAllowed(_("Please give a reason."))
    now = timezone.now()
    changes: dict[str, object] = {"state": to, "updated_at": now}
    if to == State.OPEN and petition.published_at is None:
        changes["published_at"] = now
    if move.action == "remove":
        changes["removal_reason"] = reason
    if origin == State.OPEN:
        # It stops taking signatures now: the retention period of its signers' personal data starts.
        changes["closed_at"] = now
    with transaction.atomic():
        if not Petition.objects.filter(pk=petition.pk, state=origin).update(**changes):
            raise NotAllowed(_("Someone else changed this petition just now; please look again."))
        record(actor, f"petition.{move.action}", petition, client_ip=client_ip, origin=origin, to=to, reason=reason)
        # In the same transaction: what others do about a move (mail the proposer, say) happens with it or not at all.
        petition_moved.send(Petition, petition=petition, action=move.action, reason=reason)
    petition.refresh_from_db()
    forget_cached_petition(petition)
    return petition


def close_due_petitions() -> int:
    """Close every open petition whose deadline has passed; returns how many.

    Nothing closes while signing is paused: resuming moves the deadlines on by the pause.
    """
    if SiteSwitches.objects.filter(pk=1, signing_paused_since__isnull=False).exists():
        return 0
    closed = 0
    for petition in Petition.objects.filter(state=State.OPEN, deadline__lte=timezone.now()):
        with transaction.atomic():
            if Petition.objects.filter(pk=petition.pk, state=State.OPEN).update(
                state=State.CLOSED, updated_at=timezone.now(), closed_at=timezone.now()
            ):
                record(None, "petition.close", petition, origin=State.OPEN, to=State.CLOSED, reason="deadline")
                petition_moved.send(Petition, petition=petition, action="close", reason="deadline")
                closed += 1
        forget_cached_petition(petition)
    return closed


def _flip(actor: User, action: str, client_ip: str | None, **changes: object) -> SiteSwitches:
    if Role.ADMIN not in roles_of(actor, None):
        raise NotAllowed(_("Only admins may change the site switches."))
    with transaction.atomic():
        site = SiteSwitches.objects.select_for_update().get_or_create(pk=1)[0]
        before = {name: getattr(site, name) for name in changes}
        for name, value in changes.items():
            setattr(site, name, value)
        site.save()
        record(actor, action, site, client_ip=client_ip, before=_plain(before), after=_plain(changes))
    return site


def _plain(values: dict[str, object]) -> dict[str, object]:
    return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in values.items()}


def pause_signing(actor: User, *, client_ip: str | None = None) -> SiteSwitches:
    with transaction.atomic():
        # Read under the lock, not from the cache: two admins pausing at once must not move the start.
        site = SiteSwitches.objects.select_for_update().get_or_create(pk=1)[0]
        if site.signing_paused_since is not None:
            return site
        return _flip(actor, "site.signing_paused", client_ip, signing_paused_since=timezone.now())


def resume_signing(actor: User, *, client_ip: str | None = None) -> SiteSwitches:
    """Let petitions take signatures again; open petitions' deadlines move on by the time lost."""
    with transaction.atomic():
        since = SiteSwitches.objects.select_for_update().get_or_create(pk=1)[0].signing_paused_since
        if since is None:
            return switches.current()
        site = _flip(actor, "site.signing_resumed", client_ip, signing_paused_since=None)
        paused_for = timezone.now() - since
        Petition.objects.filter(state=State.OPEN, deadline__isnull=False).update(
            deadline=models.F("deadline") + paused_for
        )
    for petition in Petition.objects.filter(state=State.OPEN, deadline__isnull=False):
        forget_cached_petition(petition)
    return site


def set_read_only(actor: User, on: bool, *, client_ip: str | None = None) -> SiteSwitches:
    return _flip(actor, "site.read_only_on" if on else "site.read_only_off", client_ip, read_only=on)


def set_proposals_open(actor: User, on: bool, *, client_ip: str | None = None) -> SiteSwitches:
    action = "site.proposals_opened" if on else "site.proposals_stopped"
    return _flip(actor, action, client_ip, proposals_open=on)


def set_banner(actor: User, text: str, *, client_ip: str | None = None) -> SiteSwitches:
    return _flip(actor, "site.banner_set", client_ip, banner=" ".join(text.split())[:300])


def purge_sign_in_attempts() -> int:
    from axes.models import AccessAttempt

    stale = AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - settings.AXES_COOLOFF_TIME)
    deleted: int = stale.delete()[0]
    return deleted

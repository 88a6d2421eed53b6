"""Reading campaigns for the public pages and the sign path; publishing updates, milestones and responses."""

import datetime
import smtplib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from standwith.campaigns.content import Shown, localise, originals_of_untranslated, show, translations_of
from standwith.campaigns.models import (
    Case,
    Milestone,
    Organization,
    Person,
    Petition,
    ResponseSubmission,
    Statement,
    Target,
    TargetResponse,
    TimelineEvent,
    Translation,
    Update,
)
from standwith.freshcache import forget, fresh
from standwith.signing import counting

if TYPE_CHECKING:
    from standwith.outreach.models import Mailing
    from standwith.staff.services import User

# States in which a petition's page is public.
PUBLIC_STATES = {Petition.State.OPEN, Petition.State.CLOSED, Petition.State.ARCHIVED}
# Cached copies of petitions stay fresh this long, in seconds; a save drops
# them at once here and in the shared cache, other processes catch up soon after.
PETITION_CACHE_SECONDS = 5


def _cache_key(slug: str) -> str:
    return f"petition:{slug}"


class PetitionRemoved(Exception):
    """The petition here was public and has been taken down; its address says why (410)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def public_petition(slug: str) -> Petition | None:
    """The petition at this slug if its page is public, from cache when possible.

    Raises PetitionRemoved for one that was public and has been removed.
    """

    def load() -> Petition | str | bool:
        petition = (
            Petition.objects.select_related("organization", "case")
            .prefetch_related("targets", "partners")
            .filter(slug=slug)
            .first()
        )
        if petition is not None and petition.state in PUBLIC_STATES:
            return petition
        if petition is not None and petition.state == Petition.State.REJECTED and petition.published_at:
            return petition.removal_reason
        # A miss is cached too, so a flood of requests for made-up slugs
        # does not reach the database either.
        return False

    found = fresh(_cache_key(slug), PETITION_CACHE_SECONDS, load)
    if isinstance(found, str):
        raise PetitionRemoved(found)
    return found if isinstance(found, Petition) else None


def open_petitions() -> list[Petition]:
    return list(Petition.objects.filter(state=Petition.State.OPEN).select_related("organization")[:50])


def suggestions(petition: Petition, language: str, limit: int = 3) -> list[Shown]:
    """Other open petitions whose title reads in this language, for someone who just signed."""
    others = [p for p in open_petitions() if p.pk != petition.pk]
    found = translations_of([p for p in others if p.language != language], language)
    shown = [item for p in others for item in show([p], language, p.language, found)]
    return [item for item in shown if item.lang["title"] == language][:limit]


def public_case(slug: str) -> Case | None:
    """The case at this slug if one of its petitions is public: a case of drafts is not told yet."""
    return (
        Case.objects.select_related("organization")
        .filter(slug=slug, petitions__state__in=PUBLIC_STATES)
        .distinct()
        .first()
    )


def published_updates(cases: models.QuerySet[Case] | None = None) -> models.QuerySet[Update]:
    updates = Update.objects.filter(
        published_at__lte=timezone.now(), case__petitions__state__in=PUBLIC_STATES
    ).distinct()
    if cases is not None:
        updates = updates.filter(case__in=cases)
    return updates.select_related("case")


def publish_update(case: Case, title: str, body: str, when: datetime.datetime | None = None) -> Update:
    """Publish news on a campaign: it appears on its pages and feeds at `when` (now if not given)."""
    return Update.objects.create(case=case, title=title, body=body, published_at=when or timezone.now())


def publish_drafts(updates: models.QuerySet[Update], actor: "User", *, client_ip: str | None = None) -> int:
    """Publish these updates now, leaving those already published at their own time; returns how many."""
    from standwith.staff.services import record  # staff.services imports this module

    drafts = list(updates.filter(published_at__isnull=True))
    now = timezone.now()
    for update in drafts:  # saved one by one, so the cached campaign pages drop them at once
        update.published_at = now
        with transaction.atomic():
            update.save(update_fields=["published_at", "updated_at"])
            record(actor, "update.publish", update, client_ip=client_ip)
    return len(drafts)


@dataclass
class Campaign:
    """Everything a campaign page tells, in one language."""

    petition: Shown
    case: Shown | None
    persons: list[Shown]
    events: list[Shown]
    statements: list[Shown]
    updates: list[Shown]
    targets: list[Shown]
    responses: list[tuple[Shown, Shown]]  # each target that answered, with its answer
    milestones: list[Milestone]  # highest first
    petitions: list[Shown]  # the case's other public petitions
    partners: list[Organization]
    untranslated_from: list[str]  # original languages of parts shown untranslated


def shown_petition(petition: Petition, language: str) -> Shown:
    """The petition's texts in this language, for pages that only name it."""
    return campaign(petition, language).petition


def _campaign_key(petition_id: int, language: str) -> str:
    return f"campaign:{petition_id}:{language}"


def campaign(petition: Petition, language: str) -> Campaign:
    """The petition with its case's story, localised; cached briefly, dropped when staff edit any of it."""
    return fresh(
        _campaign_key(petition.pk, language), PETITION_CACHE_SECONDS, lambda: _load_campaign(petition, language)
    )


def _load_campaign(petition: Petition, language: str) -> Campaign:
    case = petition.case
    persons: list[Person] = []
    events: list[TimelineEvent] = []
    statements: list[Statement] = []
    updates: list[Update] = []
    siblings: list[Petition] = []
    if case is not None:
        persons = list(case.persons.all())
        events = list(case.events.all())
        statements = list(case.statements.all())
        updates = list(published_updates().filter(case=case)[:5])
        siblings = list(case.petitions.filter(state__in=PUBLIC_STATES).exclude(pk=petition.pk))
    targets = list(petition.targets.all())
    responses = list(petition.responses.select_related("target"))
    responders = [response.target for response in responses]
    original = case.language if case is not None else petition.language
    found = translations_of(
        [
            petition,
            *siblings,
            *targets,
            *responses,
            *responders,
            *([case] if case else []),
            *persons,
            *events,
            *statements,
            *updates,
        ],
        language,
    )
    story = {
        "persons": show(persons, language, original, found),
        "events": show(events, language, original, found),
        "statements": show(statements, language, original, found),
        "updates": show(updates, language, original, found),
        "targets": show(targets, language, petition.language, found),
        "responses": show(responses, language, petition.language, found),
    }
    head = show([petition], language, petition.language, found)
    case_shown = show([case], language, case.language, found) if case is not None else []
    return Campaign(
        petition=head[0],
        case=case_shown[0] if case_shown else None,
        persons=story["persons"],
        events=story["events"],
        statements=story["statements"],
        updates=story["updates"],
        targets=story["targets"],
        responses=list(zip(show(responders, language, petition.language, found), story["responses"], strict=True)),
        milestones=list(petition.milestones.order_by("-threshold")),
        petitions=[shown for p in siblings for shown in show([p], language, p.language, found)],
        partners=list(petition.partners.all()),
        untranslated_from=originals_of_untranslated(
            [*head, *case_shown, *(s for group in story.values() for s in group)]
        ),
    )


def record_milestones() -> list[Milestone]:
    """Record every threshold an open petition's count has newly passed, and queue word to its staff.

    Each milestone is created with its email task in one transaction, and the
    unique (petition, threshold) lets only one of two concurrent runs create
    it, so its staff hear of it exactly once.
    """
    if not settings.MILESTONES:
        return []
    counts = counting.stored_counts(
        list(Petition.objects.filter(state=Petition.State.OPEN).values_list("pk", flat=True))
    )
    passed = {
        (pk, threshold) for pk, count in counts.items() for threshold in settings.MILESTONES if count >= threshold
    }
    if not passed:
        return []
    recorded = set(
        Milestone.objects.filter(petition_id__in={pk for pk, _threshold in passed}).values_list(
            "petition_id", "threshold"
        )
    )
    from standwith.campaigns.tasks import send_milestone_mail, send_target_mail  # the tasks module imports this one
    from standwith.outreach.webhooks import services as webhooks  # which imports campaigns' models

    now = timezone.now()
    new = []
    mailing_targets = set(
        Petition.objects.filter(pk__in={pk for pk, _threshold in passed}, mail_targets=True).values_list(
            "pk", flat=True
        )
    )
    for petition_id, threshold in sorted(passed - recorded):
        with transaction.atomic():
            milestone, created = Milestone.objects.get_or_create(
                petition_id=petition_id, threshold=threshold, defaults={"reached_at": now}
            )
            if created:
                send_milestone_mail.enqueue(milestone.pk)
                webhooks.milestone_reached(milestone)
                if petition_id in mailing_targets:
                    send_target_mail.enqueue(milestone.pk)
                new.append(milestone)
    return new


def record_response(
    petition: Petition,
    target: Target,
    date: datetime.date,
    text: str,
    actor: "User",
    source_name: str = "",
    source_url: str = "",
    client_ip: str | None = None,
) -> TargetResponse:
    """Record what a target answered to the petition; shown on its page, written to the audit log.

    Raises ValidationError for a target the petition does not address, or a bad date, text or link.
    """
    response = TargetResponse(
        petition=petition,
        target=target,
        date=date,
        text=text.strip(),
        source_name=source_name.strip(),
        source_url=source_url.strip(),
    )
    return save_response(response, actor, client_ip=client_ip)


def save_response(response: TargetResponse, actor: "User", *, client_ip: str | None = None) -> TargetResponse:
    """Save a new or edited response after checking it, with its line in the audit log."""
    from standwith.staff.services import record  # staff.services imports this module

    response.full_clean()
    action = "petition.response_recorded" if response._state.adding else "petition.response_edited"
    with transaction.atomic():
        response.save()
        record(
            actor,
            action,
            response.petition,
            client_ip=client_ip,
            response=response.pk,
            target=response.target.name,
            date=response.date.isoformat(),
        )
    return response


def remove_response(response: TargetResponse, actor: "User", *, client_ip: str | None = None) -> None:
    """Take a response off the page; the audit log keeps who did, and what it said."""
    from standwith.staff.services import record  # staff.services imports this module

    with transaction.atomic():
        record(
            actor,
            "petition.response_removed",
            response.petition,
            client_ip=client_ip,
            response=response.pk,
            target=response.target.name,
            date=response.date.isoformat(),
            text=response.text,
        )
        response.delete()


def takes_signatures(petition: Petition) -> bool:
    if petition.state != Petition.State.OPEN:
        return False
    return petition.deadline is None or petition.deadline > timezone.now()


@receiver(m2m_changed, sender=Petition.targets.through)
@receiver(m2m_changed, sender=Petition.partners.through)
def _forget_cached_petition_relations(sender: type, instance: object, **kwargs: object) -> None:
    if isinstance(instance, Petition):
        _forget_cached_campaigns(sender, instance)


def _petitions_about(instance: models.Model) -> list[tuple[int, str]]:
    """Ids and slugs of the petitions whose campaign page shows this item."""
    if isinstance(instance, Petition):
        return [(instance.pk, instance.slug)]
    if isinstance(instance, Case):
        return list(instance.petitions.values_list("pk", "slug"))
    if isinstance(instance, Person | TimelineEvent | Statement | Update):
        return list(Petition.objects.filter(case_id=instance.case_id).values_list("pk", "slug"))
    if isinstance(instance, Milestone | TargetResponse):
        return list(Petition.objects.filter(pk=instance.petition_id).values_list("pk", "slug"))
    if isinstance(instance, Target):
        # A target taken off a petition may still have answered it.
        addressed = models.Q(targets=instance) | models.Q(responses__target=instance)
        return list(Petition.objects.filter(addressed).values_list("pk", "slug").distinct())
    if isinstance(instance, Translation):
        item = instance.item
        return _petitions_about(item) if isinstance(item, models.Model) else []
    return []


def forget_cached_petition(petition: Petition) -> None:
    """Drop cached copies of a petition changed by a bulk UPDATE, which sends no signal."""
    _forget_cached_campaigns(Petition, petition)


# What campaign pages show: saving or deleting any of it drops the cached pages it is on.
_SHOWN = (Petition, Case, Person, TimelineEvent, Statement, Update, Target, TargetResponse, Milestone, Translation)


@receiver(post_save)
@receiver(post_delete)
def _forget_cached_campaigns(sender: type, instance: object, **kwargs: object) -> None:
    if not isinstance(instance, _SHOWN):
        return
    for petition_id, slug in _petitions_about(instance):
        forget(_cache_key(slug))  # it carries its case
        for code, _name in settings.LANGUAGES:
            forget(_campaign_key(petition_id, code))


def mail_targets(milestone: Milestone) -> str:
    """Send the petition to each target with an address, once per milestone; says how many now.

    A mail server that is down or busy raises, for the caller's task to try again later.
    """
    from standwith.campaigns.target_mails import target_milestone_mail
    from standwith.outreach.services import send_once

    sent = 0
    for target in milestone.petition.targets.exclude(email=""):
        try:
            sent += send_once(f"target-milestone:{milestone.pk}:{target.pk}", target_milestone_mail(milestone, target))
        except smtplib.SMTPRecipientsRefused:
            continue
    return f"sent {sent}"


def submit_response(petition: Petition, target: Target, sender: str, text: str) -> ResponseSubmission:
    """Keep what a target sent through their link, and tell the petition's staff, in one transaction.

    Raises ValidationError for empty or oversized text. Nothing is public until staff record it.
    """
    from standwith.campaigns.tasks import send_submission_mail

    submission = ResponseSubmission(petition=petition, target=target, sender=sender.strip(), text=text.strip())
    submission.full_clean()
    with transaction.atomic():
        submission.save()
        send_submission_mail.enqueue(submission.pk)
    return submission


def record_submission(submission: ResponseSubmission, actor: "User", *, client_ip: str | None = None) -> TargetResponse:
    """Make a target's submitted answer their recorded response, dated the day it came, audited; once.

    The submission is read again under a row lock: two staff recording it at the same moment, or from a page
    loaded before someone else recorded it, make one response between them.
    """
    with transaction.atomic():
        current = ResponseSubmission.objects.select_for_update().get(pk=submission.pk)
        if current.recorded_as_id is not None:
            return TargetResponse.objects.get(pk=current.recorded_as_id)
        current.recorded_as = record_response(
            submission.petition,
            submission.target,
            timezone.localdate(current.submitted_at),
            current.text,
            actor,
            source_name=current.sender,
            client_ip=client_ip,
        )
        current.save(update_fields=["recorded_as"])
    submission.recorded_as = current.recorded_as
    return current.recorded_as


def announce_response(response: TargetResponse, actor: "User", *, client_ip: str | None = None) -> "Mailing":
    """Publish a target's response as an update of the petition's campaign, and draft its mailing to the signers.

    The update is written in the campaign's language and in each language the response is translated into. The
    mailing stays a draft, for staff to preview and start: it may reach many people. Raises ValidationError for a
    petition in no campaign (an update belongs to one), and whatever creating the mailing refuses.
    """
    from django.contrib.auth.models import User as Account

    from standwith.outreach.mailings import create_mailing
    from standwith.staff.services import NotAllowed, record  # staff.services imports this module

    if not isinstance(actor, Account):
        raise NotAllowed(_("Only the organisation's campaigners and admins may send its mailings."))
    petition, target, case = response.petition, response.target, response.petition.case
    if case is None:
        raise ValidationError(_("This petition belongs to no campaign, so the response cannot become its update."))
    languages = {case.language, *response.translations.filter(field="text").values_list("language", flat=True)}
    texts = {}
    for language in sorted(languages):
        shown_petition, shown_target, shown_response = localise(
            [petition, target, response], language, petition.language
        )
        with translation.override(language):
            title = _("%(target)s answered “%(title)s”") % {"target": shown_target.name, "title": shown_petition.title}
        quote = "\n".join(f"> {line}" if line else ">" for line in shown_response.text.splitlines())
        texts[language] = (title[:200], f"{quote}\n\n— {shown_target.name}, {shown_target.role}")
    title, body = texts.pop(case.language)
    with transaction.atomic():
        update = Update.objects.create(case=case, title=title, body=body, published_at=timezone.now())
        Translation.objects.bulk_create(
            Translation(item=update, language=language, field=field, text=text)
            for language, (title, body) in texts.items()
            for field, text in (("title", title), ("body", body))
        )
        record(actor, "update.publish", update, client_ip=client_ip, response=response.pk)
        return create_mailing(petition.organization, update, [petition], created_by=actor)

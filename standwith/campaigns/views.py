from typing import Any, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from django.views import static
from django.views.decorators.http import require_safe

from standwith.campaigns import services
from standwith.campaigns.content import localise, originals_of_untranslated, show, translations_of
from standwith.campaigns.markup import render_markdown
from standwith.campaigns.models import Petition
from standwith.campaigns.services import open_petitions, public_petition, takes_signatures
from standwith.campaigns.sharing import petition_address, share_links
from standwith.public import mark_public, public_page
from standwith.reports.public_chart import signature_chart
from standwith.signing import counting, referrals
from standwith.signing.forms import SignForm
from standwith.staff import switches


def petition_or_404(slug: str) -> Petition:
    petition = public_petition(slug)
    if petition is None:
        raise Http404("no public petition at this address")
    return petition


def petition_context(petition: Petition, form: SignForm) -> dict[str, Any]:
    count = counting.stored_count(petition.pk)
    campaign = services.campaign(petition, get_language())
    return {
        "petition": campaign.petition,
        "campaign": campaign,
        "body_html": render_markdown(campaign.petition.body),
        "count": count,
        "progress": min(100, count * 100 // petition.goal),
        # Once fraud is struck off, a count can fall back below a milestone; the page then no longer claims it.
        "milestones": [milestone for milestone in campaign.milestones if milestone.threshold <= count],
        "open": takes_signatures(petition),
        "paused": switches.current().signing_paused_since is not None,
        "form": form,
        **sharing_context(petition, campaign, _("Please sign: “%(title)s”")),
    }


def sharing_context(petition: Petition, campaign: services.Campaign, message: str, ref: str = "") -> dict[str, Any]:
    """`ref`: the personal share code of the signer the page is for, if it is for one."""
    title = str(campaign.petition.title)
    return {
        "share_links": share_links(petition, title, message % {"title": title}, ref),
        "share_address": petition_address(petition, "link", ref),
        "page_address": settings.SITE_URL + petition.get_absolute_url(),
        "site_url": settings.SITE_URL,
        "og_locale": to_locale(get_language()),
    }


@require_safe
@public_page()
def home(request: HttpRequest) -> HttpResponse:
    petitions = open_petitions()
    counts = counting.stored_counts([p.pk for p in petitions])
    found = translations_of(petitions, get_language())
    rows = [
        {
            "petition": show([p], get_language(), p.language, found)[0],
            "count": counts[p.pk],
            "progress": min(100, counts[p.pk] * 100 // p.goal),
        }
        for p in petitions
    ]
    return render(request, "campaigns/home.html", {"rows": rows})


@require_safe
@referrals.remembers_referral
@public_page(query=("source",))
def petition_page(request: HttpRequest, slug: str) -> HttpResponse:
    petition = petition_or_404(slug)
    form = SignForm(initial={"source": request.GET.get("source", "")[:64]})
    context = petition_context(petition, form)
    context["signature_chart"] = signature_chart(petition.pk, context["count"])
    return render(request, "campaigns/petition.html", context)


@require_safe
@public_page()
def case_page(request: HttpRequest, slug: str) -> HttpResponse:
    case = services.public_case(slug)
    if case is None:
        raise Http404("no public case at this address")
    language = get_language()
    # The case is told through its open petition when it has one.
    public = case.petitions.filter(state__in=services.PUBLIC_STATES).order_by("-created_at")
    petition = min(public, key=lambda p: p.state != Petition.State.OPEN)
    campaign = services.campaign(petition, language)
    updates = localise(list(services.published_updates().filter(case=case)), language, case.language)
    petitions = [campaign.petition, *campaign.petitions]
    counts = counting.stored_counts([p.pk for p in petitions])
    context = {
        "campaign": campaign,
        "case": campaign.case,
        "updates": updates,
        "rows": [
            {"petition": p, "count": counts[p.pk], "open": takes_signatures(cast(Petition, p.item))} for p in petitions
        ],
        "untranslated_from": sorted({*campaign.untranslated_from, *originals_of_untranslated(updates)}),
    }
    return render(request, "campaigns/case.html", context)


@require_safe
@public_page()
def check_email(request: HttpRequest, slug: str) -> HttpResponse:
    petition = services.shown_petition(petition_or_404(slug), get_language())
    context = {"petition": petition, "confirm_days": settings.CONFIRM_TOKEN_MAX_AGE_DAYS}
    return render(request, "campaigns/check_email.html", context)


@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The page a signer sees on confirming: with their personal share link when its address carries their code.

    That version is rendered for them alone and kept out of every cache; any other code, forged or garbled,
    gets the page everyone gets, from the cache.
    """
    code = request.GET.get("ref", "")
    if code:
        petition = petition_or_404(slug)
        if referrals.signature_id_of(petition.pk, code) is not None:
            response = render(request, "campaigns/thanks.html", thanks_context(petition, code))
            response["Cache-Control"] = "private, no-store"
            return response
    return public_thanks(request, slug)


@public_page()
def public_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "campaigns/thanks.html", thanks_context(petition_or_404(slug)))


def thanks_context(petition: Petition, ref: str = "") -> dict[str, Any]:
    language = get_language()
    campaign = services.campaign(petition, language)
    count = counting.stored_count(petition.pk)
    return {
        "petition": campaign.petition,
        "count": count,
        "progress": min(100, count * 100 // petition.goal),
        "suggestions": services.suggestions(petition, language),
        "personal": bool(ref),
        **sharing_context(petition, campaign, _("I signed “%(title)s”. Will you add your name?"), ref),
    }


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Campaign pictures, for the embedded default; in production nginx serves MEDIA_ROOT itself."""
    # Uploaded names never change meaning (a new upload gets a new name), so they keep well.
    return mark_public(static.serve(request, path, document_root=str(settings.MEDIA_ROOT)), max_age=86400)

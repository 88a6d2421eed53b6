from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from standwith.campaigns import services
from standwith.campaigns.content import localise, originals_of_untranslated
from standwith.campaigns.markup import render_markdown
from standwith.campaigns.models import Petition
from standwith.campaigns.services import open_petitions, public_petition, takes_signatures
from standwith.public import public_page
from standwith.signing import counting
from standwith.signing.forms import SignForm


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
        "open": takes_signatures(petition),
        "form": form,
        "share_url": share_url(petition),
    }


def share_url(petition: Petition) -> str:
    """The petition's address without a language: each friend it reaches reads it in their own."""
    return f"{settings.SITE_URL}/p/{petition.slug}/"


@require_safe
@public_page()
def home(request: HttpRequest) -> HttpResponse:
    petitions = open_petitions()
    counts = counting.stored_counts([p.pk for p in petitions])
    rows = [
        {"petition": p, "count": counts[p.pk], "progress": min(100, counts[p.pk] * 100 // p.goal)} for p in petitions
    ]
    return render(request, "campaigns/home.html", {"rows": rows})


@require_safe
@public_page(query=("source",))
def petition_page(request: HttpRequest, slug: str) -> HttpResponse:
    petition = petition_or_404(slug)
    form = SignForm(initial={"source": request.GET.get("source", "")[:64]})
    return render(request, "campaigns/petition.html", petition_context(petition, form))


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
        "rows": [{"petition": p, "count": counts[p.pk], "open": takes_signatures(p.item)} for p in petitions],
        "untranslated_from": sorted({*campaign.untranslated_from, *originals_of_untranslated(updates)}),
    }
    return render(request, "campaigns/case.html", context)


@require_safe
@public_page()
def check_email(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "campaigns/check_email.html", {"petition": petition_or_404(slug)})


@require_safe
@public_page()
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    petition = petition_or_404(slug)
    context = {
        "petition": petition,
        "count": counting.stored_count(petition.pk),
        "share_url": settings.SITE_URL + petition.get_absolute_url(),
    }
    return render(request, "campaigns/thanks.html", context)

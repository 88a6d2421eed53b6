"""Pages of a public proposal: propose, confirm, gather supporters, follow it, change it when sent back.

None of these pages is cached or public: each is per person, so they carry a
CSRF token like any ordinary form, and tell search engines to stay away.
"""

from collections.abc import Callable
from contextlib import suppress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from standwith.campaigns.markup import render_markdown
from standwith.campaigns.search import similar_petitions
from standwith.errors import notice
from standwith.proposals import services
from standwith.proposals.forms import DraftForm, ProposalForm
from standwith.proposals.models import Proposal, Supporter
from standwith.proposals.tokens import make_token, read_token
from standwith.public import private
from standwith.signing.forms import PersonForm
from standwith.signing.tokens import BadToken, ExpiredToken
from standwith.signing.views import see_other

View = Callable[..., HttpResponse]


def _person(form: PersonForm) -> services.Person:
    data = form.cleaned_data
    return services.Person(name=data["name"], email=data["email"], country=data["country"], language=get_language())


def _closed(request: HttpRequest, status: int) -> HttpResponse:
    return notice(
        request,
        status,
        _("Proposals are closed for now"),
        _("This site is not taking new petitions from the public at the moment. Please come back later."),
    )


@private
@require_http_methods(["GET", "HEAD", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    organisations = services.organisations_taking_proposals()
    if not organisations:
        return _closed(request, 200 if request.method != "POST" else 409)
    form = ProposalForm(request.POST if request.method == "POST" else None, organisations=organisations)
    context = {"form": form, "organisations": organisations, "needed": settings.PROPOSAL_SUPPORTERS}
    if not form.is_bound:
        return render(request, "proposals/propose.html", context)
    if not form.is_valid():
        return render(request, "proposals/propose.html", context, status=400)
    draft = form.draft()
    if not form.cleaned_data["seen_similar"]:
        similar = similar_petitions(f"{draft.title} {draft.summary}", get_language())
        if similar:
            # Shown once: the next press of the button submits, whatever the proposer decided.
            data = request.POST.copy()
            data["seen_similar"] = "on"
            form = ProposalForm(data, organisations=organisations)
            form.is_valid()
            return render(request, "proposals/propose.html", {**context, "form": form, "similar": similar})
    try:
        services.propose(form.cleaned_data["organisation"], draft, _person(form))
    except services.ProposalsClosed:
        return _closed(request, 409)
    return see_other("proposal_sent")


@private
@require_safe
def sent(request: HttpRequest, supporting: bool = False) -> HttpResponse:
    return render(request, "proposals/sent.html", {"supporting": supporting})


def _supporter_from(request: HttpRequest, purpose: str, token: str) -> Supporter | HttpResponse:
    try:
        supporter_id = read_token(purpose, token)
    except ExpiredToken:
        return notice(
            request,
            410,
            _("This link has expired"),
            _("Links in our emails work for a limited time. Please start again from the beginning."),
        )
    except BadToken:
        supporter = None
    else:
        supporter = Supporter.objects.select_related("proposal__petition").filter(pk=supporter_id).first()
    if supporter is None:
        return notice(
            request,
            404,
            _("This link is not valid"),
            _("Please open the link exactly as it is in the email we sent you."),
        )
    return supporter


@private
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    supporter = _supporter_from(request, "confirm", token)
    if isinstance(supporter, HttpResponse):
        return supporter
    context = {"supporter": supporter, "title": supporter.proposal.petition.title, "token": token}
    if request.method != "POST":
        # Mail scanners open links before people do: only the button confirms.
        return render(request, "proposals/confirm.html", context)
    try:
        services.confirm(supporter.pk)
    except services.NotCollecting:
        return notice(
            request,
            409,
            _("This petition no longer needs support"),
            _("It already has the support it needs, or it is no longer waiting. Thank you all the same."),
        )
    if supporter.is_proposer:
        return see_other("proposal", token=make_token("manage", supporter.pk))
    return render(request, "proposals/supported.html", context)


@private
@require_http_methods(["GET", "HEAD", "POST"])
def proposal(request: HttpRequest, token: str) -> HttpResponse:
    """The proposer's own page: where their petition stands, the link for supporters, changes when asked."""
    proposer = _supporter_from(request, "manage", token)
    if isinstance(proposer, HttpResponse):
        return proposer
    if not proposer.is_proposer:
        raise Http404("not a proposer's link")
    proposal = proposer.proposal
    petition = proposal.petition
    form = None
    if services.revisable(proposal):
        form = DraftForm(request.POST if request.method == "POST" else None, initial=services.draft_of(proposal))
        if form.is_bound and form.is_valid():
            # NotRevisable: a second tab sent it already, and the page shows where it stands.
            with suppress(services.NotRevisable):
                services.revise(proposal, form.draft())
            return see_other("proposal", token=token)
    elif request.method == "POST":
        return notice(
            request,
            409,
            _("Nothing to change now"),
            _("Your petition can only be changed when the moderators ask for changes."),
        )
    context = {
        "proposal": proposal,
        "petition": petition,
        "stage": services.stage(proposal),
        "needed": services.supporters_needed(proposal),
        "support_url": settings.SITE_URL + reverse("support", args=[proposal.key]),
        "reason": services.last_reason(proposal),
        "form": form,
    }
    return render(request, "proposals/proposal.html", context, status=400 if form and form.errors else 200)


@private
@require_http_methods(["GET", "HEAD", "POST"])
def support(request: HttpRequest, key: str) -> HttpResponse:
    proposal = Proposal.objects.select_related("petition__organization").filter(key=key).first()
    if proposal is None or proposal.confirmed_at is None:
        raise Http404("no proposal with this key")
    petition = proposal.petition
    collecting = services.collecting(proposal)
    form = PersonForm(request.POST if request.method == "POST" and collecting else None)
    if form.is_bound and form.is_valid():
        try:
            services.support(proposal, _person(form))
        except services.NotCollecting:
            collecting = False
        else:
            return see_other("support_sent")
    context = {
        "proposal": proposal,
        "petition": petition,
        "targets": list(petition.targets.all()),
        "body_html": render_markdown(petition.body),
        "collecting": collecting,
        "needed": services.supporters_needed(proposal),
        "form": form,
    }
    status = 400 if form.errors else 409 if request.method == "POST" and not collecting else 200
    return render(request, "proposals/support.html", context, status=status)

"""The page a petition's target answers through, from the private link in its milestone email."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from standwith.campaigns import services
from standwith.campaigns.models import Petition, Target
from standwith.campaigns.target_mails import read_respond_token
from standwith.errors import notice
from standwith.public import private
from standwith.signing.tokens import BadToken, ExpiredToken


class ResponseForm(forms.Form):
    sender = forms.CharField(
        label=gettext_lazy("Your name and role"),
        help_text=gettext_lazy("As you would sign a letter, for example “Press office of the Secretary of State”."),
        max_length=200,
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 10})
    )


def _addressed(token: str) -> tuple[Petition, Target] | None:
    petition_id, target_id = read_respond_token(token)
    petition = Petition.objects.select_related("organization").filter(pk=petition_id).first()
    target = Target.objects.filter(pk=target_id, petitions=petition_id).first()
    return (petition, target) if petition is not None and target is not None else None


@private
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    try:
        addressed = _addressed(token)
    except ExpiredToken:
        return notice(
            request,
            410,
            _("This link has expired"),
            _("Please write to the petition's organisers directly; their address is on the petition's page."),
        )
    except BadToken:
        addressed = None
    if addressed is None:
        return notice(
            request,
            404,
            _("This link is not valid"),
            _("Please open the link exactly as it is in the email we sent you."),
        )
    petition, target = addressed
    form = ResponseForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "petition": petition, "target": target}
    if not form.is_bound:
        return render(request, "campaigns/respond.html", context)
    if not form.is_valid():
        return render(request, "campaigns/respond.html", context, status=400)
    services.submit_response(petition, target, form.cleaned_data["sender"], form.cleaned_data["text"])
    return render(request, "campaigns/respond.html", {**context, "sent": True})

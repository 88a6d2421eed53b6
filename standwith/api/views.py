from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from standwith.campaigns.services import public_petition
from standwith.public import mark_public
from standwith.signing import counting


@require_safe
def petition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    petition = public_petition(slug)
    if petition is None:
        response = JsonResponse({"error": "not_found", "detail": "No public petition has this slug."}, status=404)
        return mark_public(response)
    data = {
        "slug": petition.slug,
        "title": petition.title,
        "summary": petition.summary,
        "state": petition.state,
        "verification": petition.verification,
        "signature_count": counting.public_count(petition.pk),
        "goal": petition.goal,
        "deadline": petition.deadline.isoformat() if petition.deadline else None,
        "language": petition.language,
        "url": request.build_absolute_uri(petition.get_absolute_url()),
        "organization": {"slug": petition.organization.slug, "name": petition.organization.name},
        "partners": [{"slug": p.slug, "name": p.name} for p in petition.partners.all()],
        "targets": [
            {"name": t.name, "role": t.role, "organisation": t.organisation, "country": t.country.code or None}
            for t in petition.targets.all()
        ],
    }
    return mark_public(JsonResponse(data, json_dumps_params={"ensure_ascii": False}))

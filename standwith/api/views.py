from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from standwith.campaigns.services import public_petition
from standwith.public import public_page
from standwith.signing import counting


@require_safe
@public_page()
def petition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    petition = public_petition(slug)
    if petition is None:
        return JsonResponse({"error": "not_found", "detail": "No public petition has this slug."}, status=404)
    data = {
        "slug": petition.slug,
        "title": petition.title,
        "summary": petition.summary,
        "state": petition.state,
        "verification": petition.verification,
        "signature_count": counting.stored_count(petition.pk),
        "goal": petition.goal,
        "deadline": petition.deadline.isoformat() if petition.deadline else None,
        "language": petition.language,
        # Without a language: the site sends each reader to the page in their own.
        "url": request.build_absolute_uri(f"/p/{petition.slug}/"),
        "organization": {"slug": petition.organization.slug, "name": petition.organization.name},
        "partners": [{"slug": p.slug, "name": p.name} for p in petition.partners.all()],
        "targets": [
            {"name": t.name, "role": t.role, "organisation": t.organisation, "country": t.country.code or None}
            for t in petition.targets.all()
        ],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})

"""Pictures of a petition for elsewhere: the share card networks show, and poster QR codes."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from standwith.campaigns import qr, shareimage
from standwith.campaigns.views import petition_or_404
from standwith.public import mark_public

# A poster's code never changes: the address it encodes is fixed by the slug.
QR_SECONDS = 86400


@require_safe
def share_image(request: HttpRequest, slug: str) -> HttpResponse:
    petition = petition_or_404(slug)
    response = HttpResponse(shareimage.share_png(petition, get_language()), content_type="image/png")
    return mark_public(response, max_age=shareimage.SHARE_IMAGE_SECONDS)


@require_safe
def qr_svg(request: HttpRequest, slug: str) -> HttpResponse:
    petition = petition_or_404(slug)
    return _poster_file(qr.poster_svg(petition), "image/svg+xml", f"{slug}-qr.svg")


@require_safe
def qr_png(request: HttpRequest, slug: str) -> HttpResponse:
    petition = petition_or_404(slug)
    return _poster_file(qr.poster_png(petition), "image/png", f"{slug}-qr.png")


def _poster_file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # Slugs are plain ASCII letters, digits and dashes: nothing in the name needs quoting.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return mark_public(response, max_age=QR_SECONDS)

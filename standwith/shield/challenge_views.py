from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from standwith.shield import challenge


# Each visitor needs a challenge of their own, so unlike the petition page this
# is never cached, by the site or by anyone in front of it. It costs one HMAC.
@require_safe
@never_cache
def new_challenge(request: HttpRequest) -> HttpResponse:
    return JsonResponse(challenge.create())

"""Staff sign-in's second step: enrol an authenticator app, give its code (or a recovery code), renew recovery codes.

The password step is the admin's own login page (standwith/staff/adminsite.py);
django-axes throttles it. Wrong codes here are throttled by axes as well,
under their own name, and by django-otp's growing wait on the device itself,
which holds however many addresses the guesses come from.
"""

import base64
import re
from typing import Any

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from standwith.shield.network import client_ip
from standwith.staff.adminsite import awaits_second_factor
from standwith.staff.services import record

RECOVERY_CODES = 10
APP_CODE = re.compile(r"[0-9]{6}")
# django-otp's static tokens: 8 characters of lower-case base32.
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: Any, recovery_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recovery_allowed = recovery_allowed
        if not recovery_allowed:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self) -> str:
        # People copy codes with the spaces and dashes they were shown with.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()
        if APP_CODE.fullmatch(code) or (self.recovery_allowed and RECOVERY_CODE.fullmatch(code)):
            return code
        if self.recovery_allowed:
            raise forms.ValidationError(
                _("Type the 6 digits your app shows, or one of your recovery codes (8 letters and digits).")
            )
        raise forms.ValidationError(_("Type the 6 digits your app shows."))


def _throttled_as(user: Any) -> dict[str, str]:
    # Counted apart from wrong passwords: a right password clears those, and
    # must not give someone who knows it a fresh round of code guesses.
    return {"username": f"{user.get_username()} (second factor)"}


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("admin:index")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _check(request: HttpRequest, device: Device, code: str) -> Device | None:
    """The device, if it takes this code now; a refusal counts towards the lock and is recorded."""
    user: Any = request.user
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        method = "totp" if isinstance(device, TOTPDevice) else "recovery_code"
        record(user, "staff.second_factor_failed", user, client_ip=client_ip(request), method=method)
        # Once this reaches the limit, AxesMiddleware answers with the lockout page instead.
        user_login_failed.send(sender=__name__, credentials=_throttled_as(user), request=request)
    return verified


def _refusal(device: Device) -> str:
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return _("Too many wrong codes in a row: please wait a few seconds, then try again.")
    return _("That code is not right. Please check it and try again.")


def _sign_in(request: HttpRequest, device: Device, method: str) -> None:
    user: Any = request.user
    django_otp.login(request, device)
    # A new session id for the new, stronger sign-in.
    request.session.cycle_key()
    AxesProxyHandler.reset_attempts(ip_address=client_ip(request), username=_throttled_as(user)["username"])
    record(user, "staff.signed_in", user, client_ip=client_ip(request), method=method)


def _new_recovery_codes(user: Any) -> list[str]:
    """A fresh set of single-use codes; any earlier ones stop working."""
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user).first() or StaticDevice(user=user)
        device.name = "Recovery codes"
        device.confirmed = True
        device.save()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]} {code[4:]}" for code in codes]


def _show_recovery_codes(request: HttpRequest, codes: list[str], next_url: str, *, renewed: bool) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": _("Your recovery codes"),
        "codes": codes,
        "next": next_url,
        "renewed": renewed,
    }
    return render(request, "staff/recovery_codes_new.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user: Any = request.user
    next_url = _next_url(request)
    if not awaits_second_factor(user):
        return _elsewhere(request, next_url)
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is None:
        return HttpResponseRedirect(_with_next("staff_enrol", next_url))
    form = CodeForm(request.POST if request.method == "POST" else None, recovery_allowed=True)
    status = 200
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, _throttled_as(user)):
            return locked_out(request)
        status = 400
        if form.is_valid():
            code = form.cleaned_data["code"]
            device: Device | None = app
            if not APP_CODE.fullmatch(code):
                device = StaticDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                refusal = _refusal(device)
                verified = _check(request, device, code)
                if verified is not None:
                    return _signed_in(request, verified, next_url)
                form.add_error("code", refusal)
            else:
                form.add_error("code", _("You have no recovery codes. Please use your app."))
    context = {**admin.site.each_context(request), "title": _("Enter your code"), "form": form, "next": next_url}
    return render(request, "staff/verify.html", context, status=status)


def _signed_in(request: HttpRequest, device: Device, next_url: str) -> HttpResponse:
    if isinstance(device, StaticDevice):
        _sign_in(request, device, "recovery_code")
        left = device.token_set.count()
        messages.warning(
            request,
            ngettext(
                "You signed in with a recovery code; %(left)d is left. You can make a new set under “Recovery codes”.",
                "You signed in with a recovery code; %(left)d are left. You can make a new set under “Recovery codes”.",
                left,
            )
            % {"left": left},
        )
    else:
        _sign_in(request, device, "totp")
    return HttpResponseRedirect(next_url)


def _elsewhere(request: HttpRequest, next_url: str) -> HttpResponse:
    """Where someone who has no second step to take belongs."""
    user: Any = request.user
    if user.is_authenticated and user.is_active and user.is_staff and user.is_verified():
        return HttpResponseRedirect(next_url)
    return redirect_to_login(next_url, reverse("admin:login"))


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """The first sign-in: add an authenticator app, prove it works, take the recovery codes."""
    user: Any = request.user
    next_url = _next_url(request)
    if not awaits_second_factor(user):
        return _elsewhere(request, next_url)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # Enrolling again would let a password alone replace the app.
        return HttpResponseRedirect(_with_next("staff_verify", next_url))
    # The same secret on every visit until it is confirmed, so a reload does not break a half-done setup.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )
    form = CodeForm(request.POST if request.method == "POST" else None, recovery_allowed=False)
    status = 200
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, _throttled_as(user)):
            return locked_out(request)
        status = 400
        if form.is_valid():
            refusal = _refusal(device)
            verified = _check(request, device, form.cleaned_data["code"])
            if verified is not None:
                verified.confirmed = True
                verified.save(update_fields=["confirmed"])
                codes = _new_recovery_codes(user)
                record(user, "staff.otp_enrolled", user, client_ip=client_ip(request), recovery_codes=len(codes))
                _sign_in(request, verified, "totp")
                return _show_recovery_codes(request, codes, next_url, renewed=False)
            form.add_error("code", refusal)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        **admin.site.each_context(request),
        "title": _("Set up your authenticator app"),
        "form": form,
        "next": next_url,
        "qr_code": segno.make_qr(device.config_url, error="m").svg_data_uri(scale=5, border=4, light="#fff"),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "staff/enrol.html", context, status=status)


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left, and a new set on request (served behind the admin's own checks)."""
    user: Any = request.user
    if request.method == "POST":
        codes = _new_recovery_codes(user)
        record(user, "staff.recovery_codes_renewed", user, client_ip=client_ip(request), recovery_codes=len(codes))
        return _show_recovery_codes(request, codes, reverse("admin:index"), renewed=True)
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    context = {
        **admin.site.each_context(request),
        "title": _("Recovery codes"),
        "left": device.token_set.count() if device is not None else 0,
    }
    return render(request, "staff/recovery_codes.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Leave halfway through signing in (the admin's own sign-out is only for those fully in)."""
    logout(request)
    return HttpResponseRedirect(reverse("admin:login"))


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """What django-axes answers while an account is locked for this address (AXES_LOCKOUT_CALLABLE)."""
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed attempts"),
        "minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(request, "staff/locked_out.html", context, status=429)

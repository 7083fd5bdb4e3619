from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware:
    """Simplified Chinese unless the user chose another language in the menu.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with
    an English browser would open in English; our users expect Chinese.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PasswordChangeRequiredMiddleware:
    """After an admin reset the password, the user's every page is the change-password page
    until they set their own (the flag is cleared by core/accounts.password_changed_record).
    Logging out, switching the language and the static files stay open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            target = reverse("password-change")
            open_paths = (target, reverse("logout"), reverse("set_language"), settings.STATIC_URL)
            if not request.path.startswith(open_paths):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("请先在网页上修改密码")}, status=403)
                return redirect(target)
        return self.get_response(request)


class TrustedProxyMiddleware:
    """Believe X-Forwarded-Proto only from a proxy in TRUSTED_PROXIES.

    Django's SECURE_PROXY_SSL_HEADER trusts the header from anybody; a client that talks to
    the server directly could claim https. Runs first, before the https redirect looks at it.
    (The client address has the same rule in core/net.py.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from shegong.core.net import is_trusted_proxy

        if "HTTP_X_FORWARDED_PROTO" in request.META and not is_trusted_proxy(
            request.META.get("REMOTE_ADDR") or ""
        ):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A write that met another writer's lock past the busy timeout (a long SQLite import)
    answers 503 with a Chinese page saying nothing was written, instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from shegong.core.db import is_conflict

        if not is_conflict(exception):
            return None
        response = render(request, "core/busy.html", status=503)
        response["Retry-After"] = "30"
        return response

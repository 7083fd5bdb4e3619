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

"""Error pages in Chinese, in the app's layout, with a way back (DEBUG off).

Django calls these for 400, 403, 404 and 500 (handler400 … in shegong/urls.py); each renders
templates/<status>.html. The 500 page renders without the context processors (the navigation
reads the database, which may be what just failed).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    template = f"{status}.html"
    if status == 500:
        html = loader.get_template(template).render({"status": status, "nav": []})
    else:
        html = loader.render_to_string(template, {"status": status}, request=request)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page opened too long ago (or elsewhere)."""
    html = loader.render_to_string("403_csrf.html", {"status": 403}, request=request)
    return HttpResponse(html, status=403)

from django.http import HttpRequest

from shegong.core.models import User


class AuthedRequest(HttpRequest):
    """A request behind login_required: `user` is a real user."""

    user: User

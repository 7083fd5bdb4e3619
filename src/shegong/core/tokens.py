"""API token authentication: a key that expires, can be revoked, and stops working for an
account that is inactive or locked out by the login throttle from where it is used."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.request import Request

from shegong.core import selectors, services
from shegong.core.models import ApiToken, User
from shegong.core.throttle import is_locked_out

KEYWORD = "Token"


class ExpiringTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` with a key from POST /api/token/."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("令牌格式不正确"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("令牌格式不正确")) from exc
        token = selectors.api_token_find(key=key)
        if token is None or token.revoked_at is not None or token.expires_at <= timezone.now():
            raise AuthenticationFailed(_("令牌无效、已过期或已撤销"))
        user = token.user
        if not user.is_active:
            raise AuthenticationFailed(_("账号已停用"))
        if user.must_change_password:  # as the pages are (core/middleware.py), until changed
            raise PermissionDenied(_("请先在网页上修改密码"))
        if is_locked_out(request._request, username=user.username):
            raise AuthenticationFailed(_("登录失败次数过多,请稍后再试。"))
        services.api_token_touch(token=token)
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return KEYWORD


class ExpiringTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the OpenAPI schema describes the token header."""

    target_class = "shegong.core.tokens.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )

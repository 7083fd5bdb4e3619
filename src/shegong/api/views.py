"""The REST API: thin views over the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shegong.core import services as core_services
from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.models import User
from shegong.core.net import client_address
from shegong.core.text import ControlCharacterValidator
from shegong.core.throttle import lockout_message
from shegong.orgs import selectors as org_selectors
from shegong.orgs import services as org_services
from shegong.orgs.models import AreaType, CommunityProfile, Premises, Unit, UnitKind


def viewer_of(request: Request) -> User:
    return cast(User, request.user)


def raise_validation(exc: ServiceError) -> None:
    raise ValidationError({exc.field or "non_field_errors": [exc.message]})


class PlainTextInput(serializers.Serializer[Any]):
    """An input serializer whose writable text fields refuse control characters, with the
    Chinese message naming the field (its `label`; give each text field one)."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for name, field in fields.items():
            if isinstance(field, serializers.CharField) and not field.read_only:
                field.validators.append(ControlCharacterValidator(label=field.label or name))
        return fields


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "kind_label", "parent_code", "path"]


class CommunityProfileSerializer(serializers.ModelSerializer[CommunityProfile]):
    area_type = serializers.ChoiceField(choices=AreaType.choices)
    premises = serializers.ChoiceField(choices=Premises.choices)

    class Meta:
        model = CommunityProfile
        fields = list(org_services.PROFILE_FIELDS)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", int, enum=list(UnitKind.values), description="层级"),
            OpenApiParameter("q", description="名称或代码"),
        ]
    )
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet[Unit]):
    """Org units in the caller's scope; a unit out of scope answers 404."""

    serializer_class = UnitSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> Any:
        kind = self.request.query_params.get("kind")
        return org_selectors.unit_list(
            viewer=viewer_of(self.request),
            kind=int(kind) if kind in {str(v) for v in UnitKind.values} else None,
            search=self.request.query_params.get("q", ""),
        )

    def get_object(self) -> Unit:
        return org_selectors.unit_get(viewer=viewer_of(self.request), code=self.kwargs["code"])

    @extend_schema(request=CommunityProfileSerializer, responses=CommunityProfileSerializer)
    @action(detail=True, methods=["get", "put"], url_path="profile")
    def profile(self, request: Request, code: str) -> Response:
        viewer = viewer_of(request)
        unit = self.get_object()
        if unit.kind != UnitKind.COMMUNITY:
            raise NotFound
        if request.method == "PUT":
            if not has_permission(viewer, Permission.EDIT, unit):
                raise NotFound
            incoming = CommunityProfileSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            try:
                profile = org_services.community_profile_update(
                    unit=unit, values=dict(incoming.validated_data), acting_user=viewer
                )
            except ServiceError as exc:
                raise_validation(exc)
            return Response(CommunityProfileSerializer(profile).data)
        found = org_selectors.community_profile_get(viewer=viewer, unit=unit)
        if found is None:
            raise NotFound
        return Response(CommunityProfileSerializer(found).data)


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenIssuedSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Shown this once; send it as `Authorization: Token …`")
    prefix = serializers.CharField()
    expires = serializers.DateTimeField()


class LockedSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class TokenIssueView(APIView):
    """Username and password for an API token that expires. It goes through authenticate(),
    so the login throttle counts its failures and refuses a locked client (429)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenIssuedSerializer, 400: OpenApiTypes.OBJECT, 429: LockedSerializer},
    )
    def post(self, request: Request) -> Response:
        incoming = TokenRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        http_request = request._request  # axes marks a lockout on Django's own request
        user = authenticate(
            http_request,
            username=incoming.validated_data["username"],
            password=incoming.validated_data["password"],
        )
        if user is None:
            if getattr(http_request, "axes_locked_out", False):
                return Response({"detail": lockout_message()}, status=429)
            raise ValidationError({"non_field_errors": [_("用户名或密码不正确。")]})
        try:
            token, key = core_services.api_token_issue(
                user=user, address=client_address(http_request)
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(
            TokenIssuedSerializer(
                {"token": key, "prefix": token.prefix, "expires": token.expires_at}
            ).data
        )

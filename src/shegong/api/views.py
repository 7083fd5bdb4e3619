"""The REST API: thin views over the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.models import User
from shegong.orgs import selectors as org_selectors
from shegong.orgs import services as org_services
from shegong.orgs.models import AreaType, CommunityProfile, Premises, Unit, UnitKind


def viewer_of(request: Request) -> User:
    return cast(User, request.user)


def raise_validation(exc: ServiceError) -> None:
    raise ValidationError({exc.field or "non_field_errors": [exc.message]})


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

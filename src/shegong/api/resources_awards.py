"""以奖代补 over REST, the same selectors and services as the pages and scoped like them.

`resources/award-schemes/`: the schemes of the districts the caller reaches, is inside or is
above (`year`), one scheme with its awards (every input, the formula, points and amounts, the
rows of the caller's communities only), POST a new scheme (the district's), and a scheme's
`propose` and `approve`; `resources/awards/<id>/adjust/`: a manager's adjustment with a
reason; `resources/activities/<id>/rate/` (api/resources.py): the street's rating.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from shegong.api.fields import ID_PATTERN, YEAR_PARAMETER_SCHEMA, query_year
from shegong.api.views import PlainTextInput, raise_validation, viewer_of
from shegong.core.errors import ServiceError
from shegong.resources import award_selectors, services
from shegong.resources.models import AWARD_FACTORS, AwardScheme, AwardSubject, PayMode


def _points(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal(0), **kwargs)


class AwardRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="award.pk")
    name = serializers.CharField()
    community = serializers.CharField(source="award.community.code")
    team = serializers.IntegerField(source="award.team_id", allow_null=True)
    members = serializers.IntegerField(source="award.members")
    activities = serializers.IntegerField(source="award.activities")
    participants = serializers.IntegerField(source="award.participants")
    ratings = serializers.IntegerField(source="award.ratings")
    quality = serializers.DecimalField(
        source="award.quality", max_digits=3, decimal_places=2, allow_null=True
    )
    awards_won = serializers.IntegerField(source="award.awards_won")
    formula = serializers.CharField()
    points = serializers.DecimalField(source="award.points", max_digits=10, decimal_places=2)
    eligible = serializers.BooleanField(source="award.eligible")
    shortfall = serializers.CharField(source="award.shortfall")
    proposed_amount = serializers.DecimalField(
        source="award.proposed_amount", max_digits=14, decimal_places=2
    )
    amount = serializers.DecimalField(source="award.amount", max_digits=14, decimal_places=2)
    adjust_reason = serializers.CharField(source="award.adjust_reason")


class AwardSchemeSerializer(serializers.ModelSerializer[AwardScheme]):
    district = serializers.CharField(source="district.code", read_only=True)
    subject = serializers.CharField(read_only=True, help_text="team=文体队伍、community=社区")
    status = serializers.CharField(
        read_only=True, help_text="draft=草稿、proposed=已测算、approved=已审批、superseded=已替代"
    )

    class Meta:
        model = AwardScheme
        fields = [
            "id",
            "district",
            "year",
            "subject",
            "version",
            "status",
            *(f"{n}_{p}" for n in AWARD_FACTORS for p in ("weight", "cap")),
            "min_members",
            "min_activities",
            "min_quality",
            "pay_mode",
            "yuan_per_point",
            "tiers",
            "budget",
            "proposed_at",
            "approved_at",
        ]
        read_only_fields = fields


class SchemeInputSerializer(PlainTextInput):
    district = serializers.CharField(label="区县代码", max_length=20)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    subject = serializers.ChoiceField(choices=AwardSubject.choices)
    min_members = serializers.IntegerField(min_value=0, default=0)
    min_activities = serializers.IntegerField(min_value=0, default=0)
    min_quality = serializers.DecimalField(
        max_digits=3, decimal_places=2, required=False, allow_null=True
    )
    pay_mode = serializers.ChoiceField(choices=PayMode.choices, default=PayMode.PER_POINT)
    yuan_per_point = _points(default=Decimal(0))
    tiers = serializers.CharField(
        label="奖励档次", required=False, allow_blank=True, help_text="每行“分数=金额”"
    )
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0))

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for name in AWARD_FACTORS:
            fields[f"{name}_weight"] = _points(default=Decimal(0))
            fields[f"{name}_cap"] = _points(required=False, allow_null=True)
        return fields


class AdjustInputSerializer(PlainTextInput):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0))
    reason = serializers.CharField(label="调整理由", max_length=200)


def _detail(viewer: Any, scheme: AwardScheme) -> dict[str, Any]:
    rows = award_selectors.award_rows(viewer=viewer, scheme=scheme)
    return {
        **AwardSchemeSerializer(scheme).data,
        "awards": AwardRowSerializer(rows, many=True).data,
    }


class AwardSchemeViewSet(viewsets.GenericViewSet[AwardScheme]):
    """以奖代补 schemes and their proposed awards."""

    serializer_class = AwardSchemeSerializer
    queryset = AwardScheme.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self) -> AwardScheme:
        return award_selectors.scheme_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("year", YEAR_PARAMETER_SCHEMA)])
    def list(self, request: Request) -> Response:
        found = award_selectors.scheme_list(viewer=viewer_of(request), year=query_year(request))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(AwardSchemeSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(_detail(viewer_of(request), self.get_object()))

    @extend_schema(request=SchemeInputSerializer, responses={201: AwardSchemeSerializer})
    def create(self, request: Request) -> Response:
        viewer = viewer_of(request)
        incoming = SchemeInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        code = values.pop("district")
        district = award_selectors.districts_for_awards(viewer=viewer).filter(code=code).first()
        if district is None:
            raise ValidationError({"district": ["区县不存在或您没有设置权限"]})
        try:
            scheme = services.scheme_create(
                district=district,
                year=values.pop("year"),
                subject=values.pop("subject"),
                values=values,
                acting_user=viewer,
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(AwardSchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)

    def _step(self, request: Request, step: Any) -> Response:
        viewer = viewer_of(request)
        try:
            scheme = step(scheme=self.get_object(), acting_user=viewer)
        except ServiceError as exc:
            raise_validation(exc)
        return Response(_detail(viewer, scheme))

    @extend_schema(request=None, responses=AwardSchemeSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str) -> Response:
        """Count the year's records and propose the awards (freezes the scheme)."""
        return self._step(request, services.awards_propose)

    @extend_schema(request=None, responses=AwardSchemeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve (not by the proposer) and record the awards as community funding."""
        return self._step(request, services.awards_approve)


class AwardViewSet(viewsets.GenericViewSet[Any]):
    """One proposed award: its adjustment by a manager, with a reason."""

    serializer_class = AdjustInputSerializer
    queryset = AwardScheme.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["post", "options"]

    @extend_schema(request=AdjustInputSerializer, responses=AwardSchemeSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        award = award_selectors.award_get(viewer=viewer, pk=pk)
        incoming = AdjustInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.award_adjust(
                award=award,
                amount=incoming.validated_data["amount"],
                reason=incoming.validated_data["reason"],
                acting_user=viewer,
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(_detail(viewer, award.scheme))

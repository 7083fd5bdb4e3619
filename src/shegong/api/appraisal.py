"""Appraisal over REST: cycles with their scheme, survey turnout, score counts and results,
scoped like the pages; and the residents' ballot and vote, public but useless without a valid
household code (refused codes are throttled per address, in the database)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from shegong.api.fields import ID_PATTERN
from shegong.api.views import viewer_of
from shegong.appraisal import documents, selectors, services
from shegong.appraisal.models import Cycle, Indicator, Scheme, SchemePart
from shegong.core.net import client_address


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    class Meta:
        model = Indicator
        fields = ["id", "name", "kind", "max_points", "figure_full"]


class PartSerializer(serializers.ModelSerializer[SchemePart]):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = SchemePart
        fields = ["kind", "weight", "indicators"]


class SchemeSerializer(serializers.ModelSerializer[Scheme]):
    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    parts = PartSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        fields = ["unit", "unit_name", "year", "name", *services.SCHEME_SETTINGS, "parts"]


class CycleSerializer(serializers.ModelSerializer[Cycle]):
    scheme = SchemeSerializer(read_only=True)

    class Meta:
        model = Cycle
        fields = ["id", "status", "published_at", "objections_until", "scheme"]


class TurnoutSerializer(serializers.Serializer[Any]):
    survey = serializers.IntegerField(source="survey.pk")
    community = serializers.CharField(source="survey.community.code")
    community_name = serializers.CharField(source="survey.community.name")
    status = serializers.CharField(source="survey.status")
    issued = serializers.IntegerField()
    spent = serializers.IntegerField()
    residents = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=1)


class ResultSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    community = serializers.CharField()
    resident_score = serializers.CharField(allow_blank=True)
    leader_score = serializers.CharField(allow_blank=True)
    peer_score = serializers.CharField(allow_blank=True)
    score = serializers.CharField()
    rank = serializers.IntegerField()
    grade = serializers.CharField()
    grade_code = serializers.CharField()
    record_grade = serializers.CharField(help_text="记入档案的统一等次(优秀/良好/合格/不合格)")
    standing = serializers.CharField()
    ten_best = serializers.BooleanField()
    reasons = serializers.CharField(allow_blank=True)


class VoteSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    ratings = serializers.DictField(
        child=serializers.CharField(max_length=16),
        help_text="{工作者id: satisfied | fairly | unsatisfied | skip},名单上每人一项",
    )


def _refused(exc: Exception) -> Response:
    if isinstance(exc, services.VoteThrottled):
        return Response({"code": [exc.message]}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    assert isinstance(exc, services.VoteRefused)
    return Response({"code": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)


class AppraisalCycleViewSet(viewsets.ReadOnlyModelViewSet[Cycle]):
    """Appraisal cycles the caller sees; a cycle out of scope answers 404."""

    serializer_class = CycleSerializer
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.cycle_list(viewer=viewer_of(self.request)).prefetch_related(
            "scheme__parts__indicators"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", description="区、市或街道代码(默认:您所在的最高单位)"),
            OpenApiParameter("year", int, description="年度(默认:上一年)"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def overview(self, request: Request) -> Response:
        """Every appraisal of the year below the unit side by side (a district: its streets'),
        grades in the one vocabulary, average score, turnout, warnings, exits, objections,
        and combined. A unit outside the caller's scope answers 404."""
        viewer = viewer_of(request)
        unit = selectors.overview_unit(viewer=viewer, code=request.query_params.get("unit"))
        raw = request.query_params.get("year") or str(timezone.localdate().year - 1)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise ValidationError({"year": ["年度须为2000至2100之间的整数"]})
        found = selectors.district_overview(viewer=viewer, unit=unit, year=int(raw))
        return Response(documents.overview_json(found))

    @extend_schema(responses=TurnoutSerializer(many=True))
    @action(detail=True, methods=["get"])
    def surveys(self, request: Request, pk: str) -> Response:
        """Turnout per community survey in the caller's subtree."""
        cycle = self.get_object()
        rows = selectors.survey_turnout(viewer=viewer_of(request), cycle=cycle)
        return Response(TurnoutSerializer(rows, many=True).data)

    @action(detail=True, methods=["get"])
    def scores(self, request: Request, pk: str) -> Response:
        """How many leader and peer sheets each worker has (never who filled them)."""
        cycle = self.get_object()
        counts = selectors.sheet_counts(viewer=viewer_of(request), cycle=cycle)
        out: dict[int, dict[str, int]] = {}
        for (worker_id, part), n in counts.items():
            out.setdefault(worker_id, {})[part] = n
        return Response([{"worker": w, "sheets": parts} for w, parts in sorted(out.items())])

    @extend_schema(responses=ResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        """Results in the caller's subtree once computed, with the grade counts."""
        cycle = self.get_object()
        report = documents.build(viewer=viewer_of(request), cycle=cycle)
        return Response(documents.report_json(report))

    @extend_schema(
        parameters=[OpenApiParameter("code", description="评议码", required=True)],
        responses={200: dict},
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[AllowAny],
        authentication_classes=[],
    )
    def ballot(self, request: Request) -> Response:
        """Public: the workers a valid, unspent household code may rate."""
        try:
            survey = services.vote_check(
                code=request.query_params.get("code", ""), address=client_address(request)
            )
        except (services.VoteRefused, services.VoteThrottled) as exc:
            return _refused(exc)
        return Response(
            {
                "community": survey.community.name,
                "workers": [{"id": w.pk, "name": w.name} for w in selectors.ballot(survey=survey)],
                "ratings": ["satisfied", "fairly", "unsatisfied", services.SKIP],
            }
        )

    @extend_schema(request=VoteSerializer, responses={201: dict})
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[AllowAny],
        authentication_classes=[],
    )
    def vote(self, request: Request) -> Response:
        """Public: cast one household's vote with its one-time code."""
        incoming = VoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        raw = incoming.validated_data["ratings"]
        if not all(str(k).isdigit() for k in raw):
            return Response({"ratings": ["工作者编号应为数字"]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            services.vote_cast(
                code=incoming.validated_data["code"],
                ratings={int(k): v for k, v in raw.items()},
                address=client_address(request),
            )
        except (services.VoteRefused, services.VoteThrottled) as exc:
            return _refused(exc)
        return Response({"recorded": True}, status=status.HTTP_201_CREATED)

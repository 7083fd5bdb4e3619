"""Pay runs and payslips over REST: the same selectors and services as the pages, scoped
exactly like them. Pay amounts of single workers are personal data: masked (null) for a
caller without the personal-data permission, and their disclosure is audited.

An approved run is locked: no route changes it; a correction is a new run (`corrects`).
"""

from __future__ import annotations

import datetime
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from shegong.api.fields import ID_PATTERN, YEAR_PARAMETER_SCHEMA, id_field, query_year
from shegong.api.views import PlainTextInput, raise_validation, viewer_of
from shegong.core.errors import ServiceError
from shegong.pay import selectors, services
from shegong.pay.models import PayLine, PayRun, RunKind
from shegong.pay.services import LINE_MONEY_FIELDS


class PayRunSerializer(serializers.ModelSerializer[PayRun]):
    """A run with the totals of the lines the caller sees (`context["totals"]`, from
    selectors.runs_totals): a clerk of one community gets their community's part."""

    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    period = serializers.SerializerMethodField(help_text="YYYY-MM")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    partial_totals = serializers.SerializerMethodField(
        help_text="批次覆盖更大范围时为 true:人数和合计只含您所辖单位的人员"
    )

    class Meta:
        model = PayRun
        fields = [
            "id",
            "unit",
            "unit_name",
            "period",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "corrects",
            "note",
            "partial_totals",
            "headcount",
            "gross",
            "employer_contributions",
            "personal_contributions",
            "income_tax",
            "net",
            "total_cost",
            "approved_at",
        ]
        read_only_fields = fields

    def get_period(self, run: PayRun) -> str:
        return run.period.strftime("%Y-%m")

    def _totals(self, run: PayRun) -> dict[str, Any]:
        return dict(self.context["totals"][run.pk])

    def get_partial_totals(self, run: PayRun) -> bool:
        return bool(self._totals(run)["partial"])

    def to_representation(self, instance: PayRun) -> dict[str, Any]:
        data = super().to_representation(instance)
        totals = self._totals(instance)
        for name in ("headcount", *selectors.RUN_TOTAL_FIELDS):
            data[name] = self.fields[name].to_representation(totals[name])
        return dict(data)


def runs_out(viewer: Any, runs: list[PayRun]) -> Any:
    """The runs as the viewer may see their totals."""
    totals = selectors.runs_totals(viewer=viewer, runs=runs)
    return PayRunSerializer(runs, many=True, context={"totals": totals}).data


def run_out(viewer: Any, run: PayRun) -> Any:
    return runs_out(viewer, [run])[0]


class PayRunCreateSerializer(PlainTextInput):
    unit = serializers.CharField(help_text="单位代码")
    period = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    corrects = id_field(required=False, help_text="更正的已审批批次编号")
    kind = serializers.ChoiceField(
        choices=RunKind.choices,
        required=False,
        default=RunKind.REGULAR,
        help_text="regular 月度工资;awards 奖励发放(薪酬构成选择单独发放时)",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label="说明")


class PayLineSerializer(serializers.ModelSerializer[PayLine]):
    worker_name = serializers.CharField(source="worker.name", read_only=True)

    class Meta:
        model = PayLine
        fields = [
            "id",
            "worker",
            "worker_name",
            "track_name",
            "level",
            "step",
            "performance_grade",
            "performance_source",
            *LINE_MONEY_FIELDS,
        ]
        # Amounts are null for a caller without the personal-data permission.
        extra_kwargs = {name: {"allow_null": True} for name in LINE_MONEY_FIELDS}

    def to_representation(self, instance: PayLine) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("shown"):
            data.update({name: None for name in LINE_MONEY_FIELDS})
        return data


class PayRunViewSet(viewsets.GenericViewSet[PayRun]):
    """Pay runs of the caller's units; a run out of scope answers 404."""

    serializer_class = PayRunSerializer
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.run_list(viewer=viewer_of(self.request), year=query_year(self.request))

    def get_object(self) -> PayRun:
        return selectors.run_get(viewer=viewer_of(self.request), pk=int(self.kwargs["pk"]))

    @extend_schema(parameters=[OpenApiParameter("year", YEAR_PARAMETER_SCHEMA)])
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(runs_out(viewer_of(request), list(page or [])))

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(run_out(viewer_of(request), self.get_object()))

    @extend_schema(
        request=PayRunCreateSerializer, responses={201: PayRunSerializer, 200: PayRunSerializer}
    )
    def create(self, request: Request) -> Response:
        incoming = PayRunCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        viewer = viewer_of(request)
        unit = selectors.units_for_runs(viewer=viewer).filter(code=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": ["单位代码不存在或不在您的管辖范围内"]})
        corrects = None
        if data.get("corrects"):
            corrects = selectors.run_get(viewer=viewer, pk=data["corrects"])
        period = datetime.date.fromisoformat(f"{data['period']}-01")
        note = data.get("note", "")
        try:
            if data.get("kind") == RunKind.AWARDS and corrects is None:
                run = services.awardrun_create(
                    unit=unit, period=period, note=note, acting_user=viewer
                )
            else:
                run = services.payrun_create(
                    unit=unit, period=period, corrects=corrects, note=note, acting_user=viewer
                )
        except services.PayRunExists as exc:  # a double submit answers with the run made
            return Response(run_out(viewer, exc.run), status=status.HTTP_200_OK)
        except services.PayRunRefused as exc:
            raise ValidationError({"faults": exc.faults}) from None
        except (ServiceError, ValueError) as exc:
            raise_validation(exc if isinstance(exc, ServiceError) else ServiceError(str(exc)))
            raise
        return Response(run_out(viewer, run), status=status.HTTP_201_CREATED)

    def _act(self, change: Any) -> Response:
        run = self.get_object()
        try:
            run = change(run=run, acting_user=viewer_of(self.request))
        except ServiceError as exc:
            raise_validation(exc)
        return Response(run_out(viewer_of(self.request), run))

    @extend_schema(request=None, responses=PayRunSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str) -> Response:
        """复核 a draft, by someone other than who computed it (400 otherwise)."""
        return self._act(services.payrun_check)

    @extend_schema(request=None, responses=PayRunSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """审批 a checked run, by someone who neither computed nor reviewed it (400
        otherwise); it is locked from then on."""
        return self._act(services.payrun_approve)

    @extend_schema(responses=PayLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def lines(self, request: Request, pk: str) -> Response:
        """The run's payslips (amounts null without the personal-data permission)."""
        run = self.get_object()
        viewer = viewer_of(request)
        shown = selectors.may_see_run_pay(viewer=viewer, run=run)
        page = self.paginate_queryset(selectors.run_lines(viewer=viewer, run=run))  # type: ignore[arg-type]
        if shown and page:
            services.payslips_disclose(run=run, acting_user=viewer)
        return self.get_paginated_response(
            PayLineSerializer(page, many=True, context={"shown": shown}).data
        )

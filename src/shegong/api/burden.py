"""The burden register over REST: the same selectors and services as the pages, scoped alike.

`burden/applications/`: a department's account lists and files its own applications; the
district lists, approves or refuses (`decide`) and publishes them. `burden/items/`: the
admission list the caller's district keeps. `burden/records/`: what communities in the caller's
scope carry (list with `unit`, `year`, `kind`; a clerk records for their community).
`burden/summary/`: the burden report's JSON for a unit and year. Out of scope answers 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shegong.api.fields import ID_PATTERN, YEAR_PARAMETER_SCHEMA, id_field, query_year, year_field
from shegong.api.views import PlainTextInput, raise_validation, viewer_of
from shegong.burden import selectors, services
from shegong.burden.models import (
    AdmissionItem,
    Application,
    BurdenRecord,
    CalendarDay,
    Category,
    Frequency,
    ItemKind,
    Listing,
    RecordKind,
    ReportForm,
    StampEntry,
    WorkerSurvey,
)
from shegong.core.errors import ServiceError
from shegong.core.net import client_address
from shegong.orgs.models import Unit
from shegong.orgs.selectors import unit_get, unit_roots


def _help(label: str, choices: list[tuple[str, Any]]) -> str:
    return f"{label}:" + "、".join(f"{v}={name}" for v, name in choices)


CATEGORY_HELP = _help("类别", Category.choices)
ITEM_KIND_HELP = _help("性质", ItemKind.choices)
RECORD_KIND_HELP = _help("类别", RecordKind.choices)


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    department = serializers.CharField(source="department.name", read_only=True)
    category = serializers.CharField(read_only=True, help_text=CATEGORY_HELP)
    kind = serializers.CharField(read_only=True, help_text=ITEM_KIND_HELP)
    status = serializers.CharField(source="current", read_only=True, help_text="状态")

    class Meta:
        model = Application
        fields = [
            "id", "department", "category", "kind", "title", "legal_basis", "funded", "funding",
            "purpose", "starts_on", "filed_on", "due_on", "status", "decided_on", "reason",
        ]  # fmt: skip


class ApplicationInputSerializer(PlainTextInput):
    department = id_field(help_text="申请部门编号(本账号所属部门)")
    category = serializers.ChoiceField(choices=Category.choices, help_text=CATEGORY_HELP)
    kind = serializers.ChoiceField(
        choices=[(ItemKind.DUTY, "duty"), (ItemKind.ASSIST, "assist")], help_text=ITEM_KIND_HELP
    )
    title = serializers.CharField(max_length=100, label="名称")
    legal_basis = serializers.CharField(max_length=200, label="依据")
    funded = serializers.BooleanField(default=False)
    funding = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, default=Decimal(0)
    )
    purpose = serializers.CharField(max_length=500, required=False, allow_blank=True, label="事由")
    starts_on = serializers.DateField()


class DecisionInputSerializer(PlainTextInput):
    approve = serializers.BooleanField()
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, label="不予准入理由"
    )


class ItemSerializer(serializers.ModelSerializer[AdmissionItem]):
    department = serializers.CharField(source="department.name", read_only=True)
    district = serializers.CharField(source="district.code", read_only=True)
    category = serializers.CharField(read_only=True, help_text=CATEGORY_HELP)
    kind = serializers.CharField(read_only=True, help_text=ITEM_KIND_HELP)

    class Meta:
        model = AdmissionItem
        fields = [
            "id", "district", "department", "category", "kind", "title", "legal_basis",
            "funded", "funding", "published_on",
        ]  # fmt: skip


class RecordSerializer(serializers.ModelSerializer[BurdenRecord]):
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=RECORD_KIND_HELP)
    imposed_by = serializers.CharField(source="imposer", read_only=True)
    refusable = serializers.BooleanField(read_only=True, help_text="未经准入,可拒绝")

    class Meta:
        model = BurdenRecord
        fields = [
            "id", "community", "community_name", "kind", "title", "year", "imposed_by", "item",
            "stamp", "frequency", "day", "hours", "staff", "note", "refusable",
        ]  # fmt: skip


class RecordInputSerializer(PlainTextInput):
    community = serializers.CharField(max_length=12, label="社区代码")
    kind = serializers.ChoiceField(choices=RecordKind.choices, help_text=RECORD_KIND_HELP)
    title = serializers.CharField(max_length=100, label="名称")
    department = id_field(required=False, allow_null=True, help_text="要求部门编号")
    imposed_by = serializers.CharField(
        max_length=60, required=False, allow_blank=True, label="其他要求单位"
    )
    item = id_field(required=False, allow_null=True, help_text="准入事项编号")
    stamp = id_field(required=False, allow_null=True, help_text="证明事项编号")
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, allow_blank=True)
    year = year_field(required=False, allow_null=True)
    day = serializers.DateField(required=False, allow_null=True)
    hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        min_value=0,
        max_value=10000,
        required=False,
        default=Decimal(0),
    )
    staff = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, label="说明")


def _summary_unit(request: Request) -> Unit | None:
    code = request.query_params.get("unit", "")
    viewer = viewer_of(request)
    if code:
        return unit_get(viewer=viewer, code=code)
    return unit_roots(viewer=viewer).order_by("path").first()


def _year(request: Request) -> int:
    return query_year(request) or timezone.localdate().year


APPLICATION_FIELDS = [
    "category", "kind", "title", "legal_basis", "funded", "funding", "purpose", "starts_on",
]  # fmt: skip


class BurdenApplicationViewSet(viewsets.GenericViewSet[Application]):
    """Applications to the admission list the caller may see (their department's, or their
    district's). A department's account corrects (PATCH) or withdraws its own application
    while it waits for the decision."""

    serializer_class = ApplicationSerializer
    queryset = Application.objects.none()  # for the schema; reads go through the selectors
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_object(self) -> Application:
        return selectors.application_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("status")], responses=ApplicationSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        found = selectors.application_list(
            viewer=viewer_of(request), status=request.query_params.get("status", "")
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(ApplicationSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ApplicationSerializer(self.get_object()).data)

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    def create(self, request: Request) -> Response:
        viewer = viewer_of(request)
        incoming = ApplicationInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        department = (
            selectors.departments_of(viewer=viewer).filter(pk=values.pop("department")).first()
        )
        if department is None:
            raise ValidationError({"department": ["只能以本账号所属部门提交申请"]})
        try:
            application = services.application_file(
                department=department, values=values, acting_user=viewer
            )
        except ServiceError as exc:
            raise_validation(exc)
        shown = selectors.application_get(viewer=viewer, pk=application.pk)
        return Response(ApplicationSerializer(shown).data, status=status.HTTP_201_CREATED)

    def _own(self, request: Request) -> Application:
        application = self.get_object()
        own = selectors.departments_of(viewer=viewer_of(request))
        if not own.filter(pk=application.department_id).exists():
            raise Http404
        return application

    @extend_schema(request=ApplicationInputSerializer, responses=ApplicationSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        application = self._own(request)
        incoming = ApplicationInputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        values = {n: getattr(application, n) for n in APPLICATION_FIELDS}
        values.update(incoming.validated_data)
        values.pop("department", None)
        try:
            services.application_update(
                application=application, values=values, acting_user=viewer_of(request)
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(ApplicationSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        application = self._own(request)
        try:
            services.application_withdraw(application=application, acting_user=viewer_of(request))
        except ServiceError as exc:
            raise_validation(exc)
        return Response(ApplicationSerializer(self.get_object()).data)

    @extend_schema(request=DecisionInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        application = self.get_object()
        incoming = DecisionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.application_decide(
                application=application,
                approve=incoming.validated_data["approve"],
                reason=incoming.validated_data.get("reason", ""),
                acting_user=viewer,
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(ApplicationSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        try:
            services.application_publish(application=application, acting_user=viewer_of(request))
        except ServiceError as exc:
            raise_validation(exc)
        return Response(ApplicationSerializer(self.get_object()).data)


class ItemInputSerializer(PlainTextInput):
    department = id_field(required=False, help_text="责任部门编号(本区的部门)")
    category = serializers.ChoiceField(choices=Category.choices, help_text=CATEGORY_HELP)
    kind = serializers.ChoiceField(choices=ItemKind.choices, help_text=ITEM_KIND_HELP)
    title = serializers.CharField(max_length=100, label="名称")
    legal_basis = serializers.CharField(
        max_length=200, required=False, allow_blank=True, label="依据"
    )
    funded = serializers.BooleanField(default=False)
    funding = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, default=Decimal(0)
    )


class RetireInputSerializer(PlainTextInput):
    reason = serializers.CharField(max_length=200, label="停止理由")


ITEM_FIELDS = ["category", "kind", "title", "legal_basis", "funded", "funding"]


class BurdenItemViewSet(viewsets.GenericViewSet[AdmissionItem]):
    """The admission lists of the districts the caller is in, above or below (`retired=1`:
    the items taken off the list, kept for the record). The district corrects an item
    (PATCH) or retires it (`retire`, with a reason)."""

    serializer_class = ItemSerializer
    queryset = AdmissionItem.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_object(self) -> AdmissionItem:
        return selectors.item_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", description=ITEM_KIND_HELP),
            OpenApiParameter("retired", description="1 = 已停止的事项"),
        ]
    )
    def list(self, request: Request) -> Response:
        found = selectors.item_list(
            viewer=viewer_of(request),
            kind=request.query_params.get("kind", ""),
            retired=request.query_params.get("retired") == "1",
        ).order_by("district__path", "kind", "id")
        page = self.paginate_queryset(found)
        return self.get_paginated_response(ItemSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ItemSerializer(self.get_object()).data)

    @extend_schema(request=ItemInputSerializer, responses=ItemSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        item = self.get_object()
        incoming = ItemInputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        values = {n: getattr(item, n) for n in ITEM_FIELDS} | dict(incoming.validated_data)
        department = None
        if "department" in values:
            department = (
                selectors.department_list(viewer=viewer)
                .filter(pk=values.pop("department"), district=item.district)
                .first()
            )
            if department is None:
                raise ValidationError({"department": ["该部门不属于本区"]})
        try:
            services.item_update(
                item=item, department=department, values=values, acting_user=viewer
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(ItemSerializer(self.get_object()).data)

    @extend_schema(request=RetireInputSerializer, responses=ItemSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        incoming = RetireInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.item_retire(
                item=item,
                reason=incoming.validated_data["reason"],
                acting_user=viewer_of(request),
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(ItemSerializer(self.get_object()).data)


class StampSerializer(serializers.ModelSerializer[StampEntry]):
    district = serializers.CharField(source="district.code", read_only=True)
    listing = serializers.CharField(read_only=True, help_text=_help("清单", Listing.choices))

    class Meta:
        model = StampEntry
        fields = ["id", "district", "name", "listing", "basis"]


class StampInputSerializer(PlainTextInput):
    district = serializers.CharField(max_length=12, label="区县代码")
    name = serializers.CharField(max_length=100, label="证明名称")
    listing = serializers.ChoiceField(
        choices=Listing.choices, help_text=_help("清单", Listing.choices)
    )
    basis = serializers.CharField(max_length=200, required=False, allow_blank=True, label="依据")


class BurdenStampViewSet(viewsets.GenericViewSet[StampEntry]):
    """The certificates a community may stamp (positive list) and may not (negative list), of
    the districts the caller is in, above or below; the district adds to them."""

    serializer_class = StampSerializer
    queryset = StampEntry.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        parameters=[OpenApiParameter("listing", description=_help("清单", Listing.choices))]
    )
    def list(self, request: Request) -> Response:
        found = selectors.stamp_list(viewer=viewer_of(request))
        listing = request.query_params.get("listing", "")
        if listing:
            found = found.filter(listing=listing)
        page = self.paginate_queryset(found.order_by("district__path", "listing", "name"))
        return self.get_paginated_response(StampSerializer(page, many=True).data)

    @extend_schema(request=StampInputSerializer, responses={201: StampSerializer})
    def create(self, request: Request) -> Response:
        viewer = viewer_of(request)
        incoming = StampInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        district = (
            selectors.districts_for_edit(viewer=viewer).filter(code=values.pop("district")).first()
        )
        if district is None:
            raise ValidationError({"district": ["区县不存在或您无权管理其清单"]})
        try:
            entry = services.stamp_entry_create(
                district=district, values=values, acting_user=viewer
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(StampSerializer(entry).data, status=status.HTTP_201_CREATED)


class CalendarDaySerializer(serializers.ModelSerializer[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["day", "workday", "name"]


class CalendarDayInputSerializer(PlainTextInput):
    day = serializers.DateField()
    workday = serializers.BooleanField(default=False, help_text="true = 调休上班,false = 放假")
    name = serializers.CharField(max_length=40, label="名称")


class BurdenCalendarViewSet(viewsets.GenericViewSet[CalendarDay]):
    """The working-day calendar's exceptions to Monday–Friday (holidays, and the weekend days
    worked instead), which lead times and deadlines count by; an admin enters a day."""

    serializer_class = CalendarDaySerializer
    queryset = CalendarDay.objects.none()
    pagination_class = None
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(parameters=[OpenApiParameter("year", YEAR_PARAMETER_SCHEMA)])
    def list(self, request: Request) -> Response:
        found = selectors.calendar_list(year=_year(request)).order_by("day")
        return Response(CalendarDaySerializer(found, many=True).data)

    @extend_schema(request=CalendarDayInputSerializer, responses={201: CalendarDaySerializer})
    def create(self, request: Request) -> Response:
        incoming = CalendarDayInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            entry = services.calendar_day_set(
                **incoming.validated_data, acting_user=viewer_of(request)
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(CalendarDaySerializer(entry).data, status=status.HTTP_201_CREATED)


class BurdenRecordViewSet(viewsets.GenericViewSet[BurdenRecord]):
    """What the communities in the caller's scope carry."""

    serializer_class = RecordSerializer
    queryset = BurdenRecord.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "delete", "head", "options"]

    def _shown(self, request: Request, pk: str) -> BurdenRecord:
        record = selectors.record_get(viewer=viewer_of(request), pk=pk)
        return selectors.record_list(viewer=viewer_of(request), unit=record.community).get(
            pk=record.pk
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RecordSerializer(self._shown(request, pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        """Delete a record (its community's clerk or whoever may edit the community)."""
        record = selectors.record_get(viewer=viewer_of(request), pk=pk)
        try:
            services.record_delete(record=record, acting_user=viewer_of(request))
        except ServiceError as exc:
            raise_validation(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", description="单位代码(缺省为本账号的单位)"),
            OpenApiParameter("year", YEAR_PARAMETER_SCHEMA),
            OpenApiParameter("kind", description=RECORD_KIND_HELP),
        ],
        responses=RecordSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        unit = _summary_unit(request)
        if unit is None:
            found = BurdenRecord.objects.none()
        else:
            found = selectors.record_list(
                viewer=viewer_of(request),
                unit=unit,
                year=query_year(request),
                kind=request.query_params.get("kind", ""),
            )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(RecordSerializer(page, many=True).data)

    @extend_schema(request=RecordInputSerializer, responses={201: RecordSerializer})
    def create(self, request: Request) -> Response:
        viewer = viewer_of(request)
        incoming = RecordInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        community = (
            selectors.communities_for_edit(viewer=viewer)
            .filter(code=values.pop("community"))
            .first()
        )
        if community is None:
            raise ValidationError({"community": ["社区不存在或不在您的管辖范围内"]})
        try:
            record = services.record_create(community=community, values=values, acting_user=viewer)
        except ServiceError as exc:
            raise_validation(exc)
        shown = selectors.record_list(viewer=viewer, unit=community).get(pk=record.pk)
        return Response(RecordSerializer(shown).data, status=status.HTTP_201_CREATED)


class BurdenSummaryView(APIView):
    """The burden report of a unit and year (the JSON of `shegong report burden`)."""

    @extend_schema(
        operation_id="burden_summary",
        parameters=[
            OpenApiParameter("unit", description="单位代码(缺省为本账号的单位)"),
            OpenApiParameter("year", YEAR_PARAMETER_SCHEMA),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        unit = _summary_unit(request)
        if unit is None:
            return Response({})
        summary = selectors.burden_summary(
            viewer=viewer_of(request), unit=unit, year=_year(request)
        )
        return Response(summary)


class ReportFormSerializer(serializers.ModelSerializer[ReportForm]):
    department = serializers.CharField(source="department.name", read_only=True)
    cells = serializers.SerializerMethodField()

    class Meta:
        model = ReportForm
        fields = ["id", "department", "title", "sheet", "cells"]

    def get_cells(self, form: ReportForm) -> list[dict[str, str]]:
        return [
            {"sheet": f.sheet, "cell": f.cell, "label": f.label, "source": f.source, "key": f.key}
            for f in form.fields.order_by("id")
        ]


class FilledSerializer(serializers.Serializer[Any]):
    sheet = serializers.CharField(help_text="工作表")
    cell = serializers.CharField()
    indicator = serializers.CharField(help_text="指标")
    data_source = serializers.CharField(help_text="数据来源;asked 为向社区询问")
    key = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    rows = serializers.ListField(
        child=serializers.CharField(allow_null=True),
        allow_null=True,
        help_text="名单列:从该单元格起逐行向下的值(其他指标为 null)",
    )
    from_data = serializers.BooleanField()


class BurdenFormViewSet(viewsets.GenericViewSet[ReportForm]):
    """一表通: the departments' report forms, and a form filled for a unit and period."""

    serializer_class = ReportFormSerializer
    queryset = ReportForm.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "head", "options"]

    def get_object(self) -> ReportForm:
        return selectors.form_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.form_list(viewer=viewer_of(request)))
        return self.get_paginated_response(ReportFormSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ReportFormSerializer(self.get_object()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", required=True, description="单位代码"),
            OpenApiParameter("period", datetime.date, description="统计截止日期(缺省为今天)"),
        ],
        responses=FilledSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def fill(self, request: Request, pk: str) -> Response:
        form = self.get_object()
        unit = unit_get(viewer=viewer_of(request), code=request.query_params.get("unit", ""))
        raw = request.query_params.get("period", "")
        try:
            period = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise ValidationError({"period": ["日期格式应为 YYYY-MM-DD"]}) from None
        filled = selectors.form_fill(viewer=viewer_of(request), form=form, unit=unit, period=period)
        rows = [
            {
                "sheet": f.sheet,
                "cell": f.cell,
                "indicator": f.label,
                "data_source": f.source,
                "key": f.key,
                "value": None if f.value is None or f.is_column else str(f.value),
                "rows": [None if v is None else str(v) for v in f.rows] if f.is_column else None,
                "from_data": f.from_data,
            }
            for f in filled
        ]
        return Response(FilledSerializer(rows, many=True).data)


class WorkerSurveySerializer(serializers.ModelSerializer[WorkerSurvey]):
    unit = serializers.CharField(source="unit.code", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft/open/closed")

    class Meta:
        model = WorkerSurvey
        fields = ["id", "unit", "title", "year", "status", "respondents"]
        read_only_fields = ["year"]


class AnswerInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="{题号: 选项序号(从0起) | 多选题的选项序号列表 | 文字}",
    )


def _code_refused(exc: ServiceError) -> Response:
    from shegong.core.codes import CodeThrottled

    if isinstance(exc, CodeThrottled):
        return Response({"code": [exc.message]}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    return Response({exc.field or "answers": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)


class BurdenSurveyViewSet(viewsets.GenericViewSet[WorkerSurvey]):
    """The workers' questionnaires of the caller's units and their results (small groups
    withheld). A worker reads the questions (`questionnaire`) and answers (`answer`) with the
    one-time code alone, like on the answer page: no login, throttled per client address
    like the residents' vote, one code one answer."""

    serializer_class = WorkerSurveySerializer
    queryset = WorkerSurvey.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self) -> WorkerSurvey:
        return selectors.worker_survey_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        found = selectors.worker_survey_list(viewer=viewer_of(request)).order_by("-id")
        page = self.paginate_queryset(found)
        return self.get_paginated_response(WorkerSurveySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WorkerSurveySerializer(self.get_object()).data)

    @extend_schema(
        parameters=[OpenApiParameter("code", description="答卷码", required=True)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], permission_classes=[AllowAny], authentication_classes=[])
    def questionnaire(self, request: Request) -> Response:
        """Public: the questions a live code answers (nothing is spent)."""
        try:
            survey_id = services.answer_code_check(
                code=request.query_params.get("code", ""), address=client_address(request)
            )
        except ServiceError as exc:
            return _code_refused(exc)
        questions = selectors.survey_questions(survey_id=survey_id)
        return Response({"questions": [
            {"position": q.position, "kind": q.kind, "text": q.text, "choices": q.choices,
             "required": q.required}
            for q in questions
        ]})  # fmt: skip

    @extend_schema(request=AnswerInputSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(
        detail=False, methods=["post"], permission_classes=[AllowAny], authentication_classes=[]
    )
    def answer(self, request: Request) -> Response:
        """Public: answer with a one-time code; the code is spent and the answer pooled, both
        or neither. Nothing links the answer to the code or the worker."""
        incoming = AnswerInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.answer_submit(
                code=incoming.validated_data["code"],
                answers=incoming.validated_data["answers"],
                address=client_address(request),
            )
        except ServiceError as exc:
            return _code_refused(exc)
        return Response({"recorded": True}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request: Request, pk: str) -> Response:
        survey = self.get_object()
        return Response(selectors.worker_survey_results(viewer=viewer_of(request), survey=survey))

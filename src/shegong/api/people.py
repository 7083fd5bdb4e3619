"""The roster over REST: the same selectors and services as the pages, scoped and masked
exactly like them. Lists and write responses show ID numbers and phones masked; a detail
read shows them unmasked to a viewer with the personal-data permission and records it."""

from __future__ import annotations

import datetime
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from shegong.api.fields import ID_PATTERN
from shegong.api.views import PlainTextInput, raise_validation, viewer_of
from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.people import record, rules, selectors, services
from shegong.people.models import (
    ETHNICITY_CHOICES,
    Certificate,
    Education,
    EndReason,
    Gender,
    InsuranceEnrolment,
    Placement,
    Political,
    PostHolding,
    RepresentativeRole,
    Source,
    Worker,
    WorkerStatus,
)
from shegong.people.services import EXIT_REASONS


class RecordRowSerializer(serializers.Serializer[Any]):
    cells = serializers.ListField(child=serializers.CharField(allow_blank=True))
    url = serializers.CharField(allow_blank=True, help_text="该行记录的页面(无权打开时为空)")


class RecordSectionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="如 pay.lines、training.days、appraisal.results")
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = RecordRowSerializer(many=True)
    url = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class WorkerRecordSerializer(serializers.Serializer[Any]):
    worker = serializers.IntegerField()
    name = serializers.CharField()
    sections = RecordSectionSerializer(many=True)


class PlacementSerializer(serializers.ModelSerializer[Placement]):
    community = serializers.CharField(source="unit.code", read_only=True)
    community_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Placement
        fields = ["community", "community_name", "start", "end", "end_reason"]


class PostHoldingSerializer(serializers.ModelSerializer[PostHolding]):
    post = serializers.CharField(source="post.code", read_only=True)
    post_name = serializers.CharField(source="post.name", read_only=True)

    class Meta:
        model = PostHolding
        fields = ["id", "post", "post_name", "start", "end"]


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    class Meta:
        model = Certificate
        fields = ["kind", "number", "issued_on"]


class InsuranceSerializer(serializers.ModelSerializer[InsuranceEnrolment]):
    class Meta:
        model = InsuranceEnrolment
        fields = ["kind", "start", "end"]


class RepresentativeRoleSerializer(serializers.ModelSerializer[RepresentativeRole]):
    class Meta:
        model = RepresentativeRole
        fields = ["kind", "level", "start", "end"]


class WorkerSerializer(serializers.ModelSerializer[Worker]):
    """A worker as the viewer may see them; `context["unmask"]` asks for unmasked data."""

    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField(
        help_text="出生日期;无个人信息权限时为 null,只给出生年份"
    )
    birth_year = serializers.SerializerMethodField()
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Worker
        fields = [
            "id",
            "name",
            "name_initials",
            "id_number",
            "gender",
            "birth_date",
            "birth_year",
            "ethnicity",
            "phone",
            "political",
            "education",
            "major",
            "source",
            "work_start_date",
            "community",
            "community_name",
            "status",
            "is_dual_role",
        ]

    def to_representation(self, instance: Worker) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        placed = getattr(instance, "placed_unit_code", None)
        if placed is not None:  # a list as of a date: where they were then
            data["community"] = placed
            data["community_name"] = getattr(instance, "placed_unit_name", "")
            data["status"] = WorkerStatus.ACTIVE  # placed on that day
        return data

    def _shown(self, worker: Worker) -> selectors.PersonalData:
        return selectors.personal_data_for(
            viewer=self.context["viewer"], worker=worker, unmask=self.context.get("unmask", False)
        )

    def get_id_number(self, worker: Worker) -> str:
        return self._shown(worker).id_number

    def get_phone(self, worker: Worker) -> str:
        return self._shown(worker).phone

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, worker: Worker) -> datetime.date | None:
        # Read from the ID number: shown only to whoever may see the number (in lists too,
        # as before; the ID number itself is masked there for everyone).
        viewer = self.context["viewer"]
        return (
            worker.birth_date
            if selectors.may_see_personal_data(viewer=viewer, worker=worker)
            else None
        )

    def get_birth_year(self, worker: Worker) -> int:
        return worker.birth_date.year


class WorkerDetailSerializer(WorkerSerializer):
    placements = PlacementSerializer(many=True, read_only=True)
    posts = PostHoldingSerializer(many=True, read_only=True)
    certificates = CertificateSerializer(many=True, read_only=True)
    insurances = InsuranceSerializer(many=True, read_only=True)
    representative_roles = RepresentativeRoleSerializer(many=True, read_only=True)

    class Meta(WorkerSerializer.Meta):
        fields = [
            *WorkerSerializer.Meta.fields,
            "placements",
            "posts",
            "certificates",
            "insurances",
            "representative_roles",
        ]


class WorkerInputSerializer(PlainTextInput):
    """A worker's own fields; the services check ID numbers, dates and duplicates."""

    name = serializers.CharField(max_length=50, label="姓名")
    id_number = serializers.CharField(max_length=24, required=False, label="公民身份号码")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    ethnicity = serializers.ChoiceField(choices=ETHNICITY_CHOICES, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, label="联系电话")
    political = serializers.ChoiceField(choices=Political.choices)
    education = serializers.ChoiceField(choices=Education.choices)
    major = serializers.CharField(
        max_length=100, required=False, allow_blank=True, label="所学专业"
    )
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]  # a field named "source"
    work_start_date = serializers.DateField(required=False, allow_null=True)


class WorkerCreateSerializer(WorkerInputSerializer):
    id_number = serializers.CharField(max_length=24, label="公民身份号码")
    community = serializers.CharField(help_text="社区代码", label="社区代码")
    entry_date = serializers.DateField()


class MoveSerializer(serializers.Serializer[Any]):
    community = serializers.CharField(help_text="调入社区代码")
    date = serializers.DateField()


class ExitSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    reason = serializers.ChoiceField(choices=[c for c in EndReason.choices if c[0] in EXIT_REASONS])


FILTER_PARAMETERS = [
    OpenApiParameter(name, description=description)
    for name, description in [
        ("unit", "单位代码(含下级)"),
        ("post", "岗位代码"),
        ("education", "学历"),
        ("age_min", "最小年龄"),
        ("age_max", "最大年龄"),
        ("source", "来源方式"),
        ("certificate", "证书类别、any 或 none"),
        ("political", "政治面貌"),
        ("gender", "性别"),
        ("status", "状态 active / left"),
        ("q", "姓名、拼音首字母或身份证号后几位"),
        ("sort", "排序: " + ", ".join(selectors.SORTS)),
        ("as_of", "截至日期 YYYY-MM-DD"),
    ]
]


class WorkerViewSet(viewsets.GenericViewSet[Worker]):
    """Community workers in the caller's scope; a worker out of scope answers 404."""

    serializer_class = WorkerSerializer
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.worker_list(
            viewer=viewer_of(self.request),
            filters=selectors.WorkerFilters.from_mapping(self.request.query_params),
        )

    def get_object(self) -> Worker:
        return selectors.worker_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    def _editable(self) -> Worker:
        worker = self.get_object()
        if not has_permission(viewer_of(self.request), Permission.EDIT, worker.community):
            raise NotFound
        return worker

    def _out(self, worker: Worker, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            WorkerSerializer(worker, context={"viewer": viewer_of(self.request)}).data,
            status=code,
        )

    def _community(self, code: str, field: str = "community") -> Unit:
        found = selectors.communities_for_edit(viewer=viewer_of(self.request)).filter(code=code)
        unit = found.first()
        if unit is None:
            raise ValidationError({field: ["社区代码不存在或不在您的管辖范围内"]})
        return unit

    @extend_schema(parameters=FILTER_PARAMETERS, responses=WorkerSerializer(many=True))
    def list(self, request: Request) -> Response:
        viewer = viewer_of(request)
        page = self.paginate_queryset(self.get_queryset())
        query = selectors.WorkerFilters.from_mapping(request.query_params).q
        hits = selectors.id_search_hits(viewer=viewer, query=query, workers=page or [])
        if hits:
            services.personal_data_search_disclose(workers=hits, acting_user=viewer)
        data = WorkerSerializer(page, many=True, context={"viewer": viewer}).data
        return self.get_paginated_response(data)

    @extend_schema(responses=WorkerDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        worker = self.get_object()
        if selectors.may_see_personal_data(viewer=viewer, worker=worker):
            services.personal_data_disclose(worker=worker, acting_user=viewer)
        serializer = WorkerDetailSerializer(worker, context={"viewer": viewer, "unmask": True})
        return Response(serializer.data)

    @extend_schema(responses=WorkerRecordSerializer)
    @action(detail=True, methods=["get"])
    def record(self, request: Request, pk: str) -> Response:
        """The worker's whole record as on their page: grades by year with their source,
        grade positions and pay by month, training days and awards, appraisal results and
        standing; amounts masked ("***") without the personal-data right."""
        viewer = viewer_of(request)
        worker = self.get_object()
        if selectors.may_see_personal_data(viewer=viewer, worker=worker):
            services.personal_data_disclose(worker=worker, acting_user=viewer)
        sections = record.worker_record(viewer=viewer, worker=worker)
        return Response(
            WorkerRecordSerializer(
                {"worker": worker.pk, "name": worker.name, "sections": sections}
            ).data
        )

    @extend_schema(request=WorkerCreateSerializer, responses={201: WorkerSerializer})
    def create(self, request: Request) -> Response:
        incoming = WorkerCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        community = self._community(values.pop("community"))
        try:
            worker = services.worker_create(
                community=community,
                entry_date=values.pop("entry_date"),
                values=values,
                acting_user=viewer_of(request),
            )
        except ServiceError as exc:
            raise_validation(exc)
        return self._out(worker, status.HTTP_201_CREATED)

    @extend_schema(request=WorkerInputSerializer, responses=WorkerSerializer)
    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=WorkerInputSerializer, responses=WorkerSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        viewer = viewer_of(request)
        worker = self._editable()
        incoming = WorkerInputSerializer(data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        current = {name: getattr(worker, name) for name in services.WORKER_FIELDS}
        sent = dict(incoming.validated_data)
        values = {**current, **sent}
        if services.keeps_personal_data(viewer, worker.unit_path):
            # worker_update keeps the ID number, phone and birth date as they are. Sending
            # back what the API showed (masked, or null) is fine; anything else is refused
            # without comparing it with the hidden value, so no answer confirms a guess.
            shown = {
                "id_number": rules.mask_id_number(worker.id_number),
                "phone": rules.mask_phone(worker.phone),
                "birth_date": None,
            }
            for name, value in shown.items():
                if name in sent and sent[name] != value:
                    raise ValidationError({name: ["您没有权限修改身份证号码、联系电话和出生日期"]})
        try:
            worker = services.worker_update(worker=worker, values=values, acting_user=viewer)
        except ServiceError as exc:
            raise_validation(exc)
        return self._out(worker)

    @extend_schema(request=MoveSerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        worker = self._editable()
        incoming = MoveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        community = self._community(incoming.validated_data["community"])
        try:
            worker = services.worker_move(
                worker=worker,
                community=community,
                date=incoming.validated_data["date"],
                acting_user=viewer_of(request),
            )
        except ServiceError as exc:
            raise_validation(exc)
        return self._out(worker)

    @extend_schema(request=ExitSerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def exit(self, request: Request, pk: str) -> Response:
        worker = self._editable()
        incoming = ExitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            worker = services.worker_exit(
                worker=worker, acting_user=viewer_of(request), **incoming.validated_data
            )
        except ServiceError as exc:
            raise_validation(exc)
        return self._out(worker)

"""Training over REST: the same selectors and services as the pages, scoped exactly like them.

One router prefix, `training/`: courses (list, detail, create), a course's enrolments and
attendance, exam registrations with their results, and the training figures of a unit. A
course or registration out of scope answers 404 like a missing one. Workers appear by id,
name and community only: no ID numbers or phones here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from shegong.api.fields import ID_PATTERN, YEAR_PARAMETER_SCHEMA, id_field, query_year, year_field
from shegong.api.views import PlainTextInput, raise_validation, viewer_of
from shegong.core.access import Permission, has_permission, root_paths
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.orgs.selectors import unit_get
from shegong.people import selectors as people_selectors
from shegong.people.models import PostType
from shegong.training import exports, selectors, services
from shegong.training.models import EXAM_LEVELS, Course, CourseKind, Enrolment, ExamRegistration

# `kind` and `level` are plain strings in the schema (their values are listed in the help):
# other areas' fields of the same names carry other choices, and one enum name cannot serve both.
KIND_HELP = "类别:" + "、".join(f"{v}={label}" for v, label in CourseKind.choices)
LEVEL_HELP = "级别:" + "、".join(f"{v}={label}" for v, label in EXAM_LEVELS)


def _choice(value: str, choices: list[tuple[str, Any]], message: str) -> str:
    if value not in {v for v, _label in choices}:
        raise ValidationError(message)
    return value


class CourseSerializer(serializers.ModelSerializer[Course]):
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    organiser = serializers.CharField(source="organiser.code", read_only=True)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    days = serializers.IntegerField(read_only=True)
    target_posts: serializers.SlugRelatedField[PostType] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "kind",
            "organiser",
            "organiser_name",
            "place",
            "start",
            "end",
            "days",
            "hours_per_day",
            "capacity",
            "enrolled",
            "target_posts",
            "note",
        ]


class CourseInputSerializer(PlainTextInput):
    title = serializers.CharField(max_length=100, label="培训班名称")
    kind = serializers.CharField(help_text=KIND_HELP)
    organiser = serializers.CharField(help_text="主办单位代码")
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, label="地点")
    start = serializers.DateField()
    end = serializers.DateField()
    hours_per_day = serializers.DecimalField(max_digits=4, decimal_places=1, default=Decimal(6))
    capacity = serializers.IntegerField(min_value=1)
    target_posts = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="岗位代码"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, label="说明")

    def validate_kind(self, value: str) -> str:
        return _choice(value, CourseKind.choices, "请选择培训类别")


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    worker = serializers.IntegerField(source="worker.pk", read_only=True)
    name = serializers.CharField(source="worker.name", read_only=True)
    community = serializers.CharField(source="worker.community.code", read_only=True)
    days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "worker", "name", "community", "days"]


class EnrolInputSerializer(serializers.Serializer[Any]):
    workers = serializers.ListField(child=id_field(), min_length=1, max_length=1000)


class AttendanceInputSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    present = serializers.ListField(
        child=id_field(), max_length=1000, help_text="到场的报名编号(enrolment id)"
    )


class AttendanceRowSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="worker.name")
    present = serializers.BooleanField()


class RegistrationSerializer(serializers.ModelSerializer[ExamRegistration]):
    level = serializers.CharField(read_only=True, help_text=LEVEL_HELP)
    worker = serializers.IntegerField(source="worker.pk", read_only=True)
    name = serializers.CharField(source="worker.name", read_only=True)
    results = serializers.SerializerMethodField()

    class Meta:
        model = ExamRegistration
        fields = ["id", "worker", "name", "level", "year", "passed_on", "results"]

    def get_results(self, registration: ExamRegistration) -> dict[str, str]:
        return {r.subject: str(r.score) for r in registration.results.all()}


class RegistrationInputSerializer(serializers.Serializer[Any]):
    worker = id_field()
    level = serializers.CharField(help_text=LEVEL_HELP)
    year = year_field()

    def validate_level(self, value: str) -> str:
        return _choice(value, EXAM_LEVELS, "请选择报考级别")


class ResultsInputSerializer(PlainTextInput):
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=1))
    passed_on = serializers.DateField(required=False, allow_null=True)
    certificate_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, label="证书编号"
    )


def _date_param(request: Request, name: str) -> datetime.date | None:
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: ["日期格式应为 YYYY-MM-DD"]}) from None


class TrainingViewSet(viewsets.GenericViewSet[Course]):
    """Courses the caller sees (their subtree's and those of the units above them)."""

    serializer_class = CourseSerializer
    queryset = Course.objects.none()  # for the schema; reads go through the selectors
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.course_list(
            viewer=viewer_of(self.request),
            year=query_year(self.request),
            kind=self.request.query_params.get("kind", ""),
        ).prefetch_related("target_posts")

    def get_object(self) -> Course:
        return selectors.course_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("year", YEAR_PARAMETER_SCHEMA), OpenApiParameter("kind")],
        responses=CourseSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CourseSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(CourseSerializer(self.get_object()).data)

    @extend_schema(request=CourseInputSerializer, responses={201: CourseSerializer})
    def create(self, request: Request) -> Response:
        viewer = viewer_of(request)
        incoming = CourseInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        organiser = (
            selectors.organisers_for_edit(viewer=viewer)
            .filter(code=values.pop("organiser"))
            .first()
        )
        if organiser is None:
            raise ValidationError({"organiser": ["主办单位不存在或不在您的管辖范围内"]})
        codes = values.pop("target_posts", [])
        posts = list(PostType.objects.filter(code__in=codes))
        if len(posts) != len(set(codes)):
            raise ValidationError({"target_posts": ["岗位代码不存在"]})
        try:
            course = services.course_create(
                organiser=organiser, values=values, target_posts=posts, acting_user=viewer
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=EnrolmentSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"], request=EnrolInputSerializer, responses=EnrolmentSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def enrolments(self, request: Request, pk: str) -> Response:
        viewer = viewer_of(request)
        course = self.get_object()
        if request.method == "POST":
            incoming = EnrolInputSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            ids = set(incoming.validated_data["workers"])
            workers = list(people_selectors.worker_list(viewer=viewer).filter(pk__in=ids))
            if len(workers) != len(ids):
                raise ValidationError({"workers": ["人员不存在或不在您的管辖范围内"]})
            try:
                services.enrolments_add(course=course, workers=workers, acting_user=viewer)
            except ServiceError as exc:
                raise_validation(exc)
        enrolments = selectors.enrolment_list(viewer=viewer, course=course)
        return Response(EnrolmentSerializer(enrolments, many=True).data)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("day", datetime.date)],
        responses=AttendanceRowSerializer(many=True),
        request=None,
    )
    @extend_schema(
        methods=["POST"],
        request=AttendanceInputSerializer,
        responses=AttendanceRowSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attendance(self, request: Request, pk: str) -> Response:
        """A day's sign-in: GET who was marked present; POST who was present (the enrolments
        the caller may mark and leaves out are marked absent)."""
        viewer = viewer_of(request)
        course = self.get_object()
        day = _date_param(request, "day") or course.start
        if request.method == "POST":
            incoming = AttendanceInputSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            day = incoming.validated_data["day"]
            shown = selectors.sign_in_rows(viewer=viewer, course=course, day=day)
            try:
                services.attendance_mark(
                    course=course,
                    day=day,
                    present=incoming.validated_data["present"],
                    scope=[e.pk for e in shown],
                    acting_user=viewer,
                )
            except ServiceError as exc:
                raise_validation(exc)
        rows = selectors.sign_in_rows(viewer=viewer, course=course, day=day)
        return Response(AttendanceRowSerializer(rows, many=True).data)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("year", YEAR_PARAMETER_SCHEMA)],
        responses=RegistrationSerializer(many=True),
        request=None,
    )
    @extend_schema(
        methods=["POST"], request=RegistrationInputSerializer, responses=RegistrationSerializer
    )
    @action(detail=False, methods=["get", "post"])
    def exams(self, request: Request) -> Response:
        viewer = viewer_of(request)
        if request.method == "POST":
            incoming = RegistrationInputSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            worker = (
                people_selectors.worker_list(viewer=viewer)
                .filter(pk=incoming.validated_data["worker"])
                .first()
            )
            if worker is None:
                raise ValidationError({"worker": ["人员不存在或不在您的管辖范围内"]})
            try:
                registration = services.exam_register(
                    worker=worker,
                    level=incoming.validated_data["level"],
                    year=incoming.validated_data["year"],
                    acting_user=viewer,
                )
            except ServiceError as exc:
                raise_validation(exc)
            return Response(
                RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED
            )
        found = selectors.exam_registration_list(viewer=viewer, year=query_year(request))
        page = self.paginate_queryset(found)  # type: ignore[arg-type]
        return self.get_paginated_response(RegistrationSerializer(page, many=True).data)

    @extend_schema(request=ResultsInputSerializer, responses=RegistrationSerializer)
    @action(
        detail=False,
        methods=["post"],
        url_path=r"exams/(?P<registration_pk>[0-9]+)/results",
        url_name="exam-results",
    )
    def exam_results(self, request: Request, registration_pk: str) -> Response:
        viewer = viewer_of(request)
        registration = selectors.exam_registration_get(viewer=viewer, pk=registration_pk)
        if not has_permission(viewer, Permission.EDIT, registration.worker.community):
            raise NotFound
        incoming = ResultsInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            registration = services.exam_results_record(
                registration=registration,
                scores=incoming.validated_data["scores"],
                passed_on=incoming.validated_data.get("passed_on"),
                certificate_number=incoming.validated_data.get("certificate_number", ""),
                acting_user=viewer,
            )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", description="单位代码(默认:本人所在单位)"),
            OpenApiParameter("from", datetime.date, description="默认:今年1月1日"),
            OpenApiParameter("to", datetime.date, description="默认:今年12月31日"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def figures(self, request: Request) -> Response:
        """sessions, person_times, people_trained, coverage and short, as the CLI prints them."""
        viewer = viewer_of(request)
        today = timezone.localdate()
        start = _date_param(request, "from") or datetime.date(today.year, 1, 1)
        end = _date_param(request, "to") or datetime.date(today.year, 12, 31)
        if end < start:
            raise ValidationError({"to": ["结束日期不能早于开始日期"]})
        code = request.query_params.get("unit", "")
        if code:
            unit = unit_get(viewer=viewer, code=code)
        else:  # the caller's own (first) unit
            found = Unit.objects.filter(path__in=root_paths(viewer)).order_by("path").first()
            if found is None:
                raise NotFound
            unit = found
        figures = selectors.training_figures(viewer=viewer, unit=unit, start=start, end=end)
        short = selectors.compliance_list(viewer=viewer, unit=unit, year=end.year)
        return Response(exports.figures_json(figures, short))

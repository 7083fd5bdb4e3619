"""Community resources over REST: the same selectors and services as the pages, scoped
exactly like them (a venue or booking out of scope answers 404 like a missing one).

`resources/venues/`: venues (list, detail, create), a venue's bookings (GET in a period, POST
one booking) and its recurring series (POST); `resources/bookings/<id>/`: one booking and its
approve, decline, cancel and headcount; `resources/summary/?unit=CODE&year=YYYY`: the year's
figures (the JSON of `shegong report resources`); `resources/standards/?unit=CODE&date=…`:
every community against each standard that applies, and `resources/standards/<key>/checks/`
(POST) an inspector's check.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shegong.api.fields import ID_PATTERN, YEAR_PARAMETER_SCHEMA, id_field, query_year
from shegong.api.views import PlainTextInput, raise_validation, viewer_of
from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.orgs.selectors import unit_get, unit_roots
from shegong.resources import award_selectors, selectors, services
from shegong.resources.models import (
    Activity,
    ActivityKind,
    ActivityRating,
    Booking,
    BookingStatus,
    OwnerKind,
    ServiceRecord,
    Standard,
    Talent,
    Team,
    Venue,
    Volunteer,
)

OWNER_HELP = "产权方:" + "、".join(f"{v}={label}" for v, label in OwnerKind.choices)
STATUS_HELP = "状态:" + "、".join(f"{v}={label}" for v, label in BookingStatus.choices)


class VenueSerializer(serializers.ModelSerializer[Venue]):
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    owner_kind = serializers.CharField(read_only=True, help_text=OWNER_HELP)
    opens = serializers.SerializerMethodField(help_text="开放时间 HH:MM(北京时间)")
    closes = serializers.SerializerMethodField(help_text="关闭时间 HH:MM(北京时间)")

    class Meta:
        model = Venue
        fields = [
            "id",
            "name",
            "community",
            "community_name",
            "owner_kind",
            "owner_name",
            "address",
            "area",
            "capacity",
            "price_per_hour",
            "opens",
            "closes",
            "weekdays",
            "requires_approval",
            "active",
        ]

    def get_opens(self, venue: Venue) -> str:
        return f"{venue.opens:%H:%M}"

    def get_closes(self, venue: Venue) -> str:
        return f"{venue.closes:%H:%M}"


HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def clock_field(help_text: str) -> serializers.RegexField:
    return serializers.RegexField(HH_MM, help_text=f"{help_text} HH:MM(北京时间)")


def clock(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


class VenueInputSerializer(PlainTextInput):
    community = serializers.CharField(max_length=20, help_text="服务社区代码")
    name = serializers.CharField(max_length=100, label="场地名称")
    owner_kind = serializers.ChoiceField(choices=OwnerKind.choices, help_text=OWNER_HELP)
    owner_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, label="产权单位"
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, label="地址")
    area = serializers.DecimalField(max_digits=8, decimal_places=1, min_value=0, default=Decimal(0))
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    price_per_hour = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, default=Decimal(0)
    )
    opens = clock_field("开放时间")
    closes = clock_field("关闭时间")
    weekdays = serializers.RegexField(r"^[1-7]{1,7}$", help_text="开放日,1=周一 … 7=周日")
    requires_approval = serializers.BooleanField(default=False)


class BookingSerializer(serializers.ModelSerializer[Booking]):
    venue = serializers.IntegerField(source="venue.pk", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    series = serializers.IntegerField(source="series_id", read_only=True, allow_null=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "venue",
            "series",
            "title",
            "booker",
            "starts_at",
            "ends_at",
            "expected",
            "present",
            "status",
        ]


class BookingInputSerializer(PlainTextInput):
    title = serializers.CharField(max_length=100, label="用途")
    booker = serializers.CharField(max_length=100, label="预约方")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    expected = serializers.IntegerField(min_value=0, max_value=100000, default=0)


class SeriesInputSerializer(PlainTextInput):
    title = serializers.CharField(max_length=100, label="用途")
    booker = serializers.CharField(max_length=100, label="预约方")
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="1=周一 … 7=周日")
    start_time = clock_field("开始时间")
    end_time = clock_field("结束时间")
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    expected = serializers.IntegerField(min_value=0, max_value=100000, default=0)


class SeriesSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    bookings = BookingSerializer(many=True)


class HeadcountInputSerializer(serializers.Serializer[Any]):
    present = serializers.IntegerField(min_value=0, max_value=100000)


def _date_param(request: Request, name: str, default: datetime.date) -> datetime.date:
    raw = request.query_params.get(name, "")
    if not raw:
        return default
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: ["日期格式应为 YYYY-MM-DD"]}) from None
    if not 2000 <= day.year <= 2100:
        raise ValidationError({name: ["日期应在2000年至2100年之间"]})
    return day


class VenueViewSet(viewsets.GenericViewSet[Venue]):
    """Venues of the communities the caller sees."""

    serializer_class = VenueSerializer
    queryset = Venue.objects.none()  # for the schema; reads go through the selectors
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self) -> Venue:
        return selectors.venue_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("shared", bool, description="只看共享场地(true)或自有(false)")
        ],
        responses=VenueSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        shared = {"true": True, "false": False}.get(request.query_params.get("shared", ""))
        venues = selectors.venue_list(viewer=viewer_of(request), shared=shared)
        page = self.paginate_queryset(venues)
        return self.get_paginated_response(VenueSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(VenueSerializer(self.get_object()).data)

    @extend_schema(request=VenueInputSerializer, responses={201: VenueSerializer})
    def create(self, request: Request) -> Response:
        viewer = viewer_of(request)
        incoming = VenueInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        values["opens"], values["closes"] = clock(values["opens"]), clock(values["closes"])
        community = (
            selectors.communities_for_edit(viewer=viewer)
            .filter(code=values.pop("community"))
            .first()
        )
        if community is None:
            raise ValidationError({"community": ["社区不存在或不在您的管辖范围内"]})
        try:
            venue = services.venue_create(community=community, values=values, acting_user=viewer)
        except ServiceError as exc:
            raise_validation(exc)
        return Response(VenueSerializer(venue).data, status=status.HTTP_201_CREATED)

    def _editable(self) -> Venue:
        venue = self.get_object()
        if not has_permission(viewer_of(self.request), Permission.EDIT, venue.community):
            raise NotFound
        return venue

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter("first", datetime.date),
            OpenApiParameter("last", datetime.date),
        ],
        responses=BookingSerializer(many=True),
        request=None,
    )
    @extend_schema(methods=["POST"], request=BookingInputSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["get", "post"])
    def bookings(self, request: Request, pk: str) -> Response:
        """GET the venue's bookings from `first` to `last` (default: the coming 31 days);
        POST one booking (pending where the venue's owner must approve)."""
        viewer = viewer_of(request)
        if request.method == "POST":
            venue = self._editable()
            incoming = BookingInputSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            try:
                booking = services.booking_create(
                    venue=venue,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    values=data,
                    acting_user=viewer,
                )
            except ServiceError as exc:
                raise_validation(exc)
            return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)
        venue = self.get_object()
        today = timezone.localdate()
        first = _date_param(request, "first", today)
        last = _date_param(request, "last", today + datetime.timedelta(days=31))
        found = selectors.booking_list(viewer=viewer, venue=venue, first=first, last=last)
        page = self.paginate_queryset(found)  # type: ignore[arg-type]
        return self.get_paginated_response(BookingSerializer(page, many=True).data)

    @extend_schema(request=SeriesInputSerializer, responses={201: SeriesSerializer})
    @action(detail=True, methods=["post"])
    def series(self, request: Request, pk: str) -> Response:
        """A recurring booking: one booking per `weekday` from `first_day` to `last_day`,
        all or none."""
        viewer = viewer_of(request)
        venue = self._editable()
        incoming = SeriesInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            series = services.booking_series_create(
                venue=venue,
                weekday=data["weekday"],
                start_time=clock(data["start_time"]),
                end_time=clock(data["end_time"]),
                first_day=data["first_day"],
                last_day=data["last_day"],
                values=data,
                acting_user=viewer,
            )
        except ServiceError as exc:
            raise_validation(exc)
        body = {"id": series.pk, "bookings": series.bookings.order_by("starts_at")}
        return Response(SeriesSerializer(body).data, status=status.HTTP_201_CREATED)


class BookingViewSet(viewsets.GenericViewSet[Booking]):
    """One booking and what may be done with it."""

    serializer_class = BookingSerializer
    queryset = Booking.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self) -> Booking:
        return selectors.booking_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(BookingSerializer(self.get_object()).data)

    def _do(self, step: str, present: int | None = None) -> Response:
        viewer = viewer_of(self.request)
        booking = self.get_object()
        try:
            if step == "approve":
                booking = services.booking_approve(booking=booking, acting_user=viewer)
            elif step == "decline":
                booking = services.booking_decline(booking=booking, acting_user=viewer)
            elif step == "cancel":
                booking = services.booking_cancel(booking=booking, acting_user=viewer)
            else:
                booking = services.booking_record_headcount(
                    booking=booking, present=present or 0, acting_user=viewer
                )
        except ServiceError as exc:
            raise_validation(exc)
        return Response(BookingSerializer(booking).data)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._do("approve")

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        return self._do("decline")

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._do("cancel")

    @extend_schema(request=HeadcountInputSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def headcount(self, request: Request, pk: str) -> Response:
        self.get_object()  # out of scope answers 404 before the body is read
        incoming = HeadcountInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._do("headcount", incoming.validated_data["present"])


class ResourcesSummaryView(APIView):
    """The year's figures of community resources under a unit (the JSON of
    `shegong report resources`)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, description="单位代码(默认:您的最高一级单位)"),
            OpenApiParameter("year", YEAR_PARAMETER_SCHEMA),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        viewer = viewer_of(request)
        unit = _summary_unit(request)
        year = query_year(request) or timezone.localdate().year
        return Response(selectors.resources_summary(viewer=viewer, unit=unit, year=year))


class TeamSerializer(serializers.ModelSerializer[Team]):
    unit = serializers.CharField(source="unit.code", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="类别")
    member_count = serializers.IntegerField(read_only=True)
    practices = serializers.IntegerField(read_only=True)
    performances = serializers.IntegerField(read_only=True)
    awards = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "kind",
            "unit",
            "practice_place",
            "practice_time",
            "founded_on",
            "member_count",
            "practices",
            "performances",
            "awards",
        ]


class TeamViewSet(viewsets.GenericViewSet[Team]):
    """Teams in scope with the year's records counted (`year`, default this year). Members
    are not listed here: they are residents' personal data, shown on the pages with masking."""

    serializer_class = TeamSerializer
    queryset = Team.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "head", "options"]

    def _teams(self) -> Any:
        return selectors.team_list(viewer=viewer_of(self.request), year=query_year(self.request))

    @extend_schema(parameters=[OpenApiParameter("year", YEAR_PARAMETER_SCHEMA)])
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self._teams())
        return self.get_paginated_response(TeamSerializer(page, many=True).data)

    @extend_schema(parameters=[OpenApiParameter("year", YEAR_PARAMETER_SCHEMA)])
    def retrieve(self, request: Request, pk: str) -> Response:
        team = selectors.team_get(viewer=viewer_of(request), pk=pk)
        return Response(TeamSerializer(self._teams().get(pk=team.pk)).data)


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    unit = serializers.CharField(source="unit.code", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="类别")
    signed_up = serializers.SerializerMethodField()
    attended = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "kind",
            "unit",
            "organiser",
            "day",
            "held",
            "signed_up",
            "attended",
        ]

    def get_signed_up(self, activity: Activity) -> int:
        return activity.participants.count()

    def get_attended(self, activity: Activity) -> int:
        return activity.participants.filter(attended=True).count()


class ActivityInputSerializer(PlainTextInput):
    unit = serializers.CharField(max_length=20, help_text="主办单位代码(街道或社区)")
    title = serializers.CharField(max_length=100, label="活动名称")
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    day = serializers.DateField()
    organiser = serializers.CharField(
        max_length=100, required=False, allow_blank=True, label="组织者"
    )


class ServiceRecordSerializer(serializers.ModelSerializer[ServiceRecord]):
    volunteer = serializers.IntegerField(source="volunteer_id", read_only=True)
    name = serializers.CharField(source="volunteer.resident.name", read_only=True)
    activity = serializers.IntegerField(source="activity_id", read_only=True)
    entered_as = serializers.CharField(
        source="source", read_only=True, help_text="clerk=工作人员录入、self=本人申报"
    )
    status = serializers.CharField(read_only=True, help_text="pending、confirmed、declined")

    class Meta:
        model = ServiceRecord
        fields = ["id", "volunteer", "name", "activity", "hours", "content", "entered_as", "status"]


class HoursInputSerializer(PlainTextInput):
    volunteer = id_field()
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal(24)
    )
    content = serializers.CharField(
        max_length=200, required=False, allow_blank=True, label="服务内容"
    )


class DecideInputSerializer(serializers.Serializer[Any]):
    records = serializers.ListField(child=id_field(), min_length=1, max_length=1000)
    decision = serializers.ChoiceField(choices=[("confirm", "确认"), ("decline", "不予确认")])


class RatingInputSerializer(PlainTextInput):
    score = serializers.IntegerField(min_value=1, max_value=5)
    note = serializers.CharField(label="评语", max_length=200, required=False, allow_blank=True)


class RatingSerializer(serializers.ModelSerializer[ActivityRating]):
    rated_by = serializers.CharField(source="rated_by.username", read_only=True)

    class Meta:
        model = ActivityRating
        fields = ["id", "score", "note", "rated_by", "rated_at"]


class ActivityViewSet(viewsets.GenericViewSet[Activity]):
    """Activities in scope (`year`), their volunteers' hours, and the decision on reported hours."""

    serializer_class = ActivitySerializer
    queryset = Activity.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self) -> Activity:
        return selectors.activity_get(viewer=viewer_of(self.request), pk=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("year", YEAR_PARAMETER_SCHEMA)])
    def list(self, request: Request) -> Response:
        found = selectors.activity_list(viewer=viewer_of(request), year=query_year(request))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ActivitySerializer(self.get_object()).data)

    @extend_schema(request=ActivityInputSerializer, responses={201: ActivitySerializer})
    def create(self, request: Request) -> Response:
        viewer = viewer_of(request)
        incoming = ActivityInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        unit = selectors.units_for_teams(viewer=viewer).filter(code=values.pop("unit")).first()
        if unit is None:
            raise ValidationError({"unit": ["单位不存在或不在您的管辖范围内"]})
        try:
            activity = services.activity_create(unit=unit, values=values, acting_user=viewer)
        except ServiceError as exc:
            raise_validation(exc)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=ServiceRecordSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"], request=HoursInputSerializer, responses=ServiceRecordSerializer
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def hours(self, request: Request, pk: str) -> Response:
        """GET the activity's service records; POST a clerk's entry (the same record as the
        volunteer's own report for this activity, if there is one)."""
        viewer = viewer_of(request)
        activity = self.get_object()
        if request.method == "POST":
            if not has_permission(viewer, Permission.EDIT, activity.unit):
                raise NotFound
            incoming = HoursInputSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            volunteer = selectors.volunteer_list(viewer=viewer).filter(pk=data["volunteer"]).first()
            if volunteer is None:
                raise ValidationError({"volunteer": ["志愿者不存在或不在您的管辖范围内"]})
            try:
                record = services.hours_enter(
                    volunteer=volunteer,
                    activity=activity,
                    hours=data["hours"],
                    content=data.get("content", ""),
                    acting_user=viewer,
                )
            except ServiceError as exc:
                raise_validation(exc)
            return Response(ServiceRecordSerializer(record).data)
        records = selectors.service_records(viewer=viewer, activity=activity)
        return Response(ServiceRecordSerializer(records, many=True).data)

    @extend_schema(request=RatingInputSerializer, responses=RatingSerializer(many=True))
    @action(detail=True, methods=["post"], pagination_class=None)
    def rate(self, request: Request, pk: str) -> Response:
        """The street rates the held activity 1–5 (again: replaces its score); answers the
        activity's ratings."""
        viewer = viewer_of(request)
        activity = self.get_object()
        incoming = RatingInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.activity_rate(
                activity=activity,
                score=incoming.validated_data["score"],
                note=incoming.validated_data.get("note", ""),
                acting_user=viewer,
            )
        except ServiceError as exc:
            raise_validation(exc)
        ratings = award_selectors.ratings_of(viewer=viewer, activity=activity)
        return Response(RatingSerializer(ratings, many=True).data)

    @extend_schema(request=DecideInputSerializer, responses=ServiceRecordSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="hours/decide", url_name="hours-decide")
    def decide(self, request: Request) -> Response:
        """Confirm or decline self-reported hours, all at once (declined ones are kept)."""
        viewer = viewer_of(request)
        incoming = DecideInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        ids = set(incoming.validated_data["records"])
        records = list(selectors.pending_hours(viewer=viewer).filter(pk__in=ids))
        if len(records) != len(ids):
            raise ValidationError({"records": ["记录不存在、不在您的管辖范围内或已处理"]})
        decide = (
            services.hours_confirm
            if incoming.validated_data["decision"] == "confirm"
            else services.hours_decline
        )
        try:
            decide(records=records, acting_user=viewer)
        except ServiceError as exc:
            raise_validation(exc)
        done = ServiceRecord.objects.filter(pk__in=ids).select_related("volunteer__resident")
        return Response(ServiceRecordSerializer(done, many=True).data)


class VolunteerTotalSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="volunteer.pk")
    name = serializers.CharField(source="volunteer.resident.name")
    community = serializers.CharField(source="volunteer.resident.community.code")
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)
    lifetime = serializers.DecimalField(max_digits=10, decimal_places=1)
    star = serializers.CharField()


class VolunteerViewSet(viewsets.GenericViewSet[Volunteer]):
    """Volunteers under `unit` (default: the caller's highest unit) ranked by confirmed hours
    from `first` to `last` (default: this year to date), with their star levels. No ID
    numbers or phones here."""

    serializer_class = VolunteerTotalSerializer
    queryset = Volunteer.objects.none()
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str),
            OpenApiParameter("first", datetime.date),
            OpenApiParameter("last", datetime.date),
        ]
    )
    def list(self, request: Request) -> Response:
        viewer = viewer_of(request)
        code = request.query_params.get("unit", "")
        unit = (
            unit_get(viewer=viewer, code=code)
            if code
            else unit_roots(viewer=viewer).order_by("path").first()
        )
        if unit is None:
            raise NotFound
        today = timezone.localdate()
        first = _date_param(request, "first", today.replace(month=1, day=1))
        last = _date_param(request, "last", today)
        totals = selectors.volunteer_totals(viewer=viewer, unit=unit, first=first, last=last)
        page = self.paginate_queryset(totals)  # type: ignore[arg-type]
        return self.get_paginated_response(VolunteerTotalSerializer(page, many=True).data)


class TalentSerializer(serializers.ModelSerializer[Talent]):
    name = serializers.CharField(source="resident.name", read_only=True)
    community = serializers.CharField(source="resident.community.code", read_only=True)
    category = serializers.CharField(read_only=True, help_text="类别")
    level = serializers.CharField(read_only=True, help_text="水平")

    class Meta:
        model = Talent
        fields = ["id", "name", "community", "category", "skill", "level", "availability"]


class TalentViewSet(viewsets.GenericViewSet[Talent]):
    """The talent bank in scope (`q` searches skills and names), only talents who may be
    contacted today. No phones here."""

    serializer_class = TalentSerializer
    queryset = Talent.objects.none()
    http_method_names = ["get", "head", "options"]

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("category", str)])
    def list(self, request: Request) -> Response:
        talents = selectors.talent_list(
            viewer=viewer_of(request),
            q=request.query_params.get("q", "")[:50],
            category=request.query_params.get("category", "")[:20],
        )
        page = self.paginate_queryset(talents)
        return self.get_paginated_response(TalentSerializer(page, many=True).data)


# ---------------------------------------------------------------- standards


def _summary_unit(request: Request) -> Unit:
    """The unit of ?unit=CODE (404 when missing or out of scope), else the caller's first."""
    viewer = viewer_of(request)
    code = request.query_params.get("unit", "")
    unit = (
        unit_get(viewer=viewer, code=code)
        if code
        else unit_roots(viewer=viewer).order_by("path").first()
    )
    if unit is None:
        raise NotFound
    return unit


def _scored(
    standard: Standard, rows: list[selectors.StandardRow], as_of: datetime.date
) -> dict[str, Any]:
    return {
        "key": standard.key,
        "name": standard.name,
        "as_of": as_of.isoformat(),
        "items": [
            {"key": i.key, "label": i.label, "kind": i.kind, "measure": i.measure,
             "threshold": None if i.threshold is None else str(i.threshold)}
            for i in standard.items.all()
        ],
        "communities": [
            {"code": r.community.code, "name": r.community.name, "met": r.met,
             "items": [{"key": i.key, "met": i.met, "shortfall": i.shortfall,
                        "checked": i.checked} for i in r.items]}
            for r in rows
        ],
    }  # fmt: skip


class CheckInputSerializer(PlainTextInput):
    community = serializers.CharField(label="社区代码", max_length=40)
    item = serializers.CharField(label="项目代码", max_length=40)
    checked_on = serializers.DateField()
    met = serializers.BooleanField()
    note = serializers.CharField(label="检查意见", max_length=300, required=False, default="")


class StandardsView(APIView):
    """Each standard that applies under a unit, every community scored as of a date: measured
    items with their shortfall, checked items with the latest inspector's check."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, description="单位代码(默认:您的最高一级单位)"),
            OpenApiParameter("date", OpenApiTypes.DATE, description="核对日期(默认:今天)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        viewer = viewer_of(request)
        unit = _summary_unit(request)
        as_of = _date_param(request, "date", timezone.localdate())
        scored = []
        for standard in selectors.standards_for(viewer=viewer, unit=unit):
            rows = selectors.standard_score(
                viewer=viewer, unit=unit, standard=standard, as_of=as_of
            )
            scored.append(_scored(standard, rows, as_of))
        return Response({"as_of": as_of.isoformat(), "standards": scored})


class StandardCheckView(APIView):
    """POST an inspector's check of a standard's item at a community (who is the caller)."""

    @extend_schema(
        parameters=[OpenApiParameter("unit", str, description="单位代码(默认:您的最高一级单位)")],
        request=CheckInputSerializer,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request: Request, key: str) -> Response:
        viewer = viewer_of(request)
        unit = _summary_unit(request)
        standard = selectors.standard_get(viewer=viewer, unit=unit, key=key)
        incoming = CheckInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        item = next((i for i in standard.items.all() if i.key == data["item"]), None)
        community = (
            selectors.communities_for_edit(viewer=viewer)
            .filter(code=data["community"], path__startswith=unit.path)
            .first()
        )
        if item is None or community is None:
            raise ValidationError({"community": ["社区或项目不存在,或不在您的管辖范围内"]})
        try:
            check = services.standard_check_record(
                item=item, community=community, values=data, acting_user=viewer
            )
        except ServiceError as exc:
            raise_validation(exc)
        body = {
            "id": check.pk,
            "item": item.key,
            "community": community.code,
            "checked_on": check.checked_on.isoformat(),
            "met": check.met,
            "note": check.note,
        }
        return Response(body, status=status.HTTP_201_CREATED)

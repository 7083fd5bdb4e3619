"""Standing proposals (续聘, 诫勉, 解聘) over REST: the appraisal's lists on the roster, read
as the page reads them (the viewer's workers, pending by default) and decided one or several
at a time through the page's service (people.services.standing_decide: accepting 解聘
records the exit with its reason and date). A proposal out of scope answers 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from shegong.api.fields import ID_PATTERN, id_field
from shegong.api.views import PlainTextInput, raise_validation, viewer_of
from shegong.core.errors import ServiceError
from shegong.people import selectors, services
from shegong.people.models import ProposalStatus, StandingKind, StandingProposal

# Named in settings.SPECTACULAR_SETTINGS ENUM_NAME_OVERRIDES (hours have a decision too).
STANDING_DECISIONS = [("accept", "同意"), ("reject", "不同意")]


class StandingProposalSerializer(serializers.ModelSerializer[StandingProposal]):
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    community = serializers.CharField(source="worker.community.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StandingProposal
        fields = [
            "id",
            "worker",
            "worker_name",
            "community",
            "year",
            "kind",
            "kind_label",
            "source_label",
            "status",
            "status_label",
            "proposed_at",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class DecisionSerializer(PlainTextInput):
    decision = serializers.ChoiceField(choices=STANDING_DECISIONS)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    exit_date = serializers.DateField(
        required=False, allow_null=True, help_text="同意解聘时的离岗日期"
    )


class DecisionManySerializer(DecisionSerializer):
    proposals = serializers.ListField(child=id_field(), min_length=1, max_length=1000)


def _decide(viewer: Any, proposals: list[StandingProposal], data: dict[str, Any]) -> Response:
    try:
        services.standing_decide(
            proposals=proposals,
            accept=data["decision"] == "accept",
            note=data.get("note", ""),
            exit_date=data.get("exit_date"),
            acting_user=viewer,
        )
    except ServiceError as exc:
        raise_validation(exc)
    decided = selectors.proposal_list(viewer=viewer, status="").filter(
        pk__in=[p.pk for p in proposals]
    )
    return Response(StandingProposalSerializer(decided, many=True).data)


class StandingProposalViewSet(viewsets.GenericViewSet[StandingProposal]):
    """Proposals on the roster for the caller's workers."""

    serializer_class = StandingProposalSerializer
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        params = self.request.query_params
        kind = params.get("kind", "")
        status = params.get("status", ProposalStatus.PENDING)
        return selectors.proposal_list(
            viewer=viewer_of(self.request),
            kind=kind if kind in StandingKind.values else "",
            status=status if status in ProposalStatus.values else "",
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=StandingKind.values),
            OpenApiParameter(
                "status", str, enum=[*ProposalStatus.values, "all"], description="默认 pending"
            ),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StandingProposalSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(StandingProposalSerializer(self._one(pk)).data)

    def _one(self, pk: str) -> StandingProposal:
        found = selectors.proposal_list(viewer=viewer_of(self.request), status="").filter(pk=pk)
        proposal = found.first()
        if proposal is None:
            raise NotFound
        return proposal

    @extend_schema(request=DecisionSerializer, responses=StandingProposalSerializer(many=True))
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """Decide one pending proposal (400 when decided already or not the caller's to
        decide)."""
        viewer = viewer_of(request)
        proposal = self._one(pk)
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        chosen = selectors.proposals_for_decision(viewer=viewer, pks=[proposal.pk])
        if not chosen:
            raise ValidationError({"detail": ["该建议已决定或不在您的范围内"]})
        return _decide(viewer, chosen, dict(incoming.validated_data))

    @extend_schema(
        operation_id="standing_proposals_decide_many",
        request=DecisionManySerializer,
        responses=StandingProposalSerializer(many=True),
    )
    @action(detail=False, methods=["post"], url_path="decide", url_name="decide-many")
    def decide_many(self, request: Request) -> Response:
        """Decide several pending proposals together, all or nothing: any id decided
        already, missing or out of scope refuses the whole request (400)."""
        viewer = viewer_of(request)
        incoming = DecisionManySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        pks = set(data["proposals"])
        chosen = selectors.proposals_for_decision(viewer=viewer, pks=pks)
        if len(chosen) != len(pks):
            raise ValidationError({"proposals": ["所选建议已决定或不在您的范围内,请刷新后重试"]})
        return _decide(viewer, chosen, data)

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from shegong.api import (
    appraisal,
    burden,
    pay,
    people,
    resources,
    resources_awards,
    standing,
    training,
    views,
)

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("workers", people.WorkerViewSet, basename="worker")
router.register(
    "standing-proposals", standing.StandingProposalViewSet, basename="standing-proposal"
)
router.register("appraisal/cycles", appraisal.AppraisalCycleViewSet, basename="appraisal-cycle")
router.register("pay-runs", pay.PayRunViewSet, basename="payrun")
router.register("training", training.TrainingViewSet, basename="training")
router.register(
    "burden/applications", burden.BurdenApplicationViewSet, basename="burden-application"
)
router.register("burden/items", burden.BurdenItemViewSet, basename="burden-item")
router.register("burden/stamps", burden.BurdenStampViewSet, basename="burden-stamp")
router.register("burden/calendar", burden.BurdenCalendarViewSet, basename="burden-calendar")
router.register("burden/records", burden.BurdenRecordViewSet, basename="burden-record")
router.register("burden/forms", burden.BurdenFormViewSet, basename="burden-form")
router.register("burden/surveys", burden.BurdenSurveyViewSet, basename="burden-survey")
router.register("resources/venues", resources.VenueViewSet, basename="resources-venue")
router.register("resources/bookings", resources.BookingViewSet, basename="resources-booking")
router.register("resources/teams", resources.TeamViewSet, basename="resources-team")
router.register("resources/activities", resources.ActivityViewSet, basename="resources-activity")
router.register("resources/volunteers", resources.VolunteerViewSet, basename="resources-volunteer")
router.register("resources/talents", resources.TalentViewSet, basename="resources-talent")
router.register(
    "resources/award-schemes", resources_awards.AwardSchemeViewSet, basename="resources-scheme"
)
router.register("resources/awards", resources_awards.AwardViewSet, basename="resources-award")

urlpatterns = [
    path("", include(router.urls)),
    path("resources/summary/", resources.ResourcesSummaryView.as_view(), name="resources-summary"),
    path("resources/standards/", resources.StandardsView.as_view(), name="resources-standards"),
    path(
        "resources/standards/<str:key>/checks/",
        resources.StandardCheckView.as_view(),
        name="resources-standard-check",
    ),
    path("token/", views.TokenIssueView.as_view(), name="api-token"),
    path("burden/summary/", burden.BurdenSummaryView.as_view(), name="burden-summary"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

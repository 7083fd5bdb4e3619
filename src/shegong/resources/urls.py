from django.urls import path

from shegong.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.venue_list, name="venues"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("venues/new/", views.venue_create, name="venue-create"),
    path("venues/<int:pk>/", views.venue_detail, name="venue"),
    path("venues/<int:pk>/edit/", views.venue_edit, name="venue-edit"),
    path("venues/<int:pk>/book/", views.book, name="book"),
    path("venues/<int:pk>/series/", views.series_create, name="series-create"),
    path("venues/<int:pk>/calendar.ics", views.venue_ics, name="venue-ics"),
    path("venues/use/", views.venue_use, name="use"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/approve/", views.booking_approve, name="booking-approve"),
    path("bookings/<int:pk>/decline/", views.booking_decline, name="booking-decline"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("bookings/<int:pk>/headcount/", views.booking_headcount, name="booking-headcount"),
    path("series/<int:pk>/approve/", views.series_approve, name="series-approve"),
    path("series/<int:pk>/cancel/", views.series_cancel, name="series-cancel"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/new/", views.resident_create, name="resident-create"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/members/", views.team_member_add, name="team-member-add"),
    path("teams/<int:pk>/records/", views.team_record_add, name="team-record-add"),
    path("members/<int:pk>/leave/", views.member_leave, name="member-leave"),
]

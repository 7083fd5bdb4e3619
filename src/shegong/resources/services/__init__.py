"""Every write to community resources: atomic, permission checked here, audited in the same
transaction.

Bookings: a venue that needs its owner's approval takes a booking as pending, any other as
confirmed. Only confirmed bookings hold the venue, and the database refuses two confirmed
bookings of one venue that overlap (migration 0001), also when two clerks book the same hour at
the same moment: the look at the calendar here is only for a helpful message, the constraint
has the last word and its refusal becomes the same message.
"""

from shegong.resources.services.awards import (
    activity_rate,
    award_adjust,
    awards_approve,
    awards_propose,
    scheme_create,
    scheme_new_version,
    scheme_update,
)
from shegong.resources.services.bookings import (
    booking_approve,
    booking_cancel,
    booking_create,
    booking_decline,
    booking_record_headcount,
    booking_series_create,
    bookings_approve,
    series_cancel,
)
from shegong.resources.services.certificates import (
    certificate_issue,
)
from shegong.resources.services.common import (
    BOOKING_FIELDS,
    EDIT_REFUSED,
    OVERLAP,
    SERIES_MAX_DAYS,
    VENUE_FIELDS,
)
from shegong.resources.services.participation import (
    attendance_mark,
    participant_sign_up,
)
from shegong.resources.services.standards import (
    standard_check_record,
    standard_create,
    standard_item_add,
)
from shegong.resources.services.talents import (
    activity_advisor_name,
    talent_register,
)
from shegong.resources.services.teams import (
    RESIDENT_FIELDS,
    TEAM_FIELDS,
    resident_consent_end,
    resident_register,
    team_create,
    team_member_add,
    team_member_leave,
    team_record_add,
)
from shegong.resources.services.venues import (
    clean_venue_values,
    venue_create,
    venue_update,
)
from shegong.resources.services.volunteers import (
    activity_create,
    activity_mark_held,
    hours_confirm,
    hours_decline,
    hours_enter,
    hours_self_report,
    volunteer_for_link,
    volunteer_link_issue,
    volunteer_register,
)

__all__ = [
    "BOOKING_FIELDS",
    "EDIT_REFUSED",
    "OVERLAP",
    "RESIDENT_FIELDS",
    "SERIES_MAX_DAYS",
    "TEAM_FIELDS",
    "VENUE_FIELDS",
    "activity_advisor_name",
    "activity_create",
    "activity_mark_held",
    "activity_rate",
    "attendance_mark",
    "award_adjust",
    "awards_approve",
    "awards_propose",
    "booking_approve",
    "booking_cancel",
    "booking_create",
    "booking_decline",
    "booking_record_headcount",
    "booking_series_create",
    "bookings_approve",
    "certificate_issue",
    "clean_venue_values",
    "hours_confirm",
    "hours_decline",
    "hours_enter",
    "hours_self_report",
    "participant_sign_up",
    "resident_consent_end",
    "resident_register",
    "scheme_create",
    "scheme_new_version",
    "scheme_update",
    "series_cancel",
    "standard_check_record",
    "standard_create",
    "standard_item_add",
    "talent_register",
    "team_create",
    "team_member_add",
    "team_member_leave",
    "team_record_add",
    "venue_create",
    "venue_update",
    "volunteer_for_link",
    "volunteer_link_issue",
    "volunteer_register",
]

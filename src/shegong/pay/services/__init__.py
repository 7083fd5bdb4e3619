"""Every write of the pay area: atomic, scoped (access.require before anything is written),
audited in the same transaction with a kind of pay event (events.PayEvent).

One module per job: `settings` (schemes from presets, from the configuration file or as a
new version, policy, rates, average wage: versions from a date, the pay office's), `inputs`
(a worker's appraisal grade and one-off amounts), `grades` (placement, promotions, steps) and
`runs` (compute, review, approve, discard). The reads they build on live in `pay.selectors`
(what is in force, where placement puts a worker, a month's computed lines), the pure
calculations in `pay.rules`. The names below are the area's public interface: callers import
them from here (`shegong.pay.services.payrun_create`), whichever module holds them.
"""

from shegong.pay.errors import PayRunExists, PayRunRefused
from shegong.pay.events import PayEvent
from shegong.pay.rules import ancestors, first_of_month, last_of_month
from shegong.pay.selectors.in_force import InForce, rates_of, settings_in_force
from shegong.pay.selectors.lines import (
    CERTIFICATE_FIELDS,
    FACTOR_FIELDS,
    LINE_FIELDS,
    LINE_MONEY_FIELDS,
    NO_YTD,
    TOTAL_FIELDS,
    ProgressFn,
    compute_lines,
    effective_lines,
)
from shegong.pay.selectors.placement import Placed, place_plan
from shegong.pay.services.grades import grade_assign, grade_place, grade_steps_apply
from shegong.pay.services.inputs import adjustment_add, performance_grade_set
from shegong.pay.services.runs import (
    ANALYZE_AFTER,
    awardrun_create,
    awards_paid_by,
    lines_insert,
    payrun_approve,
    payrun_check,
    payrun_create,
    payrun_discard,
    payslips_disclose,
)
from shegong.pay.services.settings import (
    TrackValues,
    average_wage_set,
    policy_set,
    rates_set,
    scheme_faults,
    scheme_from_preset,
    scheme_revise,
    scheme_set,
)
from shegong.pay.services.years import pay_years_refresh

__all__ = [
    "ANALYZE_AFTER",
    "CERTIFICATE_FIELDS",
    "FACTOR_FIELDS",
    "LINE_FIELDS",
    "LINE_MONEY_FIELDS",
    "NO_YTD",
    "TOTAL_FIELDS",
    "InForce",
    "PayEvent",
    "PayRunExists",
    "PayRunRefused",
    "Placed",
    "ProgressFn",
    "TrackValues",
    "adjustment_add",
    "ancestors",
    "average_wage_set",
    "awardrun_create",
    "awards_paid_by",
    "compute_lines",
    "effective_lines",
    "first_of_month",
    "grade_assign",
    "grade_place",
    "grade_steps_apply",
    "last_of_month",
    "lines_insert",
    "pay_years_refresh",
    "payrun_approve",
    "payrun_check",
    "payrun_create",
    "payrun_discard",
    "payslips_disclose",
    "performance_grade_set",
    "place_plan",
    "policy_set",
    "rates_of",
    "rates_set",
    "scheme_faults",
    "scheme_from_preset",
    "scheme_revise",
    "scheme_set",
    "settings_in_force",
]

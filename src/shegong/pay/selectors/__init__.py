"""Every read of the pay area, scoped to the viewer.

Pay runs and lines carry a unit path, so scoping is one prefix filter. Yearly figures read the
workers' years of pay (WorkerPayYear: the sums of the effective lines, kept when a run is
approved), one row per worker; the benchmark and equal-pay findings are built from those
rows, the annual report's figures counted over them in the database (summary); the budget
sums the effective lines by community."""

from shegong.pay.selectors.changes import RunChanges, run_changes
from shegong.pay.selectors.findings import (
    BUDGET_MONEY,
    BUDGET_SUMS,
    WorkerYear,
    _up,
    active_headcount,
    benchmark,
    budget,
    community_names,
    equal_pay,
    equal_pay_figures,
    field_label,
    report,
    scheme_change,
    worker_years,
    year_rows,
)
from shegong.pay.selectors.grades import (
    may_set_pay,
    scheme_get,
    scheme_grid,
    scheme_list,
    settings_list,
    tracks_for,
    unit_get,
    units_for_pay,
    units_for_runs,
    units_for_settings,
    units_in_scope,
    worker_adjustments,
    worker_grades,
    worker_performance,
    workers_without_grade,
)
from shegong.pay.selectors.in_force import InForce, settings_in_force
from shegong.pay.selectors.lines import effective_lines
from shegong.pay.selectors.placement import place_plan
from shegong.pay.selectors.runs import (
    RUN_TOTAL_FIELDS,
    line_get,
    may_see_pay,
    may_see_run_pay,
    own_steps,
    pay_visible,
    payslip_contributions,
    run_get,
    run_lines,
    run_list,
    run_totals,
    runs_awaiting,
    runs_totals,
    worker_lines,
)
from shegong.pay.selectors.summary import wage_lines, year_summary
from shegong.pay.selectors.withholding import (
    CALIBERS,
    WITHHELD,
    min_group_size,
)
from shegong.pay.selectors.years import years_paid

__all__ = [
    "BUDGET_MONEY",
    "BUDGET_SUMS",
    "CALIBERS",
    "RUN_TOTAL_FIELDS",
    "WITHHELD",
    "InForce",
    "RunChanges",
    "WorkerYear",
    "_up",
    "active_headcount",
    "benchmark",
    "budget",
    "community_names",
    "effective_lines",
    "equal_pay",
    "equal_pay_figures",
    "field_label",
    "line_get",
    "may_see_pay",
    "may_see_run_pay",
    "may_set_pay",
    "min_group_size",
    "own_steps",
    "pay_visible",
    "payslip_contributions",
    "place_plan",
    "report",
    "run_changes",
    "run_get",
    "run_lines",
    "run_list",
    "run_totals",
    "runs_awaiting",
    "runs_totals",
    "scheme_change",
    "scheme_get",
    "scheme_grid",
    "scheme_list",
    "settings_in_force",
    "settings_list",
    "tracks_for",
    "unit_get",
    "units_for_pay",
    "units_for_runs",
    "units_for_settings",
    "units_in_scope",
    "wage_lines",
    "worker_adjustments",
    "worker_grades",
    "worker_lines",
    "worker_performance",
    "worker_years",
    "workers_without_grade",
    "year_rows",
    "year_summary",
    "years_paid",
]

"""The roster import (登记造册导入): a sheet of workers in, validated whole, written all or nothing.

`cells` reads and checks one cell; `plan` (`workers_import_plan`) checks every row and says what
would be created, updated (matched by ID number, changed fields only) and left unchanged,
writing nothing; `apply` (`workers_import_apply`) writes a clean plan in one transaction;
`workbooks` makes the template and the marked error sheet.
"""

from shegong.people.imports.apply import workers_import_apply
from shegong.people.imports.cells import (
    COLUMNS,
    COMPARED,
    LABELS,
    REQUIRED,
    VOCABULARIES,
    WORKER_SHEET_ALIASES,
    CellError,
    name_initials,
    parse_date,
)
from shegong.people.imports.plan import (
    BACKGROUND_THRESHOLD,
    DEFAULT_MAX_ROWS,
    PlannedWorker,
    WorkerImportPlan,
    max_rows,
    too_many_rows,
    workers_import_plan,
)
from shegong.people.imports.workbooks import errors_workbook, template_workbook

__all__ = [
    "BACKGROUND_THRESHOLD",
    "COLUMNS",
    "COMPARED",
    "DEFAULT_MAX_ROWS",
    "LABELS",
    "REQUIRED",
    "VOCABULARIES",
    "WORKER_SHEET_ALIASES",
    "CellError",
    "PlannedWorker",
    "WorkerImportPlan",
    "errors_workbook",
    "max_rows",
    "name_initials",
    "parse_date",
    "template_workbook",
    "too_many_rows",
    "workers_import_apply",
    "workers_import_plan",
]

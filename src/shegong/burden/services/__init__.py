"""Every write to the burden register: atomic, checked with core/access.require, audited.

The district (whoever holds the edit right on the district unit) keeps the admission list, the
stamp lists and the rules, and decides applications; a department account (role 职能部门 on
the district and a member of the department) files its own applications and nothing else; a
community's clerk records what that community carries.
"""

from shegong.burden.services.applications import (
    application_decide,
    application_file,
    application_publish,
    application_update,
    application_withdraw,
    applications_lapse,
)
from shegong.burden.services.common import (
    DISTRICT_REFUSED,
    LAPSE_REASON,
    RECORD_REFUSED,
    calendar_exceptions,
    district_of,
    policy_of,
    today,
)
from shegong.burden.services.district import (
    calendar_day_set,
    department_create,
    department_member_add,
    item_create,
    item_retire,
    item_update,
    policy_set,
    stamp_entry_create,
)
from shegong.burden.services.forms import (
    CELL,
    KEY,
    answer_set,
    answers_from_sheet,
    cell_position,
    form_create,
    form_field_add,
    marked_of,
)
from shegong.burden.services.questions import (
    question_values,
    survey_question_add,
    survey_question_delete,
    survey_question_move,
    survey_question_update,
)
from shegong.burden.services.records import (
    clean_record_values,
    record_create,
    record_delete,
)
from shegong.burden.services.survey import (
    ANSWER_BATCH,
    DEFAULT_QUESTIONS,
    DIMENSIONS,
    answer_code_check,
    answer_submit,
    answers_tally,
    worker_codes_issue,
    worker_survey_create,
    worker_survey_set_status,
)

__all__ = [
    "ANSWER_BATCH",
    "CELL",
    "DEFAULT_QUESTIONS",
    "DIMENSIONS",
    "DISTRICT_REFUSED",
    "KEY",
    "LAPSE_REASON",
    "RECORD_REFUSED",
    "answer_code_check",
    "answer_set",
    "answer_submit",
    "answers_from_sheet",
    "answers_tally",
    "application_decide",
    "application_file",
    "application_publish",
    "application_update",
    "application_withdraw",
    "applications_lapse",
    "calendar_day_set",
    "calendar_exceptions",
    "cell_position",
    "clean_record_values",
    "department_create",
    "department_member_add",
    "district_of",
    "form_create",
    "form_field_add",
    "item_create",
    "item_retire",
    "item_update",
    "marked_of",
    "policy_of",
    "policy_set",
    "question_values",
    "record_create",
    "record_delete",
    "stamp_entry_create",
    "survey_question_add",
    "survey_question_delete",
    "survey_question_move",
    "survey_question_update",
    "today",
    "worker_codes_issue",
    "worker_survey_create",
    "worker_survey_set_status",
]

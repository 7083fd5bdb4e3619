"""Every write of the appraisal: atomic, scoped to the acting user, audited (typed kinds,
`AppraisalEvent`), refused through `core.access.require` before anything is written.

One module per job; callers import from here:

- `schemes`: schemes, their parts, weights and indicators, the cycle a scheme opens.
- `households`: the households on record that may be issued codes.
- `code_hash`, `codes`: what a code is and how it is hashed; first codes and the requests a
  second person approves.
- `surveys`: opening and closing a community's residents' vote.
- `votes`: the vote itself, kept unlinked from the household code (its docstring is the
  anonymity design and its limits).
- `scoring`: the leaders' and peers' sheets and self-reports.
- `results`: computing, reopening and publishing results (the grades into the yearly grade
  record, the standing into the roster's proposals); objections.
- `ten_best`: 十佳 on its own cycle (two years by default), its list and award.

How the residents' vote is weighted and the grade from the scores: `appraisal/rules.py`
(`weigh_residents_vote`, `grades_from_scores`).
"""

from shegong.appraisal.services.code_hash import (
    CODE_ALPHABET,
    CODE_LENGTH,
    failure_key,
    hash_code,
    new_code,
    normalise_code,
)
from shegong.appraisal.services.codes import (
    CodeIssue,
    IssuedCode,
    code_request_approve,
    code_request_create,
    codes_issue,
)
from shegong.appraisal.services.households import (
    household_add,
    households_import,
    parse_households,
)
from shegong.appraisal.services.results import (
    RESULT_FIELDS,
    objection_decide,
    objection_file,
    results_compute,
    results_publish,
    results_reopen,
)
from shegong.appraisal.services.schemes import (
    DEFAULT_PARTS,
    SCHEME_SETTINGS,
    indicators_replace,
    parse_indicators,
    scheme_copy_forward,
    scheme_create,
    scheme_update,
)
from shegong.appraisal.services.scoring import score_record, self_report_save
from shegong.appraisal.services.surveys import survey_close, survey_open
from shegong.appraisal.services.ten_best import ten_best_create, ten_best_draw, ten_best_publish
from shegong.appraisal.services.votes import (
    _SPEND_SQL,
    BALLOT_BATCH,
    FAILURE_LIMIT,
    FAILURE_WINDOW_SECONDS,
    SKIP,
    VoteRefused,
    VoteThrottled,
    file_pool,
    survey_for_code,
    vote_cast,
    vote_check,
    vote_is_throttled,
)

__all__ = [
    "BALLOT_BATCH",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DEFAULT_PARTS",
    "FAILURE_LIMIT",
    "FAILURE_WINDOW_SECONDS",
    "RESULT_FIELDS",
    "SCHEME_SETTINGS",
    "SKIP",
    "_SPEND_SQL",
    "CodeIssue",
    "IssuedCode",
    "VoteRefused",
    "VoteThrottled",
    "code_request_approve",
    "code_request_create",
    "codes_issue",
    "failure_key",
    "file_pool",
    "hash_code",
    "household_add",
    "households_import",
    "indicators_replace",
    "new_code",
    "normalise_code",
    "objection_decide",
    "objection_file",
    "parse_households",
    "parse_indicators",
    "results_compute",
    "results_publish",
    "results_reopen",
    "scheme_copy_forward",
    "scheme_create",
    "scheme_update",
    "score_record",
    "self_report_save",
    "survey_close",
    "survey_for_code",
    "survey_open",
    "ten_best_create",
    "ten_best_draw",
    "ten_best_publish",
    "vote_cast",
    "vote_check",
    "vote_is_throttled",
]

"""The residents' vote: a household code spent, its ballot pooled and filed, refusals throttled.

The one exception to auditing in the appraisal is the vote itself: an audit row per vote
would carry a time and an order that could be matched to the household that spent its code,
so a vote is recorded only as the spent flag on the code and the unlinked ballot. Issuing
codes, opening and closing surveys are audited (with counts, never codes).

How a vote stays unlinked from its household code
-------------------------------------------------
The code row names its household (that is how one code per household is kept), so nothing
stored may tie a ballot to the code that cast it. What could, and what is done about it:

* A key or a column: ballots have random UUID keys and hold neither code, household nor time;
  the code holds a spent flag, not a spending time.
* The transaction: on PostgreSQL every row carries the id of the transaction that wrote it
  (xmin), and transaction ids are sequential. Spending the code and writing the ballot in one
  transaction gave both rows the same xmin. Now the transaction that spends the code writes
  the ballot into the survey's *pool* (`PooledBallot`), and the ballot box (`Ballot`,
  `BallotRating`) is written only by *filing* transactions that spend no code: once a pool
  holds 2 × BALLOT_BATCH ballots, all but BALLOT_BATCH of them, chosen at random, are filed
  in shuffled order by one transaction, and closing a survey files the rest. So every filed
  ballot shares its xmin (and its neighbourhood of xids) with at least BALLOT_BATCH others
  (with every ballot of the survey when fewer than 2 × BALLOT_BATCH were cast), and a batch
  mixes ballots spent over a longer stretch than the batch itself.
* The order: insertion order (heap position, SQLite rowid) follows the shuffle within a batch;
  between batches it says only which batch.

One code, one vote, under concurrency: the conditional UPDATE spends a code once, and the
pooled ballot is written in that same transaction (both or neither). A pooled row is locked,
copied into the ballot box and deleted in one transaction, so it is filed exactly once;
concurrent filers skip each other's rows. On PostgreSQL the spend share-locks the survey row,
so closing a survey (FOR UPDATE, then filing the whole pool) waits for ballots on their way in,
and computing results files anything still pooled.

What remains (limits):
* While a ballot waits in the pool (at most 2 × BALLOT_BATCH − 1 per survey) its row shares
  the spent code's xmin; someone reading the live tables during the vote can match those.
* A deleted pool row stays on disk as a dead tuple until (auto)vacuum reclaims it (the pool
  table is set to be vacuumed eagerly on PostgreSQL), and WAL archives, replicas and backups
  taken during the vote hold the history; they are to be guarded like the database itself.
* Someone watching the database while votes arrive sees codes being spent as they happen;
  nothing stored afterwards adds to that, but the design cannot prevent it.
* `vote_cast` must run outside any transaction, as the vote page and the API call it: inside
  an outer atomic block the spend and the filing would be one transaction again.
* The web server's access log (time, address) is outside the database; do not log request
  bodies or the ?c= code of /appraisal/vote/.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.appraisal.models import (
    Ballot,
    BallotRating,
    HouseholdCode,
    PooledBallot,
    Rating,
    Survey,
    SurveyStatus,
    SurveyWorker,
)
from shegong.appraisal.services.code_hash import hash_code

# The throttle is core/codes.py's, shared with every one-time code of the site; its limits and
# code_guarded stay named here for the callers that knew them here.
from shegong.core.codes import FAILURE_LIMIT as FAILURE_LIMIT
from shegong.core.codes import FAILURE_WINDOW_SECONDS as FAILURE_WINDOW_SECONDS
from shegong.core.codes import CodeRefused, CodeThrottled, code_is_throttled
from shegong.core.codes import code_guarded as code_guarded

logger = logging.getLogger(__name__)
T = TypeVar("T")

BALLOT_BATCH = getattr(settings, "APPRAISAL_BALLOT_BATCH", 10)
SKIP = "skip"  # 不了解: the resident leaves that worker unrated


class VoteRefused(CodeRefused):
    """A code or ballot refused; `counts` when it is a wrong or replayed code (throttled)."""


VoteThrottled = CodeThrottled


def vote_is_throttled(*, address: str) -> bool:
    """Whether `address` has had FAILURE_LIMIT distinct codes refused in the window (any
    one-time code of the site: core/codes.py)."""
    return code_is_throttled(address=address)


def _refusal(code_hash: str) -> VoteRefused:
    """Why an unspendable code was refused: unknown or used codes count toward the throttle."""
    row = (
        HouseholdCode.objects.filter(code_hash=code_hash)
        .values("spent", "voided", "survey__status")
        .first()
    )
    if row is None or row["voided"]:
        return VoteRefused(_("评议码无效,请核对通知单上的评议码"), counts=True)
    if row["spent"]:
        return VoteRefused(_("该评议码已经使用过,每户只能投一次票"), counts=True)
    if row["survey__status"] == SurveyStatus.DRAFT:
        return VoteRefused(_("评议尚未开始,请在通知的时间内投票"))
    return VoteRefused(_("评议已经结束,不再接受投票"))


def _guarded(address: str, code: str, work: Callable[[], T]) -> T:
    """Run `work` unless the address is locked out; a refusal that counts is remembered."""
    return code_guarded(address, code, work)


def vote_check(*, code: str, address: str) -> Survey:
    """The open survey a code may vote in (nothing is spent); refused codes are throttled."""

    def work() -> Survey:
        code_hash = hash_code(code)
        found = (
            HouseholdCode.objects.filter(
                code_hash=code_hash, spent=False, voided=False, survey__status=SurveyStatus.OPEN
            )
            .select_related("survey__community", "survey__cycle__scheme")
            .first()
        )
        if found is None:
            raise _refusal(code_hash)
        return found.survey

    return _guarded(address, code, work)


def survey_for_code(*, code: str, address: str) -> Survey:
    """The survey a household code belongs to, spent or not (for its results page)."""

    def work() -> Survey:
        found = (
            HouseholdCode.objects.filter(code_hash=hash_code(code), voided=False)
            .select_related("survey__community", "survey__cycle__scheme")
            .first()
        )
        if found is None:
            raise VoteRefused(_("评议码无效,请核对通知单上的评议码"), counts=True)
        return found.survey

    return _guarded(address, code, work)


# The guard and the throttle in one statement: the code is spent only if it is unspent, not
# voided, its survey is open and the address is not locked out. Returning the survey's opening
# time lets the (immutable once open) ballot be cached per process.
_SPEND_SQL = (
    "UPDATE appraisal_householdcode SET spent = %s "
    "WHERE code_hash = %s AND spent = %s AND voided = %s "
    "AND survey_id IN (SELECT id FROM appraisal_survey WHERE status = %s) "
    "RETURNING survey_id, category"
)
# On PostgreSQL the code's survey row is share-locked while the code is spent, so closing the
# survey (which locks it FOR UPDATE and files the whole pool) waits for ballots on their way
# into the pool, and a code spent after that finds the survey closed.
_SURVEY_OPEN_LOCKED = (
    "AND EXISTS (SELECT 1 FROM appraisal_survey s WHERE s.id = appraisal_householdcode.survey_id "
    "AND s.status = %s FOR KEY SHARE) "
)
_SURVEY_OPEN = "AND survey_id IN (SELECT id FROM appraisal_survey WHERE status = %s) "


def _spend_sql() -> str:
    survey_open = _SURVEY_OPEN_LOCKED if connection.vendor == "postgresql" else _SURVEY_OPEN
    return (
        "UPDATE appraisal_householdcode SET spent = %s "
        "WHERE code_hash = %s AND spent = %s AND voided = %s "
        f"{survey_open}"
        "AND (SELECT COUNT(DISTINCT code_key) FROM core_codefailure "
        "WHERE address = %s AND at >= %s) < %s "
        "RETURNING survey_id, category, "
        "(SELECT opened_at FROM appraisal_survey WHERE appraisal_survey.id = survey_id)"
    )


_BALLOTS: dict[tuple[int, Any], frozenset[int]] = {}
_SHUFFLE = secrets.SystemRandom()


def _ballot_of(survey_id: int, opened_at: Any) -> frozenset[int]:
    """The workers on an open survey's ballot. It is written when the survey opens and never
    changes after, so it is kept per process, keyed by the survey and its opening time."""
    key = (survey_id, opened_at)
    found = _BALLOTS.get(key)
    if found is None:
        found = frozenset(
            SurveyWorker.objects.filter(survey_id=survey_id).values_list("worker_id", flat=True)
        )
        if len(_BALLOTS) > 10_000:
            _BALLOTS.clear()
        _BALLOTS[key] = found
    return found


def file_pool(survey_id: int, *, leave: int) -> int:
    """File the survey's pooled ballots into the ballot box in one transaction and in random
    order, leaving `leave` of them, chosen at random, in the pool. Returns how many were filed.

    Each pooled row is locked, copied and deleted in one transaction, so a ballot is filed
    exactly once; concurrent filers skip each other's rows (a closing survey waits for them).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The survey first, as closing takes it: the survey, then the pool (no deadlock).
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM appraisal_survey WHERE id = %s FOR KEY SHARE", [survey_id]
                )
        pooled = list(
            PooledBallot.objects.select_for_update(skip_locked=leave > 0)
            .filter(survey_id=survey_id)
            .values_list("id", "category", "ratings")
        )
        count = len(pooled) - leave
        if count <= 0:
            return 0
        _SHUFFLE.shuffle(pooled)
        chosen = pooled[:count]
        ballots = [Ballot(survey_id=survey_id, category=category) for _pk, category, _r in chosen]
        Ballot.objects.bulk_create(ballots)
        BallotRating.objects.bulk_create(
            BallotRating(ballot=ballot, survey_id=survey_id, worker_id=int(worker), rating=rating)
            for ballot, (_pk, _c, ratings) in zip(ballots, chosen, strict=True)
            for worker, rating in ratings.items()
        )
        PooledBallot.objects.filter(id__in=[pk for pk, _c, _r in chosen]).delete()
    return count


def vote_cast(*, code: str, ratings: Mapping[int, str], address: str) -> int:
    """Spend the code and pool the ballot, both or neither; returns the survey's id.

    The conditional UPDATE … WHERE spent = false is the guard: of two requests with the same
    code, the database lets exactly one update the row; the other sees no row and is refused.
    The pooled ballot is written by the same transaction, so a spent code always has its
    ballot. Filing from the pool into the ballot box is another transaction (see the module
    docstring): once the pool holds 2 × BALLOT_BATCH ballots, all but a random BALLOT_BATCH
    of them are filed in shuffled order.
    """
    code_hash = hash_code(code)
    since = timezone.now() - datetime.timedelta(seconds=FAILURE_WINDOW_SECONDS)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    _spend_sql(),
                    [
                        True,
                        code_hash,
                        False,
                        False,
                        SurveyStatus.OPEN,
                        address,
                        since,
                        FAILURE_LIMIT,
                    ],
                )
                row = cursor.fetchone()
            if row is None:
                raise _NotSpent
            survey_id, category, opened_at = row
            chosen = _clean_ballot(ratings, set(_ballot_of(survey_id, opened_at)))
            PooledBallot.objects.create(
                survey_id=survey_id,
                category=category,
                ratings={str(w): r for w, r in chosen.items()},
            )
    except _NotSpent:
        pass
    else:
        # The vote is recorded; filing is housekeeping that the next vote or the closing of
        # the survey redoes, so a failure here must not tell the resident their vote failed.
        try:
            if PooledBallot.objects.filter(survey_id=survey_id).count() >= 2 * BALLOT_BATCH:
                file_pool(survey_id, leave=BALLOT_BATCH)
        except DatabaseError:
            logger.exception("filing pooled ballots of survey %s failed", survey_id)
        return int(survey_id)

    # Refused: say why, and count a wrong or used code against the address.
    def refuse() -> int:
        raise _refusal(code_hash)

    return _guarded(address, code, refuse)


class _NotSpent(Exception):
    pass


def _clean_ballot(ratings: Mapping[int, str], ballot: set[int]) -> dict[int, str]:
    if set(ratings) != ballot:
        raise VoteRefused(_("请对名单上的每一位社区工作者作出评价"))
    allowed = {*Rating.values, SKIP}
    if any(r not in allowed for r in ratings.values()):
        raise VoteRefused(_("评价只能选择满意、基本满意、不满意或不了解"))
    chosen = {w: r for w, r in ratings.items() if r != SKIP}
    if not chosen:
        raise VoteRefused(_("请至少评价一位社区工作者"))
    return chosen

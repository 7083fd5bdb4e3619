"""The one page flow of every import: upload → check (within the request, or by a job when the
file is large) → preview → confirm → apply (within the request, or by a job when the file has
many rows). An area plugs in an `ImportKind`: its aliases, plan and apply functions, labels,
template and pages; its views are one line each.

The upload is the caller's own: kept under a fresh name (core/uploads.py) that only their
session holds, read once, its rows kept signed beside it for the preview, the marked error
sheet, the confirm and the jobs, and deleted with everything kept for it when the import ends
(or, abandoned, by the sweep). The plan is checked again at the confirm: the data may have
moved on since the preview."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, get_resolver, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core import uploads
from shegong.core.access import Permission, has_permission
from shegong.core.errors import RowError, ServiceError
from shegong.core.imports.plan import ImportPlan, PreviewRow
from shegong.core.imports.workbook import XLSX, errors_workbook
from shegong.core.sheets import SheetError, SheetTable

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.core.types import AuthedRequest
    from shegong.orgs.forms import SheetUploadForm
    from shegong.tasks.models import Job
    from shegong.tasks.runner import Progress

# The errors listed on the page; the marked sheet holds them all.
SHOWN_ERRORS = 500

# plan(table, acting_user, context, progress) -> ImportPlan
PlanFunction = Callable[[SheetTable, "User", dict[str, Any], Any], ImportPlan]
# apply(plan, acting_user, progress) -> the success message
ApplyFunction = Callable[[Any, "User", Any], str]
# A module-level job function (job, progress) -> message: the worker imports it by name.
WorkFunction = Callable[["Job", "Progress"], str]


# Every declared import by name: the console command (`shegong import NAME FILE`) runs the same
# plan and apply as the pages.
KINDS: dict[str, ImportKind] = {}


@dataclass(frozen=True)
class ImportKind:
    """What an area gives the flow. `context` is the area's own plain values an import needs
    (e.g. the course a sign-in sheet is for), kept with the upload."""

    name: str  # session keys and job kinds: "<name>_import_file", "<name>_check" …
    aliases: Mapping[str, str]
    plan: PlanFunction
    apply: ApplyFunction
    labels: Mapping[str, str]  # column key → header, for the marked error sheet
    template: str
    page_url: Callable[[dict[str, Any]], str]
    done_url: Callable[[dict[str, Any]], str]
    # The template's own context for an import's context (may raise Http404: out of scope).
    extra: Callable[[AuthedRequest, dict[str, Any]], dict[str, Any]] = lambda _r, _c: {}
    # The url names of the pages `routes` gives the import: "<namespace>:<prefix>" + "errors",
    # "confirm", "progress", "progress-json".
    urls: str = ""
    done_label: Any = ""  # a (lazy) translated label
    # Read at each upload (settings or a test may change them): a file larger than this is
    # checked by a job, a sheet of more rows than this is applied by a job.
    inline_check_bytes: Callable[[], int] = lambda: 256 * 1024
    background_rows: Callable[[], int] = lambda: 2000

    def __post_init__(self) -> None:
        KINDS[self.name] = self

    @property
    def session_file(self) -> str:
        return f"{self.name}_import_file"

    @property
    def check_kind(self) -> str:
        return f"{self.name}_check"

    @property
    def job_kind(self) -> str:
        return f"{self.name}_import"

    @property
    def progress_url(self) -> str:
        return f"{self.urls}progress"

    @property
    def progress_json_url(self) -> str:
        return f"{self.urls}progress-json"


@dataclass
class CheckSummary:
    """What the check of an upload found, kept beside it (`.check.json`) for the preview,
    the marked error sheet and the confirm."""

    filename: str
    rows: int
    creates: int
    updates: int
    unchanged: int
    errors: list[RowError]
    error_rows: int
    notes: list[str]
    sheet: str
    notices: list[str] = field(default_factory=list)
    preview_creates: list[PreviewRow] = field(default_factory=list)
    preview_updates: list[PreviewRow] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:SHOWN_ERRORS]

    @classmethod
    def of(cls, plan: ImportPlan, table: SheetTable, filename: str) -> CheckSummary:
        return cls(
            filename=filename,
            rows=len(table.rows),
            creates=plan.creates,
            updates=plan.updates,
            unchanged=plan.unchanged,
            errors=plan.errors,
            error_rows=plan.error_rows,
            notes=[*table.notes, *plan.notes],
            sheet=table.sheet_name,
            notices=[str(notice) for notice in plan.notices],
            preview_creates=plan.preview_creates,
            preview_updates=plan.preview_updates,
            figures=plan.figures(),
        )

    def save(self, name: str) -> None:
        data = asdict(self)
        data["errors"] = [[e.row, e.column, e.value, e.reason] for e in self.errors]
        uploads.side_save(name, ".check.json", data)

    @classmethod
    def load(cls, name: str) -> CheckSummary | None:
        data = uploads.side_load(name, ".check.json")
        if data is None:
            return None
        data["errors"] = [RowError(*e) for e in data["errors"]]
        for key in ("preview_creates", "preview_updates"):
            data[key] = [PreviewRow(**p) for p in data[key]]
        return cls(**data)


# ---------------------------------------------------------------- the kept upload


@dataclass
class KeptUpload:
    """The caller's upload as their session holds it."""

    file: str
    filename: str
    context: dict[str, Any]


def _kept(request: AuthedRequest, kind: ImportKind) -> KeptUpload | None:
    name = request.session.get(kind.session_file)
    if not isinstance(name, str):
        return None
    meta = request.session.get(f"{kind.name}_import_meta") or {}
    return KeptUpload(name, str(meta.get("filename") or ""), dict(meta.get("context") or {}))


def _keep(request: AuthedRequest, kind: ImportKind, kept: KeptUpload) -> None:
    request.session[kind.session_file] = kept.file
    request.session[f"{kind.name}_import_meta"] = {
        "filename": kept.filename,
        "context": kept.context,
    }


def _forget(request: AuthedRequest, kind: ImportKind, *, discard: bool = True) -> None:
    name = request.session.pop(kind.session_file, None)
    request.session.pop(f"{kind.name}_import_meta", None)
    if discard:
        uploads.upload_discard(name)


# ---------------------------------------------------------------- checking and applying


def _check(
    kind: ImportKind, kept: KeptUpload, user: User, options: dict[str, Any], progress: Any
) -> str:
    """Read the upload once, keep its rows, check every row, keep the summary."""
    if progress is not None:
        progress.phase(_("正在读取表格"), total=None)
    table = uploads.upload_read(kept.file, kind.aliases, options)
    if progress is not None:
        progress.phase(_("正在校验"), total=len(table.rows))
    plan = kind.plan(table, user, kept.context, progress)
    CheckSummary.of(plan, table, kept.filename).save(kept.file)
    if plan.ok:
        return _("校验通过:共%(n)d行,请查看预览后确认导入") % {"n": len(table.rows)}
    return _("校验完成:发现%(n)d处错误,请查看校验结果") % {"n": len(plan.errors)}


def _job_upload(job: Job) -> KeptUpload:
    options = uploads.side_load(job.result_file, ".options.json") or {}
    return KeptUpload(
        job.result_file, str(options.get("filename") or ""), dict(options.get("context") or {})
    )


def run_check(kind: ImportKind, job: Job, progress: Progress) -> str:
    """A check job (job.result_file names the upload; the reading options, the original file
    name and the context are kept beside it)."""
    options = uploads.side_load(job.result_file, ".options.json") or {}
    return _check(kind, _job_upload(job), job.owner, options, progress)


def run_apply(kind: ImportKind, job: Job, progress: Progress) -> str:
    """An apply job: the rows kept at the check are checked again against today's data and
    written all or nothing; the upload goes whatever the outcome."""
    kept = _job_upload(job)
    try:
        table = uploads.rows_load(kept.file)
        if table is None:
            raise ServiceError(_("上传的文件已失效,请重新上传"))
        progress.phase(_("正在校验"), total=len(table.rows))
        plan = kind.plan(table, job.owner, kept.context, progress)
        if not plan.ok:
            raise ServiceError(
                _("文件有%(n)d处错误,未导入任何数据,请重新上传校验") % {"n": len(plan.errors)}
            )
        progress.phase(_("正在写入"), total=plan.creates + plan.updates)
        return kind.apply(plan, job.owner, progress)
    finally:
        uploads.upload_discard(kept.file)


def _kind_of(job: Job, suffix: str) -> ImportKind:
    """The import a job runs, by its kind ("<name>_check", "<name>_import"); loading the
    urls declares every import in a worker process that has not loaded a page yet."""
    get_resolver().url_patterns  # noqa: B018
    return KINDS[job.kind.removesuffix(suffix)]


def check_job(job: Job, progress: Progress) -> str:
    """The work of every check job (the worker imports it by name)."""
    return run_check(_kind_of(job, "_check"), job, progress)


def apply_job(job: Job, progress: Progress) -> str:
    """The work of every apply job."""
    return run_apply(_kind_of(job, "_import"), job, progress)


def _start_job(
    request: AuthedRequest,
    kind: ImportKind,
    kept: KeptUpload,
    *,
    job_kind: str,
    work: WorkFunction,
    total: int,
    options: dict[str, Any],
) -> HttpResponse:
    from shegong.tasks import services as task_services

    uploads.side_save(
        kept.file, ".options.json", {**options, "filename": kept.filename, "context": kept.context}
    )
    job = task_services.job_start(
        kind=job_kind,
        unit_path="",
        total=total,
        message=_("排队中"),
        work=work,
        acting_user=request.user,
        input_file=kept.file,
    )
    request.session[f"{kind.name}_import_job"] = {"id": job.pk, "context": kept.context}
    return redirect(kind.progress_url)


# ---------------------------------------------------------------- the pages


def require_import(request: AuthedRequest) -> None:
    if not has_permission(request.user, Permission.IMPORT):
        raise Http404


def _render(
    request: AuthedRequest,
    kind: ImportKind,
    form: SheetUploadForm,
    summary: CheckSummary | None,
    context: dict[str, Any],
) -> HttpResponse:
    page: dict[str, Any] = {"form": form, "threshold": kind.background_rows()}
    page.update(kind.extra(request, context))
    if summary is not None:
        page.update(
            {
                "plan": summary,
                "filename": summary.filename,
                "shown_errors": summary.shown_errors,
                "notes": summary.notes,
                "background": summary.rows > kind.background_rows(),
            }
        )
    return render(request, kind.template, page)


def page(
    request: AuthedRequest, kind: ImportKind, context: dict[str, Any] | None = None
) -> HttpResponse:
    """Upload a sheet; a small file is checked at once, a large one by a job whose progress the
    page shows. Either way the preview says what would change; nothing is written."""
    from shegong.orgs.forms import SheetUploadForm

    require_import(request)
    context = context or {}
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        # Back from a check job: its summary.
        kept = _kept(request, kind)
        summary = None
        if request.GET.get("checked") and kept is not None and kept.context == context:
            summary = CheckSummary.load(kept.file)
        return _render(request, kind, form, summary, context)
    if not form.is_valid():
        return _render(request, kind, form, None, context)
    file = form.cleaned_data["file"]
    _forget(request, kind)
    try:
        kept = KeptUpload(uploads.upload_keep(file), str(file.name), context)
    except SheetError as exc:
        form.add_error("file", str(exc))
        return _render(request, kind, form, None, context)
    _keep(request, kind, kept)
    options = form.read_options()
    if file.size > kind.inline_check_bytes():
        return _start_job(
            request, kind, kept, job_kind=kind.check_kind, work=check_job, total=0,
            options=options,
        )  # fmt: skip
    try:
        _check(kind, kept, request.user, options, None)
    except SheetError as exc:
        _forget(request, kind, discard=False)  # upload_read deleted it already
        form.add_error("file", str(exc))
        return _render(request, kind, form, None, context)
    return _render(request, kind, form, CheckSummary.load(kept.file), context)


def error_sheet(request: AuthedRequest, kind: ImportKind) -> HttpResponse:
    """The caller's last upload with the bad cells highlighted and a 错误说明 column."""
    require_import(request)
    kept = _kept(request, kind)
    table = uploads.rows_load(kept.file) if kept else None
    summary = CheckSummary.load(kept.file) if kept else None
    if kept is None or table is None or summary is None:
        raise Http404
    content = errors_workbook(
        rows=table.rows, columns=table.columns, errors=summary.errors, labels=kind.labels
    )
    response = HttpResponse(content, content_type=XLSX)
    stem = Path(kept.filename or _("导入")).stem
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{stem}_错误标注.xlsx") or "attachment"
    )
    return response


def confirm(request: AuthedRequest, kind: ImportKind) -> HttpResponse:
    """Check the kept rows again and write them all or nothing (by a job when there are many)."""
    from shegong.orgs.forms import SheetUploadForm

    require_import(request)
    kept = _kept(request, kind)
    table = uploads.rows_load(kept.file) if kept else None
    if kept is None or table is None:
        messages.error(request, _("上传的文件已失效,请重新上传"))
        return redirect(kind.page_url(kept.context if kept else {}))
    kind.extra(request, kept.context)  # still in scope (404 otherwise)
    if len(table.rows) > kind.background_rows():
        _forget(request, kind, discard=False)  # the job owns the upload now
        return _start_job(
            request, kind, kept, job_kind=kind.job_kind, work=apply_job,
            total=len(table.rows), options={},
        )  # fmt: skip
    # Checked again: the data may have changed since the preview.
    plan = kind.plan(table, request.user, kept.context, None)
    if not plan.ok:
        summary = CheckSummary.of(plan, table, kept.filename)
        summary.save(kept.file)
        return _render(request, kind, SheetUploadForm(), summary, kept.context)
    try:
        message = kind.apply(plan, request.user, None)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(kind.page_url(kept.context))
    _forget(request, kind)
    messages.success(request, message)
    return redirect(kind.done_url(kept.context))


def _own_job(request: AuthedRequest, kind: ImportKind) -> tuple[Job, dict[str, Any]]:
    """The caller's last job of this import (404 for anyone else's) and its context."""
    from shegong.tasks import selectors as task_selectors

    kept = request.session.get(f"{kind.name}_import_job")
    if not isinstance(kept, dict) or not isinstance(kept.get("id"), int):
        raise Http404
    job = task_selectors.job_get(viewer=request.user, pk=kept["id"])
    if job.kind not in {kind.check_kind, kind.job_kind}:
        raise Http404
    return job, dict(kept.get("context") or {})


def progress(request: AuthedRequest, kind: ImportKind) -> HttpResponse:
    from shegong.tasks import runner

    require_import(request)
    job, context = _own_job(request, kind)
    page = {
        "state": runner.job_state(job),
        "check": job.kind == kind.check_kind,
        "poll_url": kind.progress_json_url,
        "page_url": kind.page_url(context),
        "done_url": kind.done_url(context),
        "done_label": kind.done_label,
    }
    return render(request, "imports/progress.html", page)


def progress_json(request: AuthedRequest, kind: ImportKind) -> JsonResponse:
    from shegong.tasks import runner

    require_import(request)
    return JsonResponse(runner.job_state(_own_job(request, kind)[0]))


# ---------------------------------------------------------------- routes and the console


def routes(kind: ImportKind, *, at: str) -> list[URLPattern]:
    """The four pages every import has besides its upload page (the marked error sheet, the
    confirm, the job's progress and its JSON), mounted at `at`, named as `kind.urls` says."""
    name = kind.urls.partition(":")[2]

    @login_required
    def errors_view(request: AuthedRequest) -> HttpResponse:
        return error_sheet(request, kind)

    @login_required
    @require_POST
    def confirm_view(request: AuthedRequest) -> HttpResponse:
        return confirm(request, kind)

    @login_required
    def progress_view(request: AuthedRequest) -> HttpResponse:
        return progress(request, kind)

    @login_required
    def progress_json_view(request: AuthedRequest) -> JsonResponse:
        return progress_json(request, kind)

    return [
        path(f"{at}errors.xlsx", errors_view, name=f"{name}errors"),
        path(f"{at}confirm/", confirm_view, name=f"{name}confirm"),
        path(f"{at}progress/", progress_view, name=f"{name}progress"),
        path(f"{at}progress.json", progress_json_view, name=f"{name}progress-json"),
    ]


@dataclass
class ConsoleOutcome:
    """What `shegong import` prints: the check's summary, and the apply's message if written."""

    summary: CheckSummary
    message: str = ""


def run_on_console(
    kind: ImportKind,
    *,
    table: SheetTable,
    filename: str,
    user: User,
    context: dict[str, Any],
    dry_run: bool,
) -> ConsoleOutcome:
    """The page flow without the pages: the same plan, all or nothing, the same apply."""
    plan = kind.plan(table, user, context, None)
    outcome = ConsoleOutcome(CheckSummary.of(plan, table, filename))
    if plan.ok and not dry_run:
        outcome.message = kind.apply(plan, user, None)
    return outcome

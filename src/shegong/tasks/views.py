from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shegong.core.errors import ServiceError
from shegong.core.types import AuthedRequest
from shegong.tasks import selectors, services
from shegong.tasks.models import Job


def _job(request: AuthedRequest, pk: int) -> Job:
    job = selectors.job_get(viewer=request.user, pk=pk)
    return services.job_expire_if_stale(job=job)


@login_required
def job_list(request: AuthedRequest) -> HttpResponse:
    jobs = [
        services.job_expire_if_stale(job=job) for job in selectors.job_list(viewer=request.user)
    ]
    return render(request, "tasks/list.html", {"jobs": jobs})


@login_required
def job_page(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "tasks/job.html",
        {
            "job": job,
            "state": selectors.job_state(job=job),
            "has_file": selectors.job_result_path(job=job) is not None,
            # Came from the page that started it: the file downloads by itself when ready.
            "autostart": request.GET.get("download") == "1",
        },
    )


@login_required
def job_state(request: AuthedRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    state = selectors.job_state(job=job)
    state["has_file"] = selectors.job_result_path(job=job) is not None
    return JsonResponse(state)


@login_required
@require_POST
def job_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.job_cancel(job=job, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("tasks:job", pk=job.pk)


@login_required
@require_POST
def job_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.job_retry(job=job, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("tasks:job", pk=job.pk)


@login_required
def job_file(request: AuthedRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    path = selectors.job_result_path(job=job)
    if path is None:
        raise Http404
    name = path.name.split("-", 1)[1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )

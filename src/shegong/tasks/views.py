from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from shegong.core.types import AuthedRequest
from shegong.tasks import runner, selectors


@login_required
def job_page(request: AuthedRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(viewer=request.user, pk=pk)
    state = runner.job_state(job)
    return render(
        request,
        "tasks/job.html",
        {"job": job, "state": state, "has_file": selectors.job_result_path(job=job) is not None},
    )


@login_required
def job_state(request: AuthedRequest, pk: int) -> JsonResponse:
    job = selectors.job_get(viewer=request.user, pk=pk)
    state = runner.job_state(job)
    state["has_file"] = selectors.job_result_path(job=job) is not None
    return JsonResponse(state)


@login_required
def job_file(request: AuthedRequest, pk: int) -> FileResponse:
    job = selectors.job_get(viewer=request.user, pk=pk)
    path = selectors.job_result_path(job=job)
    if path is None:
        raise Http404
    name = path.name.split("-", 1)[1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )

"""The volunteer certificate's download (rendered here: the CJK PDF font lives in reports)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from shegong.core.disclosures import disclosure_record
from shegong.core.types import AuthedRequest
from shegong.reports.certificates import render_certificate
from shegong.resources import selectors


@login_required
def volunteer_certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = selectors.certificate_get(viewer=request.user, pk=pk)
    data = selectors.certificate_text(viewer=request.user, certificate=certificate)
    content = render_certificate(data)
    if data["unmasked"]:
        disclosure_record(
            acting_user=request.user,
            target=certificate.volunteer,
            unit_path=certificate.issuer.path,
            note=_("志愿服务证明%(number)s") % {"number": certificate.number},
        )
    response = HttpResponse(content, content_type="application/pdf")
    name = f"志愿服务证明-{certificate.number}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response

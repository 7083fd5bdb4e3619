"""The volunteer's service certificate: numbered, the period's confirmed hours, a PDF read back."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.resources import services
from shegong.resources.tests.factories import DAY, make_activity, make_volunteer


def test_a_certificate_has_a_number_the_hours_and_prints_them(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    volunteer = make_volunteer(tree.community_a1, manager)
    activity = make_activity(tree.community_a1, manager)
    services.hours_enter(volunteer=volunteer, activity=activity, hours="3.5", acting_user=manager)
    client = client_for(manager)
    answer = client.post(
        reverse("resources:certificate-issue", kwargs={"pk": volunteer.pk}),
        {"first": str(DAY), "last": str(DAY)},
        follow=True,
    )
    assert answer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    number = tree.community_a1.code
    assert "志愿服务证明" in text and "王秀英" in text and "3.5" in text
    assert "11010519491231002X" in text and "敬老院志愿服务" in text and number in text
    second = services.certificate_issue(
        volunteer=volunteer, first=DAY, last=DAY, acting_user=manager
    )
    assert second.number.endswith("00002")
    clerk_pdf = client_for(personas.community_a1_clerk).get(
        reverse("reports:volunteer-certificate", kwargs={"pk": second.pk})
    )
    clerk_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(clerk_pdf.content)).pages)
    assert "11010519491231002X" not in clerk_text and "002X" in clerk_text


def test_no_certificate_without_confirmed_hours(tree: Tree, personas: Personas) -> None:
    volunteer = make_volunteer(tree.community_a1, personas.street_a_manager)
    with pytest.raises(ServiceError, match="没有已确认的服务时长"):
        services.certificate_issue(
            volunteer=volunteer, first=DAY, last=DAY, acting_user=personas.street_a_manager
        )

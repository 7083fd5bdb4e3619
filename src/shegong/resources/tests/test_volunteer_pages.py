"""The volunteers' pages: self-report through the personal link, bulk confirmation, the
ranking and the national export read back."""

from __future__ import annotations

import datetime
import io

import openpyxl
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import Personas, Tree, client_for
from shegong.core.codes import FAILURE_LIMIT, failure_key
from shegong.core.models import AuditAction, AuditEntry, CodeFailure
from shegong.resources import services
from shegong.resources.models import RecordStatus, ServiceRecord
from shegong.resources.tests.factories import DAY, make_activity, make_volunteer


def test_a_volunteer_reports_hours_by_link_and_the_clerk_confirms_them(
    tree: Tree, personas: Personas
) -> None:
    clerk = personas.community_a1_clerk
    volunteer = make_volunteer(tree.community_a1, clerk)
    recent = timezone.localdate() - datetime.timedelta(days=3)
    activity = make_activity(tree.community_a1, clerk, day=recent)
    key = services.volunteer_link_issue(volunteer=volunteer, acting_user=clerk)
    url = reverse("resources:self-report", kwargs={"key": key})
    public = Client()
    page = public.get(url).content.decode()
    assert "王秀英" in page and "敬老院志愿服务" in page
    assert (
        public.post(
            url, {"activity": activity.pk, "hours": "3", "content": "陪老人聊天"}
        ).status_code
        == 302
    )
    assert public.get(reverse("resources:self-report", kwargs={"key": "nope"})).status_code == 404
    record = ServiceRecord.objects.get()
    assert record.status == RecordStatus.PENDING and record.source == "self"
    staff = client_for(clerk)
    listed = staff.get(reverse("resources:activities"), {"year": recent.year}).content.decode()
    assert "待确认的志愿者申报" in listed
    staff.post(reverse("resources:hours-decide"), {"record": [record.pk], "action": "confirm"})
    record.refresh_from_db()
    assert record.status == RecordStatus.CONFIRMED
    ranking = staff.get(
        reverse("resources:volunteers"),
        {"unit": tree.community_a1.code, "first": str(recent), "last": str(recent)},
    ).content.decode()
    assert "王秀英" in ranking and ">3.0<" in ranking


def test_guessing_personal_links_is_throttled_like_the_residents_vote(
    tree: Tree, personas: Personas
) -> None:
    clerk = personas.community_a1_clerk
    key = services.volunteer_link_issue(
        volunteer=make_volunteer(tree.community_a1, clerk), acting_user=clerk
    )
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(FAILURE_LIMIT):
        guess = reverse("resources:self-report", kwargs={"key": f"guess{n:04d}"})
        assert guesser.get(guess).status_code == 404
    # Even the right key waits now, and the page names no one.
    right = reverse("resources:self-report", kwargs={"key": key})
    locked = guesser.get(right)
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.content.decode() and "王秀英" not in locked.content.decode()
    assert guesser.post(right, {"hours": "3"}).status_code == 429
    assert ServiceRecord.objects.count() == 0
    # One client's guesses lock out that client only; what is kept is a keyed hash, no key.
    assert "王秀英" in Client(REMOTE_ADDR="198.51.100.4").get(right).content.decode()
    assert CodeFailure.objects.filter(address="203.0.113.9").count() == FAILURE_LIMIT
    assert CodeFailure.objects.filter(code_key=failure_key("guess0000")).exists()


def test_the_national_export_is_for_the_personal_data_right_and_audited(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    volunteer = make_volunteer(tree.community_a1, manager)
    activity = make_activity(tree.community_a1, manager)
    services.hours_enter(volunteer=volunteer, activity=activity, hours="2", acting_user=manager)
    query = {"unit": tree.community_a1.code, "first": str(DAY), "last": str(DAY)}
    refused = client_for(personas.community_a1_clerk).get(
        reverse("resources:volunteers-export"), query
    )
    assert refused.status_code == 302
    answer = client_for(manager).get(reverse("resources:volunteers-export"), query)
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "证件类型", "证件号码")
    assert rows[1][:3] == ("王秀英", "居民身份证", "11010519491231002X")
    assert AuditEntry.objects.filter(
        action=AuditAction.DISCLOSE, note__startswith="导出志愿服务记录1条"
    ).exists()


def test_a_clerk_sees_a_volunteers_id_number_masked(tree: Tree, personas: Personas) -> None:
    volunteer = make_volunteer(tree.community_a1, personas.street_a_manager)
    url = reverse("resources:volunteer", kwargs={"pk": volunteer.pk})
    clerk_page = client_for(personas.community_a1_clerk).get(url).content.decode()
    assert "110***********002X" in clerk_page and "11010519491231002X" not in clerk_page
    manager_page = client_for(personas.street_a_manager).get(url).content.decode()
    assert "11010519491231002X" in manager_page

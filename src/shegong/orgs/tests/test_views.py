from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.orgs.models import CommunityProfile, Unit


def test_a_clerk_edits_their_community_profile(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.community_a1_clerk)
    url = reverse("orgs:profile-edit", kwargs={"code": tree.community_a1.code})
    response = client.post(
        url,
        {
            "households": 1800,
            "residents": 4200,
            "area_type": "urban",
            "office_area": "260",
            "activity_area": "400",
            "premises": "rented",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("orgs:unit", kwargs={"code": tree.community_a1.code}))
    assert "1,800" in page.content.decode()
    assert CommunityProfile.objects.get(unit=tree.community_a1).premises == "rented"


def test_a_negative_count_is_refused_in_chinese(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.community_a1_clerk)
    url = reverse("orgs:profile-edit", kwargs={"code": tree.community_a1.code})
    response = client.post(
        url,
        {
            "households": -1,
            "residents": 4200,
            "area_type": "urban",
            "office_area": "260",
            "activity_area": "400",
            "premises": "rented",
        },
    )
    assert response.status_code == 200
    assert "确保该值大于或等于0" in response.content.decode()


def test_a_street_page_sums_its_communities(tree: Tree, personas: Personas) -> None:
    page = (
        client_for(personas.district_admin)
        .get(reverse("orgs:unit", kwargs={"code": tree.district.code}))
        .content.decode()
    )
    assert "街道甲" in page and "街道乙" in page
    assert "6,200" in page  # two communities of 3,100 residents in street A


def test_the_import_page_previews_then_writes_on_confirm(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    sheet = "代码,名称,层级,上级代码\n110101001005,甲五社区,社区,110101001000\n".encode()
    response = client.post(
        reverse("orgs:import"), {"file": SimpleUploadedFile("t.csv", sheet, "text/csv")}
    )
    assert '<dd id="creates">1</dd>' in response.content.decode()
    assert not Unit.objects.filter(code="110101001005").exists()
    response = client.post(reverse("orgs:import-confirm"))
    assert response.status_code == 302
    assert Unit.objects.get(code="110101001005").parent == tree.street_a


def test_the_import_page_lists_errors_with_row_and_column(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    sheet = "代码,名称,层级,上级代码\n1101,甲五社区,社区,110101001000\n".encode()
    page = client.post(
        reverse("orgs:import"), {"file": SimpleUploadedFile("t.csv", sheet, "text/csv")}
    ).content.decode()
    assert "发现 1 处错误" in page and "12位数字" in page


def test_an_unknown_file_type_is_refused(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    page = client.post(
        reverse("orgs:import"), {"file": SimpleUploadedFile("t.pdf", b"%PDF", "application/pdf")}
    )
    assert "不支持的文件类型" in page.content.decode()

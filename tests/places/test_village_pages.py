"""The area tree and village pages: who may open what, and what each form does."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from hocvuso.accounts.models import Role
from hocvuso.places.models import Area


def url(name: str, code: str) -> str:
    return reverse(f"places:{name}", args=[code])


def xlsx(*lines) -> SimpleUploadedFile:
    workbook = Workbook()
    for line in lines:
        workbook.active.append(list(line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("thon.xlsx", buffer.getvalue())


@pytest.fixture
def dong_cuong_officer(make_user, dong_cuong):
    return make_user(Role.COMMUNE_OFFICER, dong_cuong, full_name="Lò Văn Minh")


@pytest.fixture
def tien_lu_officer(make_user, tien_lu):
    return make_user(Role.COMMUNE_OFFICER, tien_lu)


@pytest.fixture
def lao_cai_officer(make_user, area):
    return make_user(Role.PROVINCE_OFFICER, area("15"))


# Who may open what


@pytest.mark.parametrize("name", ["area_detail", "villages", "village_import", "village_create"])
def test_anonymous_visitor_is_sent_to_login(client, dong_cuong, name):
    response = client.get(url(name, "04399"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_national_admin_sees_the_34_provinces(login, make_user, area):
    admin = make_user(Role.NATIONAL_ADMIN, area("VN"))
    response = login(admin).get(url("area_detail", "VN"))
    assert response.status_code == 200
    assert len(response.context["children"]) == 34
    assert "Lào Cai" in response.content.decode()


def test_province_page_lists_communes_with_their_village_counts(
    login, lao_cai_officer, dong_cuong, make_village
):
    make_village(dong_cuong)
    make_village(dong_cuong)
    response = login(lao_cai_officer).get(url("area_detail", "15"))
    counts = {child.code: child.child_count for child in response.context["children"]}
    assert counts["04399"] == 2
    assert "Số xã, phường" not in response.content.decode()
    assert "Số thôn" in response.content.decode()


def test_search_finds_children_without_diacritics(login, lao_cai_officer):
    response = login(lao_cai_officer).get(url("area_detail", "15"), {"q": "dong cuong"})
    assert [child.code for child in response.context["children"]] == ["04399"]


def test_commune_officer_is_refused_another_commune(
    login, dong_cuong_officer, tien_lu, make_village
):
    village = make_village(tien_lu, "Thôn Quẵng")
    client = login(dong_cuong_officer)
    for name, code in [
        ("area_detail", "12364"),
        ("villages", "12364"),
        ("village_create", "12364"),
        ("village_import", "12364"),
        ("village_template", "12364"),
        ("village_rename", village.code),
        ("village_merge", village.code),
        ("village_move", village.code),
        ("village_history", village.code),
    ]:
        assert client.get(url(name, code)).status_code == 403, name
    response = client.post(url("village_rename", village.code), {"name": "Thôn Mới"})
    assert response.status_code == 403
    village.refresh_from_db()
    assert village.name == "Thôn Quẵng"


def test_commune_officer_opens_own_commune_but_not_the_province(login, dong_cuong_officer):
    client = login(dong_cuong_officer)
    assert client.get(url("area_detail", "04399")).status_code == 200
    assert client.get(url("villages", "04399")).status_code == 200
    assert client.get(url("area_detail", "15")).status_code == 403


def test_province_officer_sees_inside_the_province_and_nothing_outside(login, lao_cai_officer):
    client = login(lao_cai_officer)
    assert client.get(url("area_detail", "15")).status_code == 200
    assert client.get(url("area_detail", "04399")).status_code == 200
    assert client.get(url("villages", "04399")).status_code == 200
    assert client.get(url("area_detail", "12364")).status_code == 403
    assert client.get(url("area_detail", "33")).status_code == 403
    assert client.get(url("area_detail", "VN")).status_code == 403


def test_team_member_may_view_the_commune_but_not_manage_villages(login, make_user, dong_cuong):
    member = make_user(Role.TEAM_MEMBER, dong_cuong)
    client = login(member)
    assert client.get(url("area_detail", "04399")).status_code == 200
    assert client.get(url("villages", "04399")).status_code == 403


def test_unknown_code_is_404(login, dong_cuong_officer):
    assert login(dong_cuong_officer).get(url("area_detail", "99999")).status_code == 404


# What the forms do


def test_officer_creates_a_village(login, dong_cuong_officer, dong_cuong):
    client = login(dong_cuong_officer)
    response = client.post(
        url("village_create", "04399"), {"name": "Thôn Sài Lương", "kind": "thôn"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("villages", "04399")
    assert "Đã thêm Thôn Sài Lương" in response.content.decode()
    assert dong_cuong.children.filter(name="Thôn Sài Lương").exists()


def test_rename_to_a_taken_name_shows_the_error_and_changes_nothing(
    login, dong_cuong_officer, dong_cuong, make_village
):
    make_village(dong_cuong, "Thôn Sài Lương")
    village = make_village(dong_cuong, "Thôn Khác")
    response = login(dong_cuong_officer).post(
        url("village_rename", village.code), {"name": "thôn sài lương"}
    )
    assert response.status_code == 200
    assert "đã có thôn tên" in response.content.decode()
    village.refresh_from_db()
    assert village.name == "Thôn Khác"


def test_rename_redirects_with_a_message(login, dong_cuong_officer, dong_cuong, make_village):
    village = make_village(dong_cuong, "Thôn Cũ")
    response = login(dong_cuong_officer).post(
        url("village_rename", village.code), {"name": "Thôn Mới"}, follow=True
    )
    assert "Đã đổi tên “Thôn Cũ” thành “Thôn Mới”." in response.content.decode()


def test_merge_asks_for_confirmation_before_merging(
    login, dong_cuong_officer, dong_cuong, make_village
):
    source = make_village(dong_cuong, "Thôn Làng Mới")
    target = make_village(dong_cuong, "Thôn Sài Lương")
    client = login(dong_cuong_officer)
    response = client.post(url("village_merge", source.code), {"target": target.code})
    assert response.status_code == 200
    assert "Xác nhận sáp nhập" in response.content.decode()
    source.refresh_from_db()
    assert source.is_active

    response = client.post(
        url("village_merge", source.code), {"target": target.code, "confirm": "yes"}, follow=True
    )
    source.refresh_from_db()
    assert (source.is_active, source.merged_into) == (False, target)
    page = response.content.decode()
    assert "Đã sáp nhập Thôn Làng Mới vào Thôn Sài Lương." in page
    assert "đã sáp nhập vào Thôn Sài Lương" in page


def test_merge_offers_only_villages_of_the_same_commune(
    login, dong_cuong_officer, dong_cuong, tien_lu, make_village
):
    source = make_village(dong_cuong)
    same = make_village(dong_cuong)
    make_village(tien_lu)
    response = login(dong_cuong_officer).get(url("village_merge", source.code))
    assert list(response.context["form"].fields["target"].queryset) == [same]


def test_province_officer_moves_a_village_between_communes_of_the_province(
    login, lao_cai_officer, dong_cuong, area, make_village
):
    village = make_village(dong_cuong, "Thôn Sài Lương")
    client = login(lao_cai_officer)
    response = client.post(url("village_move", village.code), {"commune_code": "4465"})
    assert "Xác nhận chuyển xã" in response.content.decode()
    client.post(url("village_move", village.code), {"commune_code": "04465", "confirm": "yes"})
    village.refresh_from_db()
    assert village.parent == area("04465")
    history = client.get(url("village_history", village.code)).content.decode()
    assert "Từ Xã Đông Cuông sang Xã Khao Mang." in history


def test_commune_officer_cannot_move_a_village_to_a_commune_they_do_not_manage(
    login, dong_cuong_officer, dong_cuong, make_village
):
    village = make_village(dong_cuong)
    response = login(dong_cuong_officer).post(
        url("village_move", village.code), {"commune_code": "12364", "confirm": "yes"}
    )
    assert response.status_code == 200
    assert "Bạn không có quyền quản lý thôn của Xã Tiên Lữ." in response.content.decode()
    village.refresh_from_db()
    assert village.parent == dong_cuong


def test_history_shows_who_changed_what(login, dong_cuong_officer, dong_cuong):
    client = login(dong_cuong_officer)
    client.post(url("village_create", "04399"), {"name": "Thôn Cũ", "kind": "thôn"})
    village = Area.objects.get(parent=dong_cuong, name="Thôn Cũ")
    client.post(url("village_rename", village.code), {"name": "Thôn Mới"})
    page = client.get(url("village_history", village.code)).content.decode()
    assert "Từ “Thôn Cũ” thành “Thôn Mới”." in page
    assert page.count("Lò Văn Minh") >= 2


def test_import_of_a_good_file_redirects_with_the_count(login, dong_cuong_officer, dong_cuong):
    upload = xlsx(["Tên thôn", "Loại"], ["Thôn Một", "thôn"], ["Bản Hai", "bản"])
    response = login(dong_cuong_officer).post(
        url("village_import", "04399"), {"file": upload, "mode": "all_or_nothing"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("villages", "04399")
    assert "Đã nhập 2 thôn." in response.content.decode()
    assert dong_cuong.children.count() == 2


def test_import_with_a_bad_row_shows_the_row_table_and_imports_nothing(
    login, dong_cuong_officer, dong_cuong
):
    upload = xlsx(["Tên thôn", "Mã xã"], ["Thôn Một", "04399"], ["Thôn Hai", "12364"])
    response = login(dong_cuong_officer).post(
        url("village_import", "04399"), {"file": upload, "mode": "all_or_nothing"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chưa nhập thôn nào" in page
    assert "không thuộc xã đang nhập" in page
    assert response.context["errors"] == [
        {
            "row": 3,
            "column": "Mã xã",
            "message": "Mã xã 12364 (Xã Tiên Lữ) không thuộc xã đang nhập (Xã Đông Cuông).",
        }
    ]
    assert dong_cuong.children.count() == 0


def test_import_of_good_rows_keeps_the_report_after_the_redirect(
    login, dong_cuong_officer, dong_cuong
):
    upload = xlsx(["Tên thôn"], ["Thôn Một"], [" thôn một "])
    response = login(dong_cuong_officer).post(
        url("village_import", "04399"), {"file": upload, "mode": "good_rows"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("village_import", "04399")
    page = response.content.decode()
    assert "Đã nhập 1 thôn." in page
    assert "Trùng tên" in page
    assert dong_cuong.children.count() == 1


def test_import_of_a_broken_file_says_so(login, dong_cuong_officer, dong_cuong):
    upload = SimpleUploadedFile("thon.xlsx", b"not a workbook")
    response = login(dong_cuong_officer).post(
        url("village_import", "04399"), {"file": upload, "mode": "all_or_nothing"}
    )
    assert "Không đọc được tệp Excel" in response.content.decode()
    assert dong_cuong.children.count() == 0


def test_template_download_is_an_xlsx_with_the_commune_code(login, dong_cuong_officer):
    response = login(dong_cuong_officer).get(url("village_template", "04399"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["C2"].value == "04399"

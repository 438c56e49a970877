import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from hocvuso.people import services
from hocvuso.people.importers import ImportFileError, read_resident_rows, resident_template
from hocvuso.people.models import Consent, Household, Resident
from hocvuso.people.services import IMPORT_COLUMNS, ImportMode, import_residents

HEADER = list(IMPORT_COLUMNS.values())


def line(
    name,
    *,
    number="",
    head="",
    year="",
    gender="",
    phone="",
    cid="",
    code="",
    consent="Có",
    group="",
    disability="",
):
    return [
        number,
        head,
        "",
        name,
        year,
        gender,
        "Dao",
        phone,
        cid,
        group,
        disability,
        "",
        code,
        consent,
    ]


def xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())


def csv_file(rows, *, delimiter=";") -> SimpleUploadedFile:
    text = "\r\n".join(delimiter.join(str(c) for c in row) for row in [HEADER, *rows])
    return SimpleUploadedFile("danh-sach.csv", "\ufeff".encode() + text.encode())


def run(area, upload, user, mode=ImportMode.ALL_OR_NOTHING):
    return import_residents(
        village_or_commune=area, rows=read_resident_rows(upload), mode=mode, imported_by=user
    )


GOOD = [
    line("Triệu Văn Sơn", number="01", year="1968", gender="Nam", cid="010068123456"),
    line("Bàn Thị Hoa", number="01", year="1972", gender="Nữ"),
    line("Hoàng Văn Tuấn", head="Hoàng Văn Tuấn", year="1980", phone="0912345678"),
]


def test_good_rows_are_grouped_into_households_with_consent(sai_luong, member):
    result = run(sai_luong, xlsx(GOOD), member)
    assert result.errors == []
    assert (result.residents, result.households, result.consents) == (3, 2, 3)
    son = Resident.objects.get(full_name="Triệu Văn Sơn")
    hoa = Resident.objects.get(full_name="Bàn Thị Hoa")
    assert son.household_id == hoa.household_id
    assert son.household.head_name == "Triệu Văn Sơn"
    assert son.gender == "male" and hoa.gender == "female"
    assert Consent.objects.filter(resident=son, text_version="2026-01").exists()


def test_a_csv_saved_by_excel_with_bom_and_semicolons_is_read(sai_luong, member):
    result = run(sai_luong, csv_file(GOOD), member)
    assert result.errors == []
    assert Resident.objects.count() == 3


def bad_rows(other_village_code):
    return [
        line("Không Rõ Thôn", code="V9999999"),
        line("Thôn Khác", code=other_village_code),
        line("Già Quá", year="1850"),
        line("Sai Số", cid="12345"),
        line("Sai Điện Thoại", phone="12345"),
        line("Trùng Trong Tệp", cid="010068123456"),
    ]


@pytest.fixture
def other_code(quang):
    return quang.code


def test_all_or_nothing_imports_nothing_and_reports_each_bad_row(sai_luong, member, other_code):
    result = run(sai_luong, xlsx(GOOD + bad_rows(other_code)), member)
    assert Resident.objects.count() == 0
    assert Household.objects.count() == 0
    assert result.residents == 0
    by_row = {e.row: e for e in result.errors}
    assert set(by_row) == {5, 6, 7, 8, 9, 10}
    assert "V9999999" in by_row[5].message
    assert by_row[5].column == "Mã thôn"
    assert "phạm vi" in by_row[6].message
    assert by_row[7].column == "Năm sinh"
    assert by_row[8].column == "Số CCCD"
    assert by_row[9].column == "Số điện thoại"
    assert "dòng 2" in by_row[10].message


def test_good_rows_mode_imports_the_good_and_lists_the_rejected(sai_luong, member, other_code):
    result = run(sai_luong, xlsx(GOOD + bad_rows(other_code)), member, ImportMode.GOOD_ROWS)
    assert result.residents == 3
    assert result.rejected_rows == 6
    assert Resident.objects.count() == 3


def test_people_already_registered_are_refused(sai_luong, member, resident):
    rows = [
        line("Người Khác", cid="010068123456"),
        line("Triệu Văn Sơn", number="01", year="1968"),
        line("Bàn Thị Hoa", number="01", year="1972"),
    ]
    # The fixture resident has an ID number, so the name match applies only to those without one.
    first = run(sai_luong, xlsx(rows[2:]), member, ImportMode.GOOD_ROWS)
    assert first.residents == 1
    result = run(sai_luong, xlsx([rows[0], rows[2]]), member, ImportMode.GOOD_ROWS)
    assert result.residents == 0
    messages = [e.message for e in result.errors]
    assert "Thôn Sài Lương" in messages[0]
    assert "đã có trong hộ này" in messages[1]


def test_a_number_registered_outside_the_officers_scope_is_not_located(
    quang, outsider, resident, sai_luong
):
    result = run(quang, xlsx([line("Người Khác", cid="010068123456")]), outsider)
    assert result.errors[0].message == "Số CCCD này đã có trong hệ thống."


def test_duplicates_across_chunks_are_found(sai_luong, member, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_CHUNK", 2)
    rows = [
        line("Một", cid="010068111111"),
        line("Hai"),
        line("Ba", cid="010068111111"),
    ]
    result = run(sai_luong, xlsx(rows), member, ImportMode.GOOD_ROWS)
    assert result.residents == 2
    assert [e.row for e in result.errors] == [4]
    assert "phía trên" in result.errors[0].message


def test_a_commune_import_places_each_row_by_village_code(
    dong_cuong, officer, sai_luong, make_village
):
    other = make_village(dong_cuong, "Thôn Khe Lếch")
    rows = [
        line("A", code=sai_luong.code),
        line("B", code=other.code.lower()),
        line("C"),
    ]
    result = run(dong_cuong, csv_file(rows, delimiter=","), officer, ImportMode.GOOD_ROWS)
    assert result.residents == 2
    assert Resident.objects.get(full_name="B").village == other
    assert result.errors[0].column == "Mã thôn"


def test_a_team_member_cannot_import_into_the_rest_of_the_commune(dong_cuong, member, make_village):
    other = make_village(dong_cuong, "Thôn Khe Lếch")
    result = run(dong_cuong, xlsx([line("A", code=other.code)]), member)
    assert result.residents == 0
    assert "phạm vi" in result.errors[0].message


def test_a_file_without_the_name_column_is_refused(sai_luong, member):
    upload = SimpleUploadedFile("x.csv", b"Ten;Tuoi\r\nA;3\r\n")
    with pytest.raises(ImportFileError):
        run(sai_luong, upload, member)


def test_a_csv_not_in_utf8_is_refused(sai_luong, member):
    upload = SimpleUploadedFile("x.csv", b"Ho va ten\r\n\xd0\xe3ng\r\n")
    with pytest.raises(ImportFileError, match="UTF-8"):
        run(sai_luong, upload, member)


def test_a_bad_byte_deep_in_a_csv_rolls_back_the_rows_before_it(sai_luong, member):
    good = "".join(f"Người {n}\r\n" for n in range(3000)).encode()
    upload = SimpleUploadedFile("x.csv", b"Ho va ten\r\n" + good + b"\xd0\xe3ng\r\n")
    with pytest.raises(ImportFileError, match="UTF-8"):
        run(sai_luong, upload, member, ImportMode.GOOD_ROWS)
    assert Resident.objects.count() == 0


def test_the_template_has_the_vietnamese_headers_and_reimports_cleanly(sai_luong, member):
    data = resident_template(village_code=sai_luong.code)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    result = run(sai_luong, SimpleUploadedFile("mau.xlsx", data), member)
    assert result.errors == []
    assert result.residents == 2
    assert result.households == 1

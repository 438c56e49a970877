"""Importing a village list: reading .xlsx and .csv files, and checking every row before writing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from hocvuso.accounts.models import Role
from hocvuso.places.importers import MAX_ROWS, ImportFileError, read_village_rows, village_template
from hocvuso.places.models import Area, AreaChange
from hocvuso.places.services import ImportMode, VillageRow, import_villages


def xlsx(*lines) -> SimpleUploadedFile:
    workbook = Workbook()
    for line in lines:
        workbook.active.append(list(line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())


def csv_file(text: str, *, encoding: str = "utf-8", name: str = "danh-sach.csv"):
    return SimpleUploadedFile(name, text.encode(encoding))


@pytest.fixture
def officer(make_user, dong_cuong):
    return make_user(Role.COMMUNE_OFFICER, dong_cuong)


def villages_of(commune: Area) -> list[str]:
    return sorted(commune.children.filter(is_active=True).values_list("name", flat=True))


# Reading files


def test_xlsx_rows_are_numbered_as_in_the_spreadsheet(db):
    upload = xlsx(
        ["Tên thôn", "Loại", "Mã xã"],
        ["Thôn Sài Lương", "thôn", 4399],
        [None, None, None],
        ["Bản Khe Lếch", "bản", "04399"],
    )
    rows = read_village_rows(upload)
    assert rows == [
        VillageRow(row=2, name="Thôn Sài Lương", kind="thôn", commune_code="4399"),
        VillageRow(row=4, name="Bản Khe Lếch", kind="bản", commune_code="04399"),
    ]


def test_csv_with_byte_order_mark_is_read(db):
    rows = read_village_rows(csv_file("\ufeffTên thôn,Loại\nThôn Quẵng,thôn\n"))
    assert rows == [VillageRow(row=2, name="Thôn Quẵng", kind="thôn")]


def test_csv_with_semicolons_and_loose_headers_is_read(db):
    rows = read_village_rows(csv_file("TEN THON ; loai;Mã  Xã\nThôn A;;04399\nThôn B;bản;\n"))
    assert [(r.name, r.kind, r.commune_code) for r in rows] == [
        ("Thôn A", "", "04399"),
        ("Thôn B", "bản", ""),
    ]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("danh-sach.xlsx", b"this is not a spreadsheet"), "Không đọc được"),
        (csv_file("Tên thôn\nThôn Sài Lương\n", encoding="cp1258"), "UTF-8"),
        (csv_file("Họ và tên,Loại\nThôn A,thôn\n"), "Tên thôn"),
        (csv_file(""), "rỗng"),
        (csv_file("Tên thôn\n\n"), "không có dòng dữ liệu"),
        (csv_file("Tên thôn\nThôn A\n", name="danh-sach.pdf"), ".xlsx"),
    ],
    ids=["not-xlsx", "wrong-encoding", "no-name-column", "empty", "header-only", "pdf"],
)
def test_broken_files_give_one_clear_message(db, upload, message):
    with pytest.raises(ImportFileError, match=message):
        read_village_rows(upload)


def test_file_over_the_size_limit_is_refused(db, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="quá lớn"):
        read_village_rows(csv_file("Tên thôn\n" + "Thôn A\n" * 50))


def test_file_with_too_many_rows_is_refused(db):
    text = "Tên thôn\n" + "".join(f"Thôn {n}\n" for n in range(MAX_ROWS + 1))
    with pytest.raises(ImportFileError, match=r"quá 5\.000 dòng"):
        read_village_rows(csv_file(text))


def test_template_has_vietnamese_headers_and_two_example_rows_it_can_read_back(db):
    data = village_template(commune_code="04399")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["Tên thôn", "Loại", "Mã xã"]
    rows = read_village_rows(SimpleUploadedFile("mau.xlsx", data))
    assert len(rows) == 2
    assert {row.commune_code for row in rows} == {"04399"}


# Checking rows and writing


def test_good_file_creates_every_village_with_history(dong_cuong, officer):
    rows = read_village_rows(
        xlsx(
            ["Tên thôn", "Loại", "Mã xã"], ["Thôn Sài Lương", "", 4399], ["Bản Khe Lếch", "Bản", ""]
        )
    )
    result = import_villages(commune=dong_cuong, rows=rows, changed_by=officer)
    assert not result.errors
    assert [(v.name, v.kind) for v in result.created] == [
        ("Thôn Sài Lương", "thôn"),
        ("Bản Khe Lếch", "bản"),
    ]
    assert all(v.code.startswith("V") and v.path.endswith(f"{v.code}/") for v in result.created)
    changes = AreaChange.objects.filter(area__in=result.created)
    assert {(c.action, c.changed_by) for c in changes} == {("imported", officer)}


def test_one_bad_row_imports_nothing_and_every_bad_row_is_reported(dong_cuong, officer):
    rows = [
        VillageRow(row=2, name="Thôn Một"),
        VillageRow(row=3, name=""),
        VillageRow(row=4, name="Thôn Hai", commune_code="99999"),
        VillageRow(row=5, name="thôn  một"),
    ]
    result = import_villages(commune=dong_cuong, rows=rows, changed_by=officer)
    assert result.created == []
    assert villages_of(dong_cuong) == []
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Tên thôn"),
        (4, "Mã xã"),
        (5, "Tên thôn"),
    ]
    assert "không được để trống" in result.errors[0].message
    assert "99999" in result.errors[1].message
    assert "dòng 2" in result.errors[2].message


def test_good_rows_mode_imports_the_good_rows_and_lists_the_rejected(dong_cuong, officer):
    rows = [
        VillageRow(row=2, name="Thôn Một"),
        VillageRow(row=3, name="Thôn Hai", kind="khu dân cư"),
        VillageRow(row=4, name="Thôn Ba"),
    ]
    result = import_villages(
        commune=dong_cuong, rows=rows, mode=ImportMode.GOOD_ROWS, changed_by=officer
    )
    assert villages_of(dong_cuong) == ["Thôn Ba", "Thôn Một"]
    assert [(e.row, e.column) for e in result.errors] == [(3, "Loại")]


def test_name_already_in_the_commune_is_a_duplicate_whatever_the_case(
    dong_cuong, make_village, officer
):
    make_village(dong_cuong, "Thôn Sài Lương")
    rows = [VillageRow(row=2, name="THÔN SÀI LƯƠNG")]
    result = import_villages(commune=dong_cuong, rows=rows, changed_by=officer)
    assert "đã có thôn tên" in result.errors[0].message
    assert villages_of(dong_cuong) == ["Thôn Sài Lương"]


def test_code_of_another_commune_is_reported_as_not_the_commune_being_imported(dong_cuong, officer):
    rows = [VillageRow(row=2, name="Thôn Quẵng", commune_code="12364")]
    result = import_villages(commune=dong_cuong, rows=rows, changed_by=officer)
    [error] = result.errors
    assert error.message == ("Mã xã 12364 (Xã Tiên Lữ) không thuộc xã đang nhập (Xã Đông Cuông).")


def test_name_too_long_is_reported(dong_cuong, officer):
    rows = [VillageRow(row=2, name="Thôn " + "A" * 200)]
    result = import_villages(commune=dong_cuong, rows=rows, changed_by=officer)
    assert "dài quá 200" in result.errors[0].message
    assert result.created == []

"""Reading a resident list from an uploaded .xlsx or .csv file, one row at a time.

The rows are produced lazily, so a file of a whole commune is never held in memory; a problem with
the file as a whole is an `ImportFileError` (raised before the first row or while reading, in which
case the import's transaction rolls back). Problems of single rows are the service's business.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from openpyxl import Workbook

from hocvuso.people.choices import LANGUAGES, TargetGroup
from hocvuso.people.models import Resident
from hocvuso.people.services import IMPORT_COLUMNS, ResidentRow
from hocvuso.places.importers import ImportFileError, xlsx_rows
from hocvuso.places.selectors import fold_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header_key(text: str) -> str:
    return "".join(ch for ch in fold_text(text) if ch.isalnum())


# Folded header → field: "Họ và tên", "HO VA TEN" and "họ_và_tên" name the same column.
_HEADERS = {_header_key(label): name for name, label in IMPORT_COLUMNS.items()}
_HEADERS.update(
    {
        _header_key("Họ tên"): "full_name",
        _header_key("CCCD"): "citizen_id",
        _header_key("Số định danh cá nhân"): "citizen_id",
        _header_key("Điện thoại"): "phone",
        _header_key("Đồng ý"): "consent",
    }
)


def _cell_text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A year or a number typed into a number cell comes back as 1985.0.
        return str(int(value))
    return str(value).strip()


def _rows_from_table(
    table: Iterable[Sequence[Any]], *, texts: bool = False
) -> Iterator[ResidentRow]:
    """Numbered resident rows of a table whose first non-empty line is the header.

    `texts`: every cell is already a string (CSV), so only stripped, not converted.
    """
    columns: dict[str, int] | None = None
    produced = False
    for number, line in enumerate(table, start=1):
        cells = [value.strip() for value in line] if texts else [_cell_text(v) for v in line]
        if not any(cells):
            continue
        if columns is None:
            columns = {}
            for index, header in enumerate(cells):
                target = _HEADERS.get(_header_key(header))
                if target is not None and target not in columns:
                    columns[target] = index
            if "full_name" not in columns:
                raise ImportFileError(
                    _(
                        "Tệp không có cột “%(column)s” ở dòng tiêu đề. Hãy dùng tệp mẫu "
                        "và giữ nguyên dòng tiêu đề."
                    )
                    % {"column": IMPORT_COLUMNS["full_name"]}
                )
            continue
        values = {
            target: cells[index] if index < len(cells) else "" for target, index in columns.items()
        }
        if not any(values.values()):
            continue
        produced = True
        yield ResidentRow(row=number, **values)
    if not produced:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào."))


def _csv_table(stream: IO[bytes]) -> Iterator[list[str]]:
    # utf-8-sig drops the byte-order mark that Excel writes in front of "CSV UTF-8" files.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first_line = text.readline()
        # Excel in Vietnamese locales separates with ";" because "," is the decimal mark.
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        yield from csv.reader([first_line], delimiter=delimiter)
        yield from csv.reader(text, delimiter=delimiter)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "Tệp CSV không ở mã UTF-8 nên tiếng Việt bị lỗi. Trong Excel, hãy chọn "
                "“Lưu thành” → “CSV UTF-8”, hoặc gửi tệp .xlsx."
            )
        ) from error
    except csv.Error as error:
        raise ImportFileError(_("Tệp CSV bị hỏng hoặc không phải là tệp văn bản.")) from error
    finally:
        text.detach()


def iter_resident_rows(stream: IO[bytes], *, name: str) -> Iterator[ResidentRow]:
    """The resident rows of a binary .xlsx or .csv stream, read lazily; raises ImportFileError."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return _rows_from_table(xlsx_rows(stream))
    if lowered.endswith(".csv"):
        return _rows_from_table(_csv_table(stream), texts=True)
    raise ImportFileError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def read_resident_rows(upload: UploadedFile) -> Iterator[ResidentRow]:
    """The resident rows of an uploaded file, after checking its size; raises ImportFileError."""
    limit = settings.PEOPLE_IMPORT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ImportFileError(
            _("Tệp quá lớn (tối đa %(size)s MB).") % {"size": f"{limit / (1024 * 1024):g}"}
        )
    if not upload.size:
        raise ImportFileError(_("Tệp rỗng."))
    upload.seek(0)
    # Django's upload wrappers lack the attributes TextIOWrapper wants; the raw file has them.
    stream = getattr(upload.file, "file", upload.file)
    if not hasattr(stream, "readable"):
        stream = io.BytesIO(upload.read())
    if (upload.name or "").lower().endswith(".csv"):
        head = stream.read(4096)
        stream.seek(0)
        if b"\x00" in head:
            raise ImportFileError(_("Tệp CSV bị hỏng hoặc không phải là tệp văn bản."))
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _(
                    "Tệp CSV không ở mã UTF-8 nên tiếng Việt bị lỗi. Trong Excel, hãy chọn "
                    "“Lưu thành” → “CSV UTF-8”, hoặc gửi tệp .xlsx."
                )
            ) from error
    return iter_resident_rows(stream, name=upload.name or "")


def resident_template(*, village_code: str = "") -> bytes:
    """An .xlsx template with the Vietnamese headers, two example rows and a guide sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách người dân"
    sheet.append(list(IMPORT_COLUMNS.values()))
    sheet.append(
        [
            "01",
            "Triệu Văn Sơn",
            "Thôn Sài Lương",
            "Triệu Văn Sơn",
            1968,
            "Nam",
            "Dao",
            "0912345678",
            "010068001234",
            str(TargetGroup.CITIZENS.label),
            "Không",
            "Tiếng Việt",
            village_code,
            "Có",
        ]
    )
    sheet.append(
        [
            "01",
            "Triệu Văn Sơn",
            "Thôn Sài Lương",
            "Bàn Thị Hoa",
            1972,
            "Nữ",
            "Dao",
            "",
            "",
            str(TargetGroup.CITIZENS.label),
            "Không",
            "Tiếng Việt",
            village_code,
            "Có",
        ]
    )
    text_columns = ("A", "H", "I", "M")
    for letter in text_columns:
        for cell in sheet[letter]:
            # Text, so that Excel keeps the leading zeros of numbers, phones and ID numbers.
            cell.number_format = "@"
    for index, width in enumerate((8, 22, 22, 24, 9, 9, 10, 14, 15, 16, 10, 12, 11, 18)):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    guide = workbook.create_sheet("Hướng dẫn")
    genders = ", ".join(str(label) for _key, label in Resident.Gender.choices)
    groups = "; ".join(str(label) for _key, label in TargetGroup.choices)
    languages = ", ".join(str(label) for _key, label in LANGUAGES)
    for line in (
        _(
            "Mỗi dòng của trang “Danh sách người dân” là một người; xoá hai dòng ví dụ trước khi nhập."
        ),
        _("Những người cùng “Số hộ” (hoặc cùng “Chủ hộ” khi không có số hộ) thuộc một hộ."),
        _("Cột “Họ và tên” bắt buộc; các cột khác có thể để trống."),
        _("Năm sinh: từ 1900 đến năm nay. Số CCCD: đúng 12 chữ số."),
        _("Giới tính: %(values)s.") % {"values": genders},
        _("Nhóm đối tượng: %(values)s; để trống là Người dân.") % {"values": groups},
        _("Ngôn ngữ: %(values)s; để trống là Tiếng Việt.") % {"values": languages},
        _("Khuyết tật, Đồng ý xử lý dữ liệu: “Có” hoặc “Không”."),
        _("Mã thôn: mã do nền tảng cấp (ví dụ V0000001); bắt buộc khi nhập cho cả xã."),
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

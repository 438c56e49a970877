"""Reading a village list from an uploaded spreadsheet (.xlsx) or text file (.csv) into rows.

Every problem with the file as a whole (size, format, encoding, missing column, too many rows) is one
`ImportFileError` with a message for the user; problems of single rows are the service's business.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from hocvuso.places.selectors import fold_text
from hocvuso.places.services import COLUMN_COMMUNE, COLUMN_KIND, COLUMN_NAME, VillageRow

MAX_ROWS = 5000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportFileError(ValueError):
    """The file cannot be read as a list (of villages, of residents); the message is for the user,
    in Vietnamese."""


def _header_key(text: str) -> str:
    return "".join(ch for ch in fold_text(text) if ch.isalnum())


# Folded header → field; "Tên thôn", "TEN THON" and "tên_thôn" all name the same column.
_HEADERS = {
    _header_key(COLUMN_NAME): "name",
    _header_key("Tên thôn, tổ dân phố"): "name",
    _header_key("Tên"): "name",
    _header_key(COLUMN_KIND): "kind",
    _header_key(COLUMN_COMMUNE): "commune_code",
    _header_key("Mã xã, phường"): "commune_code",
}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A code typed into a number cell comes back as 4399.0.
        return str(int(value))
    return " ".join(str(value).split())


def _rows_from_table(table: Iterable[Sequence[Any]]) -> list[VillageRow]:
    """Turn a table whose first non-empty line is the header into numbered village rows."""
    columns: dict[str, int] | None = None
    rows: list[VillageRow] = []
    for number, line in enumerate(table, start=1):
        cells = [_cell_text(value) for value in line]
        if not any(cells):
            continue
        if columns is None:
            columns = {}
            for index, header in enumerate(cells):
                target = _HEADERS.get(_header_key(header))
                if target is not None and target not in columns:
                    columns[target] = index
            if "name" not in columns:
                raise ImportFileError(
                    _(
                        "Tệp không có cột “%(column)s” ở dòng tiêu đề. Hãy dùng tệp mẫu "
                        "và giữ nguyên dòng tiêu đề."
                    )
                    % {"column": COLUMN_NAME}
                )
            continue
        values = {
            target: cells[index] if index < len(cells) else "" for target, index in columns.items()
        }
        if not any(values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("Tệp có quá %(limit)s dòng dữ liệu. Hãy chia thành nhiều tệp nhỏ hơn.")
                % {"limit": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        rows.append(VillageRow(row=number, **values))
    if not rows:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào."))
    return rows


def xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    """The rows of the first sheet of an .xlsx stream, read lazily; raises ImportFileError."""
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        ParseError,
    ) as error:
        raise ImportFileError(
            _("Không đọc được tệp Excel. Hãy lưu lại tệp ở định dạng .xlsx rồi thử lại.")
        ) from error
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError) as error:
        raise ImportFileError(
            _("Tệp Excel bị hỏng. Hãy mở tệp, lưu lại ở định dạng .xlsx rồi thử lại.")
        ) from error
    finally:
        workbook.close()


def _csv_table(data: bytes) -> list[list[str]]:
    try:
        # utf-8-sig drops the byte-order mark that Excel writes in front of "CSV UTF-8" files.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "Tệp CSV không ở mã UTF-8 nên tiếng Việt bị lỗi. Trong Excel, hãy chọn "
                "“Lưu thành” → “CSV UTF-8”, hoặc gửi tệp .xlsx."
            )
        ) from error
    if "\x00" in text:
        raise ImportFileError(_("Tệp CSV bị hỏng hoặc không phải là tệp văn bản."))
    first_line = text.lstrip().split("\n", 1)[0]
    # Excel in Vietnamese locales separates with ";" because "," is the decimal mark.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(_("Tệp CSV bị hỏng hoặc không phải là tệp văn bản.")) from error


def read_village_rows(upload: UploadedFile) -> list[VillageRow]:
    """The village rows of an uploaded .xlsx or .csv file; raises ImportFileError."""
    name = (upload.name or "").lower()
    data = upload.read(settings.IMPORT_MAX_BYTES + 1)
    if (upload.size or 0) > settings.IMPORT_MAX_BYTES or len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("Tệp quá lớn (tối đa %(size)s MB).")
            % {"size": f"{settings.IMPORT_MAX_BYTES / (1024 * 1024):g}"}
        )
    if not data:
        raise ImportFileError(_("Tệp rỗng."))
    if name.endswith(".xlsx"):
        return _rows_from_table(xlsx_rows(io.BytesIO(data)))
    if name.endswith(".csv"):
        return _rows_from_table(_csv_table(data))
    raise ImportFileError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def village_template(*, commune_code: str) -> bytes:
    """An .xlsx template with the import headers and two example rows for one commune."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách thôn"
    sheet.append([COLUMN_NAME, COLUMN_KIND, COLUMN_COMMUNE])
    sheet.append(["Thôn Đồng Tâm", "thôn", commune_code])
    sheet.append(["Tổ dân phố số 1", "tổ dân phố", commune_code])
    for cell in sheet["C"]:
        # Text, so that Excel keeps the leading zero of "04399".
        cell.number_format = "@"
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 12
    guide = workbook.create_sheet("Hướng dẫn")
    for line in (
        _("Mỗi dòng của trang “Danh sách thôn” là một thôn, bản hoặc tổ dân phố."),
        _("Xoá hai dòng ví dụ trước khi nhập danh sách của xã."),
        _("Cột “Tên thôn” bắt buộc; tên không được trùng nhau."),
        _("Cột “Loại” không bắt buộc, mặc định là “thôn”."),
        _("Cột “Mã xã” không bắt buộc; nếu có, phải là mã của xã đang nhập."),
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

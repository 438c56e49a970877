"""Periodic reports of an area as Excel and as PDF with charts, made in the background."""

import datetime
import io
import logging
import re
from functools import partial
from pathlib import Path

import matplotlib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hocvuso.monitoring import selectors
from hocvuso.monitoring.indicators import HEADLINE
from hocvuso.monitoring.models import CustomReport, Report
from hocvuso.monitoring.services.custom import period_label
from hocvuso.places.models import Area

matplotlib.use("Agg")

_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
logger = logging.getLogger(__name__)


def parse_report_period(kind: str, text: str) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of a report period: "2025-11", "2025-Q4", "2025"; mid-term, final."""
    text = (text or "").strip()
    today = timezone.localdate()
    if kind == Report.Kind.MIDTERM:
        return datetime.date(2025, 1, 1), datetime.date(2027, 12, 31)
    if kind == Report.Kind.FINAL:
        return datetime.date(2025, 1, 1), datetime.date(2030, 12, 31)
    patterns = {
        Report.Kind.MONTH: r"^(\d{4})-(\d{1,2})$",
        Report.Kind.QUARTER: r"^(\d{4})-[Qq](\d)$",
        Report.Kind.YEAR: r"^(\d{4})$",
    }
    if kind not in patterns:
        raise ValidationError(_("Hãy chọn loại báo cáo."))
    match = re.match(patterns[kind], text)
    if not match:
        examples = {"month": "2025-11", "quarter": "2025-Q4", "year": "2025"}
        raise ValidationError(
            _("Kỳ báo cáo “%(text)s” không tồn tại; hãy viết dạng %(example)s.")
            % {"text": text, "example": examples[kind]}
        )
    year = int(match.group(1))
    if not 2025 <= year <= 2030:
        raise ValidationError(_("Kỳ báo cáo “%(text)s” không tồn tại.") % {"text": text})
    if kind == Report.Kind.MONTH:
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValidationError(_("Kỳ báo cáo “%(text)s” không tồn tại.") % {"text": text})
        start = datetime.date(year, month, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    elif kind == Report.Kind.QUARTER:
        quarter = int(match.group(2))
        if not 1 <= quarter <= 4:
            raise ValidationError(_("Kỳ báo cáo “%(text)s” không tồn tại.") % {"text": text})
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = (start + datetime.timedelta(days=95)).replace(day=1) - datetime.timedelta(days=1)
    else:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if start > today:
        raise ValidationError(_("Kỳ báo cáo “%(text)s” chưa bắt đầu.") % {"text": text})
    return start, end


@transaction.atomic
def request_report(
    *, area: Area, kind: str, start: datetime.date, end: datetime.date, requested_by
) -> Report:
    """Record the request; the report is made by a background task once this commits."""
    from hocvuso.monitoring.tasks import generate_report

    report = Report.objects.create(
        area=area,
        kind=kind,
        period_start=start,
        period_end=end,
        requested_by=requested_by,
        attempts=1,
        progress_at=timezone.now(),
    )
    transaction.on_commit(lambda: generate_report(report.pk))
    return report


def _report_data(report: Report) -> dict:
    area = report.area
    end = min(report.period_end, timezone.localdate())
    values = selectors.indicator_values(area, year=end.year)
    rows = selectors.ranking(
        area, weights={code: 1.0 for code in HEADLINE}, start=report.period_start, end=end
    )
    children = {row.area.pk: row for row in selectors.children_rows(area, year=end.year)}
    custom = list(
        CustomReport.objects.filter(
            area__path__startswith=area.path,
            period_start__gte=report.period_start,
            period_start__lte=end,
            status=CustomReport.Status.APPROVED,
        ).select_related("indicator", "area")
    )
    return {"values": values, "ranking": rows, "children": children, "custom": custom, "end": end}


def _title(report: Report) -> str:
    return _("%(kind)s — %(area)s, từ %(start)s đến %(end)s") % {
        "kind": report.get_kind_display(),
        "area": report.area.name,
        "start": report.period_start.strftime("%d/%m/%Y"),
        "end": report.period_end.strftime("%d/%m/%Y"),
    }


def _text(value) -> str:
    if value.value is None:
        return "—"
    return f"{value.value:g}%" if value.indicator.is_percent else f"{int(value.value)}"


def _forecast_text(value) -> str:
    status = value.forecast.status
    if status == "reached":
        return _("Đã đạt")
    if status == "on_track":
        return _("Dự kiến đạt ngày %(date)s") % {"date": value.forecast.date.strftime("%d/%m/%Y")}
    if status == "late":
        return _("Không đạt trước hạn")
    return ""


def build_xlsx(report: Report, data: dict) -> bytes:
    """The report as an Excel workbook: indicators, children, trend, hand-reported values."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Chỉ số"
    sheet.append([_title(report)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [_("Số liệu đến %(time)s") % {"time": timezone.localtime().strftime("%H:%M %d/%m/%Y")}]
    )
    sheet.append([])
    sheet.append(
        [_("Mã"), _("Chỉ số"), _("Tử số"), _("Mẫu số"), _("Giá trị"), _("Chỉ tiêu"), _("Dự báo")]
    )
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for value in data["values"]:
        sheet.append(
            [
                value.code,
                str(value.indicator.name),
                value.numerator,
                value.denominator,
                value.value,
                float(value.target.value) if value.target else None,
                _forecast_text(value),
            ]
        )
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["G"].width = 28

    trend = book.create_sheet("Xu hướng")
    headline = [v for v in data["values"] if v.code in HEADLINE]
    trend.append([_("Tuần"), *[str(v.indicator.name) for v in headline]])
    weeks = [week for week, _v in headline[0].trend] if headline else []
    for i, week in enumerate(weeks):
        trend.append([week.strftime("%d/%m/%Y"), *[round(v.trend[i][1], 1) for v in headline]])
    if weeks:
        chart = LineChart()
        chart.title = _("Xu hướng 12 tuần (%)")
        chart.height, chart.width = 8, 18
        chart.add_data(
            Reference(
                trend, min_col=2, max_col=1 + len(headline), min_row=1, max_row=1 + len(weeks)
            ),
            titles_from_data=True,
        )
        chart.set_categories(Reference(trend, min_col=1, min_row=2, max_row=1 + len(weeks)))
        trend.add_chart(chart, "A16")

    below = book.create_sheet("Đơn vị cấp dưới")
    below.append(
        [
            _("Hạng"),
            _("Đơn vị"),
            _("Điểm tổng hợp"),
            _("Đã có số liệu"),
            *[str(c) for c in HEADLINE],
        ]
    )
    for row in data["ranking"]:
        below.append(
            [
                row.rank or None,
                row.area.name,
                row.score,
                f"{row.completeness[0]}/{row.completeness[1]}",
                *[row.details.get(code) for code in HEADLINE],
            ]
        )
    below.column_dimensions["B"].width = 36

    custom = book.create_sheet("Báo cáo thủ công")
    custom.append([_("Địa bàn"), _("Chỉ số"), _("Kỳ"), _("Giá trị"), _("Ghi chú")])
    for item in data["custom"]:
        custom.append(
            [
                item.area.name,
                item.indicator.name,
                period_label(item.indicator, item.period_start),
                float(item.value),
                item.note,
            ]
        )
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _chart_png(data: dict) -> bytes:
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    font_manager.fontManager.addfont(str(_FONTS / "DejaVuSans.ttf"))
    figure = Figure(figsize=(7.5, 3.2), dpi=110)
    axes = figure.add_subplot(1, 1, 1)
    for value in data["values"]:
        if value.code in HEADLINE and value.trend:
            axes.plot(
                [week for week, _v in value.trend],
                [point for _w, point in value.trend],
                marker="o",
                markersize=2.5,
                label=str(value.indicator.name)[:48],
            )
    axes.set_ylabel("%")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=6, loc="upper left")
    axes.tick_params(labelsize=7)
    figure.autofmt_xdate()
    figure.tight_layout()
    stream = io.BytesIO()
    figure.savefig(stream, format="png")
    return stream.getvalue()


def _bars_png(data: dict) -> bytes | None:
    from matplotlib.figure import Figure

    rows = [row for row in data["ranking"] if row.score is not None][:15]
    if not rows:
        return None
    figure = Figure(figsize=(7.5, 0.3 * len(rows) + 0.8), dpi=110)
    axes = figure.add_subplot(1, 1, 1)
    axes.barh([row.area.name[:32] for row in rows][::-1], [row.score for row in rows][::-1])
    axes.set_xlabel(_("Điểm tổng hợp (so với chỉ tiêu)"))
    axes.set_xlim(0, 100)
    axes.tick_params(labelsize=7)
    figure.tight_layout()
    stream = io.BytesIO()
    figure.savefig(stream, format="png")
    return stream.getvalue()


def build_pdf(report: Report, data: dict) -> bytes:
    """The report as a PDF (DejaVu Sans for Vietnamese), with its trend and ranking charts."""
    from fpdf import FPDF

    matplotlib.rcParams["font.family"] = "DejaVu Sans"
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(
        0,
        7,
        _("BAN CHỈ ĐẠO PHONG TRÀO “BÌNH DÂN HỌC VỤ SỐ”"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.multi_cell(0, 7, _title(report), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        6,
        _("Số liệu đến %(time)s, tính trực tiếp từ dữ liệu của nền tảng.")
        % {"time": timezone.localtime().strftime("%H:%M ngày %d/%m/%Y")},
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, _("1. Kết quả các chỉ số"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    with pdf.table(
        col_widths=(70, 20, 20, 22, 38), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT")
    ) as table:
        table.row([_("Chỉ số"), _("Giá trị"), _("Chỉ tiêu"), _("Tử số/Mẫu số"), _("Dự báo")])
        for value in data["values"]:
            target = ""
            if value.target:
                target = f"{value.target.value:g}" + ("%" if value.target.kind == "percent" else "")
            fraction = str(value.numerator) + (
                f"/{value.denominator}" if value.denominator is not None else ""
            )
            table.row(
                [str(value.indicator.name), _text(value), target, fraction, _forecast_text(value)]
            )
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, _("2. Xu hướng 12 tuần"), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(_chart_png(data)), w=180)
    bars = _bars_png(data)
    if bars:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, _("3. Xếp hạng các đơn vị cấp dưới"), new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(bars), w=180)
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(col_widths=(15, 85, 30, 30)) as table:
            table.row([_("Hạng"), _("Đơn vị"), _("Điểm"), _("Đã có số liệu")])
            for row in data["ranking"]:
                table.row(
                    [
                        str(row.rank or "—"),
                        row.area.name,
                        "—" if row.score is None else f"{row.score:g}",
                        f"{row.completeness[0]}/{row.completeness[1]}",
                    ]
                )
    if data["custom"]:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(
            0, 7, _("4. Chỉ số do địa phương báo cáo (đã duyệt)"), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(col_widths=(50, 70, 25, 25)) as table:
            table.row([_("Địa bàn"), _("Chỉ số"), _("Kỳ"), _("Giá trị")])
            for item in data["custom"]:
                table.row(
                    [
                        item.area.name,
                        item.indicator.name,
                        period_label(item.indicator, item.period_start),
                        f"{item.value:g}",
                    ]
                )
    return bytes(pdf.output())


class _Superseded(Exception):
    """This run was given up for dead and the report queued again: its work is thrown away."""


def _still_mine(report: Report, attempt: int) -> QuerySet[Report]:
    return Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING, attempts=attempt)


def _progress(report: Report, attempt: int) -> None:
    """Record a sign of life, or stop if the run has been replaced meanwhile."""
    if not _still_mine(report, attempt).update(progress_at=timezone.now()):
        raise _Superseded


def generate(report: Report) -> Report:
    """Make the Excel and PDF files of a requested report and mark it ready (or failed).

    The run first claims the report (waiting → being made, under its current attempt): a second
    copy of the task, queued by a recovery, finds it claimed, done or failed and does nothing.
    Each stage of the work is a sign of life; the files are stored only if the run still owns
    the report at the end.
    """
    attempt = report.attempts
    now = timezone.now()
    claimed = Report.objects.filter(
        pk=report.pk, status=Report.Status.PENDING, attempts=attempt
    ).update(status=Report.Status.RUNNING, started_at=now, progress_at=now)
    if not claimed:
        report.refresh_from_db()
        return report
    stored = []
    try:
        data = _report_data(report)
        _progress(report, attempt)
        xlsx = build_xlsx(report, data)
        _progress(report, attempt)
        pdf = build_pdf(report, data)
        _progress(report, attempt)
        stem = f"bao-cao-{report.area.code}-{report.kind}-{report.period_start:%Y%m%d}-{report.pk}"
        report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        stored.append(report.xlsx.name)
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        stored.append(report.pdf.name)
        now = timezone.now()
        done = _still_mine(report, attempt).update(
            status=Report.Status.READY,
            xlsx=report.xlsx.name,
            pdf=report.pdf.name,
            error="",
            finished_at=now,
            progress_at=now,
        )
        if not done:
            raise _Superseded
    except _Superseded:
        for name in stored:
            report.xlsx.storage.delete(name)
        logger.warning("report %s: attempt %s was replaced by a later one", report.pk, attempt)
    except Exception as error:  # the status page must say it failed rather than wait forever
        _still_mine(report, attempt).update(
            status=Report.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        for name in stored:
            report.xlsx.storage.delete(name)
    report.refresh_from_db()
    return report


def _stale(reports: QuerySet[Report]) -> QuerySet[Report]:
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.REPORT_STALE_SECONDS)
    return reports.filter(
        Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True, requested_at__lt=cutoff),
        status__in=[Report.Status.PENDING, Report.Status.RUNNING],
    )


@transaction.atomic
def recover_stale_reports(*, reports: QuerySet[Report] | None = None) -> int:
    """Queue again each report waiting or being made with no sign of life for
    REPORT_STALE_SECONDS (its worker was killed, or its task was lost); after REPORT_MAX_ATTEMPTS
    attempts, mark it failed with a message saying to request it again. Returns how many changed.

    Run every minute by the task queue and whenever a report's status page is read (without
    Redis there is no periodic task: the page is then what notices). Each change is conditional
    on the status and attempt read, so two recoveries at once change a report once.
    """
    from hocvuso.monitoring.tasks import generate_report

    changed = 0
    base = Report.objects.all() if reports is None else reports
    for report in _stale(base).only("pk", "status", "attempts"):
        same = Report.objects.filter(pk=report.pk, status=report.status, attempts=report.attempts)
        now = timezone.now()
        if report.attempts < settings.REPORT_MAX_ATTEMPTS:
            if same.update(
                status=Report.Status.PENDING,
                attempts=F("attempts") + 1,
                started_at=None,
                progress_at=now,
            ):
                changed += 1
                transaction.on_commit(partial(generate_report, report.pk))
                logger.warning(
                    "report %s: no sign of life since %s s, queued again (attempt %s)",
                    report.pk,
                    settings.REPORT_STALE_SECONDS,
                    report.attempts + 1,
                )
            continue
        # The message is kept with the report, in the language of the records.
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "Báo cáo chưa tạo được sau %(attempts)s lần thử: máy chủ xử lý nền đã dừng giữa "
                "chừng hoặc không nhận việc. Hãy bấm “Yêu cầu tạo lại”; nếu vẫn lỗi, xin báo "
                "quản trị hệ thống."
            ) % {"attempts": report.attempts}
        changed += same.update(status=Report.Status.FAILED, error=message, finished_at=now)
    return changed

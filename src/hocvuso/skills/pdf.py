"""The printable certificate: an A4 landscape PDF in DejaVu Sans (full Vietnamese), with its QR code."""

import datetime
import io
import logging
from pathlib import Path

import matplotlib
import segno
from fpdf import FPDF

from hocvuso.people.choices import TargetGroup
from hocvuso.skills.models import Certificate, Mode
from hocvuso.skills.services.certificates import qr_payload, verify_url

# fontTools reports every glyph of the font subset at INFO; that is no news for an operator.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
NAVY = (18, 52, 97)
RED = (176, 32, 38)


def qr_png(text: str, *, scale: int = 6) -> bytes:
    """A QR code as PNG bytes."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    """A QR code as a data: URI (SVG), for an <img> the page's CSP allows."""
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as PDF bytes."""
    content = certificate.content
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"Giấy chứng nhận {content['code']} — {content['holder']}")
    pdf.set_subject(content["achievement"])
    pdf.set_author(content["issuer"])
    pdf.set_creator("hocvuso")
    pdf.set_creation_date(
        datetime.datetime.combine(
            datetime.date.fromisoformat(content["confirmed_on"]), datetime.time(), datetime.UTC
        )
    )
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, 275, 188)

    pdf.set_text_color(*NAVY)
    pdf.set_font("DejaVu", "B", 12)
    pdf.set_xy(15, 18)
    pdf.cell(267, 7, "BÌNH DÂN HỌC VỤ SỐ", align="C")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(15, 25)
    pdf.cell(267, 6, content["issuer"], align="C")

    pdf.set_text_color(*RED)
    pdf.set_font("DejaVu", "B", 26)
    pdf.set_xy(15, 42)
    pdf.cell(267, 12, "GIẤY CHỨNG NHẬN", align="C")
    pdf.set_text_color(*NAVY)
    pdf.set_font("DejaVu", "", 14)
    pdf.set_xy(15, 56)
    pdf.cell(267, 8, "Chứng nhận", align="C")

    size = 24
    pdf.set_font("DejaVu", "B", size)
    # A long name is set smaller rather than run over the frame.
    while size > 12 and pdf.get_string_width(content["holder"]) > 260:
        size -= 1
        pdf.set_font("DejaVu", "B", size)
    pdf.set_xy(15, 68)
    pdf.cell(267, 13, content["holder"], align="C")

    pdf.set_font("DejaVu", "", 14)
    pdf.set_xy(30, 86)
    pdf.multi_cell(237, 8, f"{content['achievement']}", align="C")
    pdf.set_font("DejaVu", "", 12)
    pdf.set_x(30)
    group = TargetGroup(content["target_group"]).label
    pdf.multi_cell(
        237,
        7,
        f"Theo {content['profile_title']}\nNhóm đối tượng: {group}",
        align="C",
    )

    mode = "tự đánh giá" if content["mode"] == Mode.SELF else "đánh giá có người hỗ trợ"
    day = datetime.date.fromisoformat(content["confirmed_on"])
    pdf.set_font("DejaVu", "", 11)
    pdf.set_xy(20, 150)
    pdf.multi_cell(
        170,
        6,
        f"Ngày xác nhận: {day:%d/%m/%Y} ({mode})\n"
        f"Khung: {content['framework']}\n"
        f"Mã chứng nhận: {content['code']}\n"
        f"Xác minh: {verify_url(content['code'])}",
    )
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(20, 180)
    pdf.multi_cell(
        170,
        4,
        "Chứng nhận có chữ ký số Ed25519. Quét mã QR hoặc nhập mã chứng nhận tại trang xác minh "
        "để biết chứng nhận còn hiệu lực hay không.",
    )
    pdf.image(io.BytesIO(qr_png(qr_payload(certificate))), x=222, y=130, w=58, h=58)
    return bytes(pdf.output())

"""Anyone verifies a certificate on a 360 px phone by scanning its QR code; a tampered one says so."""

import os
import shutil
from pathlib import Path

import pytest

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import create_user
from hocvuso.learning.services.catalogue import install_starter_catalogue
from hocvuso.people.services import register_household, register_resident
from hocvuso.places.models import Area
from hocvuso.places.services import create_village, load_administrative_units
from hocvuso.skills import signing
from hocvuso.skills.demo import right_answers
from hocvuso.skills.selectors import current_profile
from hocvuso.skills.services.assessment import start_assessment, submit_assessment
from hocvuso.skills.services.certificates import qr_payload
from hocvuso.skills.services.frameworks import load_shipped_frameworks, load_starter_mapping

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("HOCVUSO_SCREENSHOT_DIR", ROOT / "var" / "screenshots"))


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.fixture
def certificate(live_server):
    load_administrative_units()
    load_shipped_frameworks()
    install_starter_catalogue()
    load_starter_mapping()
    village = create_village(commune=Area.objects.get(code="04399"), name="Thôn Sài Lương")
    helper = create_user(
        username="totv.mai",
        password="MatKhau@2025",
        full_name="Triệu Thị Mai",
        roles=[(Role.TEAM_MEMBER, village)],
    )
    household = register_household(village=village, head_name="Bàn Văn Lình", created_by=helper)
    resident = register_resident(
        village=village, household=household, full_name="Bàn Thị Xuân", created_by=helper
    )
    sitting = start_assessment(
        profile=current_profile("citizens"), resident=resident, assisted_by=helper
    )
    submit_assessment(assessment=sitting, answers=right_answers(sitting))
    return sitting.confirmation.certificate


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_a_scanned_certificate_verifies_at_360px_and_a_tampered_qr_is_named(page, certificate):
    page.goto(_path(qr_payload(certificate)))
    assert page.get_by_role("heading", name="✓ Hợp lệ").is_visible()
    assert page.get_by_text("Bàn Thị Xuân", exact=True).is_visible()
    assert page.get_by_role("region").get_by_text(certificate.code, exact=True).is_visible()
    assert page.get_by_role("img", name="Mã QR của chứng nhận").is_visible()
    assert not has_horizontal_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "skills-verify-360.png"
    page.screenshot(path=shot, full_page=True)
    docs = ROOT / "docs" / "screenshots"
    if docs.is_dir():
        shutil.copyfile(shot, docs / "skills-verify-360.png")

    content = dict(certificate.content, holder="Nguyễn Văn Giả")
    token = signing.qr_token(content, certificate.signature)
    page.goto(f"/ky-nang-so/xac-minh/{certificate.code}/?t={token}")
    assert page.get_by_role("heading", name="✗ Mã QR bị sửa").is_visible()
    assert page.get_by_text("Mã QR đã bị sửa hoặc không do nền tảng tạo ra").is_visible()
    assert page.get_by_text("Nguyễn Văn Giả").count() == 0

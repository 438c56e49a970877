"""Help on a 360 px phone: an answer quoted from a lesson, a checked message, a team's request list."""

import os
import shutil
from pathlib import Path

import pytest

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import create_user
from hocvuso.assistant.services import create_help_request, install_starter_help
from hocvuso.learning.models import Lesson
from hocvuso.learning.services.catalogue import install_starter_catalogue
from hocvuso.places.models import Area
from hocvuso.places.services import create_village, load_administrative_units

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("HOCVUSO_SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
DOCS = ROOT / "docs" / "screenshots"
PASSWORD = "MatKhau@2025"
SCAM_SMS = (
    "[VNeID] Tai khoan dinh danh cua ban se bi KHOA trong 24h. Cap nhat muc 2 ngay tai "
    "https://vneid-gov.vn.capnhat-muc2.com va nhap ma OTP de xac thuc. <script>alert(1)</script>"
)


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SCREENSHOTS / name, DOCS / name)


@pytest.fixture
def help_world(live_server):
    load_administrative_units()
    install_starter_catalogue()
    install_starter_help()
    village = create_village(commune=Area.objects.get(code="04399"), name="Thôn Sài Lương")
    learner = create_user(
        username="hocvien.lan",
        password=PASSWORD,
        full_name="Hoàng Thị Lan",
        home_area=village,
        roles=[(Role.LEARNER, village)],
    )
    create_user(
        username="to.mai",
        password=PASSWORD,
        full_name="Triệu Thị Mai",
        roles=[(Role.TEAM_MEMBER, village)],
    )
    lesson = Lesson.objects.get(title__startswith="Kích hoạt tài khoản")
    create_help_request(
        question="Nhập mã kích hoạt VNeID báo sai, nhờ tổ đến hướng dẫn.",
        learner=learner,
        lesson=lesson,
    )
    return village


def test_an_answer_and_a_checked_message_on_a_phone(page, help_world):
    page.goto("/tro-giup/")
    page.fill("#question", "cach kich hoat vneid muc 2")
    page.click("button[type=submit] >> text=Hỏi")
    page.wait_for_selector("#answer-heading")
    assert "Chọn kích hoạt" in page.inner_text("main")
    link = page.get_attribute("a.button >> text=Mở đúng bước này trong bài học", "href")
    assert "?buoc=1#buoc" in link
    assert not has_horizontal_scroll(page)

    page.fill("#question", "còn bước tiếp theo?")
    page.click("button[type=submit] >> text=Hỏi")
    page.wait_for_selector("text=Phần tiếp theo trong bài")
    assert "Nhập số định danh và số điện thoại" in page.inner_text("main")
    shoot(page, "assistant-answer-360.png")

    page.goto("/tro-giup/kiem-tra-tin-nhan/")
    page.fill("#message", SCAM_SMS)
    page.click("button[type=submit] >> text=Kiểm tra")
    page.wait_for_selector("#result-heading")
    text = page.inner_text("main")
    assert "Rất có thể là lừa đảo" in text
    assert "Tên miền giả mạo trang chính thức" in text
    assert "Đòi mã OTP, mã xác thực" in text
    # The pasted script is shown as text, never run.
    assert "<script>alert(1)</script>" in page.input_value("#message")
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert not has_horizontal_scroll(page)
    shoot(page, "assistant-check-360.png")


def test_the_team_sees_the_help_request_of_its_village(page, help_world):
    page.goto("/tai-khoan/dang-nhap/?next=/")
    page.fill('input[name="username"]', "to.mai")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url("**/")
    page.get_by_role("link", name="Yêu cầu hỗ trợ").first.click()
    page.wait_for_url(f"**/tro-giup/yeu-cau/{help_world.code}/")
    assert "Nhập mã kích hoạt VNeID báo sai" in page.inner_text("main")
    assert "Hoàng Thị Lan" in page.inner_text("main")
    page.click("text=Nhập mã kích hoạt VNeID báo sai")
    page.wait_for_selector("text=Đóng yêu cầu sau khi đã hỗ trợ")
    assert not has_horizontal_scroll(page)
    shoot(page, "assistant-help-request-360.png")

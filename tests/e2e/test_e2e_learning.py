"""A learner on a 360 px phone: catalogue, enrol, read, complete, the next lesson unlocks, a check."""

import os
from pathlib import Path

import pytest

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import create_user
from hocvuso.learning.models import Lesson
from hocvuso.places.models import Area
from hocvuso.places.services import load_administrative_units
from tests.learning.factories import add_check, add_lesson, make_course, make_publisher

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(
    os.environ.get(
        "HOCVUSO_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"
    )
)
PASSWORD = "MatKhau@2025"
BODY = """Kẻ gian thường **giả danh công an** gọi điện, nói bạn liên quan đến một vụ án.

## Dấu hiệu nhận biết

- Yêu cầu chuyển tiền để "xác minh".
- Đòi mã OTP hoặc mật khẩu ngân hàng.
- Gửi đường link lạ để cài ứng dụng.

Công an **không bao giờ** làm việc qua điện thoại như vậy. Hãy cúp máy và báo cho công an xã.
"""


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.fixture
def scam_course(live_server):
    load_administrative_units()
    course = make_course(
        publisher=make_publisher(Area.objects.get(code="15"), name="Sở KH&CN Lào Cai"),
        slug="nhan-biet-lua-dao",
        title="Nhận biết lừa đảo qua điện thoại",
        topic="scams",
    )
    add_lesson(course, Lesson.Kind.READING, title="Cuộc gọi giả danh công an", body=BODY)
    add_check(course, shuffle_questions=False)
    create_user(
        username="hocvien.mai",
        password=PASSWORD,
        full_name="Lý Thị Mai",
        roles=[(Role.LEARNER, Area.objects.get(code="04399"))],
    )
    return course


def test_a_learner_at_360px_enrols_reads_completes_and_takes_the_check(page, scam_course):
    page.goto("/tai-khoan/dang-nhap/?next=/hoc/")
    page.fill('input[name="username"]', "hocvien.mai")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url("**/hoc/")

    page.get_by_label("Chủ đề").select_option("scams")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**/hoc/?topic=scams*")
    assert not has_horizontal_scroll(page)
    page.get_by_role("link", name="Nhận biết lừa đảo qua điện thoại").click()
    assert page.get_by_text("Chưa mở").is_visible()
    page.get_by_role("button", name="Đăng ký học").click()

    page.wait_for_url("**/bai/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Cuộc gọi giả danh công an"
    assert page.locator("strong", has_text="không bao giờ").is_visible()
    assert not has_horizontal_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "lesson-360.png", full_page=True)

    page.get_by_role("button", name="Hoàn thành bài học").click()
    page.wait_for_selector("text=Bài 2/2")
    assert page.get_by_role("heading", level=1).inner_text() == "Bài kiểm tra cuối khoá"
    page.get_by_role("button", name="Bắt đầu làm bài").click()

    page.wait_for_url("**/lan-lam/1/")
    page.get_by_label("Không cung cấp mã OTP").check()
    page.get_by_role("button", name="Trả lời").click()
    page.wait_for_selector("text=Đúng rồi!")
    assert page.get_by_text("Giải thích câu 1.").is_visible()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOTS / "check-360.png", full_page=True)

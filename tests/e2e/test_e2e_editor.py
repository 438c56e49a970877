"""An editor writes a small course on a phone and on a desktop: create, a reading, a check, preview, publish."""

import pytest

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import create_user
from hocvuso.learning.models import Course, Publisher
from hocvuso.places.models import Area
from hocvuso.places.services import load_administrative_units

from .test_e2e_site_shell import PASSWORD, SCREENSHOTS, has_horizontal_scroll

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def editor_signed_in(page, live_server):
    load_administrative_units()
    lao_cai = Area.objects.get(code="15")
    create_user(
        username="bientap.laocai",
        password=PASSWORD,
        full_name="Nguyễn Thị Hoa",
        roles=[(Role.CONTENT_EDITOR, lao_cai)],
    )
    Publisher.objects.create(
        name="Sở Khoa học và Công nghệ Lào Cai", kind=Publisher.Kind.PROVINCE, area=lao_cai
    )
    page.goto("/tai-khoan/dang-nhap/")
    page.fill('input[name="username"]', "bientap.laocai")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    return page


def write_course(page, title: str) -> None:
    page.get_by_role("link", name="Biên tập nội dung").first.click()
    page.get_by_role("link", name="Tạo khoá học").first.click()
    assert not has_horizontal_scroll(page)
    page.fill('input[name="title"]', title)
    page.fill('textarea[name="summary"]', "Nhận ra cuộc gọi giả danh công an và không chuyển tiền.")
    page.select_option('select[name="topic"]', "scams")
    page.get_by_label("Người dân").check()
    page.get_by_role("button", name="Tạo khoá học").click()
    page.wait_for_selector(f"h1:has-text('{title}')")

    page.select_option('select[name="kind"]', "reading")
    page.locator('form[action$="/them-bai/"] input[name="title"]').fill("Cuộc gọi giả công an")
    page.get_by_role("button", name="Thêm bài").click()
    page.wait_for_selector("h1:has-text('Cuộc gọi giả công an')")
    page.fill(
        'textarea[name="body"]',
        "Công an **không bao giờ** gọi điện bắt chuyển tiền.\n\n- Cúp máy\n- Gọi 113",
    )
    page.get_by_role("button", name="Xem trước").click()
    assert page.locator(".preview-box strong").inner_text() == "không bao giờ"
    page.get_by_role("button", name="Lưu bài").click()
    page.wait_for_selector("text=Đã lưu bài học.")

    page.get_by_role("link", name="Về khoá học").click()
    page.select_option('select[name="kind"]', "check")
    page.locator('form[action$="/them-bai/"] input[name="title"]').fill("Kiểm tra cuối khoá")
    page.get_by_role("button", name="Thêm bài").click()
    page.get_by_role("link", name="Thêm câu hỏi").click()
    page.select_option('select[name="kind"]', "true_false")
    page.fill('textarea[name="text"]', "Công an có thể gọi điện yêu cầu bạn chuyển tiền.")
    page.fill('textarea[name="explanation"]', "Không bao giờ. Đó là lừa đảo.")
    page.fill('input[name="choice_0"]', "Đúng")
    page.fill('input[name="choice_1"]', "Sai")
    page.check('input[name="correct_1"]')
    page.get_by_role("button", name="Lưu câu hỏi").click()
    page.wait_for_selector("text=Đã lưu câu hỏi.")


def preview_and_publish(page, title: str) -> None:
    page.get_by_role("link", name="Xem trước như người học").click()
    assert page.locator(".preview-banner").is_visible()
    assert page.get_by_text("Không bao giờ. Đó là lừa đảo.").count() == 1
    page.get_by_role("link", name="Bài trước").click()
    assert page.locator("main strong", has_text="không bao giờ").is_visible()
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("link", name="Xuất bản").first.click()
    page.get_by_role("button", name="Xuất bản").click()
    page.wait_for_selector("text=Đã xuất bản khoá học, phiên bản 1.")


def test_an_editor_writes_previews_and_publishes_a_course_on_a_phone(editor_signed_in):
    page = editor_signed_in
    title = "Cảnh giác cuộc gọi lừa đảo"
    write_course(page, title)
    assert not has_horizontal_scroll(page)
    preview_and_publish(page, title)
    assert not has_horizontal_scroll(page)
    course = Course.objects.get(title=title)
    assert (course.status, course.version, course.lessons.count()) == ("published", 1, 2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "editor-360.png", full_page=True)


def test_an_editor_writes_previews_and_publishes_a_course_on_a_desktop(editor_signed_in):
    page = editor_signed_in
    page.set_viewport_size(DESKTOP)
    title = "Cảnh giác cuộc gọi giả danh"
    write_course(page, title)
    preview_and_publish(page, title)
    assert Course.objects.get(title=title).status == "published"
    assert not has_horizontal_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "editor-1280.png", full_page=True)

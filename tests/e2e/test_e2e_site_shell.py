import os
from pathlib import Path

import pytest

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import create_user
from hocvuso.places.models import Area
from hocvuso.places.services import load_administrative_units

pytestmark = pytest.mark.e2e

# Kept out of the tree by default so that a test run leaves the checkout clean; the README's
# screenshots in docs/screenshots/ are copies of these.
SCREENSHOTS = Path(
    os.environ.get(
        "HOCVUSO_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"
    )
)
PASSWORD = "MatKhau@2025"


def root_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_home_at_360px_has_no_horizontal_scroll(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Bình dân học vụ số"
    assert not has_horizontal_scroll(page)
    assert root_font_px(page) >= 16


def test_larger_text_applies_and_survives_a_reload(page):
    page.goto("/")
    before = root_font_px(page)
    page.locator('[data-display="larger"]').click()
    after = root_font_px(page)
    assert after > before
    assert page.locator('[data-display="normal"]').get_attribute("aria-pressed") == "false"

    page.reload()
    assert root_font_px(page) == after
    assert not has_horizontal_scroll(page)

    page.locator('[data-display="normal"]').click()
    assert root_font_px(page) == before
    assert page.locator('[data-display="normal"]').get_attribute("aria-pressed") == "true"


def test_high_contrast_applies_and_survives_a_reload(page):
    page.goto("/")
    switch = page.locator('[data-display="contrast"]')
    assert switch.get_attribute("aria-pressed") == "false"
    switch.click()
    assert switch.get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"

    page.reload()
    assert "high-contrast" in page.locator("html").get_attribute("class")
    assert page.locator('[data-display="contrast"]').get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_switching_to_english_and_back(page):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector('html[lang="en"]')
    assert page.get_by_role("heading", name="Where to start").is_visible()

    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_selector('html[lang="vi"]')
    assert page.get_by_role("heading", name="Bắt đầu từ đâu").is_visible()


def test_login_through_the_form_lands_on_home_with_the_users_name(page, live_server):
    load_administrative_units()
    create_user(
        username="canbo.dongcuong",
        password=PASSWORD,
        full_name="Hoàng Văn Minh",
        roles=[(Role.COMMUNE_OFFICER, Area.objects.get(code="04399"))],
    )
    page.goto("/")
    page.locator(".user-menu").get_by_role("link", name="Đăng nhập").click()
    page.wait_for_url("**/tai-khoan/dang-nhap/**")
    page.fill('input[name="username"]', "canbo.dongcuong")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('input[name="password"]').press("Enter")

    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".user-menu").get_by_text("Hoàng Văn Minh").is_visible()
    assert page.get_by_role("heading", name="Việc của bạn").is_visible()
    assert page.get_by_role("link", name="Thôn, tổ dân phố").first.is_visible()
    assert not has_horizontal_scroll(page)


def test_home_screenshots(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/")
    page.screenshot(path=SCREENSHOTS / "home-360.png", full_page=True)

    page.locator('[data-display="larger"]').click()
    page.locator('[data-display="larger"]').click()
    page.locator('[data-display="contrast"]').click()
    assert page.locator("html").get_attribute("data-text-size") == "2"
    assert not has_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOTS / "home-360-large-contrast.png", full_page=True)

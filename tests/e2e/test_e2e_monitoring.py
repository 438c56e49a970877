"""The commune and national dashboards, and the public ranking at 360 px and on a desktop."""

import os
import shutil
from pathlib import Path

import pytest

from hocvuso.accounts.demo import DEMO_PASSWORD
from hocvuso.demo.services import load_demo

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("HOCVUSO_SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
DESKTOP = {"width": 1280, "height": 900}


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / name
    page.screenshot(path=shot, full_page=True)
    docs = ROOT / "docs" / "screenshots"
    if docs.is_dir():
        shutil.copyfile(shot, docs / name)


def _sign_in(page, username: str, next_url: str) -> None:
    page.goto(f"/tai-khoan/dang-nhap/?next={next_url}")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', DEMO_PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url(f"**{next_url}")


@pytest.fixture
def demo(live_server):
    load_demo()


def test_dashboards_and_public_ranking(page, browser, live_server, demo):
    _sign_in(page, "demo.canboxa", "/theo-doi/04399/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Xã Đông Cuông")
    assert page.get_by_text("Số liệu đến").first.is_visible()
    assert page.locator("svg.spark").count() >= 10
    assert page.get_by_role("link", name="Thôn Sài Lương").is_visible()
    assert not has_horizontal_scroll(page)

    desk = browser.new_context(viewport=DESKTOP, base_url=live_server.url, bypass_csp=True)
    officer = desk.new_page()
    _sign_in(officer, "demo.canboxa", "/theo-doi/04399/")
    _shot(officer, "monitoring-commune.png")
    officer.close()

    desk.clear_cookies()
    national = desk.new_page()
    _sign_in(national, "demo.quantri", "/theo-doi/VN/")
    national.get_by_role("link", name="Lào Cai", exact=True).click()
    national.wait_for_url("**/theo-doi/15/")
    assert national.get_by_role("link", name="Xã Đông Cuông").is_visible()
    national.goto("/theo-doi/VN/")
    _shot(national, "monitoring-national.png")

    public = desk.new_page()
    public.goto("/theo-doi/cong-khai/?chi_tieu=tong_hop")
    assert public.get_by_role("link", name="Lào Cai", exact=True).is_visible()
    assert public.get_by_text("Biểu dương").first.is_visible()
    _shot(public, "monitoring-ranking.png")
    desk.close()

    page.goto("/theo-doi/cong-khai/15/?chi_tieu=tong_hop")
    assert not has_horizontal_scroll(page)
    _shot(page, "monitoring-ranking-360.png")

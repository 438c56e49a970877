"""The field form offline at 360 px: visits wait on the phone, are sent when the signal returns, once."""

import datetime

import pytest

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import create_user
from hocvuso.field.models import Visit
from hocvuso.field.services.teams import add_team_member, save_team
from hocvuso.people.models import MilestoneEvent
from hocvuso.people.services import register_household, register_resident
from hocvuso.places.models import Area
from hocvuso.places.services import create_village, load_administrative_units
from tests.e2e.test_e2e_site_shell import PASSWORD, SCREENSHOTS, has_horizontal_scroll

pytestmark = pytest.mark.e2e


@pytest.fixture
def field_world(live_server):
    load_administrative_units()
    village = create_village(commune=Area.objects.get(code="04399"), name="Thôn Sài Lương")
    member = create_user(
        username="tocnscd.sailuong",
        password=PASSWORD,
        full_name="Triệu Thị Mai",
        roles=[(Role.TEAM_MEMBER, village)],
    )
    team = save_team(village=village, decision_number="15/QĐ-UBND")
    add_team_member(team=team, user=member, joined_on=datetime.date(2025, 9, 20))
    household = register_household(village=village, head_name="Hoàng Văn Páo", created_by=member)
    people = [
        register_resident(
            village=village,
            household=household,
            full_name=name,
            year_of_birth=born,
            created_by=member,
        )
        for name, born in (("Hoàng Văn Páo", 1962), ("Lý Thị Dung", 1968))
    ]
    return village, household, people


def sign_in(page):
    page.goto("/tai-khoan/dang-nhap/")
    page.fill('input[name="username"]', "tocnscd.sailuong")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url("**/")


def waiting_text(page) -> str:
    return page.locator("[data-queue-count]").inner_text()


def test_visits_queued_offline_are_sent_once_when_the_signal_returns(page, field_world):
    village, household, people = field_world
    sign_in(page)
    page.goto(f"/co-so/thon/{village.code}/tham-ho/?ho={household.pk}")
    # Online: the service worker installs and the page gets its API token.
    page.wait_for_selector('#offline-queue[data-worker-ready="true"]')
    page.wait_for_function(
        "window.hocvusoFieldQueue && document.querySelector('[data-queue-count]').textContent"
    )
    assert waiting_text(page) == "Đang chờ gửi: 0"

    page.context.set_offline(True)
    page.wait_for_selector("#offline-queue.is-offline")
    for person, milestone in ((people[0], "has_smartphone"), (people[1], "vneid_installed")):
        page.check(f'input[name="residents"][value="{person.pk}"]')
        page.check(f'input[name="milestones_{person.pk}"][value="{milestone}"]')
        page.fill('textarea[name="activities"]', f"Hướng dẫn {person.full_name}")
        page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_function(
        "document.querySelector('[data-queue-count]').textContent === 'Đang chờ gửi: 2'"
    )
    assert page.locator(".queue-item.queue-waiting").count() == 2
    assert not has_horizontal_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "field-offline-360.png", full_page=True)
    assert Visit.objects.count() == 0
    queued = page.evaluate("window.hocvusoFieldQueue.items()")

    page.context.set_offline(False)
    page.wait_for_function(
        "document.querySelector('[data-queue-count]').textContent === 'Đang chờ gửi: 0'"
    )
    assert page.locator(".queue-item").count() == 0
    assert Visit.objects.count() == 2
    assert {str(v.client_id) for v in Visit.objects.all()} == {item["client_id"] for item in queued}
    assert MilestoneEvent.objects.count() == 2

    # The same items sent again (a retry after a lost answer) are recognised and change nothing.
    page.evaluate(
        "items => Promise.all(items.map(i => window.hocvusoFieldQueue.put(i)))"
        ".then(() => window.hocvusoFieldQueue.sync())",
        queued,
    )
    page.wait_for_function(
        "document.querySelector('[data-queue-count]').textContent === 'Đang chờ gửi: 0'"
    )
    assert page.locator(".queue-item").count() == 0
    assert Visit.objects.count() == 2
    assert MilestoneEvent.objects.count() == 2


def test_the_field_app_page_installs_as_an_app(page, field_world):
    sign_in(page)
    page.goto("/co-so/ung-dung/")
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["scope"] == "/co-so/"
    assert manifest["start_url"] == "/co-so/ung-dung/"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    page.wait_for_selector('#offline-queue[data-worker-ready="true"]')
    page.context.set_offline(True)
    page.reload()
    assert page.get_by_role("heading", name="Công tác cơ sở").is_visible()

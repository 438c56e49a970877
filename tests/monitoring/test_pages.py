"""Dashboards, rankings with peer groups, the public board and the public JSON API."""

import datetime

import pytest
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.monitoring.metrics import week_of
from hocvuso.monitoring.models import PeerGroup
from hocvuso.monitoring.selectors import (
    children_rows,
    forecast,
    indicator_values,
    numerator_at,
    ranking,
    weekly_gains,
)
from hocvuso.monitoring.services.targets import set_peer_group, set_target
from hocvuso.people.models import MilestoneEvent
from hocvuso.people.services import record_milestone, register_resident


@pytest.fixture
def villages(dong_cuong, make_village, admin):
    """Three villages: 3 of 4 residents guided, 1 of 4, and 6 of 6 (the last one small)."""
    made = []
    today = timezone.localdate()
    for name, people, guided in (("Thôn A", 4, 3), ("Thôn B", 4, 1), ("Thôn C", 6, 6)):
        village = make_village(dong_cuong, name)
        for i in range(people):
            resident = register_resident(
                village=village, full_name=f"Người {name} {i}", created_by=admin
            )
            if i < guided:
                record_milestone(
                    resident=resident,
                    milestone="has_smartphone",
                    achieved_on=today - datetime.timedelta(weeks=i),
                    method=MilestoneEvent.Method.VISIT,
                    recorded_by=admin,
                )
        made.append(village)
    return made


def test_ranking_orders_children_with_completeness(villages, dong_cuong):
    rows = ranking(dong_cuong, weights={"residents_guided": 1.0})
    assert [(r.rank, r.area.name, r.score) for r in rows] == [
        (1, "Thôn C", 100.0),
        (2, "Thôn A", 75.0),
        (3, "Thôn B", 25.0),
    ]
    assert rows[0].completeness == (1, 1)


def test_ranking_within_a_peer_group(villages, dong_cuong, officer, area, admin):
    province = area("15")
    set_peer_group(area=dong_cuong, peer_group=PeerGroup.MOUNTAIN, set_by=admin)
    rows = ranking(province, weights={"residents_guided": 1.0}, peer_group=PeerGroup.MOUNTAIN)
    assert [r.area.code for r in rows] == ["04399"]
    urban = ranking(province, weights={"residents_guided": 1.0}, peer_group=PeerGroup.URBAN)
    assert urban and all(r.area.kind == "phường" for r in urban)


def test_forecast_says_when_or_that_it_will_not(villages, dong_cuong, officer):
    set_target(
        area=dong_cuong,
        indicator="residents_guided",
        year=timezone.localdate().year,
        kind="percent",
        value=95,
        set_by=officer,
    )
    value = {v.code: v for v in indicator_values(dong_cuong)}["residents_guided"]
    assert value.needed == 14
    assert value.forecast.status in {"on_track", "late"}
    slow = forecast(value, {}, timezone.localdate())
    assert (slow.status, slow.date) == ("late", None)


def test_a_row_of_the_children_table_forecasts_as_the_childs_own_dashboard(
    villages, dong_cuong, officer, area
):
    set_target(
        area=dong_cuong,
        indicator="residents_guided",
        year=timezone.localdate().year,
        kind="percent",
        value=95,
        set_by=officer,
    )
    own = {v.code: v for v in indicator_values(dong_cuong)}["residents_guided"]
    row = next(r for r in children_rows(area("15")) if r.area == dong_cuong)
    in_table = row.values["residents_guided"]
    assert own.forecast.pace > 0
    assert (in_table.numerator, in_table.forecast) == (own.numerator, own.forecast)
    assert row.is_laggard == (own.forecast.status == "late")


def test_dashboard_pages_at_every_level(villages, dong_cuong, area, make_user, login):
    admin = make_user(Role.NATIONAL_ADMIN, area("VN"))
    client = login(admin)
    for code in ("VN", "15", "04399", villages[0].code):
        page = client.get(f"/theo-doi/{code}/")
        assert page.status_code == 200, code
        assert "<svg" in page.content.decode()
    page = client.get(f"/theo-doi/{villages[0].code}/to/")
    assert page.status_code == 200
    page = client.get("/theo-doi/04399/xep-hang/?chi_tieu=tong_hop&cach=tien_bo&tu=2026-01-01")
    assert page.status_code == 200
    assert "Thôn C" in page.content.decode()


def test_public_board_suppresses_small_counts(villages, client):
    page = client.get("/theo-doi/cong-khai/04399/?chi_tieu=residents_guided")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Thôn C" in text
    # Thôn A and B have 4 residents each: their shares rest on fewer than 5 people.
    assert text.count("&lt;5") == 2
    assert "Người Thôn" not in text


def test_api_indicators_and_ranking(villages, client, dong_cuong):
    body = client.get("/api/v1/areas/04399/indicators").json()
    guided = next(i for i in body["indicators"] if i["code"] == "residents_guided")
    assert (guided["numerator"], guided["denominator"], guided["value"]) == (10, 14, 71.4)
    assert set(guided) >= {
        "code",
        "name",
        "numerator",
        "denominator",
        "value",
        "target",
        "as_of",
        "forecast_date",
    }
    ranked = client.get("/api/v1/areas/04399/ranking?indicator=residents_guided").json()
    assert [(r["rank"], r["name"], r["score"]) for r in ranked["ranking"]] == [
        (1, "Thôn C", 100.0),
        (2, "Thôn A", None),
        (3, "Thôn B", None),
    ]
    bad = client.get("/api/v1/areas/04399/ranking?indicator=khong_co")
    assert bad.status_code == 422
    assert "không tồn tại" in bad.json()["detail"]
    assert client.get("/api/v1/areas/XX/indicators").status_code == 404


def test_the_ranking_page_moves_a_child_to_another_peer_group(
    villages, dong_cuong, area, admin, login
):
    client = login(admin)
    url = "/theo-doi/15/xep-hang/?chi_tieu=residents_guided"
    page = client.get(url).content.decode()
    assert page.count('name="peer_group"') == 1
    assert '<option value="04399">Xã Đông Cuông</option>' in page

    answer = client.post(url, {"area": "04399", "peer_group": PeerGroup.MOUNTAIN})
    assert answer.status_code == 302
    mountain = ranking(area("15"), weights={"residents_guided": 1.0}, peer_group="mountain")
    assert [row.area.code for row in mountain] == ["04399"]

    refused = client.post(url, {"area": "04399", "peer_group": "khong_co"}, follow=True)
    assert [
        row.area.code
        for row in ranking(area("15"), weights={"residents_guided": 1.0}, peer_group="mountain")
    ] == ["04399"]
    assert refused.status_code == 200


def test_each_point_of_a_trend_is_the_total_less_what_was_gained_after_its_week(
    villages, dong_cuong
):
    today = timezone.localdate()
    since = week_of(today) - datetime.timedelta(weeks=20)
    gains = weekly_gains([dong_cuong], since)[dong_cuong.pk]
    value = {v.code: v for v in indicator_values(dong_cuong)}["residents_guided"]
    metrics = value.indicator.numerator
    expected = [
        100
        * numerator_at(value.numerator, gains, metrics, week + datetime.timedelta(weeks=1))
        / value.denominator
        for week, _point in value.trend
    ]
    assert [round(point, 6) for _week, point in value.trend] == [round(e, 6) for e in expected]
    assert len(set(expected)) > 1

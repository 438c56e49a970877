"""The demo gives live-looking dashboards, its targets are the brief's, and rebuild == live."""

import datetime

from django.urls import reverse

from hocvuso.accounts.models import User
from hocvuso.demo.services import load_demo
from hocvuso.monitoring.models import Commendation, CustomReport, SpotCheck, Target
from hocvuso.monitoring.selectors import indicator_values
from hocvuso.monitoring.services.rebuild import rebuild_counters
from hocvuso.places.models import Area
from tests.monitoring.events import differences, snapshot


def test_demo_dashboards_targets_and_rebuild(db, client):
    load_demo()

    end = datetime.date(2025, 12, 31)
    assert {
        (t.indicator, float(t.value), t.deadline)
        for t in Target.objects.filter(area__code="04399", year=2025)
    } == {
        ("officials_skilled", 100.0, end),
        ("households_guided", 90.0, end),
        ("residents_guided", 80.0, end),
    }
    values = {v.code: v for v in indicator_values(Area.objects.get(code="04399"), year=2026)}
    guided = values["residents_guided"]
    assert guided.denominator > 300
    assert 40 < guided.value < 100
    assert guided.trend[0][1] < guided.trend[-1][1]
    assert values["households_guided"].target.value == 90
    assert values["officials_skilled"].forecast.status in {"reached", "on_track", "late"}
    client.force_login(User.objects.get(username="demo.canboxa"))
    page = client.get(reverse("monitoring:dashboard", args=["04399"]))
    assert page.status_code == 200
    assert "Số liệu đến" in page.content.decode()

    before = snapshot()
    load_demo()
    assert differences(before[0], snapshot()[0]) == {}
    assert CustomReport.objects.filter(status="approved").exists()
    assert SpotCheck.objects.exclude(result="pending").count() == 4
    assert Commendation.objects.count() == 2
    rebuild_counters()
    after = snapshot()
    assert [differences(a, b) for a, b in zip(before, after, strict=True)] == [{}, {}, {}]

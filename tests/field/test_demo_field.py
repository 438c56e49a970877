import datetime

import pytest

from hocvuso.demo.services import load_demo
from hocvuso.field.demo import load_demo_field
from hocvuso.field.models import (
    Class,
    ContestEntry,
    Event,
    LearningSite,
    Mentorship,
    Quota,
    Recognition,
    RecognitionRule,
    Team,
    Visit,
)
from hocvuso.people.models import MilestoneEvent

pytestmark = pytest.mark.django_db

MODELS = (
    Team,
    Quota,
    Visit,
    LearningSite,
    Class,
    Event,
    ContestEntry,
    Mentorship,
    RecognitionRule,
    Recognition,
    MilestoneEvent,
)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_gives_sai_luong_its_team_site_class_events_and_rules_once():
    load_demo()
    team = Team.objects.select_related("village__parent").get()
    assert team.village.name == "Thôn Sài Lương" and team.village.parent.code == "04399"
    assert team.decision_number
    assert set(team.memberships.values_list("user__username", "role")) == {
        ("demo.totruong", "leader"),
        ("demo.totv", "member"),
    }
    quota = team.quotas.get()
    assert (quota.period_start, quota.period_end) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
    assert Visit.objects.filter(team=team).count() >= 3
    site = LearningSite.objects.get(name="Nhà văn hoá thôn Sài Lương")
    assert (site.computers, site.has_printer, site.has_wifi, site.funding) == (
        1,
        True,
        True,
        "budget",
    )
    assert Class.objects.get(site=site).for_elderly
    learning_day = Event.objects.get(kind=Event.Kind.LEARNING_DAY)
    assert (learning_day.date.day, learning_day.date.month) == (10, 10)
    assert set(
        RecognitionRule.objects.filter(commune__code="04399").values_list("kind", flat=True)
    ) == {"gia_dinh_so", "cho_so"}

    before = _counts()
    load_demo_field()
    assert _counts() == before

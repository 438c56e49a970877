"""The live counters equal a rebuild from the records, after any mix of events."""

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone

from hocvuso.monitoring.metrics import RESIDENTS, week_of
from hocvuso.monitoring.services.rebuild import own_weekly, rebuild_counters, weekly_by_village
from tests.monitoring.events import EventMix, differences, snapshot


@pytest.fixture
def mix(dong_cuong, tien_lu, make_village, make_user, admin):
    villages = [make_village(dong_cuong) for _ in range(3)] + [make_village(tien_lu)]
    learners = [
        make_user(None, None, home_area=villages[0]),
        make_user(None, None, home_area=dong_cuong),
        make_user(None, None),
    ]
    return EventMix(rng=random.Random(2025), villages=villages, recorder=admin, learners=learners)


def test_rebuild_equals_live_after_a_random_mix_of_events(mix, dong_cuong, tien_lu, area):
    ran = mix.run(160, communes=[dong_cuong, tien_lu, area("02680")])
    assert len(ran) >= 14, ran
    live = snapshot()
    assert live[0][(area("VN").pk, RESIDENTS)] > 20

    rebuild_counters()
    rebuilt = snapshot()

    assert differences(live[0], rebuilt[0]) == {}
    assert differences(live[1], rebuilt[1]) == {}
    assert differences(live[2], rebuilt[2]) == {}


def test_rebuilding_one_commune_keeps_every_level_consistent(mix, dong_cuong, tien_lu):
    mix.run(60, communes=[])
    live = snapshot()
    rebuild_counters(area=dong_cuong)
    assert differences(live[0], snapshot()[0]) == {}
    rebuild_counters(area=mix.villages[0])
    assert differences(live[1], snapshot()[1]) == {}


def test_a_villages_recent_weekly_gains_are_read_from_its_own_records(mix):
    mix.run(80, communes=[])
    since = week_of(timezone.localdate()) - datetime.timedelta(weeks=6)
    older = newer = 0
    for village in mix.villages:
        everything = own_weekly(village)
        recent = Counter({key: n for key, n in everything.items() if key[1] >= since})
        assert weekly_by_village({village.pk}, since=since)[village.pk] == recent
        newer += sum(recent.values())
        older += sum(everything.values()) - sum(recent.values())
    assert older > 0 and newer > 0

"""PostgreSQL: writers in parallel threads, each with its own connection, and rebuild == live."""

import random
import threading

import pytest
from django.db import connections

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import create_user
from hocvuso.monitoring.models import AreaCounter
from hocvuso.monitoring.services.rebuild import rebuild_counters
from hocvuso.places.models import Area
from hocvuso.places.services import create_village
from tests.monitoring.events import EventMix, differences, snapshot

# SQLite serialises writers: nothing would run at once there.
pytestmark = pytest.mark.postgresql

THREADS = 4
STEPS = 40


@pytest.mark.django_db(transaction=True)
def test_rebuild_equals_live_under_concurrent_writers(administrative_units):
    country = Area.objects.get(code="VN")
    communes = [Area.objects.get(code=code) for code in ("04399", "02680", "12364")]
    admin = create_user(
        username="quantri", password="MatKhau@2025", roles=[(Role.NATIONAL_ADMIN, country)]
    )
    plans = []
    for n in range(THREADS):
        villages = [
            create_village(commune=communes[(n + i) % 3], name=f"Thôn {n}-{i}") for i in range(2)
        ]
        learner = create_user(
            username=f"hocvien{n}", password="MatKhau@2025", home_area=villages[0]
        )
        plans.append(
            EventMix(rng=random.Random(n), villages=villages, recorder=admin, learners=[learner])
        )
    errors = []
    start = threading.Barrier(THREADS)

    def write(mix):
        try:
            start.wait()
            mix.run(STEPS, communes=[])
        except Exception as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(mix,)) for mix in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # The writers really used several slots of the country's counters.
    slots = set(AreaCounter.objects.filter(area=country).values_list("slot", flat=True))
    assert len(slots) > 1

    live = snapshot()
    rebuild_counters()
    rebuilt = snapshot()
    assert differences(live[0], rebuilt[0]) == {}
    assert differences(live[1], rebuilt[1]) == {}
    assert differences(live[2], rebuilt[2]) == {}

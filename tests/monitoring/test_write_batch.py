"""Counter writes gathered in a write batch: once at its end, and never for what was rolled back."""

import datetime
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hocvuso.field.models import Visit
from hocvuso.field.services.visits import record_visit
from hocvuso.monitoring import metrics as m
from hocvuso.monitoring.selectors import metric_totals
from hocvuso.monitoring.services.rebuild import rebuild_counters
from hocvuso.people.services import register_household, register_resident
from hocvuso.write_batch import write_batch
from tests.monitoring.events import differences, snapshot

DAY = datetime.date(2026, 11, 2)


class Boom(Exception):
    pass


@pytest.fixture
def homes(make_village, dong_cuong, admin):
    village = make_village(dong_cuong)
    found = []
    for n in range(3):
        household = register_household(village=village, head_name=f"Chủ hộ {n}", created_by=admin)
        resident = register_resident(
            village=village,
            household=household,
            full_name=f"Người dân {n}",
            year_of_birth=1970,
            created_by=admin,
        )
        found.append((household, resident))
    return village, found


def _visit(admin, household, resident):
    return record_visit(
        client_id=uuid.uuid4(),
        recorded_by=admin,
        visited_on=DAY,
        channel=Visit.Channel.DOOR_TO_DOOR,
        household=household,
        residents=[resident],
        milestones={resident.pk: ["vneid_installed"]},
    )


def _visits(area) -> int:
    return metric_totals([area.pk]).get(area.pk, {}).get(m.VISITS, 0)


def test_a_rolled_back_savepoint_takes_its_counter_changes_with_it(homes, admin, area):
    village, found = homes
    with write_batch():
        _visit(admin, *found[0])
        with pytest.raises(Boom), transaction.atomic():
            _visit(admin, *found[1])
            raise Boom
        _visit(admin, *found[2])
        # Nothing written yet: the batch writes its counters once, at its end.
        assert _visits(village) == 0

    assert _visits(village) == 2
    assert _visits(area("VN")) == 2
    live = snapshot()
    rebuild_counters()
    rebuilt = snapshot()
    assert differences(live[0], rebuilt[0]) == {}
    assert differences(live[1], rebuilt[1]) == {}


def test_a_failed_batch_writes_nothing(homes, admin, area):
    village, found = homes
    with pytest.raises(Boom), write_batch():
        _visit(admin, *found[0])
        raise Boom
    assert _visits(village) == 0
    assert Visit.objects.count() == 0


def test_a_batch_writes_each_counter_table_once(homes, admin):
    village, found = homes
    upserts = 'INSERT INTO "monitoring_weeklycounter"'
    with CaptureQueriesContext(connection) as alone:
        for household, resident in found[:2]:
            _visit(admin, household, resident)
    with CaptureQueriesContext(connection) as batched, write_batch():
        _visit(admin, *found[2])
        _visit(admin, *found[0])
    written_alone = [q for q in alone.captured_queries if upserts in q["sql"]]
    written_batched = [q for q in batched.captured_queries if upserts in q["sql"]]
    # A visit writes its own counters and its milestones' at once; a batch, all its visits'.
    assert len(written_alone) == 2
    assert len(written_batched) == 1
    assert _visits(village) == 4


def _equals_rebuild() -> None:
    live = snapshot()
    rebuild_counters()
    rebuilt = snapshot()
    for part in range(3):
        assert differences(live[part], rebuilt[part]) == {}


def test_a_tally_read_inside_a_batch_sees_the_records_deferred_before_it(homes, admin, area):
    village, found = homes
    with write_batch():
        first, _ = _visit(admin, *found[0])
        _visit(admin, *found[0])
        # Deleting a visit reads its household's tally: the two deferred visits are applied first.
        first.delete()
        _visit(admin, *found[1])
    assert _visits(village) == 2
    _equals_rebuild()


def test_a_settled_read_rolled_back_leaves_the_records_to_the_batchs_end(homes, admin):
    village, found = homes
    with write_batch():
        _visit(admin, *found[0])
        with pytest.raises(Boom), transaction.atomic():
            # The read applies the deferred visit inside this savepoint, which is then undone.
            _visit(admin, *found[2])[0].delete()
            raise Boom
        _visit(admin, *found[1])
    assert _visits(village) == 2
    _equals_rebuild()

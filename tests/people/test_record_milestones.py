import datetime

import pytest

from hocvuso.people.choices import Milestone
from hocvuso.people.models import MilestoneEvent
from hocvuso.people.services import (
    PeopleError,
    record_milestone,
    record_milestones,
    register_resident,
)

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def neighbour(sai_luong, household, member):
    return register_resident(
        village=sai_luong, household=household, full_name="Bàn Thị Lan", created_by=member
    )


def test_bulk_recording_creates_each_milestone_once_and_reports_which_were_new(
    resident, neighbour, member
):
    record_milestone(
        resident=resident,
        milestone=Milestone.HAS_SMARTPHONE,
        achieved_on=TODAY,
        method="visit",
        recorded_by=member,
    )
    results = record_milestones(
        resident_milestones=[
            (resident, [Milestone.HAS_SMARTPHONE, Milestone.VNEID_INSTALLED]),
            (neighbour, [Milestone.VNEID_INSTALLED, Milestone.VNEID_INSTALLED]),
        ],
        achieved_on=TODAY,
        method="visit",
        recorded_by=member,
    )
    assert sorted((e.resident_id, e.milestone, created) for e, created in results) == sorted(
        [
            (resident.pk, "has_smartphone", False),
            (resident.pk, "vneid_installed", True),
            (neighbour.pk, "vneid_installed", True),
        ]
    )
    assert MilestoneEvent.objects.count() == 3
    again = record_milestones(
        resident_milestones=[(neighbour, [Milestone.VNEID_INSTALLED])],
        achieved_on=TODAY,
        method="visit",
        recorded_by=member,
    )
    assert [created for _event, created in again] == [False]
    assert MilestoneEvent.objects.count() == 3


def test_bulk_recording_with_one_unknown_milestone_records_nothing(resident, member):
    with pytest.raises(PeopleError):
        record_milestones(
            resident_milestones=[(resident, [Milestone.HAS_SMARTPHONE, "bay_duoc"])],
            achieved_on=TODAY,
            method="visit",
            recorded_by=member,
        )
    assert not MilestoneEvent.objects.exists()

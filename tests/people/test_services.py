import datetime
import uuid

import pytest
from django.utils import timezone

from hocvuso.people.models import Consent, Household, MilestoneEvent, Resident
from hocvuso.people.services import (
    ConflictError,
    PeopleError,
    record_consent,
    record_milestone,
    record_milestones,
    register_household,
    register_resident,
    update_resident,
    withdraw_consent,
)
from hocvuso.places.services import merge_villages

TODAY = datetime.date.today


def test_a_resident_is_registered_with_a_normalised_phone(resident):
    assert resident.phone == "0912345678"
    assert resident.version == 1
    assert resident.citizen_id_hash


def test_a_replayed_registration_returns_the_first_resident(sai_luong, member):
    client_id = uuid.uuid4()
    first = register_resident(
        village=sai_luong, full_name="Bàn Thị Hoa", created_by=member, client_id=client_id
    )
    again = register_resident(
        village=sai_luong, full_name="Bàn Thị Hoa", created_by=member, client_id=client_id
    )
    assert again.pk == first.pk
    assert Resident.objects.filter(full_name="Bàn Thị Hoa").count() == 1


def test_a_replayed_household_returns_the_first_one(sai_luong, member):
    client_id = uuid.uuid4()
    first = register_household(
        village=sai_luong, head_name="Hoàng Văn Tuấn", created_by=member, client_id=client_id
    )
    again = register_household(
        village=sai_luong, head_name="Hoàng Văn Tuấn", created_by=member, client_id=client_id
    )
    assert first.pk == again.pk
    assert Household.objects.filter(head_name="Hoàng Văn Tuấn").count() == 1


def test_a_duplicate_id_names_the_village_to_a_user_who_may_see_it(resident, sai_luong, officer):
    with pytest.raises(PeopleError, match="Thôn Sài Lương"):
        register_resident(
            village=sai_luong, full_name="Người khác", citizen_id="010068123456", created_by=officer
        )


def test_a_duplicate_id_names_no_village_to_a_user_outside_its_scope(resident, quang, outsider):
    with pytest.raises(PeopleError) as error:
        register_resident(
            village=quang, full_name="Người khác", citizen_id="010 068 123 456", created_by=outsider
        )
    assert "đã có trong hệ thống" in str(error.value)
    assert "Sài Lương" not in str(error.value)
    assert Resident.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year_of_birth", 1850, "Năm sinh"),
        ("year_of_birth", timezone.localdate().year + 1, "Năm sinh"),
        ("phone", "12345", "Số điện thoại"),
        ("citizen_id", "12345678901", "12 chữ số"),
        ("citizen_id", "999068123456", "12 chữ số"),
        ("full_name", "   ", "Họ và tên"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_saved(
    sai_luong, member, field, value, message
):
    fields = {"full_name": "Lý Thị Mai", field: value}
    with pytest.raises(PeopleError, match=message):
        register_resident(village=sai_luong, created_by=member, **fields)
    assert Resident.objects.count() == 0


def test_a_household_of_another_village_is_refused(quang, household, member):
    with pytest.raises(PeopleError):
        register_resident(village=quang, household=household, full_name="A", created_by=member)


def test_an_update_bumps_the_version(resident, member):
    updated = update_resident(
        resident=resident, changed_by=member, expected_version=1, phone="0987654321"
    )
    assert updated.version == 2
    assert Resident.objects.get(pk=resident.pk).phone == "0987654321"


def test_an_edit_of_an_older_copy_is_a_conflict_carrying_the_server_values(resident, member):
    update_resident(resident=resident, changed_by=member, expected_version=1, ethnicity="Tày")
    with pytest.raises(ConflictError) as conflict:
        update_resident(resident=resident, changed_by=member, expected_version=1, ethnicity="Kinh")
    assert conflict.value.version == 2
    assert conflict.value.current["ethnicity"] == "Tày"
    assert "citizen_id" not in conflict.value.current
    assert Resident.objects.get(pk=resident.pk).ethnicity == "Tày"


def test_an_update_to_a_number_held_by_someone_else_is_refused(resident, sai_luong, member):
    other = register_resident(village=sai_luong, full_name="Bàn Thị Hoa", created_by=member)
    with pytest.raises(PeopleError):
        update_resident(resident=other, changed_by=member, citizen_id="010068123456")
    assert Resident.objects.get(pk=other.pk).version == 1


def test_consent_is_recorded_and_withdrawn_once(resident, member):
    consent = record_consent(
        resident=resident,
        purpose=Consent.Purpose.SUPPORT,
        text_version="2026-01",
        recorded_by=member,
    )
    assert consent.is_active
    withdrawn = withdraw_consent(consent=consent, withdrawn_by=member)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawn_by == member
    with pytest.raises(PeopleError):
        withdraw_consent(consent=consent, withdrawn_by=member)


def test_nothing_more_is_recorded_about_a_resident_who_withdrew_consent(resident, member):
    consent = record_consent(
        resident=resident,
        purpose=Consent.Purpose.SUPPORT,
        text_version="2026-01",
        recorded_by=member,
    )
    withdraw_consent(consent=consent, withdrawn_by=member)
    arguments = {"achieved_on": TODAY(), "method": MilestoneEvent.Method.VISIT}

    with pytest.raises(PeopleError, match="đã rút lại sự đồng ý"):
        record_milestone(
            resident=resident, milestone="vneid_level2", recorded_by=member, **arguments
        )
    with pytest.raises(PeopleError, match="đã rút lại sự đồng ý"):
        record_milestones(
            resident_milestones=[(resident, ["bank_account"])], recorded_by=member, **arguments
        )
    assert not MilestoneEvent.objects.filter(resident=resident).exists()

    record_consent(
        resident=resident,
        purpose=Consent.Purpose.SUPPORT,
        text_version="2026-01",
        recorded_by=member,
    )
    _event, created = record_milestone(
        resident=resident, milestone="vneid_level2", recorded_by=member, **arguments
    )
    assert created, "consent given again: recording resumes"


def test_a_milestone_recorded_twice_counts_once(resident, member):
    first, created = record_milestone(
        resident=resident,
        milestone="vneid_level2",
        achieved_on=TODAY(),
        method=MilestoneEvent.Method.VISIT,
        recorded_by=member,
    )
    again, created_again = record_milestone(
        resident=resident,
        milestone="vneid_level2",
        achieved_on=TODAY(),
        method=MilestoneEvent.Method.CLASS,
        recorded_by=member,
        client_id=uuid.uuid4(),
    )
    assert created is True
    assert created_again is False
    assert again.pk == first.pk
    assert MilestoneEvent.objects.count() == 1


def test_a_replayed_milestone_returns_the_event_of_its_client_id(resident, member):
    client_id = uuid.uuid4()
    kwargs = {
        "resident": resident,
        "milestone": "has_smartphone",
        "achieved_on": TODAY(),
        "method": "visit",
        "recorded_by": member,
        "client_id": client_id,
    }
    event, created = record_milestone(**kwargs)
    replay, replay_created = record_milestone(**kwargs)
    assert (created, replay_created) == (True, False)
    assert replay.pk == event.pk


def test_a_milestone_in_the_future_is_refused(resident, member):
    with pytest.raises(PeopleError, match="tương lai"):
        record_milestone(
            resident=resident,
            milestone="has_smartphone",
            achieved_on=timezone.localdate() + datetime.timedelta(days=1),
            method="visit",
            recorded_by=member,
        )
    assert MilestoneEvent.objects.count() == 0


def test_an_unknown_milestone_is_refused(resident, member):
    with pytest.raises(PeopleError):
        record_milestone(
            resident=resident,
            milestone="flies",
            achieved_on=TODAY(),
            method="visit",
            recorded_by=member,
        )


def test_a_merge_moves_households_and_residents_to_the_absorbing_village(
    resident, household, sai_luong, dong_cuong, make_village, officer
):
    target = make_village(dong_cuong, "Thôn Khe Lếch")
    merge_villages(source=sai_luong, target=target, changed_by=officer)
    assert Household.objects.get(pk=household.pk).village == target
    assert Resident.objects.get(pk=resident.pk).village == target

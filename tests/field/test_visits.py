import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hocvuso.accounts.models import Role
from hocvuso.field.models import Visit
from hocvuso.field.services.visits import record_visit
from hocvuso.people.models import Consent, MilestoneEvent
from hocvuso.people.services import record_consent, withdraw_consent

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 1, 10)


def _visit(user, household, people, client_id, **extra):
    fields = {
        "client_id": client_id,
        "recorded_by": user,
        "visited_on": DAY,
        "channel": Visit.Channel.DOOR_TO_DOOR,
        "household": household,
        "residents": people,
        "activities": "Hướng dẫn cài VNeID",
        "milestones": {people[0].pk: ["vneid_installed", "vneid_level2"]},
        "problems_received": 2,
        "problems_resolved": 1,
        "problems_forwarded": 1,
    }
    fields.update(extra)
    return record_visit(**fields)


def test_visit_records_milestones_and_its_team(member, team, household):
    home, people = household
    visit, created = _visit(member, home, people, uuid.uuid4())
    assert created
    assert visit.team == team
    assert visit.area == team.village
    assert set(visit.residents.all()) == set(people)
    events = MilestoneEvent.objects.filter(resident=people[0])
    assert {e.milestone for e in events} == {"vneid_installed", "vneid_level2"}
    assert {e.method for e in events} == {MilestoneEvent.Method.VISIT}
    assert {e.source for e in events} == {f"visit:{visit.client_id}"}


def test_a_visit_to_a_resident_who_withdrew_consent_is_refused(member, team, household):
    home, people = household
    consent = record_consent(
        resident=people[0],
        purpose=Consent.Purpose.SUPPORT,
        text_version="2026-01",
        recorded_by=member,
    )
    withdraw_consent(consent=consent, withdrawn_by=member)

    with pytest.raises(ValidationError, match="đã rút lại sự đồng ý"):
        _visit(member, home, people, uuid.uuid4())
    assert not Visit.objects.exists()
    assert not MilestoneEvent.objects.exists()


def test_visit_replayed_twice_is_recorded_once(member, team, household):
    home, people = household
    client_id = uuid.uuid4()
    first, created_first = _visit(member, home, people, client_id)
    again, created_again = _visit(member, home, people, client_id)
    assert created_first and not created_again
    assert again.pk == first.pk
    assert Visit.objects.count() == 1
    assert MilestoneEvent.objects.count() == 2


def test_a_replay_with_another_payload_changes_nothing_and_the_first_wins(member, team, household):
    home, people = household
    client_id = uuid.uuid4()
    first, _created = _visit(member, home, people, client_id)
    again, created = _visit(
        member,
        home,
        people,
        str(client_id),
        note="Khác",
        problems_received=9,
        milestones={people[1].pk: ["pays_cashless"]},
    )
    assert not created
    again.refresh_from_db()
    assert again.pk == first.pk
    assert again.problems_received == 2
    assert again.note == ""
    assert not MilestoneEvent.objects.filter(resident=people[1]).exists()


def test_a_member_of_another_village_is_refused_and_nothing_is_written(
    make_user, other_village, team, household
):
    home, people = household
    stranger = make_user(Role.TEAM_MEMBER, other_village)
    with pytest.raises(PermissionDenied):
        _visit(stranger, home, people, uuid.uuid4())
    assert Visit.objects.count() == 0
    assert MilestoneEvent.objects.count() == 0


def test_an_ambassador_of_the_village_may_record_a_visit(make_user, village, team, household):
    home, people = household
    ambassador = make_user(Role.AMBASSADOR, village)
    _v, created = _visit(ambassador, home, people, uuid.uuid4())
    assert created


def test_a_bad_milestone_code_writes_nothing(member, team, household):
    home, people = household
    with pytest.raises(ValidationError):
        _visit(member, home, people, uuid.uuid4(), milestones={people[0].pk: ["flies_a_drone"]})
    assert Visit.objects.count() == 0


def test_milestones_only_for_residents_of_the_visit(
    member, team, household, make_household, village
):
    home, people = household
    _other_home, others = make_household(
        village, head="Vàng Thị Sua", members=(("Vàng Thị Sua", 1980),)
    )
    with pytest.raises(ValidationError):
        _visit(member, home, people, uuid.uuid4(), milestones={others[0].pk: ["vneid_level2"]})
    assert Visit.objects.count() == 0


def test_more_problems_resolved_than_received_is_refused(member, team, household):
    home, people = household
    with pytest.raises(ValidationError):
        _visit(member, home, people, uuid.uuid4(), problems_received=1, problems_resolved=2)
    assert Visit.objects.count() == 0


def test_a_help_desk_visit_belongs_to_the_commune(officer, team, household, dong_cuong):
    _home, people = household
    visit, created = record_visit(
        client_id=uuid.uuid4(),
        recorded_by=officer,
        visited_on=DAY,
        channel=Visit.Channel.HELP_DESK,
        residents=[people[1]],
        milestones={people[1].pk: ["used_public_service"]},
    )
    assert created
    assert visit.area == dong_cuong
    assert visit.team is None
    assert MilestoneEvent.objects.filter(
        resident=people[1], milestone="used_public_service"
    ).exists()


def test_a_village_member_cannot_record_at_the_commune_help_desk(member, team, household):
    _home, people = household
    with pytest.raises(PermissionDenied):
        record_visit(
            client_id=uuid.uuid4(),
            recorded_by=member,
            visited_on=DAY,
            channel=Visit.Channel.HELP_DESK,
            residents=[people[1]],
        )
    assert Visit.objects.count() == 0

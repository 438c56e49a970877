import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hocvuso.accounts.models import Role
from hocvuso.field.models import Mentorship
from hocvuso.field.services.mentorships import assign_mentee, end_mentorship

pytestmark = pytest.mark.django_db


@pytest.fixture
def ambassador(make_user, village):
    return make_user(Role.AMBASSADOR, village, full_name="Lý Văn Hùng")


def _residents(make_household, village, count):
    _home, people = make_household(
        village, head="Bàn Văn Sơn", members=[(f"Bàn Thị {n}", 1950 + n) for n in range(count)]
    )
    return people


@pytest.mark.parametrize("limit", [2, 5])
def test_an_ambassador_mentors_at_most_the_setting_limit(
    settings, limit, ambassador, officer, make_household, village
):
    settings.AMBASSADOR_MENTEE_LIMIT = limit
    people = _residents(make_household, village, limit + 1)
    for resident in people[:limit]:
        assign_mentee(ambassador=ambassador, resident=resident, assigned_by=officer)
    with pytest.raises(ValidationError) as refused:
        assign_mentee(ambassador=ambassador, resident=people[limit], assigned_by=officer)
    assert f"tối đa {limit} người" in refused.value.messages[0]
    assert Mentorship.objects.filter(ambassador=ambassador).count() == limit


def test_ending_a_mentorship_frees_a_place(ambassador, officer, make_household, village, settings):
    settings.AMBASSADOR_MENTEE_LIMIT = 1
    first, second = _residents(make_household, village, 2)
    mentorship = assign_mentee(ambassador=ambassador, resident=first, assigned_by=officer)
    end_mentorship(mentorship=mentorship, ended_by=ambassador)
    assign_mentee(ambassador=ambassador, resident=second, assigned_by=officer)
    assert Mentorship.objects.filter(ended_on__isnull=True).get().resident == second


def test_a_resident_has_one_mentor_at_a_time(
    ambassador, officer, make_household, make_user, village
):
    (resident,) = _residents(make_household, village, 1)
    other = make_user(Role.AMBASSADOR, village)
    assign_mentee(ambassador=ambassador, resident=resident, assigned_by=officer)
    again = assign_mentee(ambassador=ambassador, resident=resident, assigned_by=officer)
    assert Mentorship.objects.count() == 1 and again.ambassador == ambassador
    with pytest.raises(ValidationError):
        assign_mentee(ambassador=other, resident=resident, assigned_by=officer)


def test_only_someone_managing_the_village_assigns(
    ambassador, make_household, make_user, village, other_village
):
    (resident,) = _residents(make_household, village, 1)
    stranger = make_user(Role.TEAM_LEADER, other_village)
    with pytest.raises(PermissionDenied):
        assign_mentee(ambassador=ambassador, resident=resident, assigned_by=stranger)
    with pytest.raises(PermissionDenied):
        assign_mentee(ambassador=ambassador, resident=resident, assigned_by=ambassador)

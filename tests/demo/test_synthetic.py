import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.demo.synthetic import (
    NAME_MARK,
    USERNAME_PREFIX,
    SyntheticDataError,
    delete_synthetic_population,
    generate_population,
    real_resident_count,
    village_count,
)
from hocvuso.field.models import Attendance, Class, Team, TeamMembership, Visit
from hocvuso.people.choices import Milestone
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.places.models import Area, AreaChange
from hocvuso.places.services import create_village, rename_village

RESIDENTS = 2000


@pytest.fixture
def population(db):
    return generate_population(residents=RESIDENTS, seed=7)


def _villages():
    return Area.objects.filter(level=Area.Level.VILLAGE, name__endswith=NAME_MARK)


def _fingerprint() -> list[tuple]:
    return list(
        Resident.objects.order_by("id").values_list(
            "full_name", "year_of_birth", "target_group", "village__name"
        )
    )


def test_counts_match_the_size_asked_for(population):
    assert population.residents == Resident.objects.count() == RESIDENTS
    assert population.villages == _villages().count() == village_count(RESIDENTS) == 13
    assert population.households == Household.objects.count() > RESIDENTS / 7
    assert population.milestones == MilestoneEvent.objects.count() > RESIDENTS
    assert population.teams == Team.objects.count() == population.villages
    assert population.visits == Visit.objects.count() > 0
    assert population.attendances == Attendance.objects.count() > 0
    assert population.rows_per_second > 0


def test_villages_are_coded_and_placed_as_create_village_would(population):
    villages = list(_villages().select_related("parent"))
    provinces = set()
    for village in villages:
        assert village.code == f"V{village.pk:07d}"
        assert village.path == f"{village.parent.path}{village.code}/"
        assert village.parent.level == Area.Level.COMMUNE
        assert village.kind in {"thôn", "bản", "tổ dân phố"}
        assert village.changes.get(action=AreaChange.Action.CREATED).new_parent == village.parent
        provinces.add(village.ancestor_codes[1])
    # Spread over the country, not piled into the first province.
    assert len(provinces) >= 10
    real = create_village(commune=villages[0].parent, name="Thôn Thật")
    assert real.pk > max(v.pk for v in villages)
    assert real.code == f"V{real.pk:07d}"


def test_everything_stays_inside_its_village(population):
    assert not Resident.objects.exclude(household__village=F("village")).exists()
    assert not Resident.objects.filter(household__isnull=True).exists()
    assert not Visit.objects.exclude(team__village=F("area")).exists()
    assert not Visit.residents.through.objects.exclude(resident__village=F("visit__area")).exists()
    assert not Attendance.objects.exclude(resident__village=F("class_session__site__area")).exists()
    members = TeamMembership.objects.values_list("team_id", "user_id")
    assert all((v.team_id, v.recorded_by_id) in set(members) for v in Visit.objects.all())
    leaders = TeamMembership.objects.filter(role=TeamMembership.Role.LEADER)
    assert leaders.count() == population.teams
    assert RoleAssignment.objects.filter(role=Role.TEAM_LEADER).count() == population.teams
    for membership in TeamMembership.objects.select_related("team", "user"):
        assert membership.user.home_area_id == membership.team.village_id
        assert membership.user.username.startswith(USERNAME_PREFIX)
        assert not membership.user.has_usable_password()


def test_people_and_milestones_are_plausible(population):
    assert not Resident.objects.exclude(citizen_id_hash=None).exists()
    assert not Resident.objects.exclude(phone="").exists()
    assert Resident.objects.values("target_group").distinct().count() == 4
    today = timezone.localdate()
    assert not MilestoneEvent.objects.filter(achieved_on__gt=today).exists()
    assert not MilestoneEvent.objects.filter(achieved_on__lt=datetime.date(2025, 3, 21)).exists()
    level2 = set(
        MilestoneEvent.objects.filter(milestone=Milestone.VNEID_LEVEL2).values_list(
            "resident_id", flat=True
        )
    )
    installed = set(
        MilestoneEvent.objects.filter(milestone=Milestone.VNEID_INSTALLED).values_list(
            "resident_id", flat=True
        )
    )
    assert level2 and level2 <= installed
    phones = MilestoneEvent.objects.filter(milestone=Milestone.HAS_SMARTPHONE).count()
    assert 0.45 < phones / RESIDENTS < 0.85
    under_ten = Resident.objects.filter(year_of_birth__gt=today.year - 10)
    assert not MilestoneEvent.objects.filter(resident__in=under_ten).exists()
    assert Class.objects.filter(ends_at__gt=F("starts_at")).count() == population.classes
    busiest = Household.objects.annotate(n=Count("members")).order_by("-n").first()
    assert 1 < busiest.n <= 7


def test_the_same_seed_gives_the_same_population_and_another_seed_another(population):
    first = _fingerprint()
    generate_population(residents=RESIDENTS, seed=7, reset=True)
    assert _fingerprint() == first
    generate_population(residents=RESIDENTS, seed=8, reset=True)
    assert _fingerprint() != first
    assert Resident.objects.count() == RESIDENTS


def test_a_second_run_is_refused_until_reset(population):
    with pytest.raises(SyntheticDataError, match="--reset"):
        generate_population(residents=RESIDENTS, seed=7)
    assert Resident.objects.count() == RESIDENTS


def test_reset_takes_away_all_synthetic_data_and_nothing_else(population, dong_cuong):
    village = Area.objects.filter(changes__note__startswith="Dữ liệu mô phỏng").first()
    # Renamed by hand: still known as synthetic by its history row.
    rename_village(village=village, name="Thôn Đổi Tên", changed_by=None)
    real_village = create_village(commune=dong_cuong, name="Thôn Sài Lương")
    Resident.objects.create(village=real_village, full_name="Lò Văn Thật")
    delete_synthetic_population()
    assert list(Resident.objects.values_list("full_name", flat=True)) == ["Lò Văn Thật"]
    assert not Area.objects.filter(level=Area.Level.VILLAGE).exclude(pk=real_village.pk).exists()
    for model in (Household, MilestoneEvent, Team, Visit, Class, Attendance, TeamMembership):
        assert not model.objects.exists(), model
    assert not User.objects.filter(username__startswith=USERNAME_PREFIX).exists()
    assert Area.objects.filter(level=Area.Level.COMMUNE).count() == 3321


def test_a_database_with_real_residents_is_refused_unless_forced(db, dong_cuong):
    village = create_village(commune=dong_cuong, name="Thôn Sài Lương")
    Resident.objects.create(village=village, full_name="Lò Văn Thật")
    with pytest.raises(SyntheticDataError, match="người dân thật"):
        generate_population(residents=RESIDENTS)
    assert Resident.objects.count() == 1
    generate_population(residents=RESIDENTS, force=True)
    assert real_resident_count() == 1
    assert Resident.objects.count() == RESIDENTS + 1


def test_a_size_out_of_range_is_refused(db):
    with pytest.raises(SyntheticDataError):
        generate_population(residents=10)
    assert not Resident.objects.exists()


def test_command_prints_the_rate_and_refuses_a_second_run(db):
    out = StringIO()
    call_command("generate_population", residents=500, seed=3, stdout=out)
    assert "500 người dân" in out.getvalue()
    assert "dòng/giây" in out.getvalue()
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate_population", residents=500, stdout=StringIO())
    call_command("generate_population", residents=600, reset=True, stdout=StringIO())
    assert Resident.objects.count() == 600

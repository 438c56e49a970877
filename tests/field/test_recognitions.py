import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from hocvuso.accounts.models import Role
from hocvuso.field.models import Recognition, RecognitionRule, Visit
from hocvuso.field.services.recognitions import set_recognition_rule, validate_criteria
from hocvuso.field.services.visits import record_visit
from hocvuso.people.models import MilestoneEvent
from hocvuso.people.services import record_milestone, register_resident

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 1, 10)
FAMILY = {"every_adult": ["vneid_level2"], "at_least_one": ["pays_cashless"]}


@pytest.fixture
def family_rule(dong_cuong, officer):
    return set_recognition_rule(
        commune=dong_cuong, kind="gia_dinh_so", criteria=FAMILY, updated_by=officer
    )


def _visit(member, home, people, milestones):
    return record_visit(
        client_id=uuid.uuid4(),
        recorded_by=member,
        visited_on=DAY,
        channel=Visit.Channel.DOOR_TO_DOOR,
        household=home,
        residents=people,
        milestones=milestones,
    )


def test_a_digital_family_is_recognised_when_the_criteria_are_met_and_not_before(
    family_rule, member, team, household
):
    home, (father, mother, _child) = household
    _visit(member, home, [father, mother], {father.pk: ["vneid_level2", "pays_cashless"]})
    assert not Recognition.objects.exists()
    # The child is under 18: only the adults need VNeID level 2.
    _visit(member, home, [mother], {mother.pk: ["vneid_level2"]})
    recognition = Recognition.objects.get()
    assert recognition.household == home
    assert recognition.rule == family_rule
    assert recognition.village == home.village
    assert recognition.recognised_on == datetime.date.today()


def test_milestones_recorded_outside_a_visit_also_recognise(family_rule, officer, household):
    home, (father, mother, _child) = household
    for resident, code in (
        (father, "vneid_level2"),
        (mother, "vneid_level2"),
        (mother, "pays_cashless"),
    ):
        record_milestone(
            resident=resident,
            milestone=code,
            achieved_on=DAY,
            method=MilestoneEvent.Method.SELF_REPORT,
            recorded_by=officer,
        )
    assert Recognition.objects.filter(household=home, revoked_on__isnull=True).count() == 1


def test_stricter_criteria_revoke_and_a_new_rule_recognises_the_whole_commune(
    family_rule, member, team, household, dong_cuong, officer
):
    home, (father, mother, _child) = household
    _visit(
        member,
        home,
        [father, mother],
        {father.pk: ["vneid_level2", "pays_cashless"], mother.pk: ["vneid_level2"]},
    )
    assert Recognition.objects.filter(revoked_on__isnull=True).count() == 1
    set_recognition_rule(
        commune=dong_cuong,
        kind="gia_dinh_so",
        criteria={"every_member": ["vneid_level2"]},
        updated_by=officer,
    )
    assert Recognition.objects.filter(revoked_on__isnull=True).count() == 0
    assert Recognition.objects.get().revoked_on == datetime.date.today()


def test_a_trader_is_recognised_for_the_digital_market(dong_cuong, officer, member, team, village):
    set_recognition_rule(
        commune=dong_cuong,
        kind="cho_so",
        criteria={"all_of": ["sells_online", "takes_qr_payment"]},
        updated_by=officer,
    )
    trader = register_resident(
        village=village, full_name="Lương Thị Thu", year_of_birth=1985, created_by=officer
    )
    _visit(member, None, [trader], {trader.pk: ["sells_online"]})
    assert not Recognition.objects.exists()
    _visit(member, None, [trader], {trader.pk: ["takes_qr_payment"]})
    recognition = Recognition.objects.get()
    assert recognition.resident == trader
    assert recognition.rule.kind == RecognitionRule.Kind.DIGITAL_MARKET


def test_a_rule_of_another_commune_recognises_nothing_here(
    tien_lu, make_user, member, team, household
):

    set_recognition_rule(
        commune=tien_lu,
        kind="gia_dinh_so",
        criteria={"at_least_one": ["has_smartphone"]},
        updated_by=make_user(Role.COMMUNE_OFFICER, tien_lu),
    )
    home, people = household
    _visit(member, home, people[:1], {people[0].pk: ["has_smartphone"]})
    assert not Recognition.objects.exists()


@pytest.mark.parametrize(
    ("kind", "criteria"),
    [
        ("gia_dinh_so", {"all_of": ["vneid_level2"]}),
        ("gia_dinh_so", {"every_adult": ["flies_a_drone"]}),
        ("gia_dinh_so", {"every_adult": []}),
        ("gia_dinh_so", {}),
        ("cho_so", {"every_adult": ["sells_online"]}),
        ("cho_so", ["sells_online"]),
        ("danh_hieu_khac", {"all_of": ["sells_online"]}),
    ],
)
def test_criteria_outside_the_vocabulary_are_refused(kind, criteria):
    with pytest.raises(ValidationError):
        validate_criteria(kind=kind, criteria=criteria)

"""Fixtures of skills tests: the shipped frameworks, the starter catalogue mapped onto them, and
people to assess."""

import pytest
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.learning.models import Course, Enrollment
from hocvuso.learning.services.catalogue import install_starter_catalogue
from hocvuso.people.choices import TargetGroup
from hocvuso.people.services import register_household, register_resident
from hocvuso.skills.demo import right_answers
from hocvuso.skills.models import Assessment
from hocvuso.skills.selectors import current_profile
from hocvuso.skills.services.assessment import start_assessment, submit_assessment
from hocvuso.skills.services.frameworks import load_shipped_frameworks, load_starter_mapping


@pytest.fixture
def frameworks(administrative_units):
    return load_shipped_frameworks()


@pytest.fixture
def starter(frameworks):
    """The ten starter courses, published, with their shipped mapping."""
    install_starter_catalogue()
    return load_starter_mapping()


@pytest.fixture
def village(dong_cuong, make_village):
    return make_village(dong_cuong, "Thôn Sài Lương")


@pytest.fixture
def make_resident(village):
    def make(name="Triệu Thị Hoa", group=TargetGroup.CITIZENS, where=None, user=None):
        where = where or village
        household = register_household(village=where, head_name=name, created_by=None)
        resident = register_resident(
            village=where, household=household, full_name=name, created_by=None
        )
        resident.target_group = group
        resident.user = user
        resident.save(update_fields=["target_group", "user"])
        return resident

    return make


@pytest.fixture
def team_member(make_user, village):
    return make_user(Role.TEAM_MEMBER, village, full_name="Triệu Thị Mai")


@pytest.fixture
def citizens(starter):
    return current_profile(TargetGroup.CITIZENS)


def wrong_answers(assessment: Assessment) -> dict[int, list[int]]:
    return {entry["question"]: [] for entry in assessment.drawn}


@pytest.fixture
def confirm(citizens, team_member, make_resident):
    """confirm() → a resident confirmed through an assisted sitting answered all right."""

    def make(name="Triệu Thị Hoa"):
        resident = make_resident(name)
        sitting = start_assessment(profile=citizens, resident=resident, assisted_by=team_member)
        return submit_assessment(assessment=sitting, answers=right_answers(sitting))

    return make


def complete_course(user, slug: str) -> Enrollment:
    return Enrollment.objects.create(
        learner=user, course=Course.objects.get(slug=slug), completed_at=timezone.now()
    )

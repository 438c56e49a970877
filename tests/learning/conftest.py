"""Courses to learn from: a published course of four lessons (reading, guide, video, check)."""

import pytest

from hocvuso.accounts.models import Role
from hocvuso.learning.models import Lesson

from .factories import make_publisher, sample_course


@pytest.fixture
def publisher(db):
    return make_publisher()


@pytest.fixture
def course(publisher):
    return sample_course(publisher)


@pytest.fixture
def lessons(course) -> list[Lesson]:
    return list(course.lessons.order_by("position", "id"))


@pytest.fixture
def learner(make_user, make_village, dong_cuong):
    return make_user(Role.LEARNER, make_village(dong_cuong), full_name="Lý Thị Mai")

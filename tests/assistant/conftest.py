"""Fixtures of the help tests: the real starter catalogue and help content, and a clean cache."""

import pytest
from django.core.cache import cache

from hocvuso.assistant.services import install_starter_help
from hocvuso.learning.models import Lesson
from hocvuso.learning.services.catalogue import install_starter_catalogue

VNEID = "vneid-dinh-danh-dien-tu-muc-2"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate counters, conversations and the index version live in the cache: none leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalogue(db):
    """The ten shipped courses, published, with the starter FAQ and scam feed."""
    install_starter_catalogue()
    install_starter_help()


@pytest.fixture
def lesson_titled(catalogue):
    """lesson_titled(slug, start) → the lesson of that course whose title starts so."""

    def find(slug: str, start: str) -> Lesson:
        return Lesson.objects.get(course__slug=slug, title__startswith=start)

    return find

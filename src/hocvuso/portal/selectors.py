"""Reads of a commune's public page: published news, what is coming, team contacts, aggregates."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from hocvuso.field.models import Class, Event, Team
from hocvuso.people.choices import Milestone
from hocvuso.people.models import MilestoneEvent, Resident
from hocvuso.places.models import Area
from hocvuso.portal.models import NewsArticle

# Counts below this are shown as "<5": a small number in a small village can point at a person.
SMALL_COUNT = 5
COMING_DAYS = 60


def commune_by_code(code: str) -> Area:
    """The active commune, ward or special zone with this code, or 404."""
    return get_object_or_404(Area, code=code, level=Area.Level.COMMUNE, is_active=True)


def published_articles(commune: Area) -> QuerySet[NewsArticle]:
    return NewsArticle.objects.filter(commune=commune, published_at__isnull=False).order_by(
        "-published_at"
    )


def draft_articles(commune: Area) -> QuerySet[NewsArticle]:
    return NewsArticle.objects.filter(commune=commune, published_at__isnull=True).order_by(
        "-updated_at"
    )


def coming_classes(commune: Area, *, now: datetime.datetime | None = None) -> QuerySet[Class]:
    """Classes at the commune's sites that have not ended yet, soonest first."""
    now = now or timezone.now()
    return (
        Class.objects.filter(
            site__area__path__startswith=commune.path,
            ends_at__gte=now,
            starts_at__lte=now + datetime.timedelta(days=COMING_DAYS),
        )
        .select_related("site", "site__area")
        .order_by("starts_at")
    )


def coming_events(commune: Area, *, today: datetime.date | None = None) -> QuerySet[Event]:
    today = today or timezone.localdate()
    return (
        Event.objects.filter(
            area__path__startswith=commune.path,
            date__gte=today,
            date__lte=today + datetime.timedelta(days=COMING_DAYS),
        )
        .select_related("area")
        .order_by("date", "title")
    )


def team_contacts(commune: Area) -> QuerySet[Team]:
    """The teams of the commune's active villages; their contacts are the team's, not a person's."""
    return (
        Team.objects.filter(village__parent=commune, village__is_active=True)
        .select_related("village")
        .order_by("village__name")
    )


@dataclass(frozen=True)
class Figure:
    label: str
    count: int | None  # None when suppressed
    percent: int | None

    @property
    def shown(self) -> str:
        return f"<{SMALL_COUNT}" if self.count is None else str(self.count)


def _figure(label: str, count: int, total: int) -> Figure:
    if count < SMALL_COUNT:
        return Figure(label=str(label), count=None, percent=None)
    percent = round(100 * count / total) if total >= SMALL_COUNT else None
    return Figure(label=str(label), count=count, percent=percent)


def commune_progress(commune: Area) -> tuple[Figure, list[Figure]]:
    """Residents on the register and, per milestone, how many reached it: aggregates only."""
    total = Resident.objects.filter(village__path__startswith=commune.path).count()
    reached = dict(
        MilestoneEvent.objects.filter(resident__village__path__startswith=commune.path)
        .values_list("milestone")
        .annotate(n=Count("resident", distinct=True))
        .values_list("milestone", "n")
    )
    registered = _figure("", total, total)
    figures = [_figure(m.label, reached.get(m.value, 0), total) for m in Milestone]
    return registered, figures

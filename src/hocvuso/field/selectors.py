"""Reads of the field app: quota progress, mentees, sites, classes, events, recognitions."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.field.models import (
    Attendance,
    Class,
    ContestEntry,
    Event,
    LearningSite,
    Mentorship,
    Quota,
    Recognition,
    Team,
    Visit,
)
from hocvuso.people.choices import Milestone
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.places.models import Area


@dataclass(frozen=True)
class Progress:
    label: str
    done: int
    target: int

    @property
    def percent(self) -> int:
        """Share of the target reached, capped at 100 for the bar."""
        if self.target <= 0:
            return 100 if self.done else 0
        return min(100, round(100 * self.done / self.target))


def current_quota(team: Team, *, on: datetime.date | None = None) -> Quota | None:
    """The quota whose period contains `on` (today by default), else the latest one."""
    on = on or timezone.localdate()
    quotas = team.quotas.all()
    return quotas.filter(period_start__lte=on, period_end__gte=on).first() or quotas.first()


def _team_classes(team: Team, start: datetime.date, end: datetime.date):
    # Two short lists of ids, read first, OR-ed over their indexes, and a time range: a join, a
    # sub-select or a date cast in the condition would scan every class of the country.
    members = list(team.memberships.values_list("user_id", flat=True))
    sites = list(LearningSite.objects.filter(area=team.village).values_list("id", flat=True))
    zone = timezone.get_current_timezone()
    return Class.objects.filter(
        Q(site_id__in=sites) | Q(trainer_id__in=members),
        starts_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        starts_at__lt=datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        ),
    )


def quota_counts(team: Team, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """People supported (distinct residents visited or attending a class), sessions, problems solved."""
    visits = Visit.objects.filter(team=team, visited_on__gte=start, visited_on__lte=end)
    visited = set(
        Visit.residents.through.objects.filter(visit__in=visits).values_list(
            "resident_id", flat=True
        )
    )
    classes = _team_classes(team, start, end)
    attending = set(
        Attendance.objects.filter(
            class_session__in=classes, resident__village=team.village
        ).values_list("resident_id", flat=True)
    )
    return {
        "people_supported": len(visited | attending),
        "sessions_held": classes.count(),
        "problems_solved": visits.aggregate(total=Sum("problems_resolved"))["total"] or 0,
    }


def quota_progress(quota: Quota) -> list[Progress]:
    counts = quota_counts(quota.team, quota.period_start, quota.period_end)
    return [
        Progress(_("Người được hỗ trợ"), counts["people_supported"], quota.people_supported_target),
        Progress(
            _("Buổi hướng dẫn đã tổ chức"), counts["sessions_held"], quota.sessions_held_target
        ),
        Progress(
            _("Vướng mắc đã giải quyết"), counts["problems_solved"], quota.problems_solved_target
        ),
    ]


def recent_visits(area: Area, *, limit: int = 10) -> list[Visit]:
    return list(
        Visit.objects.filter(area=area)
        .select_related("household", "recorded_by")
        .annotate(people=Count("residents"))
        .order_by("-visited_on", "-id")[:limit]
    )


def households_of(village: Area) -> list[Household]:
    return list(
        Household.objects.filter(village=village)
        .annotate(people=Count("members"))
        .order_by("head_name", "id")
    )


def residents_with_milestones(residents) -> list[tuple[Resident, set[str]]]:
    """Each resident with the milestone codes already reached."""
    residents = list(residents)
    reached: dict[int, set[str]] = {r.pk: set() for r in residents}
    for resident_id, code in MilestoneEvent.objects.filter(
        resident_id__in=list(reached)
    ).values_list("resident_id", "milestone"):
        reached[resident_id].add(code)
    return [(r, reached[r.pk]) for r in residents]


def mentees_of(ambassador) -> list[dict]:
    """The ambassador's current mentees, each with what they reached and what they still need."""
    mentorships = list(
        Mentorship.objects.filter(ambassador=ambassador, ended_on__isnull=True)
        .select_related("resident__village", "resident__household")
        .order_by("resident__full_name")
    )
    rows = residents_with_milestones(m.resident for m in mentorships)
    total = len(Milestone.values)
    return [
        {
            "mentorship": mentorship,
            "resident": resident,
            "reached": [m for m in Milestone if m.value in reached],
            "missing": [m for m in Milestone if m.value not in reached],
            "percent": round(100 * len(reached) / total),
        }
        for mentorship, (resident, reached) in zip(mentorships, rows, strict=True)
    ]


def sites_under(area: Area) -> list[LearningSite]:
    """Sites in the area and below it, with their coming classes."""
    now = timezone.now()
    coming = Class.objects.filter(ends_at__gte=now).order_by("starts_at")
    return list(
        LearningSite.objects.filter(area__path__startswith=area.path)
        .select_related("area")
        .prefetch_related(Prefetch("classes", queryset=coming, to_attr="coming_classes"))
        .order_by("area__path", "name")
    )


def attendee_choices(class_session: Class):
    """Residents who may be marked present: those of the site's village, or of its commune."""
    area = class_session.site.area
    return Resident.objects.filter(village__path__startswith=area.path).select_related("village")


def events_for(area: Area) -> list[Event]:
    """Events held in the area, below it, or in the areas above it down from the commune."""
    # ancestor_codes runs country, province, commune, village: from the commune down.
    above = area.ancestor_codes[2:]
    return list(
        Event.objects.filter(Q(area__path__startswith=area.path) | Q(area__code__in=above))
        .select_related("area")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=ContestEntry.objects.select_related("resident", "team").order_by(
                    "-score", "id"
                ),
                to_attr="leaderboard",
            )
        )
        .order_by("date", "title")
    )


def recognitions_in(village: Area) -> list[Recognition]:
    return list(
        Recognition.objects.filter(village=village, revoked_on__isnull=True)
        .select_related("rule", "household", "resident")
        .order_by("rule__kind", "-recognised_on")
    )

"""The raw counters kept per area, and what one resident or one milestone adds to them.

A metric is a plain count (residents, adults, residents with a milestone, visits…); indicators
(`hocvuso.monitoring.indicators`) are ratios or sums of metrics. The live receivers and the rebuild
both derive the counts from the functions and rules here, so that they agree by construction.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from hocvuso.people.choices import Milestone, TargetGroup

# A person is an adult from the year they turn 15 (the plans count adults as 15 and over); an
# unknown year of birth counts as adult, so that a missing year never drops someone from the
# denominator. The count moves on 1 January: the yearly rebuild recomputes it.
ADULT_AGE = 15
CONFIRMED = Milestone.CONFIRMED_BASIC_LEVEL.value

RESIDENTS = "residents"
ADULTS = "adults"
ADULTS_CONFIRMED = "adults_confirmed"
GUIDED = "guided"
HOUSEHOLDS = "households"
HOUSEHOLDS_GUIDED = "households_guided"
VISITS = "visits"
ATTENDANCES = "attendances"
CLASSES_HELD = "classes_held"
QUIZ_PASSES = "quiz_passes"


def group_metric(group: str) -> str:
    return f"group:{group}"


def skilled_metric(group: str) -> str:
    return f"skilled:{group}"


def milestone_metric(milestone: str) -> str:
    return f"ms:{milestone}"


def confirmed_metric(group: str) -> str:
    """People confirmed at the basic level by the skills app (residents or not), by group."""
    return f"confirmed:{group}"


# Metrics whose weekly gains are kept (numerators of indicators, for trends and forecasts).
WEEKLY_METRICS = frozenset(
    [milestone_metric(m) for m in Milestone.values]
    + [skilled_metric(g) for g in TargetGroup.values]
    + [confirmed_metric(g) for g in TargetGroup.values]
    + [ADULTS_CONFIRMED, GUIDED, HOUSEHOLDS_GUIDED, VISITS, ATTENDANCES, CLASSES_HELD, QUIZ_PASSES]
)

# Tally kinds: objects counted once however many records they have.
TALLY_RESIDENT = "resident"
TALLY_HOUSEHOLD = "household"
TALLY_CLASS = "class"


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week of `day`."""
    return day - datetime.timedelta(days=day.weekday())


def adult_birth_year_limit(today: datetime.date | None = None) -> int:
    """Born in this year or before: adult this year."""
    return (today or timezone.localdate()).year - ADULT_AGE


def is_adult(year_of_birth: int | None, *, limit: int | None = None) -> bool:
    if year_of_birth is None:
        return True
    return year_of_birth <= (limit if limit is not None else adult_birth_year_limit())


@dataclass(frozen=True)
class Person:
    """What the counters need to know of a resident."""

    village_id: int
    path: str
    year_of_birth: int | None
    target_group: str

    @property
    def adult(self) -> bool:
        return is_adult(self.year_of_birth)


# A contribution: (metric, week or None for the running total) → count.
Contribution = Counter


def person_base(person: Person) -> Contribution:
    """What a resident adds before any milestone."""
    found: Contribution = Counter(
        {(RESIDENTS, None): 1, (group_metric(person.target_group), None): 1}
    )
    if person.adult:
        found[(ADULTS, None)] += 1
    return found


def milestone_contribution(
    person: Person, milestone: str, achieved_on: datetime.date
) -> Contribution:
    """What one milestone of a resident adds (the "at least one milestone" count aside)."""
    week = week_of(achieved_on)
    metrics = [milestone_metric(milestone)]
    if milestone == CONFIRMED:
        metrics.append(skilled_metric(person.target_group))
        if person.adult:
            metrics.append(ADULTS_CONFIRMED)
    found: Contribution = Counter()
    for metric in metrics:
        found[(metric, None)] += 1
        found[(metric, week)] += 1
    return found


def person_contribution(
    person: Person, milestones: dict[str, datetime.date], first_on: datetime.date | None
) -> Contribution:
    """Everything a resident adds: base, milestones, and "guided" from its earliest milestone."""
    found = person_base(person)
    for milestone, achieved_on in milestones.items():
        found.update(milestone_contribution(person, milestone, achieved_on))
    if first_on is not None:
        found[(GUIDED, None)] += 1
        found[(GUIDED, week_of(first_on))] += 1
    return found


def counted(metric: str, week: datetime.date | None) -> Contribution:
    """One record of a plain metric, with its week where the metric keeps a series."""
    found: Contribution = Counter({(metric, None): 1})
    if week is not None and metric in WEEKLY_METRICS:
        found[(metric, week_of(week))] += 1
    return found

"""Reads of the registry: what a village's households are and what each member still needs."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from hocvuso.accounts.authz import Perm, scope_q
from hocvuso.people.choices import Milestone
from hocvuso.people.models import Consent, Household, MilestoneEvent, Resident
from hocvuso.places.models import Area


def residents_in_scope(user, perm: Perm = Perm.VIEW_PEOPLE) -> QuerySet[Resident]:
    """The residents whose village lies in the user's scope for `perm`."""
    return Resident.objects.filter(scope_q(user, perm, "village__path"))


def households_in_scope(user, perm: Perm = Perm.VIEW_PEOPLE) -> QuerySet[Household]:
    """The households whose village lies in the user's scope for `perm`."""
    return Household.objects.filter(scope_q(user, perm, "village__path"))


def village_households(village: Area) -> QuerySet[Household]:
    """The households of a village in the order of the village's list (number, then head)."""
    return Household.objects.filter(village=village).order_by("number", "head_name", "pk")


def milestone_counts(village: Area) -> dict[str, int]:
    """How many residents of the village reached each milestone (one grouped query)."""
    counts = dict(
        MilestoneEvent.objects.filter(resident__village=village)
        .values_list("milestone")
        .annotate(n=Count("pk"))
        .values_list("milestone", "n")
    )
    return {milestone: counts.get(milestone, 0) for milestone in Milestone.values}


@dataclass
class MemberRow:
    resident: Resident
    reached: list[bool] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.reached.count(False)


def milestone_matrix(residents: list[Resident]) -> list[MemberRow]:
    """Each resident with a ✓/– per milestone in Milestone order (one query for all of them)."""
    reached: dict[int, set[str]] = defaultdict(set)
    for resident_id, milestone in MilestoneEvent.objects.filter(
        resident__in=[r.pk for r in residents]
    ).values_list("resident_id", "milestone"):
        reached[resident_id].add(milestone)
    return [
        MemberRow(resident, [m in reached[resident.pk] for m in Milestone.values])
        for resident in residents
    ]


def members_by_household(households: list[Household]) -> dict[int, list[Resident]]:
    """The members of these households, by household id (one query)."""
    members: dict[int, list[Resident]] = defaultdict(list)
    for resident in Resident.objects.filter(household__in=[h.pk for h in households]).order_by(
        "-year_of_birth", "pk"
    ):
        members[resident.household_id].append(resident)
    return members


def residents_without_household(village: Area, *, limit: int = 200) -> list[Resident]:
    """Residents of the village not yet placed in a household, the first `limit` of them."""
    return list(
        Resident.objects.filter(village=village, household__isnull=True).order_by("full_name")[
            :limit
        ]
    )


def resident_detail(resident_qs: QuerySet[Resident], pk: int) -> Resident:
    """A resident with household, village, milestones and consents loaded; raises DoesNotExist."""
    return (
        resident_qs.select_related("household", "village", "village__parent")
        .prefetch_related(
            Prefetch("milestones", queryset=MilestoneEvent.objects.order_by("achieved_on")),
            Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")),
        )
        .get(pk=pk)
    )


def active_consent(resident: Resident, purpose: str) -> Consent | None:
    """The consent for `purpose` currently in force, from prefetched consents."""
    for consent in resident.consents.all():
        if consent.purpose == purpose and consent.is_active:
            return consent
    return None
